"""Per-store invoicing ([fulfilment.invoice] per = "store", engine.lifecycle.billing): a shipment of a store
cross-dock PO is billed one 810 per (shipment, PO, mark-for store), each with that store's units and the store as the
heading's mark-for; a store billed is never billed again while another of its PO is retried; a flat charge per
shipment shared by the stores' 810s by the partner's shipment_charges rule; every way an 810 is written gives the
same bytes; the option is checked when the profile loads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from engine.lifecycle import billing
from schemas.fulfilment import AsnSettings, Charge, FulfilmentSettings, InvoiceSettings
from schemas.lifecycle import LineState, OrderState
from schemas.shipment_records import ShipmentRecord, ShippedLine, doc_key_store
from tests.lifecycle.helpers import record
from tests.lifecycle.test_billing_columns import KEY, order_lines, plan_of, profiles_with

FREIGHT = Charge(kind="C", code="D240", amount=Decimal("10"), description="Freight")  # per the policy: per shipment


def stores_shipment(sid: str, *rows: tuple[int, str, str], po: str = "PO-1") -> ShipmentRecord:
    """A shipment of ``po``: (line number, units, the store its carton was marked for) per row."""
    return ShipmentRecord("east", sid, "acme", date(2026, 11, 27), tuple(
        ShippedLine(po, n, str(n), f"SKU-{n}", Decimal(q), "EA", mark_for_store=st) for n, q, st in rows),
        bill_of_lading="BOL1")


def due_of(shipments, *, invoiced_pos=frozenset(), invoiced_keys=None, state=OrderState.SHIPPED, **settings):
    profiles = profiles_with(per="store", **settings)
    records = {KEY: record(state)}
    return billing.invoices_due(shipments=shipments, invoiced_pos=set(invoiced_pos), records=records, lines={},
                                order_shipments={}, profiles=profiles, invoiced_keys=invoiced_keys), profiles


S1 = stores_shipment("S1", (1, "2", "004"), (2, "1", "004"), (1, "1", "008"), (1, "3", "004"), (2, "2", "010"))


def test_one_810_per_store_with_that_stores_units():
    (due, billed), _ = due_of([S1])
    assert [(d.store, dict(d.quantities), d.doc_key) for d in due] == [
        ("004", {1: Decimal(5), 2: Decimal(1)}, "810:east:S1:PO-1:store:004"),
        ("008", {1: Decimal(1)}, "810:east:S1:PO-1:store:008"),
        ("010", {2: Decimal(2)}, "810:east:S1:PO-1:store:010")]
    assert billed == {("east", "S1"): tuple(d.doc_key for d in due)}
    assert [doc_key_store(d.doc_key) for d in due] == ["004", "008", "010"]
    assert doc_key_store("810:east:S1:PO-1") is None and doc_key_store("810:east:S1:PO-1:store:") == ""


def test_units_marked_for_no_store_have_an_810_of_their_own():
    (due, _), _ = due_of([stores_shipment("S1", (1, "2", "004"), (1, "3", ""))])
    assert [(d.store, dict(d.quantities), d.doc_key) for d in due] == [
        ("004", {1: Decimal(2)}, "810:east:S1:PO-1:store:004"), ("", {1: Decimal(3)}, "810:east:S1:PO-1:store:")]


def test_a_partial_shipment_per_store_bills_each_shipment_s_stores_units_only():
    """The PO's stores ship over two days: each shipment's 810s bill the units of its own stores, and a store on
    both (004: 2 units first, 3 more later) has an 810 on each for what each carried."""
    s2 = stores_shipment("S2", (1, "3", "004"), (1, "4", "011"))
    (due, billed), _ = due_of([stores_shipment("S1", (1, "2", "004"), (1, "1", "008")), s2],
                              state=OrderState.PARTIALLY_SHIPPED)
    assert [(d.shipment.shipment_id, d.store, dict(d.quantities)) for d in due] == [
        ("S1", "004", {1: Decimal(2)}), ("S1", "008", {1: Decimal(1)}),
        ("S2", "004", {1: Decimal(3)}), ("S2", "011", {1: Decimal(4)})]
    assert list(billed) == [("east", "S1"), ("east", "S2")]


def test_a_rerun_bills_only_the_stores_not_billed_yet():
    """One store's 810 was not built last run (INVOICE_NOT_BUILT: the shipment waits): the next run bills that store
    only, never the ones whose 810s went. Without the doc keys the PO on an 810 of the shipment is billed, all its
    stores; an 810 of the PO without a store (billed per shipment before the partner moved to per store) too."""
    sent = {"810:east:S1:PO-1:store:004", "810:east:S1:PO-1:store:010"}
    (due, billed), _ = due_of([S1], invoiced_pos={("east", "S1", "PO-1")}, invoiced_keys=sent)
    assert [d.store for d in due] == ["008"] and billed == {("east", "S1"): ("810:east:S1:PO-1:store:008",)}
    every = sent | {"810:east:S1:PO-1:store:008"}
    (due, billed), _ = due_of([S1], invoiced_pos={("east", "S1", "PO-1")}, invoiced_keys=every)
    assert due == [] and billed == {("east", "S1"): ()}
    for keys in (None, {"810:east:S1:PO-1"}):
        (due, _), _ = due_of([S1], invoiced_pos={("east", "S1", "PO-1")}, invoiced_keys=keys)
        assert due == []


def test_a_po_not_billable_yet_keeps_the_shipment_waiting():
    (due, billed), _ = due_of([S1], state=OrderState.ACKNOWLEDGED)
    assert due == [] and billed == {}


@pytest.mark.parametrize("split, want", [("first", ["10", "0", "0"]), ("units", ["6", "1.11", "2.22"])])
def test_a_flat_charge_per_shipment_is_shared_by_the_stores_810s(split, want):
    """The freight of S1 (10.00; per the policy: per shipment) billed once across its stores' 810s: "first" on the
    first store's, "units" split by the units of each store on it (6, 1 and 2 of 9: 6.67, 1.11, 2.22 to the cent,
    the shares adding up to 10.00)."""
    (due, _), profiles = due_of([S1], charges=(FREIGHT,), shipment_charges=split)
    freight = [sum((c.amount for c in billing._charges(d, profiles["acme"], False, {}) if c.code == "D240"),
                   Decimal(0)) for d in due]
    assert sum(freight, Decimal(0)) == Decimal(10)
    if split == "units":
        assert freight == [Decimal("6.67"), Decimal("1.11"), Decimal("2.22")]
    else:
        assert freight == [Decimal(10), 0, 0]


@pytest.mark.parametrize("store_party, n1", [("Z7", ["N1", "Z7", "", "92", "004"]), ("BY", ["N1", "BY", "", "92",
                                                                                           "004"])])
def test_every_way_of_writing_a_stores_810_gives_the_same_bytes(monkeypatch, store_party, n1):
    """Text, segments and the run's tables: each store's 810 the same, its store as the mark-for after N1*ST (as the
    856 names it: asn.store_party, qualifier 92), its own units, its own invoice number; the order lines invoiced
    with every store's units once."""
    profiles = profiles_with(per="store")
    acme = profiles["acme"]
    profiles["acme"] = acme.model_copy(update={"fulfilment": acme.fulfilment.model_copy(update={
        "asn": acme.fulfilment.asn.model_copy(update={"store_party": store_party})})})
    lines = order_lines(shipped=(7, 3), allocated=(7, 3), state=LineState.SHIPPED)
    s = stores_shipment("S1", (1, "5", "004"), (2, "1", "004"), (1, "2", "008"), (2, "2", "008"))
    texts = []
    for text, as_columns in ((True, False), (False, False), (True, "all tables")):
        plan, problems, _kinds = plan_of(monkeypatch, text=text, lines=lines, shipments=[s], profiles=profiles,
                                         as_columns=as_columns, state=OrderState.SHIPPED)
        assert problems == ()
        texts.append([d.sets[0].text for d in plan.documents])
    assert texts[0] == texts[1] == texts[2]
    sets = [[seg.split("*") for seg in t.split("~\n")] for t in texts[0]]
    assert [[seg[2] if seg[0] == "BIG" else seg[1:] if seg[0] == "TDS" else seg[:3] if seg[0] == "IT1" else seg
             for seg in segs if seg[0] in ("BIG", "IT1", "TDS") or seg[:2] == n1[:2]] for segs in sets] == [
        ["INV0000041", n1, ["IT1", "1", "5"], ["IT1", "2", "1"], ["1500"]],  # 6 x 2.50
        ["INV0000042", [*n1[:4], "008"], ["IT1", "1", "2"], ["IT1", "2", "2"], ["1000"]]]
    for segs in sets:  # the mark-for's N1 loop after the ship-to's (N1, N3, N4)
        at = next(k for k, seg in enumerate(segs) if seg[:2] == ["N1", "ST"])
        assert [seg[0] for seg in segs[at:at + 4]] == ["N1", "N3", "N4", "N1"] and segs[at + 3][:2] == n1[:2]


def test_per_store_is_checked_when_the_profile_loads():
    with pytest.raises(ValidationError, match="asn.store_level"):
        FulfilmentSettings(invoice=InvoiceSettings(per="store"))
    with pytest.raises(ValidationError, match="mark_for"):
        FulfilmentSettings(asn=AsnSettings(store_level=True), invoice=InvoiceSettings(per="store", mark_for=False))
    with pytest.raises(ValidationError, match="per"):
        InvoiceSettings(per="stores")
    ok = FulfilmentSettings(asn=AsnSettings(store_level=True), invoice=InvoiceSettings(per="store"))
    assert ok.invoice.charge_scope == "shipment"  # a flat charge naming no scope: once per shipment
    assert InvoiceSettings().per == "shipment" and InvoiceSettings(per="order").charge_scope == "order"


def test_every_shipped_unit_is_billed_once_however_the_stores_split_it():
    """The stores' 810s bill exactly the shipment's units per line: nothing twice, nothing beyond what shipped."""
    (due, _), _ = due_of([S1])
    total: dict[int, Decimal] = {}
    for d in due:
        for n, q in d.quantities.items():
            total[n] = total.get(n, Decimal(0)) + q
    assert total == {1: Decimal(6), 2: Decimal(3)} == {
        n: sum((ln.quantity for ln in S1.lines if ln.line_number == n), Decimal(0)) for n in (1, 2)}
