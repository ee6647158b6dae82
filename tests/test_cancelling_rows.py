"""flows.releases.cancelling_rows: the cancelling 850s' order rows (BEG01 01) of an outcome's ORDERS table, by PO.
It reads only the rows whose purpose holds "01" into Python (s69); the answer is the whole table's test's."""

import random

import pyarrow as pa

from flows.releases import cancelling_rows


def _every_row(orders: pa.Table) -> dict[str, dict]:  # the definition: every row read, its purpose stripped
    return {r["po_number"]: r for r in orders.to_pylist() if (r.get("purpose") or "").strip() == "01"}


def _orders(purposes: list[str | None], pos: list[str] | None = None) -> pa.Table:
    pos = pos or [f"PO{i}" for i in range(len(purposes))]
    return pa.table({"po_number": pos, "purpose": pa.array(purposes, pa.string()),
                     "note": [f"row {i}" for i in range(len(purposes))]})


def test_only_purpose_01_after_strip_whatever_surrounds_it():
    purposes = ["01", " 01", "01 ", "\t01\n", "001", "010", "1", "0 1", None, "", "00", "\x1c01\x1f", "\u300001",
                "01\u2003", "05", "01"]
    orders = _orders(purposes)
    got = cancelling_rows(orders)
    assert got == _every_row(orders)
    assert sorted(got) == ["PO0", "PO1", "PO11", "PO12", "PO13", "PO15", "PO2", "PO3"]
    assert got["PO3"]["note"] == "row 3"  # the whole row, every column


def test_a_po_twice_keeps_its_last_cancelling_row():
    orders = _orders(["01", "00", "01"], ["A", "A", "A"])
    assert cancelling_rows(orders) == {"A": {"po_number": "A", "purpose": "01", "note": "row 2"}}


def test_no_purpose_column_no_rows_and_an_untyped_one_still_read():
    assert cancelling_rows(pa.table({"po_number": ["A"]})) == {}
    nulls = pa.table({"po_number": ["A", "B"], "purpose": pa.array([None, None], pa.null())})
    assert cancelling_rows(nulls) == {}
    chunked = pa.concat_tables([_orders(["01", "00"], ["A", "B"]), _orders([" 01 ", None], ["C", "D"])])
    assert cancelling_rows(chunked) == _every_row(chunked)


def test_random_purposes_agree_with_the_whole_table_read():
    rnd = random.Random(69)
    pieces = ["0", "1", "01", " ", "\t", "\u00a0", "\x1e", "5", "x"]
    purposes = [None if rnd.random() < 0.1 else "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4)))
                for _ in range(3000)]
    orders = _orders(purposes, [f"PO{rnd.randint(0, 400)}" for _ in purposes])
    got = cancelling_rows(orders)
    assert got == _every_row(orders)
    assert len(got) > 50
