"""The PO's own off-invoice allowances and charges on its 810s (engine.invoice_po_sacs): a rate, a percent and
a flat amount per line (prorated by units over several 810s, never more than the PO's amount), heading ones
(percent of the merchandise, flat once per PO), which SAC12 codes are carried, TDS01, where the segments go,
and Bots, pyx12 and our outbound check accepting the 810. An 810 of a PO without such SACs is unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.invoice import check_810, order_810
from engine.invoice_po_sacs import PoSac, carried, heading_amount, line_amount, po_sacs, sac_segment
from schemas.fulfilment import Charge, InvoiceSettings
from schemas.orders import ORDER_SACS
from tests.shipping_support import PROFILES, bots_check, pyx12_map_folders, read_back, wrap_for

D = Decimal
KROGER_F800 = PoSac("1", "A", "F800", amount=D("96.00"), handling="02", ordered=D(40))  # SAC*A*F800***9600...*02
PROMO = PoSac("1", "A", "F800", rate=D(".35"), unit="CA", handling="02", reference="PROMO4471")


def test_a_rate_is_per_unit_invoiced():
    assert line_amount(PROMO, D(60), D("1116.00"), D(0)) == D("21.00")
    assert line_amount(PROMO, D(7), D("130.20"), D(53)) == D("2.45")
    assert sac_segment(PROMO, D("21.00"), D(60)) == ["SAC", "A", "F800", "", "", "2100", "", "", "0.35", "CA", "60",
                                                      "", "02", "PROMO4471"]


def test_a_percent_is_of_the_line_extension_half_up():
    sac = PoSac("1", "A", "C310", percent=D("2.5"), basis="1", handling="02")
    assert line_amount(sac, D(3), D("10.10"), D(0)) == D("0.25")  # 0.2525
    assert line_amount(sac, D(3), D("10.30"), D(0)) == D("0.26")  # 0.2575
    assert sac_segment(sac, D("0.26"), D(3)) == ["SAC", "A", "C310", "", "", "26", "1", "2.5", "", "", "", "", "02"]


def test_a_flat_line_amount_is_prorated_by_units_and_never_billed_twice():
    assert line_amount(KROGER_F800, D(40), D("744.00"), D(0)) == D("96.00")
    # partial shipments: 10 then 30 units of 40
    assert [line_amount(KROGER_F800, q, D(0), b) for q, b in ((D(10), D(0)), (D(30), D(10)))] == [D("24.00"),
                                                                                                  D("72.00")]
    thirds = PoSac("1", "A", "F800", amount=D("10.00"), handling="02", ordered=D(3))
    parts = [line_amount(thirds, D(1), D(0), D(b)) for b in range(3)]
    assert parts == [D("3.33"), D("3.34"), D("3.33")] and sum(parts) == D("10.00")
    # units beyond the ordered (an over-shipment) count as the ordered: never more than the PO's amount
    assert line_amount(thirds, D(5), D(0), D(0)) == D("10.00") and line_amount(thirds, D(2), D(0), D(3)) == 0
    unknown = PoSac("1", "A", "F800", amount=D("5.00"), handling="02")  # units ordered unknown: whole, once
    assert line_amount(unknown, D(1), D(0), D(0)) == D("5.00") and line_amount(unknown, D(1), D(0), D(1)) == 0


def test_heading_sacs_percent_of_the_merchandise_flat_once_per_po():
    pct = PoSac(None, "A", "C310", percent=D("2"), handling="02")
    flat = PoSac(None, "C", "D240", amount=D("25.00"), handling="06")
    assert heading_amount(pct, D(5), D("100.25"), first=False) == D("2.01")  # 2.005 half up
    assert heading_amount(flat, D(5), D("100.25"), first=True) == D("25.00")
    assert heading_amount(flat, D(5), D("100.25"), first=False) == 0
    got = carried([pct, flat], ["1"], [D(5)], [D("100.25")], {}, first=True)
    assert got.lines == {} and got.net == D("22.99")
    assert [s[:6] for s in got.summary] == [["SAC", "A", "C310", "", "", "201"], ["SAC", "C", "D240", "", "", "2500"]]


def _sacs(rows: list[dict]) -> pa.Table:
    base = {f.name: None for f in ORDER_SACS}
    return pa.Table.from_pylist([{**base, "partner": "kroger", "order_ref": "r", "segment_position": 1,
                                  "file_segment": 1, "file": "f", **r} for r in rows], schema=ORDER_SACS)


def test_which_sacs_are_carried_is_the_profile_s_handling_codes():
    table = _sacs([{"po_number": "P1", "line_number": 1, "line_id": "1", "kind": "A", "code": "F800",
                    "amount": D("96.00"), "handling": "02"},
                   {"po_number": "P1", "line_number": None, "kind": "A", "code": "C310", "percent": D("2"),
                    "handling": "01"},  # bill back: settled apart from the invoice
                   {"po_number": "P1", "line_number": None, "kind": "C", "code": "D240", "amount": D("25"),
                    "handling": "06"},
                   {"po_number": "P2", "line_number": None, "kind": "A", "code": None, "amount": D("1"),
                    "handling": "02"}])  # no SAC02: nothing to name it by
    got = po_sacs(table, ("02",), {("kroger", "P1", 1): D(40)})
    assert got == {("kroger", "P1"): (PoSac("1", "A", "F800", amount=D("96.00"), handling="02", ordered=D(40)),)}
    assert [s.code for s in po_sacs(table, ("02", "06"))[("kroger", "P1")]] == ["F800", "D240"]
    assert po_sacs(table, ()) == {}
    # one the profile's [[fulfilment.invoice.charges]] bill (same kind and code) is not billed twice
    assert [s.code for s in po_sacs(table, ("02", "06"), agreed={("C", "D240")})[("kroger", "P1")]] == ["F800"]
    assert InvoiceSettings().po_allowances == ("02",)
    with pytest.raises(ValueError):
        InvoiceSettings(po_allowances=("2",))


ORDER = {"partner": "kroger", "po_date": date(2026, 11, 30), "currency": "USD"}
ROWS = {"1": {"unit": "CA", "description": "DICED TOMATOES 14.5 OZ", "product_ids": [{"qualifier": "UP",
                                                                                       "id": "712345000118"}]},
        "2": {"unit": "CA", "product_ids": [{"qualifier": "UP", "id": "712345000217"}]}}
PRICES = {"1": D("18.6"), "2": D("31.2")}


def _kroger_810(quantities, *, po_sacs=(), already=None, first=True, settings=None):
    return order_810("0417731095", quantities, {}, ORDER, ROWS, PRICES, number="INV1", invoice_date=date(2026, 12, 3),
                     settings=settings or InvoiceSettings(), shipped={"1": D(40), "2": D(15)},
                     already_invoiced=already or {}, po_sacs=po_sacs, first=first)


def test_the_810_carries_the_line_allowance_after_its_it1_and_tds_is_less_it():
    heading = PoSac(None, "A", "C310", percent=D("1"), handling="02")
    built = _kroger_810({"1": D(40), "2": D(15)}, po_sacs=(KROGER_F800, heading))
    body = built.built.body
    at = body.index(["IT1", "1", "40", "CA", "18.6", "", "UP", "712345000118"])
    assert body[at + 1][0] == "PID" and body[at + 2] == ["SAC", "A", "F800", "", "", "9600", "", "", "", "", "",
                                                         "", "02"]
    assert body[at + 3][0] == "IT1"
    tds = next(i for i, s in enumerate(body) if s[0] == "TDS")
    # 744.00 + 468.00 = 1212.00, less 96.00, less 1 % of 1212.00 = 12.12
    assert body[tds] == ["TDS", "110388"] and body[tds + 1] == ["SAC", "A", "C310", "", "", "1212", "1", "1", "", "",
                                                                  "", "", "02"]
    assert built.built.total == D("1103.88") and built.built.merchandise == D("1212.00")
    check_810(body)


def test_two_810s_of_one_line_carry_the_flat_allowance_once_in_full():
    first = _kroger_810({"1": D(10)}, po_sacs=(KROGER_F800,))
    second = _kroger_810({"1": D(30)}, po_sacs=(KROGER_F800,), already={"1": D(10)}, first=False)
    amounts = [[s[5] for s in b.built.body if s[0] == "SAC"] for b in (first, second)]
    assert amounts == [["2400"], ["7200"]]
    assert (first.built.total, second.built.total) == (D("162.00"), D("486.00"))


def test_a_rate_applies_to_the_units_of_its_own_sac09_unit_never_to_pounds_or_cases_of_another():
    """A grocery distributor's pickup allowance per case (SAC08 0.75, SAC09 CA) on a PO with a catch-weight line
    (cases priced per pound, billed by its net weight: IT102 243.6 LB, QTY*39 12 CA) applies to the cases: 30 + 12
    = 42, 31.50. It was multiplied by every quantity the 810 billed, cases and pounds added up (30 + 243.6): 205.20
    taken off UNFI's invoice. A backhaul allowance per hundredweight (SAC09 CW) on lines in cases, stated with its
    amount (SAC05 40.80), was 0.85 x 82 cases = 69.70 (and with a catch-weight line 0.85 x 308.8); the lines are not
    counted in hundredweights, so the amount the PO stated is carried, flat, once; without one the SAC is not
    written (no amount we could state)."""
    pickup = PoSac(None, "A", "C310", rate=D("0.75"), unit="CA", handling="02")
    lines = dict(line_ids=["1", "2"], quantities=[D(30), D("243.6")], extensions=[D("1116.00"), D("1093.76")],
                 before={}, first=True, units=["CA", "LB"], shipped=[None, (D(12), "CA")])
    got = carried([pickup], **lines)
    assert got.summary == [["SAC", "A", "C310", "", "", "3150", "", "", "0.75", "CA", "42", "", "02"]]
    assert got.net == D("-31.50")
    # a rate per pound applies to the pounds of the weighed line and nothing else is in pounds: not multiplied
    per_lb = PoSac("2", "A", "C310", rate=D("0.10"), unit="LB", handling="02")
    assert carried([per_lb], **lines).lines == {1: [["SAC", "A", "C310", "", "", "2436", "", "", "0.1", "LB", "243.6",
                                                     "", "02"]]}
    # per hundredweight on lines in cases: the PO's stated amount, flat, on the first 810 only
    per_cwt = PoSac(None, "A", "C310", amount=D("40.80"), rate=D("0.85"), unit="CW", handling="02")
    got = carried([per_cwt], **lines)
    assert got.summary == [["SAC", "A", "C310", "", "", "4080", "", "", "", "", "", "", "02"]]
    assert got.net == D("-40.80")
    assert carried([per_cwt], **{**lines, "first": False}).summary == []
    assert carried([replace(per_cwt, amount=None)], **lines).summary == []
    # a line's flat amount on a catch-weight line is prorated by its cases shipped, never by its pounds
    flat = PoSac("2", "A", "F800", amount=D("24.00"), handling="02", ordered=D(12))
    half = carried([flat], **{**lines, "quantities": [D(30), D("121.8")], "shipped": [None, (D(6), "CA")]})
    assert half.net == D("-12.00")
    # without SAC09, or without the lines' units given, a rate is per unit billed as ever
    assert carried([replace(pickup, unit="")], **lines).net == D("-31.50")
    assert carried([pickup], ["1"], [D(40)], [D("744")], {}, first=True).net == D("-30.00")


def test_a_po_without_carried_sacs_gets_the_same_810():
    settings = InvoiceSettings(charges=(Charge(kind="C", code="D240", amount=D("15")),), iss=True, ctt_hash=True)
    plain = _kroger_810({"1": D(40), "2": D(15)}, settings=settings)
    assert _kroger_810({"1": D(40), "2": D(15)}, settings=settings.model_copy(update={"po_allowances": ()}),
                       po_sacs=()).built.body == plain.built.body
    # a SAC of a line this 810 does not bill writes nothing
    other = PoSac("3", "A", "F800", amount=D("5"), handling="02", ordered=D(10))
    assert _kroger_810({"1": D(40), "2": D(15)}, settings=settings, po_sacs=(other,)).built.body == plain.built.body


def _content(partner: str) -> bytes:
    heading = PoSac(None, "C", "D240", amount=D("25.00"), handling="06", description="FREIGHT")
    pct = PoSac("2", "A", "C310", percent=D("2.5"), basis="1", handling="02", agency="VI", agency_code="X1")
    built = _kroger_810({"1": D(40), "2": D(15)}, po_sacs=(KROGER_F800, PROMO, pct, heading),
                        settings=InvoiceSettings(iss=True, ctt_hash=True))
    return wrap_for(PROFILES[partner], "IN", "810", [built.built.body])


@pytest.mark.parametrize("partner", ["acme", "globex"])
def test_bots_and_our_reader_accept_the_810(partner, tmp_path):
    content = _content(partner)
    read_back(content)
    text = content.decode().replace(content.decode()[3], "*")  # ISA's element separator
    for sac in ("SAC*A*F800***9600*******02", "SAC*A*F800***1400***0.35*CA*40**02*PROMO4471",
                "SAC*A*C310*VI*X1*1170*1*2.5*****02", "SAC*C*D240***2500*******06***FREIGHT"):
        assert sac in text, sac
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


@pytest.mark.parametrize("partner", ["acme", "globex"])
def test_pyx12_and_our_outbound_check_accept_the_810(partner, tmp_path_factory):
    from rules.outbound import validate_outbound
    from tests.test_pyx12_outbound import pyx12_accepts

    content = _content(partner)
    assert [f.code for f in validate_outbound(content) if f.severity == "error"] == []
    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack


def test_which_orders_stored_sacs_are_carried_is_decided_by_the_engine_from_tables():
    """engine.invoice_po_sacs.stored_po_sacs / restated_orders (the flow loads the stored files and the applied
    860s, and only calls them): per stored file the orders billed from it (by PO and order ref, or by PO alone for
    an order stored without its ref) get the SACs po_sacs carries, with their lines' units ordered; none of a kind
    and code the profile's own charges bill; without_orders leaves out those an 860 changed."""
    from engine.invoice_po_sacs import StoredSacs, orders_rows, stored_po_sacs, without_orders

    sacs = _sacs([{"po_number": "P1", "line_number": 1, "line_id": "1", "kind": "A", "code": "F800",
                   "amount": D("96.00"), "handling": "02"},
                  {"po_number": "P1", "line_number": None, "kind": "C", "code": "D240", "amount": D("25"),
                   "handling": "02"},  # the profile's own freight charge bills D240: not twice
                  {"po_number": "P2", "order_ref": "r2", "line_number": None, "kind": "A", "code": "C310",
                   "percent": D("2"), "handling": "02"},
                  {"po_number": "P3", "line_number": None, "kind": "A", "code": "C310", "percent": D("1"),
                   "handling": "02"}])  # an order of the file not billed now
    lines = pa.table({"po_number": ["P1", "P1", "P2"], "order_ref": ["r", "r", "r2"], "line_number": [1, 2, 1],
                      "quantity": [D(40), D(5), D(3)]})
    invoice = InvoiceSettings(charges=(Charge(kind="C", code="D240", amount=D("25.00")),))
    stored = [StoredSacs("kroger", sacs, lines, (("P1", "r"), ("P2", "")))]
    got = stored_po_sacs(stored, {"kroger": invoice})
    assert got == {("kroger", "P1"): (PoSac("1", "A", "F800", D("96.00"), handling="02", ordered=D(40)),),
                   ("kroger", "P2"): (PoSac(None, "A", "C310", percent=D("2"), handling="02"),)}
    assert stored_po_sacs(stored, {"kroger": InvoiceSettings(po_allowances=("01",))}) == {}
    assert orders_rows(lines, [("P2", "r")]).num_rows == 0  # another order ref: another order
    assert list(without_orders(got, {("kroger", "P1")})) == [("kroger", "P2")]  # an order an 860 changed


def test_an_order_an_860_changed_carries_its_current_sacs_by_the_same_rule():
    """current_po_sacs: the 850 promised 2 % C310 (heading), 96.00 F800 on line 1 (40 ordered) and a bill back;
    an 860 (as engine.finance_inputs.with_changes applies it, what the reconciliation holds the order to) raises
    C310 to 3 %, makes line 1's F800 a rate of .35 per case (SAC03/04 and SAC09 kept) after cutting it to 30
    cases, and adds a 25.00 D240 the profile's own charges bill and a 10.00 co-op allowance billed back (SAC12 01):
    the 810s carry the 3 % and the rate, with the current units ordered; not the bill back, not the D240 twice.
    (An order an 860 changed used to carry none: the retailer deducted them from a full-price invoice.)"""
    from engine.finance_inputs import CHANGED_COLUMNS, stored_po_charges, with_changes
    from engine.invoice_po_sacs import CARRIED_COLUMNS, current_po_sacs
    from schemas.changes import CHANGE_SACS

    sacs = _sacs([{"po_number": "P1", "source_sha256": "sha", "line_number": None, "kind": "A", "code": "C310",
                   "percent": D("2"), "basis": "1", "handling": "02"},
                  {"po_number": "P1", "source_sha256": "sha", "line_number": 1, "line_id": "1", "kind": "A",
                   "code": "F800", "amount": D("96.00"), "handling": "02"},
                  {"po_number": "P1", "source_sha256": "sha", "line_number": None, "kind": "A", "code": "B720",
                   "amount": D("50.00"), "handling": "01"}])
    orders = pa.table({"partner": ["kroger"], "po_number": ["P1"], "order_ref": ["r"], "source_sha256": ["sha"]})
    base = {f.name: None for f in CHANGE_SACS}
    change = pa.Table.from_pylist([{**base, "partner": "kroger", "order_ref": "c1", "po_number": "P1",
                                    "source_sha256": "chg", "segment_position": 3, "file_segment": 3,
                                    "purpose": "04", "handling": "02", **r} for r in (
        {"kind": "A", "code": "C310", "percent": D("3"), "basis": "1"},
        {"kind": "C", "code": "D240", "amount": D("25.00")},
        {"kind": "A", "code": "B730", "amount": D("10.00"), "handling": "01"},
        {"line_number": 1, "line_id": "1", "change_type": "CA", "kind": "A", "code": "F800", "rate": D(".35"),
         "unit": "CA", "agency": "VI", "agency_code": "FOOD", "reference": "PROMO4471"})], schema=CHANGE_SACS)
    applied = pa.table({"partner": ["kroger"], "po_number": ["P1"], "order_ref": ["c1"], "source_sha256": ["chg"],
                        "seq": pa.array([1], pa.int64())})
    charges = with_changes(stored_po_charges(sacs, orders, keep=CARRIED_COLUMNS),
                           stored_po_charges(change, applied, keep=(*CHANGED_COLUMNS, *CARRIED_COLUMNS)))
    lines = pa.table({"partner": ["kroger", "kroger"], "po_number": ["P1", "P1"], "line_number": [1, 2],
                      "line_id": ["1", None], "quantity": [D(30), D(5)]})
    invoice = InvoiceSettings(charges=(Charge(kind="C", code="D240", amount=D("25.00")),))
    got = current_po_sacs(charges, lines, {"kroger": invoice})
    assert got == {("kroger", "P1"): (
        PoSac(None, "A", "C310", basis="1", percent=D("3"), handling="02"),
        PoSac("1", "A", "F800", rate=D(".35"), unit="CA", handling="02", reference="PROMO4471", agency="VI",
              agency_code="FOOD", ordered=D(30)))}
    [_, f800] = got["kroger", "P1"]
    assert sac_segment(f800, D("10.50"), D(30)) == [
        "SAC", "A", "F800", "VI", "FOOD", "1050", "", "", "0.35", "CA", "30", "", "02", "PROMO4471"]
    assert current_po_sacs(charges, lines, {"kroger": InvoiceSettings(po_allowances=())}) == {}
    assert current_po_sacs(charges.slice(0, 0), lines, {"kroger": invoice}) == {}


def test_the_engine_and_the_sac_not_applied_words_decide_by_one_predicate(monkeypatch):
    """rules.set_checks.sac_carried is the one rule: the SAC_NOT_APPLIED words (on_our_810s) and the SACs the
    engine writes on 810s (po_sacs, current_po_sacs) agree on every case, and the engine asks it (no copy)."""
    import engine.invoice_po_sacs as engine_sacs
    from rules.set_checks import on_our_810s

    invoice = InvoiceSettings(po_allowances=("02", "06"), charges=(Charge(kind="C", code="D240", amount=D("1")),))
    cases = [(kind, code, handling, priced) for kind in ("A", "C", "N") for code in ("C310", "D240", None)
             for handling in ("02", "06", "01", None) for priced in (True, False)]
    rows = [{"po_number": f"P{i}", "line_number": None, "kind": kind, "code": code, "handling": handling,
             "amount": D("1") if priced else None} for i, (kind, code, handling, priced) in enumerate(cases)]
    got = po_sacs(_sacs(rows), invoice.po_allowances, agreed={(c.kind, c.code) for c in invoice.charges})
    assert {po for _p, po in got} == {f"P{i}" for i, c in enumerate(cases) if on_our_810s(*c, invoice)}
    assert len(got) == 6  # A or C C310 and A D240, SAC12 02 or 06, priced (C D240: the profile's own)
    monkeypatch.setattr(engine_sacs, "sac_carried", lambda *a: False)
    assert engine_sacs.po_sacs(_sacs(rows), invoice.po_allowances) == {}
