"""The invoice stage's reads as columns (StateStore.billing_shipments, billing_lines, closing_invoices)
give what the record readers give (shipments_to_bill, lines_for, invoices_for_order + delivered_at),
on SQLite and on PostgreSQL (the store_target fixture)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connectors.state import StateStore
from engine.lifecycle import billing
from engine.lifecycle.table import create
from schemas.lifecycle import (
    LineRecord,
    LineState,
    OrderLines,
    OrderRecord,
    OrderState,
    Plan,
    PlannedDocument,
    PlannedSet,
)
from schemas.shipment_records import InvoicedLine, InvoiceRecord, ShipmentRecord, ShippedLine
from tests.support import numbers_render as render

AT = "2026-11-27T02:00:00"


def stored(store: StateStore) -> None:
    plans = []
    for po, state in (("PO-1", OrderState.PARTIALLY_SHIPPED), ("PO-2", OrderState.INVOICED),
                      ("PO-3", OrderState.INVOICED), ("PO-4", OrderState.SHIPPED)):
        record = OrderRecord("acme", po, state, order_ref=f"r-{po}" if po != "PO-4" else "",
                             lines_key="k" if po != "PO-4" else "")
        lines = tuple(LineRecord("acme", po, n, LineState.SHIPPED if n < 3 else LineState.CANCELLED, line_id=f"L{n}",
                                 sku=f"SKU-{n}", ordered=Decimal(4), unit="EA" if n != 2 else "",
                                 unit_price=Decimal("2.50"), ack_price=Decimal("2.25") if n == 2 else None, allocated=4,
                                 shipped=Decimal("4.5") if n == 1 else Decimal(4), invoiced=Decimal(n - 1))
                      for n in (3, 1, 2))
        plans.append(Plan(transitions=(create(record, at=AT, run_id="r1", note="received"),),
                          lines=(OrderLines("acme", po, lines),)))

    def ship(sid: str, day: int, status: str, *rows: tuple[str, int, str]) -> ShipmentRecord:
        return ShipmentRecord("east", sid, "acme", date(2026, 11, day), tuple(  # S1's PO-1 marked for stores
            ShippedLine(po, n, f"L{n}", f"SKU-{n}", Decimal(q), "EA",
                        mark_for_store=f"00{n}" if (sid, po) == ("S1", "PO-1") else "") for po, n, q in rows),
            bill_of_lading="BOL" if sid == "S1" else "", billing=status)

    plans.append(Plan(shipments=(ship("S3", 27, "order", ("PO-4", 1, "4")),
                                 ship("S1", 28, "shipment", ("PO-1", 2, "1"), ("PO-1", 1, "2.5"), ("PO-4", 2, "1")),
                                 ship("S2", 27, "shipment", ("PO-1", 1, "2")),
                                 ship("S4", 26, "invoiced", ("PO-2", 1, "4")))))
    invoices, docs = [], []
    for number, po, key in (("INV1", "PO-2", "810:a"), ("INV2", "PO-2", "810:b"), ("INV3", "PO-3", "810:c")):
        invoices.append(InvoiceRecord("acme", number, po, date(2026, 11, 27), (InvoicedLine(1, "L1", Decimal(1), "EA",
                                                                                          Decimal(2), Decimal(2)),),
                                      Decimal(2), Decimal(0), Decimal(2), key, created_at=AT,
                                      **({"warehouse": "east", "shipment_id": "S4"} if po == "PO-2" else {})))
        docs.append(PlannedDocument("acme", "810", "IN", (PlannedSet(key, (("BIG", "x"),), po_number=po),)))
    plans.append(Plan(invoices=tuple(invoices), documents=tuple(docs)))
    for plan in plans:
        store.apply(plan, render=render, at=AT, run_id="r1")


def test_billing_reads_agree_with_the_record_readers(store_target):
    store = StateStore(store_target())
    try:
        stored(store)
        keys = [("acme", "PO-1"), ("acme", "PO-4"), ("acme", "PO-9")]
        records = store.lines_for(keys)
        columns = billing.billed_lines(store.billing_lines(keys))
        assert list(columns) == list(records) == [("acme", "PO-1"), ("acme", "PO-4")]
        for key, lines in records.items():
            assert [tuple(getattr(ln, f) for f in billing.BilledLine._fields) for ln in lines] == list(columns[key])
        assert store.billing_lines([]).num_rows == 0

        orders = billing.billed_orders(store.billing_orders(keys))  # an order's state, revision and stored tables
        full = store.orders_for(keys)
        assert sorted(orders) == sorted(full) == [("acme", "PO-1"), ("acme", "PO-4")]
        for key, record in full.items():
            assert orders[key] == tuple(getattr(record, f) for f in billing.BilledOrder._fields)
            assert orders[key].key == key
        assert orders[("acme", "PO-1")].evolve(state=OrderState.SHIPPED).state == OrderState.SHIPPED
        assert store.billing_orders([]) == []

        pending = store.shipments_to_bill(["acme"])
        read = billing.shipments_to_bill(*store.billing_shipments(["acme", "globex"]))
        assert [s.shipment_id for s in read] == [s.shipment_id for s in pending] == ["S2", "S1", "S3"]
        for a, b in zip(read, pending, strict=True):
            assert (a.warehouse, a.partner, a.ship_date, a.bill_of_lading, a.billing, a.po_numbers) == (
                b.warehouse, b.partner, b.ship_date, b.bill_of_lading, b.billing, b.po_numbers)
            assert [(u.po_number, u.line_number, u.quantity, u.mark_for_store) for u in a.lines] == [
                (ln.po_number, ln.line_number, ln.quantity, ln.mark_for_store) for ln in b.lines]
        assert [u.mark_for_store for u in read[1].lines] == ["002", "001", ""]  # each carton's store, as recorded
        # the doc keys of the 810s on these shipments (per-store billing's bookkeeping: which stores went)
        assert store.invoiced_shipment_keys([("east", "S4"), ("east", "S1")]) == {"810:a", "810:b"}
        assert store.invoiced_shipment_keys([]) == set()
        assert billing.shipments_to_bill(*store.billing_shipments(["globex"])) == []

        store.mark_delivered(store.documents("acme")[0].id, "2026-11-26T02:00:00")  # INV1's 810 of PO-2
        rows = store.closing_invoices(["received"])  # (create() enters every order as received)
        assert sorted(rows, key=str) == [("acme", "PO-1", None, None), ("acme", "PO-2", "810:a", "2026-11-26T02:00:00"),
                                         ("acme", "PO-2", "810:b", None), ("acme", "PO-3", "810:c", None),
                                         ("acme", "PO-4", None, None)]
        assert store.closing_invoices(["invoiced"]) == [] and store.closing_invoices([]) == []
        store.mark_delivered_many([d.id for d in store.documents("acme")], "2026-11-26T03:00:00")
        expected = {}
        for key in [("acme", f"PO-{n}") for n in range(1, 5)]:
            doc_keys = [v.doc_key for v in store.invoices_for_order(*key)]
            when = store.delivered_at("acme", doc_keys)
            expected[key] = bool(doc_keys) and all(when.get(k) is not None and when[k] < AT for k in doc_keys)
        assert billing.delivered_orders(store.closing_invoices(["received"]), before=AT) == expected == {
            ("acme", "PO-1"): False, ("acme", "PO-2"): True, ("acme", "PO-3"): True, ("acme", "PO-4"): False}
        assert billing.delivered_orders(store.closing_invoices(["received"]), before="2026-11-26T02:30:00") == {
            ("acme", "PO-1"): False, ("acme", "PO-2"): False, ("acme", "PO-3"): False, ("acme", "PO-4"): False}
    finally:
        store.close()
