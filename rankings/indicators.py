"""Indicators derived from firm-year figures. Pure pandas: no Django, no row loops.

Input: one row per (firm_id, year) with the FirmYear columns (money in million rials) and
the firm's `knowledge_based` flag. Output: one row per firm for the requested year, one
column per indicator. Ratios whose denominator is zero or missing are missing (NaN), and
growth needs the previous year: a firm without one gets NaN, which the methodology's
imputation step then fills.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from firms.figures import FIGURE_FIELDS

# code: (English label, Persian label, direction)
INDICATORS: dict[str, tuple[str, str, int]] = {
    "sales_log": ("Sales (log)", "فروش (لگاریتمی)", 1),
    "sales_growth": ("Sales growth", "رشد فروش", 1),
    "employment_growth": ("Employment growth", "رشد اشتغال", 1),
    "sales_per_employee": ("Sales per employee", "فروش سرانه هر کارکن", 1),
    "profit_margin": ("Profit margin", "حاشیه سود", 1),
    "export_share": ("Export share of sales", "سهم صادرات از فروش", 1),
    "export_growth": ("Export growth", "رشد صادرات", 1),
    "export_markets": ("Export markets", "تعداد بازارهای صادراتی", 1),
    "rd_intensity": ("R&D intensity", "شدت تحقیق و توسعه", 1),
    "new_products": ("New products", "محصولات جدید", 1),
    "tech_level": ("Technology-adoption level", "سطح به‌کارگیری فناوری", 1),
    "knowledge_based": ("Knowledge-based status", "دانش‌بنیان بودن", 1),
    "certifications": ("Quality certifications", "گواهینامه‌های کیفیت", 1),
    "national_standard": ("National standard mark", "نشان استاندارد ملی", 1),
    "debt_ratio": ("Debt ratio", "نسبت بدهی", -1),
    "return_on_assets": ("Return on assets", "بازده دارایی‌ها", 1),
}

FIGURE_COLUMNS = list(FIGURE_FIELDS)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    num = numerator.astype("float64")
    den = denominator.astype("float64")
    return (num / den.where(den > 0)).astype("float64")


def indicators_compute(*, figures: pd.DataFrame, year: int) -> pd.DataFrame:
    """Indicators of every firm that has figures for `year`, indexed by firm_id."""
    figures = figures.astype({c: "float64" for c in FIGURE_COLUMNS if c != "certifications"})
    current = figures[figures["year"] == year].set_index("firm_id")
    previous = (
        figures[figures["year"] == year - 1]
        .set_index("firm_id")[["sales", "employees", "exports"]]
        .reindex(current.index)
    )
    certs = current["certifications"].fillna("").astype(str)
    out = pd.DataFrame(index=current.index)
    out["sales_log"] = np.log1p(current["sales"])
    out["sales_growth"] = _ratio(current["sales"], previous["sales"]) - 1
    out["employment_growth"] = _ratio(current["employees"], previous["employees"]) - 1
    out["sales_per_employee"] = _ratio(current["sales"], current["employees"])
    out["profit_margin"] = _ratio(current["net_profit"], current["sales"])
    out["export_share"] = _ratio(current["exports"], current["sales"])
    # Relative to last year's sales, not last year's exports: a first export (from zero)
    # is growth too, and the ratio stays bounded.
    out["export_growth"] = _ratio(current["exports"] - previous["exports"], previous["sales"])
    out["export_markets"] = current["export_countries"]
    out["rd_intensity"] = _ratio(current["rd_spend"], current["sales"])
    out["new_products"] = current["new_products"]
    out["tech_level"] = current["tech_level"]
    out["knowledge_based"] = current["knowledge_based"].astype("float64")
    out["certifications"] = certs.str.count(";").add(1).where(certs != "", 0).astype("float64")
    out["national_standard"] = certs.str.contains("INSO", regex=False).astype("float64")
    out["debt_ratio"] = _ratio(current["total_debt"], current["total_assets"])
    out["return_on_assets"] = _ratio(current["net_profit"], current["total_assets"])
    return out.astype("float64")
