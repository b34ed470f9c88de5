"""The paid time box and its ledger.

Pure rules over plain values (no database, no web; every function takes ``now``):

- ``clock``: the injected clock, UTC checks, display in a viewer's time zone.
- ``timebox``: window to start, clock start, deadline, grace, extensions, lateness, countdown.
- ``money``: exact amounts with a currency.
- ``pay``: hours billed, amounts owed, the single payment of an invitation and its statuses.
- ``export``: payroll rows, totals per month and assignment, spreadsheet-safe CSV.
- ``process``: per-candidate timelines, team medians, candidates at risk of a slow decision.

The services that load rows, call those rules and store what they return:

- ``models``: the ``payments`` and ``time_extensions`` tables (plus columns on invitations).
- ``service``: an invitation's time box (``state_of``), ``start``, ``extend``, upload timing.
- ``payments``: amounts recorded on upload and by the no-submission policy, approve, paid,
  listing and payroll rows.
- ``timelines``: milestones from the rows, the team's medians, who is heading past the target.
- ``notices``: the invitation and receipt e-mails, built from rows.
- ``sweep``: the periodic pass (closing time boxes, reminders) run by the embedded worker.
- ``schemas`` and ``views``: the API shapes, with anonymous review applied.
"""
