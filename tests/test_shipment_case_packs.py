"""engine.shipments' case packs and ship-tos found in columns agree with the dict reads they replaced."""

from __future__ import annotations

import pyarrow as pa
import pytest

from engine.shipments import _SHIP_TO, _case_packs, _ship_to, _ship_tos


@pytest.mark.parametrize("items", [
    None,
    pa.table({"sku": pa.array([], pa.string()), "case_pack": pa.array([], pa.int32())}),
    pa.table({"sku": ["A", "B", "A", "C"], "case_pack": pa.array([6, 12, 24, 1], pa.int32())}),
    pa.table({"sku": ["B"], "case_pack": pa.array([12], pa.int32())}),
])
def test_case_packs_read_as_a_dict_of_the_items(items):
    sku = pa.array(["A", "B", "", "Z", "A", "C"])
    packs = dict(zip(items["sku"].to_pylist(), items["case_pack"].to_pylist(), strict=True)) if items is not None \
        else {}  # a SKU listed twice: its last row's
    got = _case_packs(sku, items)
    assert got.type == pa.int64() and got.to_pylist() == [packs.get(s) for s in sku.to_pylist()]


def test_ship_tos_one_party_per_distinct_address():
    orders = pa.table({"ship_to_name": ["DC 1", "DC 1", "DC 2", None, "DC 1"],
                       "ship_to_id": ["01", "01", "02", None, "09"], "ship_to_city": ["X", "X", None, "", "X"]})
    parties = _ship_tos(orders)
    rows = [{c: orders[c][i].as_py() if c in orders.column_names else None for c in _SHIP_TO} for i in range(5)]
    assert parties == [_ship_to(r) for r in rows]
    assert parties[0] is parties[1] and parties[0] is not parties[4]  # equal addresses share one Party
    assert _ship_tos(orders.slice(0, 0)) == []
