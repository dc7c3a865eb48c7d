"""From firms to cluster maps and cluster members. Pure pandas (no Django).

* :func:`region_sector_stats` aggregates firms into province x ISIC division cells and runs
  :func:`clusters.mapping.map_clusters` on them.
* :func:`discover_clusters` proposes one cluster per strong cell.
* :func:`cluster_members` says which firms belong to which (declared) cluster.

ISIC codes are strings: a class has four digits ("2511"), its group the first three
("251"), its division the first two ("25"). Leading zeros matter ("0111"), so integers
are refused rather than guessed.

Reference group of the LQ. By default every division is compared with all employment in
the data (one group, "all"): the classic LQ, a province's share of a division in its whole
(mostly manufacturing) employment relative to the same share nationally. Passing
``division_section`` compares each division within its ISIC section instead (the CMP's
traded/local idea applied to sections). That is not the default because it is
degenerate for single-division sections (35 electricity, 84 public administration,
99 extraterritorial organisations...): their LQ is 1 in every province where they exist,
so they could never be strong.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from clusters.mapping import map_clusters

FIRM_COLUMNS: tuple[str, ...] = ("firm_id", "province", "isic_class", "employees")
CLUSTER_COLUMNS: tuple[str, ...] = ("cluster_id", "isic_prefix", "province", "park")
SINGLE_GROUP = "all"
DISCOVERY_FLAGS: tuple[str, ...] = ("strong", "strong10")


def _require_columns(frame: pd.DataFrame, expected: tuple[str, ...], *, what: str) -> None:
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def _digit_codes(values: pd.Series, *, lengths: str) -> pd.Series:
    """True where the value is a string of ASCII digits of an allowed length."""
    text = values
    if not pd.api.types.is_string_dtype(values):
        # Only on the error path (ints, mixed objects): find which values are strings.
        is_text = values.map(lambda value: isinstance(value, str)).astype(bool)
        text = values.where(is_text).astype("str")
        text = text.where(is_text)
    # [0-9], not \d: \d also matches Persian digits, which the ISIC codes never use.
    return text.str.fullmatch(rf"[0-9]{{{lengths}}}").fillna(False).astype(bool)


def _show(value: object) -> str:
    # Quote text so "251" and 251 read differently in the message; no numpy reprs.
    return repr(value) if isinstance(value, str) else str(value)


def _isic_classes(firms: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per firm, a code into the distinct ISIC classes; per distinct class, its number.

    A class "2511" becomes 2511, so its division is ``// 100`` and its group ``// 10``:
    prefix work is integer arithmetic on the ~9,000 distinct classes, not string slicing
    of every firm (pandas string methods cost about 2 µs a value).
    """
    codes, classes = pd.factorize(firms["isic_class"].to_numpy(dtype=object))
    if pd.api.types.infer_dtype(classes, skipna=False) == "string":
        is_text = np.ones(len(classes), dtype=bool)
    else:
        # Error path only (integers, mixed objects), over distinct values, not firms.
        is_text = np.array([isinstance(value, str) for value in classes], dtype=bool)
    # Five characters, so a longer code shows up as a non-zero fifth one.
    text = np.array(np.where(is_text, classes, ""), dtype="U5")
    chars = text.view(np.uint32).reshape(len(classes), 5)
    digits = chars[:, :4].astype(np.int64) - ord("0")
    valid = is_text & ((digits >= 0) & (digits <= 9)).all(axis=1) & (chars[:, 4] == 0)
    number = digits @ np.array([1000, 100, 10, 1], dtype=np.int64)
    bad = (codes < 0) | ~valid[np.maximum(codes, 0)]
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"firms: isic_class must be a 4-digit string; {int(bad.sum())} rows are not, "
            f"first {_show(firms['isic_class'].iloc[first])} "
            f"(firm_id {firms['firm_id'].iloc[first]})"
        )
    return codes, number


def region_sector_stats(
    *,
    firms: pd.DataFrame,
    division_section: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Province x ISIC division cells of ``firms`` with their LQ, flags and stars.

    ``firms`` holds one row per firm (a single year) with ``firm_id, province,
    isic_class, employees``. Employment is the sum of ``employees``, establishments the
    number of firms. National employment is the sum over provinces (the firm register
    covers the nation). The group is ``"all"`` unless ``division_section`` (division ->
    ISIC section letter) is given; see the module notes.

    Returns :func:`clusters.mapping.map_clusters` columns with ``region`` renamed
    ``province`` and ``sector`` renamed ``division``; only cells with at least one firm,
    sorted by province then division.
    """
    _require_columns(firms, FIRM_COLUMNS, what="firms")
    duplicated = firms["firm_id"].duplicated().to_numpy()
    if duplicated.any():
        raise ValueError(
            "firms: one row per firm expected (filter a single year first); "
            f"firm_id {firms['firm_id'].iloc[int(np.flatnonzero(duplicated)[0])]} repeats"
        )
    province_code, provinces = pd.factorize(firms["province"], sort=True)
    if (province_code < 0).any():
        first = firms["firm_id"].iloc[int(np.flatnonzero(province_code < 0)[0])]
        raise ValueError(f"firms: province is missing for firm_id {first}")
    employees = pd.to_numeric(firms["employees"], errors="coerce").to_numpy(np.float64)
    invalid = np.isnan(employees) | (employees < 0)
    if invalid.any():
        # Missing headcounts are refused rather than read as 0: a cluster map silently
        # shrunk by missing data looks exactly like a real one.
        first = firms["firm_id"].iloc[int(np.flatnonzero(invalid)[0])]
        raise ValueError(
            f"firms: employees must be a number >= 0; {int(invalid.sum())} rows are not, "
            f"first firm_id {first}"
        )
    class_code, class_number = _isic_classes(firms)
    division_numbers, division_of_class = np.unique(class_number // 100, return_inverse=True)
    divisions = [f"{number:02d}" for number in division_numbers.tolist()]  # at most 100
    division_code = division_of_class[class_code]

    # Cells as integers province * n + division: two bincounts instead of a string groupby.
    n_div = len(divisions)
    cell = province_code.astype(np.int64) * n_div + division_code
    size = len(provinces) * n_div
    employment = np.bincount(cell, weights=employees, minlength=size)
    establishments = np.bincount(cell, minlength=size)
    present = np.flatnonzero(establishments)
    division_of_cell = np.asarray(divisions, dtype=object)[present % n_div]
    if division_section is None:
        group = np.full(len(present), SINGLE_GROUP, dtype=object)
    else:
        section_of = pd.Series(np.asarray(divisions, dtype=object)).map(dict(division_section))
        if section_of.isna().any():
            unknown = sorted(np.asarray(divisions, dtype=object)[section_of.isna().to_numpy()])
            raise ValueError(f"division_section has no section for division(s) {unknown}")
        group = section_of.to_numpy(dtype=object)[present % n_div]
    cells = pd.DataFrame(
        {
            "region": pd.Index(provinces).take(present // n_div),
            "sector": division_of_cell,
            "group": group,
            "employment": employment[present],
            "establishments": establishments[present],
        }
    )
    mapped = map_clusters(regions=cells)
    return mapped.rename(columns={"region": "province", "sector": "division"})


def discover_clusters(*, stats: pd.DataFrame, flag: str = "strong") -> pd.DataFrame:
    """One proposed cluster per province x division cell where ``flag`` is set.

    ``stats`` is the output of :func:`region_sector_stats`. The result has ``cluster_id``
    (``"<province>-<division>"``; the Django layer adds human titles), ``province``,
    ``division``, ``employment``, ``establishments``, ``lq``, ``strong10``, ``stars`` and,
    so it can be passed straight to :func:`cluster_members`, ``isic_prefix`` (the
    division) and ``park`` (None: any park). Sorted by province, then division.
    """
    if flag not in DISCOVERY_FLAGS:
        raise ValueError(f"flag must be one of {', '.join(DISCOVERY_FLAGS)}, not {flag!r}")
    needed = ("province", "division", "employment", "establishments", "lq", "strong10", "stars")
    _require_columns(stats, needed if flag in needed else (*needed, flag), what="stats")
    chosen = stats.loc[stats[flag].astype(bool)]
    result = pd.DataFrame(
        {
            "cluster_id": chosen["province"].astype(str) + "-" + chosen["division"].astype(str),
            "province": chosen["province"],
            "division": chosen["division"],
            "isic_prefix": chosen["division"].astype(str),
            "park": pd.Series([None] * len(chosen), index=chosen.index, dtype=object),
            "employment": chosen["employment"],
            "establishments": chosen["establishments"],
            "lq": chosen["lq"],
            "strong10": chosen["strong10"].astype(bool),
            "stars": chosen["stars"],
        }
    )
    return result.sort_values(["province", "division"], kind="stable").reset_index(drop=True)


def _prefix_table(clusters: pd.DataFrame) -> pd.DataFrame:
    prefixes = clusters.loc[clusters["isic_prefix"].notna(), ["cluster_id", "isic_prefix"]]
    valid = _digit_codes(prefixes["isic_prefix"], lengths="2,4")
    if not valid.all():
        bad = prefixes.loc[~valid].iloc[0]
        raise ValueError(
            f"clusters: isic_prefix must be a 2-4 digit string (division, group or class); "
            f"cluster {bad['cluster_id']} has {_show(bad['isic_prefix'])}"
        )
    return prefixes.drop_duplicates()


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    # np.unique goes through a hash table on numpy 2.x, several times slower here than
    # a plain sort for 10^5-10^6 integer keys.
    ordered = np.sort(keys)
    if ordered.size == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _firms_in_segments(
    firm_keys: np.ndarray, query_keys: np.ndarray, query_owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(owner, firm position) for every firm whose key equals one of the query keys.

    Firms are sorted by key once; each query key is a contiguous run found by binary
    search and the runs are expanded with repeat/arange, so no Python loop touches firms.
    """
    order = np.argsort(firm_keys)
    sorted_keys = firm_keys[order]
    starts = np.searchsorted(sorted_keys, query_keys, side="left")
    counts = np.searchsorted(sorted_keys, query_keys, side="right") - starts
    owner = np.repeat(query_owner, counts)
    offsets = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, order[np.repeat(starts, counts) + offsets]


def _located_members(
    *,
    class_code: np.ndarray,
    firm_place: pd.Series,
    pair_class: np.ndarray,
    pair_cluster: np.ndarray,
    listed: pd.DataFrame,
    column: str,
    cluster_index: pd.Index,
) -> tuple[np.ndarray, np.ndarray]:
    """Members through a listed place: firms of a matching class in a listed place."""
    place_code, places = pd.factorize(firm_place)
    listed_place = pd.Index(places).get_indexer(listed[column])
    known = listed_place >= 0  # a listed place without firms cannot add members
    cluster_place = pd.DataFrame(
        {
            "cluster": cluster_index.get_indexer(listed["cluster_id"])[known],
            "place": listed_place[known],
        }
    ).drop_duplicates()
    # (class, cluster) x (cluster, place): the few cells where members can be.
    cells = pd.DataFrame({"class": pair_class, "cluster": pair_cluster}).merge(
        cluster_place, on="cluster"
    )
    n_places = len(places)
    # Firms without the place (-1) get key -1, below every queried key.
    firm_keys = np.where(place_code >= 0, class_code.astype(np.int64) * n_places + place_code, -1)
    query = cells["class"].to_numpy(np.int64) * n_places + cells["place"].to_numpy(np.int64)
    return _firms_in_segments(firm_keys, query, cells["cluster"].to_numpy(np.int64))


def cluster_members(*, firms: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """``(cluster_id, firm_id)`` pairs: which firm belongs to which cluster.

    ``clusters`` rows are ``(cluster_id, isic_prefix, province, park)``; a cluster's
    prefixes, provinces and parks are the non-null values over its rows (rows are a long
    format, not (prefix, place) pairs). A firm is a member when its ISIC class starts with
    one of the cluster's prefixes and it is in one of the cluster's provinces or one of its
    parks; a cluster listing no province and no park accepts every location. A cluster
    without prefixes has no members (a cluster is defined by its activities). Places are
    compared by equality, so province and park codes must have the same type on both sides.

    ``firms`` has ``firm_id, province, isic_class`` and optionally ``park`` (null = not in
    a park). Sorted by cluster_id then firm_id, without duplicates.
    """
    _require_columns(firms, ("firm_id", "province", "isic_class"), what="firms")
    _require_columns(clusters, CLUSTER_COLUMNS, what="clusters")
    if clusters["cluster_id"].isna().any():
        raise ValueError("clusters: cluster_id is missing on some rows")
    class_code, class_number = _isic_classes(firms)
    firm_code, firm_ids = pd.factorize(firms["firm_id"], sort=True)
    if (firm_code < 0).any():
        raise ValueError("firms: firm_id is missing on some rows")
    prefixes = _prefix_table(clusters)
    prefix_length = prefixes["isic_prefix"].str.len().to_numpy()
    prefix_number = prefixes["isic_prefix"].astype(np.int64).to_numpy()
    cluster_index = pd.Index(pd.unique(clusters["cluster_id"])).sort_values()
    n_clusters = max(len(cluster_index), 1)

    # Prefix matching on the distinct classes, one merge per prefix length (at most
    # three): (class, cluster) pairs, unique even when a cluster nests "25" and "251".
    distinct = np.arange(len(class_number), dtype=np.int64)
    pair_keys = [np.empty(0, dtype=np.int64)]
    for length in sorted(set(prefix_length.tolist())):
        chosen = prefix_length == length
        matched = pd.DataFrame(
            {"class_code": distinct, "number": class_number // 10 ** (4 - length)}
        ).merge(
            pd.DataFrame(
                {
                    "number": prefix_number[chosen],
                    "cluster": cluster_index.get_indexer(prefixes["cluster_id"])[chosen],
                }
            ),
            on="number",
        )
        pair_keys.append(
            matched["class_code"].to_numpy(np.int64) * n_clusters
            + matched["cluster"].to_numpy(np.int64)
        )
    pairs = _sorted_unique(np.concatenate(pair_keys))
    pair_class, pair_cluster = pairs // n_clusters, pairs % n_clusters

    provinces = clusters.loc[clusters["province"].notna(), ["cluster_id", "province"]]
    parks = clusters.loc[clusters["park"].notna(), ["cluster_id", "park"]]
    located = cluster_index.isin(pd.concat([provinces["cluster_id"], parks["cluster_id"]]))
    anywhere = ~located[pair_cluster]
    found = [
        _firms_in_segments(
            class_code.astype(np.int64), pair_class[anywhere], pair_cluster[anywhere]
        )
    ]
    firm_park = firms["park"] if "park" in firms.columns else pd.Series(None, index=firms.index)
    for listed, column, place in (
        (provinces, "province", firms["province"]),
        (parks, "park", firm_park),
    ):
        if not listed.empty:
            found.append(
                _located_members(
                    class_code=class_code,
                    firm_place=place,
                    pair_class=pair_class,
                    pair_cluster=pair_cluster,
                    listed=listed,
                    column=column,
                    cluster_index=cluster_index,
                )
            )

    # Unique (cluster, firm_id) keys come out sorted by cluster_id, then firm_id.
    n_ids = max(len(firm_ids), 1)
    member_cluster = np.concatenate([cluster for cluster, _ in found])
    member_pos = np.concatenate([position for _, position in found])
    keys = _sorted_unique(member_cluster * n_ids + firm_code[member_pos])
    return pd.DataFrame(
        {
            "cluster_id": cluster_index.take(keys // n_ids).to_numpy(),
            "firm_id": pd.Index(firm_ids).take(keys % n_ids).to_numpy(),
        }
    )
