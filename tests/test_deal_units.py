"""A deal's rate is per a unit of its own (deals.csv unit: EA, BX, CA ...): what an allowance takes off per unit is
compared in that unit, whatever unit the line is ordered in, counted by the item's eaches (items.csv unit and
case_pack, item_units.csv: rules.business.quantities.eaches_per_unit). Without it, a rate per EA was compared with
an amount per box of 12 (an agreed 0.25 per EA on 2 BX held as 3.00 per unit), and a rate per box with an amount
per each (0.30 per EA, 3.60 a box, passed a deal of 2.00 per box). A deals.csv without the column compares per the
unit ordered, as before. On the rg91 Grainger night (line 3: RG91-05, sold by the EA, 12 to the BX) and the rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connectors.reference import load_reference
from rules.business.allowance_discounts import _heading_rate, _line_rate, match_deal
from schemas.errors import ConfigError
from schemas.rule_settings import RuleSettings
from tests.retailer_support import po_segments, segments
from tests.test_agreed_promotions import DEAL, FIXTURES, SAC, _said
from tests.test_deals_855 import _grainger

UNIT_HEADER = "partner,deal,allowance_code,sku,percent,rate,unit,valid_from,valid_to,description\n"
PER_EA = "grainger,SAFE26,C310,RG91-05,,0.5,EA,2026-11-01,2026-11-30,Safety week\n"
PER_BX = "grainger,SAFE26,C310,RG91-05,,2,BX,2026-11-01,2026-11-30,Safety week\n"
# line 3 as 2 boxes of 12 at 37.50 a box (our 3.125 per EA), 6.00 off (3.00 a box: 0.25 per EA), deal SAFE26
IN_BOXES = [("PO1*3*24*EA*3.1250**IN*5XJ09*VN*RG91-05~\nCTP**CON*3.125~",
             "PO1*3*2*BX*37.50**IN*5XJ09*VN*RG91-05~"),
            ("PID*F****SAFETY GLASSES CLEAR ANTI-FOG~",
             "PID*F****SAFETY GLASSES CLEAR ANTI-FOG~\nSAC*A*C310***600*******02*SAFE26~"),
            ("CTT*3*7024~", "CTT*3*7002~")]
# line 3 as sent (24 EA), 0.30 per EA off (SAC08 per SAC09 EA for SAC10 24: 7.20, 9.6 % of 75.00), deal SAFE26
PER_EACH = [("PID*F****SAFETY GLASSES CLEAR ANTI-FOG~",
             "PID*F****SAFETY GLASSES CLEAR ANTI-FOG~\nSAC*A*C310******0.3*EA*24**02*SAFE26~")]



def _night(tmp_path, deals: str, swaps, on=False):
    from tests import test_agreed_promotions as promos

    header = promos.HEADER
    promos.HEADER = UNIT_HEADER  # the deals.csv with its unit column
    try:
        return _grainger(tmp_path, deals, swaps, on=on)
    finally:
        promos.HEADER = header


def test_a_rate_per_each_is_met_by_a_line_in_boxes(tmp_path):
    """6.00 off 2 BX is 0.25 per EA, within SAFE26's 0.50 per EA: pre-approved, invoiced, the deal named per EA; the
    855 (profile asking) states the allowance with SAFE26."""
    ws, found, states = _night(tmp_path, PER_EA, IN_BOXES, on=True)
    assert states == {("grainger", "GR9100202"): "invoiced"}, found
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    said = _said(found, "ALLOWANCE_DEAL_AGREED")
    assert said and "agreed deal SAFE26: up to 0.5 per EA" in said[0], said
    ack = po_segments(segments(ws, "grainger", "855"), "GR9100202", "BAK")
    assert [s for s in ack if s[0] == "SAC"] == [["SAC", "A", "C310", "", "", "600", "", "", "", "", "", "", "02",
                                                  "SAFE26"]]


def test_without_the_deal_s_unit_the_box_is_compared_as_before(tmp_path):
    """The same deal with no unit (the rate per the unit ordered): 3.00 per unit (a box) is over 0.50: held."""
    _ws, found, states = _night(tmp_path, PER_EA.replace(",EA,", ",,"), IN_BOXES)
    assert states == {("grainger", "GR9100202"): "held"}
    said = _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert said and "3 per unit is over deal SAFE26's 0.5 per unit" in said[0], said


def test_a_rate_per_each_over_a_deal_per_box_is_held(tmp_path):
    """0.30 per EA is 3.60 a box, over SAFE26's 2.00 per BX: held, saying so in boxes (it passed, compared 0.30
    with 2.00)."""
    _ws, found, states = _night(tmp_path, PER_BX, PER_EACH)
    assert states == {("grainger", "GR9100202"): "held"}
    said = _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert said and "3.6 per BX is over deal SAFE26's 2 per BX" in said[0], said


def test_a_rate_per_each_within_a_deal_per_box_is_agreed(tmp_path):
    """0.15 per EA is 1.80 a box, within 2.00 per BX: pre-approved (the line's 3.60 off, 4.8 %, left out of what is
    judged: the PO's own 2 % alone is within Grainger's 5 %; both together, 6.8 %, would be held)."""
    _ws, found, states = _night(tmp_path, PER_BX, [(a, b.replace("*0.3*", "*0.15*")) for a, b in PER_EACH])
    assert states == {("grainger", "GR9100202"): "invoiced"}, found
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")


# --- the rows -------------------------------------------------------------------------------------------------------

S = RuleSettings()
INDEX = {("G", "EA"): 1, ("G", "BX"): 12}
ROW = {"sku": "G", "case_pack": 12, "unit": "CA", "quantity": Decimal(2)}
OFF = {"code": "C310", "agency_code": None, "amount": Decimal(6), "percent": None, "rate": None, "unit": None,
       "quantity": None}


def test_line_rate_converts_by_the_item_s_eaches():
    """6.00 off 2 CA of 12: 3.00 per CA, 0.25 per EA, 3.00 per BX (12); per a unit the item is not sold in: None."""
    rate = _line_rate(OFF, Decimal(6), ROW, S, INDEX)
    assert (rate(None), rate("CA"), rate("EA"), rate("BX"), rate("PL")) == (
        Decimal(3), Decimal(3), Decimal("0.25"), Decimal(3), None)
    per_each = {**OFF, "amount": None, "rate": Decimal("0.1"), "unit": "EA", "quantity": Decimal(24)}
    rate = _line_rate(per_each, Decimal("2.4"), ROW, S, INDEX)  # its SAC08 per its SAC09 EA
    assert (rate(None), rate("EA"), rate("CA")) == (Decimal("0.1"), Decimal("0.1"), Decimal("1.2"))


def test_heading_rate_counts_every_line_in_the_deal_s_unit():
    """12.00 off a PO of 2 CA (24 EA) and 6 EA: 30 EA, 0.40 per EA; a line not countable in the unit: None."""
    rows = [ROW, {**ROW, "unit": "EA", "quantity": Decimal(6)}]
    rate = _heading_rate({**OFF, "amount": Decimal(12)}, Decimal(12), Decimal(8), rows, S, INDEX)
    assert rate(None) == Decimal("1.5") and rate("EA") == Decimal("0.4")
    assert rate("PL") is None


def test_match_deal_compares_in_the_deal_s_unit_and_says_so():
    on = date(2026, 12, 2)
    per_ea = DEAL | {"percent": None, "rate": Decimal("0.3"), "unit": "EA"}
    rate = _line_rate(OFF, Decimal(6), ROW, S, INDEX)
    assert match_deal(SAC, "D1", "G", on, [per_ea], Decimal("0.1"), rate).deal is per_ea
    assert match_deal(SAC, "D1", "G", on, [per_ea | {"rate": Decimal("0.2")}], Decimal("0.1"), rate).why == \
        "0.25 per EA is over deal D1's 0.2 per EA"
    assert match_deal(SAC, "D1", "G", on, [per_ea | {"unit": "PL"}], Decimal("0.1"), rate).why == \
        "deal D1's rate is per PL, in which the allowance's units cannot be counted"


@pytest.mark.parametrize(("rows", "message"), [
    ("grainger,X1,C310,,5,,EA,2026-01-01,,\n", "unit EA is the unit of a rate, and the deal gives no rate"),
    ("grainger,X1,C310,,,0.5,BOXEZ,2026-01-01,,\n", "unit 'BOXEZ' is no X12 unit code"),
], ids=["no-rate", "not-a-unit"])
def test_a_bad_unit_stops_the_run(tmp_path, rows, message):
    import shutil

    folder = tmp_path / "reference"
    shutil.copytree(FIXTURES / "reference", folder)
    (folder / "deals.csv").write_text(UNIT_HEADER + rows, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_reference(folder)
    assert message in str(err.value) and "deals.csv" in str(err.value), str(err.value)


def test_the_unit_is_read_upper_case(tmp_path):
    import shutil

    folder = tmp_path / "reference"
    shutil.copytree(FIXTURES / "reference", folder)
    (folder / "deals.csv").write_text(UNIT_HEADER + PER_EA.replace(",EA,", ",ea ,"), encoding="utf-8")
    [row] = load_reference(folder).deals.to_pylist()
    assert row["unit"] == "EA"
