"""The mark-for a PO names (a cross-dock order: N1 ST the distribution centre, N1 BY with the store's
number, or N1 Z7 the mark-for party) is kept with the order and written back as the PO sent it: an N1 in
the 856's order loop (after PRF and REF IA; where the public ediengine Crossdock 856 sample has it) and
in the 810's heading (after N1 ST); both pass our validator, Bots' grammars and pyx12 with our maps. A
PO without one (or naming its buyer without a location code) gets the documents it got before, byte for
byte; a partner can turn it off. Orders stored before the mark-for's columns existed read them as null."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from connectors.order_store import OrderStore
from engine.asn import build_856, mark_for_party
from engine.envelope import envelope_for, joined_body, usual_delimiters
from engine.invoice import build_810, invoices_for_shipment
from engine.shipments import assemble_shipments, confirmed_quantities, number_ssccs, sscc_needs
from parsers.orders_850 import read_orders
from parsers.shipments_csv import read_shipment_csv
from parsers.x12_reader import read_interchanges
from rules.outbound import validate_outbound
from rules.shipments import check_shipments
from schemas.fulfilment import AsnSettings, InvoiceSettings, ShipmentCsvMapping
from schemas.orders import ADDED_LATER, ORDERS
from schemas.shipments import RECORDED_CARTONS, Party
from tests.shipping_support import PROFILES, bots_check, pyx12_map_folders, read_back, wrap_for
from tests.support import REPO
from tests.test_fulfilment_chain import NOW, REF, SHIP_FROM, SHIPMENTS, line_state

ACME_PO = (REPO / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_text()
DC = "N1*ST*Acme Distribution Center*92*DC01~"


def orders_of(text: str):
    result = read_interchanges(text.encode(), file="po.x12")
    assert [f for f in result.findings if f.severity == "error"] == []
    return read_orders(result, list(result.transaction_sets()), partner="acme")


def cross_dock(mark: str, po: str = "ACME-1000") -> str:
    """acme's demo 850s, ``po``'s set naming ``mark`` after its ship-to (the DC)."""
    at = ACME_PO.index(DC, ACME_PO.index(f"BEG*00*SA*{po}*")) + len(DC)
    se = ACME_PO.index("SE*", at)
    count, rest = ACME_PO[se + 3:].split("*", 1)
    return ACME_PO[:at] + mark + "~" + ACME_PO[at:se] + f"SE*{int(count) + 1}*" + rest


def test_a_cross_dock_850_keeps_its_mark_for():
    orders, _ = orders_of(cross_dock("N1*BY*STORE 457*92*0457~N1*Z7*ACME STORE 12*UL*0614141000418"))
    first = orders.to_pylist()[0]
    assert (first["ship_to_id"], first["buyer_name"], first["buyer_id_qualifier"], first["buyer_id"]) == (
        "DC01", "STORE 457", "92", "0457")
    assert (first["mark_for_name"], first["mark_for_id_qualifier"], first["mark_for_id"]) == (
        "ACME STORE 12", "UL", "0614141000418")
    assert all(o["mark_for_id"] is None for o in orders.to_pylist()[1:])
    # the N1 Z7 is the mark-for; without one, an N1 BY with a location code; a buyer's bare name is none
    columns = ("mark_for_name", "mark_for_id_qualifier", "mark_for_id", "buyer_name", "buyer_id_qualifier", "buyer_id")
    assert mark_for_party(*(first[c] for c in columns)) == Party("Z7", "ACME STORE 12", "UL", "0614141000418")
    assert mark_for_party(None, None, None, "STORE 457", "92", "0457") == Party("BY", "STORE 457", "92", "0457")
    assert mark_for_party(None, None, None, None, "9", "0012345670457") == Party("BY", "", "9", "0012345670457")
    assert mark_for_party("JOHN", None, None, "JOHN BUYER", None, None) is None
    assert mark_for_party(None, "92", "", None, "92", None) is None


def shipped(text: str):
    """acme's 850s (``text``) shipped by the demo's confirmation CSV: the shipments and their lines."""
    orders, lines = orders_of(text)
    csv_lines, found = read_shipment_csv((SHIPMENTS / "warehouse-confirmations.csv").read_bytes(),
                                         ShipmentCsvMapping(), file="w.csv")
    assert found == []
    check = check_shipments(csv_lines, line_state(lines), REF.items, RECORDED_CARTONS.empty_table())
    needs = sscc_needs(check.lines)
    ssccs = number_ssccs(needs.cartons + needs.pallets, "0614141", 0, 500)
    shipments = assemble_shipments(check.lines, orders, lines, ship_from=SHIP_FROM, ssccs=ssccs, items=REF.items)
    return shipments, check.lines, orders, lines


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    pytest.importorskip("pyx12.x12n_document")
    return pyx12_map_folders(tmp_path_factory)


def accepted(content: bytes, tmp_path, maps) -> None:
    """Our reader, our validator, Bots' grammars and pyx12 with our maps all take ``content``."""
    from tests.test_pyx12_outbound import pyx12_accepts

    read_back(content)
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors
    ok, ack = pyx12_accepts(content.decode(), maps)
    assert ok, ack[:800]


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
@pytest.mark.parametrize("structure", ["SOPI", "SOTPI", "SOI"])  # (SOIP: a carton of two lines is listed twice)
def test_the_856_and_810_name_the_mark_for_as_the_po_sent_it(partner, structure, tmp_path, maps):
    shipments, confirmed, orders, lines = shipped(cross_dock("N1*BY*STORE 457*92*0457"))
    first = shipments[0]
    assert first.ship_to.id == "DC01" and first.orders[0].po_number == "ACME-1000"
    assert first.orders[0].mark_for == Party("BY", "STORE 457", "92", "0457")
    asn = AsnSettings(structure=structure, vendor_number="V 0042")
    body = build_856(first, asn, created=NOW, expected=confirmed_quantities(confirmed, first.shipment_id))
    at = body.index(["PRF", "ACME-1000", "", "", "20261126"])
    assert body[at + 1: at + 3] == [["REF", "IA", "V 0042"], ["N1", "BY", "STORE 457", "92", "0457"]]
    assert body[at - 1][3] == "O"  # the order's HL, its N1 before its first pack or item
    assert sum(seg[0] == "N1" for seg in body) == 3  # SF, ST and the one order's mark-for
    # the 810 of the shipment's PO: after N1 ST
    order_rows = {o["po_number"]: o for o in orders.to_pylist()}
    line_rows = {(ln["po_number"], ln["line_id"]): ln for ln in lines.to_pylist()}
    prices = {k: v["unit_price"] for k, v in line_rows.items()}
    (inv,) = invoices_for_shipment(first, order_rows, line_rows, prices, numbers={"ACME-1000": "INV-000001"},
                                   invoice_date=date(2026, 11, 28), settings=InvoiceSettings())
    invoice = build_810(inv, InvoiceSettings(), shipped={"1": Decimal(10), "2": Decimal(12)})
    n1s = [seg for seg in invoice if seg[0] == "N1"]
    assert n1s == [["N1", "ST", "Acme Distribution Center", "92", "DC01"], ["N1", "BY", "STORE 457", "92", "0457"]]
    profile = PROFILES[partner]
    accepted(wrap_for(profile, "SH", "856", [body]), tmp_path, maps)
    accepted(wrap_for(profile, "IN", "810", [invoice]), tmp_path, maps)


@pytest.mark.parametrize("structure", ["SOPI", "SOTPI", "SOI"])
def test_a_partner_wanting_it_on_its_cartons_gets_it_after_each_man(structure, tmp_path, maps):
    """AsnSettings.mark_for = "pack": the store-labelled cartons' (and pallets') loops name it, after
    their MAN*GM; the order loop does not (S-O-I, without cartons: the order loop does)."""
    shipments, confirmed, _orders, _lines = shipped(cross_dock("N1*BY*STORE 457*92*0457"))
    first = shipments[0]
    body = build_856(first, AsnSettings(structure=structure, mark_for="pack"), created=NOW,
                     expected=confirmed_quantities(confirmed, first.shipment_id))
    mark = ["N1", "BY", "STORE 457", "92", "0457"]
    after = [body[k - 1][0] for k, seg in enumerate(body) if seg == mark]
    levels = [seg[3] for seg in body if seg[0] == "HL"]
    if structure == "SOI":
        assert after == ["PRF"]
    else:
        assert after == ["MAN"] * (levels.count("P") + levels.count("T")) and len(after) >= 2
    accepted(wrap_for(PROFILES["acme"], "SH", "856", [body]), tmp_path, maps)


def test_a_z7_mark_for_is_written_as_z7():
    shipments, confirmed, _orders, _lines = shipped(cross_dock("N1*BY*BUYING OFFICE*92*B1~N1*Z7**9*0012345670457"))
    body = build_856(shipments[0], AsnSettings(), created=NOW,
                     expected=confirmed_quantities(confirmed, shipments[0].shipment_id))
    assert [seg for seg in body if seg[0] == "N1"][2:] == [["N1", "Z7", "", "9", "0012345670457"]]


def test_a_po_without_a_mark_for_gets_the_documents_it_got_before():
    """Byte for byte: a PO naming no mark-for, or its buyer without a location code, and a partner that
    wants none (mark_for = "none" / false), write exactly the 856 and 810 of the PO as it was."""
    d = usual_delimiters(envelope_for(PROFILES["acme"]))
    plain = shipped(ACME_PO)
    named = shipped(cross_dock("N1*BY*JOHN BUYER"))
    marked = shipped(cross_dock("N1*BY*STORE 457*92*0457"))

    def texts(made, asn: AsnSettings, invoice: InvoiceSettings) -> list[str]:
        shipments, confirmed, orders, lines = made
        out = []
        for s in shipments:
            out.append(joined_body(build_856(s, asn, created=NOW, expected=confirmed_quantities(
                confirmed, s.shipment_id)), *d))
        order_rows = {o["po_number"]: o for o in orders.to_pylist()}
        line_rows = {(ln["po_number"], ln["line_id"]): ln for ln in lines.to_pylist()}
        prices = {k: v["unit_price"] for k, v in line_rows.items()}
        (inv,) = invoices_for_shipment(shipments[0], order_rows, line_rows, prices, numbers={"ACME-1000": "I-1"},
                                       invoice_date=date(2026, 11, 28), settings=invoice)
        out.append(joined_body(build_810(inv, invoice, shipped={"1": Decimal(10), "2": Decimal(12)}), *d))
        return out

    before = texts(plain, AsnSettings(), InvoiceSettings())
    assert texts(named, AsnSettings(), InvoiceSettings()) == before
    assert texts(marked, AsnSettings(mark_for="none"), InvoiceSettings(mark_for=False)) == before
    assert texts(marked, AsnSettings(), InvoiceSettings()) != before


def test_orders_stored_before_the_mark_for_columns_read_them_as_null(tmp_path):
    orders, lines = orders_of(cross_dock("N1*Z7*ACME STORE 12*UL*0614141000418"))
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    old = pq.read_table(path)
    pq.write_table(old.drop_columns(sorted(ADDED_LATER)), path)  # as a table stored before the columns came
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["mark_for_id"].null_count == loaded.num_rows
    assert loaded.drop_columns(sorted(ADDED_LATER)).equals(orders.drop_columns(sorted(ADDED_LATER)))
    got, _ = store.load_columns("acme", "old", ["po_number", "mark_for_id", "buyer_id"], ["po_number"])
    assert got["mark_for_id"].to_pylist() == [None] * orders.num_rows
    assert store.load_orders("acme", "old", ["mark_for_name"]).column("mark_for_name").null_count == orders.num_rows
    with pytest.raises(Exception, match="missing or unreadable"):  # any other column missing is still an error
        pq.write_table(old.drop_columns(["currency"]), path)
        store.load_columns("acme", "old", ["po_number", "currency"], ["po_number"])


def test_a_cross_dock_po_gets_its_mark_for_through_the_night(tmp_path, maps):
    """The stages as the night runs them (intake, decide, ship, invoice, deliver): the 856 and 810 acme
    is sent for its cross-dock PO name the store; its other POs' documents name none."""
    from datetime import datetime

    from tests.support import deliver_all, drop_confirmations, run_stages, ship_stages, shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    po.write_text(cross_dock("N1*BY*STORE 457*92*0457", "ACME-1001"))  # the PO the demo's day 1 ships
    night, day = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
    run_stages(ws, night)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, day, run_id="day1")
    deliver_all(ws, day)
    sent: dict[str, list] = {}
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-8*.x12")):
        sent.setdefault(path.name.split("-")[1], []).append(path)
    assert {"856", "810"} <= set(sent)
    for path in sent["856"] + sent["810"]:
        accepted(path.read_bytes(), tmp_path, maps)
    text = {kind: "".join(p.read_text() for p in paths) for kind, paths in sent.items()}
    assert text["856"].count("~\nN1*BY*STORE 457*92*0457~\n") == 1  # ACME-1001's order loop only
    assert text["810"].count("~\nN1*BY*STORE 457*92*0457~\n") == 1  # its invoice only
    assert text["856"].count("\nN1*") == 2 * text["856"].count("\nBSN*") + 1  # SF and ST of each, and the one
