"""Properties of the ledger over many generated cases (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.ledger.errors import InvalidExtension
from harness.ledger.money import Money, sum_money
from harness.ledger.pay import PayKind, PayTerms, amount_owed, hours_worked
from harness.ledger.timebox import (
    MAX_TOTAL_EXTENSION_MINUTES,
    OnTime,
    Phase,
    TimeBoxTerms,
    countdown,
    grant_extension,
    invite,
    start_clock,
    submission_timing,
)

instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
terms_st = st.builds(
    TimeBoxTerms,
    time_box_hours=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(40), places=2),
    grace=st.integers(0, 24 * 60).map(lambda m: timedelta(minutes=m)),
    start_window=st.integers(1, 90).map(lambda d: timedelta(days=d)),
)
rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2)
hours_st = st.decimals(min_value=Decimal(0), max_value=Decimal(200), places=2)


@settings(max_examples=300, deadline=None)
@given(
    invited=instants,
    terms=terms_st,
    start_fraction=st.floats(0, 1),
    extension_minutes=st.lists(st.integers(1, 14 * 24 * 60), max_size=3),
    probe=st.timedeltas(timedelta(0), timedelta(days=120)),
)
def test_deadline_never_passes_the_window_end_plus_extension(
    invited: datetime,
    terms: TimeBoxTerms,
    start_fraction: float,
    extension_minutes: list[int],
    probe: timedelta,
) -> None:
    state = invite(invited, terms)
    started_at = invited + terms.start_window * start_fraction
    state = start_clock(state, started_at)
    granted = 0
    for minutes in extension_minutes:
        if granted + minutes > MAX_TOTAL_EXTENSION_MINUTES:
            # All grants together are capped: the one that would pass the cap is refused.
            with pytest.raises(InvalidExtension, match="at most"):
                grant_extension(state, minutes, "generated")
            continue
        state = grant_extension(state, minutes, "generated")
        granted += minutes
    assert state.total_extension <= timedelta(minutes=MAX_TOTAL_EXTENSION_MINUTES)
    due = state.deadline
    assert due is not None
    assert due <= state.effective_window_end + state.extension
    assert due <= started_at + terms.time_box + terms.grace + state.extension
    assert due >= started_at
    assert state.work_ends_at is not None and state.work_ends_at <= due
    # Countdown and submission timing agree at every instant.
    now = invited + probe
    on_time = isinstance(submission_timing(now, state), OnTime)
    assert on_time == (now <= due)
    phase = countdown(now, state).phase
    assert (phase in (Phase.running, Phase.in_grace)) == on_time


@settings(max_examples=300, deadline=None)
@given(
    rate=rates,
    cap=st.decimals(min_value=Decimal("0.25"), max_value=Decimal(40), places=2),
    hours=hours_st,
    more=hours_st,
)
def test_amount_owed_never_exceeds_rate_times_cap(
    rate: Decimal, cap: Decimal, hours: Decimal, more: Decimal
) -> None:
    terms = PayTerms(kind=PayKind.hourly, currency="USD", hourly_rate=rate, cap_hours=cap)
    owed = amount_owed(terms, hours)
    assert Money.zero("USD") <= owed <= terms.maximum
    assert owed <= amount_owed(terms, hours + more)  # more hours never pay less
    assert owed.amount == owed.amount.quantize(Decimal("0.01"))


@settings(max_examples=200, deadline=None)
@given(
    start=instants,
    elapsed=st.timedeltas(timedelta(hours=-1), timedelta(days=3)),
    box_hours=st.integers(1, 40),
)
def test_hours_worked_stay_within_the_time_box(
    start: datetime, elapsed: timedelta, box_hours: int
) -> None:
    hours = hours_worked(start, start + elapsed, timedelta(hours=box_hours))
    assert Decimal(0) <= hours <= box_hours
    assert hours == hours.quantize(Decimal("0.01"))


@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal(-(10**6)), max_value=Decimal(10**6), places=2), max_size=20
    )
)
def test_sums_of_money_are_exact(amounts: list[Decimal]) -> None:
    total = sum_money((Money(a, "EUR") for a in amounts), "EUR")
    assert total.amount == sum(amounts, Decimal(0))
