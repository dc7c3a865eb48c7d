"""The shortfall report as an XLSX workbook: one sheet per level the user may read, and a
sheet of firms. Written by `rankings.xlsx_stream`, whose text cells are neutralised
(`rankings.exports.neutralise`) so a firm named "=HYPERLINK(...)" stays text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from django.contrib.auth.models import AnonymousUser, User
from django.utils import translation
from django.utils.translation import gettext as _

from firms.selectors import firms_visible_to
from rankings.analysis_labels import GAP_LABELS, LEVEL_LABELS
from rankings.selectors_shortfalls import GroupRow, ShortfallReport, levels_for, shortfall_report
from rankings.shortfalls import GAP_NAMES
from rankings.xlsx_stream import XlsxWriter


def _lang() -> str:
    return (translation.get_language() or "fa")[:2]


def _group_sheet(report: ShortfallReport) -> tuple[list[str], list[list[object]]]:
    header = [_("Code"), _("Name"), _("Firms"), _("In the top %(n)s") % {"n": report.top_n}]
    header += [_("Weak in %(pillar)s (%%)") % {"pillar": label} for _code, label in report.pillars]
    header += [_("%(gap)s (%%)") % {"gap": str(GAP_LABELS[g]).capitalize()} for g in GAP_NAMES]
    header.append(_("Most common gaps"))
    rows = []
    groups: Sequence[GroupRow] = report.groups
    for g in [report.national, *groups] if report.national else groups:
        name = g.name_fa if _lang() == "fa" else g.name_en
        rows.append(
            [
                g.key,
                name,
                g.firms,
                g.in_top,
                *[round(s.percent, 1) for s in g.weak],
                *[round(s.percent, 1) for s in g.gaps],
                "، ".join(s.label for s in g.top_gaps)
                if _lang() == "fa"
                else ", ".join(s.label for s in g.top_gaps),
            ]
        )
    return header, rows


def _firm_sheet(
    report: ShortfallReport, user: User | AnonymousUser
) -> tuple[list[str], Iterable[list[object]]]:
    pillars = report.pillars
    header = [
        _("National id"),
        _("Firm"),
        _("Park"),
        _("Province"),
        _("ISIC division"),
        _("Rank"),
        _("Score"),
        _("In the top %(n)s") % {"n": report.top_n},
        _("Weakest pillars (against the sector median)"),
    ]
    header += [_("Rise needed in %(pillar)s") % {"pillar": label} for _c, label in pillars]
    header += [_("Weak in %(pillar)s") % {"pillar": label} for _c, label in pillars]
    header.append(_("Concrete gaps"))
    names = pd.DataFrame.from_records(
        list(
            firms_visible_to(user)
            .order_by()
            .values_list(
                "id", "national_id", "name_fa", "name_en", "park__code", "park__province__code"
            )
        ),
        columns=["firm_id", "national_id", "name_fa", "name_en", "park", "province"],
    ).set_index("firm_id")
    firms = report.firms.join(names, how="inner").sort_values(["rank", "score"])
    labels = dict(pillars)
    yes, no, impossible = _("yes"), _("no"), _("impossible")
    separator = "، " if _lang() == "fa" else ", "
    english = _lang() != "fa"
    # Columns are built whole (pandas), rows only zipped at the end.
    name = firms["name_fa"]
    if english:
        name = firms["name_en"].where(firms["name_en"].astype(bool), firms["name_fa"])
    weakest = _joined(
        [firms[c].map(labels) for c in ("weakest_1", "weakest_2")], separator, firms.index
    )
    gap_labels = {g: str(GAP_LABELS[g]) for g in GAP_NAMES}
    gaps = _joined(
        [firms[g].map({True: gap_labels[g], False: None}) for g in GAP_NAMES],
        separator,
        firms.index,
    )
    columns = [
        firms["national_id"],
        name,
        firms["park"],
        firms["province"],
        firms["division"],
        firms["rank"].astype("float64").map(lambda r: None if r != r else int(r)),
        firms["score"].round(2),
        firms["in_top"].map({True: yes, False: no}),
        weakest,
    ]
    for code, _label in pillars:
        need = firms[f"need_{code}"].round(2).astype(object)
        need = need.where(firms[f"need_{code}"].notna(), None)
        columns.append(need.where(~firms[f"impossible_{code}"].astype(bool), impossible))
    columns += [firms[f"weak_{c}"].map({True: yes, False: no}) for c, _label in pillars]
    columns.append(gaps)
    rows = zip(*(c.astype(object).tolist() for c in columns), strict=True)
    return header, rows


def _joined(parts: list[pd.Series], separator: str, index: pd.Index) -> pd.Series:
    """Per row, the non-empty texts of `parts` joined by `separator`."""
    columns = [p.astype(object).tolist() for p in parts]
    return pd.Series(
        [
            separator.join(t for t in row if isinstance(t, str))
            for row in zip(*columns, strict=True)
        ],
        index=index,
        dtype=object,
    )


def shortfalls_workbook(
    *, user: User | AnonymousUser, year: int | None, rtl: bool = False
) -> bytes | None:
    """The workbook of `year`'s current run for this user (None when there is no run)."""
    reports = []
    for level in levels_for(user):
        report = shortfall_report(user=user, level=level, year=year)
        if report is None:
            return None
        reports.append(report)
    book = XlsxWriter(rtl=rtl)
    for report in reports:
        book.sheet(str(LEVEL_LABELS[report.level]), *_group_sheet(report))
    if reports:
        book.sheet(_("Firms"), *_firm_sheet(reports[0], user))
    return book.close()
