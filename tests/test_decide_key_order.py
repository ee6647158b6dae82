"""schemas.grouping.in_key_order: a table the plan would sort is left as it is exactly when
sorting would not move a row (ascending keys, ties kept in place; any null key: sorted)."""

import numpy as np
import pyarrow as pa
import pytest

from schemas.grouping import in_key_order

KEYS = ["partner", "po_number", "line_number", "warehouse"]


def _table(rng, n: int, nulls: bool) -> pa.Table:
    partner = [["acme", "globex", "acme2"][i] for i in rng.integers(0, 3, n)]
    po = [["P-1", "P-10", "P-2", "P-1 ", "p-1"][i] for i in rng.integers(0, 5, n)]
    warehouse = [["east", "north", "", "éast"][i] for i in rng.integers(0, 4, n)]
    if nulls:
        warehouse[int(rng.integers(0, n))] = None
    return pa.table({"partner": partner, "po_number": po, "line_number": pa.array(rng.integers(-2, 4, n), pa.int32()),
                     "warehouse": pa.array(warehouse, pa.string()), "quantity": pa.array(np.arange(n))})


@pytest.mark.parametrize("seed", range(30))
def test_in_key_order_means_a_stable_sort_moves_nothing(seed):
    rng = np.random.default_rng(seed)
    table = _table(rng, int(rng.integers(0, 12)), nulls=seed % 5 == 4)
    ordered = table.sort_by([(c, "ascending") for c in KEYS])
    for candidate in (table, ordered):
        moves_nothing = candidate.sort_by([(c, "ascending") for c in KEYS]).equals(candidate)
        has_null = any(candidate[c].null_count for c in KEYS)
        assert in_key_order(candidate, KEYS) == (moves_nothing and (not has_null or candidate.num_rows < 2))
