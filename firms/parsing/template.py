"""Downloadable blank templates, generated from the schema so they can never drift from it."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .read_xlsx import DATA_SHEET, NOTES_SHEET
from .schema import COLUMNS

# Columns Excel must not turn into numbers: ids lose leading zeros or become 1.03803E+10.
_TEXT_COLUMNS = {"national_id", "isic", "certifications"}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTES_FA = (
    "یک ردیف برای هر بنگاه در هر سال. ترتیب ستون‌ها مهم نیست؛ عنوان ستون می‌تواند فارسی یا کلید انگلیسی باشد.",
    "ارقام فارسی و عربی پذیرفته می‌شوند. جداکننده هزارگان «,» یا «٬» مجاز است؛ «.» به‌عنوان جداکننده هزارگان پذیرفته نیست.",
    "همه مقادیر عددی باید صحیح باشند (بدون اعشار). عدد منفی را با علامت منها بنویسید، نه داخل پرانتز.",
    "فرمول پذیرفته نیست: پیش از بارگذاری، سلول‌ها را با «Paste Special ← Values» به مقدار تبدیل کنید.",
    "فایل CSV را با قالب «CSV UTF-8 (Comma delimited)» ذخیره کنید.",
)
_NOTES_EN = (
    "One row per firm and year. Column order does not matter; headers may be Persian or the"
    " English key.",
    'Persian and Arabic digits are accepted. "," or "٬" may separate thousands; "." may not.',
    "All numbers are whole numbers. Write negatives with a minus sign, not in parentheses.",
    "Formulas are not accepted: paste them as values before uploading.",
    'Save CSV files as "CSV UTF-8 (Comma delimited)".',
)


def template_csv() -> bytes:
    """The Persian header row, UTF-8 with a BOM so Excel detects the encoding, CRLF lines."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.header_fa for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """A data sheet (Persian headers, id columns formatted as text) and a notes sheet."""
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    data.sheet_view.rightToLeft = True
    data.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        cell = data.cell(row=1, column=index, value=column.header_fa)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = max(14, len(column.header_fa) + 4)
        if column.key in _TEXT_COLUMNS:
            data.column_dimensions[letter].number_format = "@"
    data.row_dimensions[1].height = 32
    _add_validations(data)

    notes = workbook.create_sheet(NOTES_SHEET)
    notes.sheet_view.rightToLeft = True
    titles = ("ستون", "کلید (key)", "الزامی", "قاعده", "rule", "نمونه")
    notes.append(titles)
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in COLUMNS:
        required = "بله" if column.required else "خیر"
        notes.append([column.header_fa, column.key, required, column.rule_fa, column.rule_en,
                      column.example])  # fmt: skip
    notes.append([])
    for fa, en in zip(_NOTES_FA, _NOTES_EN, strict=True):
        notes.append([fa, "", "", "", en])
    for letter, width in zip("ABCDEF", (30, 18, 8, 48, 48, 22), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _add_validations(sheet: Worksheet) -> None:
    """Drop-downs and ranges Excel enforces while typing (the server still checks everything)."""
    keys = [c.key for c in COLUMNS]

    def column_range(key: str) -> str:
        letter = get_column_letter(keys.index(key) + 1)
        return f"{letter}2:{letter}1048576"

    yes_no = DataValidation(type="list", formula1='"بله,خیر"', allow_blank=True)
    yes_no.add(column_range("knowledge_based"))
    level = DataValidation(type="whole", operator="between", formula1="0", formula2="5",
                           allow_blank=True)  # fmt: skip
    level.add(column_range("tech_level"))
    for validation in (yes_no, level):
        sheet.add_data_validation(validation)
