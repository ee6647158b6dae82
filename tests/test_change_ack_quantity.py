"""ACK02 of an 865 is the quantity the ACK01 status applies to (X12: the ACK segment acknowledges the ordered
quantities of the line): for a POC that leaves the line's quantity as it was (IA, IP, or IR refusing the change)
it is the quantity we acknowledged for the line, what our 855 said and what we ship (after case-pack rounding),
not the buyer's PO102 below it; for a POC that changes it, the line's quantity after the change (IQ 10 for a
decrease to 8 of a line that shipped 10: the shipped units stay). ACME-1001 line 4 (ordered 10, acknowledged IQ
12 by case-pack rounding, 10 shipped and invoiced, 2 reserved) used to be answered IA 10 / IR 10, telling the
buyer the line was 10 while 2 more were still to come (docs/lifecycle.md "An 860 for an order that shipped")."""

from __future__ import annotations

from tests import test_change_after_shipment as after
from tests.test_change_after_shipment import NIGHT2, answer, run_stages, send_860
from tests.test_change_orders import docs
from tests.test_change_units_860 import _answered_by_865s, _changed, _ordered

shipped_base, ws = after.shipped_base, after.ws  # night 1 and day 1's shipments (the module's fixtures)


def test_an_865_after_shipment_acknowledges_an_unchanged_line_with_the_quantity_we_acknowledged(ws):
    """A refused price change (invoiced units) and an NC on ACME-1001 line 4 say 12, what the 855 acknowledged
    and what ships (10 shipped, 2 to come); a decrease to 8 says IQ 10, the line after the change."""
    send_860(ws, "acme", "ACME-1001", [["4", "PC", "", "", "EA", "9.50", "PE"], ["4", "NC", "", "", "EA"]])
    run_stages(ws, NIGHT2)
    assert answer(ws, "acme") == ("AC", [("4", "PC", "IR", "12"), ("4", "NC", "IA", "12")])


def test_a_decrease_below_what_shipped_is_acknowledged_with_the_line_after_the_change(ws):
    send_860(ws, "acme", "ACME-1001", [["4", "QD", "8", "", "EA"], ["4", "NC", "", "", "EA"]], isa13=2202)
    run_stages(ws, NIGHT2)
    # the NC after the QD answers the line as the QD left it, not the 12 acknowledged before
    assert answer(ws, "acme") == ("AC", [("4", "QD", "IQ", "10"), ("4", "NC", "IA", "10")])


def test_an_865_before_shipment_acknowledges_a_rounded_line_with_its_rounded_quantity(tmp_path):
    """ACME's PO-1 line 1: 10 EA of SKU-1003, sold in cases of 12: acknowledged IQ 12. An NC on it
    is answered IA 12 (it used to say IA 10), as a change that decides the line again is (the decision's 12)."""
    ws = _ordered(tmp_path, ["PO1*1*10*EA*39.20*PE*UP*614141100248"])
    _answered_by_865s(ws)
    (_p, _bca, acks), = docs(ws, "855")["PO-1"]
    assert [a[:3] for a in acks] == [["IQ", "12", "EA"]]
    _changed(ws, ["POC*1*NC***EA"])
    (_p, bca, acks), = docs(ws, "865")["PO-1"]
    assert (bca, [a[:3] for a in acks]) == ("AD", [["IA", "12", "EA"]])
