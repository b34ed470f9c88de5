"""Reviewer and candidate pages drawn by Chromium at 1366 px (issue 11): nothing overflows the
window, the notebook view shows the graded run, the report refreshes itself after a regrade,
the confusion matrix keeps its labels, Markdown tables keep their headers whole, and times keep
one label from the first page view to the next. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from harness.reports.schema import Report
from tests.api.test_pages_issue11 import notebook_report
from tests.browser.fixtures import ARTIFACTS, LiveServer, sign_in
from tests.db.factories import SAMPLE_FILES, make_report, zip_bytes
from tests.jobs.real import grade_baseline_for_real

WIDTH = 1366

LONG_TEST = (
    "tests/test_feature_pipeline_handles_unicode_emoji_and_very_long_ticket_bodies.py::"
    "test_vectoriser_keeps_every_row_when_the_body_is_a_single_forty_kilobyte_token_without_spaces"
    "[case_with_parameters_that_make_the_identifier_even_longer_than_any_column_could_hold_0123456789]"
)


@pytest.fixture
def wide(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    yield context.new_page()
    context.close()


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"issue11-{name}-{WIDTH}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _fits(page: Page, name: str) -> None:
    """Screenshot the page, then check nothing is wider than the window."""
    _shot(page, name)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTH, f"{name}: the page is {scroll} px wide in a {WIDTH} px window"


def _archive(tmp_path: Path) -> Path:
    path = tmp_path / "solution.zip"
    path.write_bytes(zip_bytes(SAMPLE_FILES))
    return path


def _long_names_report() -> Report:
    report = make_report()
    graders = []
    for g in report.graders:
        if g.name == "tests":
            details = {"tests": [{"name": LONG_TEST, "outcome": "failed", "message": "x" * 300}]}
            g = g.model_copy(
                update={"details": details, "summary": "1 test function (1 case) " + LONG_TEST}
            )
        graders.append(g)
    return report.model_copy(update={"graders": graders})


def test_every_page_fits_a_1366_px_window(
    live_server: LiveServer, wide: Page, tmp_path: Path
) -> None:
    long_id = live_server.add_graded(
        _long_names_report(), name="Lou Longnames", archive=_archive(tmp_path)
    )
    nb_id = live_server.add_graded(
        notebook_report(), name="Nia Notebook", archive=_archive(tmp_path)
    )
    token = live_server.invite("Cam Candidate", "cam@example.com")
    sign_in(wide, live_server)
    pages = {
        "dashboard": "/",
        "submissions": "/submissions",
        "report": f"/submissions/{long_id}",
        "compare": f"/compare?a={long_id}&b={nb_id}",
        "invitations": "/invitations",
        "payments": "/payments",
        "scoring": "/scoring",
        "docs": "/docs",
        "account": "/account",
        "workers": "/workers",
        "audit": "/audit",
        "review-queue": "/review",
        "decision": f"/submissions/{long_id}/review",
        "calibration": "/calibration",
        "candidate-task": f"/c/{token}",
    }
    for name, path in pages.items():
        wide.goto(f"{live_server.url}{path}")
        wide.wait_for_load_state("load")
        _fits(wide, name)
    # The compare page shows the long test name whole, wrapped inside its column.
    wide.goto(f"{live_server.url}/compare?a={long_id}&b={nb_id}")
    expect(
        wide.locator(".compare").get_by_text("forty_kilobyte_token", exact=False).first
    ).to_be_visible()


def test_the_notebook_view_shows_the_graded_run_then_the_submitted_version(
    live_server: LiveServer, wide: Page, tmp_path: Path
) -> None:
    sid = live_server.add_graded(notebook_report(), name="Nia Notebook", archive=_archive(tmp_path))
    sign_in(wide, live_server)
    wide.goto(f"{live_server.url}/submissions/{sid}")
    pane = wide.get_by_test_id("notebook-pane").first
    expect(pane.get_by_test_id("notebook-shown")).to_contain_text("the graded run")
    frame = wide.frame_locator("iframe.notebook").first
    expect(frame.locator("body")).to_contain_text("RUN OUTPUT 0.873")
    _shot(wide, "notebook-graded-run")
    pane.get_by_test_id("notebook-submitted-link").click()
    expect(frame.locator("body")).to_contain_text("SAVED OUTPUT")
    _shot(wide, "notebook-as-submitted")


def test_the_confusion_matrix_draws_every_label_inside_the_plot(
    live_server: LiveServer, wide: Page, tmp_path: Path
) -> None:
    sid = live_server.add_graded(make_report(), name="Cy Confusion", archive=_archive(tmp_path))
    sign_in(wide, live_server)
    wide.goto(f"{live_server.url}/submissions/{sid}")
    outside = wide.evaluate(
        """() => {
            const svg = document.querySelector('svg[aria-label="Confusion matrix"]');
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')].filter(t => {
                const r = t.getBoundingClientRect();
                return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1;
            }).map(t => t.textContent);
        }"""
    )
    assert outside == [], f"labels drawn outside the confusion matrix: {outside}"
    wide.locator('svg[aria-label="Confusion matrix"]').screenshot(
        path=str(ARTIFACTS / f"issue11-confusion-matrix-{WIDTH}.png")
    )


_HEADER_HEIGHTS = """(selector) => [...document.querySelectorAll(selector)]
    .map(th => th.getBoundingClientRect().height)"""


def test_table_headers_stay_on_one_line(live_server: LiveServer, wide: Page, tmp_path: Path) -> None:
    sid = live_server.add_graded(
        _long_names_report(), name="Hal Headers", archive=_archive(tmp_path)
    )
    sign_in(wide, live_server)
    line = wide.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight)")
    for path, selector, name in (
        ("/scoring", ".scoring-doc th", "scoring-tables"),
        (f"/submissions/{sid}", "table.graders th", "report-graders-table"),
    ):
        wide.goto(f"{live_server.url}{path}")
        heights = wide.evaluate(_HEADER_HEIGHTS, selector)
        assert heights, f"{path} has table headers"
        assert max(heights) < 2 * line, f"{path}: a header wraps ({max(heights)} px, line {line} px)"
        _fits(wide, name)


def test_times_keep_one_label_from_the_first_view_to_the_next(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    sid = live_server.add_graded(make_report(), name="Tomo Tokyo", archive=_archive(tmp_path))
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 900}, timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    try:
        sign_in(page, live_server)
        context.clear_cookies()  # a first visit: no time-zone cookie yet, the browser relabels
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/submissions/{sid}")
        first = page.locator("time.local").first.text_content()
        page.reload()  # now the server renders it in the cookie's zone
        second = page.locator("time.local").first.text_content()
        assert first == second and first is not None and first.endswith("UTC+9")
    finally:
        context.close()


@pytest.mark.docker
def test_the_report_refreshes_itself_after_a_regrade(live_server: LiveServer, wide: Page) -> None:
    real = grade_baseline_for_real()
    sid = live_server.add_graded(
        Report.model_validate(real["report"]), archive=real["archive"], name="Reg Regrade"
    )
    sign_in(wide, live_server)
    wide.goto(f"{live_server.url}/submissions/{sid}")
    rows = wide.locator("section:has(h2:text('Reports')) tbody tr")
    expect(rows).to_have_count(1)
    wide.get_by_role("button", name="Regrade").click()
    wide.wait_for_url(re.compile(rf"/submissions/{sid}$"))
    expect(wide.get_by_test_id("live-refresh")).to_be_visible()
    _shot(wide, "report-regrade-running")
    # No reload by the test: the page polls and shows the new report itself.
    expect(rows).to_have_count(2, timeout=240_000)
    expect(wide.get_by_test_id("live-refresh")).to_be_hidden()
    expect(rows.first).to_contain_text("current")
    _shot(wide, "report-regrade-finished")


def test_a_graded_upload_with_a_failed_stage_is_not_shown_as_a_success(
    live_server: LiveServer, wide: Page, tmp_path: Path
) -> None:
    report = make_report()  # its tests stage failed
    sid = live_server.add_graded(report, name="Fay Failed", archive=_archive(tmp_path))
    from harness.invitations.models import Invitation
    from harness.submissions.models import Submission

    with live_server.db.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None
        inv = s.get(Invitation, sub.invitation_id)
        assert inv is not None
        inv_id = inv.id
    token = live_server.reissue(inv_id)
    wide.goto(f"{live_server.url}/c/{token}/submissions/{sid}")
    status = wide.get_by_test_id("status")
    expect(status).to_have_text("graded: a stage failed")
    assert "s-incomplete" in (status.get_attribute("class") or "")
    expect(wide.get_by_test_id("problems")).to_contain_text("Your tests failed")
    _fits(wide, "candidate-status-stage-failed")


def test_inviting_under_anonymous_review_names_the_candidate_and_reissues_the_link(
    live_server: LiveServer, wide: Page
) -> None:
    sign_in(wide, live_server)
    wide.goto(f"{live_server.url}/invitations")
    form = wide.locator("#invite-form")
    form.locator("input[name=name]").fill("Ines Invited")
    form.locator("input[name=email]").fill("ines@example.com")
    form.get_by_role("button").last.click()
    created = wide.get_by_test_id("invite-created")
    expect(created).to_be_visible()
    expect(wide.get_by_test_id("invited-name")).to_have_text("Ines Invited")
    inv_id = int(re.search(r"Invitation #(\d+)", created.inner_text()).group(1))  # type: ignore[union-attr]
    expect(created).to_contain_text(f"reviewers see Candidate #{inv_id}")
    first = wide.get_by_test_id("candidate-link").input_value()
    _fits(wide, "invite-confirmation")
    created.get_by_role("link", name="Issue a new link").click()
    wide.get_by_test_id("reissue-link").click()
    expect(wide.get_by_test_id("new-link")).to_contain_text(f"Candidate #{inv_id}")
    second = wide.get_by_test_id("candidate-link").input_value()
    assert second != first and second.startswith(f"{live_server.url}/c/")
    assert wide.request.get(first).status == 404  # the old link opens nothing
    assert wide.request.get(second).status == 200


def test_anonymity_labels_agree_on_every_page(
    live_server: LiveServer, wide: Page, tmp_path: Path
) -> None:
    from harness.accounts.repository import ReviewerRepository
    from harness.submissions.models import Submission
    from harness.submissions.service import record_decision
    from tests.browser.fixtures import REVIEWER

    decided = live_server.add_graded(make_report(), name="Noor Named", archive=_archive(tmp_path))
    waiting = live_server.add_graded(make_report(), name="Anon Still", archive=_archive(tmp_path))
    with live_server.db.session(write=True) as s:
        rev = ReviewerRepository(s).by_email(REVIEWER)
        assert rev is not None
        record_decision(s, decided, rev, "hold", "anonymity check")
        sub = s.get(Submission, waiting)
        assert sub is not None
        anon_label = f"Candidate #{sub.invitation_id}"
    sign_in(wide, live_server)
    for name, path in {
        "dashboard": "/",
        "submissions": "/submissions",
        "invitations": "/invitations",
        "review-queue": "/review",
    }.items():
        wide.goto(f"{live_server.url}{path}")
        text = wide.locator("main").inner_text()
        assert "Anon Still" not in text, f"{path} names a candidate under anonymous review"
        if path != "/review":  # the queue lists only reviews still open
            assert anon_label in text and "Noor Named" in text, path
        _fits(wide, f"anonymity-{name}")
    wide.goto(f"{live_server.url}/submissions/{waiting}")
    expect(wide.locator("h1").first).to_contain_text(anon_label)
    wide.goto(f"{live_server.url}/submissions/{decided}")
    expect(wide.locator("h1").first).to_contain_text("Noor Named")
