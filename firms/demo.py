"""Synthetic, realistic demo data: parks in every province, firms whose activities
concentrate by region, correlated yearly figures. Pure numpy/pandas, seeded.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from firms.figures import OPTIONAL_FIGURES
from firms.national_id import LEGAL_ID_COEFFICIENTS

_NAME_PREFIX_FA = ["صنایع", "شرکت", "تولیدی", "گروه صنعتی", "کارخانجات", "مجتمع", "فرآورده‌های"]
_NAME_PREFIX_EN = [
    "Sanaye",
    "Sherkat",
    "Toolidi",
    "Industrial Group",
    "Karkhanejat",
    "Complex",
    "Faravardeh",
]
_NAME_CORE = [
    ("پارس", "Pars"),
    ("آریا", "Arya"),
    ("سپاهان", "Sepahan"),
    ("البرز", "Alborz"),
    ("نوین", "Novin"),
    ("کیمیا", "Kimia"),
    ("فولاد", "Foolad"),
    ("پلیمر", "Polymer"),
    ("زاگرس", "Zagros"),
    ("دماوند", "Damavand"),
    ("کاوه", "Kaveh"),
    ("مهر", "Mehr"),
    ("آفتاب", "Aftab"),
    ("سینا", "Sina"),
    ("رازی", "Razi"),
    ("خزر", "Khazar"),
    ("بهار", "Bahar"),
    ("پیشرو", "Pishro"),
    ("ایران", "Iran"),
    ("شرق", "Shargh"),
    ("توسعه", "Tose'e"),
    ("صنعت", "Sanat"),
    ("امید", "Omid"),
    ("نیک", "Nik"),
    ("تابان", "Taban"),
    ("روشن", "Roshan"),
    ("آرین", "Arian"),
    ("ستاره", "Setareh"),
    ("گستر", "Gostar"),
    ("پویا", "Pouya"),
    ("هامون", "Hamoon"),
    ("کوثر", "Kowsar"),
]
_NAME_SUFFIX = [
    ("", ""),
    (" نوین", " Novin"),
    (" گستر", " Gostar"),
    (" صنعت", " Sanat"),
    (" پارس", " Pars"),
    (" سازان", " Sazan"),
    (" آوران", " Avaran"),
    (" تک", " Tech"),
]

# Manufacturing divisions most SMEs in industrial parks belong to, and a few services.
_DIVISIONS = [
    "10",
    "11",
    "13",
    "14",
    "15",
    "16",
    "17",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "30",
    "31",
    "32",
    "33",
    "38",
    "46",
    "62",
    "72",
]
CERTIFICATIONS = ("ISO9001", "ISO14001", "ISO45001", "ISO22000", "HACCP", "GMP", "CE", "INSO")
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def legal_ids(*, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` distinct valid 11-digit legal-entity ids, vectorised."""
    bodies = rng.choice(8 * 10**8, size=count, replace=False).astype(np.int64) + 10**8
    bodies = bodies + 10**9  # a leading 1, as in issued ids
    digits = (bodies[:, None] // (10 ** np.arange(9, -1, -1, dtype=np.int64))) % 10
    decade = digits[:, 9:10] + 2
    coeff = np.array([LEGAL_ID_COEFFICIENTS[i % 5] for i in range(10)])
    remainder = ((decade + digits) * coeff).sum(axis=1) % 11
    check = np.where(remainder == 10, 0, remainder)
    serial_zero = (digits[:, 3:9] == 0).all(axis=1)
    bodies = np.where(serial_zero, bodies + 1000, bodies)  # rare; keeps ids issuable
    return np.array([f"{b:010d}{c}" for b, c in zip(bodies, check, strict=True)])


def demo_parks(*, parks: int, provinces: Sequence[dict[str, str]]) -> pd.DataFrame:
    """`parks` parks spread over every province (the first park of each province first)."""
    rows = []
    for i in range(parks):
        province = provinces[i % len(provinces)]
        k = i // len(provinces) + 1
        rows.append(
            {
                "code": f"{province['code'][3:]}-{k:02d}",
                "name_fa": f"شهرک صنعتی {province['capital_fa']} "
                f"{str(k).translate(_PERSIAN_DIGITS)}",
                "name_en": f"{province['capital_en']} Industrial Park {k}",
                "province": province["code"],
            }
        )
    return pd.DataFrame(rows)


def demo_firms(
    *,
    firms: int,
    parks: pd.DataFrame,
    classes_by_division: dict[str, list[str]],
    seed: int = 1403,
) -> pd.DataFrame:
    """Firm identities. Each province specialises in two or three divisions, so the
    location quotients of the demo data show real clusters."""
    rng = np.random.default_rng(seed)
    divisions = [d for d in _DIVISIONS if classes_by_division.get(d)]
    provinces = sorted(parks["province"].unique())
    specialities = {
        p: rng.choice(divisions, size=int(rng.integers(2, 4)), replace=False) for p in provinces
    }
    park_index = rng.integers(0, len(parks), size=firms)
    park_province = parks["province"].to_numpy()[park_index]
    specialised = rng.random(firms) < 0.55
    national_draw = rng.choice(divisions, size=firms)
    spec_draw = np.array(
        [
            specialities[p][int(u * len(specialities[p]))]
            for p, u in zip(park_province, rng.random(firms), strict=True)
        ]
    )
    division = np.where(specialised, spec_draw, national_draw)
    class_pick = rng.random(firms)
    isic = np.array(
        [
            classes_by_division[d][int(u * len(classes_by_division[d]))]
            for d, u in zip(division, class_pick, strict=True)
        ]
    )
    prefix = rng.integers(0, len(_NAME_PREFIX_FA), size=firms)
    core = rng.integers(0, len(_NAME_CORE), size=firms)
    suffix = rng.integers(0, len(_NAME_SUFFIX), size=firms)
    name_fa = [
        f"{_NAME_PREFIX_FA[p]} {_NAME_CORE[c][0]}{_NAME_SUFFIX[s][0]}"
        for p, c, s in zip(prefix, core, suffix, strict=True)
    ]
    name_en = [
        f"{_NAME_PREFIX_EN[p]} {_NAME_CORE[c][1]}{_NAME_SUFFIX[s][1]}"
        for p, c, s in zip(prefix, core, suffix, strict=True)
    ]
    return pd.DataFrame(
        {
            "national_id": legal_ids(count=firms, rng=rng),
            "name_fa": name_fa,
            "name_en": name_en,
            "park_code": parks["code"].to_numpy()[park_index],
            "isic": isic,
            "founded_year": rng.integers(1350, 1401, size=firms),
            "knowledge_based": rng.random(firms) < 0.09,
        }
    )


def demo_years(
    *, firms: pd.DataFrame, years: int, last_year: int = 1403, seed: int = 1403
) -> pd.DataFrame:
    """Yearly figures with plausible correlations (money in million rials)."""
    rng = np.random.default_rng(seed + 1)
    n = len(firms)
    # Size: about 30 % micro, 50 % small, 20 % medium.
    size_class = rng.choice(3, size=n, p=[0.3, 0.5, 0.2])
    low = np.array([2, 10, 50])[size_class]
    high = np.array([10, 50, 200])[size_class]
    employees0 = np.exp(rng.uniform(np.log(low), np.log(high))).round().astype(np.int64)
    productivity = np.exp(rng.normal(np.log(9000), 0.6, size=n))  # sales per employee
    tech = np.clip(rng.normal(2.2, 1.2, size=n) + firms["knowledge_based"].to_numpy() * 1.5, 0, 5)
    exporter = rng.random(n) < 0.25 + 0.08 * tech / 5
    export_share = rng.beta(2, 5, size=n) * exporter
    rd_active = rng.random(n) < 0.2 + 0.12 * tech
    rd_intensity = rng.uniform(0.003, 0.05, size=n) * rd_active
    margin = rng.normal(0.07, 0.1, size=n)
    leverage = rng.beta(2, 3, size=n)
    cert_p = 0.08 + 0.5 * (size_class / 2) * rng.random(n)
    frames = []
    employees = employees0.astype(float)
    sales = employees * productivity
    for offset, year in enumerate(range(last_year - years + 1, last_year + 1)):
        if offset:
            employees = np.maximum(1, employees * np.exp(rng.normal(0.03, 0.12, size=n)))
            sales = sales * np.exp(rng.normal(0.3, 0.25, size=n))  # nominal, high inflation
        emp = employees.round().astype(np.int64)
        sal = sales.round().astype(np.int64)
        exp_ = np.minimum(
            sal, (sal * np.clip(export_share * rng.uniform(0.8, 1.2, n), 0, 1)).round()
        )
        certs = rng.random((n, len(CERTIFICATIONS))) < cert_p[:, None] * np.array(
            [1.0, 0.35, 0.25, 0.15, 0.15, 0.12, 0.2, 0.6]
        )
        cert_text = [
            ";".join(c for c, has in zip(CERTIFICATIONS, row, strict=True) if has) for row in certs
        ]
        assets = (sal * np.exp(rng.normal(-0.1, 0.4, size=n))).round()
        frame = pd.DataFrame(
            {
                "national_id": firms["national_id"].to_numpy(),
                "year": year,
                "employees": emp,
                "sales": sal,
                "exports": exp_.astype(np.int64),
                "export_countries": np.where(exp_ > 0, rng.integers(1, 16, size=n), 0),
                "rd_spend": (sal * rd_intensity).round().astype(np.int64),
                "net_profit": (sal * (margin + rng.normal(0, 0.04, n))).round().astype(np.int64),
                "total_assets": assets.astype(np.int64),
                "total_debt": (assets * np.clip(leverage + rng.normal(0, 0.05, n), 0, 1.5))
                .round()
                .astype(np.int64),
                "certifications": cert_text,
                "new_products": rng.poisson(0.3 + tech * 0.5),
                "tech_level": np.clip(tech + rng.normal(0, 0.4, n), 0, 5).round().astype(np.int64),
            }
        )
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    # About 3 % of the optional figures are missing, as in real submissions.
    for column in OPTIONAL_FIGURES:
        missing = rng.random(len(out)) < 0.03
        out[column] = out[column].astype("Int64").mask(missing)
    return out


def in_sme_band(figures: pd.DataFrame, eligibility: Mapping[str, Any]) -> pd.Series:
    """Which rows fall in the methodology's SME band (as `rankings.compute.eligibility`)."""
    employees = figures["employees"].astype("float64")
    ok = employees >= eligibility.get("employees_min", 0)
    if eligibility.get("employees_max") is not None:
        ok &= employees <= eligibility["employees_max"]
    if eligibility.get("sales_max") is not None:
        ok &= figures["sales"].astype("float64") <= eligibility["sales_max"]
    return ok


def demo_firm_choice(
    *,
    figures: pd.DataFrame,
    year: int,
    eligibility: Mapping[str, Any],
    ranked: Collection[str] | None = None,
) -> str | None:
    """The national id of the firm `demo-firm` signs in as, among `figures` (one park's
    firm-years: national_id, year, employees, sales and the optional figures).

    A micro firm is not ranked, so its page shows none of the ranking; the demo firm is in
    the SME band in `year` and, when the year has been ranked, has a rank (`ranked`: the
    national ids ranked). Among those it prefers a firm in the band every year (a full
    history) with the fewest missing figures, then the smallest national id: the same
    data gives the same firm, so seeding twice keeps the login on the same firm.
    """
    if figures.empty:
        return None
    frame = figures.assign(
        band=in_sme_band(figures, eligibility).to_numpy(),
        missing=figures.reindex(columns=list(OPTIONAL_FIGURES)).isna().sum(axis=1).to_numpy(),
    )
    latest = frame[(frame["year"] == year) & frame["band"]]
    if ranked is not None:
        latest = latest[latest["national_id"].isin(set(ranked))]
    if latest.empty:
        return None
    every_year = frame.groupby("national_id")["band"].all()
    table = latest.assign(
        partial=~latest["national_id"].map(every_year).fillna(False).astype(bool)
    ).sort_values(["partial", "missing", "national_id"])
    return str(table["national_id"].iloc[0])
