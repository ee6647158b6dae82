"""The references a PO's heading carries (REF*DP department number, REF*PD promotion/deal, REF*MR merchandise
type) are kept with the order and written back as the PO sent them: a REF in the 856's order loop (after PRF
and REF IA) and in the 810's heading (after REF SI/BM/IA), so the retailer's systems can match them (its 856
and 810 guides ask for the department its 850 named). Which ones a partner gets is its profile's
order_refs (default DP). A PO without them gets the documents it got before, byte for byte; all pass our
validator, Bots' grammars and pyx12 with our maps. Orders stored before the columns existed read them as null."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from connectors.order_store import OrderStore
from engine.asn import build_856, order_refs
from engine.envelope import envelope_for, joined_body, usual_delimiters
from engine.invoice import build_810, invoices_for_shipment
from engine.shipments import confirmed_quantities
from schemas.fulfilment import AsnSettings, InvoiceSettings
from schemas.orders import ADDED_LATER, ORDERS
from tests.shipping_support import PROFILES, wrap_for
from tests.test_fulfilment_chain import NOW
from tests.test_mark_for import ACME_PO, accepted, maps, orders_of, shipped  # noqa: F401 (maps: a fixture)

BEG = "BEG*00*SA*ACME-1000**20261126~"


def with_refs(refs: str, po: str = "ACME-1000") -> str:
    """acme's demo 850s, ``po``'s set with ``refs`` (segments, "~"-joined) after its BEG."""
    beg = f"BEG*00*SA*{po}**20261126~"
    at = ACME_PO.index(beg) + len(beg)
    se = ACME_PO.index("SE*", at)
    count, rest = ACME_PO[se + 3:].split("*", 1)
    added = refs.count("~") + 1
    return ACME_PO[:at] + refs + "~" + ACME_PO[at:se] + f"SE*{int(count) + added}*" + rest


def test_the_850_keeps_the_first_department_promotion_and_merchandise_type_of_its_heading():
    text = with_refs("REF*DP*042~REF*DP*043~REF*IA*999~REF*MR**NO NUMBER~REF*PD*PROMO 7")
    at = text.index("PO1*1*10*EA")  # a line's own REF is not the order's
    text = text[:at] + text[at:].replace("PID*F****Copy paper A4~", "PID*F****Copy paper A4~REF*DP*LINE~", 1)
    text = text.replace("SE*19*0001", "SE*20*0001")
    orders, _ = orders_of(text)
    first, *others = orders.to_pylist()
    assert (first["department"], first["promotion"], first["merchandise_type"]) == ("042", "PROMO 7", None)
    assert all(o[c] is None for o in others for c in ("department", "promotion", "merchandise_type"))
    # every reference of ORDER_REFS the PO sent, REF*IA (the vendor number it states for us) first, the second
    # REF*DP after the first (tests.test_heading_refs_of_one_qualifier); REF*MR by its REF03 alone (no merchandise
    # type number) as sent, REF02 empty (tests.test_order_ref_descriptions)
    assert order_refs(orders)[:2] == [(("IA", "999"), ("DP", "042"), ("DP", "043"), ("PD", "PROMO 7"),
                                       ("MR", "", "NO NUMBER")), ()]
    # a table stored before those columns (and refs_sent, kept later still) reads none
    assert order_refs(orders.drop_columns(["vendor_number_sent", "department", "promotion", "merchandise_type",
                                           "ref_descriptions", "refs_sent"])) == [()] * orders.num_rows


def invoice_of(made, settings: InvoiceSettings, terms=None):
    shipments, _confirmed, orders, lines = made
    order_rows = {o["po_number"]: o for o in orders.to_pylist()}
    line_rows = {(ln["po_number"], ln["line_id"]): ln for ln in lines.to_pylist()}
    prices = {k: v["unit_price"] for k, v in line_rows.items()}
    (inv,) = invoices_for_shipment(shipments[0], order_rows, line_rows, prices, numbers={"ACME-1000": "INV-000001"},
                                   invoice_date=date(2026, 11, 28), settings=settings, terms=terms)
    return build_810(inv, settings, shipped={"1": Decimal(10), "2": Decimal(12)})


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
@pytest.mark.parametrize("structure", ["SOPI", "SOTPI", "SOI"])  # (SOIP: a carton of two lines is listed twice)
def test_the_856_and_810_carry_back_the_department_the_po_named(partner, structure, tmp_path, maps):  # noqa: F811
    made = shipped(with_refs("REF*DP*042~REF*MR*0020"))
    shipments, confirmed, _orders, _lines = made
    first = shipments[0]
    assert first.orders[0].po_number == "ACME-1000" and first.orders[0].refs == (("DP", "042"), ("MR", "0020"))
    body = build_856(first, AsnSettings(structure=structure, vendor_number="V 0042"), created=NOW,
                     expected=confirmed_quantities(confirmed, first.shipment_id))
    at = body.index(["PRF", "ACME-1000", "", "", "20261126"])
    assert body[at + 1: at + 3] == [["REF", "IA", "V 0042"], ["REF", "DP", "042"]]  # MR: not by default
    assert body[at + 3][0] == "HL"
    assert sum(seg[:2] == ["REF", "DP"] for seg in body) == 1  # only the order that named one
    invoice = invoice_of(made, InvoiceSettings(vendor_number="V 0042"))
    refs = [seg for seg in invoice if seg[0] == "REF"]
    assert refs[-2:] == [["REF", "IA", "V 0042"], ["REF", "DP", "042"]]
    assert invoice[invoice.index(["REF", "DP", "042"]) + 1][0] == "N1"
    profile = PROFILES[partner]
    accepted(wrap_for(profile, "SH", "856", [body]), tmp_path, maps)
    accepted(wrap_for(profile, "IN", "810", [invoice]), tmp_path, maps)


def test_a_partner_asking_for_promotion_and_merchandise_type_gets_them_in_order(tmp_path, maps):  # noqa: F811
    made = shipped(with_refs("REF*MR*0020~REF*PD*PROMO 7~REF*DP*042"))
    shipments, confirmed, _orders, _lines = made
    everything = ("MR", "DP", "PD")
    body = build_856(shipments[0], AsnSettings(order_refs=everything), created=NOW,
                     expected=confirmed_quantities(confirmed, shipments[0].shipment_id))
    want = [["REF", "DP", "042"], ["REF", "PD", "PROMO 7"], ["REF", "MR", "0020"]]
    at = [seg[0] for seg in body].index("PRF")
    assert body[at + 1: at + 4] == want
    invoice = invoice_of(made, InvoiceSettings(order_refs=everything))
    assert [seg for seg in invoice if seg[0] == "REF"][-3:] == want
    accepted(wrap_for(PROFILES["acme"], "SH", "856", [body]), tmp_path, maps)
    accepted(wrap_for(PROFILES["acme"], "IN", "810", [invoice]), tmp_path, maps)
    only_mr = build_856(shipments[0], AsnSettings(order_refs=("MR",)), created=NOW,
                        expected=confirmed_quantities(confirmed, shipments[0].shipment_id))
    assert [seg for seg in only_mr if seg[0] == "REF" and seg[1] in ("DP", "PD", "MR")] == [["REF", "MR", "0020"]]


def test_a_po_without_references_gets_the_documents_it_got_before():
    """Byte for byte: a PO naming no DP/PD/MR (or only other REFs), and a partner that wants none
    (order_refs = ()), write exactly the 856 and 810 of the PO as it was."""
    d = usual_delimiters(envelope_for(PROFILES["acme"]))

    def texts(made, asn: AsnSettings, invoice: InvoiceSettings) -> list[str]:
        shipments, confirmed, _orders, _lines = made
        out = [joined_body(build_856(s, asn, created=NOW, expected=confirmed_quantities(confirmed, s.shipment_id)), *d)
               for s in shipments]
        return [*out, joined_body(invoice_of(made, invoice), *d)]

    before = texts(shipped(ACME_PO), AsnSettings(), InvoiceSettings())
    assert texts(shipped(with_refs("REF*IA*999~REF*DP")), AsnSettings(), InvoiceSettings()) == before
    dept = shipped(with_refs("REF*DP*042"))
    assert texts(dept, AsnSettings(order_refs=()), InvoiceSettings(order_refs=())) == before
    assert texts(dept, AsnSettings(), InvoiceSettings()) != before


def test_orders_stored_before_the_reference_columns_read_them_as_null(tmp_path):
    orders, lines = orders_of(with_refs("REF*DP*042"))
    assert {"department", "promotion", "merchandise_type"} <= ADDED_LATER
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["department", "promotion", "merchandise_type"]), path)
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["department"].null_count == loaded.num_rows
    got, _ = store.load_columns("acme", "old", ["po_number", "department"], ["po_number"])
    assert got["department"].to_pylist() == [None] * orders.num_rows
