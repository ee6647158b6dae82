"""Serial numbers on the 856 ([fulfilment.asn] serial_numbers): IT distributors' drop-ship programmes (Ingram Micro,
TD SYNNEX, D&H) want the serial of every serialised unit shipped, as a REF*SE in its item loop. The warehouse scans
them into its confirmation (CSV Serial Numbers: the row's units' serials, separated by blanks, commas, semicolons
or |). Before, no profile could ask for them and the column was not read: the 856 went without, and the
distributor refused it. The default writes none: other partners' 856s unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.asn import build_856
from parsers.shipments_csv import read_shipment_csv
from rules.outbound import validate_outbound
from schemas.fulfilment import AsnSettings, ShipmentCsvMapping
from schemas.shipments import Pack, ProductId, Shipment, ShippedItem, ShippedOrder
from tests.shipping_support import NOW, PROFILES, SHIP_FROM, SHIP_TO, bots_check, sscc, wrap_for


def _item(qty: int, serials: tuple[str, ...] = (), line: str = "1") -> ShippedItem:
    return ShippedItem(line_id=line, quantity=Decimal(qty), unit="EA",
                       product_ids=(ProductId("VP", "VP-1028"), ProductId("BP", "4KX1190")), sku="SKU-1028",
                       description="CALCULATOR 12-DIGIT", serial_numbers=serials)


def _shipment(*packs: tuple[ShippedItem, ...], loose: bool = False) -> Shipment:
    if loose:  # S-O-I: the items without their cartons
        order = ShippedOrder("4Z118820300", date(2026, 11, 25), loose_items=tuple(i for p in packs for i in p))
    else:
        order = ShippedOrder("4Z118820300", date(2026, 11, 25),
                             packs=tuple(Pack(sscc(50 + k), items, f"C-{k}") for k, items in enumerate(packs)))
    return Shipment("IM-SHP-09", date(2026, 11, 27), SHIP_FROM, SHIP_TO, (order,), carrier_scac="UPSN",
                    partner="acme")


def _refs(body: list) -> list[list[str]]:
    return [seg for seg in body if seg[0] == "REF" and seg[1] == "SE"]


def test_each_units_serial_is_a_ref_se_in_its_item_loop_after_pid(tmp_path):
    body = build_856(_shipment((_item(2, ("CX-01", "CX-02")),), (_item(1, ("CX-03",)),)),
                     AsnSettings(serial_numbers=True, lin_qualifiers=("VP", "BP")), created=NOW,
                     expected={("4Z118820300", "1"): Decimal(3)})
    at = [k for k, seg in enumerate(body) if seg[0] == "PID"]
    assert body[at[0] + 1: at[0] + 3] == [["REF", "SE", "CX-01"], ["REF", "SE", "CX-02"]]
    assert body[at[1] + 1] == ["REF", "SE", "CX-03"]
    for partner in ("acme", "globex"):  # 004010 and 005010: our validator and Bots' grammars take it
        content = wrap_for(PROFILES[partner], "SH", "856", [body])
        assert [f for f in validate_outbound(content) if f.severity == "error"] == []
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors


def test_s_o_i_lists_a_lines_serials_over_its_cartons_and_without_the_setting_none_is_written():
    shipment = _shipment((_item(2, ("CX-01", "CX-02")),), (_item(1, ("CX-03",)),), loose=True)
    body = build_856(shipment, AsnSettings(structure="SOI", serial_numbers=True), created=NOW,
                     expected={("4Z118820300", "1"): Decimal(3)})
    assert [seg[2] for seg in body if seg[0] == "SN1"] == ["3"]
    assert _refs(body) == [["REF", "SE", "CX-01"], ["REF", "SE", "CX-02"], ["REF", "SE", "CX-03"]]
    assert _refs(build_856(shipment, AsnSettings(structure="SOI"), created=NOW,
                           expected={("4Z118820300", "1"): Decimal(3)})) == []


def test_the_csv_reads_a_rows_serials_whatever_separates_them():
    csv = ("Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,Serial Numbers\n"
           'S1,2026-11-27,PO-1,1,SKU-1028,3,EA,C1,"CX-01, CX-02;CX-03"\n'
           "S1,2026-11-27,PO-1,2,SKU-1026,2,EA,C1,\n"
           "S1,2026-11-27,PO-1,3,SKU-1021,2,EA,C1,TD-9|TD-10\n")
    lines, found = read_shipment_csv(csv.encode(), ShipmentCsvMapping(), file="w.csv")
    assert lines["serial_numbers"].to_pylist() == ["CX-01 CX-02 CX-03", None, "TD-9 TD-10"]
    assert found == []
