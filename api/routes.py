"""The app's flat route table (method, path), whatever way the routers were included.

FastAPI 0.16x keeps included routers as lazy branches in ``app.routes``; the security tests
build their matrix from this table so a new route cannot slip through unchecked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute

__all__ = ["RouteInfo", "route_table"]


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    name: str


def _walk(routes: list[BaseRoute] | Any, prefix: str = "") -> Iterator[RouteInfo]:
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            for ctx in contexts():
                original = ctx.original_route
                for method in sorted(getattr(original, "methods", None) or {"GET"}):
                    yield RouteInfo(method, ctx.path, getattr(original, "name", ""))
            continue
        path = getattr(route, "path", None)
        if path is None:
            continue
        methods = getattr(route, "methods", None)
        if methods is None:  # a mount (static files)
            yield RouteInfo("GET", path + "/{path}", getattr(route, "name", ""))
            continue
        for method in sorted(methods):
            yield RouteInfo(method, prefix + path, getattr(route, "name", ""))


def route_table(app: FastAPI) -> list[RouteInfo]:
    return [r for r in _walk(app.routes) if r.method != "HEAD"]
