"""CSV order feeds as partners without EDI export them, each through the real run (intake, rules,
allocation, the answer): the PO's window dates (cancel after, do not deliver before/after) checked as an
850's DTM 001/064/063, a release number echoed as BEG04, a spreadsheet's concatenated "Unicode text"
export, an address or description cell of several lines, lines without ids, repeated line ids, zero and
negative quantities, a ship-to per row. The CSV acknowledgment answers each line the run took with its
status and reason; what the run refuses is a finding at its row and column."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime

from connectors.state import StateStore
from engine.csv_ack import reason_text
from parsers.csv_orders import read_csv_orders
from parsers.x12_reader import read_interchanges
from schemas.fulfilment import CsvOrderMapping
from tests.support import REPO, deliver_all, drop_confirmations, make_workspace, run_stages, ship_stages

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
UMBRELLA = REPO / "partners" / "umbrella.toml"
ACK_HEAD = ("po_number;line_id;status;status_text;quantity_ordered;quantity_accepted;quantity_backordered;unit;"
            "unit_price;promised_date;reason;reason_text")


def ack_rows(text: str) -> tuple[list[str], list[str]]:
    """An acknowledgment's rows as written up to its reason column (what partners have always read, byte for
    byte), and each row's reason in words (the last column)."""
    rows, words = [], []
    for fields in csv.reader(io.StringIO(text), delimiter=";"):
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="").writerow(fields[:-1])
        rows.append(buf.getvalue())
        words.append(fields[-1])
    return rows, words


def run_feed(root, data: bytes, *, layout: str = "", receives: str = "", reference: dict[str, str] | None = None):
    """Umbrella's workspace with ``data`` as its only drop, its CSV layout extended by ``layout`` (its reference
    files replaced by ``reference``: name -> text), run for a night: (workspace, the intake and decide findings as
    (stage, code, row, column, PO), the acknowledgment's lines)."""
    ws = make_workspace(root, partners=("umbrella",))
    for name, text in (reference or {}).items():
        (ws.reference_dir / name).write_text(text)
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    text = UMBRELLA.read_text().replace('date_format = "%d.%m.%Y"\n', 'date_format = "%d.%m.%Y"\n' + layout, 1)
    if receives:
        text = text.replace('receives = ["csv_ack", "856", "810"]', receives)
    (ws.partners_dir / "umbrella.toml").write_text(text)
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "feed.csv").write_bytes(data)
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    found = [(f["stage"], f["code"], f["row_number"], f["column_name"], f["po_number"]) for f in state.findings()]
    state.close()
    acks = sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv"))
    assert all(a.read_bytes().decode("utf-8-sig").splitlines()[0] == ACK_HEAD for a in acks)
    lines = []
    for a in acks:
        rows, words = ack_rows(a.read_bytes().decode("utf-8-sig"))
        lines += rows[1:]
        reasons = [next(csv.reader([r], delimiter=";"))[-1] for r in rows[1:]]
        assert words[1:] == [reason_text(r) for r in reasons]  # the reason in words beside it, on every row
    return ws, found, lines


def feed(header: str, *rows: str) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


DATED = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Cancel Date;Do Not Deliver Before;" \
        "Do Not Deliver After;Ship To"


def test_cancel_and_do_not_deliver_dates_run_the_850_s_date_rules(tmp_path):
    """DTM 001 past on arrival, 064 after 063, a per-line cancel date (the PO keeps the earliest: line 2's
    backorder would ship after it and is rejected), a date in another format refused at its row and column."""
    _, found, ack = run_feed(tmp_path / "ws", feed(
        DATED,
        "U-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;26.11.2026;;;UMB-9",
        "U-2;26.11.2026;1;12;EA;25,70;VP-1013;04.12.2026;20.12.2026;;;UMB-9",
        "U-2;;2;10;EA;32,34;VP-1005;;10.12.2026;;;",
        "U-3;26.11.2026;1;10;EA;26,25;VP-1010;04.12.2026;;12.12.2026;11.12.2026;UMB-9",
        "U-4;26.11.2026;1;10;EA;26,25;VP-1010;04.12.2026;2026-12-20;;;UMB-9"))
    assert ("intake", "CSV_DATE_INVALID", 6, "Cancel Date", "U-4") in found
    assert ("intake", "CSV_ORDER_INCONSISTENT", 4, "Cancel Date", "U-2") in found
    assert {(stage, code, po) for stage, code, _r, _c, po in found if stage == "decide"} >= {
        ("decide", "CANCEL_DATE_PASSED", "U-1"), ("decide", "SHIP_WINDOW_INCONSISTENT", "U-3"),
        ("decide", "BACKORDER_AFTER_CANCEL", "U-2")}
    assert ack == ["U-4;1;IR;Rejected;10;0;0;EA;26,25;;\"row 6, Cancel Date: '2026-12-20' does not match "
                   "'%d.%m.%Y'. It is 2026-12-20 written YYYY-MM-DD: set the layout's date_format = \"\"%Y-%m-%d\"\" "
                   "if the sheet writes every date so; PO U-4 is left out whole\"",  # refused at intake
                   "U-1;1;IH;On hold;20;0;0;EA;26,25;;held for review",  # held for a person: told so
                   "U-2;1;IA;Accepted;12;12;0;EA;25,7;04.12.2026;filled",
                   "U-2;2;IR;Rejected;10;0;0;EA;32,34;;past_cancel_date",
                   "U-3;1;IH;On hold;10;0;0;EA;26,25;;held for review"]


def test_the_window_dates_are_the_orders_as_an_850_s_dtm_gives_them():
    got = read_csv_orders(feed(
        "PO Number;Quantity;Ship Not Before;Ship No Later;Cancel Date;Do Not Deliver Before;Do Not Deliver After",
        "P-1;1;01.12.2026;10.12.2026;20.12.2026;02.12.2026;18.12.2026",
        "P-1;1;03.12.2026;09.12.2026;;01.12.2026;19.12.2026",
        "P-2;1;;;;;",
        "P-2;1;;;15.12.2026;;"), CsvOrderMapping(date_format="%d.%m.%Y", delimiter=";"), partner="p", file="f.csv")
    o = {r["po_number"]: r for r in got.orders.to_pylist()}
    assert [str(o["P-1"][c]) for c in ("ship_not_before", "ship_no_later", "cancel_after", "do_not_deliver_before",
                                       "do_not_deliver_after")] == [
        "2026-12-03", "2026-12-09", "2026-12-20", "2026-12-02", "2026-12-18"]  # the strictest of its two rows
    assert str(o["P-2"]["cancel_after"]) == "2026-12-15"  # given on a later row only: still the PO's
    assert [(f.code, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_ORDER_INCONSISTENT", 3, "Ship Not Before"), ("CSV_ORDER_INCONSISTENT", 3, "Ship No Later"),
        ("CSV_ORDER_INCONSISTENT", 3, "Do Not Deliver Before"), ("CSV_ORDER_INCONSISTENT", 3, "Do Not Deliver After")]
    assert "the PO keeps 2026-12-03, the strictest" in got.findings[0].message


def test_a_release_column_is_echoed_as_the_850_s_beg04(tmp_path):
    ws, found, _ = run_feed(tmp_path / "ws", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To;Release",
        "UMB-6001;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;REL-0007"), receives='receives = ["855"]')
    (doc,) = (ws.drop_root / "umbrella" / "outbox").glob("*.x12")
    segs = read_interchanges(doc.read_bytes()).segments.elements.to_pylist()
    bak = next(s for s in segs if s[0] == "BAK")
    assert (bak[3], bak[4], bak[5]) == ("UMB-6001", "20261126", "REL-0007")
    assert not [f for f in found if f[0] == "intake"]


def test_a_release_longer_than_beg04_refuses_its_po_at_row_and_column(tmp_path):
    _, found, _ = run_feed(tmp_path / "ws", feed("PO Number;Quantity;SKU;Release", "U-1;20;VP-1010;" + "R" * 31),
                           receives='receives = ["855"]')
    assert [f for f in found if f[0] == "intake"] == [("intake", "CSV_ID_TOO_LONG", 2, "Release", "U-1")]


def test_a_concatenated_utf16_excel_export_with_totals_reads_as_one_feed(tmp_path):
    """Two exports of one report pasted into one file: each with Excel's "sep=;" line, its header (ending
    in a separator, as its rows) and its totals row; UTF-16 with its mark, "1.000" with a thousands dot,
    prices with the euro sign, order values on the PO's first row only, a description of two lines."""
    head = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Description;Ship Date;Ship To;"
    text = "\r\n".join([
        "sep=;", head,
        "UMB-6001;26.11.2026 00:00;1;1.000;EA;26,25 €;VP-1010;Sticky notes;04.12.2026;UMB-9;",
        "UMB-6001;;2;10;EA;32,34 €;VP-1005;Gel pen;;;",
        "Summe;;;1.010;;;;;;;",
        "sep=;", head,
        'UMB-6001;;3;12;EA;25,70 €;VP-1013;"Whiteboard marker\nblack";;;',
        "Summe;;;12;;;;;;;"]) + "\r\n"
    _, found, ack = run_feed(tmp_path / "ws", b"\xff\xfe" + text.encode("utf-16-le"),
                             layout='currency_symbol = "€"\ntotal_labels = ["Summe"]\n')
    assert [f for f in found if f[0] == "intake"] == []
    assert ack == ['UMB-6001;1;IQ;Quantity changed;1000;900;0;EA;26,25;04.12.2026;"partial; no_receipt"',
                   "UMB-6001;2;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered",
                   "UMB-6001;3;IA;Accepted;12;12;0;EA;25,7;04.12.2026;filled"]


def test_a_repeated_header_is_passed_over_not_read_as_an_order():
    got = read_csv_orders(feed("PO Number;Quantity", "P-1;1", " po number ;QUANTITY", "P-1;2", "sep=;"),
                          CsvOrderMapping(delimiter=";"), partner="p", file="f.csv")
    assert got.findings == [] and got.orders["po_number"].to_pylist() == ["P-1"]
    assert got.lines["file_segment"].to_pylist() == [2, 4]  # the file's own row numbers


def test_an_address_and_a_description_of_several_lines_still_ship(tmp_path):
    """A quoted address cell of two lines (a web shop's "street, apartment"): its first line is the street
    (N301), the rest the second address line (N302); a description of two lines goes out as one (PID05). Each
    line break used to hold the shipment: the 856 failed validation (control characters in N301/PID05)."""
    head = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Description;Ship Date;Ship To Name;Address;" \
           "City;State;Postal Code;Country"
    where = 'Umbrella Store 9;"1 Main St\r\n\r\nSuite 4 ";Palo Alto;CA;94301;US'
    ws, found, ack = run_feed(tmp_path / "ws", feed(
        head, f'UMB-6001;26.11.2026;1;20;EA;26,25;VP-1010;"Sticky notes\r\nyellow";04.12.2026;{where}',
        f"UMB-6001;26.11.2026;2;10;EA;32,34;VP-1005;Gel pen;04.12.2026;{where}",
        f"UMB-6001;26.11.2026;3;12;EA;25,70;VP-1013;Marker;04.12.2026;{where}"))
    assert [f for f in found if f[0] == "intake"] == [] and len(ack) == 3
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, DAY1)
    deliver_all(ws, DAY1)
    state = StateStore(ws.state_path)
    assert state.order("umbrella", "UMB-6001").state.value == "partially_shipped"
    assert not [f for f in state.findings() if f["code"] == "ASN_NOT_BUILT"]
    state.close()
    (asn,) = (ws.drop_root / "umbrella" / "outbox").glob("*-856-*.x12")
    segs = read_interchanges(asn.read_bytes()).segments.elements.to_pylist()
    assert ["N3", "1 Main St", "Suite 4"] in segs
    assert ["PID", "F", "", "", "", "Sticky notes yellow"] in [s[:6] for s in segs if s[0] == "PID"]


def test_lines_without_ids_are_numbered_apart_from_the_ids_sent(tmp_path):
    """A line column left blank on some rows: each such line is its number in the PO, or the next number no
    row of the PO sends (the id "2" of row 3 used to be given to row 2 as well)."""
    _, found, ack = run_feed(tmp_path / "ws", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To",
        "UMB-6001;26.11.2026;;20;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "UMB-6001;26.11.2026;;10;EA;32,34;VP-1005;04.12.2026;UMB-9",
        "UMB-6001;26.11.2026;2;12;EA;25,70;VP-1013;04.12.2026;UMB-9"))
    assert not [f for f in found if f[0] == "intake"]
    assert [row.split(";")[1] for row in ack] == ["1", "3", "2"]


def test_line_ids_stay_distinct_whatever_the_rows_send():
    got = read_csv_orders(feed("PO Number;Line;Quantity", "P;;1", "P;1;1", "P;;1", "P;3;1", "Q;;1", "Q;;1"),
                          CsvOrderMapping(delimiter=";"), partner="p", file="f.csv")
    assert got.lines["line_id"].to_pylist() == ["2", "1", "4", "3", "1", "2"]
    assert got.lines["line_number"].to_pylist() == [1, 2, 3, 4, 1, 2]


def test_a_repeated_line_id_and_a_ship_to_per_row_are_warnings_at_their_row(tmp_path):
    """As an 850's repeated PO101 and a PO1 loop's own N1*ST: both rows are lines, each told at its row and column.
    A row naming another ship-to than its PO's first row is its line's own ship-to (csvgaps: it used to ship to the
    first row's store, said only by CSV_ORDER_INCONSISTENT): the order is held for a person as the 850's
    (LINE_SHIP_TO_DIFFERS), its acknowledgment saying so (IH); rows repeating one ship-to are answered as before."""
    _, found, ack = run_feed(tmp_path / "ws", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To",
        "UMB-6001;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "UMB-6001;26.11.2026;1;10;EA;32,34;VP-1005;04.12.2026;UMB-7"))
    assert [f for f in found if f[0] == "intake"] == [("intake", "CSV_LINE_ID_DUPLICATE", 3, "Line", "UMB-6001"),
                                                      ("intake", "CSV_ORDER_INCONSISTENT", 3, "Ship To", "UMB-6001")]
    assert ("decide", "LINE_SHIP_TO_DIFFERS", 3, "Ship To", "UMB-6001") in found
    assert ack == ["UMB-6001;1;IH;On hold;20;0;0;EA;26,25;;held for review",
                   "UMB-6001;1;IH;On hold;10;0;0;EA;32,34;;held for review"]
    _, found, ack = run_feed(tmp_path / "ws2", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To",
        "UMB-6001;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "UMB-6001;26.11.2026;1;10;EA;32,34;VP-1005;04.12.2026;UMB-9"))
    assert found == [("intake", "CSV_LINE_ID_DUPLICATE", 3, "Line", "UMB-6001")]
    assert ack == ["UMB-6001;1;IA;Accepted;20;20;0;EA;26,25;04.12.2026;filled",
                   "UMB-6001;1;IB;Backordered;10;0;10;EA;32,34;15.12.2026;backordered"]


def test_zero_and_negative_quantities_run_the_850_s_quantity_rule_and_are_answered_with_why(tmp_path):
    _, found, ack = run_feed(tmp_path / "ws", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To",
        "U-1;26.11.2026;1;0;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "U-2;26.11.2026;1;-3;EA;26,25;VP-1010;04.12.2026;UMB-9"))
    assert {(code, po) for stage, code, _r, _c, po in found if stage == "decide"} >= {
        ("QTY_NOT_POSITIVE", "U-1"), ("QTY_NOT_POSITIVE", "U-2")}
    # the partner's column, not the 850's PO102 (CSV orders are told in their layout's names)
    assert ack[0] == "U-1;1;IR;Rejected;0;0;0;EA;26,25;;column 'Quantity' must be a positive quantity, got 0."
    assert ack[1].startswith("U-2;1;IR;Rejected;-3;0;0;EA;26,25;;")
    assert "order rejected: column 'Quantity' must be a positive quantity, got -3" in ack[1]  # not only "rejected"
    assert ".;" not in ack[1]  # each reason but the last without its full stop (schemas.reasons_text)


def test_rows_not_taken_are_answered_in_a_csv_acknowledgment_with_row_column_and_reason(tmp_path):
    """As a 997 rejects an 850 set in error, the partner without EDI learns which rows were not taken and why:
    each row of a PO left out (the bad row and the PO's other rows) and a row naming no PO is answered IR at
    intake, its values as sent; the POs taken are answered by the decide stage's acknowledgment as before.
    They used to get no answer at all: the file was quarantined and only ops saw the findings."""
    ws, found, ack = run_feed(tmp_path / "ws", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To",
        "U-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "U-1;26.11.2026;2;zwei;EA;32,34;VP-1005;04.12.2026;UMB-9",
        "U-2;31.11.2026;1;12;EA;25,70;VP-1013;04.12.2026;UMB-9",
        ";26.11.2026;1;5;EA;25,70;VP-1013;04.12.2026;UMB-9",
        "UMB-6001;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "U-3;26.11.2026;1;4"))
    assert [(code, row, column) for stage, code, row, column, _po in found if stage == "intake"] == [
        ("CSV_NUMBER_INVALID", 3, "Quantity"), ("CSV_DATE_INVALID", 4, "PO Date"),
        ("CSV_VALUE_MISSING", 5, "PO Number"), ("CSV_ROW_MALFORMED", 7, None)]
    refusal, answer = sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv"))
    assert refusal.name == "umbrella-csv-ack-000000001.csv"
    assert ack_rows(refusal.read_bytes().decode("utf-8-sig"))[0][1:] == [
        # (a number past 4 decimals is no longer refused: held by the rules, tests/test_quantity_decimals.py)
        "U-1;1;IR;Rejected;20;0;0;EA;26,25;;row 2: PO U-1 is left out whole (row 3, Quantity: 'zwei' is not a number.)",
        "U-1;2;IR;Rejected;zwei;0;0;EA;32,34;;\"row 3, Quantity: 'zwei' is not a number; PO U-1 is left out whole\"",
        "U-2;1;IR;Rejected;12;0;0;EA;25,70;;\"row 4, PO Date: '31.11.2026' does not match '%d.%m.%Y'; PO U-2 is left "
        "out whole\"",
        ";1;IR;Rejected;5;0;0;EA;25,70;;row 5, PO Number: Row 5 has no 'PO Number'. If it continues PO U-2 above (a "
        "PO number cell merged over its order's rows is saved in the first row only), set the layout's grouped = "
        "true.",
        "U-3;1;IR;Rejected;4;0;0;EA;;;\"row 7, Row 7 has 4 fields; the header has 9; PO U-3 is left out whole\""]
    assert ack_rows(answer.read_bytes().decode("utf-8-sig"))[0][1:] == [
        "UMB-6001;1;IA;Accepted;20;20;0;EA;26,25;04.12.2026;filled"]
    assert (ws.drop_root / "umbrella" / "quarantine" / "feed.csv").exists()  # ops still see the file


def test_a_partner_answered_with_an_855_gets_no_csv_refusal(tmp_path):
    ws, found, _ = run_feed(tmp_path / "ws", feed("PO Number;Quantity;SKU", "U-1;zwei;VP-1010"),
                            receives='receives = ["855"]')
    assert [f[1] for f in found] == ["CSV_NUMBER_INVALID"]
    assert list((ws.drop_root / "umbrella" / "outbox").glob("*")) == []


def test_the_refused_rows_of_a_file_that_does_not_decode_or_cannot_be_read_to_its_end():
    mapping = CsvOrderMapping(delimiter=";")
    # bytes neither UTF-8 nor Windows-1252 (csvreal: a file all Windows-1252 is read so, "\xff\xfe\xfa" as "ÿþú")
    data = b"PO Number;Quantity\nP-1;zwei\nP-2;1\n\xff\x81\xfa;1\n"
    undecodable = read_csv_orders((data[i:i + 4] for i in range(0, len(data), 4)), mapping, partner="p",
                                  file="f.csv", batch_rows=1)  # rows handed on before the bad bytes are met
    assert [f.code for f in undecodable.findings] == ["CSV_NOT_DECODABLE"] and undecodable.refused == []
    cut = read_csv_orders(b'PO Number;Quantity\nP-1;1\nP-2;1\n"P-3"x;1\n', mapping, partner="p", file="f.csv")
    why = "(row 4, Row 4: ';' expected after '\"'; the rest of the file was not read.)"
    assert [(r.row, r.po_number, r.reason) for r in cut.refused] == [
        (2, "P-1", f"row 2: PO P-1 is left out whole {why}"), (3, "P-2", f"row 3: PO P-2 is left out whole {why}")]


def test_po_numbers_a_spreadsheet_rewrote_in_scientific_notation_are_refused_and_answered(tmp_path):
    """A buyer opens the export in Excel and saves it: the 12-digit POs 123456789012 and 123457000001 both
    read 1.23457E+11. They used to be taken as one order of both POs' lines (a CSV_LINE_ID_DUPLICATE warning
    the only trace), allocated and answered under a PO number the partner never sent. Now both rows are
    refused at their row and column, answered IR with the reason; the file's other PO is taken as before."""
    ws, found, ack = run_feed(tmp_path / "ws", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To",
        "1.23457E+11;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "1.23457E+11;26.11.2026;1;10;EA;32,34;VP-1005;04.12.2026;UMB-9",
        "UMB-6001;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9"))
    assert [(stage, code, row, column) for stage, code, row, column, _po in found if stage == "intake"] == [
        ("intake", "CSV_VALUE_GARBLED", 2, "PO Number"), ("intake", "CSV_VALUE_GARBLED", 3, "PO Number")]
    assert [a.split(";")[:3] for a in ack] == [["1.23457E+11", "1", "IR"], ["1.23457E+11", "1", "IR"],
                                               ["UMB-6001", "1", "IA"]]
    assert "scientific notation" in ack[0]
    state = StateStore(ws.state_path)
    assert {o.po_number for o in state.orders()} == {"UMB-6001"}
    state.close()


def test_exports_concatenated_each_with_its_byte_order_mark_run_as_one_feed(tmp_path):
    """A buyer joins two Excel "CSV UTF-8" exports into one file (``copy /b``): the second one's byte-order
    mark stands inside it, before its header. That header used to be read as a PO "\\ufeffPO Number", refused
    at intake with three findings and answered IR to the partner; now both exports' POs run."""
    head = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To"
    one = feed(head, "UMB-6001;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9")
    two = feed(head, "UMB-6002;26.11.2026;1;12;EA;25,70;VP-1013;04.12.2026;UMB-9")
    _, found, ack = run_feed(tmp_path / "ws", b"\xef\xbb\xbf" + one + b"\xef\xbb\xbf" + two)
    assert [f for f in found if f[0] == "intake"] == []
    assert [a.split(";")[:3] for a in ack] == [["UMB-6001", "1", "IA"], ["UMB-6002", "1", "IA"]]


def test_a_feed_written_with_blanks_after_its_separators_and_quoted_addresses_runs(tmp_path):
    """An export writing "; " between fields quotes the cells holding the separator (a street "1 Main St; Rear").
    Those rows used to be split at the separator inside the quotes: CSV_ROW_MALFORMED, the PO refused."""
    _, found, ack = run_feed(tmp_path / "ws", feed(
        "PO Number; PO Date; Line; Quantity; Unit; Unit Price; SKU; Ship Date; Ship To; Ship To Name; Address",
        'UMB-6001; 26.11.2026; 1; 20; EA; 26,25; VP-1010; 04.12.2026; UMB-9; "Umbrella; Store 9"; "1 Main St; Rear"'))
    assert [f for f in found if f[0] == "intake"] == []
    assert [a.split(";")[:3] for a in ack] == [["UMB-6001", "1", "IA"]]


def test_a_windows_export_labelled_latin_1_runs_with_its_euro_prices(tmp_path):
    """The partner's profile says Latin-1 (as most call Windows' "ANSI"); its Excel writes Windows-1252, the
    euro sign 0x80. Its prices "26,25 €" used to be refused (0x80 read as a control character, not the
    layout's currency sign): the PO left out at intake. Now the PO runs."""
    _, found, ack = run_feed(tmp_path / "ws", feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To;Ship To Name",
        "UMB-6001;26.11.2026;1;20;EA;26,25 €;VP-1010;04.12.2026;UMB-9;O’Brien’s Café").decode().encode("cp1252"),
        layout='encoding = "latin-1"\ncurrency_symbol = "€"\n')
    assert [f for f in found if f[0] == "intake"] == []
    assert [a.split(";")[:3] for a in ack] == [["UMB-6001", "1", "IA"]]


def test_an_acknowledgment_in_windows_1252_of_a_utf8_feed_writes_what_it_cannot_hold_nearest(tmp_path,
                                                                                          monkeypatch):
    """The partner's acknowledgment is Windows-1252 (its system reads nothing else); its buyer now saves the
    orders as Excel's "CSV UTF-8" (the mark wins over the layout: read as UTF-8), a PO number with a Hungarian
    "Ő" and a Polish "Ł". The refusal used to stop the partner's whole intake (UnicodeEncodeError) and the
    answer to its good PO failed its decision (ORDER_DECISION_FAILED), every night. Now each is answered, a
    character the encoding cannot hold written as its letter without accents, else "?"."""
    profile = tmp_path / "umbrella.toml"
    profile.write_text(UMBRELLA.read_text().replace("[fulfilment.csv_ack]\n",
                                                    '[fulfilment.csv_ack]\nencoding = "cp1252"\n'))
    monkeypatch.setitem(globals(), "UMBRELLA", profile)  # run_feed's profile
    _, found, ack = run_feed(tmp_path / "ws", b"\xef\xbb\xbf" + feed(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To",
        "GYŐR-Ł-1;26.11.2026;1;zwei;EA;26,25;VP-1010;04.12.2026;UMB-9",
        "GYŐR-Ł-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9"))
    assert [(stage, code) for stage, code, *_ in found if code.endswith("FAILED") or stage == "intake"] == [
        ("intake", "CSV_NUMBER_INVALID")]
    assert [a.split(";")[:3] for a in ack] == [["GYOR-?-1", "1", "IR"], ["GYOR-?-2", "1", "IA"]]
