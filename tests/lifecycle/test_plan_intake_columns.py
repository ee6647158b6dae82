"""plan_intake's quick paths give what the per-order path gives: a file of POs all new travels as one
RECEIVED_ORDERS table of exactly table.create's records and events, anything else order by order
(each new PO's transition equal to table.create's); received_lines equals the row-by-row reading of
the same lines (first row of each (order, line number), only the orders named); file order kept."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from engine.lifecycle import intake
from engine.lifecycle.table import create
from schemas.lifecycle import LINE_ROWS, EventKind, OrderRecord, OrderState
from tests.lifecycle.helpers import AT, RUN, lines, outcome_of, po, record, transitions


def _by_rows(table: pa.Table, order_refs: set[str], run_id: str, revision: int = 1) -> list[dict]:
    """The expected LINE_ROWS, row by row: the first row of each (order_ref, line_number) of the orders named."""
    seen, out = set(), []
    for row in table.to_pylist():
        key = (row["order_ref"], row["line_number"])
        if row["order_ref"] not in order_refs or key in seen:
            continue
        seen.add(key)
        text = intake.decimal_text(pa.array([row["quantity"], row["unit_price"]], table.schema.field("quantity").type))
        out.append({"partner": row["partner"], "po_number": row["po_number"], "line_number": row["line_number"],
                    "line_id": row["line_id"] or "", "sku": "", "state": "received", "ack": "",
                    "ordered": text[0].as_py(), "unit": row["unit"] or "", "unit_price": text[1].as_py(),
                    "ack_price": None, "allocated": 0, "backordered": 0, "rejected": 0, "promised_date": None,
                    "warehouses": "", "reason": "", "codes": "", "revision": revision, "run_id": run_id,
                    "shipped": "0", "invoiced": "0", "ordered_sku": "", "rejected_fraction": None,
                    "priced_per": None, "unit_eaches": None, "backordered_over": None, "balance_cancelled": None,
                    "expired": None, "cut_from": None})
    return out


def _three_pos():
    second = [s.replace("PO1*1*12", "PO1*1*7.5000") for s in po(number="PO-2")]
    third = [s for s in po(number="PO-3") if not s.startswith("CUR")]
    return outcome_of(po(number="PO-1"), second, third)


def test_received_lines_equal_the_row_by_row_reading():
    lines_table = _three_pos().lines
    refs = set(lines_table["order_ref"].to_pylist())
    got = intake.received_lines(lines_table, refs, run_id=RUN)
    assert got.schema == LINE_ROWS
    assert got.to_pylist() == _by_rows(lines_table, refs, RUN) and got.num_rows == 6
    some = {sorted(refs)[1]}  # only the orders named
    assert intake.received_lines(lines_table, some, run_id=RUN, revision=3).to_pylist() == \
        _by_rows(lines_table, some, RUN, 3)


def test_received_lines_keep_the_first_row_of_a_repeated_line():
    lines_table = _three_pos().lines
    refs = set(lines_table["order_ref"].to_pylist())
    # a repeated interchange repeats every row; a line number twice in one order keeps its first row
    twice = pa.concat_tables([lines_table, lines_table.slice(2, 3)])
    changed = twice.set_column(twice.schema.get_field_index("unit"), "unit",
                               pc.if_else(pa.array([i >= lines_table.num_rows for i in range(twice.num_rows)]),
                                          "CS", twice["unit"]))
    got = intake.received_lines(changed, refs, run_id=RUN)
    assert got.num_rows == 6 and set(got["unit"].to_pylist()) == {"EA"}
    assert got.to_pylist() == _by_rows(changed, refs, RUN)
    assert intake.received_lines(changed.slice(0, 0), refs, run_id=RUN).num_rows == 0


def test_a_new_po_is_created_as_table_create_makes_it():
    out = _three_pos()
    fresh = intake.received_record("acme", at=AT, run_id=RUN)
    for order in out.orders.select(intake._ORDER_FIELDS).to_pylist():
        t = intake._created(order, fresh, out, at=AT, run_id=RUN)
        expected = create(OrderRecord("acme", order["po_number"], OrderState.RECEIVED, received_at=AT,
                                      **intake._order_fields(order, out)),
                          at=AT, run_id=RUN, note=f"received in {out.file}")
        assert t == expected


def test_new_and_known_pos_are_planned_in_the_file_order():
    out = _three_pos()
    p = intake.plan_intake(out, partner="acme", live={"PO-2": record(po_number="PO-2")},
                           lines={"PO-2": lines()}, at=AT, run_id=RUN)
    assert [(t.record.po_number, t.events[0].event) for t in p.transitions] == [
        ("PO-1", EventKind.PO_RECEIVED), ("PO-2", EventKind.PO_DUPLICATE), ("PO-3", EventKind.PO_RECEIVED)]
    # the CTT hash mismatch of PO-2's set (its PO102 7.5) is stored with PO-2, as its ORDER_DUPLICATE is
    assert [(fr.finding.code, fr.po_number) for fr in p.findings] == [("CTT_QUANTITY_MISMATCH", "PO-2"),
                                                                     ("ORDER_DUPLICATE", "PO-2")]
    [table] = p.line_tables
    assert table["po_number"].to_pylist() == ["PO-1", "PO-1", "PO-3", "PO-3"]
    assert p.transitions[2].record.currency == "" and p.transitions[0].record.currency == "USD"


def _per_order(out) -> list:
    return [t for part in intake._orders(out, "acme", {}, {}, {}, at=AT, run_id=RUN) for t in part.transitions]


def test_new_pos_travel_as_one_table_of_what_table_create_makes():
    out = _three_pos()
    p = intake.plan_intake(out, partner="acme", live={}, lines={}, at=AT, run_id=RUN)
    assert p.transitions == () and [t.num_rows for t in p.received_orders] == [3]
    assert transitions(p) == _per_order(out)  # the rows are exactly table.create's records and events
    assert p.line_tables[0].num_rows == 6


def test_a_po_twice_or_changed_in_the_same_file_is_planned_order_by_order():
    twice = outcome_of(po(number="PO-1"), po("00", number="PO-1"))
    p = intake.plan_intake(twice, partner="acme", live={}, lines={}, at=AT, run_id=RUN)
    assert p.received_orders == ()
    assert [t.events[0].event for t in p.transitions] == [EventKind.PO_RECEIVED, EventKind.PO_DUPLICATE]
    assert [fr.finding.code for fr in p.findings if fr.po_number] == ["ORDER_DUPLICATE"]
    out = _three_pos()
    headers = pa.table({"po_number": ["PO-3"], "change_ref": ["c1"]})
    changed = replace(out, change_headers=headers)
    p = intake.plan_intake(changed, partner="acme", live={}, lines={}, at=AT, run_id=RUN)
    assert p.received_orders == ()
    assert [(t.record.po_number, t.events[0].event) for t in p.transitions] == [
        ("PO-1", EventKind.PO_RECEIVED), ("PO-2", EventKind.PO_RECEIVED), ("PO-3", EventKind.PO_RECEIVED),
        ("PO-3", EventKind.CHANGE_RECEIVED)]


def _decimal_column_text(values) -> list:
    """decimal_text as decimal_column writes it (the Arrow decimal cast), row by row."""
    from parsers.x12_writer import decimal_column
    return pc.if_else(pc.is_valid(values), decimal_column(values), pa.scalar(None, pa.string())).to_pylist()


def test_decimal_text_from_the_unscaled_integers_is_decimal_columns_text():
    from decimal import Decimal

    values = [Decimal(12), Decimal(-3), None, Decimal(0), Decimal("-0"), Decimal("99999999999999"),
              Decimal("-99999999999999"), Decimal(100), None, Decimal(7)]
    whole = pa.array(values, pa.decimal128(18, 4))
    chunked = pa.chunked_array([whole.slice(0, 3), whole.slice(3)])  # sliced chunks: offsets into one buffer
    for column in (whole, chunked, whole.slice(2, 5), pa.array(values, pa.decimal128(16, 0))):
        got = intake.decimal_text(column)
        assert got.type == pa.string() and got.to_pylist() == _decimal_column_text(column)
    assert intake.decimal_text(chunked).to_pylist()[:4] == ["12", "-3", None, "0"]
    # fractions: the whole part and the fraction's text joined; a scale over 4 or a type wider than
    # int64: the decimal cast (the same text)
    mixed = pa.array([Decimal(12), Decimal("4.5800"), Decimal("-0.5"), None, Decimal("0.0001"),
                      Decimal("-12.0300"), Decimal("99999999999999.9999")], pa.decimal128(18, 4))
    assert intake.decimal_text(mixed).to_pylist() == _decimal_column_text(mixed) == \
        ["12", "4.58", "-0.5", None, "0.0001", "-12.03", "99999999999999.9999"]
    fine = pa.array([Decimal("1.000001"), Decimal("2.5"), None], pa.decimal128(18, 6))
    assert intake.decimal_text(fine).to_pylist() == _decimal_column_text(fine) == ["1.000001", "2.5", None]
    wide = pa.array([Decimal(10) ** 20, None], pa.decimal128(38, 2))
    assert intake.decimal_text(wide).to_pylist() == _decimal_column_text(wide) == ["100000000000000000000", None]
    assert intake.decimal_text(whole.slice(0, 0)).to_pylist() == []


def test_unique_lines_order_by_order_and_otherwise():
    def table(refs, numbers):
        return pa.table({"order_ref": pa.array(refs, pa.string()), "line_number": pa.array(numbers, pa.int32())})

    assert intake._unique_lines(table(["A", "A", "B", "B", "B"], [1, 2, 1, 2, 3]))
    assert intake._unique_lines(table(["A", "A", "B", "A"], [1, 2, 1, 3]))  # an order in two runs, no key twice
    assert not intake._unique_lines(table(["A", "A", "B", "A"], [1, 2, 1, 1]))  # (A, 1) twice, runs apart
    assert not intake._unique_lines(table(["A", "A", "B", "B"], [1, 1, 1, 2]))  # (A, 1) twice in one run
    assert intake._unique_lines(table(["A", "A", "B"], [2, 1, 1]))  # numbers not rising: the keys decide
    assert not intake._unique_lines(table(["A", "A"], [1, None]))
    assert intake._unique_lines(table(["A"], [1]))
