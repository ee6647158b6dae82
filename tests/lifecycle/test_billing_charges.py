"""Which SAC charges and allowances each 810 of a PO carries (engine.invoice.invoice_charges, wired through
engine.lifecycle.billing): a flat charge or allowance per order once per PO - never again on a second
per-order 810 for units that shipped later (an 860 cut after part had left, a line raised), nor on a later
shipment's 810 -, a flat charge per shipment once per shipment billed, a percentage on each 810's own lines.
Every way an 810 is written (text, segments, with the run's batch from the tables) bills the same SACs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from engine.invoice import invoice_charges, money
from schemas.fulfilment import Charge, InvoiceSettings
from schemas.lifecycle import LineState, OrderState
from tests.lifecycle.test_billing_columns import order_lines, plan_of, profiles_with, shipment

HANDLING = Charge(kind="C", code="H850", amount=Decimal("15"), description="Order handling")  # per the policy
NEW_STORE = Charge(kind="A", code="B720", amount=Decimal("5"), per="order", description="New store")
FREIGHT = Charge(kind="C", code="D240", amount=Decimal("12.5"), per="shipment", description="Freight")
DISCOUNT = Charge(kind="A", code="C310", percent=Decimal("2"), description="Volume discount")
ALL = (HANDLING, NEW_STORE, FREIGHT, DISCOUNT)


def sacs(plan) -> list[list[tuple[str, str, str]]]:
    """Per 810 of the plan: its SACs as (SAC01, SAC02, SAC05), and its TDS01 last as ("TDS", "", TDS01)."""
    out = []
    for doc in plan.documents:
        segments = [s.split("*") for s in doc.sets[0].text.split("~\n")]
        out.append([(s[1], s[2], s[5]) for s in segments if s[0] == "SAC"]
                   + [("TDS", "", s[1]) for s in segments if s[0] == "TDS"])
    return out


def test_invoice_charges_by_scope():
    per_order = InvoiceSettings(per="order", charges=ALL)
    assert invoice_charges(per_order, billed_before=False, shipments=1) == ALL
    assert invoice_charges(per_order, billed_before=False, shipments=3) == (
        HANDLING, NEW_STORE, FREIGHT.model_copy(update={"amount": Decimal("37.5")}), DISCOUNT)
    assert invoice_charges(per_order, billed_before=True, shipments=1) == (FREIGHT, DISCOUNT)
    assert invoice_charges(per_order, billed_before=True, shipments=0) == (DISCOUNT,)
    per_shipment = InvoiceSettings(per="shipment", charges=ALL)  # the policy's scope: HANDLING on each
    assert invoice_charges(per_shipment, billed_before=False, shipments=1) == ALL
    assert invoice_charges(per_shipment, billed_before=True, shipments=1) == (HANDLING, FREIGHT, DISCOUNT)


def test_a_percentage_has_no_scope():
    with pytest.raises(ValidationError, match="per applies to a flat amount"):
        Charge(kind="A", code="C310", percent=Decimal("2"), per="order")


CASES = {
    # Globex-like: billed per PO; the order shipped complete on two shipments, its first 810
    "per order, first 810 of two shipments": dict(
        lines=order_lines(shipped=(12, 6), invoiced=(0, 0), state=LineState.SHIPPED), state=OrderState.SHIPPED,
        shipments=[shipment("S1", (1, "5"), (2, "6"), billing_status="order"),
                   shipment("S2", (1, "7"), billing_status="order")], profiles=profiles_with(per="order", charges=ALL)),
    # its second 810: 4 units of line 1 that left on S3 after the order was billed (an 860 had cut them)
    "per order, a second 810 for units shipped later": dict(
        lines=order_lines(shipped=(16, 6), invoiced=(12, 6), state=LineState.SHIPPED), state=OrderState.SHIPPED,
        shipments=[shipment("S3", (1, "4"), billing_status="order")],
        profiles=profiles_with(per="order", charges=ALL)),
    # Initech-like: billed per shipment; two shipments of the PO in one run, then a later night's
    "per shipment, two shipments in one run": dict(
        lines=order_lines(shipped=(9, 6)), shipments=[shipment("S1", (1, "5"), (2, "6")), shipment("S2", (1, "4"))],
        profiles=profiles_with(charges=ALL)),
    "per shipment, a later shipment of a PO billed before": dict(
        lines=order_lines(shipped=(9, 6), invoiced=(5, 6)), shipments=[shipment("S2", (1, "4"))],
        profiles=profiles_with(charges=ALL)),
}


@pytest.mark.parametrize("as_columns", [False, True, "tables", "all tables"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_way_of_writing_an_810_bills_the_same_charges(monkeypatch, case, as_columns):
    text, problems, _ = plan_of(monkeypatch, text=True, as_columns=as_columns, **CASES[case])
    segments, problems_seg, _ = plan_of(monkeypatch, text=False, as_columns=as_columns, **CASES[case])
    assert text == segments and problems == problems_seg and not problems


def test_each_charge_is_billed_once_for_what_it_is_for():
    mp = pytest.MonkeyPatch()
    got = {case: sacs(plan_of(mp, text=True, as_columns="tables", **kw)[0]) for case, kw in CASES.items()}
    # 12 x 2.5 + 6 x 2.5 = 45.00: handling 15, new store -5, freight 2 x 12.50, discount -0.90
    assert got["per order, first 810 of two shipments"] == [[
        ("C", "H850", "1500"), ("A", "B720", "500"), ("C", "D240", "2500"), ("A", "C310", "90"), ("TDS", "", "7910")]]
    # 4 x 2.5 = 10.00: no handling, no new-store allowance again; S3's freight; 2 % of these 10.00
    assert got["per order, a second 810 for units shipped later"] == [[
        ("C", "D240", "1250"), ("A", "C310", "20"), ("TDS", "", "2230")]]
    # S1 (27.50) carries the order's allowance; S2 (10.00) not; handling (the policy's: per shipment) on both
    assert got["per shipment, two shipments in one run"] == [
        [("C", "H850", "1500"), ("A", "B720", "500"), ("C", "D240", "1250"), ("A", "C310", "55"), ("TDS", "", "4945")],
        [("C", "H850", "1500"), ("C", "D240", "1250"), ("A", "C310", "20"), ("TDS", "", "3730")]]
    assert got["per shipment, a later shipment of a PO billed before"] == [
        [("C", "H850", "1500"), ("C", "D240", "1250"), ("A", "C310", "20"), ("TDS", "", "3730")]]
    plan, _, _ = plan_of(mp, text=True, as_columns="tables", **CASES["per order, a second 810 for units shipped later"])
    (invoice,) = plan.invoices
    assert (invoice.merchandise, invoice.charges, invoice.total) == (Decimal("10.00"), Decimal("12.30"),
                                                                     Decimal("22.30"))


def test_the_order_charge_goes_on_the_first_810_built():
    """Two shipments of a PO in one run, billed per shipment, the first one's 810 not built (it would bill more
    units than shipped: INVOICE_NOT_BUILT, retried by the next run): the order's allowance goes on the 810 that
    is built (6 x 2.50 = 15.00 + 15 - 5 + 12.50 - 0.30)."""
    mp = pytest.MonkeyPatch()
    kw = dict(CASES["per shipment, two shipments in one run"])
    kw["shipments"] = [shipment("S1", (1, "20")), shipment("S2", (2, "6"))]  # S1 bills more than line 1 shipped
    plan, problems, _ = plan_of(mp, text=True, **kw)
    assert [f.finding.code for f in problems] == ["INVOICE_NOT_BUILT"]
    assert sacs(plan) == [[("C", "H850", "1500"), ("A", "B720", "500"), ("C", "D240", "1250"), ("A", "C310", "30"),
                           ("TDS", "", "3720")]]


def test_a_charge_per_shipment_of_several_pos_is_billed_once_across_their_810s():
    """engine.invoice.shipment_share: the shares of the POs of one shipment add up to the charge, to the
    cent, whatever the units; "first" puts it whole on the first PO's 810."""
    from engine.invoice import shipment_share

    for units in [(Decimal(39), Decimal(71)), (Decimal(1), Decimal(1), Decimal(1)), (Decimal("2.5"), Decimal(7)),
                  (Decimal(0), Decimal(3))]:
        for amount in (Decimal("12.5"), Decimal("0.01"), Decimal("100"), Decimal("7.777")):
            shares = [shipment_share(amount, i, units, "units") for i in range(len(units))]
            assert sum(shares) == money(amount) and all(s >= 0 for s in shares), (units, amount, shares)
            assert [shipment_share(amount, i, units, "first") for i in range(len(units))] == [
                amount] + [Decimal(0)] * (len(units) - 1)
    assert [shipment_share(Decimal(10), i, (Decimal(1),) * 3, "units") for i in range(3)] == [
        Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]  # the cent left on a tie: the first PO's
    assert shipment_share(Decimal(0), 0, (Decimal(0), Decimal(0)), "units") == 0
    two = ((0, (Decimal(1), Decimal(3))),)
    first = InvoiceSettings(per="shipment", charges=ALL)
    assert invoice_charges(first, billed_before=False, shipments=1, split=two) == ALL
    assert invoice_charges(first, billed_before=False, shipments=1, split=((1, two[0][1]),)) == (
        NEW_STORE, DISCOUNT)  # the second PO of the shipment: no freight, no handling (per shipment, by the policy)
    by_units = InvoiceSettings(per="order", charges=ALL, shipment_charges="units")
    # a per-order 810 of two shipments: the whole of one (its only PO) and a quarter of the other
    assert invoice_charges(by_units, billed_before=False, shipments=2,
                           split=((0, (Decimal(5),)), (0, (Decimal(1), Decimal(3))))) == (
        HANDLING, NEW_STORE, FREIGHT.model_copy(update={"amount": Decimal("15.63")}), DISCOUNT)


def _two_po_shipment(billing_status: str = "shipment"):
    from datetime import date

    from schemas.shipment_records import ShipmentRecord, ShippedLine

    return ShipmentRecord("east", "S9", "acme", date(2026, 11, 27), (
        ShippedLine("PO-1", 1, "1", "SKU-1", Decimal(3), "EA"), ShippedLine("PO-2", 1, "1", "SKU-1", Decimal(1), "EA")),
        bill_of_lading="BOL-9", billing=billing_status)


def _freight_of(due, profiles) -> dict[str, Decimal]:
    """Per PO due: the freight (D240) its 810 would carry."""
    from engine.lifecycle import billing

    out = {}
    for d in due:
        charges = billing._charges(d, profiles["acme"], False, {})  # a PO without FOB
        out[d.po_number] = sum((c.amount for c in charges if c.code == "D240"), Decimal(0))
    return out


@pytest.mark.parametrize("split, first, later", [("first", {"PO-2": 0}, {"PO-1": Decimal("12.5")}),
                                                 ("units", {"PO-2": Decimal("3.12")}, {"PO-1": Decimal("9.38")})])
def test_a_po_of_the_shipment_billed_later_carries_its_part_only(split, first, later):
    """Billed per shipment: PO-1 (3 units) not billable when S9 (with PO-2, 1 unit) is first billed - its
    810 comes in a later run, once PO-2's is stored: the freight is billed once in all, whatever the order
    (units: 12.50 x 3/4 = 9.375 and x 1/4 = 3.125, the cent left to the first PO on the tie)."""
    from dataclasses import replace

    from engine.lifecycle import billing
    from tests.lifecycle.helpers import record

    profiles = profiles_with(charges=(FREIGHT,), shipment_charges=split)
    s = _two_po_shipment()
    waiting = {("acme", "PO-1"): record(OrderState.ACKNOWLEDGED), ("acme", "PO-2"): replace(
        record(OrderState.SHIPPED), po_number="PO-2")}
    due, billed = billing.invoices_due(shipments=[s], invoiced_pos=set(), records=waiting, lines={},
                                       order_shipments={}, profiles=profiles)
    assert _freight_of(due, profiles) == first and billed == {}  # S9 still waits for PO-1
    ready = {**waiting, ("acme", "PO-1"): record(OrderState.SHIPPED)}
    due, billed = billing.invoices_due(shipments=[s], invoiced_pos={("east", "S9", "PO-2")}, records=ready,
                                       lines={}, order_shipments={}, profiles=profiles)
    assert _freight_of(due, profiles) == later and list(billed) == [("east", "S9")]
    assert sum((*first.values(), *later.values()), Decimal(0)) == Decimal("12.50")


@pytest.mark.parametrize("split, retried", [("first", Decimal("12.5")), ("units", Decimal("9.38"))])
def test_a_per_order_810_retried_after_its_shipment_waited_bills_its_part_only(split, retried):
    """Billed per order, PO-1 and PO-2 shipped complete on S9: both 810s due in one run (12.50 once across
    them). PO-1's could not be built (INVOICE_NOT_BUILT: S9 waits, not billed); PO-2's was (its order
    invoiced). The next run's 810 of PO-1 bills PO-1's part - not PO-2's again."""
    from dataclasses import replace

    from engine.lifecycle import billing
    from tests.lifecycle.helpers import record

    profiles = profiles_with(per="order", charges=(FREIGHT,), shipment_charges=split)
    s = _two_po_shipment("order")
    one = order_lines(shipped=(3, 0), allocated=(3, 0), state=LineState.SHIPPED)[0]
    lines = {("acme", "PO-1"): (one,), ("acme", "PO-2"): (replace(one, po_number="PO-2", shipped=Decimal(1),
                                                                  allocated=1),)}
    both = {("acme", "PO-1"): record(OrderState.SHIPPED),
            ("acme", "PO-2"): replace(record(OrderState.SHIPPED), po_number="PO-2")}
    due, _ = billing.invoices_due(shipments=[s], invoiced_pos=set(), records=both, lines=lines,
                                  order_shipments={k: [s] for k in both}, profiles=profiles)
    run1 = _freight_of(due, profiles)
    assert sum(run1.values(), Decimal(0)) == Decimal("12.50")
    after = {**both, ("acme", "PO-2"): replace(both[("acme", "PO-2")], state=OrderState.INVOICED)}
    due, _ = billing.invoices_due(shipments=[s], invoiced_pos=set(), records=after, lines=lines,
                                  order_shipments={k: [s] for k in both}, profiles=profiles)
    assert _freight_of(due, profiles) == {"PO-1": retried} == {"PO-1": run1["PO-1"]}


@pytest.mark.parametrize("split", ["first", "units"])
def test_a_per_order_shipment_billed_before_its_first_po_ships_complete_bills_its_charge_on_the_other(split):
    """Billed per order: S9 carries PO-1 (first named, still partly shipped) and PO-2 (shipped complete).
    PO-2's 810 bills S9 now and S9 is billed with it: PO-1's 810, once it ships complete, never names S9
    again. So the whole freight goes on PO-2's 810 - none of it waits for an 810 that will not carry it."""
    from dataclasses import replace

    from engine.lifecycle import billing
    from tests.lifecycle.helpers import record

    profiles = profiles_with(per="order", charges=(FREIGHT,), shipment_charges=split)
    s = _two_po_shipment("order")
    one = order_lines(shipped=(1, 0), allocated=(1, 0), state=LineState.SHIPPED)[0]
    lines = {("acme", "PO-2"): (replace(one, po_number="PO-2"),)}
    records = {("acme", "PO-1"): record(OrderState.PARTIALLY_SHIPPED),
               ("acme", "PO-2"): replace(record(OrderState.SHIPPED), po_number="PO-2")}
    due, billed = billing.invoices_due(shipments=[s], invoiced_pos=set(), records=records, lines=lines,
                                       order_shipments={k: [s] for k in records}, profiles=profiles)
    assert _freight_of(due, profiles) == {"PO-2": Decimal("12.5")}
    assert billed == {("east", "S9"): (due[0].doc_key,)}
