"""Greenhouse's Assessment Partner API, spoken by the harness as the partner.

The contract (developers.greenhouse.io/assessment.html): Greenhouse calls the partner with HTTP
Basic, the organisation's key as the user name.

- ``GET list_tests`` answers a JSON array of ``{"partner_test_id", "partner_test_name"}``.
- ``POST send_test`` sends ``{"partner_test_id", "candidate": {"first_name", "last_name",
  "email", ...}, "url"}``; the partner e-mails the candidate and answers
  ``{"partner_interview_id"}``.
- ``GET test_status?partner_interview_id=...`` answers ``{"partner_status", "partner_profile_url",
  "partner_score", "metadata"}``; ``complete`` ends Greenhouse's hourly polling and then needs a
  profile URL; ``metadata`` is flat, with primitive values; absent values are ``null``.
- ``POST response_error`` reports an answer of ours that did not validate.
- When a test completes the partner may ``PATCH`` the ``url`` from the send (no body);
  Greenhouse then asks ``test_status``.

The harness adds to the PATCH, besides the Basic credentials Greenhouse's example shows, a
signature: ``X-Harness-Timestamp`` (Unix seconds) and ``X-Harness-Signature: sha256=<hex
HMAC-SHA256 of "<timestamp>.PATCH.<url>" keyed with the integration's key>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

from harness.ats.adapter import (
    AssessmentStatus,
    AtsRequestInvalid,
    ErrorReport,
    Offer,
    OutgoingCall,
    SendRequest,
)

__all__ = ["GreenhouseAdapter", "signature"]

_MAX_TEXT = 320


def signature(key: str, timestamp: str, method: str, url: str) -> str:
    """The ``X-Harness-Signature`` of a callback."""
    message = f"{timestamp}.{method}.{url}".encode()
    return "sha256=" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _optional(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise AtsRequestInvalid(f"send_test's {key!r} must be a string")
    text = str(value).strip()
    if len(text) > _MAX_TEXT:
        raise AtsRequestInvalid(f"send_test's {key!r} is longer than {_MAX_TEXT} characters")
    return text


def _required(obj: dict[str, Any], key: str) -> str:
    text = _optional(obj, key)
    if text is None:
        raise AtsRequestInvalid(f"send_test needs {key!r} (a non-empty string)")
    return text


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at is not None else None


class GreenhouseAdapter:
    provider = "greenhouse"

    def tests_body(self, offers: list[Offer]) -> Any:
        return [{"partner_test_id": o.test_id, "partner_test_name": o.name} for o in offers]

    def parse_send(self, body: Any) -> SendRequest:
        if not isinstance(body, dict):
            raise AtsRequestInvalid("send_test's body must be a JSON object")
        candidate = body.get("candidate", body)  # the example nests it; the field table does not
        if not isinstance(candidate, dict):
            raise AtsRequestInvalid("send_test's 'candidate' must be an object")
        return SendRequest(
            test_id=_required(body, "partner_test_id"),
            first_name=_required(candidate, "first_name"),
            last_name=_required(candidate, "last_name"),
            email=_required(candidate, "email"),
            callback_url=_optional(body, "url"),
        )

    def sent_body(self, public_id: str) -> Any:
        return {"partner_interview_id": public_id}

    def status_body(self, status: AssessmentStatus) -> Any:
        metadata: dict[str, str | int | float | bool | None] = {
            "Started At": _iso(status.started_at),
            "Submitted At": _iso(status.submitted_at),
            "Completed At": _iso(status.completed_at),
        }
        metadata.update({k.replace("_", " ").title(): v for k, v in status.details.items()})
        return {
            "partner_status": status.state.value,
            "partner_profile_url": status.report_url,
            "partner_score": round(status.score, 1) if status.score is not None else None,
            "metadata": metadata,
        }

    def parse_error_report(self, body: Any) -> ErrorReport:
        if not isinstance(body, dict) or not isinstance(body.get("api_call"), str):
            raise AtsRequestInvalid("response_error needs 'api_call' (a string) and 'errors'")
        errors = body.get("errors")
        if not isinstance(errors, list):
            raise AtsRequestInvalid("response_error's 'errors' must be a list of strings")
        interview = body.get("partner_interview_id")
        return ErrorReport(
            api_call=body["api_call"][:64],
            errors=[str(e)[:1000] for e in errors[:50]],
            public_id=str(interview)[:40] if interview is not None else None,
        )

    def completion_call(self, callback_url: str, key: str, now: datetime) -> OutgoingCall:
        timestamp = str(int(now.timestamp()))
        basic = base64.b64encode(f"{key}:".encode()).decode()
        return OutgoingCall(
            method="PATCH",
            url=callback_url,
            headers={
                "Authorization": f"Basic {basic}",
                "X-Harness-Timestamp": timestamp,
                "X-Harness-Signature": signature(key, timestamp, "PATCH", callback_url),
            },
        )
