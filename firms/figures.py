"""The names of a firm-year's figures (no Django: the parsing, demo and index modules
use them too)."""

from __future__ import annotations

# The optional numeric figures: a blank cell is "not reported", never zero.
OPTIONAL_FIGURES = (
    "exports",
    "export_countries",
    "rd_spend",
    "net_profit",
    "total_assets",
    "total_debt",
    "new_products",
    "tech_level",
)
# Every figure of a FirmYear, in the order of the upload template.
FIGURE_FIELDS = (
    "employees",
    "sales",
    *OPTIONAL_FIGURES[:6],
    "certifications",
    *OPTIONAL_FIGURES[6:],
)
