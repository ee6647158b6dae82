"""engine.shipments reads what an 856 item needs of ORDER_LINES from columns (a join on partner, PO and
line id): the same values as the table's rows read one dict at a time (product ids without an id
dropped, the line number when PO101 is absent, a later row of the same line winning, nothing for an
item no row matches)."""

from decimal import Decimal

import pyarrow as pa

from engine.shipments import _item_lines
from schemas.orders import ORDER_LINES
from schemas.shipments import ProductId


def _rows_read_as_dicts(table: pa.Table) -> dict:
    """What assemble_shipments read before: a dict per row, its ids as ProductIds."""
    out = {}
    for r in table.to_pylist():
        ids = tuple(ProductId(p["qualifier"], p["id"]) for p in r["product_ids"] or [] if p["id"])
        out[(r["partner"], r["po_number"], r["line_id"] or str(r["line_number"]))] = (
            r["unit"], r["quantity"], r["description"], ids)
    return out


def test_order_lines_from_columns_match_rows():
    base = {"order_ref": "r", "source_file": "f", "isa13": "1", "gs06": "1", "st02": "1", "segment_position": 1,
            "file_segment": 1}
    rows = [
        {"partner": "acme", "po_number": "P1", "line_number": 1, "line_id": "1", "quantity": Decimal("12"),
         "unit": "EA", "description": "Widget", "product_ids": [{"qualifier": "UP", "id": "614141100101"},
                                                               {"qualifier": "VN", "id": "VP-1"}]},
        {"partner": "acme", "po_number": "P1", "line_number": 2, "line_id": None, "quantity": Decimal("2.5"),
         "unit": None, "description": None, "product_ids": None},
        {"partner": "acme", "po_number": "P1", "line_number": 3, "line_id": "", "quantity": None, "unit": "CA",
         "description": "", "product_ids": [{"qualifier": "BP", "id": ""}, {"qualifier": "VN", "id": None},
                                            {"qualifier": None, "id": "X"}]},
        {"partner": "beta", "po_number": "P1", "line_number": 1, "line_id": "1", "quantity": Decimal("1"),
         "unit": "EA", "description": "Other", "product_ids": []},
        {"partner": "acme", "po_number": "P2", "line_number": 1, "line_id": "A", "quantity": Decimal("3"),
         "unit": "EA", "description": "d", "product_ids": [{"qualifier": "UP", "id": "614141100101"},
                                                          {"qualifier": "VN", "id": "VP-1"}]},
        {"partner": "acme", "po_number": "P2", "line_number": 2, "line_id": "A", "quantity": Decimal("4"),
         "unit": "LB", "description": "later", "product_ids": [{"qualifier": "VN", "id": "VP-2"}]},
    ]
    table = pa.Table.from_pylist([{**base, **r} for r in rows], schema=ORDER_LINES)
    table = pa.concat_tables([table.slice(0, 2), table.slice(2)])  # two chunks, as stored tables come
    want = _rows_read_as_dicts(table)
    keys = [*want, ("acme", "P1", "9"), ("beta", "P2", "1"), ("acme", "P1", None), ("acme", "P2", "A")]
    line = _item_lines(table, *(pa.array([k[i] for k in keys], pa.string()) for i in range(3)))
    ids, kind = line["product_ids"]
    got = {k: (unit, quantity, description, ids[i]) for k, unit, quantity, description, i in zip(
        keys, line["unit"].to_pylist(), line["quantity"].to_pylist(), line["description"].to_pylist(), kind.tolist(),
        strict=True)}
    nothing = (None, None, "", ())
    assert got == {k: (*want[k][:2], want[k][2] or "", want[k][3]) if k in want else nothing for k in keys}
    assert got[("acme", "P1", "3")][3] == (ProductId(None, "X"),)
    assert got[("acme", "P2", "A")][0] == "LB"  # the later row of the same line id
    assert got[("acme", "P1", "9")] == nothing
