"""The rules of the paid time box and its ledger, as pure functions over plain values.

No database, no web, no clock reading: every function takes ``now`` (or a ``Clock``), and this
package imports nothing of harness but ``harness.errors``, so any package may use it.

- ``clock``: the injected clock, UTC checks, display in a viewer's time zone.
- ``money``: exact amounts with a currency.
- ``timebox``: the terms (with ``LatePolicy`` and ``ClockStart``), window to start, clock start,
  deadline, grace, extensions, lateness, countdown.
- ``pay``: the pay terms (their one shape), hours billed, amounts owed, the single payment of an
  invitation and its statuses.
- ``export``: payroll rows, totals per month and assignment, spreadsheet-safe CSV.
- ``process``: per-candidate timelines, team medians, candidates at risk of a slow decision.
- ``errors``: what the rules refuse, each with its HTTP status.

The services that load rows, apply these rules and store what they return sit above:
``harness.invitations.terms`` (an invitation's columns as these values), ``harness.timeboxes``,
``harness.payments``, ``harness.process_speed`` and ``harness.sweep``.
"""
