"""The 855s of a run are rendered by string building over columns (engine.po_ack.render_855s); they
must be byte for byte what the plain segment-by-segment definition gives (kept here as the oracle),
for any line data, delimiter characters inside values included."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.po_ack import _ack_columns, _num, ack_type, render_855s
from parsers.x12_writer import render_segments
from schemas.orders import ORDER_LINES
from schemas.x12 import Delimiters

TODAY = date(2026, 11, 27)
DELIMS = [Delimiters(), Delimiters("^", "\\", "", "\n", ""), Delimiters("|", ":", "~", "'", "\r\n")]


def oracle(head: dict, lines: list[dict], statuses: list[dict]) -> list[list]:
    """The 855 body as the segment builder wrote it before (BAK, PO1 + ACKs per line, CTT)."""
    parts_all = [p["status"] for s in statuses for p in s["parts"]]
    po_date = head["po_date"]
    body = [["BAK", head["purpose"], ack_type(parts_all), head["po_number"],
             po_date.strftime("%Y%m%d") if po_date else TODAY.strftime("%Y%m%d"), "", "", "", "",
             TODAY.strftime("%Y%m%d")]]
    total = Decimal(0)
    for line, s in zip(lines, statuses, strict=True):
        ids = []
        for pid in line.get("product_ids") or []:
            ids += [pid["qualifier"], pid["id"]]
        price = s["ack_price"] if s["ack_price"] is not None else line.get("unit_price")
        body.append(["PO1", line.get("line_id") or str(line["line_number"]), _num(line.get("quantity")),
                     line.get("unit") or "", _num(price), line.get("price_basis") or "", *ids])
        qty = s["ack_quantity"] if s["ack_quantity"] is not None else line.get("quantity")
        total += qty or Decimal(0)
        for part in s["parts"]:
            seg = ["ACK", part["status"], _num(part["quantity"]), line.get("unit") or ""]
            if part["date"]:
                seg += ["068", part["date"].strftime("%Y%m%d")]
            body.append(seg)
    body.append(["CTT", str(len(lines)), _num(total)])
    return body


texts = st.one_of(st.none(), st.sampled_from(["", "EA", "CA", "A*B", "x~y", "c>d", "p^q", "a\\b", "| :", "é"]))
amounts = st.one_of(st.none(), st.decimals(min_value=Decimal("-99999"), max_value=Decimal("99999"), places=4))
days = st.one_of(st.none(), st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
statuses_ = st.sampled_from(["IA", "IQ", "IP", "IR", "IB", "BP", "DR"])
part = st.fixed_dictionaries({"status": statuses_, "quantity": amounts, "date": days})
pid = st.fixed_dictionaries({"qualifier": texts, "id": texts})


@st.composite
def order(draw, po: str):
    n = draw(st.integers(0, 4))
    lines, statuses = [], []
    for k in range(n):
        lines.append({"partner": "acme", "order_ref": "1-1-1", "po_number": po, "line_number": k + 1,
                      "line_id": draw(texts), "quantity": draw(amounts), "unit": draw(texts),
                      "unit_price": draw(amounts), "price_basis": draw(texts),
                      "product_ids": draw(st.lists(pid, max_size=3)), "source_file": "f", "isa13": "1", "gs06": "1",
                      "st02": "1"})
        statuses.append({"parts": draw(st.lists(part, min_size=1, max_size=3)), "ack_quantity": draw(amounts),
                         "ack_price": draw(amounts)})
    head = {"po_number": po + draw(st.sampled_from(["", "*", "~x"])), "po_date": draw(days),
            "purpose": draw(st.sampled_from(["00", "05"]))}
    return head, lines, statuses


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 999), min_size=1, max_size=4).flatmap(
    lambda ids: st.tuples(*[order(f"PO-{i}") for i in ids])), st.sampled_from(DELIMS))
def test_columnar_855s_equal_the_segment_builder(orders, d):
    heads = [h for h, _, _ in orders]
    lines = [ln for _, ls, _ in orders for ln in ls]
    statuses = [s for _, _, ss in orders for s in ss]
    spans, at = [], 0
    for _, ls, _ in orders:
        spans.append((at, at + len(ls)))
        at += len(ls)
    table = pa.Table.from_pylist(lines, schema=ORDER_LINES) if lines else ORDER_LINES.empty_table()
    schema = _ack_columns()
    acks = pa.Table.from_pylist(statuses, schema=schema) if statuses else schema.empty_table()
    got = render_855s(heads, table, acks, spans, today=TODAY, d=d)
    for (head, ls, ss), (text, count, kind) in zip(orders, got, strict=True):
        body = oracle(head, ls, ss)
        assert text == render_segments(body, d)
        assert count == len(body) and kind == body[0][2]
