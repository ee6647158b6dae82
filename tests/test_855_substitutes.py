"""A substitute's 855 (rules.business.items.substitute; the partner accepts substitutes): the PO1 echoed as sent,
each of the line's ACKs naming the part shipped in its place after an empty ACK06 (ACK07-ACK28: qualifier/id
pairs, as the 004010 and 005010 ACK lay them out), ACK01 IS, BAK02 AC; both renderers alike (the segment form
and the columnar one a run uses), delimiters inside ids seen; the CSV acknowledgment's status "Substituted" and
its substitute column."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.csv_ack import build_csv_ack
from engine.po_ack import AckPart, LineAck, _ack_columns, build_855, delimiter_use, render_855s
from parsers.x12_writer import delimiter_chars, first_fitting, first_free, render_segments
from schemas.fulfilment import CsvAckSettings
from schemas.orders import ORDER_LINES
from schemas.x12 import Delimiters
from tests.test_855_columnar import CANDIDATES, order, segments_of

TODAY = date(2026, 11, 27)
PAIR = pa.struct([pa.field("qualifier", pa.string()), pa.field("id", pa.string())])
SCHEMA = ORDER_LINES.append(pa.field("substitute_ids", pa.list_(PAIR)))
NEW = [{"qualifier": "UP", "id": "614141100101"}, {"qualifier": "VN", "id": "VP-1001"}]


def _line(**more) -> dict:
    return {"partner": "acme", "order_ref": "1-1-1", "po_number": "PO-1", "line_number": 1, "line_id": "1",
            "quantity": Decimal(12), "unit": "EA", "unit_price": Decimal("19.70"), "price_basis": "PE",
            "product_ids": [{"qualifier": "UP", "id": "614141100590"}, {"qualifier": "BP", "id": "ACME-OLD-8"}],
            "source_file": "f", "isa13": "1", "gs06": "1", "st02": "1", **more}


def test_an_is_line_names_the_new_part_after_an_empty_ack06():
    head = {"po_number": "PO-1", "po_date": date(2026, 11, 26)}
    lines = [_line(substitute_ids=NEW), _line(line_number=2, line_id="2", substitute_ids=NEW), _line(line_number=3,
                                                                                                   line_id="3")]
    acks = [LineAck("IS", ship_date=date(2026, 12, 10)), LineAck("IS"),  # dated and not (ACK04/ACK05 empty)
            LineAck("BP", parts=(AckPart("BP", Decimal(5), date(2026, 12, 10)),
                                 AckPart("IB", Decimal(7), date(2026, 12, 20))))]
    body = build_855(head, lines, acks, today=TODAY)
    assert body[0][:3] == ["BAK", "00", "AC"]
    assert [s for s in body if s[0] in ("PO1", "ACK")] == [
        ["PO1", "1", "12", "EA", "19.7", "PE", "UP", "614141100590", "BP", "ACME-OLD-8"],
        ["ACK", "IS", "12", "EA", "068", "20261210", "", "UP", "614141100101", "VN", "VP-1001"],
        ["PO1", "2", "12", "EA", "19.7", "PE", "UP", "614141100590", "BP", "ACME-OLD-8"],
        ["ACK", "IS", "12", "EA", "", "", "", "UP", "614141100101", "VN", "VP-1001"],
        ["PO1", "3", "12", "EA", "19.7", "PE", "UP", "614141100590", "BP", "ACME-OLD-8"],
        ["ACK", "BP", "5", "EA", "068", "20261210"], ["ACK", "IB", "7", "EA", "068", "20261220"]]
    text = render_segments(body, Delimiters())
    assert "ACK*IS*12*EA****UP*614141100101*VN*VP-1001~" in text
    # a substituted line backordered in part: each ACK names the new part
    body = build_855(head, [_line(substitute_ids=NEW)], [acks[2]], today=TODAY)
    assert [s for s in body if s[0] == "ACK"] == [
        ["ACK", "BP", "5", "EA", "068", "20261210", "", "UP", "614141100101", "VN", "VP-1001"],
        ["ACK", "IB", "7", "EA", "068", "20261220", "", "UP", "614141100101", "VN", "VP-1001"]]


ids = st.sampled_from(["614141100101", "VP-1001", "A*B", "x~y", "c>d", "p^q", "a\\b", "| :", "é"])
pairs = st.lists(st.fixed_dictionaries({"qualifier": st.sampled_from(["UP", "VN", "BP", "U*"]), "id": ids}),
                 min_size=1, max_size=3)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.integers(0, 999), min_size=1, max_size=3).flatmap(
    lambda n: st.tuples(*[order(f"PO-{i}") for i in n])), st.sampled_from(CANDIDATES), st.data())
def test_columnar_855s_with_substitutes_equal_the_segment_form(orders, candidates, data):
    orders = [(h, [{**ln, "substitute_ids": data.draw(st.one_of(st.none(), pairs))} for ln in ls], ss)
              for h, ls, ss in orders]
    heads = [h for h, _, _ in orders]
    lines = [ln for _, ls, _ in orders for ln in ls]
    statuses = [s for _, _, ss in orders for s in ss]
    spans, at = [], 0
    for _, ls, _ in orders:
        spans.append((at, at + len(ls)))
        at += len(ls)
    table = pa.Table.from_pylist(lines, schema=SCHEMA) if lines else SCHEMA.empty_table()
    acks = pa.Table.from_pylist(statuses, schema=_ack_columns()) if statuses else _ack_columns().empty_table()
    used = delimiter_use(heads, table, acks, spans, delimiter_chars(candidates))
    for k, (head, ls, ss) in enumerate(orders):
        body = segments_of(head, ls, ss)
        d = first_fitting(body, candidates)
        assert first_free(used[k], candidates) == d  # a delimiter inside a substitute's id is seen
        if d is None:
            continue
        a, b = spans[k]
        index = pa.array(range(a, b), pa.int64())
        got = render_855s([head], table.take(index), acks.take(index), [(0, b - a)], today=TODAY, d=d)
        assert got == [(render_segments(body, d), len(body), body[0][2])]


def test_the_csv_acknowledgment_says_substituted_and_names_the_new_part():
    layout = CsvAckSettings(columns=("po_number", "line_id", "status", "status_text", "quantity_accepted",
                                     "substitute"), line_terminator="\n", encoding="utf-8")
    content = build_csv_ack([({"po_number": "PO-1"}, [_line(substitute_ids=NEW), _line(line_number=2, line_id="2")],
                              [LineAck("IS"), LineAck("IA")])], layout).decode()
    assert content.splitlines() == [
        "po_number,line_id,status,status_text,quantity_accepted,substitute",
        "PO-1,1,IS,Substituted,12,UP 614141100101 VN VP-1001", "PO-1,2,IA,Accepted,12,"]
