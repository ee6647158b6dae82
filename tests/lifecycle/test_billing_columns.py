"""engine.lifecycle.billing from columns: each 810 written straight as text (billing._text_invoice) is
the 810 order_810 builds as segments and _document renders, byte for byte, with the same invoice
records, line updates, moves and findings - per shipment and per order, partial shipments, an IP
price, SAC charges and allowances, product ids and descriptions, values that hold a delimiter, units
already billed -, also when the ordinary 810s' lines are written all at once from the store's and the
canonical tables (engine.invoice_lines); and the store's rows read as columns (billed_lines,
shipments_to_bill, line_texts) give what the LineRecord / ShipmentRecord readers give."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.lifecycle import billing
from schemas.fulfilment import Charge, PoAckParty, RemitTo
from schemas.lifecycle import (
    LINE_UPDATES,
    EventKind,
    LineRecord,
    LineState,
    OrderState,
    decimal_text,
)
from schemas.orders import ORDER_LINES, ORDERS
from schemas.profile import load_profiles
from schemas.shipment_records import ShipmentRecord, ShippedLine
from tests.lifecycle.helpers import AT, RUN, outcome_of, po, record
from tests.support import REPO

PROFILES = load_profiles(REPO / "partners")
KEY = ("acme", "PO-1")


def profiles_with(per: str = "shipment", charges: tuple[Charge, ...] = (), **settings) -> dict:
    invoice = PROFILES["acme"].fulfilment.invoice.model_copy(update={"per": per, "charges": charges, **settings})
    acme = PROFILES["acme"].model_copy(update={"fulfilment": PROFILES["acme"].fulfilment.model_copy(
        update={"invoice": invoice})})
    return {**PROFILES, "acme": acme}


def order_lines(shipped=(5, 6), invoiced=(0, 0), allocated=(12, 6), ack_price=(None, None),
                state=LineState.PARTIALLY_SHIPPED) -> tuple[LineRecord, ...]:
    return tuple(LineRecord("acme", "PO-1", n, state, line_id=str(n), sku=f"SKU-{n}", ack="IA", ordered=Decimal(a),
                            unit="EA", unit_price=Decimal("2.5"), ack_price=p, allocated=a, shipped=Decimal(s),
                            invoiced=Decimal(i))
                 for n, (s, i, a, p) in enumerate(zip(shipped, invoiced, allocated, ack_price, strict=True), start=1))


def shipment(sid: str, *rows: tuple[int, str], billing_status: str = "shipment", bol: str = "",
             carrier: str = "") -> ShipmentRecord:
    return ShipmentRecord("east", sid, "acme", date(2026, 11, 27), tuple(
        ShippedLine("PO-1", n, str(n), f"SKU-{n}", Decimal(q), "EA") for n, q in rows), bill_of_lading=bol,
        billing=billing_status, carrier_scac=carrier)


@functools.cache
def po_tables() -> tuple[pa.Table, pa.Table]:
    """PO-1's canonical ORDERS and ORDER_LINES tables, parsed once for the module (each case reads the same
    PO; Arrow tables are immutable, and every reader takes fresh rows from them with to_pylist)."""
    outcome = outcome_of(po())
    return outcome.orders, outcome.lines


def canonical_rows(rows: dict | None = None) -> dict:
    out = {r["line_id"]: r for r in po_tables()[1].to_pylist()}
    for line_id, values in (rows or {}).items():
        out[line_id] = {**out[line_id], **values}
    return out


def billing_table(lines) -> pa.Table:
    """The order lines as the store's billing_lines reads them (decimals as stored texts)."""
    return pa.table({
        "partner": [ln.partner for ln in lines], "po_number": [ln.po_number for ln in lines],
        "line_number": pa.array([ln.line_number for ln in lines], pa.int64()),
        "line_id": [ln.line_id or None for ln in lines], "state": [ln.state.value for ln in lines],
        "unit": [ln.unit or None for ln in lines], "unit_price": [decimal_text(ln.unit_price) for ln in lines],
        "ack_price": [decimal_text(ln.ack_price) for ln in lines],
        "allocated": pa.array([ln.allocated for ln in lines], pa.int64()),
        "backordered": pa.array([ln.backordered for ln in lines], pa.int64()),
        "shipped": [decimal_text(ln.shipped) for ln in lines], "invoiced": [decimal_text(ln.invoiced) for ln in lines]})


def plan_of(monkeypatch, *, text: bool, lines, shipments, state=OrderState.PARTIALLY_SHIPPED, profiles=PROFILES,
            rows=None, as_columns=False, order=None, customers=None):
    """The plan (and findings) for ``shipments`` of PO-1, its 810s written as text or (text=False) as
    segments by order_810 only. ``order``: values of its canonical ORDERS row changed ("missing": none);
    ``as_columns`` "tables": the ordinary 810s written from the tables (the ORDERS rows given per order),
    "all tables": the ORDERS rows given as a table too, as flows.shipments reads them."""
    if not text:
        monkeypatch.setattr(billing, "_fast_delimiters", lambda env, profile: None)
    rec = record(state, lines_key="k")
    due, billed = billing.invoices_due(shipments=shipments, invoiced_pos=set(), records={KEY: rec},
                                       lines={KEY: lines}, order_shipments={KEY: shipments}, profiles=profiles)
    canonical = canonical_rows(rows)
    orders = {} if order == "missing" else {KEY: {**po_tables()[0].to_pylist()[0], **(order or {})}}
    tables = None
    if as_columns:  # the rows as line_texts reads them from an ORDER_LINES table
        table = pa.Table.from_pylist(list(canonical.values()), schema=ORDER_LINES)
        canonical = billing.line_texts(table)[KEY]
        if as_columns in ("tables", "all tables"):  # and the ordinary 810s written from the tables themselves
            tables = billing.BillingTables(billing_table(lines), table, None if as_columns == "tables" else
                                           pa.Table.from_pylist(list(orders.values()), schema=ORDERS))
    prepared, problems = billing.prepare_invoices(
        due, lines={KEY: lines}, orders=orders, order_lines={KEY: canonical},
        customers={"acme": {"terms_type": "01", "terms_net_days": 30}} if customers is None else customers,
        profiles=profiles,
        invoice_date=date(2026, 11, 28), tables=tables)
    plan = billing.plan_invoices(prepared, numbers=list(range(41, 41 + len(prepared))), records={KEY: rec},
                                 lines={KEY: lines}, profiles=profiles, billed=billed, at=AT, run_id=RUN)
    monkeypatch.undo()
    return plan, problems, [type(p.built).__name__ for p in prepared]


CASES = {
    "per shipment, partial": dict(lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="BOL1")]),
    "two shipments of one line in one run": dict(
        lines=order_lines(shipped=(9, 6)), shipments=[shipment("S1", (1, "5"), (2, "6")), shipment("S2", (1, "4"))]),
    "a line on two rows of one shipment": dict(lines=order_lines(), shipments=[shipment("S1", (1, "2"), (2, "6"),
                                                                                        (1, "3"))]),
    "an IP price": dict(lines=order_lines(ack_price=(Decimal("2.255"), None)),
                        shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    "fractional units": dict(lines=order_lines(shipped=(Decimal("2.5"), 6)),
                             shipments=[shipment("S1", (1, "2.5"), (2, "6"))]),
    "charges and allowances": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], profiles=profiles_with(charges=(
            Charge(kind="C", code="D240", amount=Decimal("12.5"), description="Freight"),
            Charge(kind="A", code="C310", percent=Decimal("2"))))),
    "per order, shipped complete": dict(
        lines=order_lines(shipped=(12, 6), invoiced=(4, 0), state=LineState.SHIPPED), state=OrderState.SHIPPED,
        shipments=[shipment("S1", (1, "5"), (2, "6"), billing_status="order", bol="B1"),
                   shipment("S2", (1, "7"), billing_status="order", bol="B2")], profiles=profiles_with(per="order")),
    "product ids, basis and a description": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        rows={"1": {"price_basis": "PE", "description": "Widget, blue",
                    "product_ids": [{"qualifier": "VP", "id": "V-1"}, {"qualifier": "UP", "id": ""},
                                    {"qualifier": "BP", "id": "B-1"}]},
              "2": {"price_basis": "", "description": "", "product_ids": []}}),
    "more than ten product ids": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        rows={"1": {"product_ids": [{"qualifier": "VP", "id": f"V-{i}" if i % 3 else ""} for i in range(16)]}}),
    "a line stored without its id": dict(
        lines=tuple(replace(ln, line_id="") if ln.line_number == 1 else ln for ln in order_lines()),
        shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    "a line of the order not shipped": dict(
        lines=order_lines(shipped=(12, 6, 0), invoiced=(0, 0, 0), allocated=(12, 6, 4), ack_price=(None,) * 3),
        shipments=[shipment("S1", (1, "12"), (2, "6"))]),
    "a line of the order rejected": dict(
        lines=tuple(replace(ln, state=LineState.REJECTED, allocated=0) if ln.line_number == 3 else ln
                    for ln in order_lines(shipped=(12, 6, 0), invoiced=(0, 0, 0), allocated=(12, 6, 4),
                                          ack_price=(None,) * 3)),
        shipments=[shipment("S1", (1, "12"), (2, "6"))], state=OrderState.SHIPPED),
    "a price beyond four decimals": dict(lines=order_lines(ack_price=(Decimal("2.25555"), None)),
                                         shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    "a product id without a qualifier": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        rows={"2": {"product_ids": [{"qualifier": None, "id": "V-2"}]}}),
    "a bill of lading holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="B*1")]),
    "a value holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], rows={"1": {"description": "A*B"}}),
    "a description holding the segment terminator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], rows={"2": {"description": "A~B"}}),
    "a product id holding the component separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        rows={"1": {"product_ids": [{"qualifier": "VP", "id": "V>1"}]}}),
    "a price basis with a caret (no repetition separator before 00403)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], rows={"2": {"price_basis": "P^E"}}),
    "a line id holding the element separator": dict(
        lines=tuple(replace(ln, line_id="1*A") if ln.line_number == 1 else ln for ln in order_lines()),
        shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    "units already billed": dict(lines=order_lines(invoiced=(5, 0)), shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    "more than shipped": dict(lines=order_lines(shipped=(4, 6)), shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    "a line without a price": dict(lines=tuple(replace(ln, unit_price=None) if ln.line_number == 2 else ln
                                               for ln in order_lines()),
                                   shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    "a line not on the order": dict(lines=order_lines()[:1], shipments=[shipment("S1", (1, "5"), (2, "6"))]),
    # the head and tail (engine.invoice_heads when written with the tables)
    "parties, addresses, a currency, a release and no PO date": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="B1")],
        order={"currency": "CAD", "release_number": "R-7", "po_date": None, "bill_to_name": "Acme Billing",
               "bill_to_id": "123", "bill_to_id_qualifier": None, "bill_to_address1": "", "bill_to_address2": "Suite 5",
               "bill_to_city": "Halifax", "bill_to_state": None, "bill_to_postal_code": None, "bill_to_country": "CA",
               "ship_to_name": None, "ship_to_id": "DC9", "ship_to_id_qualifier": "92",
               "ship_to_address1": "1 Main St", "ship_to_address2": "Dock 4", "ship_to_city": None,
               "ship_to_state": None, "ship_to_postal_code": "B3H", "ship_to_country": None}),
    "a party with neither name nor id (its address not written)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"bill_to_name": "", "bill_to_id": None, "bill_to_address1": "9 Elm*St", "bill_to_city": "X~Y",
               "ship_to_id": "S*1", "ship_to_id_qualifier": ""}),  # the ship-to id, unqualified: not written either
    "no canonical order row": dict(lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
                                   order="missing"),
    "ISS per unit, a CTT hash, a percent charge and terms": dict(
        lines=tuple(replace(ln, unit="CA") if ln.line_number == 2 else ln
                    for ln in order_lines(shipped=(Decimal("5.25"), 6, 3), invoiced=(0, 0, 0), allocated=(12, 6, 4),
                                          ack_price=(Decimal("3.333"), None, None))),
        shipments=[shipment("S1", (1, "5.25"), (3, "2"), (2, "6"), (3, "1"))],
        profiles=profiles_with(iss=True, ctt_hash=True, remit_to="OrderBridge Supply", charges=(
            Charge(kind="A", code="C310", percent=Decimal("2.5"), description="Early pay"),
            Charge(kind="C", code="D240", amount=Decimal("1.005"))))),
    "a party name holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], order={"ship_to_name": "A*B"}),
    "a release holding the segment terminator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], order={"release_number": "R~1"}),
    "a description longer than PID05 (80), a star past the cut": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        rows={"1": {"description": "W" * 79 + " " + "X" * 20 + "*Z"}, "2": {"description": "E" * 80}}),
    "a ship-to name, street and city longer than N102, N301 and N401, a star past the cut": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"ship_to_name": "N" * 59 + " " + "M" * 10 + "*", "ship_to_address1": "A" * 56,
               "ship_to_address2": "B" * 55, "ship_to_city": "C" * 31}),
    "a guide listing no REF on the 810 (shipment_refs = ())": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="B1")],
        profiles=profiles_with(shipment_refs=(), vendor_number="V 0042")),
    "the bill of lading only (shipment_refs = BM)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="B1")],
        profiles=profiles_with(shipment_refs=("BM",))),
    # [fulfilment.invoice] currency: CUR*SE for a PO that sent no CUR (ALDI's 810 requires CUR), a PO's own wins
    "the partner's currency for a PO without CUR": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], order={"currency": None},
        profiles=profiles_with(currency="USD")),
    "a PO's own CUR over the partner's currency": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], order={"currency": "CAD"},
        profiles=profiles_with(currency="USD")),
    # [fulfilment.invoice] ship_to = false: no N1*ST loop (ALDI's 810 lists the buyer's and the ship-from's only)
    "a guide listing no ship-to on the 810 (ship_to = false)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], profiles=profiles_with(ship_to=False),
        order={"ship_to_name": "DC 7", "ship_to_id_qualifier": "92", "ship_to_id": "DC07", "ship_to_city": "Reno"}),
    "our ship-from (N1 SF) after the PO's parties": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        profiles=profiles_with(ship_from=PoAckParty(name="OrderBridge Supply", id_qualifier="92", id="V0042"))),
    "a vendor number (REF IA)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        profiles=profiles_with(vendor_number="V 0042", remit_to="OrderBridge Supply")),
    "a vendor number holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        profiles=profiles_with(vendor_number="V*42")),
    "a remit-to table: N1 RI with its DUNS and address": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], profiles=profiles_with(remit_to=RemitTo(
            code="RI", name="OrderBridge Supply Inc", id_qualifier="1", id="123456789", address1="PO Box 4412",
            city="Newark", state="NJ", postal_code="07101-4412", country="US"))),
    "a remit-to address holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], profiles=profiles_with(remit_to=RemitTo(
            name="OrderBridge Supply Inc", address1="Lockbox*4412"))),
    "a remit-to name holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], profiles=profiles_with(remit_to="O*B")),
    # the mark-for store a cross-dock PO names (N1 BY with a store number, or N1 Z7), after N1 ST
    "a mark-for store (N1 BY with a store number)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"ship_to_name": "DC 7", "ship_to_id_qualifier": "92", "ship_to_id": "DC07", "buyer_name": "STORE 457",
               "buyer_id_qualifier": "92", "buyer_id": "0457"}),
    "a mark-for party (N1 Z7) besides a buyer, a long name": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"buyer_name": "Acme Buying", "buyer_id_qualifier": "92", "buyer_id": "B1", "mark_for_name": "S" * 61,
               "mark_for_id_qualifier": "UL", "mark_for_id": "0614141000418"}),
    "a buyer named without a location code (no mark-for)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"buyer_name": "JOHN BUYER", "mark_for_id": "0457", "mark_for_id_qualifier": ""}),
    "a mark-for the partner does not want": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], profiles=profiles_with(mark_for=False),
        order={"buyer_name": "STORE 457", "buyer_id_qualifier": "92", "buyer_id": "0457"}),
    "a mark-for name holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"buyer_name": "STORE*457", "buyer_id_qualifier": "92", "buyer_id": "0457"}),
    # the references the PO sent (REF DP, PD, MR), after REF IA: the department by default
    "a department (REF DP) after the vendor number": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        profiles=profiles_with(vendor_number="V 0042"),
        order={"department": "042", "promotion": "PROMO 7", "merchandise_type": "0020"}),
    "every reference the partner asks for, one the PO did not send": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        profiles=profiles_with(order_refs=("MR", "PD", "DP")), order={"department": "042", "merchandise_type": "0020"}),
    # no terms agreed with the customer: the PO's own ITD (terms_from_order), each 810 built alone
    "no agreed terms: the PO's ITD": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], customers={},
        order={"terms_type": "08", "terms_basis_date": "15", "terms_discount_percent": Decimal("2"),
               "terms_discount_days": 10, "terms_net_days": 30, "terms_description": "2% 10 NET 30"}),
    "agreed terms dated as the PO's ITD02 (receipt of goods)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"terms_type": "01", "terms_basis_date": "15", "terms_net_days": 30}),
    "agreed terms, the PO's ITD of another type": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"terms_type": "02", "terms_basis_date": "15", "terms_net_days": 30}),
    # 08 basic discount offered names the agreed 01's kind (schemas.invoices.BASIC_TERMS_TYPES): dated as it sent
    "agreed basic terms, the PO's ITD 08 dated otherwise": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))],
        order={"terms_type": "08", "terms_basis_date": "15", "terms_net_days": 30}),
    "no agreed terms, nor any from the PO": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], customers={},
        order={"terms_type": None}),
    "a department holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"))], order={"department": "04*2"}),
    # the carrier and bill of lading in CAD ([fulfilment.invoice] carrier: engine.invoice.cad_segment), after TDS
    "the carrier's SCAC and the bill of lading in CAD": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="BOL-1", carrier="FDSR")],
        profiles=profiles_with(carrier=True, charges=(Charge(kind="C", code="D240", amount=Decimal("12.5")),))),
    "a carrier that is no SCAC, a bill of lading CAD08 cannot hold": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="B" * 31, carrier="Acme Freight")],
        profiles=profiles_with(carrier=True)),
    "a shipment without a carrier (no CAD)": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="BOL-1")],
        profiles=profiles_with(carrier=True)),
    "per order, the last shipment's carrier in CAD": dict(
        lines=order_lines(shipped=(12, 6), invoiced=(4, 0), state=LineState.SHIPPED), state=OrderState.SHIPPED,
        shipments=[shipment("S1", (1, "5"), (2, "6"), billing_status="order", bol="B1", carrier="UPSN"),
                   shipment("S2", (1, "7"), billing_status="order", bol="B2", carrier="ODFL")],
        profiles=profiles_with(per="order", carrier=True)),
    "a carrier holding the element separator": dict(
        lines=order_lines(), shipments=[shipment("S1", (1, "5"), (2, "6"), bol="BOL-1", carrier="A*B Freight")],
        profiles=profiles_with(carrier=True)),
}


@pytest.mark.parametrize("as_columns", [False, True, "tables", "all tables"],
                         ids=["dict rows", "line_texts", "tables", "all tables"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_an_810_written_as_text_is_the_one_built_as_segments(monkeypatch, case, as_columns):
    kw = CASES[case]
    batched: list[int] = []
    batch = billing._text_batch
    monkeypatch.setattr(billing, "_text_batch", lambda *a, **k: batched.append(len(got := batch(*a, **k))) or got)
    text, problems, kinds = plan_of(monkeypatch, text=True, as_columns=as_columns, **kw)
    segments, problems_seg, kinds_seg = plan_of(monkeypatch, text=False, as_columns=as_columns, **kw)
    assert text == segments and problems == problems_seg
    if as_columns in ("tables", "all tables"):  # each ordinary 810 (an order's only one of the run) with the others
        # (two 810s of one order in one run; a stored text beyond the tables' 4 decimals: each 810 alone)
        # (engine.invoice_heads / invoice_lines: Batch810s); the others each alone, as below
        # (no agreed terms and the PO's own ITD: each 810 its own ITD, each alone)
        alone = ("two shipments of one line in one run", "a price beyond four decimals",
                 "no agreed terms: the PO's ITD", "agreed terms dated as the PO's ITD02 (receipt of goods)",
                 "agreed basic terms, the PO's ITD 08 dated otherwise",
                 "our ship-from (N1 SF) after the PO's parties",
                 # a street longer than N301 takes two N3s (engine.asn.n3_elements): party_segments writes it
                 "a ship-to name, street and city longer than N102, N301 and N401, a star past the cut")
        ordinary = case not in alone and not ("holding" in case or case == "a product id without a qualifier")
        assert kinds == (["Batch810"] * len(kinds) if ordinary else [k for k in kinds if k != "Batch810"]), kinds
        assert sum(batched) == (len(kinds) if ordinary else 0), (batched, kinds)
    else:
        assert not batched
    assert set(kinds_seg) <= {"Order810"}
    if not ("holding" in case or case == "a product id without a qualifier"):
        # everything ordinary goes the text way (with the tables: written with its batch)
        assert set(kinds) <= ({"Batch810", "Text810"} if as_columns in ("tables", "all tables") else {"Text810"})
    else:
        assert kinds == ["Order810"]  # a delimiter in a value: built as segments (the renderer picks a set)


def test_the_cases_bill_what_they_say():
    """The cases above are not vacuous: what each one bills (or refuses)."""
    mp = pytest.MonkeyPatch()
    outcome = {}
    for case, kw in CASES.items():
        plan, problems, _ = plan_of(mp, text=True, **kw)
        outcome[case] = ([(v.total, tuple((ln.line_number, ln.quantity) for ln in v.lines)) for v in plan.invoices],
                         [f.finding.code for f in problems])
    assert outcome["per shipment, partial"] == ([(Decimal("27.50"), ((1, 5), (2, 6)))], [])
    assert outcome["two shipments of one line in one run"][0][1] == (Decimal("10.00"), ((1, 4),))
    assert outcome["a line on two rows of one shipment"][0] == [(Decimal("27.50"), ((1, 5), (2, 6)))]
    assert outcome["an IP price"][0] == [(Decimal("26.28"), ((1, 5), (2, 6)))]  # 5 x 2.255 = 11.275 -> 11.28
    assert outcome["a price beyond four decimals"][0] == [(Decimal("26.28"), ((1, 5), (2, 6)))]  # 11.27775 -> 11.28
    assert outcome["charges and allowances"][0] == [(Decimal("39.45"), ((1, 5), (2, 6)))]  # 27.50 + 12.50 - 0.55
    assert outcome["per order, shipped complete"][0] == [(Decimal("35.00"), ((1, 8), (2, 6)))]
    events = {case: [EventKind(e) for d in plan_of(mp, text=True, as_columns="tables", **CASES[case])[0].decided
                     for e in d.events["event"].to_pylist()]
              for case in ("a line of the order not shipped", "a line of the order rejected")}
    assert events == {"a line of the order not shipped": [EventKind.INVOICED_IN_PART],
                      "a line of the order rejected": [EventKind.INVOICED_IN_FULL]}
    for refused in ("units already billed", "more than shipped", "a line without a price", "a line not on the order"):
        assert outcome[refused] == ([], ["INVOICE_NOT_BUILT"]), refused
    texts = {case: plan_of(mp, text=True, as_columns="all tables", **CASES[case])[0].documents[0].sets[0].text
             for case in ("parties, addresses, a currency, a release and no PO date", "no canonical order row",
                          "a party with neither name nor id (its address not written)",
                          "ISS per unit, a CTT hash, a percent charge and terms", "a vendor number (REF IA)",
                          "a description longer than PID05 (80), a star past the cut",
                          "a ship-to name, street and city longer than N102, N301 and N401, a star past the cut",
                          "a mark-for store (N1 BY with a store number)",
                          "a mark-for party (N1 Z7) besides a buyer, a long name",
                          "a buyer named without a location code (no mark-for)", "a mark-for the partner does not want",
                          "a mark-for name holding the element separator",
                          "a department (REF DP) after the vendor number",
                          "every reference the partner asks for, one the PO did not send",
                          "a department holding the element separator", "no agreed terms: the PO's ITD",
                          "no agreed terms, nor any from the PO",
                          "a guide listing no REF on the 810 (shipment_refs = ())",
                          "the bill of lading only (shipment_refs = BM)",
                          "agreed terms dated as the PO's ITD02 (receipt of goods)",
                          "agreed terms, the PO's ITD of another type",
                          "the carrier's SCAC and the bill of lading in CAD",
                          "a carrier that is no SCAC, a bill of lading CAD08 cannot hold",
                          "a shipment without a carrier (no CAD)", "per order, the last shipment's carrier in CAD",
                          "agreed basic terms, the PO's ITD 08 dated otherwise",
                          "a guide listing no ship-to on the 810 (ship_to = false)")}
    assert "BIG*20261128*INV0000041**PO-1*R-7**DI~\nCUR*SE*CAD~\nREF*SI*S1~\nREF*BM*B1~\n" \
           "N1*RE*OrderBridge Supply Inc~\nN1*BT*Acme Billing~\nN3*Suite 5~\nN4*Halifax***CA~\n" \
           "N1*ST**92*DC9~\nN3*1 Main St*Dock 4~\nN4***B3H~\n" \
        in texts["parties, addresses, a currency, a release and no PO date"]
    assert texts["no canonical order row"].startswith("BIG*20261128*INV0000041**PO-1***DI~\nREF*SI*S1~\nN1*RE*")
    assert "N1*BT" not in texts["a party with neither name nor id (its address not written)"]
    assert "N1*ST*DC 7~" in texts["a party with neither name nor id (its address not written)"]
    assert texts["ISS per unit, a CTT hash, a percent charge and terms"].endswith(  # 40.00 - 1.00 + 1.01
        "TDS*4001~\nSAC*A*C310***100*1*2.5********Early pay~\nSAC*C*D240***101~\nISS*8.25*EA~\nISS*6*CA~\n"
        "CTT*3*14.25~\n")
    assert "~\nREF*SI*S1~\nREF*IA*V 0042~\nN1*RE*OrderBridge Supply~\n" in texts["a vendor number (REF IA)"]
    assert [seg[len("PID*F****"):] for seg in texts["a description longer than PID05 (80), a star past the cut"]
            .split("~\n") if seg.startswith("PID")] == ["W" * 79, "E" * 80]
    # the street is not cut: what passes N301's 55 characters goes on in N302, the rest in a second N3 (rg41)
    assert f"~\nN1*ST*{'N' * 59}*92*DC07~\nN3*{'A' * 55}*A~\nN3*{'B' * 55}~\nN4*{'C' * 30}" in texts[
        "a ship-to name, street and city longer than N102, N301 and N401, a star past the cut"]
    # the mark-for as the PO sent it, in the heading after N1 ST; only when the PO named one with a code
    assert "~\nN1*ST*DC 7*92*DC07~\nN3*1 Way~\nN4*Columbus*OH*43215*US~\nN1*BY*STORE 457*92*0457~\nITD*" in texts[
        "a mark-for store (N1 BY with a store number)"]
    assert f"~\nN4*Columbus*OH*43215*US~\nN1*Z7*{'S' * 60}*UL*0614141000418~\nITD*" in texts[
        "a mark-for party (N1 Z7) besides a buyer, a long name"]
    for case in ("a buyer named without a location code (no mark-for)", "a mark-for the partner does not want"):
        assert "~\nN4*Columbus*OH*43215*US~\nITD*" in texts[case], case
    assert "~\nN1|BY|STORE*457|92|0457~\n" in texts["a mark-for name holding the element separator"]  # another set
    # the PO's references as it sent them, after REF SI/BM/IA; only those the partner asks for
    assert "~\nREF*SI*S1~\nREF*IA*V 0042~\nREF*DP*042~\nN1*" in texts["a department (REF DP) after the vendor number"]
    assert "~\nREF*SI*S1~\nREF*DP*042~\nREF*MR*0020~\nN1*" in texts[
        "every reference the partner asks for, one the PO did not send"]
    assert "~\nREF|DP|04*2~\n" in texts["a department holding the element separator"]
    # the terms agreed with the customer, else the PO's own
    assert "~\nITD*01*3*****30~\n" in texts["a vendor number (REF IA)"]
    assert "~\nITD*08*15*2**10**30*****2% 10 NET 30~\n" in texts["no agreed terms: the PO's ITD"]
    assert "~\nITD*" not in texts["no agreed terms, nor any from the PO"]
    # the agreed terms (01, net 30) from the date the PO's ITD of that type runs them (15 receipt of goods)
    assert "~\nITD*01*15*****30~\n" in texts["agreed terms dated as the PO's ITD02 (receipt of goods)"]
    assert "~\nITD*01*3*****30~\n" in texts["agreed terms, the PO's ITD of another type"]
    assert "~\nITD*01*15*****30~\n" in texts["agreed basic terms, the PO's ITD 08 dated otherwise"]
    # the ship-to left out where the guide has no ship-to loop; a partner's 810 by default names it
    assert "~\nN1*ST*" not in texts["a guide listing no ship-to on the 810 (ship_to = false)"]
    assert "~\nN4*Reno~" not in texts["a guide listing no ship-to on the 810 (ship_to = false)"]
    assert "~\nN1*ST*DC 7*92*DC07~\n" in texts["a mark-for store (N1 BY with a store number)"]
    # the shipment's references a partner's 810 guide lists (Hudson's Bay's 4010 810: REF not used): none, or BM alone
    assert "*PO-1***DI~\nCUR*SE*USD~\nREF*IA*V 0042~\nN1*" in texts[
        "a guide listing no REF on the 810 (shipment_refs = ())"]
    assert "~\nCUR*SE*USD~\nREF*BM*B1~\nN1*" in texts["the bill of lading only (shipment_refs = BM)"]
    # the CAD of the shipment billed after TDS (before the SACs): its SCAC (CAD04) or the carrier as given (CAD05),
    # CAD07 BM and CAD08 its bill of lading when CAD08 holds it; none without a carrier; per order the last one's
    assert "~\nTDS*4000~\nCAD****FDSR***BM*BOL-1~\nSAC*C*D240***1250~\nCTT*2~\n" in texts[
        "the carrier's SCAC and the bill of lading in CAD"]
    assert "~\nTDS*2750~\nCAD*****Acme Freight~\nCTT*2~\n" in texts[
        "a carrier that is no SCAC, a bill of lading CAD08 cannot hold"]
    assert "~\nCAD*" not in texts["a shipment without a carrier (no CAD)"]
    assert "~\nTDS*3500~\nCAD****ODFL***BM*B2~\nCTT*2~\n" in texts["per order, the last shipment's carrier in CAD"]


def test_billed_lines_and_shipments_read_from_columns():
    table = pa.table({"partner": ["acme", "acme", "acme"], "po_number": ["PO-1", "PO-1", "PO-2"],
                      "line_number": [1, 2, 1], "line_id": ["1", None, "A"], "state": ["shipped", "invoiced", "closed"],
                      "unit": ["EA", None, "CA"], "unit_price": ["2.5", "", None], "ack_price": [None, "2.25", None],
                      "allocated": [4, None, 1], "backordered": [0, 2, None], "shipped": ["4", None, "1"],
                      "invoiced": ["0", "1.5", None], "codes": [None, "PRICE_BASIS_PER_EACH,DATE_IN_PAST", ""]})
    lines = billing.billed_lines(table)
    assert list(lines) == [("acme", "PO-1"), ("acme", "PO-2")]
    one, two = lines[("acme", "PO-1")]
    # (ordered and rejected: read when the table has them, for a measure's exact promise; none here)
    assert one == ("acme", "PO-1", 1, "1", LineState.SHIPPED, "EA", Decimal("2.5"), None, 4, 0, Decimal(4), Decimal(0),
                   (), Decimal(1), 0, None, 0, Decimal(0), Decimal(0))  # (no priced_per, unit_eaches columns: a
    # price per unit, no pack; no ordered, rejected, rejected_fraction, backordered_over: none)
    assert two == ("acme", "PO-1", 2, "", LineState.INVOICED, "", None, Decimal("2.25"), 0, 2, Decimal(0),
                   Decimal("1.5"), ("PRICE_BASIS_PER_EACH", "DATE_IN_PAST"), Decimal(1), 0, None, 0, Decimal(0),
                   Decimal(0))
    read = billing.billed_lines(table.append_column("priced_per", pa.array([None, "1000", None]))
                                .append_column("unit_eaches", pa.array([12, None, 0])))[("acme", "PO-1")]
    assert [(ln.priced_per, ln.unit_eaches) for ln in read] == [(1, 12), (1000, 0)]
    # a measure's line (12.5 LB stored allocated 12): its promise is exact
    measure = table.slice(0, 1).append_column("ordered", pa.array(["12.5"])).append_column("rejected", pa.array([0]))
    measure = measure.set_column(measure.schema.get_field_index("allocated"), "allocated", pa.array([12]))
    (weighed,) = billing.billed_lines(measure)[("acme", "PO-1")]
    assert (weighed.ordered, weighed.rejected, weighed.promised_exact) == (Decimal("12.5"), 0, Decimal("12.5"))
    # 10 placed and 2.5 backordered (stored 3, backordered_over 0.5): 12.5, read from the column
    waits = measure.set_column(measure.schema.get_field_index("allocated"), "allocated", pa.array([10])).set_column(
        measure.schema.get_field_index("backordered"), "backordered", pa.array([3])).append_column(
        "backordered_over", pa.array(["0.5"]))
    (waiting,) = billing.billed_lines(waits)[("acme", "PO-1")]
    assert (waiting.backordered_over, waiting.promised_exact) == (Decimal("0.5"), Decimal("12.5"))
    (unmarked,) = billing.billed_lines(waits.drop_columns(["backordered_over"]))[("acme", "PO-1")]
    assert unmarked.promised_exact == 13
    assert lines[("acme", "PO-2")][0].codes == ()
    # a table read before codes were (a caller's own): no codes
    assert billing.billed_lines(table.drop_columns(["codes"]))[("acme", "PO-1")][1].codes == ()
    heads = pa.table({"warehouse": ["east", "east"], "shipment_id": ["S2", "S1"], "partner": ["acme", "acme"],
                      "ship_date": ["2026-11-27", "2026-11-28"], "bill_of_lading": [None, "B"],
                      "billing": ["shipment", "order"]})
    rows = pa.table({"warehouse": ["east"] * 3, "shipment_id": ["S1", "S2", "S2"],
                     "po_number": ["PO-1", "PO-2", "PO-1"], "line_number": [1, 1, 2], "quantity": ["3", "1.5", "2"]})
    s2, s1 = billing.shipments_to_bill(heads, rows)
    assert (s2.shipment_id, s2.ship_date, s2.bill_of_lading, s2.billing, s2.po_numbers) == (
        "S2", date(2026, 11, 27), "", "shipment", ("PO-2", "PO-1"))
    assert [(u.po_number, u.line_number, u.quantity) for u in s2.lines] == [("PO-2", 1, Decimal("1.5")),
                                                                          ("PO-1", 2, Decimal(2))]
    assert (s1.bill_of_lading, s1.billing, [u.quantity for u in s1.lines]) == ("B", "order", [Decimal(3)])


def test_column_reads_group_rows_that_are_not_together():
    """billed_lines, line_texts and shipments_to_bill group rows a run at a time: an order (a shipment)
    whose rows come back after another's still gets all of them, in row order, and a later line id wins."""
    table = pa.table({"partner": ["acme", "acme", "acme", "globex"], "po_number": ["PO-1", "PO-2", "PO-1", "PO-1"],
                      "line_number": [1, 1, 2, 1], "line_id": ["1", "1", "2", "1"], "state": ["shipped"] * 4,
                      "unit": ["EA"] * 4, "unit_price": ["1"] * 4, "ack_price": [None] * 4, "allocated": [1] * 4,
                      "backordered": [0] * 4, "shipped": ["1"] * 4, "invoiced": ["0"] * 4})
    lines = billing.billed_lines(table)
    assert list(lines) == [("acme", "PO-1"), ("acme", "PO-2"), ("globex", "PO-1")]
    assert [ln.line_number for ln in lines[("acme", "PO-1")]] == [1, 2]
    rows = [("acme", "PO-1", 1, "1", "a"), ("acme", "PO-2", 1, "1", "b"), ("acme", "PO-1", 2, None, "c"),
            ("acme", "PO-1", 3, "1", "d")]
    ordered = pa.Table.from_pylist([{"partner": p, "po_number": o, "line_number": n, "line_id": i, "description": t}
                                    for p, o, n, i, t in rows], schema=ORDER_LINES)
    texts = billing.line_texts(ordered)
    assert {k: {i: t.description for i, t in v.items()} for k, v in texts.items()} == {
        ("acme", "PO-1"): {"1": "d", "2": "c"}, ("acme", "PO-2"): {"1": "b"}}
    heads = pa.table({"warehouse": ["east", "east"], "shipment_id": ["S1", "S2"], "partner": ["acme", "acme"],
                      "ship_date": ["2026-11-27"] * 2, "bill_of_lading": [None, None], "billing": ["shipment"] * 2})
    shipped = pa.table({"warehouse": ["east"] * 3, "shipment_id": ["S1", "S2", "S1"],
                        "po_number": ["PO-1", "PO-2", "PO-3"], "line_number": [1, 1, 1], "quantity": ["1", "2", "3"]})
    s1, s2 = billing.shipments_to_bill(heads, shipped)
    assert [u.po_number for u in s1.lines] == ["PO-1", "PO-3"] and [u.po_number for u in s2.lines] == ["PO-2"]
    assert billing.shipments_to_bill(heads, shipped.slice(0, 0))[0].lines == ()


def test_shipment_units_sum_what_invoices_due_sums_from_the_lines():
    """shipment_units (the run's due units from columns) gives invoices_due what it sums from the
    ShipmentRecords' lines: the same invoices (POs in the order a shipment first names them, lines in
    the order they first appear, a line's rows added in row order, to the same Decimal texts) and the
    same shipments billed - rows of a shipment or a PO that are not together, per-order billing too."""
    rows = [("S1", "PO-1", 2, "5"), ("S1", "PO-2", 1, "1.50"), ("S1", "PO-1", 1, "3"), ("S2", "PO-1", 3, "2"),
            ("S1", "PO-1", 2, "0.25"), ("S2", "PO-3", 1, "4"), ("S1", "PO-3", 7, "1"), ("S2", "PO-1", 3, "1.5"),
            ("S3", "PO-2", 1, "2"), ("S3", "PO-2", 2, "6")]
    heads = pa.table({"warehouse": ["east"] * 3, "shipment_id": ["S2", "S1", "S3"], "partner": ["acme"] * 3,
                      "ship_date": ["2026-11-27"] * 3, "bill_of_lading": [None, "B", None],
                      "billing": ["shipment", "shipment", "order"]})
    lines = pa.table({"warehouse": ["east"] * len(rows), "shipment_id": [r[0] for r in rows],
                      "po_number": [r[1] for r in rows], "line_number": pa.array([r[2] for r in rows], pa.int64()),
                      "quantity": [r[3] for r in rows]})
    units = billing.shipment_units(lines)
    assert {k: {po: {n: str(q) for n, q in qty.items()} for po, qty in v.items()} for k, v in units.items()} == {
        ("east", "S1"): {"PO-1": {2: "5.25", 1: "3"}, "PO-2": {1: "1.50"}, "PO-3": {7: "1"}},
        ("east", "S2"): {"PO-1": {3: "3.5"}, "PO-3": {1: "4"}}, ("east", "S3"): {"PO-2": {1: "2", 2: "6"}}}
    records = {("acme", po): record(OrderState.SHIPPED, po_number=po) for po in ("PO-1", "PO-2", "PO-3")}
    outcomes = []
    for with_lines in (True, False):
        shipments = billing.shipments_to_bill(heads, lines, with_lines=with_lines)
        order_shipments = billing.order_shipments(shipments, None if with_lines else units)
        assert {k: [s.shipment_id for s in v] for k, v in order_shipments.items()} == {
            ("acme", "PO-1"): ["S2", "S1"], ("acme", "PO-3"): ["S2", "S1"], ("acme", "PO-2"): ["S1", "S3"]}
        due, billed = billing.invoices_due(
            shipments=shipments, invoiced_pos={("east", "S2", "PO-3")}, records=records,
            lines={("acme", "PO-2"): order_lines(shipped=(2, 6), allocated=(2, 6), state=LineState.SHIPPED)},
            order_shipments=order_shipments, profiles=PROFILES, units=None if with_lines else units)
        outcomes.append(([(d.doc_key, [(n, str(q)) for n, q in d.quantities.items()],
                           [s.shipment_id for s in d.shipments]) for d in due], billed))
    assert outcomes[0] == outcomes[1]
    assert [k for k, _, _ in outcomes[0][0]] == ["810:east:S2:PO-1", "810:east:S1:PO-1", "810:east:S1:PO-2",
                                                 "810:east:S1:PO-3", "810:order:PO-2"]
    assert billing.shipment_units(lines.set_column(4, "quantity", pa.array([None] + [r[3] for r in rows[1:]]))) \
        is None


def test_the_line_updates_of_a_batch_are_the_rows_of_the_810s_planned():
    """plan_invoices' LINE_UPDATES table: each batch's rows of the Batch810s it plans (a batch planned
    whole as it is; one whose 810s were not all planned, only theirs, in plan order), then the rows of
    the 810s built one by one; none at all: no table."""
    batch = pa.table({"partner": ["acme"] * 5, "po_number": ["PO-1", "PO-1", "PO-2", "PO-3", "PO-3"],
                      "line_number": pa.array([1, 2, 1, 1, 2], pa.int64()), "state": ["invoiced"] * 5,
                      "invoiced": ["4", "2.5", "1", None, "3"]})
    other = batch.slice(0, 1)
    rows = [("acme", "PO-9", 3, "partially_shipped", "7")]

    def updates(batches, rows):
        (table,) = billing._line_updates(batches, rows, RUN)
        assert table.schema == LINE_UPDATES
        return [tuple(r.values()) for r in table.to_pylist()]

    every = [(*r.values(), RUN) for r in batch.to_pylist()]
    assert updates([(batch, [(0, 2), (2, 3), (3, 5)])], []) == every
    assert updates([(batch, [(0, 2), (3, 5)]), (other, [(0, 1)])], rows) == [
        *every[:2], *every[3:], every[0], (*rows[0], RUN)]
    assert updates([(batch, [(3, 5), (0, 2)])], []) == [*every[3:], *every[:2]]
    assert updates([], rows) == [(*rows[0], RUN)] and billing._line_updates([], [], RUN) == ()


def test_prices_written_once_per_distinct_text_as_each_row_alone():
    """engine.invoice_lines' IT104 per distinct stored price text is x12_decimal of each row's price:
    trailing zeros, whole prices, zero, a negative, nulls ("") and repeats in any order."""
    from engine.invoice_lines import _price_texts
    from parsers.x12_writer import x12_decimal

    texts = ["2.5000", None, "10", "0", "2.5000", "0.0001", "-3.10", "1234567.8", None, "10"]
    got = _price_texts(pa.array(texts, pa.string())).to_pylist()
    assert got == ["" if t is None else x12_decimal(Decimal(t)) for t in texts]
    assert _price_texts(pa.array([], pa.string())).to_pylist() == []
