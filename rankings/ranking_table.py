"""The analysts' ranking table (its header, rows and page links) written as HTML in Python.

Fifty rows of a dozen cells each, with an `{% if %}` per change and an include per rank
band, a header of a dozen sortable columns with three `{% if %}` each and the page links
were half of the page's time in the template engine. They are built here with the same
formatting functions as the template filters (`num`, `digits`, `localised`,
`probability`) and the same query strings as `{% querystring %}`; every value from the
database or the request is escaped as the template escaped it, and translated strings are
written as they are, as `{% translate %}` writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from django.core.paginator import Page
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from rankings.models import FirmScore
from smerank.formatting import number_format, persian_digits, probability_format

# A firm id no database reaches, reversed once: each row's link puts its firm's id in its
# place (a reverse per row costs more than the rest of the row).
_ANY_ID = 987654321987


def profile_link() -> Callable[[int], str] | None:
    """The firm profile's URL maker, or None while that page does not exist."""
    try:
        pattern = reverse("firm-profile", args=[_ANY_ID])
    except NoReverseMatch:
        return None
    return lambda firm_id: pattern.replace(str(_ANY_ID), str(firm_id))


def localised(obj: object, field: str, lang: str) -> str:
    """As the `localised` template filter: the current language's name, else the Persian."""
    return getattr(obj, f"{field}_{lang}", None) or getattr(obj, f"{field}_fa", None) or ""


def rank_band_text(score: FirmScore, *, top_n: int | None, lang: str) -> str:
    """The sentence of rankings/_rank_band.html ("rank 37, likely 31–45, in the top-100
    with probability 92%"), the same messages with the same filters, escaped as HTML."""
    values = {
        "rank": escape(number_format(score.rank, lang=lang)),
        "low": escape(number_format(score.rank_low, lang=lang)),
        "high": escape(number_format(score.rank_high, lang=lang)),
        "n": escape(number_format(top_n or 100, lang=lang)),
        "p": escape(probability_format(score.top_probability, lang=lang)),
    }
    if score.rank_low == score.rank_high:
        text = _(
            "rank %(rank)s, %(low)s in every scenario, in the top-%(n)s with probability %(p)s"
        )
    else:
        text = _("rank %(rank)s, likely %(low)s–%(high)s, in the top-%(n)s with probability %(p)s")
    return text % values


def has_band(score: FirmScore) -> bool:
    """Whether the uncertainty analysis filled the row's rank band."""
    return None not in (score.rank, score.rank_low, score.rank_high, score.top_probability)


# One row, as ranking_results.html wrote it: every value is escaped (or a translation)
# before it is put in.
_ROW = """<tr>
      <td class="sr-rank num">{rank}</td>
      <th scope="row" class="fw-normal">
        {name}
        <div class="small text-body-secondary num"><span class="visually-hidden">{t_national_id} </span><span dir="ltr">{national_id}</span></div>
        {band}
      </th>
      <td class="d-none d-lg-table-cell small">{province}<br><span class="text-body-secondary">{park}</span></td>
      <td class="d-none d-xl-table-cell small"><span title="{isic_title}">{isic}</span></td>
      <td class="text-end num fw-semibold">{score}</td>
      <td class="text-end num text-nowrap">{change}</td>
      {pillars}
    </tr>"""
_LINKED_NAME = '<a href="{url}" hx-boost="false">{name}</a>'
_BAND = '<div><span class="sr-band" data-testid="rank-band">{text}</span></div>'
_NO_EARLIER_RANK = '<span class="text-body-secondary" title="{label}">—</span>'
_UP = '<span class="sr-up"><i class="bi bi-arrow-up" aria-hidden="true"></i><span class="visually-hidden">{label}</span> {text}</span>'
_DOWN = '<span class="sr-down"><i class="bi bi-arrow-down" aria-hidden="true"></i><span class="visually-hidden">{label}</span> {text}</span>'


class RankingRows:
    """Builds the table rows of one page: the labels are translated once, not per row."""

    def __init__(
        self,
        *,
        pillars: list[str],
        lang: str,
        top_n: int | None,
        link: Callable[[int], str] | None,
    ) -> None:
        self.pillars = pillars
        self.lang = lang
        self.top_n = top_n
        self.link = link
        self.t_national_id = _("National id")
        self.t_no_rank = _("no earlier rank")
        self.t_up = _("up")
        self.t_down = _("down")

    def row(self, score: FirmScore) -> dict[str, Any]:
        """The row's FirmScore, its pillar values and its `<tr>` element."""
        values = [(score.pillars or {}).get(p) for p in self.pillars]
        return {"score": score, "pillars": values, "html": self._html(score, values)}

    def _html(self, score: FirmScore, values: list[Any]) -> SafeString:
        lang = self.lang
        firm = score.firm
        park = firm.park
        digits = persian_digits if lang == "fa" else str
        html = _ROW.format(
            rank=escape(number_format(score.rank, lang=lang)),
            name=self._name(score),
            t_national_id=self.t_national_id,
            national_id=escape(digits(firm.national_id)),
            band=self._band(score),
            province=escape(localised(park.province, "name", lang)),
            park=escape(localised(park, "name", lang)),
            # ISIC classes have English titles only: better English than an empty tooltip.
            isic_title=escape(localised(firm.isic, "title", lang) or firm.isic.title_en),
            isic=escape(digits(firm.isic_id)),
            score=escape(number_format(score.score, lang=lang, decimals=1)),
            change=self._change(score.rank_change),
            pillars="".join(
                f'<td class="text-end num small">{escape(number_format(v, lang=lang, decimals=1))}</td>'
                for v in values
            ),
        )
        return mark_safe(html)  # noqa: S308 - every value is escaped above

    def _name(self, score: FirmScore) -> str:
        name = escape(localised(score.firm, "name", self.lang))
        if self.link is None:
            return name
        return _LINKED_NAME.format(url=escape(self.link(score.firm_id)), name=name)

    def _band(self, score: FirmScore) -> str:
        if not has_band(score):
            return ""
        return _BAND.format(text=rank_band_text(score, top_n=self.top_n, lang=self.lang))

    def _change(self, change: int | None) -> str:
        if change is None:
            return _NO_EARLIER_RANK.format(label=self.t_no_rank)
        text = escape(number_format(abs(change), lang=self.lang))
        if change > 0:
            return _UP.format(label=self.t_up, text=text)
        if change < 0:
            return _DOWN.format(label=self.t_down, text=text)
        return text


def rows_html(rows: list[dict[str, Any]]) -> SafeString:
    """The rows' `<tr>` elements, one after another."""
    return mark_safe("".join(f"\n    {row['html']}\n  " for row in rows))  # noqa: S308 - built above


_CARETS = {
    "ascending": ' <i class="bi bi-caret-up-fill" aria-hidden="true"></i>',
    "descending": ' <i class="bi bi-caret-down-fill" aria-hidden="true"></i>',
}


def _links(query: QueryDict, key: str, *, drop: str | None = None) -> Callable[[object], str]:
    """As `{% querystring key=value drop=None %}`, escaped, for many values: this page's
    query string with `key` set to each value in turn (the query is copied once)."""
    params = query.copy()
    if drop is not None:
        params.pop(drop, None)

    def link(value: object) -> str:
        params[key] = str(value)
        return escape(f"?{params.urlencode()}")

    return link


def header_html(columns: list[dict[str, Any]], query: QueryDict) -> SafeString:
    """The table's column headers: a link that sorts by each column (again: the other way
    round), its aria-sort, and the two columns that do not sort after the firm's name."""
    # Translated outside the f-strings, where makemessages finds them.
    t_place, t_isic = _("Province · park"), _("ISIC")
    sorted_by = _links(query, "sort", drop="page")
    cells = []
    for col in columns:
        aria = f' aria-sort="{col["aria_sort"]}"' if col["aria_sort"] else ""
        label = escape(str(col["label"]))
        link = f'<a href="{sorted_by(col["next"])}">'
        caret = _CARETS.get(col["aria_sort"], "")
        if col["key"] in ("rank", "name"):
            cells.append(f'<th scope="col"{aria}>{link}{label}{caret}</a></th>')
        else:
            pillar = col["pillar"]
            classes = f"text-end small sr-p-{escape(col['key'])}" if pillar else "text-end"
            swatch = '<span class="sr-swatch" aria-hidden="true"></span> ' if pillar else ""
            cells.append(
                f'<th scope="col" class="{classes}"{aria}>{link}{swatch}{label}{caret}</a></th>'
            )
        if col["key"] == "name":
            cells.append(f'<th scope="col" class="d-none d-lg-table-cell">{t_place}</th>')
            cells.append(f'<th scope="col" class="d-none d-xl-table-cell">{t_isic}</th>')
    return mark_safe("\n    ".join(cells))  # noqa: S308 - labels, keys and links escaped above


def page_links_html(page: Page, query: QueryDict, *, lang: str) -> SafeString:
    """The pager's items: previous, the page numbers around the current one with … for
    those left out, next."""
    t_previous, t_next = _("Previous"), _("Next")
    page_link = _links(query, "page")
    items = []
    if page.has_previous():
        href = page_link(page.previous_page_number())
        items.append(
            f'<li class="page-item"><a class="page-link" href="{href}">{t_previous}</a></li>'
        )
    for n in page.paginator.get_elided_page_range(page.number):
        if n == page.paginator.ELLIPSIS:
            items.append('<li class="page-item disabled"><span class="page-link">…</span></li>')
            continue
        text = escape(number_format(n, lang=lang))
        if n == page.number:
            items.append(
                '<li class="page-item active" aria-current="page">'
                f'<span class="page-link">{text}</span></li>'
            )
        else:
            href = page_link(n)
            items.append(
                f'<li class="page-item"><a class="page-link" href="{href}">{text}</a></li>'
            )
    if page.has_next():
        href = page_link(page.next_page_number())
        items.append(f'<li class="page-item"><a class="page-link" href="{href}">{t_next}</a></li>')
    return mark_safe("\n    ".join(items))  # noqa: S308 - numbers and links escaped above
