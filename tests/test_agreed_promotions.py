"""Promotions agreed with a customer (reference file deals.csv): an off-invoice allowance matching a deal (its number,
SAC13 or REF*PD; its allowance code; its item; the PO's date within the deal's; within its percent or rate) is
pre-approved, not judged by the customer's discount approval threshold (ALLOWANCE_DEAL_AGREED names the deal); one
that matches none is judged as before, DISCOUNT_OVER_THRESHOLD saying why each missed (rules.business.
allowance_discounts.match_deal). On the rg91 Grainger night (tests/test_rg91_money.py) and on the rule's own rows."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest

from connectors.reference import load_reference
from rules.business.allowance_discounts import line_allowances, match_deal
from schemas.errors import ConfigError
from schemas.rule_settings import RuleSettings
from tests.retailer_support import po_segments, segments, variant_night
from tests.test_rg91_money import FIXTURES, NIGHT, SHIP_DAY, WAREHOUSES
from tests.test_rg91b import LINES, _sacs

HEADER = "partner,deal,allowance_code,sku,percent,rate,valid_from,valid_to,description\n"
SPRING = "grainger,SPRING26,C310,,15,,2026-11-01,2026-11-30,Spring fasteners promotion\n"
# the night's heading C310 2 % made 12 % (with SAC13 the deal's number when ``deal``), the AMT*TT to match
TWELVE = ("SAC*A*C310****1*2*****02~", "SAC*A*C310****1*12*****02~")
TWELVE_DEAL = ("SAC*A*C310****1*2*****02~", "SAC*A*C310****1*12*****02*SPRING26~")
TOTAL = ("AMT*TT*223.49~", "AMT*TT*200.68~")


def _night(tmp_path, deals: str | None, swaps):
    """Grainger's GR9100202 alone, its 850 swapped, with ``deals`` as the workspace's deals.csv (None: none)."""
    fixtures = tmp_path / "rg91"
    shutil.copytree(FIXTURES, fixtures)
    if deals is not None:
        (fixtures / "reference" / "deals.csv").write_text(HEADER + deals, encoding="utf-8")
    return variant_night(fixtures, "grainger", "GR9100202", tmp_path / "night",
                         [(a.encode(), b.encode()) for a, b in swaps], warehouses=WAREHOUSES, night=NIGHT,
                         ship_day=SHIP_DAY)


def _said(found, code):
    return [f[3] for f in found if f[0] == code]


def test_an_allowance_matching_an_agreed_deal_is_not_held_and_the_deal_is_named(tmp_path):
    """12 % off invoice (beyond Grainger's 5 %) sent with SAC13 SPRING26, agreed up to 15 % for November: the order
    is answered, shipped and invoiced (the 810 takes the 12 % off); ALLOWANCE_DEAL_AGREED names the deal on each
    line; nothing is held."""
    ws, found, states = _night(tmp_path, SPRING, [TWELVE_DEAL, TOTAL])
    assert states == {("grainger", "GR9100202"): "invoiced"}
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    said = _said(found, "ALLOWANCE_DEAL_AGREED")
    assert len(said) == 3, found
    assert said[0] == (
        "PO104 12.37 with PO105 TP (0.01237 per EA) less the allowance our 810 takes off is 0.0109, 12.21% below our "
        "price 0.0124, beyond the 5% that needs approval; pre-approved by the promotion agreed (C310 12 % of the PO "
        "(heading, SAC12 02, agreed deal SPRING26: up to 15 %, 2026-11-01 to 2026-11-30): 12% of the line).")
    assert [s for s in po_segments(segments(ws, "grainger", "855"), "GR9100202", "BAK") if s[0] == "ACK"][0][1] == "IA"
    inv = po_segments(segments(ws, "grainger", "810"), "GR9100202", "BIG")
    assert [s[:8] for s in inv if s[0] == "SAC"] == [["SAC", "A", "C310", "", "", "2737", "1", "12"]]


def test_the_same_allowance_without_a_deal_on_file_is_held_as_before(tmp_path):
    """No deals.csv: the 12 % waits for a person, its words as session 63 wrote them (no deal talk)."""
    _ws, found, states = _night(tmp_path, None, [TWELVE_DEAL, TOTAL])
    assert states == {("grainger", "GR9100202"): "held"}
    said = _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert said and "deal" not in said[0], said


@pytest.mark.parametrize(("deals", "swaps", "why"), [
    (SPRING.replace("2026-11-30", "2026-11-20"), [TWELVE_DEAL, TOTAL],
     "deal SPRING26 runs 2026-11-01 to 2026-11-20, the PO is of 2026-11-24"),
    (SPRING.replace(",15,", ",10,"), [TWELVE_DEAL, TOTAL], "12 % is over deal SPRING26's 10 %"),
    (SPRING.replace(",C310,", ",A260,"), [TWELVE_DEAL, TOTAL], "deal SPRING26 is for allowance A260, not C310"),
    (SPRING.replace(",C310,,", ",C310,RG91-03,"), [TWELVE_DEAL, TOTAL],
     "deal SPRING26 is for item RG91-03, the allowance is on the whole PO"),
    (SPRING, [TWELVE, TOTAL], "no deal number (SAC13 or REF*PD) to match deals.csv"),
    (SPRING.replace("SPRING26", "FALL26"), [TWELVE_DEAL, TOTAL], "deal SPRING26 is not in deals.csv"),
], ids=["dates", "percent", "code", "item", "no-number", "not-on-file"])
def test_an_allowance_matching_no_deal_is_held_saying_why(tmp_path, deals, swaps, why):
    """Each thing that keeps the 12 % from the deal: the order waits, DISCOUNT_OVER_THRESHOLD naming the SAC and why
    it is no agreed promotion (what to correct in deals.csv, or to ask the buyer)."""
    _ws, found, states = _night(tmp_path, deals, swaps)
    assert states == {("grainger", "GR9100202"): "held"}
    said = _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert said and f"(heading, SAC12 02, {why}): 12% of the line)" in said[0], said
    assert not _said(found, "ALLOWANCE_DEAL_AGREED")


def test_a_heading_ref_pd_names_the_deal_of_a_sac_without_sac13(tmp_path):
    """The PO's REF*PD SPRING26 (the promotion/deal number of X12 code list 128) names the deal of a SAC sending
    none of its own: pre-approved."""
    ref = ("REF*IA*GR77120~", "REF*IA*GR77120~\nREF*PD*SPRING26~")
    _ws, found, states = _night(tmp_path, SPRING, [TWELVE, TOTAL, ref])
    assert states == {("grainger", "GR9100202"): "invoiced"}
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert _said(found, "ALLOWANCE_DEAL_AGREED")


# --- the rule's own rows -------------------------------------------------------------------------------------------

DEAL = {"partner": "p", "deal": "D1", "allowance_code": "C310", "sku": None, "percent": Decimal(10), "rate": None,
        "valid_from": date(2026, 11, 1), "valid_to": None, "description": None}
SAC = {"code": "C310", "agency_code": None}


def test_match_deal_takes_the_deal_within_its_limits_and_says_why_not():
    """Within 10 %: matched; 10.01 %: over; a rate deal compares what the SAC takes off per unit; a deal for any
    allowance code matches the agency's code alone; no deal on file: nothing said (judged as ever)."""
    on = date(2026, 12, 2)
    assert match_deal(SAC, "D1", None, on, [DEAL], Decimal("0.1"), None).deal is DEAL
    assert match_deal(SAC, "D1", None, on, [DEAL], Decimal("0.1001"), None).why == "10.01 % is over deal D1's 10 %"
    rate = DEAL | {"percent": None, "rate": Decimal("0.25")}
    assert match_deal(SAC, "D1", "S", on, [rate], Decimal("0.5"), Decimal("0.25")).deal is rate
    assert match_deal(SAC, "D1", "S", on, [rate], Decimal("0.5"), Decimal("0.3")).why == \
        "0.3 per unit is over deal D1's 0.25 per unit"
    anything = DEAL | {"allowance_code": None}
    assert match_deal({"code": None, "agency_code": "PROMO7"}, "D1", None, on, [anything], Decimal("0.05"),
                      None).deal is anything
    assert match_deal(SAC, "D1", None, on, [], Decimal("0.5"), None) == match_deal(SAC, None, None, on, [],
                                                                                   Decimal("0.5"), None)
    assert match_deal(SAC, "D1", None, None, [DEAL], Decimal("0.05"), None).why == \
        "deal D1: the PO has no date (BEG05) to match its dates"


def test_line_allowances_keep_an_agreed_line_sac_apart_and_judge_the_rest():
    """Line 2's own 50 % (SAC13 D2, agreed up to 50 % for SKU-B) is agreed; the heading 10 % (SAC13 D1, agreed to
    5 %) is over its deal: judged. A line SAC naming its line by PO101 alone (an 860's, no line number) finds it."""
    import pyarrow as pa

    from schemas.reference import DEALS

    lines = LINES.append_column("sku", pa.array(["SKU-A", "SKU-B", "SKU-A"])).append_column(
        "line_id", pa.array(["1", "2", "1"]))
    deals = pa.Table.from_pylist([DEAL | {"percent": Decimal(5)},
                                  DEAL | {"deal": "D2", "sku": "SKU-B", "percent": Decimal(50)}], schema=DEALS)
    sacs = _sacs({"percent": Decimal(10), "reference": "D1"},
                 {"line_number": None, "line_id": "2", "percent": Decimal(50), "reference": "D2"})
    got = line_allowances(lines, sacs, RuleSettings().for_partner, deals, [date(2026, 12, 2)] * 3)
    assert got[0].share == Decimal("0.1") and got[0].agreed == 0
    assert got[0].sacs == ("C310 10 % of the PO (heading, SAC12 02, 10 % is over deal D1's 5 %)",)
    assert (got[1].share, got[1].agreed) == (Decimal("0.1"), Decimal("0.5"))
    assert got[1].deals == ("C310 50 % of the line (line 2, SAC12 02, agreed deal D2: up to 50 %, from 2026-11-01)",)


# --- deals.csv, loaded and checked ---------------------------------------------------------------------------------

def _reference(tmp_path, deals: str):
    folder = tmp_path / "reference"
    shutil.copytree(FIXTURES / "reference", folder)
    (folder / "deals.csv").write_text(HEADER + deals, encoding="utf-8")
    return folder


def test_deals_csv_loads_with_its_optional_columns_and_is_optional(tmp_path):
    """A workspace without deals.csv has none; one with it reads its rows typed (a deal for any item and code)."""
    assert load_reference(FIXTURES / "reference").deals.num_rows == 0
    folder = tmp_path / "reference"
    shutil.copytree(FIXTURES / "reference", folder)
    (folder / "deals.csv").write_text("partner,deal,percent,valid_from\ngrainger,X1,7.5,2026-01-01\n",
                                      encoding="utf-8")
    [row] = load_reference(folder).deals.to_pylist()
    assert (row["deal"], row["percent"], row["allowance_code"], row["sku"], row["valid_to"]) == (
        "X1", Decimal("7.5000"), None, None, None)


@pytest.mark.parametrize(("rows", "message"), [
    ("grainger,X1,C310,,,,2026-01-01,,\n", "agrees no percent and no rate"),
    ("grainger,X1,C310,,120,,2026-01-01,,\n", "percent 120.0000 is not above 0 and at most 100"),
    ("grainger,X1,C310,,5,,2026-02-01,2026-01-01,\n", "valid_to is before valid_from"),
    ("nobody,X1,C310,,5,,2026-01-01,,\n", "partner 'nobody' has no row in customers.csv"),
    ("grainger,X1,C310,NOPE,5,,2026-01-01,,\n", "sku 'NOPE' is not in items.csv"),
    ("grainger,X1,C310,,5,,2026-01-01,,\ngrainger,X1,C310,,8,,2026-06-01,2026-06-30,\n", "overlaps its row 1"),
], ids=["no-limit", "percent", "dates", "partner", "sku", "overlap"])
def test_a_bad_deals_row_stops_the_run_naming_file_row_and_problem(tmp_path, rows, message):
    with pytest.raises(ConfigError) as err:
        load_reference(_reference(tmp_path, rows))
    assert message in str(err.value) and "deals.csv" in str(err.value), str(err.value)


def test_a_held_order_is_cleared_by_recheck_once_its_deal_is_added(tmp_path):
    """Held for the 12 % (no deals.csv); ops adds the deal the buyer agreed and runs `orderbridge recheck`: the
    order is decided again with deals.csv, no longer waits (answered by the next run)."""
    from datetime import datetime

    from connectors.state import StateStore
    from flows.recheck import recheck_held

    ws, _found, states = _night(tmp_path, None, [TWELVE_DEAL, TOTAL])
    assert states == {("grainger", "GR9100202"): "held"}
    (ws.reference_dir / "deals.csv").write_text(HEADER + SPRING, encoding="utf-8")
    state = StateStore(ws.state_path)
    try:
        [done] = recheck_held(ws, state, po="GR9100202", by="ops", at=datetime(2026, 12, 2, 9))
    finally:
        state.close()
    assert done.after.state == "received", done  # cleared: answered by the next run
