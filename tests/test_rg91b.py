"""What the money sweep (rg91) left: the PO's allowances our 810 takes off judged as the discount they are (the
customer's approval threshold, DISCOUNT_OVER_THRESHOLD naming the SACs: rules.business.allowance_discounts), on the
rg91 buyers' fixtures (tests/test_rg91_money.py's night) and on the rule's own tables."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from rules.business.allowance_discounts import line_allowances
from schemas.orders import ORDER_SACS
from schemas.rule_settings import RuleSettings
from tests.retailer_support import po_segments, segments
from tests.test_rg91_money import _variant

TWELVE_OFF = [("SAC*A*C310****1*2*****02~", "SAC*A*C310****1*12*****02~"), ("AMT*TT*223.49~", "AMT*TT*200.68~")]


def _codes(found, code):
    return [f for f in found if f[0] == code]


def test_a_line_allowance_beyond_the_threshold_holds_the_order_naming_its_sac(tmp_path):
    """The glasses' own C310 5.00 off invoice (of 75.00) and the heading 2 %: 8.67 % off a line at our price,
    beyond Grainger's 5 %. The glasses wait for a person, the finding naming both SACs; the fasteners, with the
    heading 2 % alone, are within it."""
    ws, found, states = _variant("grainger", "GR9100202", tmp_path, [(
        "PID*F****SAFETY GLASSES CLEAR ANTI-FOG~",
        "PID*F****SAFETY GLASSES CLEAR ANTI-FOG~\nSAC*A*C310***500*1*7.6*****02~")])
    assert states == {("grainger", "GR9100202"): "held"}
    [held] = _codes(found, "DISCOUNT_OVER_THRESHOLD")
    assert held[3] == (
        "PO104 3.125 less the allowances our 810 takes off (C310 2 % of the PO (heading, SAC12 02); C310 5.00 "
        "(line 3, SAC12 02): 8.67% of the line) is 2.8542, 8.67% below our price 3.125; more than the 5% that "
        "needs approval.")
    assert segments(ws, "grainger", "810") == []


def test_an_allowance_within_the_threshold_is_billed(tmp_path):
    """The heading 2 % alone (the night's own PO): within Grainger's 5 %, no hold, the 810 takes it off."""
    ws, found, states = _variant("grainger", "GR9100202", tmp_path)
    assert states == {("grainger", "GR9100202"): "invoiced"}
    assert not _codes(found, "DISCOUNT_OVER_THRESHOLD")
    assert ["SAC", "A", "C310", "", "", "456", "1", "2", "", "", "", "", "02"] in po_segments(
        segments(ws, "grainger", "810"), "GR9100202", "BIG")


def test_an_allowance_our_810_does_not_take_off_is_no_discount_of_ours(tmp_path):
    """12 % as a bill-back (SAC12 01: the buyer's to claim, not on our 810), or off invoice for a partner whose
    profile carries no PO allowance (po_allowances = []): no discount we give on the invoice, no hold."""
    ws, found, states = _variant("grainger", "GR9100202", tmp_path / "billback",
                                 [("SAC*A*C310****1*2*****02~", "SAC*A*C310****1*12*****01~")])
    assert not _codes(found, "DISCOUNT_OVER_THRESHOLD")
    assert states == {("grainger", "GR9100202"): "invoiced"}
    carries_none = ("[fulfilment.invoice]\n", "[fulfilment.invoice]\npo_allowances = []\n")
    ws, found, states = _variant("grainger", "GR9100202", tmp_path / "none", TWELVE_OFF, profile_swaps=[carries_none])
    assert not _codes(found, "DISCOUNT_OVER_THRESHOLD")
    assert states == {("grainger", "GR9100202"): "invoiced"}


def test_the_held_order_stays_held_on_recheck(tmp_path):
    """A person's recheck runs the same rules with the same SACs: the 12 % still waits (flows.recheck)."""
    from datetime import datetime

    from connectors.state import StateStore
    from flows.recheck import recheck_held

    ws, _found, states = _variant("grainger", "GR9100202", tmp_path, TWELVE_OFF)
    assert states == {("grainger", "GR9100202"): "held"}
    [done] = recheck_held(ws, StateStore(ws.state_path), po="GR9100202", by="ops", at=datetime(2026, 12, 2, 9))
    assert done.after.state == "held"


def _sacs(*rows):
    base = {"partner": "p", "order_ref": "1-1-1", "po_number": "PO1", "line_number": None, "line_id": None,
            "kind": "A", "code": "C310", "amount": None, "basis": None, "percent": None, "rate": None,
            "handling": "02", "description": None, "segment_position": 5, "file_segment": 5}
    return pa.Table.from_pylist([base | r for r in rows], schema=ORDER_SACS)


LINES = pa.table({"partner": ["p", "p", "q"], "po_number": ["PO1", "PO1", "PO1"],
                  "line_number": pa.array([1, 2, 1], pa.int32()),
                  "quantity": pa.array([Decimal(10), Decimal(30), Decimal(5)], pa.decimal128(18, 4)),
                  "unit_price": pa.array([Decimal(2), Decimal(2), Decimal(2)], pa.decimal128(18, 4)),
                  "unit": ["EA", "EA", "EA"], "price_basis": [None, None, None]})


def _shares(sacs, settings=RuleSettings()):
    return {i: (a.share, a.sacs) for i, a in line_allowances(LINES, sacs, settings.for_partner).items()}


def test_a_heading_amount_is_spread_by_value_and_a_line_s_sac05_takes_precedence():
    """A heading 8.00 over the PO's 80.00 (10 % of each line); line 2's own SAC05 3.00 beside its 50 % (SAC05 takes
    precedence: 5 % of its 60.00); another partner's PO of the same number untouched."""
    shares = _shares(_sacs({"amount": Decimal(8)},
                           {"line_number": 2, "line_id": "2", "amount": Decimal(3), "percent": Decimal(50)}))
    assert shares == {0: (Decimal("0.1"), ("C310 8.00 (heading, SAC12 02)",)),
                      1: (Decimal("0.15"), ("C310 8.00 (heading, SAC12 02)", "C310 3.00 (line 2, SAC12 02)"))}


def test_a_rate_counts_its_sac10_and_charges_bill_backs_and_our_own_codes_count_nothing():
    """A line rate 0.10 x SAC10 20 (2.00 of line 1's 20.00); a charge, a bill-back, a SAC without an amount and an
    allowance of a code the profile bills as its own are no discount on our 810."""
    shares = _shares(_sacs({"line_number": 1, "line_id": "1", "rate": Decimal("0.1"), "quantity": Decimal(20)},
                           {"kind": "C", "amount": Decimal(50)}, {"handling": "01", "amount": Decimal(50)},
                           {"code": "B840"}, {"code": "F800", "amount": Decimal(50)}),
                     RuleSettings(own_allowance_codes=("F800",)))
    assert shares == {0: (Decimal("0.1"), ("C310 0.1 per unit (line 1, SAC12 02)",))}
    assert _shares(None) == {} and _shares(_sacs({"amount": Decimal(8)}), RuleSettings(off_invoice_handlings=())) == {}

