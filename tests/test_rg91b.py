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


# --- an order an 860 changed: its heading SAC05 beside a percent judged by the order as changed -----------------

def test_a_changed_order_s_heading_sac05_beside_its_percent_is_judged_by_its_lines_as_changed():
    """current_po_sacs gives a heading SAC the order's value as its current lines say (po_value), as po_sacs does
    for an order no 860 changed: an 860 cutting line 1 to 30 cases leaves 3 % with SAC05 10.00 beside it (the
    lines, 30 x 4.00 + 5 x 2.00 = 130.00, make 3.90): 10.00 carried, flat, as engine.charge_match holds the order to
    it. The order's value was not told: the 810 took 3 % of its lines."""
    from engine.invoice_po_sacs import carried, current_po_sacs
    from schemas.fulfilment import InvoiceSettings
    from schemas.reconciliation import PO_CHARGES

    base = {f.name: None for f in PO_CHARGES}
    charges = pa.Table.from_pylist([{**base, "partner": "kroger", "po_number": "P1", "kind": "A", "code": "C310",
                                     "amount": Decimal("10.00"), "basis": "1", "percent": Decimal(3),
                                     "handling": "02", "words": "", "more": 0}], schema=PO_CHARGES)
    lines = pa.table({"partner": ["kroger", "kroger"], "po_number": ["P1", "P1"], "line_number": [1, 2],
                      "line_id": ["1", "2"], "quantity": [Decimal(30), Decimal(5)],
                      "unit_price": [Decimal(4), Decimal(2)], "unit": ["CA", "CA"], "price_basis": [None, None]})
    [sac] = current_po_sacs(charges, lines, {"kroger": InvoiceSettings()})["kroger", "P1"]
    assert sac.po_value == Decimal(130)
    billed = carried([sac], ["1", "2"], [Decimal(30), Decimal(5)], [Decimal(120), Decimal(10)], {}, first=True)
    assert billed.summary == [["SAC", "A", "C310", "", "", "1000", "", "", "", "", "", "", "02"]]
    # 3 % of the lines as changed (3.90) stated beside it: the percent, as sent
    agreeing = charges.set_column(charges.schema.get_field_index("amount"), "amount",
                                  pa.array([Decimal("3.90")], PO_CHARGES.field("amount").type))
    [sac] = current_po_sacs(agreeing, lines, {"kroger": InvoiceSettings()})["kroger", "P1"]
    billed = carried([sac], ["1", "2"], [Decimal(30), Decimal(5)], [Decimal(120), Decimal(10)], {}, first=True)
    assert billed.summary == [["SAC", "A", "C310", "", "", "390", "1", "3", "", "", "", "", "02"]]


def test_end_to_end_an_860_s_sac05_beside_its_percent_is_billed_as_stated(tmp_path):
    """ACME-1000 changed by an 860 restating its C310 as 3 % with SAC05 10.00: the 810 takes 10.00 off (SAC05 takes
    precedence over the percent of the order as changed), the amount the reconciliation holds the order to, found
    taken. It took 3 % of the 810's lines: the order's value as changed was not told to the 810."""
    from tests.test_change_units_860 import x12_860
    from tests.test_charge_reconcile import _promising_workspace, _reconciled
    from tests.test_shipment_charges import sacs_by_po

    change = x12_860(["BCH*04*SA*ACME-1000***20261126", "SAC*A*C310***1000*1*3*****02***PROMOTIONAL ALLOWANCE",
                      "CTT*0"])
    ws = _promising_workspace(tmp_path, "changed", "", drops={"acme-po-02-change.x12": change}, own_sacs=True)
    got, _html = _reconciled(ws, "recon")
    sent = sacs_by_po(ws)["ACME-1000"]
    assert [(k, c, Decimal(a) / 100) for k, c, a in sent if k == "A"] == [("A", "C310", Decimal("10.00"))], sent
    taken = got["ACME-1000", "A", "C310"]
    assert (taken["billed_value"], taken["flag"]) == (Decimal("10.00"), None)


# --- a SAC named by its agency's code alone (no SAC02: SAC03/SAC04, as X12's R0203 allows) -----------------------

AGENCY_ONLY = ("SAC*A*C310****1*2*****02~", "SAC*A*C310****1*2*****02~\nSAC*A**VI*PROMO7*200*******02~")


def test_a_sac_named_by_its_agency_code_alone_is_carried_and_named_by_it(tmp_path):
    """Grainger's heading promotion VI PROMO7 (no SAC02) of 2.00 off invoice: our 810 carries it as sent, SAC03 and
    SAC04 back (it was never carried: the one rule wanted a SAC02), TDS less it; the order's words name it by its
    agency's code (they said "allowance (no code)" alone), and the stored SAC's words alike (engine.finance_inputs)."""
    from tests.retailer_support import inspected
    from tests.test_rg91_money import GRAINGER, _copy

    total = ("AMT*TT*223.49~", "AMT*TT*221.49~")
    ws, found, states = _variant("grainger", "GR9100202", tmp_path, [AGENCY_ONLY, total])
    assert states == {("grainger", "GR9100202"): "invoiced"}
    assert not _codes(found, "SAC_NOT_APPLIED")  # our 810s carry both
    inv = po_segments(segments(ws, "grainger", "810"), "GR9100202", "BIG")
    # 228.05 less the 2 % (4.56) and 2.00
    assert [s for s in inv if s[0] in ("TDS", "SAC")] == [
        ["TDS", "22149"], ["SAC", "A", "C310", "", "", "456", "1", "2", "", "", "", "", "02"],
        ["SAC", "A", "", "VI", "PROMO7", "200", "", "", "", "", "", "", "02"]]
    (tmp_path / "inspect").mkdir()
    seen = inspected(_copy(GRAINGER, tmp_path / "inspect", AGENCY_ONLY, total))
    [said] = [f["message"] for f in seen["findings"] if f["code"] == "SAC_NOT_APPLIED"]
    assert "; allowance (no code) agency VI:PROMO7, 2.00, handling 02 off invoice." in said, said


def test_the_stored_sac_s_words_name_its_agency_code_and_finance_reads_its_columns():
    """engine.finance_inputs.stored_po_charges: the words of a stored SAC without SAC02 name its agency's code as
    the SAC_NOT_APPLIED words do; its code and agency code are the table's columns (null, "VI:PROMO7")."""
    from engine.finance_inputs import stored_po_charges

    sacs = _sacs({"code": None, "amount": Decimal(2), "agency": "VI", "agency_code": "PROMO7",
                  "source_sha256": "sha"})
    orders = pa.table({"partner": ["p"], "po_number": ["PO1"], "order_ref": ["1-1-1"], "source_sha256": ["sha"]})
    [row] = stored_po_charges(sacs, orders).to_pylist()
    assert (row["code"], row["agency_code"], row["words"]) == (
        None, "VI:PROMO7", "allowance (no code) agency VI:PROMO7, 2.00, handling 02 off invoice")
