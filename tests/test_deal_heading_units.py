"""A heading allowance counted in a unit of its own (SAC09 with SAC08's rate or SAC10's quantity: 0.30 per DZ for 100
DZ while the lines are in eaches) is compared with a deal's rate per another unit (deals.csv unit) through the items'
packs, as a line's allowance is (rules.business.allowance_discounts._own_unit_rate): one SAC09 holds the same eaches
of every item on the PO, so the rate converts; when the items hold different numbers, or one cannot be counted in the
SAC's unit, no one figure is right and DISCOUNT_OVER_THRESHOLD says so (the order waits, as it did, now saying why).
It compared nothing: every heading SAC in its own unit against a deal per another was held as "cannot be counted".
On the rg91 Grainger night (GR9100202: RG91-03 and RG91-04 sold by the EA, RG91-05 by the EA, 12 to the BX) and the
rows."""

from __future__ import annotations

from decimal import Decimal

from rules.business.allowance_discounts import _heading_rate, match_deal
from schemas.rule_settings import RuleSettings
from tests.test_agreed_promotions import DEAL, SAC, _said
from tests.test_deal_units import _night as _unit_night

# the PO's heading 2 % made 0.30 per DZ for 100 DZ (30.00: 13.2 % of 228.05, beyond Grainger's 5 %), deal DOZ26
PER_DOZEN = [("SAC*A*C310****1*2*****02~", "SAC*A*C310******0.3*DZ*100**02*DOZ26~"),
             ("AMT*TT*223.49~", "AMT*TT*198.05~")]
PER_BOX = [(a, b.replace("*DZ*", "*BX*")) for a, b in PER_DOZEN]
DOZ_PER_EA = "grainger,DOZ26,C310,,,0.03,EA,2026-11-01,2026-11-30,Dozen deal\n"


def test_a_heading_rate_per_dozen_is_compared_per_each(tmp_path):
    """0.30 per DZ is 0.025 per EA (a DZ of every item is 12 EA), within DOZ26's 0.03 per EA: pre-approved, the
    order answered, shipped and invoiced; ALLOWANCE_DEAL_AGREED names the deal; the 855 (profile asking) states the
    SAC as sent."""
    from tests.retailer_support import po_segments, segments

    ws, found, states = _unit_night(tmp_path, DOZ_PER_EA, PER_DOZEN, on=True)
    assert states == {("grainger", "GR9100202"): "invoiced"}, found
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    said = _said(found, "ALLOWANCE_DEAL_AGREED")
    assert said and "agreed deal DOZ26: up to 0.03 per EA" in said[0], said
    ack = po_segments(segments(ws, "grainger", "855"), "GR9100202", "BAK")
    assert [s for s in ack if s[0] == "SAC"] == [
        ["SAC", "A", "C310", "", "", "", "", "", "0.3", "DZ", "100", "", "02", "DOZ26"]]


def test_over_the_deal_per_each_it_is_held_saying_so_per_each(tmp_path):
    """0.025 per EA over a deal of 0.02 per EA: held, the figure said per EA."""
    _ws, found, states = _unit_night(tmp_path, DOZ_PER_EA.replace(",0.03,", ",0.02,"), PER_DOZEN)
    assert states == {("grainger", "GR9100202"): "held"}
    said = _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert said and "0.025 per EA is over deal DOZ26's 0.02 per EA" in said[0], said


def test_a_heading_rate_per_box_of_items_not_sold_in_boxes_is_held_saying_which(tmp_path):
    """0.30 per BX: RG91-03 has no box (items.csv, item_units.csv): no rate per EA can be told; held, the finding
    naming the SAC's unit and the item (it said only that the units could not be counted)."""
    _ws, found, states = _unit_night(tmp_path, DOZ_PER_EA, PER_BOX)
    assert states == {("grainger", "GR9100202"): "held"}
    said = _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert said and ("deal DOZ26's rate is per EA: the allowance is counted in BX (SAC09) and item RG91-03 cannot "
                     "be counted in BX") in said[0], said


# --- the rows -------------------------------------------------------------------------------------------------------

S = RuleSettings()
INDEX = {("A", "EA"): 1, ("A", "CA"): 12, ("B", "EA"): 1, ("B", "CA"): 24, ("C", "EA"): 1, ("C", "CA"): 12}
OFF = {"code": "C310", "agency_code": None, "amount": None, "percent": None, "rate": Decimal("1.2"), "unit": "CA",
       "quantity": Decimal(10)}


def _row(sku, qty=Decimal(120)):
    return {"sku": sku, "case_pack": None, "unit": "EA", "quantity": qty, "line_id": "1", "line_number": 1}


def test_own_unit_rate_converts_when_every_item_holds_the_same():
    """1.20 per CA (SAC09 CA, SAC10 10) on a PO of A and C (both 12 to the CA): 0.10 per EA; per CA as sent: 1.20."""
    rate = _heading_rate(OFF, Decimal(12), Decimal(240), [_row("A"), _row("C")], S, INDEX)
    assert (rate("EA"), rate("CA"), rate(None)) == (Decimal("0.1"), Decimal("1.2"), Decimal("1.2"))


def test_own_unit_rate_says_why_when_the_items_differ_or_cannot_be_counted():
    rate = _heading_rate(OFF, Decimal(12), Decimal(240), [_row("A"), _row("B")], S, INDEX)
    assert rate("EA") == ("the allowance is counted in CA (SAC09) and the PO's items hold different numbers of EA "
                          "per CA (12 EA per CA of A, 24 EA per CA of B)")
    rate = _heading_rate(OFF, Decimal(12), Decimal(240), [_row("A"), _row("Z")], S, INDEX)
    assert rate("EA") == "the allowance is counted in CA (SAC09) and item Z cannot be counted in CA"


def test_match_deal_gives_the_why_of_a_rate_not_converted():
    from datetime import date

    per_ea = DEAL | {"percent": None, "rate": Decimal("0.2"), "unit": "EA"}
    rate = _heading_rate(OFF, Decimal(12), Decimal(240), [_row("A"), _row("B")], S, INDEX)
    got = match_deal(SAC, "D1", None, date(2026, 12, 2), [per_ea], Decimal("0.01"), rate)
    assert got.deal is None and got.why.startswith("deal D1's rate is per EA: the allowance is counted in CA")
    ok = _heading_rate(OFF, Decimal(12), Decimal(240), [_row("A"), _row("C")], S, INDEX)
    assert match_deal(SAC, "D1", None, date(2026, 12, 2), [per_ea], Decimal("0.01"), ok).deal is per_ea

