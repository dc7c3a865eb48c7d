"""Checksums of Iranian identifiers. Pure Python: used by models, parsing and seeding.

The legal-entity id (شناسه ملی, 11 digits) identifies a firm; the personal national
code (کد ملی, 10 digits) is kept here because the same reference vectors cover both.
"""

from __future__ import annotations

import random

LEGAL_ID_COEFFICIENTS = (29, 27, 23, 19, 17)


def _legal_id_check_digit(first_ten: str) -> int:
    decade = int(first_ten[9]) + 2
    total = sum(
        (decade + int(digit)) * LEGAL_ID_COEFFICIENTS[i % 5] for i, digit in enumerate(first_ten)
    )
    remainder = total % 11
    return 0 if remainder == 10 else remainder


def legal_id_is_valid(value: str) -> bool:
    """True for an 11-digit legal-entity id with a correct check digit."""
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    # The registration serial (digits 4-9) is never all zero in an issued id.
    if int(value[3:9]) == 0:
        return False
    return _legal_id_check_digit(value[:10]) == int(value[10])


def national_code_is_valid(value: str) -> bool:
    """True for a 10-digit personal national code (8 or 9 digits are left-padded)."""
    if not 8 <= len(value) <= 10 or not value.isascii() or not value.isdigit():
        return False
    code = value.zfill(10)
    # Repeated digits pass the checksum but are never issued.
    if len(set(code)) == 1 or int(code[3:9]) == 0:
        return False
    remainder = sum(int(code[i]) * (10 - i) for i in range(9)) % 11
    check = int(code[9])
    return check == remainder if remainder < 2 else check == 11 - remainder


def legal_id_generate(rng: random.Random) -> str:
    """A random valid legal-entity id (for demo data and tests)."""
    while True:
        body = "1" + "".join(str(rng.randrange(10)) for _ in range(9))
        if int(body[3:9]) == 0:
            continue
        return body + str(_legal_id_check_digit(body))
