"""``/docs``: the API reference rendered on the server from the OpenAPI schema; ``/scoring``: how
every grader scores.

Swagger UI would need scripts from a CDN and inline script, which the CSP (and an offline
machine) forbid; the machine-readable schema stays at ``/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import MaybeSignedIn, PageReviewer
from api.scoring_docs import ScoringDocsMissing, scoring_sections
from api.templating import render
from harness.errors import NotFound

router = APIRouter(tags=["pages"], include_in_schema=False)

_METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_ref_name(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " or ".join(_ref_name(s) for s in schema["anyOf"])
    return str(schema.get("type", "object"))


def _response_line(code: str, response: dict[str, Any]) -> str:
    content: dict[str, Any] = response.get("content") or {}
    if not content:
        return f"{code}: {response.get('description', '')}"
    first: dict[str, Any] = next(iter(content.values()))
    return f"{code}: {_ref_name(first.get('schema', {}))}"


@router.get("/docs")
def docs(request: Request, _: MaybeSignedIn) -> Response:
    """The API reference; public, with the navigation when a reviewer is signed in."""
    spec = request.app.openapi()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "type": _ref_name(p.get("schema", {})),
                }
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {})
            bodies = [f"{ctype}: {_ref_name(c.get('schema', {}))}" for ctype, c in body.items()]
            responses = [_response_line(code, r) for code, r in op.get("responses", {}).items()]
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": op.get("tags", []),
                    "params": params,
                    "bodies": bodies,
                    "responses": responses,
                }
            )
    schemas = spec.get("components", {}).get("schemas", {})
    models = [
        {
            "name": name,
            "fields": [
                {
                    "name": f,
                    "type": _ref_name(s),
                    "description": s.get("description", ""),
                    "required": f in sch.get("required", []),
                }
                for f, s in sch.get("properties", {}).items()
            ],
        }
        for name, sch in sorted(schemas.items())
    ]
    return render(
        request, "docs.html", {"ops": operations, "models": models, "title": spec["info"]["title"]}
    )


@router.get("/scoring")
def scoring(request: Request, _: PageReviewer) -> Response:
    """How every grader scores, in one page (``docs/scoring/``), linked from each report."""
    try:
        sections = scoring_sections()
    except ScoringDocsMissing as exc:
        raise NotFound(str(exc)) from exc
    return render(request, "scoring.html", {"sections": sections})
