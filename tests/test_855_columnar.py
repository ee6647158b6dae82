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

from engine.po_ack import AckPart, LineAck, _ack_columns, build_855, delimiter_use, element_values, render_855s
from parsers.x12_writer import delimiter_chars, first_fitting, first_free, render_segments
from schemas.fulfilment import PoAckContact, PoAckParty, PoAckSettings
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
            "release_number": draw(st.sampled_from([None, "", "2", "R*1", "r~3"])),  # BEG04, echoed in BAK05
            # what PoAckSettings echoes in the heading (HEAD_KEYS), delimiters inside included
            "department": draw(texts), "promotion": draw(texts), "merchandise_type": draw(texts),
            "ship_to_name": draw(texts), "ship_to_id_qualifier": draw(st.sampled_from([None, "", "92", "9*"])),
            "ship_to_id": draw(texts), "ship_date": draw(days),
            # the ship-to's N3/N4 (N301 and N401 first: a delimiter there must be seen too) and the buyer's N1 loop
            "ship_to_address1": draw(texts), "ship_to_address2": draw(texts), "ship_to_city": draw(texts),
            "ship_to_state": draw(texts), "ship_to_postal_code": draw(texts), "ship_to_country": draw(texts),
            "buyer_name": draw(texts), "buyer_id_qualifier": draw(st.sampled_from([None, "", "92"])),
            "buyer_id": draw(texts), "buyer_address1": draw(texts), "buyer_city": draw(texts),
            "fob_sent": draw(st.sampled_from([None, "PP\x1fOR\x1fA*B", "CC"])),
            "td5_sent": draw(st.sampled_from([None, "O\x1f2\x1fUPSN\x1fM\x1fx~y"])),
            # the agreed allowances' heading SACs (PoAckSettings.allowances), a deal number holding a delimiter too
            "agreed_sacs": draw(st.sampled_from([None, [["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "",
                                                         "02", "D*1"]], [["SAC", "A", "C310", "", "", "600"]]])),
            "itd_sent": draw(st.sampled_from([None, "01\x1f3\x1f\x1f\x1f\x1f\x1f30\x1f\x1f\x1f\x1f\x1fNET 30",
                                              "08\x1f3\x1f2\x1f\x1f10\x1f\x1f30\x1f\x1f\x1f\x1f\x1f2%^10|NET:30"]))}
    return head, lines, statuses


po_acks = st.one_of(st.just(PoAckSettings()), st.builds(
    PoAckSettings, ship_to=st.just(True), buyer=st.booleans(), addresses=st.booleans(), fob=st.booleans(),
    carrier=st.booleans(), terms=st.booleans(),
    contact=st.one_of(st.none(), st.just(PoAckContact(name="A*B~C", phone="555 0100", email="x^y@z"))),
    ship_from=st.one_of(st.none(), st.just(PoAckParty(name="Us|Co", id_qualifier="92", id="V:1",
                                                      address1="1 Way~2", city="Town")))), st.builds(
    PoAckSettings, vendor_number=st.sampled_from(["", "V123", "V*1", "a~b"]),
    allowances=st.sampled_from(["none", "agreed"]),
    order_refs=st.lists(st.sampled_from(["DP", "PD", "MR"]), unique=True, max_size=3).map(tuple),
    ship_date=st.booleans(), ship_to=st.booleans(),
    product_qualifiers=st.one_of(st.none(), st.lists(st.sampled_from(["UP", "VN", "EA", "BP"]), max_size=3)
                                 .map(tuple))))


def segments_of(head, lines, statuses, ack_settings=PoAckSettings()):
    acks = [LineAck(s["parts"][0]["status"], s["ack_quantity"], s["ack_price"],
                    parts=tuple(AckPart(p["status"], p["quantity"], p["date"]) for p in s["parts"])) for s in statuses]
    return build_855(head, lines, acks, today=TODAY, purpose=head["purpose"], settings=ack_settings)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 999), min_size=1, max_size=4).flatmap(
    lambda ids: st.tuples(*[order(f"PO-{i}") for i in ids])), st.sampled_from(CANDIDATES), po_acks)
def test_columnar_855s_equal_the_segment_form(orders, candidates, ack_settings):
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
    used = delimiter_use(heads, table, acks, spans, delimiter_chars(candidates), settings=ack_settings)
    expected, groups = {}, {}
    for k, (head, ls, ss) in enumerate(orders):
        body = segments_of(head, ls, ss, ack_settings)
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
        got = render_855s([heads[k] for k in ks], table.take(index), acks.take(index), sub, today=TODAY, d=d,
                          settings=ack_settings)
        assert got == [expected[k] for k in ks]
    if len(groups) == 1 and len(next(iter(groups.values()))) == len(orders) and lines:  # as a run passes them
        values = element_values(table, acks, spans, ack_settings.product_qualifiers)
        assert delimiter_use(heads, table, acks, spans, delimiter_chars(candidates), settings=ack_settings,
                             values=values) == used
        d = next(iter(groups))
        assert render_855s(heads, table, acks, spans, today=TODAY, d=d, settings=ack_settings, values=values) == \
            [expected[k] for k in range(len(orders))]


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
