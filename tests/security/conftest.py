"""A richer world for the security tests: figures that cannot occur by accident, rankings
for two years, an upload per park, a cluster and a published edition.

Every money figure of the four named firms is a distinctive 8- or 9-digit number (the other
park's firm sells 987,654,321 million rials in 1403), so a response that leaks one is caught
by a plain substring search, in any of the ways the pages print numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from firms.models import Firm, FirmYear, ImportJob, Park
from smerank.formatting import persian_digits
from tests.factories import FirmFactory, FirmYearFactory, UserFactory

YEARS = (1402, 1403)
TOP_N = 5  # small, so that some firms of the other park are outside the public list
MONEY = ("sales", "exports", "rd_spend", "net_profit", "total_assets", "total_debt")

# Two-digit tags: a tagged firm's figure is <tag><field number><last digit of year><digits>.
TAGS = {"firm": "41", "sibling": "52", "other_firm": "98", "hidden": "63"}
TAIL = {"sales": "27183", "total_assets": "27183"}  # nine digits; the rest have eight


def tagged_figures(tag: str, year: int) -> dict[str, int]:
    figures = {
        name: int(f"{tag}{index}{year % 10}{TAIL.get(name, '2718')}")
        for index, name in enumerate(MONEY, start=1)
    }
    if tag == TAGS["other_firm"] and year == 1403:
        figures["sales"] = 987_654_321
    return figures


@dataclass
class Rich:
    """The `world` fixture's parks, firms and users, plus everything the pages show."""

    world: object
    sibling: Firm  # a second firm of the manager's park ("another firm" for the firm user)
    hidden: Firm  # a firm of the other park that ranks outside the public top-N
    firms: list[Firm]
    runs: dict[int, object]
    edition: object
    cluster: object
    jobs: dict[str, ImportJob]  # "park" and "other_park"
    norole: object  # signed in, but given no role (not an analyst, manager or firm user)
    figures: dict[int, dict[int, dict[str, int]]] = field(default_factory=dict)

    def visible_firm_ids(self, role: str) -> set[int]:
        """The firms whose detail each role may see (mirrors SECURITY.md)."""
        w = self.world
        if role == "analyst":
            return {f.pk for f in self.firms}
        if role == "manager":
            return {f.pk for f in self.firms if f.park_id == w.park.pk}
        if role == "other_manager":
            return {f.pk for f in self.firms if f.park_id == w.other_park.pk}
        if role == "firm_user":
            return {w.firm.pk}
        return set()

    def markers(self, role: str) -> dict[str, str]:
        """Text that must never appear in a response to `role`: the national id and the
        figures of every firm it may not see, and the names of such firms outside the
        public top-N. Maps each marker to what it is, for the failure message."""
        visible = self.visible_firm_ids(role)
        found: dict[str, str] = {}
        for firm in self.firms:
            if firm.pk in visible:
                continue
            for text in _number_forms(firm.national_id, grouped=False):
                found[text] = f"national id of firm {firm.pk} ({firm.name_en})"
            for year, figures in self.figures.get(firm.pk, {}).items():
                for name, value in figures.items():
                    if abs(value) < 1_000_000:
                        continue  # zeros and small numbers occur everywhere
                    for text in _number_forms(str(value)):
                        found[text] = f"{name} {year} of firm {firm.pk} ({firm.name_en})"
        if self.hidden.pk not in visible:
            for name in (self.hidden.name_fa, self.hidden.name_en):
                found[name] = f"name of firm {self.hidden.pk}, outside the public top-{TOP_N}"
        return found


def _number_forms(digits: str, *, grouped: bool = True) -> set[str]:
    """The ways a page, an export or a JSON body may print an integer."""
    plain = digits.lstrip("-")
    forms = {plain, persian_digits(plain)}
    if grouped:
        with_commas = f"{int(plain):,}"
        forms |= {with_commas, persian_digits(with_commas), with_commas.replace(",", "٬")}
    return forms


def response_text(response) -> str:
    """Everything a client receives: headers and body; the XML inside an XLSX (a zip)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    parts = [f"{k}: {v}" for k, v in response.items()]
    if body[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    else:
        parts.append(body.decode("utf-8", "replace"))
    return "\n".join(parts)


def _figures_create(firm: Firm, year: int, money: dict[str, int], **others: object) -> None:
    FirmYear.objects.filter(firm=firm, year=year).delete()
    FirmYearFactory(firm=firm, year=year, **{**money, **others})


def _upload_csv(firms: Iterable[Firm], year: int) -> bytes:
    """An upload that repeats the stored figures exactly: committing it changes nothing."""
    from firms.parsing import COLUMNS

    keys = [c.key for c in COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header_fa for c in COLUMNS])
    for firm in firms:
        fy = FirmYear.objects.get(firm=firm, year=year)
        values = {
            "national_id": firm.national_id,
            "name_fa": firm.name_fa,
            "name_en": firm.name_en,
            "isic": firm.isic_id,
            "year": year,
            "founded_year": firm.founded_year,
            "knowledge_based": "بله" if firm.knowledge_based else "خیر",
            **{k: getattr(fy, k) for k in keys if hasattr(fy, k) and k != "year"},
        }
        writer.writerow(["" if values.get(k) is None else values[k] for k in keys])
    return buffer.getvalue().encode("utf-8")


def _job_create(park: Park, uploader, firms: list[Firm]) -> ImportJob:
    from firms import imports

    data = _upload_csv(firms, 1403)
    job = imports.import_job_create(
        park=park, uploader=uploader, stream=io.BytesIO(data), name=f"{park.code}.csv"
    )
    # Validation is queued on commit (never, inside a test transaction): run it here, so
    # the job is "ready" on every backend.
    imports.import_job_validate(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, (job.status, job.errors)
    return job


@pytest.fixture
def rich(world) -> Rich:
    from clusters.models import Cluster
    from firms.models import Province, Sector
    from rankings.analysis import run_analysis_compute
    from rankings.methodology import spec_default
    from rankings.models import RankingRun
    from rankings.services import (
        data_changed,
        edition_publish,
        methodology_create,
        ranking_recompute,
    )

    w = world
    for firm, name in ((w.firm, "Tehran Sample Works"), (w.other_firm, "Isfahan Sample Works")):
        firm.name_en = name
        firm.save(update_fields=["name_en"])
    sibling = FirmFactory(park=w.park, name_fa="صنایع همسایه تهران", name_en="Tehran Neighbour")
    hidden = FirmFactory(
        park=w.other_park, name_fa="کارگاه پنهان اصفهان", name_en="Isfahan Hidden Workshop"
    )
    fillers = [
        *FirmFactory.create_batch(3, park=w.park),
        *FirmFactory.create_batch(3, park=w.other_park),
    ]
    firms = [w.firm, sibling, w.other_firm, hidden, *fillers]

    figures: dict[int, dict[int, dict[str, int]]] = {}
    strong = {"employees": 120, "export_countries": 9, "new_products": 6, "tech_level": 5}
    weak = {
        "employees": 12,
        "export_countries": 0,
        "new_products": 0,
        "tech_level": 0,
        "certifications": "ISO9001",
    }
    for year in YEARS:
        for key, firm, extra in (
            ("firm", w.firm, {"employees": 45}),
            ("sibling", sibling, {"employees": 38}),
            ("other_firm", w.other_firm, {**strong, "certifications": "ISO14001;ISO9001"}),
            ("hidden", hidden, weak),
        ):
            money = tagged_figures(TAGS[key], year)
            if key == "hidden":
                # Falling sales, a loss, debts above assets: ranked last, outside the top-N.
                money["sales"] //= 1 if year == 1402 else 3
                money["exports"] = 0
                money["rd_spend"] = 0
                money["net_profit"] = -money["net_profit"]
                money["total_debt"] = money["total_assets"] * 2
            figures.setdefault(firm.pk, {})[year] = money
            _figures_create(firm, year, money, **extra)
        for i, firm in enumerate(fillers):
            FirmYearFactory(firm=firm, year=year, employees=20 + 7 * i, sales=50_000 + 970 * i)

    # An official cluster over both provinces (defined before the runs, so they profile it).
    cluster = Cluster.objects.create(
        code="SEC-METAL", name_fa="خوشه فلزی آزمون امنیت", name_en="Security metal cluster"
    )
    cluster.sectors.add(Sector.objects.get(code="25"))
    cluster.provinces.add(*Province.objects.filter(code__in=["IR-23", "IR-10"]))

    spec = spec_default()
    spec["top_n"] = TOP_N
    spec["uncertainty"] = {"replications": 20, "sensitivity_samples": 4}
    methodology_create(name="security tests", spec=spec, author=None, activate=True)
    runs = {}
    for year in YEARS:
        data_changed(years=[year])
        run = ranking_recompute(year=year)
        assert run is not None and run.status == RankingRun.Status.SUCCEEDED, run
        run_analysis_compute(run_id=run.pk)  # the worker's follow-up, run here on any backend
        runs[year] = run
    edition = edition_publish(run=runs[1403], title="SME100 1403", user=None)

    ranks = dict(runs[1403].scores.values_list("firm_id", "rank"))
    assert ranks[w.other_firm.pk] is not None and ranks[w.other_firm.pk] <= TOP_N, ranks
    assert ranks[hidden.pk] is None or ranks[hidden.pk] > TOP_N, ranks

    jobs = {
        "park": _job_create(w.park, w.manager, [w.firm, sibling]),
        "other_park": _job_create(w.other_park, w.other_manager, [w.other_firm, hidden]),
    }
    # The stored file is the only copy a job needs; make sure it is there on every backend.
    for job in jobs.values():
        assert job.file.storage.exists(job.file.name), job.file.name
    return Rich(
        world=w,
        sibling=sibling,
        hidden=hidden,
        firms=firms,
        runs=runs,
        edition=edition,
        cluster=cluster,
        jobs=jobs,
        norole=UserFactory(username="norole"),
        figures=figures,
    )


def pytest_terminal_summary(terminalreporter) -> None:
    """One line with the number of access-matrix cells and schemathesis calls checked
    (summed from the test reports, so it also works with pytest-xdist)."""
    totals = {"matrix_cells": 0, "schemathesis_calls": 0}
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        for name, value in getattr(report, "user_properties", []):
            if name in totals and report.when == "call":
                totals[name] += value
    parts = []
    if totals["matrix_cells"]:
        parts.append(f"{totals['matrix_cells']} access-matrix cells checked")
    if totals["schemathesis_calls"]:
        parts.append(f"{totals['schemathesis_calls']} schemathesis API calls")
    if parts:
        terminalreporter.write_line("security: " + ", ".join(parts))
