"""The REFs inside a PO's heading N1 loops are kept with their party (ORDERS.party_refs_sent) and an 810 writes those
its profile asks for in the same party's loop.

A beverage distributor sends its state licence inside its bill-to's loop (N1*BT ... then REF*0B*BEV1600123:
code list 128 0B "State License Number"), and its invoices must name it. Such a REF was read as one of the
order's heading REFs, no party's (it still is: refs_sent, and a REF of an ORDER_REFS qualifier fills its column as
before), so no 810 could put it back in its N1*BT loop. Now [fulfilment.invoice] party_refs lists the qualifiers
written after the N1 (N2, N3, N4) of the PO's bill-to and ship-to; none by default: every other partner's 810 byte
for byte as before. No finding named such a REF before (NOTES_NOT_KEPT quotes a line's REF LT / SE only), nor
does one now."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.order_store import OrderStore
from engine.envelope import envelope_for, joined_body, usual_delimiters
from engine.invoice_heads import heads_810
from schemas.fulfilment import InvoiceSettings
from schemas.orders import ADDED_LATER, ORDERS, PARTY_REF
from schemas.x12 import Delimiters
from tests.shipping_support import PROFILES, wrap_for
from tests.test_mark_for import ACME_PO, DC, accepted, maps, orders_of, shipped  # noqa: F401 (maps: a fixture)
from tests.test_order_refs import invoice_of

BT = "N1*BT*ACME BEVERAGE OF FLORIDA*9*0071234560001~REF*0B*BEV1600123"


def with_parties(segs: str, po: str = "ACME-1000") -> str:
    """acme's demo 850s, ``po``'s ship-to N1 (the DC's) replaced by ``segs`` ("~"-joined, the DC's N1 among them)."""
    at = ACME_PO.index(DC, ACME_PO.index(f"BEG*00*SA*{po}*"))
    se = ACME_PO.index("SE*", at)
    count, rest = ACME_PO[se + 3:].split("*", 1)
    segs = segs.rstrip("~")
    added = segs.count("~")  # segments in the DC's N1's place, less it
    text = ACME_PO[:at] + segs + "~" + ACME_PO[at + len(DC):se]
    return text + f"SE*{int(count) + added}*" + rest


def _first(text: str) -> dict:
    orders, _ = orders_of(text)
    first, *others = orders.to_pylist()
    assert all(o["party_refs_sent"] is None for o in others)
    return first


def test_the_850_keeps_each_n1_loop_s_refs_with_its_party():
    first = _first(with_parties(f"{BT}~REF*GO*FL-AB-1~{DC}REF*DK*DOCK 4~N1*VN*US*92*V77~REF*IA*V77~REF*ZZ"))
    assert first["party_refs_sent"] == [
        {"party": "BT", "qualifier": "0B", "id": "BEV1600123"}, {"party": "BT", "qualifier": "GO", "id": "FL-AB-1"},
        {"party": "ST", "qualifier": "DK", "id": "DOCK 4"}, {"party": "VN", "qualifier": "IA", "id": "V77"}]
    # still heading REFs of the order, as before (the vendor number it states for us among them)
    assert [r["qualifier"] for r in first["refs_sent"]] == ["0B", "GO", "DK", "IA"]
    assert first["vendor_number_sent"] == "V77"


def test_a_heading_ref_before_the_n1_loops_and_a_second_loop_s_refs_are_no_party_s():
    first = _first(with_parties(f"REF*0B*BEFORE~{BT}~N1*BT*OTHER*9*0071234560002~REF*0B*SECOND~{DC}"))
    assert first["bill_to_id"] == "0071234560001"
    assert first["party_refs_sent"] == [{"party": "BT", "qualifier": "0B", "id": "BEV1600123"}]
    assert _first(with_parties(f"REF*0B*BEFORE~{DC}"))["party_refs_sent"] is None


def test_the_810_writes_the_bill_to_s_licence_in_its_loop_when_asked(tmp_path, maps):  # noqa: F811
    made = shipped(with_parties(f"{BT}~N3*1600 NW 163RD ST~N4*MIAMI*FL*33054~{DC}REF*DK*DOCK 4"))
    invoice = invoice_of(made, InvoiceSettings(party_refs=("0B", "DK")))
    at = invoice.index(["N1", "BT", "ACME BEVERAGE OF FLORIDA", "9", "0071234560001"])
    assert [s[0] for s in invoice[at:at + 4]] == ["N1", "N3", "N4", "REF"]
    assert invoice[at + 3] == ["REF", "0B", "BEV1600123"]
    st = [s[:2] for s in invoice].index(["N1", "ST"])
    assert ["REF", "DK", "DOCK 4"] in invoice[st:st + 5]
    assert sum(s[0] == "REF" and s[1] in ("0B", "DK") for s in invoice) == 2
    only_0b = invoice_of(made, InvoiceSettings(party_refs=("0B",)))
    assert ["REF", "DK", "DOCK 4"] not in only_0b and ["REF", "0B", "BEV1600123"] in only_0b
    for doc in (invoice, only_0b):
        accepted(wrap_for(PROFILES["acme"], "IN", "810", [doc]), tmp_path, maps)


def test_a_partner_asking_for_none_gets_the_810_it_got_before():
    d = usual_delimiters(envelope_for(PROFILES["acme"]))
    plain = joined_body(invoice_of(shipped(with_parties(f"N1*BT*ACME BEVERAGE OF FLORIDA*9*0071234560001~{DC}")),
                                   InvoiceSettings()), *d)
    assert joined_body(invoice_of(shipped(with_parties(f"{BT}~{DC}")), InvoiceSettings()), *d) == plain


def _heads(orders: pa.Table, settings: InvoiceSettings):
    return heads_810(orders, po_numbers=["P"], shipment_ids=[""], bills_of_lading=[""], ship_dates=[None],
                     invoice_date=date(2026, 12, 1), pending="#", settings=settings, terms=None, d=Delimiters())


def test_the_columnar_810_heads_leave_a_po_with_party_refs_asked_for_to_the_one_by_one_810():
    orders = pa.table({"bill_to_name": ["B"], "party_refs_sent": pa.array(
        [[{"party": "BT", "qualifier": "0B", "id": "L1"}]], pa.list_(PARTY_REF))})
    assert _heads(orders, InvoiceSettings(party_refs=("0B",))) is None
    assert _heads(orders, InvoiceSettings()) is not None


def test_no_finding_names_a_party_s_ref_kept(tmp_path):
    from tests.retailer_support import inspected

    path = tmp_path / "po.x12"
    plain = path.write_text(ACME_PO) and [(f["code"], f.get("value")) for f in inspected(path)["findings"]]
    path.write_text(with_parties(f"{BT}~{DC}"))
    seen = inspected(path)["findings"]
    assert not [f for f in seen if "BEV1600123" in f["message"]]
    assert [(f["code"], f.get("value")) for f in seen] == plain


def test_orders_stored_before_party_refs_read_them_as_null(tmp_path):
    orders, lines = orders_of(with_parties(f"{BT}~{DC}"))
    assert "party_refs_sent" in ADDED_LATER
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["party_refs_sent"]), path)
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["party_refs_sent"].null_count == loaded.num_rows
