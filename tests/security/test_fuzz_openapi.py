"""Schemathesis fuzzes every operation of the OpenAPI schema: no input makes the server fail (5xx).

The app is built when the module is imported (schemathesis parametrises at collection time) on
its own throw-away database, seeded so that the happy paths run too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from harness.accounts.models import Role
from harness.accounts.service import create_token
from harness.db.migrate import upgrade_head
from harness.submissions.models import SubmissionStatus
from tests.db.factories import (
    make_assignment_dir,
    make_invitation,
    make_report,
    make_reviewer,
    make_submission,
)
from tests.db.fixtures import make_settings


def _seeded_app() -> tuple[object, dict[str, str]]:
    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    make_assignment_dir(root / "assignments")
    s = make_settings(root / "var", assignments_dir=root / "assignments")
    s.data_dir.mkdir(parents=True)
    upgrade_head(s.resolved_database_url)
    app = create_app(s, migrate=False)
    with app.state.db.session(write=True) as session:
        admin = make_reviewer(session, "fuzz@example.com", role=Role.admin)
        token = create_token(session, admin)
        inv, _ = make_invitation(session)
        make_submission(session, s, inv, status=SubmissionStatus.graded, report=make_report())
        make_submission(session, s, inv)
    return app, {"Authorization": f"Bearer {token}"}


APP, AUTH = _seeded_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call(headers={**(case.headers or {}), **AUTH})
    assert response.status_code < 500, (
        case.method,
        case.path,
        response.status_code,
        response.text[:500],
    )
