"""Which of the PO's dates a deal is matched on (deals.csv match_on): promotions are agreed for a buying period, and
many for a shipping or arrival period instead (a wholesaler's deal entry gives an off-invoice allowance "buy / order
start and end dates" and, optionally, "first and last ship dates"; a grocery performance period counts what arrives at
the DC). po_date (BEG05, the default and what every deal was matched on), ship_date (the requested ship date, DTM
010: the line's own, else its order's) or delivery_date (the requested delivery date, DTM 002). On the rg91 Grainger
night (GR9100202 of 2026-11-24, delivery requested 2026-12-02, no ship date) and the rule's rows."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest

from connectors.reference import load_reference
from rules.business.allowance_discounts import match_deal
from schemas.errors import ConfigError
from tests.test_agreed_promotions import DEAL, FIXTURES, SAC, TOTAL, TWELVE_DEAL, _said

MATCH_HEADER = "partner,deal,allowance_code,sku,percent,rate,valid_from,valid_to,description,match_on\n"
# SPRING26 for December: the PO of 2026-11-24 is outside it, its delivery of 2026-12-02 within
DECEMBER = "grainger,SPRING26,C310,,15,,2026-12-01,2026-12-31,Spring fasteners promotion,{}\n"


def _night(tmp_path, match_on: str, swaps=()):
    from tests import test_agreed_promotions as promos

    header = promos.HEADER
    promos.HEADER = MATCH_HEADER
    try:
        return promos._night(tmp_path, DECEMBER.format(match_on), [TWELVE_DEAL, TOTAL, *swaps])
    finally:
        promos.HEADER = header


def test_a_deal_matched_on_the_delivery_date_agrees_a_po_delivered_in_its_period(tmp_path):
    """match_on delivery_date: the PO's DTM 002 (2026-12-02) is within December: the 12 % is pre-approved (answered,
    shipped, invoiced), though the PO is of November."""
    _ws, found, states = _night(tmp_path, "delivery_date")
    assert states == {("grainger", "GR9100202"): "invoiced"}, found
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert _said(found, "ALLOWANCE_DEAL_AGREED")


def test_by_default_the_po_date_is_matched_as_before(tmp_path):
    """match_on empty: the PO of 2026-11-24 is outside December: held, saying so as before."""
    _ws, found, states = _night(tmp_path, "")
    assert states == {("grainger", "GR9100202"): "held"}
    [said] = _said(found, "DISCOUNT_OVER_THRESHOLD")[:1]
    assert "deal SPRING26 runs 2026-12-01 to 2026-12-31, the PO is of 2026-11-24" in said, said


def test_a_deal_matched_on_the_ship_date_of_a_po_without_one_is_held_saying_so(tmp_path):
    """match_on ship_date and no DTM 010: held, naming the date missing (not the PO date it has)."""
    _ws, found, states = _night(tmp_path, "ship_date")
    assert states == {("grainger", "GR9100202"): "held"}
    [said] = _said(found, "DISCOUNT_OVER_THRESHOLD")[:1]
    assert "deal SPRING26: the PO has no requested ship date (DTM 010) to match its dates" in said, said


def test_a_deal_matched_on_the_ship_date_takes_the_po_s_dtm_010(tmp_path):
    """match_on ship_date with DTM*010*20261201 sent: within December, pre-approved; a ship date of November 30
    is not, and the message says the day it is to ship."""
    ship = ("DTM*002*20261202~", "DTM*002*20261202~\nDTM*010*20261201~")
    _ws, found, states = _night(tmp_path, "ship_date", [ship])
    assert states == {("grainger", "GR9100202"): "invoiced"}, found
    early = ("DTM*002*20261202~", "DTM*002*20261202~\nDTM*010*20261130~")
    _ws, found, states = _night(tmp_path / "early", "ship_date", [early])
    assert states == {("grainger", "GR9100202"): "held"}
    [said] = _said(found, "DISCOUNT_OVER_THRESHOLD")[:1]
    assert "deal SPRING26 runs 2026-12-01 to 2026-12-31 by ship date, the PO is to ship 2026-11-30" in said, said


# --- the rule's rows ------------------------------------------------------------------------------------------------

def test_match_deal_holds_each_deal_to_its_own_date():
    """Each row to the date its match_on names; a bare date is the PO date (as before)."""
    days = {"po_date": date(2026, 11, 24), "ship_date": date(2026, 12, 5), "delivery_date": None}
    december = DEAL | {"valid_from": date(2026, 12, 1), "valid_to": date(2026, 12, 31)}
    assert match_deal(SAC, "D1", None, days, [december | {"match_on": "ship_date"}], Decimal("0.05"),
                      None).deal is not None
    assert match_deal(SAC, "D1", None, days, [december], Decimal("0.05"), None).why == \
        "deal D1 runs 2026-12-01 to 2026-12-31, the PO is of 2026-11-24"
    assert match_deal(SAC, "D1", None, days, [december | {"match_on": "delivery_date"}], Decimal("0.05"),
                      None).why == "deal D1: the PO has no requested delivery date (DTM 002) to match its dates"
    assert match_deal(SAC, "D1", None, date(2026, 12, 2), [december], Decimal("0.05"), None).deal is december


def test_a_line_s_own_ship_date_matches_its_own_allowance():
    """A line SAC is matched on its line's DTM 010 (else its order's); a heading SAC on the order's."""
    import pyarrow as pa

    from rules.business.allowance_discounts import judged_allowances
    from schemas.reference import DEALS
    from schemas.rule_settings import RuleSettings
    from tests.test_rg91b import LINES, _sacs

    lines = LINES.append_column("sku", pa.array(["SKU-A", "SKU-B", "SKU-A"])).append_column(
        "line_id", pa.array(["1", "2", "1"]))
    deals = pa.Table.from_pylist([DEAL | {"valid_from": date(2026, 12, 1), "valid_to": date(2026, 12, 31),
                                          "percent": Decimal(50), "match_on": "ship_date"}], schema=DEALS)
    sacs = _sacs({"line_number": 2, "line_id": "2", "percent": Decimal(10), "reference": "D1"},
                 {"percent": Decimal(10), "reference": "D1"})
    order_day, own = date(2026, 11, 28), date(2026, 12, 3)
    other = {"ship_date": ([order_day] * 3, [order_day, own, order_day])}
    _shares, agreed = judged_allowances(lines, sacs, RuleSettings().for_partner, deals, [date(2026, 11, 20)] * 3,
                                        None, None, other)
    assert [(a.sac["line_number"], a.deal) for v in agreed.values() for a in v] == [(2, "D1")]


# --- deals.csv ------------------------------------------------------------------------------------------------------

def _reference(tmp_path, rows: str):
    folder = tmp_path / "reference"
    shutil.copytree(FIXTURES / "reference", folder)
    (folder / "deals.csv").write_text(MATCH_HEADER + rows, encoding="utf-8")
    return folder


def test_match_on_is_read_in_any_case_and_is_optional(tmp_path):
    [row] = load_reference(_reference(tmp_path, DECEMBER.format(" Ship_Date "))).deals.to_pylist()
    assert row["match_on"] == "ship_date"
    [row] = load_reference(_reference(tmp_path / "b", DECEMBER.format(""))).deals.to_pylist()
    assert row["match_on"] is None


def test_a_match_on_naming_no_date_stops_the_run(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_reference(_reference(tmp_path, DECEMBER.format("invoice_date")))
    assert "match_on 'invoice_date' names no date a deal is matched on" in str(err.value)
    assert "deals.csv" in str(err.value)
