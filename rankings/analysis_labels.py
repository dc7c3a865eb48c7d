"""Plain words for the uncertain methodology choices, the concrete gaps and report levels."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _

CHOICE_LABELS = {
    "weights": _("the weights of the pillars and indicators"),
    "normalisation": _("the normalisation method"),
    "aggregation": _("arithmetic or geometric aggregation"),
    "winmax": _("the outlier limit (winsorisation)"),
}


def _index(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def sensitivity_rows(sensitivity: dict[str, Any]) -> list[dict[str, Any]]:
    """Each choice with its label, S_i and ST_i, and bar widths in percent (0-100).

    Estimates from a finite sample can fall a little outside [0, 1]; the numbers are
    shown as computed, the bars are clipped.
    """
    rows = []
    for choice, values in (sensitivity or {}).items():
        values = values if isinstance(values, dict) else {}
        first, total = _index(values.get("first_order")), _index(values.get("total"))
        rows.append(
            {
                "choice": choice,
                "label": CHOICE_LABELS.get(choice, choice),
                "first_order": first,
                "total": total,
                "first_width": _width(first),
                "total_width": _width(total),
            }
        )
    rows.sort(key=lambda r: (r["total"] is None, -(r["total"] or 0.0), r["choice"]))
    return rows


# Estimates from a few hundred runs are noisy: choices whose total index is within this
# fraction of the largest are reported together, "about equally".
LEADING_FRACTION = 0.75


def leading_choices(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The choice(s) that matter most: the largest total index and any close to it."""
    totals = [r for r in rows if r["total"] is not None and r["total"] > 0]
    if not totals:
        return []
    top = max(r["total"] for r in totals)
    return [r for r in totals if r["total"] >= LEADING_FRACTION * top]


def _width(value: float | None) -> int:
    return 0 if value is None else round(min(max(value, 0.0), 1.0) * 100)


# The concrete gaps of the shortfall report (`clusters.profile.firm_gaps`), in plain words.
GAP_LABELS = {
    "no_exports": _("no exports"),
    "no_certification": _("no quality certificate"),
    "no_rd": _("no research and development"),
    "falling_sales": _("falling sales"),
    "high_debt": _("high debt"),
}

LEVEL_LABELS = {
    "park": _("Industrial park"),
    "province": _("Province"),
    "cluster": _("Cluster"),
    "sector": _("Sector (ISIC division)"),
}
