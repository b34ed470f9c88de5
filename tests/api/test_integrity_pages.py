"""Integrity on the reviewer pages: the report's section, the side-by-side match page, resolutions,
the similarity API; and the AI policy on the candidate page."""

from __future__ import annotations

import re

from sqlalchemy import select

from graders.types import GraderResult, GraderStatus
from harness.accounts.repository import ReviewerRepository
from harness.accounts.service import create_token
from harness.assignments.loader import load_assignment
from harness.audit.models import AuditEvent
from harness.db.base import utcnow
from harness.evaluation.canaries import CanaryCheck, CanaryExample, CanaryKind
from harness.evaluation.model_dependence import Dependence, ModelDependence
from harness.integrity.review import resolve_match
from harness.reports.schema import Integrity
from harness.review.repository import ReviewRepository
from harness.review.seats import open_review
from harness.review.service import declare_conflict
from harness.submissions.models import Submission, SubmissionStatus
from tests.api.fixtures import Env, csrf_from, login
from tests.db.factories import make_invitation, make_report, make_reviewer, make_submission
from tests.integrity.helpers import check, solution


def _pair(env: Env) -> tuple[int, int, int]:
    """An original and a later renamed copy by another candidate, both checked; the match id."""
    assignment = load_assignment("support-tickets", env.settings)
    ids = []
    with env.db.session(write=True) as s:
        for name, files in (("Ada Lovelace", "independent/lr_pipeline"), ("Bob Byron", "copies/renamed_pipeline")):
            inv, _ = make_invitation(s, name=name, email=f"{name.split()[0].lower()}@example.com")
            sub = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, files=solution(files),
                                  report=make_report(), filename=f"{name.split()[0].lower()}.zip")
            check(s, env.settings, assignment, sub)
            ids.append(sub.id)
    r = env.client.get(f"/api/submissions/{ids[1]}/similarity", headers=env.auth())
    assert r.status_code == 200, r.text
    return ids[0], ids[1], r.json()["matches"][0]["id"]


def test_both_reports_show_the_match_and_link_to_the_side_by_side_page(env: Env) -> None:
    first, second, match = _pair(env)
    login(env.client, env.reviewer_email)
    later = env.client.get(f"/submissions/{second}").text
    assert 'data-testid="integrity"' in later and 'data-testid="similarity-matches"' in later
    assert "an earlier submission by" in later and f'href="/submissions/{first}"' in later
    assert f'href="/submissions/{second}/similarity/{match}"' in later
    assert "Ada Lovelace" not in later  # the other candidate stays anonymous
    earlier = env.client.get(f"/submissions/{first}").text
    assert "a later submission by" in earlier and f'href="/submissions/{first}/similarity/{match}"' in earlier
    assert "Bob Byron" not in earlier


def test_the_match_page_shows_highlighted_fragments_side_by_side(env: Env) -> None:
    first, second, match = _pair(env)
    login(env.client, env.reviewer_email)
    page = env.client.get(f"/submissions/{second}/similarity/{match}")
    assert page.status_code == 200
    html = page.text
    assert html.count('class="side-by-side"') >= 1 and html.count('class="matched"') >= 10
    assert "this submission: model_def.py" in html and "pipeline.py" in html
    assert "Candidate #" in html and "ada.zip" not in html and "Ada Lovelace" not in html
    assert 'data-testid="flagged"' in html
    from_the_original = env.client.get(f"/submissions/{first}/similarity/{match}").text
    assert "this submission: pipeline.py" in from_the_original and "A later submission" in from_the_original
    assert env.client.get(f"/submissions/{second + 50}/similarity/{match}").status_code == 404


def test_a_resolution_is_recorded_shown_and_audited(env: Env) -> None:
    _, second, match = _pair(env)
    login(env.client, env.reviewer_email)
    url = f"/submissions/{second}/similarity/{match}"
    csrf = csrf_from(env.client.get(url).text)
    bad = env.client.post(f"{url}/resolve", data={"csrf_token": csrf, "resolution": "maybe", "note": ""})
    assert bad.status_code == 422 and "explained, copied, false_alarm" in bad.text
    forged = env.client.post(f"{url}/resolve", data={"csrf_token": "forged", "resolution": "copied"})
    assert forged.status_code == 403
    done = env.client.post(f"{url}/resolve", data={"csrf_token": csrf, "resolution": "explained",
                                                    "note": "Pair-programmed in a bootcamp; both said so."})
    assert done.status_code == 303 and done.headers["location"] == url
    html = env.client.get(url).text
    resolution = re.search(r'data-testid="resolution">(.*?)</p>', html, re.S)
    assert resolution and "explained" in resolution.group(1) and env.reviewer_email in resolution.group(1)
    assert "Pair-programmed in a bootcamp" in resolution.group(1)
    with env.db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "similarity.resolve")).one()
        assert event.object_id == match and event.actor_label == env.reviewer_email
    api = env.client.get(f"/api/submissions/{second}/similarity", headers=env.auth()).json()
    assert api["matches"][0]["resolution"] == "explained" and api["matches"][0]["direction"] == "earlier"
    assert api["matches"][0]["fragments"] and api["checked"] is True


def test_a_report_without_a_check_says_so_and_the_api_answers_404_for_nothing(env: Env) -> None:
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Cy Old", email="cy@example.com")
        sid = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, report=make_report()).id
    login(env.client, env.reviewer_email)
    assert 'data-testid="similarity-unchecked"' in env.client.get(f"/submissions/{sid}").text
    assert env.client.get(f"/api/submissions/{sid}/similarity", headers=env.auth()).json()["checked"] is False
    assert env.client.get(f"/api/submissions/{sid + 99}/similarity", headers=env.auth()).status_code == 404


def test_canaries_model_dependence_and_the_ai_policy_on_the_report(env: Env) -> None:
    report = make_report()
    report.integrity = Integrity(
        ai_policy="allowed_with_disclosure",
        canaries=CanaryCheck(exact=30, exact_disagree=4, changed=30, changed_disagree=3,
                             by_kind={"exact": [30, 4], "whitespace": [15, 0], "case": [15, 3]},
                             examples=[CanaryExample(canary_id="T-111111", source_id="T-222222",
                                                     kind=CanaryKind.exact, source_prediction="billing",
                                                     canary_prediction="refund")]),
        model_dependence=ModelDependence(result=Dependence.independent, evidence="same labels for all 2860 tickets",
                                         compared=2860, identical=2860, cost_s=1.4))
    writeup = report.grader("writeup")
    if writeup is None:
        writeup = GraderResult(name="writeup", version="2.1.0", status=GraderStatus.ok, score=50)
        report.graders.append(writeup)
    writeup.metrics["ai_disclosure"] = "none"
    with env.db.session(write=True) as s:
        inv, _ = make_invitation(s, name="Dee Signals", email="dee@example.com")
        sid = make_submission(s, env.settings, inv, status=SubmissionStatus.graded, report=report).id
    login(env.client, env.reviewer_email)
    html = env.client.get(f"/submissions/{sid}").text
    canaries = re.search(r'data-testid="canaries">(.*?)</dd>', html, re.S)
    assert canaries and "30 exact duplicates" in canaries.group(1) and "<b>4</b> predicted differently" in canaries.group(1)
    assert "90% predicted like their source" in canaries.group(1) and "T-111111" in canaries.group(1)
    dependence = re.search(r'data-testid="model-dependence">(.*?)</dd>', html, re.S)
    assert dependence and "does not depend on the trained model" in dependence.group(1)
    assert "one extra predict run, 1.4 s" in dependence.group(1)
    policy = re.search(r'data-testid="ai-policy">(.*?)</dd>', html, re.S)
    assert policy and "are allowed for this assignment, if your writeup says" in policy.group(1)
    assert "says nothing about AI use" in policy.group(1)


def test_the_candidate_page_states_the_ai_policy(env: Env) -> None:
    r = env.client.post("/api/invitations", headers=env.auth(),
                        json={"assignment": "support-tickets", "name": "Eli Candidate", "email": "eli@example.com"})
    page = env.client.get(f"/c/{r.json()['token']}").text
    policy = re.search(r'data-testid="ai-policy">(.*?)</section>', page, re.S)
    assert policy and "AI assistants" in policy.group(1) and "if your writeup says which you used" in policy.group(1)
    with env.db.session() as s:
        assert s.scalars(select(Submission)).first() is None


SCORED_TOML = """
[review]
scorecards = 2
[[review.criteria]]
key = "framing"
name = "Problem framing"
judges = "Whether the problem was understood."
weight = 1
levels = ["No framing.", "Loose framing.", "Good framing.", "Sharp framing."]
"""


def _seats_on_the_copy(env: Env) -> tuple[int, int, int, dict[str, str]]:
    """``_pair``, with the copy's review open and its two seats held by a@ and b@ (the env's
    reviewer and admin declared a conflict with its candidate); API tokens by reviewer."""
    toml = env.settings.assignments_dir / "support_tickets" / "assignment.toml"  # type: ignore[operator]
    toml.write_text(toml.read_text() + SCORED_TOML)
    first, second, match = _pair(env)
    with env.db.session(write=True) as s:
        tokens = {e: create_token(s, make_reviewer(s, e)) for e in ("a@example.com", "b@example.com")}
        for email in (env.reviewer_email, env.admin_email):
            declare_conflict(s, env.settings, ReviewerRepository(s).by_email(email),  # type: ignore[arg-type]
                             email="bob@example.com", reason="", now=utcnow())
        assert open_review(s, env.settings, second, now=utcnow()) is not None
        seated = {c.reviewer.email for c in ReviewRepository(s).seats(second)}
        assert seated == {"a@example.com", "b@example.com"}
    return first, second, match, tokens


def _match_of(env: Env, sid: int, token: str) -> dict[str, object]:
    r = env.client.get(f"/api/submissions/{sid}/similarity", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()["matches"][0]  # type: ignore[no-any-return]


def test_another_reviewers_resolution_stays_hidden_while_your_scorecard_is_open(env: Env) -> None:
    first, second, match, tokens = _seats_on_the_copy(env)
    with env.db.session(write=True) as s:
        rev = ReviewerRepository(s).by_email(env.reviewer_email)
        resolve_match(s, second, match, actor=rev, resolution="copied",  # type: ignore[arg-type]
                      note="Same odd bug in both.", now=utcnow())
    # A seat holder on the copy sees neither the resolution nor its note, from either side.
    for sid in (second, first):
        seen = _match_of(env, sid, tokens["a@example.com"])
        assert seen["resolution"] is None and seen["resolution_note"] == "" and seen["resolved_by"] is None
        assert seen["resolution_hidden"] is True
    login(env.client, "a@example.com")
    for url in (f"/submissions/{second}", f"/submissions/{second}/similarity/{match}"):
        html = env.client.get(url).text
        assert 'data-testid="resolution-hidden"' in html and "Same odd bug" not in html
        assert "res-copied" not in html
    # Near misses: a reviewer without a seat sees it; so does a@ once their scorecard is in.
    outsider = _match_of(env, second, env.token)
    assert outsider["resolution"] == "copied" and outsider["resolution_hidden"] is False
    done = env.client.post(f"/api/submissions/{second}/scorecard", headers={"Authorization": f"Bearer {tokens['a@example.com']}"},
                           json={"ratings": {"framing": 2}, "recommendation": "hold", "comments": ""})
    assert done.status_code == 200, done.text
    after = _match_of(env, second, tokens["a@example.com"])
    assert after["resolution"] == "copied" and after["resolution_note"] == "Same odd bug in both."


def test_your_own_resolution_shows_while_your_scorecard_is_open(env: Env) -> None:
    _, second, match, tokens = _seats_on_the_copy(env)
    with env.db.session(write=True) as s:
        b = ReviewerRepository(s).by_email("b@example.com")
        resolve_match(s, second, match, actor=b, resolution="false_alarm",  # type: ignore[arg-type]
                      note="Both follow the kit's README.", now=utcnow())
    own = _match_of(env, second, tokens["b@example.com"])
    assert own["resolution"] == "false_alarm" and own["resolution_hidden"] is False
    assert own["resolved_by"] == "b@example.com"
    hidden = _match_of(env, second, tokens["a@example.com"])
    assert hidden["resolution"] is None and hidden["resolution_hidden"] is True
