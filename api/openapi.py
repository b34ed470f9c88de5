"""One error shape, and the error answers of every route in the OpenAPI schema.

Every error the API answers is ``ErrorOut``: ``detail`` is always a sentence for people;
``errors`` lists the fields at fault when the request did not validate (422). Routers declare
the statuses they can answer with ``errors(...)`` (router-wide and per route), so the schema at
``/openapi.json`` documents every status a route answers; the schemathesis test in the suite
checks the answers against it (status codes, content types and bodies).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["ErrorOut", "FieldError", "errors"]


class FieldError(BaseModel):
    """One field of the request that could not be accepted."""

    loc: list[str | int]
    """Where: ``["body", "email"]``, ``["query", "limit"]``, ``["path", "submission_id"]``."""
    msg: str
    type: str


class ErrorOut(BaseModel):
    """The body of every error answer."""

    detail: str
    """What went wrong and what to do about it."""
    errors: list[FieldError] | None = Field(default=None)
    """The fields at fault (validation errors only)."""


_DESCRIPTIONS = {
    400: "The request cannot be served as sent (an unknown Host header, a refused value).",
    401: "No credentials, or credentials that are not valid (send `Authorization: Bearer`).",
    403: "Signed in, but not allowed: the account's role, a missing CSRF token, or separation "
    "of duties.",
    404: "No such object, or a candidate link that is not valid.",
    409: "The object is not in a state that allows this (e.g. already paid, not finished, "
    "uploads closed).",
    413: "The upload is larger than the limit.",
    422: "The request did not validate; `errors` lists the fields.",
    429: "Too many requests of this kind for now; `detail` says when to try again.",
    503: "The harness cannot serve this now (database, broker or Docker unavailable).",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a router or route: each status with ``ErrorOut`` as its body."""
    return {
        code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in sorted(codes)
    }
