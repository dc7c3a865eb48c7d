"""Pillar and indicator names in the current language (their labels live in code, with
the methodology, not in the translation catalogue)."""

from __future__ import annotations

from django.utils import translation

from rankings.indicators import INDICATORS
from rankings.methodology import PILLARS


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


def pillar_label(code: str) -> str:
    english, persian = PILLARS.get(code, (code, code))
    return persian if _lang() == "fa" else english


def indicator_label(code: str) -> str:
    english, persian, _direction = INDICATORS.get(code, (code, code, 1))
    return persian if _lang() == "fa" else english


def pillar_columns(codes: list[str]) -> list[tuple[str, str]]:
    """(code, label) of each pillar, in the methodology's order."""
    return [(code, pillar_label(code)) for code in codes]
