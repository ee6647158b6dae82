"""Shipment confirmation readers: the warehouse CSV and the 3PL's 945 land in the same SHIPMENT_LINES
table with lineage; bad rows and segments are findings at their row and column or segment."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from parsers.shipments_csv import read_shipment_csv
from parsers.warehouse_945 import read_945
from parsers.x12_reader import read_interchanges
from schemas.fulfilment import ShipmentCsvMapping
from schemas.shipments import SHIPMENT_LINES
from tests.support import REPO, corpus_dir

SAMPLES = REPO / "sample_files" / "shipments"
HEADER = "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity," \
         "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"


def read_csv(text: str | bytes, **mapping):
    data = text.encode() if isinstance(text, str) else text
    return read_shipment_csv(data, ShipmentCsvMapping(**mapping), file="conf.csv", source_sha256="abc")


def read_x12(data: bytes):
    result = read_interchanges(data, file="in.945")
    return read_945(result, [s for s in result.transaction_sets() if s[2].set_id == "945"], source_sha256="def")


def test_csv_sample_reads_cleanly_with_lineage():
    table, findings = read_csv((SAMPLES / "warehouse-confirmations.csv").read_bytes())
    assert findings == [] and table.schema == SHIPMENT_LINES and table.num_rows == 4
    first, last = table.to_pylist()[0], table.to_pylist()[-1]
    assert (first["shipment_id"], first["ship_date"], first["ship_time"], first["carrier_scac"]) == \
        ("SHP-1001", date(2026, 11, 28), time(13, 45), "UPSN")
    assert (first["po_number"], first["line_id"], first["sku"], first["quantity"], first["unit"]) == \
        ("ACME-1000", "1", "SKU-1001", Decimal(6), "EA")
    assert (first["carton_id"], first["carton_sscc"], first["carton_weight"], first["weight_unit"]) == \
        ("C-0001", None, Decimal("12.5"), "LB")
    assert (first["source_kind"], first["source_file"], first["source_sha256"], first["row_number"],
            first["isa13"], first["gs06"], first["st02"]) == ("csv", "conf.csv", "abc", 2, "CSV", "", "")
    # a carton labelled with an SSCC by the warehouse keeps it; kg normalised; quoted blanks kept
    assert (last["carton_sscc"], last["weight_unit"], last["tracking_number"], last["pallet_id"]) == \
        ("106141410000000019", "KG", "7712 3456 7890", "PAL-01")
    assert last["carrier_scac"] == "FDEG" and last["service_level"] is None


def test_csv_bad_rows_are_findings_at_row_and_column():
    table, findings = read_csv((SAMPLES / "warehouse-confirmations-bad.csv").read_bytes())
    assert table.num_rows == 0
    got = [(f.code, f.location.row, f.location.column, f.location.value) for f in findings]
    assert got == [("CSV_NUMBER_INVALID", 2, "Quantity", "two"), ("CSV_DATE_INVALID", 2, "Ship Date", "2026-11-31"),
                   ("SHIPMENT_ID_MISSING", 3, "Shipment ID", None), ("CSV_ROW_MALFORMED", 4, "", None)]
    assert all(f.location.file == "conf.csv" for f in findings)


def test_csv_missing_column_stops_the_file():
    table, findings = read_csv(HEADER.replace("Quantity,", "Qty,") + "S,2026-11-28,,,,,,PO,1,SKU,1,EA,C,,,\n")
    assert table.num_rows == 0 and [(f.code, f.location.column) for f in findings] == [("CSV_COLUMN_MISSING",
                                                                                      "Quantity")]


def test_csv_layout_decimal_comma_semicolons_latin1_and_bom():
    text = ("\ufeffSHIPMENT ID;Ship Date;PO Number;PO Line;SKU;Quantity;Carton ID;Carton Weight;Weight Unit\n"
            "S-1;28.11.2026;PO-Ä;1;SKU-1;1.234,5;C1;\"2,75\";K\n")
    mapping = dict(delimiter=";", decimal_separator=",", thousands_separator=".", date_format="%d.%m.%Y")
    table, findings = read_csv(text.encode("utf-8"), **mapping)
    assert findings == []
    row = table.to_pylist()[0]
    assert (row["po_number"], row["quantity"], row["carton_weight"], row["weight_unit"], row["ship_date"]) == \
        ("PO-Ä", Decimal("1234.5"), Decimal("2.75"), "KG", date(2026, 11, 28))
    latin = text.replace("\ufeff", "").encode("latin-1")
    table, findings = read_csv(latin, encoding="latin-1", **mapping)
    assert findings == [] and table.to_pylist()[0]["po_number"] == "PO-Ä"
    # latin-1 bytes under a UTF-8 layout: read as Windows-1252 with a warning (csvreal; it was CSV_NOT_DECODABLE);
    # a byte neither UTF-8 nor Windows-1252 (0x81) refused
    table, findings = read_csv(latin, **mapping)
    assert [f.code for f in findings] == ["CSV_NOT_UTF8"] and table.to_pylist()[0]["po_number"] == "PO-Ä"
    _table, findings = read_csv(latin.replace(b"\xc4", b"\x81"), **mapping)
    assert [f.code for f in findings] == ["CSV_NOT_DECODABLE"]


def test_csv_unterminated_quote_and_empty_file():
    _t, findings = read_csv(HEADER + 'S,2026-11-28,,,,,,PO,1,SKU,1,EA,"C1\n')
    assert [f.code for f in findings] == ["CSV_ROW_MALFORMED"]
    _t, findings = read_csv(b"")
    assert [f.code for f in findings] == ["CSV_NO_HEADER"]


def test_945_sample_reads_into_the_same_table():
    table, findings = read_x12((SAMPLES / "3pl-945.x12").read_bytes())
    assert findings == [] and table.schema == SHIPMENT_LINES
    rows = table.to_pylist()
    assert [(r["line_id"], r["sku"], r["quantity"], r["carton_sscc"]) for r in rows] == [
        ("4", "VP-1002", Decimal(10), "106141410000000026"), ("5", "VP-1004", Decimal(48), "106141410000000026"),
        (None, "VP-1012", Decimal(6), "106141410000000033")]
    r = rows[0]
    assert (r["shipment_id"], r["po_number"], r["ship_date"], r["ship_time"], r["carrier_scac"], r["service_level"],
            r["bill_of_lading"]) == ("SHP-2001", "ACME-1001", date(2026, 11, 28), time(14, 22), "ODFL",
                                     "LTL STANDARD", "BOL-9001")
    assert (r["source_kind"], r["isa13"], r["gs06"], r["st02"], r["segment_position"], r["file_segment"]) == \
        ("945", "000000451", "451", "0001", 10, 12)
    assert rows[1]["upc"] == "614141100316" and rows[2]["tracking_number"] == "1Z999AA10123456791"
    # carton weight = the sum of its W12 weights; a carton without weights has none
    assert (rows[0]["carton_weight"], rows[0]["weight_unit"], rows[2]["carton_weight"]) == \
        (Decimal("9.5"), "LB", Decimal(3))


def test_945_problems_are_findings_at_the_segment():
    data = (SAMPLES / "3pl-945.x12").read_bytes()
    bad = (data.replace(b"W06*F*DO-77001*20261128*SHP-2001**ACME-1001", b"W06*F**20261128")
           .replace(b"W03*64", b"W03*65").replace(b"W12*CC*6*6**", b"W12*CC*6*x**")
           .replace(b"00106141410000000026", b"00106141410000000027"))
    table, findings = read_x12(bad)
    got = {(f.code, f.location.segment_id, f.location.element) for f in findings}
    assert got == {("SHIPMENT_SSCC_INVALID", "MAN", "MAN02"), ("SHIPMENT_945_QUANTITY_MISSING", "W12", "W1203"),
                   ("SHIPMENT_ID_MISSING", "W06", "W0604"), ("SHIPMENT_PO_MISSING", "W06", "W0606"),
                   ("SHIPMENT_945_TOTALS_MISMATCH", "W03", "W0301")}
    assert table.num_rows == 0  # no shipment id, no PO: nothing to record
    assert all(f.location.st02 == "0001" and f.location.isa13 == "000000451" for f in findings)


@pytest.mark.corpus
def test_corpus_945_is_read_without_crashing():
    data = (corpus_dir() / "x12" / "945" / "oopfactory__inter-americanproducts.txt").read_bytes()
    table, findings = read_x12(data)
    # the sample names no PO (W0602/W0606 empty, no N9 PO): reported, nothing recorded
    assert "SHIPMENT_PO_MISSING" in {f.code for f in findings} and table.num_rows == 0


def test_csv_findings_show_row_and_column_in_the_ops_report():
    from engine.report_failures import failure_rows

    _table, findings = read_csv((SAMPLES / "warehouse-confirmations-bad.csv").read_bytes())
    rows = failure_rows(findings, file_partners={"conf.csv": "warehouse"})
    assert [(r["segment"], r["element"], r["code"]) for r in rows][:2] == [
        ("row 2", "Quantity", "CSV_NUMBER_INVALID"), ("row 2", "Ship Date", "CSV_DATE_INVALID")]


def _945(*segments: str) -> bytes:
    body = ["ST*945*0001", *segments, f"SE*{len(segments) + 2}*0001"]
    return ("ISA*00*          *00*          *ZZ*NORTH3PL       *ZZ*ORDERBRIDGE    *261128*1500*U*00401*000000701*0*P*>~"
            "GS*SW*NORTH3PL*ORDERBRIDGE*20261128*1500*701*X*004010~" + "~".join(body) + "~GE*1*701~IEA*1*000000701~"
            ).encode()


@pytest.mark.parametrize("dates", [("G62*11*20261128*8*1410", "G62*10*20261125"),
                                   ("G62*10*20261125", "G62*11*20261128*8*1410")])
def test_945_the_actual_ship_date_wins_over_the_requested_one_in_any_order(dates):
    """G62 11 (shipped on this date) is the ship date; G62 10 (requested ship date) only stands in for a
    missing W0603 (small 3PLs send it as their ship date). Before: the last G62 won, a requested date
    written after the actual one became the ship date."""
    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", *dates, "LX*1", "W12*CC*2*2**EA**VN*VP-1",
                                    "N9*LI*1"))
    assert findings == [] and table.column("ship_date").to_pylist() == [date(2026, 11, 28)]
    assert table.column("ship_time").to_pylist() == [time(14, 10)]
    only_10, _ = read_x12(_945("W06*N*DO-1**SHP-1**PO-1", "G62*10*20261127", "LX*1", "W12*CC*2*2**EA**VN*VP-1"))
    assert only_10.column("ship_date").to_pylist() == [date(2026, 11, 27)]
    w06_first, _ = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "G62*10*20261125", "LX*1",
                                 "W12*CC*2*2**EA**VN*VP-1"))
    assert w06_first.column("ship_date").to_pylist() == [date(2026, 11, 28)]


def test_a_945_line_shipped_zero_is_left_out_with_a_warning_and_holds_nothing():
    """A W12 shipping 0 units (a cut line: W1201 CP, W1204 the difference) says the line did not ship: no row
    (it would be SHIPMENT_QTY_NOT_POSITIVE and hold the whole shipment), a warning naming it. Before: a
    row of quantity 0."""
    table, findings = read_x12(_945("W06*F*DO-1*20261128*SHP-1**PO-1", "LX*1", "W12*CC*48*24*24*EA**VN*VP-1",
                                    "N9*LI*1", "LX*2", "W12*CP*10*0*10*EA**VN*VP-2", "N9*LI*9", "W03*24"))
    assert [(r["line_id"], r["quantity"]) for r in table.to_pylist()] == [("1", Decimal(24))]
    assert [(f.code, f.severity, f.location.segment_id, f.location.element, f.location.value) for f in findings] == [
        ("SHIPMENT_945_NOT_SHIPPED", "warning", "W12", "W1203", "0")]
    assert "VP-2" in findings[0].message and "10" in findings[0].message


def test_a_945_without_items_is_a_finding_not_nothing():
    """A 945 of only a heading (W06, carrier, charges: no W12) records no shipment; it used to vanish without
    a word."""
    table, findings = read_x12(_945("W06**DO-1*20261128*SHP-9**PO-1", "N1*CA*Old Dominion", "G62*17*20261128",
                                    "W27*LT*ODFL", "G72*504*ZZ******75.0000"))
    assert table.num_rows == 0
    assert [(f.code, f.severity, f.location.segment_id) for f in findings] == [
        ("SHIPMENT_945_NO_ITEMS", "error", "W06")]
    assert "SHP-9" in findings[0].message


def test_a_945_item_id_in_w1216_names_our_item_when_w1207_does_not():
    """W1216/W1217 (a second product id): our part number there is read when W1207/W1208 carry the buyer's."""
    table, _ = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "LX*1",
                             "W12*CC*2*2**EA**BP*BUYER-7********VN*VP-1", "N9*LI*1"))
    assert table.column("sku").to_pylist() == ["VP-1"]


@pytest.mark.parametrize(("before", "title_rows"), [("sep=,\n", 0), ("DC East shipments\n27.11.2026\n", 2),
                                                    ("sep=,\nDC East shipments\n", 1)])
def test_a_bad_row_after_a_hint_or_title_lines_still_holds_its_shipment(before, title_rows):
    """The rows the reader leaves out name their shipment (so the flow holds it rather than sending an 856
    without them) also after Excel's "sep=," line and a layout's title rows. Before: the header was looked
    for on the file's first line, not found, and the shipment went out without the bad row."""
    from parsers.shipments_csv import shipment_ids_of_rows

    text = before + HEADER + "SHP-1,2026-11-28,,UPSN,,,,PO-1,1,S1,2,EA,C1,,,\n" \
        "SHP-2,2026-11-28,,UPSN,,,,PO-1,2,S2,x,EA,C2,,,\n"
    mapping = ShipmentCsvMapping(title_rows=title_rows)
    table, findings = read_shipment_csv(text.encode(), mapping, file="conf.csv")
    bad = before.count("\n") + 3
    assert [(f.code, f.location.row) for f in findings] == [("CSV_NUMBER_INVALID", bad)]
    assert table.column("shipment_id").to_pylist() == ["SHP-1"]
    assert shipment_ids_of_rows(text.encode(), mapping, {bad}) == {bad: "SHP-2"}


def test_a_carton_weight_written_with_its_unit_reads_as_both():
    """"12,5 kg", "3 LBS", "0.5kg" in the weight column (a 3PL export writing the unit into the cell): the
    number and the unit, as a weight unit column would give it. A unit the weight unit column contradicts is
    CSV_NUMBER_INVALID at its row and column (never a guess); a word that is no weight unit we read ("2 stone")
    is a warning at the cell, the weight left out and the row kept, as a Weight Unit column of "stone" is (it was
    CSV_NUMBER_INVALID, the shipment held). Before: every such row was refused, and its shipment held."""
    header = "Shipment ID,Ship Date,PO Number,Quantity,Carton ID,Carton Weight,Weight Unit\n"
    rows = ["S1,2026-11-28,PO-1,1,C1,\"12,5 kg\",", "S1,2026-11-28,PO-1,1,C2,3 LBS,",
            "S1,2026-11-28,PO-1,1,C3,0.5kg,KG", "S2,2026-11-28,PO-1,1,C4,2 stone,", "S2,2026-11-28,PO-1,1,C5,2 kg,LB",
            "S1,2026-11-28,PO-1,1,C6,4,"]
    table, findings = read_csv(header + "\n".join(rows) + "\n", decimal_separator=",", delimiter=",")
    assert [(r["carton_id"], r["carton_weight"], r["weight_unit"]) for r in table.to_pylist()] == [
        ("C1", Decimal("12.5"), "KG"), ("C2", Decimal(3), "LB"), ("C4", None, None), ("C6", Decimal(4), "LB")]
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in findings] == [
        ("CSV_NUMBER_INVALID", 4, "Carton Weight", "0.5kg"), ("SHIPMENT_WEIGHT_INVALID", 5, "Carton Weight", "2 stone"),
        ("CSV_NUMBER_INVALID", 6, "Carton Weight", "2 kg")]
    assert "Weight Unit" in findings[2].message and "'stone'" in findings[1].message
    table, findings = read_csv(header + "S1,2026-11-28,PO-1,1,C2,3 LBS,\nS1,2026-11-28,PO-1,1,C3,0.5kg,KG\n"
                               "S1,2026-11-28,PO-1,1,C7,1.5 Kg,kgs\n")
    assert findings == []
    assert [(r["carton_weight"], r["weight_unit"]) for r in table.to_pylist()] == [
        (Decimal(3), "LB"), (Decimal("0.5"), "KG"), (Decimal("1.5"), "KG")]


def test_a_945_n9_li_in_the_lx_loop_before_its_w12_names_the_line():
    """N9 LI at the LX level, before the W12 (some WMSs write the line there): the line of that loop's W12s
    (an N9 LI after a W12 still names its own). Before: ignored, the line looked up by item alone."""
    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "LX*1", "N9*LI*7", "W12*CC*2*2**EA**VN*VP-1",
                                    "LX*2", "N9*LI*8", "W12*CC*1*1**EA**VN*VP-1", "N9*LI*9", "LX*3",
                                    "W12*CC*1*1**EA**VN*VP-1"))
    assert findings == [] and table.column("line_id").to_pylist() == ["7", "9", None]


def test_a_945_line_shipped_in_two_lots_in_one_carton_is_a_row_per_lot():
    """Lot-controlled goods: one line in one carton (LX) as two W12s with different lots (W1209) is a row per
    lot naming it (lot_number), as a CSV's Lot Number rows are: a drug wholesaler's 856 lists each lot (DSCSA);
    a partner without lots still gets one item (engine.lifecycle.shipping._lots_kept). W12s without lots, or
    with the same lot, stay rows of their own (a doubled W12 is still SHIPMENT_LINE_DUPLICATE in the checks).
    Deliberately changed (lots945): the two lots used to be merged here into one row of 10, the lots lost."""
    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "LX*1", "MAN*GM*00106141410000000026",
                                    "W12*CC*10*6**EA**VN*VP-1*LOT-A*3*G*L", "N9*LI*1",
                                    "W12*CC*10*4**EA**VN*VP-1*LOT-B*2*G*L", "N9*LI*1",
                                    "W12*CC*5*5**EA**VN*VP-2*LOT-A", "N9*LI*2", "LX*2",
                                    "W12*CC*2*2**EA**VN*VP-3", "N9*LI*3", "W12*CC*2*2**EA**VN*VP-3", "N9*LI*3",
                                    "W03*19"))
    assert findings == []
    assert [(r["line_id"], r["quantity"], r["carton_weight"], r["segment_position"], r["lot_number"])
            for r in table.to_pylist()] == [
        ("1", Decimal(6), Decimal(5), 5, "LOT-A"), ("1", Decimal(4), Decimal(5), 7, "LOT-B"),
        ("2", Decimal(5), Decimal(5), 9, "LOT-A"), ("3", Decimal(2), None, 12, None), ("3", Decimal(2), None, 14, None)]


def test_a_csv_row_shipping_zero_is_a_cut_line_left_out_with_a_warning():
    """A confirmation row of quantity 0 (a WMS export listing the order's lines, the cut one at 0) did not
    ship: left out with a warning at its row, the rest of the shipment ships, as a 945's W12 shipping 0.
    Before: a row of quantity 0, SHIPMENT_QTY_NOT_POSITIVE, the whole shipment held."""
    head = "Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"
    body = ("S1,2026-11-28,PO-1,1,SKU-1,5,EA,C1\nS1,2026-11-28,PO-1,2,SKU-2,0.00,EA,\n"
            "S1,2026-11-28,PO-1,3,,0,EA,\nS1,2026-11-28,PO-1,4,SKU-4,-1,EA,C1\n")
    table, findings = read_shipment_csv((head + body).encode(), ShipmentCsvMapping(), file="c.csv")
    assert [(r["line_id"], r["quantity"]) for r in table.to_pylist()] == [("1", Decimal(5)), ("4", Decimal(-1))]
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in findings] == [
        ("SHIPMENT_ROW_NOT_SHIPPED", "warning", 3, "Quantity", "0.00"),
        ("SHIPMENT_ROW_NOT_SHIPPED", "warning", 4, "Quantity", "0")]
    assert "SKU-2" in findings[0].message and "line 3" in findings[1].message


@pytest.mark.parametrize(("date_cell", "time_cell", "expected"), [
    ("2026-11-27", "14:05:00", time(14, 5)),  # a WMS export's time with seconds
    ("2026-11-27", "14:05:00.250", time(14, 5)),
    ("2026-11-27", "2:05 PM", time(14, 5)),
    ("2026-11-27", "12:10 AM", time(0, 10)),
    ("2026-11-27T14:05:00-05:00", "", time(14, 5)),  # the time in the date cell (ISO 8601, its offset): as written
    ("2026-11-27 14:05:00 -0500", "", time(14, 5)),
    ("2026-11-27T14:05:00Z", "09:30", time(9, 30)),  # the time column wins
    ("2026-11-27", "", None),
])
def test_a_ship_time_with_seconds_am_pm_or_in_the_date_cell_is_read(date_cell, time_cell, expected):
    """The ship time as warehouse systems export it: with seconds, with AM/PM, or only in the ship date's
    cell as a date-time. Before: a time with seconds or AM/PM was CSV_DATE_INVALID (the shipment held for
    its seconds), and a date-time's time was dropped (the 856 without its time, ASN_LATE from the day's end)."""
    head = "Shipment ID,Ship Date,Ship Time,PO Number,PO Line,SKU,Quantity,Carton ID\n"
    body = f"S1,{date_cell},{time_cell},PO-1,1,SKU-1,5,C1\n"
    table, findings = read_shipment_csv((head + body).encode(), ShipmentCsvMapping(), file="c.csv")
    assert findings == []
    assert table.select(["ship_date", "ship_time"]).to_pylist() == [{"ship_date": date(2026, 11, 27),
                                                                     "ship_time": expected}]


@pytest.mark.parametrize("time_cell", ["25:00", "13:00 PM", "soon", "2026-11-28x14:05"])
def test_a_ship_time_that_is_no_time_is_still_refused(time_cell):
    head = "Shipment ID,Ship Date,Ship Time,PO Number,PO Line,SKU,Quantity,Carton ID\n"
    table, findings = read_shipment_csv((head + f"S1,2026-11-27,{time_cell},PO-1,1,SKU-1,5,C1\n").encode(),
                                        ShipmentCsvMapping(), file="c.csv")
    assert table.num_rows == 0 and [f.code for f in findings] == ["CSV_DATE_INVALID"]


@pytest.mark.parametrize("man", ["MAN*GM*00{sscc}**CP*1Z999AA10123456784", "MAN*CP*1Z999AA10123456784**GM*00{sscc}",
                                 "MAN*GM*{sscc}~MAN*CP*1Z999AA10123456784"])
def test_a_945_man_with_the_sscc_and_the_tracking_number_of_one_carton_reads_both(man):
    """MAN01/02 and MAN04/05 are two marks of the same container (X12: MAN*GM*sscc**CP*tracking, in either
    order), as two MANs are. Before: the second pair was not read: the tracking number lost, or the 3PL's
    SSCC lost (the carton then numbered by us: an 856 naming an SSCC no label carries)."""
    from engine.sscc import build_sscc

    sscc = build_sscc("0614141", 0, 77)
    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "LX*1", *man.format(sscc=sscc).split("~"),
                                    "W12*CC*2*2**EA**VN*VP-1"))
    assert findings == []
    assert table.select(["carton_sscc", "tracking_number"]).to_pylist() == [
        {"carton_sscc": sscc, "tracking_number": "1Z999AA10123456784"}]


def test_a_945_lot_in_an_n9_lt_after_its_w12_counts_as_its_lot():
    """3PLs send a W12's lot as an N9 LT in its W12 loop rather than in W1209: one line in one carton in two
    such lots is a row per lot, as with W1209 (deliberately changed by lots945: it was one row of 10, the
    lots lost)."""
    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "LX*1", "MAN*GM*00106141410000000026",
                                    "W12*CC*10*6**EA**VN*VP-1", "N9*LI*1", "N9*LT*LOT-A",
                                    "W12*CC*10*4**EA**VN*VP-1", "N9*LT*LOT-B", "N9*LI*1", "W03*10"))
    assert findings == []
    assert [(r["line_id"], r["quantity"], r["lot_number"]) for r in table.to_pylist()] == [
        ("1", Decimal(6), "LOT-A"), ("1", Decimal(4), "LOT-B")]


@pytest.mark.parametrize("expiry", ["G62*36*20280630", "DTM*036*20280630", "G62*36*280630"])
def test_a_945_lot_s_expiry_in_its_w12_loop_is_read(expiry):
    """A lot's expiry in its W12 loop: G62 36 (the 945's W12 loop carries G62; code list 432 36, expiration
    date), or DTM*036 as the 856 writes it; the lot's row carries it (expiration_date), another W12's row not.
    Before: no expiry read from a 945 at all (a drug wholesaler's 856 could not carry DTM*036)."""
    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "LX*1", "MAN*GM*00106141410000000026",
                                    "W12*CC*10*6**EA**VN*VP-1*A23K117", "N9*LI*1", expiry,
                                    "W12*CC*10*4**EA**VN*VP-1", "N9*LI*1", "N9*LT*A24B002", "G62*11*20261128",
                                    "LX*2", "W12*CC*2*2**EA**VN*VP-3", "N9*LI*3", "W03*12"))
    assert findings == []
    assert [(r["line_id"], r["quantity"], r["lot_number"], r["expiration_date"]) for r in table.to_pylist()] == [
        ("1", Decimal(6), "A23K117", date(2028, 6, 30)), ("1", Decimal(4), "A24B002", None),
        ("3", Decimal(2), None, None)]


def test_a_945_purchase_order_in_an_n9_po_wins_over_the_depositor_order():
    """W0602 is the depositor's order number (the 940's), not the buyer's PO: a heading N9 PO names the PO
    when W0606 is empty. Before: W0602 won, the rows named an order no partner sent (SHIPMENT_PO_UNKNOWN)."""
    table, findings = read_x12(_945("W06*N*DO-88001*20261128*SHP-1", "N9*PO*PO-1", "LX*1", "W12*CC*2*2**EA**VN*VP-1"))
    assert findings == [] and table.column("po_number").to_pylist() == ["PO-1"]
    only_w0602, _ = read_x12(_945("W06*N*PO-7*20261128*SHP-1", "LX*1", "W12*CC*2*2**EA**VN*VP-1"))
    assert only_w0602.column("po_number").to_pylist() == ["PO-7"]  # still the last resort


def test_a_945_of_several_pos_names_each_carton_s_or_item_s_po():
    """A consolidated 945 (several POs on one BOL): an N9 PO in an LX loop is its carton's PO, one after a W12
    that W12's; without a heading PO. Before: ignored, every row took the heading's PO (or, without one,
    the whole 945 was refused: SHIPMENT_PO_MISSING)."""
    table, findings = read_x12(_945("W06*N**20261128*SHP-1", "LX*1", "N9*PO*PO-1", "W12*CC*2*2**EA**VN*VP-1",
                                    "LX*2", "W12*CC*3*3**EA**VN*VP-2", "N9*PO*PO-2", "N9*LI*1",
                                    "W12*CC*1*1**EA**VN*VP-3", "N9*PO*PO-3"))
    assert findings == []
    assert [(r["po_number"], r["sku"]) for r in table.to_pylist()] == [("PO-1", "VP-1"), ("PO-2", "VP-2"),
                                                                       ("PO-3", "VP-3")]
    _, missing = read_x12(_945("W06*N**20261128*SHP-1", "LX*1", "N9*PO*PO-1", "W12*CC*2*2**EA**VN*VP-1",
                               "LX*2", "W12*CC*3*3**EA**VN*VP-2"))
    assert [(f.code, f.severity) for f in missing] == [("SHIPMENT_PO_MISSING", "error")]


@pytest.mark.parametrize(("unit", "code"), [("EA", "EA"), ("ea", "EA"), ("Each", "EA"), ("EACHES", "EA"),
                                            ("Case", "CA"), ("cases", "CA"), ("CS", "CS"), ("Cartons", "CT"),
                                            ("Boxes", "BX"), ("Dozen", "DZ"), ("", "EA"), ("Stück", "STÜCK")])
def test_a_unit_written_as_its_name_reads_as_its_x12_code(unit, code):
    """WMS exports write the unit as a word ("Each", "Cases"): read as the 355 code of that name (X12's code
    list), so it meets the order line's unit (or converts through the case pack). Before: "EACH" against a
    line in EA was SHIPMENT_UNIT_MISMATCH, the shipment held. A word no code has is kept (in capitals)."""
    head = "Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"
    table, findings = read_shipment_csv((head + f"S1,2026-11-27,PO-1,1,SKU-1,5,{unit},C1\n").encode(),
                                        ShipmentCsvMapping(), file="c.csv")
    assert findings == [] and table.column("unit").to_pylist() == [code]


def test_a_number_a_spreadsheet_wrote_in_scientific_notation_is_not_taken_as_an_id():
    """Excel shows a long number in scientific notation and saves it so (FedEx 771234567811 -> 7.71235E+11,
    an SSCC -> 6.14141E+17): its digits are gone. As a carton, line or PO id the row is refused (the
    shipment held: a carton id so would be a label no carton has); as a tracking number or bill of lading
    the value is left out of the 856 with a warning. Before: taken as written (REF*CN*7.71235E+11; the
    carton numbered by us)."""
    head = "Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Carton ID,Tracking Number,BOL\n"
    body = ("S1,2026-11-27,PO-1,1,SKU-1,5,C1,7.71235E+11,BOL-1\nS1,2026-11-27,PO-1,2,SKU-2,5,6.14141E+17,1Z1,"
            "1.2E+5\nS2,2026-11-27,PO-1,1,SKU-1,1,C3,771234567811,4.5e+10\n")
    table, findings = read_shipment_csv((head + body).encode(), ShipmentCsvMapping(), file="c.csv")
    assert [(r["shipment_id"], r["tracking_number"], r["bill_of_lading"]) for r in table.to_pylist()] == [
        ("S1", None, "BOL-1"), ("S2", "771234567811", None)]
    assert [(f.code, f.severity, f.location.row, f.location.value) for f in findings] == [
        ("SHIPMENT_REFERENCE_GARBLED", "warning", 2, "7.71235E+11"),
        ("SHIPMENT_REFERENCE_GARBLED", "warning", 3, "1.2E+5"),
        ("CSV_VALUE_GARBLED", "error", 3, "6.14141E+17"),
        ("SHIPMENT_REFERENCE_GARBLED", "warning", 4, "4.5e+10")]


def test_an_id_like_2e10_is_an_id_and_only_notation_with_its_exponent_sign_is_garbled():
    """The confirmation reader checks notation as the order feeds do (csv_common.scientific): a spreadsheet
    always writes the exponent's sign, so a PO, carton or BOL 2E10 / 1E5 is read as written; 1.23457E+11 is not."""
    head = "Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Carton ID,Tracking Number,BOL\n"
    body = "2E10,2026-11-27,2E10,1,SKU-1,5,1E5,1Z1,3E7\nS2,2026-11-27,1.23457E+11,1,SKU-1,1,C3,1Z2,BOL-2\n"
    table, findings = read_shipment_csv((head + body).encode(), ShipmentCsvMapping(), file="c.csv")
    assert [(r["shipment_id"], r["po_number"], r["carton_id"], r["bill_of_lading"]) for r in table.to_pylist()] == [
        ("2E10", "2E10", "1E5", "3E7")]
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in findings] == [
        ("CSV_VALUE_GARBLED", 3, "PO Number", "1.23457E+11")]


def test_a_945_reporting_exceptions_only_is_not_taken_for_the_whole_shipment():
    """W0601 X (Exceptions Only): the W12s are the lines that differ from the shipping order, the others
    shipped as ordered, which the 945 does not list: recording its W12s as the shipment would leave the
    rest unshipped in our books and out of the 856. Refused with an error at W0601. Before: read as the
    whole shipment. F (Full Detail) and N (No Exceptions, as the demo's 3PL sends with every W12) are read."""
    rows = ("LX*1", "W12*CP*10*6*4*EA**VN*VP-1", "N9*LI*1")
    table, findings = read_x12(_945("W06*X*DO-1*20261128*SHP-1**PO-1", *rows))
    assert table.num_rows == 0
    assert [(f.code, f.severity, f.location.element, f.location.value) for f in findings] == [
        ("SHIPMENT_945_EXCEPTIONS_ONLY", "error", "W0601", "X")]
    for code in ("F", "N"):
        table, findings = read_x12(_945(f"W06*{code}*DO-1*20261128*SHP-1**PO-1", *rows))
        assert table.num_rows == 1 and findings == []


def test_confirmations_concatenated_each_with_its_byte_order_mark_read_as_one_file():
    """A WMS's daily "CSV UTF-8" exports joined into one file: the second one's byte-order mark stands before
    its header inside the file. The header used to be read as a row of shipment "\\ufeffShipment ID" (its
    quantity and date refused, the file quarantined); the rows a bad row's shipment is looked up in too."""
    from parsers.shipments_csv import shipment_ids_of_rows

    head = "Shipment ID,Ship Date,PO Number,Quantity,Carton ID\n"
    data = ("\ufeff" + head + "S1,2026-11-28,PO-1,1,C1\n" + "\ufeff" + head + "S2,2026-11-28,PO-1,2,C2\n"
            "S3,2026-11-28,PO-1,x,C3\n").encode("utf-8")
    table, findings = read_shipment_csv(data, ShipmentCsvMapping(), file="c.csv")
    assert [(f.code, f.location.row) for f in findings] == [("CSV_NUMBER_INVALID", 5)]
    assert [(r["shipment_id"], r["row_number"]) for r in table.to_pylist()] == [("S1", 2), ("S2", 4)]
    assert shipment_ids_of_rows(data, ShipmentCsvMapping(), {5}) == {5: "S3"}


def test_weight_units_spelt_out_read_as_their_codes_and_a_word_we_do_not_know_is_still_refused():
    """"12.5 lb.", "12.5#" (the U.S. pound sign), "3 Pounds", "2 kilos" in the weight cell, "Pounds" and
    "lbs." in the unit columns (the net weight's too): read as LB / KG. "2 oz" is ounces, a carton weight written
    in pounds (0.125 LB: exact, 1/16 lb each); "2 stone" stays a finding: a warning, its weight refused (left out),
    its row kept, as a Weight Unit column of "stone" is."""
    header = "Shipment ID,Ship Date,PO Number,Quantity,Carton ID,Carton Weight,Weight Unit,Net Weight,Net Weight Unit\n"
    rows = ["S1,2026-11-28,PO-1,1,C1,12.5 lb.,,4,Pounds", "S1,2026-11-28,PO-1,1,C2,12.5#,lbs.,4 Kilograms,",
            "S1,2026-11-28,PO-1,1,C3,3 Pounds,,,", "S1,2026-11-28,PO-1,1,C4,2 kilos,KG,,",
            "S2,2026-11-28,PO-1,1,C5,2 oz,,,", "S2,2026-11-28,PO-1,1,C6,2 stone,,,"]
    table, findings = read_csv(header + "\n".join(rows) + "\n")
    assert [(r["carton_id"], r["carton_weight"], r["weight_unit"], r["net_weight"], r["net_weight_unit"])
            for r in table.to_pylist()] == [
        ("C1", Decimal("12.5"), "LB", Decimal(4), "LB"), ("C2", Decimal("12.5"), "LB", Decimal(4), "KG"),
        ("C3", Decimal(3), "LB", None, None), ("C4", Decimal(2), "KG", None, None),
        ("C5", Decimal("0.125"), "LB", None, None), ("C6", None, None, None, None)]
    assert [(f.code, f.location.row, f.location.value) for f in findings] == [("SHIPMENT_WEIGHT_INVALID", 7, "2 stone")]


def test_a_quoted_field_after_a_blank_that_follows_the_separator_is_one_field_in_a_confirmation():
    """A WMS writing ", " between fields quotes a carrier service holding a comma (`S1, "Ground, Residential"`):
    one field. It used to be split at its comma: a row of the wrong width, its shipment held."""
    from parsers.shipments_csv import shipment_ids_of_rows

    text = ('Shipment ID, Ship Date, PO Number, Quantity, Carton ID, Service Level\n'
            'S1, 2026-11-28, PO-1, 1, C1, "Ground, Residential"\n'
            'S2, 2026-11-28, PO-1, x, C2, "Ground, Residential"\n')
    table, findings = read_csv(text)
    assert [(r["shipment_id"], r["service_level"]) for r in table.to_pylist()] == [("S1", "Ground, Residential")]
    assert [(f.code, f.location.row) for f in findings] == [("CSV_NUMBER_INVALID", 3)]
    assert shipment_ids_of_rows(text.encode(), ShipmentCsvMapping(), {3}) == {3: "S2"}


def test_a_net_weight_in_ounces_or_grams_keeps_its_unit_as_its_355_code():
    """A catch-weight line's net weight in ounces or grams (`Net Weight Unit` "oz", "g", "680 oz" in the cell) keeps
    its 355 code (OZ, GR: billing converts them exactly to the price's unit, as a 945's W1212 O); a unit we cannot
    read ("stone") is kept as written, for billing to name (test_catch_weight_billing: not a weight to convert)."""
    header = "Shipment ID,Ship Date,PO Number,Quantity,Carton ID,Net Weight,Net Weight Unit\n"
    rows = ["S1,2026-11-28,PO-1,1,C1,680,oz", "S1,2026-11-28,PO-1,1,C2,19200,g", "S1,2026-11-28,PO-1,1,C3,680 oz,",
            "S1,2026-11-28,PO-1,1,C4,42.35,stone"]
    table, findings = read_csv(header + "\n".join(rows) + "\n")
    assert [(r["carton_id"], r["net_weight"], r["net_weight_unit"]) for r in table.to_pylist()] == [
        ("C1", Decimal(680), "OZ"), ("C2", Decimal(19200), "GR"), ("C3", Decimal(680), "OZ"),
        ("C4", Decimal("42.35"), "STONE")]
    assert findings == []


def test_a_945_line_in_a_carton_partly_without_a_lot_names_no_lot():
    """Of two W12s of one line in one carton one names a lot and one none: which units are of that lot is not
    known, so neither row names it and the checks hold the line twice in the carton (SHIPMENT_LINE_DUPLICATE),
    as before lots were kept; a lone W12 with a lot keeps it."""
    table, findings = read_x12(_945("W06*N*DO-1*20261128*SHP-1**PO-1", "LX*1", "MAN*GM*00106141410000000026",
                                    "W12*CC*10*6**EA**VN*VP-1*LOT-A", "N9*LI*1", "W12*CC*10*4**EA**VN*VP-1",
                                    "N9*LI*1", "W12*CC*5*5**EA**VN*VP-2*LOT-C", "N9*LI*2", "W03*15"))
    assert findings == []
    assert [(r["line_id"], r["quantity"], r["lot_number"]) for r in table.to_pylist()] == [
        ("1", Decimal(6), None), ("1", Decimal(4), None), ("2", Decimal(5), "LOT-C")]
