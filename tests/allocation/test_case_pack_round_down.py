"""A partner's own case-pack rounding down ([allocation] case_pack_rounding = "down") answers every unit ordered.

Before, 30 eaches ordered of an item in cases of 12 were placed as 24 and the other 6 were nowhere: the 855 said
ACK*IQ*24 (its CTT summing 24), the status row held 24 ordered and 0 rejected, and no finding named them. Now the
6 are rejected as the engine answers any part of a line it cannot place (engine.answer.ack_parts): ACK*IQ*24 for
what ships, ACK*IR*6 for the rest (X12 lets an ACK repeat in the PO1 loop), the status row counts 30 ordered and
6 rejected, and a STOCK_SHORT_REJECTED warning at the line's PO1 names them and the policy. Rounding up (the
rules' case-pack policy default, round_up, never leaves a line that is not whole cases) is unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
from allocation_support import TODAY, lines, receipts, snapshot

from engine.allocate import allocate
from engine.answer import line_statuses
from engine.decide import ACCEPTED, LineDecision, OrderDecision
from engine.refusals import stock_refusal_findings
from schemas.allocation import AllocationPolicy

_AT = pa.table({"partner": ["ACME"], "po_number": ["PO0000"], "line_number": pa.array([1], pa.int32()),
                "line_id": ["1"], "source_file": ["acme.x12"], "segment_position": pa.array([12], pa.int64())})


def _answer(quantity: int, stock: int, policy: AllocationPolicy, rec=None):
    result = allocate(lines({"sku": "A", "quantity": quantity, "case_pack": 12}), snapshot({("W1", "A"): stock}),
                      rec if rec is not None else receipts(), {"ACME": policy}, today=TODAY)
    d = OrderDecision("ACME", "PO0000", "O0000", "acme.x12", ACCEPTED,
                      lines=[LineDecision(1, "IA", "accept", Decimal(quantity), None)])
    [s] = line_statuses(d, result.lines.to_pylist(), requested_ship=TODAY, today=TODAY)
    found = stock_refusal_findings(result.refused, _AT)
    return s, [(p.status, p.quantity) for p in s.ack.parts], found


def test_the_units_rounded_down_are_rejected_in_the_855_the_status_and_a_finding():
    s, parts, found = _answer(30, 100, AllocationPolicy(case_pack_rounding="down"))
    assert parts == [("IQ", Decimal(24)), ("IR", Decimal(6))]
    assert s.ack.quantity == Decimal(30)  # what the CTT adds: every unit of the PO102 answered
    assert (s.ordered, s.allocated, s.backordered, s.rejected) == (Decimal(30), 24, 0, 6)
    assert "case_pack_down" in s.reason
    [fr] = found
    assert (fr.finding.code, fr.finding.severity, fr.consequence) == ("STOCK_SHORT_REJECTED", "warning",
                                                                      "line 1: IR")
    where = fr.finding.location
    assert (where.segment_id, where.segment_position, where.element, where.file) == ("PO1", 12, "PO102", "acme.x12")
    message = fr.finding.message
    assert message.startswith("Line 1 (SKU A): 30 eaches ordered, not whole cases: the partner's case-pack rounding "
                              "([allocation] case_pack_rounding = \"down\") places 24, so 6 are rejected (855 IR)")
    assert "order whole cases" in message


def test_rounded_down_and_short_of_stock_says_both():
    s, parts, found = _answer(30, 12, AllocationPolicy(case_pack_rounding="down", backorder="reject"))
    assert parts == [("IQ", Decimal(12)), ("IR", Decimal(18))]
    assert (s.ordered, s.allocated, s.rejected) == (Decimal(30), 12, 18)
    [fr] = found
    message = fr.finding.message
    assert "places 24, so 6 are rejected (855 IR)" in message
    assert "24 eaches wanted, 12 in stock for the run" in message and "12 rejected (855 IR)" in message


def test_rounded_down_with_the_rest_backordered():
    s, parts, _found = _answer(30, 12, AllocationPolicy(case_pack_rounding="down"),
                               receipts(("W1", "A", 50, date(2024, 3, 5))))
    assert parts == [("IQ", Decimal(12)), ("IB", Decimal(12)), ("IR", Decimal(6))]
    assert (s.allocated, s.backordered, s.rejected) == (12, 12, 6)


def test_rounded_to_nothing_rejects_what_was_ordered():
    s, parts, found = _answer(5, 100, AllocationPolicy(case_pack_rounding="down"))
    assert parts == [("IR", Decimal(5))]  # it used to say ACK*IR*0: the 5 units ordered unanswered
    assert (s.ordered, s.rejected) == (Decimal(5), 5)
    assert "left nothing to ship" in found[0].finding.message


def test_whole_cases_and_rounding_up_are_unchanged():
    s, parts, found = _answer(24, 100, AllocationPolicy(case_pack_rounding="down"))
    assert parts == [("IA", Decimal(24))] and not found and s.rejected == 0
    s, parts, found = _answer(30, 100, AllocationPolicy(case_pack_rounding="up"))
    assert parts == [("IQ", Decimal(36))] and not found and (s.ordered, s.rejected) == (Decimal(36), 0)


def test_a_night_of_a_partner_whose_allocation_rounds_down(tmp_path):
    """ACME made a partner whose own allocation rounds down and whose rules do not (its suites without
    "quantities"): 30 ballpoint pens (SKU-1003, cases of 12) are answered ACK*IQ*24 + ACK*IR*6 (CTT 30), `status`
    keeps 30 ordered, 24 allocated, 6 rejected, and the warning is at the line's PO1 of the file."""
    from connectors.state import StateStore
    from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
    from tests.test_change_after_shipment import outbox
    from tests.test_change_after_shipment_855 import acks
    from tests.test_order_types_held import NIGHT

    ws = make_workspace(tmp_path / "ws", partners=())
    toml = ws.root / "partners" / "acme.toml"
    text = toml.read_text().replace('rule_suites = ["standard"]',
                                    'rule_suites = ["items", "prices", "terms", "ship_to", "dates", "credit"]', 1)
    toml.write_text(text.replace("[allocation]\n", '[allocation]\ncase_pack_rounding = "down"\n', 1))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850([*GOOD_PO[:6], "PO1*1*30*EA*39.20*PE*VN*VP-1003", "CTT*1*30"]))
    run_stages(ws, NIGHT)
    [doc] = [d for d in outbox(ws, "acme", "855") if any(r[0] == "BAK" and r[3] == "PO-1" for r in d)]
    assert acks(doc)["1"][0] == "30" and [a[:2] for a in acks(doc)["1"][1:]] == [("IQ", "24"), ("IR", "6")], doc
    assert next(r for r in doc if r[0] == "CTT")[1:3] == ["1", "30"]
    state = StateStore(ws.state_path)
    try:
        [line] = state.order_lines("acme", "PO-1")
        [found] = [f for f in state.findings(partner="acme", po_number="PO-1") if f["code"] == "STOCK_SHORT_REJECTED"]
    finally:
        state.close()
    assert (line.ordered, line.allocated, line.backordered, line.rejected) == (Decimal(30), 24, 0, 6)
    assert "so 6 are rejected (855 IR)" in found["message"], found
    # ST is the set's segment 1, GOOD_PO's BEG .. N4 its 2-7: the PO1 is its 8th
    assert (found["file"], found["segment_id"], found["element"], found["line_number"]) == (
        "po.x12", "PO1", "PO102", 1), found
    assert found["segment_position"] == 8, found
