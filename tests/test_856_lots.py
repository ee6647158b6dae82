"""Lots and expiry on the 856 ([fulfilment.asn] lots): drugs and medical devices ship by lot. The HDA 856
guideline (McKesson, Cardinal Health, AmerisourceBergen) carries each item's lot as a LIN pair LT and its
expiry as DTM*036 in the item loop; other guides want REF*LT. The warehouse confirms them per row (CSV Lot
Number / Expiration Date); a carton holding a line from two lots is two rows, one item loop per lot (it was
held as SHIPMENT_LINE_DUPLICATE). The default writes no lot: today's 856s unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.asn import build_856
from parsers.shipments_csv import read_shipment_csv
from rules.outbound import validate_outbound
from schemas.fulfilment import AsnSettings, ShipmentCsvMapping
from schemas.shipments import Pack, ProductId, Shipment, ShippedItem, ShippedOrder
from tests.shipping_support import NOW, PROFILES, SHIP_FROM, SHIP_TO, bots_check, sscc, wrap_for


def _item(qty: int, lot: str = "", expires: date | None = None, line: str = "1") -> ShippedItem:
    return ShippedItem(line_id=line, quantity=Decimal(qty), unit="EA",
                       product_ids=(ProductId("N4", "00093715601"), ProductId("UK", "00300937156017")),
                       sku="SKU-RX01", ordered_quantity=Decimal(36), description="ATORVASTATIN 20MG TB 90",
                       lot_number=lot, expiration_date=expires)


def _shipment(*items: ShippedItem, structure_items: bool = False) -> Shipment:
    order = ShippedOrder("0113-7745120", date(2026, 11, 30), packs=(Pack(sscc(41), items, "C-7101"),))
    if structure_items:  # S-O-I: the items without their carton
        order = ShippedOrder("0113-7745120", date(2026, 11, 30), loose_items=items)
    return Shipment("SHP-7002", date(2026, 12, 1), SHIP_FROM, SHIP_TO, (order,), carrier_scac="UPSN", partner="acme")


TWO_LOTS = (_item(24, "A23K117", date(2028, 6, 30)), _item(12, "A24B002", date(2028, 11, 30)))


def _items(body: list) -> list[list]:
    """The item loops' segments (from each HL*I to the next HL or CTT)."""
    out, inside = [], False
    for seg in body:
        if seg[0] in ("HL", "CTT"):
            inside = seg[0] == "HL" and seg[3] == "I"
            if inside:
                out.append([])
            continue
        if inside:
            out[-1].append(seg)
    return out


def test_lin_writes_each_lot_as_a_pair_and_its_expiry_as_dtm_036(tmp_path):
    body = build_856(_shipment(*TWO_LOTS), AsnSettings(lots="lin", lin_qualifiers=("N4", "UK")), created=NOW,
                     expected={("0113-7745120", "1"): Decimal(36)})
    assert _items(body) == [
        [["LIN", "1", "N4", "00093715601", "UK", "00300937156017", "LT", "A23K117"],
         ["SN1", "", "24", "EA", "", "36", "EA"], ["PID", "F", "", "", "", "ATORVASTATIN 20MG TB 90"],
         ["DTM", "036", "20280630"]],
        [["LIN", "1", "N4", "00093715601", "UK", "00300937156017", "LT", "A24B002"],
         ["SN1", "", "12", "EA", "", "36", "EA"], ["PID", "F", "", "", "", "ATORVASTATIN 20MG TB 90"],
         ["DTM", "036", "20281130"]]]
    for partner in ("acme", "globex"):  # 004010 and 005010: our validator and Bots' grammars take it
        content = wrap_for(PROFILES[partner], "SH", "856", [body])
        assert [f for f in validate_outbound(content) if f.severity == "error"] == []
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors


def test_ref_writes_the_lot_as_ref_lt_after_pid_and_a_lot_without_expiry_has_no_dtm(tmp_path):
    items = (_item(24, "A23K117", date(2028, 6, 30)), _item(12, "FC-88123"))
    body = build_856(_shipment(*items), AsnSettings(lots="ref", lin_qualifiers=("N4",)), created=NOW,
                     expected={("0113-7745120", "1"): Decimal(36)})
    loops = _items(body)
    assert [seg for seg in loops[0] if seg[0] in ("LIN", "REF", "DTM")] == [
        ["LIN", "1", "N4", "00093715601", "UK", "00300937156017"], ["REF", "LT", "A23K117"], ["DTM", "036", "20280630"]]
    assert [seg[0] for seg in loops[1]] == ["LIN", "SN1", "PID", "REF"]
    content = wrap_for(PROFILES["acme"], "SH", "856", [body])
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_without_lots_asked_the_856_names_no_lot():
    body = build_856(_shipment(*TWO_LOTS), AsnSettings(lin_qualifiers=("N4", "UK")), created=NOW,
                     expected={("0113-7745120", "1"): Decimal(36)})
    assert not any(seg[0] == "DTM" and seg[1] == "036" for seg in body)
    assert not any("LT" in seg for seg in body if seg[0] in ("LIN", "REF"))


def test_s_o_i_sums_a_line_per_lot():
    """S-O-I sums a line's units over the shipment: per lot now. (S-O-I-P lists each carton under each item: a
    carton holding two lots of a line would be listed twice, which the self-check refuses, as it refuses a carton
    of two lines there.)"""
    items = (*TWO_LOTS, _item(6, "A23K117", date(2028, 6, 30)))
    shipment = _shipment(*items, structure_items=True)
    body = build_856(shipment, AsnSettings(structure="SOI", lots="lin", lin_qualifiers=("N4",)), created=NOW,
                     expected={("0113-7745120", "1"): Decimal(42)})
    lins = [(seg[1], seg[-1]) for seg in body if seg[0] == "LIN"]
    assert lins == [("1", "A23K117"), ("1", "A24B002")]  # line 1 once per lot, its lot's units summed
    assert [seg[2] for seg in body if seg[0] == "SN1"] == ["30", "12"]


def _lots_csv(*expiries: str, lots: tuple[str, ...] = ("A23K117", "A24B002", "", "M0921B")) -> bytes:
    """A confirmation (dates %m/%d/%Y) of PO-1's lines 1 (two lots), 2 and 3, each row's lot expiring as given."""
    rows = (("1", "SKU-RX01", "24"), ("1", "SKU-RX01", "12"), ("2", "SKU-RX03", "20"), ("3", "SKU-RX02", "1"))
    head = "Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Unit,Carton ID,Lot Number,Expiration Date\n"
    return (head + "".join(f"S1,12/01/2026,PO-1,{line},{sku},{qty},EA,C1,{lot},{expires}\n"
                           for (line, sku, qty), lot, expires in zip(rows, lots, expiries, strict=True))).encode()


def test_the_csv_reads_each_rows_lot_and_expiry_in_the_files_date_format():
    csv = _lots_csv("06/30/2028", "11/30/2028", "", "2028-13-01")
    lines, found = read_shipment_csv(csv, ShipmentCsvMapping(date_format="%m/%d/%Y"), file="w.csv")
    assert lines["lot_number"].to_pylist() == ["A23K117", "A24B002", None]
    assert lines["expiration_date"].to_pylist() == [date(2028, 6, 30), date(2028, 11, 30), None]
    assert [(f.code, f.location.row) for f in found] == [("CSV_DATE_INVALID", 5)]  # an expiry it cannot read


def test_a_lot_expiry_given_as_its_month_is_the_months_last_day_and_holds_nothing():
    """WMSs export a lot's expiry as YYYY-MM; GS1's AI 17 writes day 00 for "the month's end". Read as the month's
    last day (leap years counted), the GS1 reading, and stated so by the 856's DTM*036 (DTM02 is a full date). A
    month-only expiry used to be CSV_DATE_INVALID: its row left out, the whole shipment held."""
    csv = _lots_csv("2028-07", "02/2028", "02/00/2027", "13/2028", lots=("A23K117", "A24B002", "B1", "M0921B"))
    lines, found = read_shipment_csv(csv, ShipmentCsvMapping(date_format="%m/%d/%Y"), file="w.csv")
    assert lines["expiration_date"].to_pylist() == [date(2028, 7, 31), date(2028, 2, 29), date(2027, 2, 28)]
    assert [(f.code, f.location.row) for f in found] == [("CSV_DATE_INVALID", 5)]  # month 13 is still no date
    gs1 = ("Shipment ID,Ship Date,PO Number,SKU,Quantity,Lot Number,Expiration Date\n"
           "S1,261201,PO-1,SKU-RX01,24,A23K117,280700\nS1,261201,PO-1,SKU-RX02,2,A9,280615\n")
    lines, found = read_shipment_csv(gs1.encode(), ShipmentCsvMapping(date_format="%y%m%d"), file="w.csv")
    assert (lines["expiration_date"].to_pylist(), found) == ([date(2028, 7, 31), date(2028, 6, 15)], [])
    body = build_856(_shipment(_item(24, "A23K117", lines["expiration_date"][0].as_py())), AsnSettings(lots="lin"),
                     created=NOW, expected={("0113-7745120", "1"): Decimal(24)})
    assert ["DTM", "036", "20280731"] in _items(body)[0]
