"""The 855s of a run are rendered by string building over columns (engine.po_ack.render_855s) with the
first delimiter set none of their values uses (delimiter_use); they must be byte for byte what the
segment form (build_855) gives through the plain writer with the set first_fitting chooses, for any
line data, delimiter characters inside values included (values are never altered)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.po_ack import AckPart, LineAck, _ack_columns, build_855, delimiter_use, render_855s
from parsers.x12_writer import delimiter_chars, first_fitting, first_free, render_segments
from schemas.orders import ORDER_LINES
from schemas.x12 import Delimiters

TODAY = date(2026, 11, 27)
CANDIDATES = [(Delimiters(),), (Delimiters("^", "\\", "", "\n", ""), Delimiters("|", ":", "", "'", "")),
              (Delimiters("|", ":", "~", "'", "\r\n"), Delimiters("*", ">", "", "~", "\n"))]

texts = st.one_of(st.none(), st.sampled_from(["", "EA", "CA", "A*B", "x~y", "c>d", "p^q", "a\\b", "| :", "é", "'"]))
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
            "purpose": draw(st.sampled_from(["00", "05"])),
            "release_number": draw(st.sampled_from([None, "", "2", "R*1", "r~3"]))}  # BEG04, echoed in BAK05
    return head, lines, statuses


def segments_of(head, lines, statuses):
    acks = [LineAck(s["parts"][0]["status"], s["ack_quantity"], s["ack_price"],
                    parts=tuple(AckPart(p["status"], p["quantity"], p["date"]) for p in s["parts"])) for s in statuses]
    return build_855({"po_number": head["po_number"], "po_date": head["po_date"],
                      "release_number": head["release_number"]}, lines, acks, today=TODAY, purpose=head["purpose"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 999), min_size=1, max_size=4).flatmap(
    lambda ids: st.tuples(*[order(f"PO-{i}") for i in ids])), st.sampled_from(CANDIDATES))
def test_columnar_855s_equal_the_segment_form(orders, candidates):
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
    used = delimiter_use(heads, table, acks, spans, delimiter_chars(candidates))
    expected, groups = {}, {}
    for k, (head, ls, ss) in enumerate(orders):
        body = segments_of(head, ls, ss)
        d = first_fitting(body, candidates)
        assert first_free(used[k], candidates) == d  # the same set chosen from columns as from segments
        if d is not None:  # else: held by the store until a set fits
            expected[k] = (render_segments(body, d), len(body), body[0][2])
            groups.setdefault(d, []).append(k)
    for d, ks in groups.items():  # several POs rendered at once, as a run does
        take, sub = [], []
        for k in ks:
            sub.append((len(take), len(take) + spans[k][1] - spans[k][0]))
            take.extend(range(*spans[k]))
        index = pa.array(take, pa.int64())
        got = render_855s([heads[k] for k in ks], table.take(index), acks.take(index), sub, today=TODAY, d=d)
        assert got == [expected[k] for k in ks]


def test_chars_used_finds_the_rows_a_row_by_row_look_finds():
    """chars_used skips its row-by-row look when no character is in the column's stored bytes; where
    one is (also only outside a sliced column's rows), it names exactly the rows holding each."""
    import numpy as np
    import pyarrow as pa

    from parsers.x12_writer import chars_used

    def by_row(values, chars):
        texts = values.to_pylist()
        out = {ch: np.array([i for i, t in enumerate(texts) if t is not None and ch in t], dtype=np.int64)
               for ch in chars}
        return {ch: rows for ch, rows in out.items() if len(rows)}

    base = pa.array(["A*1", "B", None, "C~", "D", "", "E>F*"], pa.string())
    columns = [base, base.slice(1, 2), base.slice(4, 1), base.cast(pa.large_string()),
               pa.chunked_array([base.slice(0, 3), base.slice(3)]), pa.chunked_array([], pa.string()),
               pa.array(["plain", "text"]), pa.array([None, None], pa.string())]
    for values in columns:
        for chars in ("*>~", "|", "*", "F"):
            found = chars_used(values, chars)
            expected = by_row(values, chars)
            assert found.keys() == expected.keys(), (values, chars)
            for ch in found:
                assert found[ch].tolist() == expected[ch].tolist()
