"""Plain-text notification bodies: pure functions of their inputs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from harness.notify.messages import (
    Notification,
    NotificationKind,
    deadline_approaching,
    format_duration,
    invitation_sent,
    review_waiting,
    submission_received,
)
from tests.ledger.factories import at

LINK = "https://harness.example.org/c/abc123"


def test_invitation_names_the_link_the_box_and_the_start_by_date() -> None:
    note = invitation_sent(
        invitation_id=12,
        candidate_name="Ada  Lovelace",
        candidate_email="ada@example.org",
        assignment_title="Support tickets",
        link=LINK,
        time_box_hours=Decimal("4.50"),
        window_ends_at=at(2026, 3, 9, 9),
        pay="USD 75.00 per hour, at most 4.5 hours",
    )
    assert note.kind == NotificationKind.invitation_sent
    assert note.to == ("ada@example.org",)
    assert note.key == "invitation-sent:12"
    assert note.subject == "Your take-home assignment: Support tickets"
    assert note.body.startswith("Hello Ada Lovelace,\n")
    assert "time-boxed to 4.5 hours" in note.body
    assert "Please start by 2026-03-09 09:00 UTC." in note.body
    assert "USD 75.00 per hour" in note.body
    assert f"\n{LINK}\n" in note.body


def test_times_are_shown_in_the_recipients_zone_when_known() -> None:
    note = invitation_sent(
        invitation_id=1,
        candidate_name="A",
        candidate_email="a@example.org",
        assignment_title="T",
        link=LINK,
        time_box_hours=Decimal(1),
        window_ends_at=at(2026, 3, 9, 9),
        tz_name="Europe/Berlin",
    )
    assert "Please start by 2026-03-09 10:00 CET (UTC+01:00)." in note.body
    assert "time-boxed to 1 hour." in note.body


def test_deadline_reminder_says_how_long_is_left_and_what_happens_after() -> None:
    deadline = at(2026, 3, 3, 15, 15)
    note = deadline_approaching(
        invitation_id=12,
        candidate_name="Ada",
        candidate_email="ada@example.org",
        assignment_title="Support tickets",
        deadline=deadline,
        now=deadline - timedelta(minutes=58, seconds=30),
        late_accepted=True,
    )
    assert note.subject == "58 min left: Support tickets"
    assert "ends in 58 min, at 2026-03-03 15:15 UTC" in note.body
    assert "still accepted but marked late" in note.body
    assert note.key == "deadline-approaching:12:2026-03-03T15:15:00+00:00"
    refused = deadline_approaching(
        invitation_id=12,
        candidate_name="Ada",
        candidate_email="ada@example.org",
        assignment_title="T",
        deadline=deadline,
        now=deadline,
        late_accepted=False,
    )
    assert "Uploads after it are not accepted." in refused.body


def test_submission_receipt_mentions_lateness() -> None:
    note = submission_received(
        submission_id=40,
        candidate_name="Ada",
        candidate_email="ada@example.org",
        assignment_title="Support tickets",
        received_at=at(2026, 3, 3, 15, 20),
        version=2,
        late_by=timedelta(minutes=5),
        status_link=LINK + "/status",
    )
    assert note.key == "submission-received:40"
    assert note.subject == "Submission received: Support tickets (version 2)"
    assert "version 2 of your submission for Support tickets at 2026-03-03 15:20 UTC" in note.body
    assert "arrived 5 min after the deadline and is marked late" in note.body
    assert LINK + "/status" in note.body
    on_time = submission_received(
        submission_id=41,
        candidate_name="Ada",
        candidate_email="ada@example.org",
        assignment_title="T",
        received_at=at(2026, 3, 3),
        version=1,
    )
    assert "late" not in on_time.body


def test_review_alert_goes_to_reviewers_with_the_anonymous_label() -> None:
    note = review_waiting(
        submission_id=40,
        assignment_title="Support tickets",
        candidate_label="Candidate #12",
        waiting_since=at(2026, 3, 3),
        now=at(2026, 3, 6, 2),
        reviewers=["r1@example.org", "r2@example.org"],
        report_link="https://harness.example.org/submissions/40",
    )
    assert note.to == ("r1@example.org", "r2@example.org")
    assert note.subject == "Waiting 3 days 2 h for review: Candidate #12"
    assert "Candidate #12 for Support tickets has waited 3 days 2 h" in note.body
    assert note.key == "review-waiting:40"


def test_header_injection_is_impossible() -> None:
    note = submission_received(
        submission_id=1,
        candidate_name="x",
        candidate_email="a@example.org",
        assignment_title="Tickets\r\nBcc: victim@example.org",
        received_at=at(2026, 3, 3),
        version=1,
    )
    assert "\n" not in note.subject and "\r" not in note.subject
    for bad in ["a@example.org\r\nBcc: b@example.org", "Ada <a@example.org>", "no-at-sign", ""]:
        with pytest.raises(ValueError, match="plain e-mail address"):
            Notification(NotificationKind.invitation_sent, (bad,), "s", "b", "k")
    with pytest.raises(ValueError, match="at least one recipient"):
        Notification(NotificationKind.review_waiting, (), "s", "b", "k")
    long = Notification(NotificationKind.invitation_sent, ("a@example.org",), "x" * 500, "b", "k")
    assert len(long.subject) == 200


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=59), "0 min"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=2, minutes=5), "2 h 05 min"),
        (timedelta(days=1, hours=3, minutes=59), "1 day 3 h"),
        (timedelta(days=3), "3 days 0 h"),
        (timedelta(seconds=-5), "0 min"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text
