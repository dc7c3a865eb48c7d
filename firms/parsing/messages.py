"""Message templates for every error and warning code, in Persian and English.

One dict so translators and the API documentation have a single place to look. Templates use
`str.format` fields; `render` converts ASCII digits in the parameters to Persian digits for
the Persian text, so a manager never sees "ردیف 7".
"""

from __future__ import annotations

from collections.abc import Mapping

# code -> (Persian, English). File-level codes first, then cell codes, then warnings.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- file level (FileRejected) ---
    "empty_file": ("فایل خالی است", "the file is empty"),
    "file_too_large": (
        "حجم فایل {size_mb} مگابایت است؛ حداکثر مجاز {max_mb} مگابایت است",
        "the file is {size_mb} MB; the maximum is {max_mb} MB",
    ),
    "unsupported_type": (
        "این فایل CSV یا XLSX نیست ({detected})؛ آن را با قالب «CSV UTF-8» یا «Excel Workbook (.xlsx)» ذخیره کنید",
        'this is not a CSV or XLSX file ({detected}); save it as "CSV UTF-8" or'
        ' "Excel Workbook (.xlsx)"',
    ),
    "legacy_xls": (
        "فایل‌های قدیمی Excel 97-2003 (.xls) و کارپوشه‌های رمزدار پذیرفته نمی‌شوند؛ فایل را بدون رمز و با قالب «Excel Workbook (.xlsx)» ذخیره کنید",
        "old Excel 97-2003 (.xls) files and password-protected workbooks are not accepted;"
        ' save it as "Excel Workbook (.xlsx)" without a password',
    ),
    "macro_workbook": (
        "کارپوشه‌های دارای ماکرو (.xlsm) پذیرفته نمی‌شوند؛ فایل را با قالب «Excel Workbook (.xlsx)» ذخیره کنید",
        'macro-enabled workbooks (.xlsm) are not accepted; save it as "Excel Workbook (.xlsx)"',
    ),
    "zip_too_many_entries": (
        "کارپوشه {count} بخش داخلی دارد؛ حداکثر مجاز {max} است",
        "the workbook has {count} internal parts; the maximum is {max}",
    ),
    "zip_unsafe_entry": (
        "کارپوشه یک مسیر داخلی ناامن دارد و باز نشد",
        "the workbook contains an unsafe internal path; it was not opened",
    ),
    "too_large_uncompressed": (
        "حجم کارپوشه پس از بازشدن {size_mb} مگابایت است؛ حداکثر مجاز {max_mb} مگابایت است",
        "the workbook expands to {size_mb} MB when unpacked; the maximum is {max_mb} MB",
    ),
    "compression_ratio": (
        "نسبت فشرده‌سازی کارپوشه {ratio} به ۱ است که مشکوک است (حداکثر {max} به ۱)؛ فایل باز نشد",
        "the workbook is compressed {ratio}:1, which is suspicious (maximum {max}:1);"
        " it was not opened",
    ),
    "invalid_workbook": (
        "کارپوشه خوانده نشد و ممکن است آسیب دیده باشد؛ آن را در Excel باز کنید، دوباره ذخیره کنید و بارگذاری کنید",
        "the workbook could not be read and may be damaged; open it in Excel, save it again"
        " and upload it",
    ),
    "bad_encoding": (
        "متن فایل UTF-8 معتبر نیست (بایت 0x{byte} در موقعیت {offset}، خط {line})؛ فایل را با قالب «CSV UTF-8» ذخیره و دوباره بارگذاری کنید",
        "the file is not valid UTF-8 text (byte 0x{byte} at offset {offset}, line {line});"
        ' save it as "CSV UTF-8" and upload it again',
    ),
    "wrong_delimiter": (
        "ستون‌ها با «{found}» جدا شده‌اند؛ از ویرگول انگلیسی (,) استفاده کنید (ذخیره با قالب «CSV UTF-8 (Comma delimited)»)",
        'the columns are separated by "{found}"; use commas (save as'
        ' "CSV UTF-8 (Comma delimited)")',
    ),
    "unclosed_quote": (
        "مقداری که در ردیف {row} با گیومه باز شده، هرگز بسته نشده است",
        "a quoted value that starts on row {row} is never closed",
    ),
    "malformed_csv": (
        "ردیف {row} یک گیومه در جای نادرست دارد",
        "row {row} has a quote character in the wrong place",
    ),
    "cell_too_long": (
        "ردیف {row} مقداری طولانی‌تر از {max} نویسه دارد",
        "row {row} has a value longer than {max} characters",
    ),
    "no_header": (
        "ردیف ۱ باید عنوان ستون‌ها را داشته باشد",
        "row 1 must hold the column headers",
    ),
    "blank_header": (
        "ستون {column} ({letter}) عنوان ندارد",
        "column {column} ({letter}) has no header",
    ),
    "too_many_columns": (
        "فایل بیش از {max} ستون دارد",
        "the file has more than {max} columns",
    ),
    "duplicate_columns": (
        "ستون «{column}» بیش از یک بار آمده است: {headers}",
        'the column "{column}" appears more than once: {headers}',
    ),
    "missing_columns": (
        "ستون‌های الزامی وجود ندارند: {columns_fa}",
        "required columns are missing: {columns}",
    ),
    "no_rows": (
        "فایل عنوان ستون‌ها را دارد ولی هیچ ردیف داده‌ای ندارد",
        "the file has a header but no data rows",
    ),
    "too_many_rows": (
        "فایل بیش از {max} ردیف داده دارد",
        "the file has more than {max} data rows",
    ),
    "too_many_lines": (
        "فایل بیش از {max} سطر دارد (حد Excel)",
        "the file has more than {max} lines (the Excel limit)",
    ),
    # --- cell level (CellError) ---
    "ragged_row": (
        "این ردیف {count} مقدار دارد ولی سطر عنوان {expected} ستون دارد",
        "the row has {count} values but the header has {expected} columns",
    ),
    "required": ("این مقدار الزامی است", "a value is required"),
    "control_character": (
        "نویسه کنترلی یا نامعتبر دارد",
        "contains a control or invalid character",
    ),
    "too_long": (
        "طول آن بیش از {max} نویسه است",
        "is longer than {max} characters",
    ),
    "not_a_number": ("باید عدد باشد", "must be a number"),
    "not_integer": ("باید عدد صحیح (بدون اعشار) باشد", "must be a whole number"),
    "ambiguous_number": (
        "جداکننده مبهم است؛ عدد را بدون جداکننده یا با ویرگول (,) برای هزارگان بنویسید",
        'the separator is ambiguous; write the number without separators or with "," for thousands',
    ),
    "parenthesised_number": (
        "عدد داخل پرانتز پذیرفته نیست؛ عدد منفی را با علامت منها بنویسید",
        "a number in parentheses is not accepted; write a negative number with a minus sign",
    ),
    "scientific_notation": (
        "نماد علمی (مانند 1E+10) پذیرفته نیست؛ عدد کامل را بنویسید",
        "scientific notation (such as 1E+10) is not accepted; write the full number",
    ),
    "excel_error": (
        "سلول خطای Excel دارد؛ فرمول را اصلاح کنید یا مقدار را وارد کنید",
        "the cell holds an Excel error; fix the formula or type the value",
    ),
    "formula": (
        "سلول فرمول دارد؛ آن را با «Paste Special ← Values» به مقدار تبدیل کنید",
        "the cell holds a formula; convert it to a value (Paste Special → Values)",
    ),
    "negative": ("باید صفر یا بیشتر باشد", "must be zero or more"),
    "too_small": ("باید دست‌کم {min} باشد", "must be at least {min}"),
    "too_large": ("باید حداکثر {max} باشد", "must be at most {max}"),
    "out_of_range": ("باید بین {min} و {max} باشد", "must be between {min} and {max}"),
    "year_out_of_range": (
        "باید سال خورشیدی بین {min} و {max} باشد",
        "must be a Jalali (solar hijri) year between {min} and {max}",
    ),
    "gregorian_year": (
        "به نظر سال میلادی است؛ سال خورشیدی بنویسید (مثلاً ۱۴۰۲)",
        "looks like a Gregorian year; write the Jalali year (for example 1402)",
    ),
    "founded_after_year": (
        "نباید پس از سال داده‌ها ({year}) باشد",
        "must not be after the data year ({year})",
    ),
    "exports_above_sales": (
        "نباید بیشتر از فروش ({sales}) باشد",
        "must not be more than sales ({sales})",
    ),
    "national_id_format": (
        "شناسه ملی باید دقیقاً ۱۱ رقم باشد",
        "a national id must be exactly 11 digits",
    ),
    "bad_checksum": (
        "شناسه ملی معتبر نیست (رقم کنترل نادرست است)",
        "is not a valid national id (wrong check digit)",
    ),
    "id_scientific_notation": (
        "Excel شناسه را به نماد علمی تبدیل کرده است؛ قالب ستون را «Text» کنید و شناسه را دوباره تایپ کنید",
        'Excel turned the id into scientific notation; format the column as "Text" and'
        " type the id again",
    ),
    "id_numeric_cell": (
        "شناسه به‌صورت عدد ذخیره شده است؛ قالب ستون را «Text» کنید و شناسه را دوباره تایپ کنید",
        'the id is stored as a number; format the column as "Text" and type the id again',
    ),
    "isic_format": (
        "باید کد چهاررقمی رده ISIC Rev.4 باشد",
        "must be a 4-digit ISIC Rev.4 class code",
    ),
    "unknown_isic": (
        "کد رده ISIC Rev.4 نیست",
        "is not an ISIC Rev.4 class code",
    ),
    "unknown_certification": (
        "گواهینامه «{token}» شناخته‌شده نیست؛ مجاز: {allowed}",
        'unknown certification "{token}"; allowed: {allowed}',
    ),
    "bad_boolean": (
        "باید «بله» یا «خیر» (یا 1 و 0) باشد",
        'must be "yes" or "no" (or 1 and 0)',
    ),
    "duplicate_in_file": (
        "تکرار ردیف {first_row} است (همان شناسه ملی و سال)",
        "duplicates row {first_row} (same national id and year)",
    ),
    # --- warnings (FileWarning) ---
    "unknown_column": (
        "ستون «{header}» جزو الگو نیست و نادیده گرفته شد",
        'the column "{header}" is not part of the template and was ignored',
    ),
    "reserved_column": (
        "ستون «{header}» نادیده گرفته شد؛ شهرک، امتیاز و رتبه هرگز از فایل خوانده نمی‌شوند",
        'the column "{header}" was ignored; the park, score and rank are never read from the file',
    ),
    "sheets_ignored": (
        "فقط برگه «{sheet}» خوانده شد؛ برگه‌های دیگر نادیده گرفته شدند: {others}",
        'only the sheet "{sheet}" was read; other sheets were ignored: {others}',
    ),
    # --- checks against the database, made by the web layer ---
    "other_park": (
        "این بنگاه در شهرک دیگری ({park}) ثبت شده است؛ داده آن را فقط مدیر همان شهرک می‌تواند بارگذاری کند",
        "this firm is registered in another park ({park}); only that park's managers may upload its data",
    ),
}

_TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian_digits(value: object) -> str:
    """The text of `value` with ASCII digits written as Persian digits."""
    return str(value).translate(_TO_PERSIAN_DIGITS)


def render(code: str, params: Mapping[str, object] | None = None) -> tuple[str, str]:
    """(Persian, English) message for `code`; Persian parameters use Persian digits."""
    fa, en = MESSAGES[code]
    params = dict(params or {})
    fa_params = {
        key: value
        if isinstance(value, str) and not _is_number_like(value)
        else persian_digits(value)
        for key, value in params.items()
    }
    return fa.format(**fa_params), en.format(**params)


def _is_number_like(text: str) -> bool:
    # Row numbers, limits and years arrive as numbers or digit strings; user text (a header or
    # a certification token) keeps its own digits so it matches what is in the file.
    return text.replace(",", "").replace("-", "").replace(".", "").isdigit()
