"""A reseller's PO names its end user's purchase order (REF*EU, beside its own REF*CO customer order: CDW's drop
ship to a hospital): kept with the order (ORDERS end_user_order) and written back on the 856 and 810 where the
partner's order_refs list "EU", after REF*CO; a partner that does not list it gets the documents it got before."""

from __future__ import annotations

import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from engine.asn import build_856
from engine.envelope import envelope_for, joined_body, usual_delimiters
from engine.shipments import confirmed_quantities
from schemas.fulfilment import AsnSettings, InvoiceSettings
from schemas.orders import ADDED_LATER, ORDERS
from tests.shipping_support import PROFILES
from tests.test_fulfilment_chain import NOW
from tests.test_mark_for import orders_of, shipped
from tests.test_order_refs import invoice_of, with_refs

REFS = "REF*EU*4500099817~REF*CO*CDW8812045"


def texts(made, asn: AsnSettings, invoice: InvoiceSettings) -> list[str]:
    d = usual_delimiters(envelope_for(PROFILES["acme"]))
    shipments, confirmed, _orders, _lines = made
    out = [joined_body(build_856(s, asn, created=NOW, expected=confirmed_quantities(confirmed, s.shipment_id)), *d)
           for s in shipments]
    return [*out, joined_body(invoice_of(made, invoice), *d)]


def test_the_end_user_po_is_read_and_echoed_after_the_customer_order():
    orders, _lines = orders_of(with_refs(REFS))
    assert orders.to_pylist()[0]["end_user_order"] == "4500099817"
    made = shipped(with_refs(REFS))
    shipments, confirmed, _orders, _lines = made
    asn = build_856(shipments[0], AsnSettings(order_refs=("CO", "EU")), created=NOW,
                    expected=confirmed_quantities(confirmed, shipments[0].shipment_id))
    invoice = invoice_of(made, InvoiceSettings(order_refs=("EU", "CO")))
    for body in (asn, invoice):
        assert [s for s in body if s[0] == "REF" and s[1] in ("CO", "EU")] == [
            ["REF", "CO", "CDW8812045"], ["REF", "EU", "4500099817"]]
    plain = texts(made, AsnSettings(order_refs=("CO",)), InvoiceSettings(order_refs=("CO",)))
    assert all("REF*EU" not in t and "REF*CO*CDW8812045" in t for t in plain)
    # a partner not listing EU: the documents of the PO without it, byte for byte
    assert plain == texts(shipped(with_refs("REF*CO*CDW8812045")), AsnSettings(order_refs=("CO",)),
                          InvoiceSettings(order_refs=("CO",)))


def test_orders_stored_before_the_column_read_it_as_null(tmp_path):
    orders, lines = orders_of(with_refs(REFS))
    assert "end_user_order" in ADDED_LATER
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["end_user_order"]), path)
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["end_user_order"].null_count == loaded.num_rows
