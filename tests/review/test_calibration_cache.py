"""The calibration page's figures are computed once and refreshed in the background: a page view
with new scorecards shows the figures it has, says newer ones are coming, and the next view has
them; the API always answers with current figures; start-up computes them before anyone asks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from harness.accounts.repository import ReviewerRepository
from harness.db.engine import Database
from harness.review import calibration, service
from harness.review.agreement import MachineGap, gap_counts
from harness.review.seats import open_review
from harness.settings import Settings
from tests.review.factories import graded, levels, reviewers, spec_of

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ASSIGNMENT = "support-tickets"


@pytest.fixture(autouse=True)
def _no_recheck_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every view checks the inputs (the page waits 5 s between checks)."""
    monkeypatch.setattr(calibration, "_RECHECK_S", 0.0)
    calibration._cache.clear()


def _settled_review(db: Database, settings: Settings, n: int, level: int) -> int:
    """A submission whose two reviewers agreed (both at ``level``): a settled review."""
    with db.session(write=True) as s:
        sub = graded(s, settings, n, score=40.0 + 10 * n)
        open_review(s, settings, sub.id, now=NOW)
        sid = sub.id
    for email in ("r0-reviewer@example.com", "r1-reviewer@example.com"):
        with db.session(write=True) as s:
            who = ReviewerRepository(s).by_email(email)
            assert who is not None
            service.submit_scorecard(
                s,
                settings,
                sid,
                who,
                ratings=levels(spec_of(settings), level),
                recommendation="advance",
                comments="",
                now=NOW,
            )
    return sid


def _page(db: Database, settings: Settings) -> calibration.CalibrationPage:
    with db.session() as s:
        return calibration.calibration_page(s, settings, ASSIGNMENT, None, db=db)


def _wait_for_refresh() -> None:
    for thread in list(calibration.threading.enumerate()):
        if thread.name.startswith("calibration-"):
            thread.join(timeout=60)


def test_new_scorecards_show_on_the_next_view_without_computing_on_this_one(
    db: Database, settings: Settings
) -> None:
    with db.session(write=True) as s:
        reviewers(s, 2)
    _settled_review(db, settings, 1, 3)
    first = _page(db, settings)
    assert first.figures is not None and first.figures.out.submissions == 1
    assert first.updating is False

    _settled_review(db, settings, 2, 4)
    stale = _page(db, settings)
    assert stale.updating is True
    assert stale.figures is first.figures  # shown at once, not recomputed on this view
    _wait_for_refresh()
    fresh = _page(db, settings)
    assert fresh.updating is False and fresh.figures is not None
    assert fresh.figures.out.submissions == 2 and fresh.figures.out.scorecards == 4
    assert fresh.figures.computed_at >= first.figures.computed_at


def test_the_api_answers_with_current_figures(db: Database, settings: Settings) -> None:
    with db.session(write=True) as s:
        reviewers(s, 2)
    _settled_review(db, settings, 1, 3)
    with db.session() as s:
        assert calibration.agreement(s, settings, ASSIGNMENT).submissions == 1
    _settled_review(db, settings, 2, 4)
    with db.session() as s:
        assert calibration.agreement(s, settings, ASSIGNMENT).submissions == 2


def test_warm_up_computes_the_figures_before_the_first_view(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session(write=True) as s:
        reviewers(s, 2)
    _settled_review(db, settings, 1, 3)
    for thread in calibration.warm_up(db, settings):
        thread.join(timeout=60)

    def no_computing(*_: object) -> calibration.Calibration:
        raise AssertionError("the view computed figures the warm-up had computed")

    monkeypatch.setattr(calibration, "_compute", no_computing)
    page = _page(db, settings)
    assert page.figures is not None and page.figures.out.scorecards == 2


def test_a_failed_refresh_is_logged_and_the_old_figures_stay(
    db: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with db.session(write=True) as s:
        reviewers(s, 2)
    _settled_review(db, settings, 1, 3)
    first = _page(db, settings)

    def broken(*_: object) -> calibration.Calibration:
        raise RuntimeError("disk full")

    monkeypatch.setattr(calibration, "_compute", broken)
    _settled_review(db, settings, 2, 4)
    with caplog.at_level(logging.ERROR, logger=calibration.__name__):
        assert _page(db, settings).figures is first.figures
        _wait_for_refresh()
    assert "could not be computed" in caplog.text and "disk full" in caplog.text
    again = _page(db, settings)
    assert again.figures is first.figures and again.updating is True


def test_gap_counts_bin_people_against_the_machine() -> None:
    pairs = [
        MachineGap(1, 0.0, 0.0),
        MachineGap(2, 100.0, 100.0),  # 100 falls in the last bin
        MachineGap(3, 55.0, 12.0),
        MachineGap(4, 59.9, 19.9),
    ]
    counts = gap_counts(pairs, 10)
    assert counts[0][0] == 1 and counts[9][9] == 1 and counts[5][1] == 2
    assert sum(map(sum, counts)) == 4
