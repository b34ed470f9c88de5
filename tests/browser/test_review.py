"""Issue 12 end to end in Chromium: two reviewers score one submission blind, disagree, a third
reconciles, and an admin records a decision that names the scorecards it rested on."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from harness.review.models import Scorecard
from tests.browser.fixtures import LiveServer, Watched, sign_in
from tests.db.factories import make_report, make_reviewer
from tests.jobs.real import BASELINE

REVIEWERS = ("blind-one@example.com", "blind-two@example.com", "blind-three@example.com")


def _score(
    pg: Page, server: LiveServer, sid: int, level: int, recommendation: str, comment: str
) -> None:
    pg.goto(f"{server.url}/submissions/{sid}/review")
    form = pg.get_by_test_id("scorecard-form")
    expect(form).to_be_visible()
    for box in form.locator("fieldset.criterion").all():
        box.locator(f'input[type=radio][value="{level}"]').check()
    form.locator(f'input[name=recommendation][value="{recommendation}"]').check()
    form.locator("textarea[name=comments]").fill(comment)
    pg.get_by_test_id("submit-scorecard").click()
    pg.wait_for_url(re.compile(rf"/submissions/{sid}/review"))


def _as(browser: Browser, server: LiveServer, email: str) -> Page:
    pg = browser.new_context(viewport={"width": 1300, "height": 900}).new_page()
    sign_in(pg, server, email)
    return pg


def _seated(server: LiveServer, sid: int) -> list[str]:
    with server.db.session() as s:
        cards = s.scalars(
            select(Scorecard).where(Scorecard.submission_id == sid).order_by(Scorecard.seat)
        )
        return [c.reviewer.email for c in cards if c.status != "withdrawn"]


def test_two_blind_reviewers_disagree_a_third_reconciles_and_a_decision_is_recorded(
    live_server: LiveServer, page: Watched, browser: Browser, tmp_path_factory: object
) -> None:
    from harness.demo import zip_folder

    with live_server.db.session(write=True) as s:
        existing = {r for r in REVIEWERS}
        from harness.accounts.repository import ReviewerRepository

        for email in existing:
            if ReviewerRepository(s).by_email(email) is None:
                make_reviewer(s, email)
    archive = zip_folder(BASELINE, live_server.settings.data_dir / "review-baseline.zip")
    sid = live_server.add_graded(make_report(score=74.0), archive=archive, name="Blair Blind")

    admin = page.page
    sign_in(admin, live_server)
    admin.goto(f"{live_server.url}/submissions/{sid}/review")
    expect(admin.get_by_test_id("candidate")).to_contain_text("Candidate #")
    admin.get_by_test_id("start-review").click()
    admin.wait_for_url(re.compile(rf"/submissions/{sid}/review"))
    expect(admin.get_by_test_id("blind")).to_contain_text("still scoring")
    first, second = _seated(live_server, sid)
    third = next(e for e in REVIEWERS if e not in (first, second))

    one = _as(browser, live_server, first)
    one.goto(f"{live_server.url}/review")
    expect(one.get_by_test_id("my-seats")).to_contain_text(f"#{sid}")
    _score(one, live_server, sid, 1, "reject", "Evaluation on the training data only.")
    expect(one.get_by_test_id("scorecard-row")).to_have_count(1)  # only their own so far

    two = _as(browser, live_server, second)
    two.goto(f"{live_server.url}/submissions/{sid}/review")
    expect(two.get_by_test_id("blind")).to_contain_text("submit your own scorecard")
    assert "training data only" not in two.content()  # blind: nothing of the first scorecard
    _score(two, live_server, sid, 3, "advance", "Solid, honest writeup.")
    expect(two.get_by_test_id("scorecard-row")).to_have_count(2)
    expect(two.get_by_test_id("reconciliation")).to_contain_text("open")
    expect(two.get_by_test_id("reconciliation")).to_contain_text("recommendations differ")
    page.shot("review-disagreement")  # the admin's page is still blind; shot of the state

    admin.goto(f"{live_server.url}/submissions/{sid}/review")
    expect(admin.get_by_test_id("decision-blocked")).to_contain_text("disagree")

    three = _as(browser, live_server, third)
    three.goto(f"{live_server.url}/review")
    expect(three.get_by_test_id("my-seats")).to_contain_text("reconciler")
    three.goto(f"{live_server.url}/submissions/{sid}/review")
    assert "Solid, honest writeup." not in three.content()  # the third reviewer scores blind too
    _score(three, live_server, sid, 2, "hold", "Between the two: sound code, weak evaluation.")
    expect(three.get_by_test_id("reconciliation")).to_contain_text("resolved")
    expect(three.get_by_test_id("scorecard-row")).to_have_count(3)

    admin.goto(f"{live_server.url}/submissions/{sid}/review")
    expect(admin.get_by_test_id("combined")).to_be_visible()
    expect(admin.get_by_test_id("scorecard-row")).to_have_count(3)
    admin.check('input[name=outcome][value="hold"]')
    admin.fill("textarea[name=reason]", "Reconciled: hold for a follow-up interview.")
    admin.get_by_test_id("record-decision").click()
    admin.wait_for_url(re.compile(rf"/submissions/{sid}/review"))
    expect(admin.get_by_test_id("decision")).to_contain_text("follow-up interview")
    expect(admin.get_by_test_id("decision-basis")).to_contain_text("Rested on scorecards")
    expect(admin.get_by_test_id("candidate")).to_contain_text("Blair Blind")  # anonymity ends
    page.shot("review-decided")
    for other in (one, two, three):
        other.context.close()
    assert page.dialogs == []
