"""The paid time box and its ledger, as pure functions over plain values.

- ``clock``: the injected clock, UTC checks, display in a viewer's time zone.
- ``timebox``: window to start, clock start, deadline, grace, extensions, lateness, countdown.
- ``money``: exact amounts with a currency.
- ``pay``: hours billed, amounts owed, the single payment of an invitation and its statuses.
- ``export``: payroll rows, totals per month and assignment, spreadsheet-safe CSV.
- ``process``: per-candidate timelines, team medians, candidates at risk of a slow decision.

Nothing here touches the database or the web: the services that do (phase 2) load rows, call
these functions and store what they return.
"""
