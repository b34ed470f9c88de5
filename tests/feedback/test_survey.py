"""The one-minute survey: opens after an upload, refuses bad answers field by field (saving
nothing), replaces on a second answer, and is summarised per assignment, erased candidates'
numbers included and their comments not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from harness.feedback.models import SurveyResponse
from harness.retention.service import erase_on_request
from tests.api.fixtures import csrf_from
from tests.ledger.web import Clocked, clocked_fixture  # noqa: F401


def _answers(t: Clocked) -> int:
    with t.db.session() as s:
        return s.scalar(select(func.count()).select_from(SurveyResponse)) or 0


def _post(t: Clocked, token: str, **form: str) -> tuple[int, str]:
    page = t.client.get(f"/c/{token}")  # the task page always has a form with the token
    r = t.client.post(f"/c/{token}/survey", data={**form, "csrf_token": csrf_from(page.text)})
    return r.status_code, r.text


def _uploaded(t: Clocked, name: str, email: str) -> str:
    token = t.invite(name=name, email=email)["token"]
    t.start(token)
    t.clock.advance(timedelta(hours=1))
    assert t.upload(token).status_code == 202
    return str(token)


GOOD = {"hours": "4.5", "clarity": "4", "fairness": "5", "comment": "fair task"}


def test_the_survey_opens_after_the_first_upload(clocked: Clocked) -> None:
    t = clocked
    token = t.invite(name="Ada", email="ada@example.com")["token"]
    assert 'data-testid="survey-closed"' in t.client.get(f"/c/{token}/survey").text
    assert 'data-testid="survey-link"' not in t.client.get(f"/c/{token}").text
    status, text = _post(t, token, **GOOD)
    assert status == 409 and "after your first upload" in text and _answers(t) == 0
    t.start(token)
    t.upload(token)
    assert 'data-testid="survey-link"' in t.client.get(f"/c/{token}").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "abc", "as a number"),
        ("hours", "0", "more than 0"),
        ("hours", "100.5", "at most 100"),
        ("hours", "NaN", "more than 0"),
        ("clarity", "6", "clarity of the task from 1 to 5"),
        ("clarity", "", "clarity of the task from 1 to 5"),
        ("fairness", "x", "fairness of the task from 1 to 5"),
        ("comment", "y" * 2001, "at most 2000 characters"),
    ],
)
def test_bad_answers_are_refused_field_by_field(
    clocked: Clocked, field: str, value: str, message: str
) -> None:
    t = clocked
    token = _uploaded(t, "Ada", "ada@example.com")
    status, text = _post(t, token, **{**GOOD, field: value})
    assert status == 422 and message in text, text[-500:]
    assert 'data-testid="survey-error"' in text and _answers(t) == 0
    if field == "hours":
        assert f'value="{value}"' in text  # what was typed comes back


def test_answers_are_saved_replaced_and_need_the_csrf_token(clocked: Clocked) -> None:
    t = clocked
    token = _uploaded(t, "Ada", "ada@example.com")
    forged = t.client.post(f"/c/{token}/survey", data=GOOD)
    assert forged.status_code == 403 and _answers(t) == 0
    assert _post(t, token, **GOOD)[0] == 303
    assert 'data-testid="survey-saved"' in t.client.get(f"/c/{token}/survey?saved=1").text
    assert _post(t, token, **{**GOOD, "hours": "6", "comment": ""})[0] == 303
    with t.db.session() as s:
        [row] = s.scalars(select(SurveyResponse)).all()
        assert (str(row.hours_spent), row.comment) == ("6.00", "")
    assert 'value="6.00"' in t.client.get(f"/c/{token}/survey").text


def test_the_summary_per_assignment_keeps_erased_candidates_numbers(clocked: Clocked) -> None:
    t = clocked
    answers = [("Ada", "2", "5", "5", "clear"), ("Bob", "4", "4", "5", ""), ("Cy", "9", "3", "1", "too long")]
    for name, hours, clarity, fairness, comment in answers:
        token = _uploaded(t, name, f"{name.lower()}@example.com")
        assert _post(t, token, hours=hours, clarity=clarity, fairness=fairness, comment=comment)[0] == 303
    [before] = [s for s in t.client.get("/api/surveys", headers=t.auth()).json()
                if s["assignment"] == "support-tickets"]
    assert before["responses"] == 3 and before["median_hours"] == 4.0
    assert before["mean_clarity"] == 4.0 and before["mean_fairness"] == 3.67
    assert before["clarity_counts"] == [0, 0, 1, 1, 1] and before["fairness_counts"] == [1, 0, 0, 0, 2]
    assert sorted(before["comments"]) == ["clear", "too long"] and before["time_box_hours"] == "4"
    with t.db.session(write=True) as s:  # Cy's upload was never graded; pretend it was
        from harness.submissions.models import Submission

        for sub in s.scalars(select(Submission)):
            sub.status = "graded"
        from harness.payments.models import PaymentRecord

        for p in s.scalars(select(PaymentRecord)):
            p.status = "paid"
    erase_on_request(t.db, t.settings, "cy@example.com", actor="test", now=t.clock.now())
    [after] = [s for s in t.client.get("/api/surveys", headers=t.auth()).json()
               if s["assignment"] == "support-tickets"]
    assert after["responses"] == 3 and after["erased"] == 1
    assert {k: after[k] for k in ("median_hours", "mean_clarity", "mean_fairness", "clarity_counts")} == {
        k: before[k] for k in ("median_hours", "mean_clarity", "mean_fairness", "clarity_counts")
    }
    assert after["comments"] == ["clear"]
    page = t.fresh_client()
    from tests.api.fixtures import login

    login(page, "rev@example.com")
    html = page.get("/surveys").text
    assert "too long" not in html and "(1 erased)" in html
