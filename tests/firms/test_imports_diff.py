"""The upload diff on its own (pure pandas): what counts as a change, and how it is stored."""

import json

import pandas as pd

from firms.imports_diff import FIRM_FIELDS, YEAR_FIELDS, import_diff

ID = "10380284790"
FIGURES = {
    "employees": 45,
    "sales": 125000,
    "exports": 20000,
    "export_countries": 3,
    "rd_spend": 1500,
    "net_profit": -2500,
    "total_assets": 98000,
    "total_debt": 41000,
    "new_products": 2,
    "tech_level": 3,
}
FIRM = {"name_fa": "شرکت نمونه", "name_en": "", "isic": "1079", "founded_year": 1385}


def uploaded(**changes: object) -> dict[str, object]:
    """A parsed row as the parser gives it: blank cells are None, codes sorted."""
    values = {"certifications": None, "knowledge_based": None, **FIGURES, **FIRM}
    values["name_en"] = None
    return {"row": 2, "national_id": ID, "year": 1403, **values, **changes}


def stored(
    *, certifications: str = "", knowledge_based: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The current firm and firm-year as the service loads them from the database."""
    firms = pd.DataFrame(
        [{"national_id": ID, **FIRM, "knowledge_based": knowledge_based}],
        columns=["national_id", *FIRM_FIELDS],
    )
    years = pd.DataFrame(
        [{"national_id": ID, "year": 1403, **FIGURES, "certifications": certifications}],
        columns=["national_id", "year", *YEAR_FIELDS],
    )
    return firms, years


def diff(rows: list[dict[str, object]], firms: pd.DataFrame, years: pd.DataFrame):
    frame = pd.DataFrame(rows)
    present = set(frame.columns) - {"row"}
    return import_diff(rows=frame, present=present, firms=firms, years=years)


def test_blank_cells_against_empty_stored_values_are_no_change() -> None:
    result = diff([uploaded()], *stored())
    assert (result.changed_years, result.unchanged_years, result.changed_firms) == (0, 1, 0)
    assert not result.changes_anything


def test_blank_certifications_next_to_filled_ones_are_no_change() -> None:
    # A column holding both codes and blanks is inferred as text by pandas, with NaN (not
    # None) for the blanks: they must still compare equal.
    other = "10100387143"
    firms, years = stored(certifications="HACCP")
    firms = pd.concat([firms, firms.assign(national_id=other)], ignore_index=True)
    years = pd.concat([years, years.assign(national_id=other, certifications="")])
    rows = [uploaded(certifications="HACCP"), {**uploaded(), "national_id": other, "row": 3}]
    result = diff(rows, firms, years)
    assert (result.changed_years, result.unchanged_years) == (0, 2), result.changes


def test_certifications_in_another_order_or_case_are_no_change() -> None:
    firms, years = stored(certifications="ISO9001;HACCP")
    result = diff([uploaded(certifications="HACCP;ISO9001")], firms, years)
    assert result.changed_years == 0
    result = diff([uploaded(certifications="haccp; iso9001")], firms, years)
    assert result.changed_years == 0


def test_removed_certifications_are_a_change_shown_as_none() -> None:
    firms, years = stored(certifications="ISO9001;HACCP")
    result = diff([uploaded()], firms, years)
    assert result.changed_years == 1
    assert result.changes[0]["fields"] == {"certifications": {"old": "HACCP;ISO9001", "new": None}}


def test_old_figures_are_integers_even_next_to_new_firm_years() -> None:
    # A new firm-year in the same file makes pandas widen the stored columns to float.
    other = {**uploaded(sales=130000), "national_id": "10100387143", "row": 3}
    firms, years = stored()
    result = diff([uploaded(sales=130000), other], firms, years)
    assert (result.new_years, result.changed_years) == (1, 1)
    fields = result.changes[0]["fields"]
    assert fields == {"sales": {"old": 125000, "new": 130000}}
    assert type(fields["sales"]["old"]) is int
    assert '"old": 125000,' in json.dumps(fields)
