"""The ``count`` filter pages use for "1 upload" / "2 uploads" instead of "upload(s)"."""

from __future__ import annotations

from api.templating import templates


def _render(source: str, **values: object) -> str:
    return templates.env.from_string(source).render(**values)


def test_singular_and_plural() -> None:
    assert _render('{{ n|count("upload") }}', n=1) == "1 upload"
    assert _render('{{ n|count("upload") }}', n=2) == "2 uploads"
    assert _render('{{ n|count("upload") }}', n=0) == "0 uploads"


def test_missing_value_counts_as_zero_and_irregular_plurals() -> None:
    assert _render('{{ n|count("candidate seat") }}', n=None) == "0 candidate seats"
    assert _render('{{ n|count("analysis", "analyses") }}', n=3) == "3 analyses"
