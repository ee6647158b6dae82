"""Row bookkeeping from the sets' bounds at once, exactly as marking each set's slice does whatever the
bounds (file order, gaps, touching or overlapping sets, an empty or reversed set, bounds past the
table, sets out of order): parsers.orders_850.sets_of_rows (which set), parsers.x12_reader.covered_rows
(inside some set); and read_orders' header helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from parsers.orders_850 import _scatter, sets_of_rows
from parsers.x12_reader import covered_rows
from schemas.x12 import TransactionSet


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


def test_covered_rows_marks_what_set_by_set_marks():
    rng = random.Random(28)
    for _ in range(3000):
        n = rng.randint(1, 30)
        sets = [TransactionSet("850", "1", start, start + rng.randint(-3, 8))
                for start in (rng.randint(-1, n + 2) for _ in range(rng.randint(0, 5)))]
        expected = np.zeros(n, dtype=bool)
        for ts in sets:
            expected[ts.start: ts.end + 1] = True
        assert (covered_rows(n, sets) == expected).all(), (n, sets)


def test_a_kind_of_product_id_no_line_has_is_a_null_column():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from tests.support import x12_850

    body = ["BEG*00*SA*PO-1**20261126", "PO1*1*12*EA*2.50*PE*UP*073000040482", "PO1*2*6*EA*10*PE*UP*073000040499",
            "CTT*2*18"]
    result = read_interchanges(x12_850(body), file="x.x12")
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    assert lines["upc"].to_pylist() == ["073000040482", "073000040499"]
    for kind in ("gtin", "ean", "vendor_part", "buyer_part"):
        assert lines[kind].type == pa.string() and lines[kind].to_pylist() == [None, None]
    body[2] = "PO1*2*6*EA*10*PE*VN*SKU-2"  # one line by vendor part number only
    result = read_interchanges(x12_850(body), file="x.x12")
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    assert lines["upc"].to_pylist() == ["073000040482", None]
    assert lines["vendor_part"].to_pylist() == [None, "SKU-2"] and lines["gtin"].to_pylist() == [None, None]
