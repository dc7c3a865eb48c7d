"""Small fixtures shared by the engine tests (a tiny two-pillar index)."""

import pandas as pd

from rankings.engine import Method, build_index

META_COLUMNS = ["iCode", "iName", "Level", "Parent", "Direction", "Weight", "Type", "Denominator"]


def tiny_meta(changes: dict | None = None) -> pd.DataFrame:
    """Three indicators in two pillars under one index, plus a group and a denominator."""
    rows = [
        ["a", "A", 1, "P1", 1, 1, "Indicator", None],
        ["b", "B", 1, "P1", -1, 1, "Indicator", "pop"],
        ["c", "C", 1, "P2", 1, 1, "Indicator", None],
        ["P1", "Pillar 1", 2, "Idx", 1, 1, "Aggregate", None],
        ["P2", "Pillar 2", 2, "Idx", 1, 1, "Aggregate", None],
        ["Idx", "Index", 3, None, 1, 1, "Aggregate", None],
        ["region", "Region", None, None, None, None, "Group", None],
        ["pop", "Population", None, None, None, None, "Denominator", None],
    ]
    meta = pd.DataFrame(rows, columns=META_COLUMNS)
    for (code, column), value in (changes or {}).items():
        meta.loc[meta["iCode"] == code, column] = value
    return meta


def tiny_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uCode": ["U1", "U2", "U3", "U4"],
            "uName": ["One", "Two", "Three", "Four"],
            "region": ["north", "north", "south", "south"],
            "pop": [1.0, 2.0, 4.0, 5.0],
            "a": [0.0, 5.0, 10.0, 10.0],
            "b": [2.0, 4.0, 8.0, 20.0],
            "c": [1.0, 3.0, 2.0, 5.0],
        }
    )


def run(data=None, meta=None, **method):
    return build_index(
        data=tiny_data() if data is None else data,
        meta=tiny_meta() if meta is None else meta,
        method=Method.from_dict(method),
    )
