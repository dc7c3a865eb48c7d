import csv
from pathlib import Path

import pytest

from firms.national_id import legal_id_generate, legal_id_is_valid, national_code_is_valid

with open(Path(__file__).parents[1] / "data" / "iran_id_test_vectors.csv") as _f:
    VECTORS = list(csv.DictReader(_f))


@pytest.mark.parametrize("row", VECTORS, ids=[f"{r['id_type']}-{r['value']}" for r in VECTORS])
def test_every_reference_vector_is_classified_as_published(row: dict[str, str]) -> None:
    check = legal_id_is_valid if row["id_type"] == "legal_entity_id_11" else national_code_is_valid
    assert check(row["value"]) is (row["expected"] == "valid")


def test_the_vector_file_covers_both_id_types() -> None:
    types = {r["id_type"] for r in VECTORS}
    assert types == {"legal_entity_id_11", "national_code_10"}
    assert len(VECTORS) == 48


def test_a_legal_id_with_persian_digits_is_not_valid_before_normalisation() -> None:
    assert legal_id_is_valid("۱۰۳۸۰۲۸۴۷۹۰") is False
    assert legal_id_is_valid("10380284790") is True


def test_generated_legal_ids_are_valid_and_eleven_digits() -> None:
    import random

    rng = random.Random(1)
    ids = [legal_id_generate(rng) for _ in range(500)]
    assert all(len(i) == 11 and legal_id_is_valid(i) for i in ids)


def test_changing_the_check_digit_of_a_valid_id_makes_it_invalid() -> None:
    valid = "10380284790"
    others = [valid[:10] + str(d) for d in range(10) if str(d) != valid[10]]
    assert [legal_id_is_valid(o) for o in others] == [False] * 9
