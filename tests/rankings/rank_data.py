"""Small synthetic firm frames for the ranking tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def frames(n: int = 40, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    rows = []
    for year, growth in ((1402, 1.0), (1403, 1.3)):
        sales = (rng.uniform(500, 5000, n) * growth).round()
        rows.append(
            pd.DataFrame(
                {
                    "firm_id": ids,
                    "year": year,
                    "employees": rng.integers(12, 140, n),
                    "sales": sales,
                    "exports": (sales * rng.uniform(0, 0.5, n)).round(),
                    "export_countries": rng.integers(0, 8, n),
                    "rd_spend": (sales * 0.02).round(),
                    "net_profit": (sales * rng.normal(0.05, 0.05, n)).round(),
                    "total_assets": (sales * 0.9).round(),
                    "total_debt": (sales * 0.3).round(),
                    "certifications": "ISO9001",
                    "new_products": rng.integers(0, 4, n),
                    "tech_level": rng.integers(0, 6, n),
                    "knowledge_based": rng.random(n) < 0.2,
                }
            )
        )
    firms = pd.DataFrame(
        {
            "park_id": (ids % 4) + 1,
            "province_id": (ids % 2) + 1,
            "isic": np.where(ids % 3 == 0, "2511", "1010"),
        },
        index=pd.Index(ids, name="firm_id"),
    )
    firms["division"] = firms["isic"].str[:2]
    return pd.concat(rows, ignore_index=True), firms
