"""parsers.orders_850's row bookkeeping: sets_of_rows marks each set's rows from the sets' bounds at
once exactly as marking them set by set does, whatever the bounds (file order, gaps, touching sets,
an empty or reversed set, bounds past the table, sets out of order)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from parsers.orders_850 import _scatter, sets_of_rows


@dataclass
class _Set:
    start: int
    end: int


def _set_by_set(n: int, sets) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int64)
    for k, (_ic, _g, ts) in enumerate(sets):
        out[ts.start: ts.end + 1] = k
    return out


def test_sets_of_rows_marks_what_set_by_set_marks():
    rng = random.Random(27)
    for _ in range(3000):
        n, pos, sets = rng.randint(0, 40), 0, []
        while pos < n and rng.random() < 0.85:
            start = pos + rng.randint(0, 3)
            end = start + rng.randint(-2, 6)
            sets.append((None, None, _Set(start, end)))
            pos = max(start, end) + rng.randint(0, 2)
        if rng.random() < 0.1:
            rng.shuffle(sets)
        got = sets_of_rows(n, sets)
        assert got.dtype == np.int64 and (got == _set_by_set(n, sets)).all(), (n, sets)


def test_sets_of_rows_of_a_file():
    sets = [(None, None, _Set(2, 5)), (None, None, _Set(6, 8)), (None, None, _Set(11, 12))]
    assert sets_of_rows(14, sets).tolist() == [-1, -1, 0, 0, 0, 0, 1, 1, 1, -1, -1, 2, 2, -1]
    assert sets_of_rows(3, []).tolist() == [-1, -1, -1]


def test_scatter_of_every_slot_in_order_is_the_values():
    values = pa.array(["a", None, "c"])
    assert _scatter(3, np.arange(3), values) is values
    assert _scatter(4, np.array([0, 2, 3]), values).to_pylist() == ["a", None, None, "c"]
    assert _scatter(3, np.array([1, 0, 2]), values).to_pylist() == [None, "a", "c"]
    assert _scatter(2, np.empty(0, np.int64), pa.array([], pa.string())).to_pylist() == [None, None]


def test_dates_of_several_columns_are_each_columns_dates():
    from parsers.orders_850 import _dates_of
    from parsers.x12_dates import dates

    columns = {"po_date": pa.array(["20261126", None, "20260230", "261127"]),
               "requested_ship_date": pa.array(["20261210", "20261211", None, None]),
               "ship_not_before": pa.nulls(4, pa.string()),
               "ship_no_later": pa.array(["02261126", "x", "", "991231"])}
    got = _dates_of(columns)
    assert list(got) == list(columns)
    for name, values in columns.items():
        assert got[name].type == pa.date32() and got[name].to_pylist() == dates(values).to_pylist(), name
    # a column of 8-digit dates alone reads as when read with columns of 6-digit ones
    alone = _dates_of({"po_date": columns["requested_ship_date"]})["po_date"]
    assert alone.to_pylist() == got["requested_ship_date"].to_pylist()
