"""CSV order feeds as real exporters write them (csvreal), each read through a real night on Umbrella's profile
(tests/csv_feed_support.py: ";"-separated, day-first dates, decimal commas). Our own samples.

1. A database export's NULL (sqlcmd, SSMS's "Save Results As", bcp, SQL*Plus): ``NULL`` in a cell the row has no
   value for. It was read as the text "NULL": a ship-to's second address line printed on the 856 and the 810 as
   N3*410 Main St*NULL, a unit "NULL" refused (UNIT_UNKNOWN). Now the blank cell it stands for: unquoted, any case,
   padded or not; quoted only in a record whose every field is quoted; a required value so read says it was NULL.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from connectors.order_store import OrderStore
from connectors.state import StateStore
from parsers.csv_common import read_columns, read_rows
from parsers.csv_orders import read_csv_orders
from tests.csv_feed_support import HEAD, MAPPING, feed, run_feed
from tests.support import ship_stages

HEAD2 = HEAD + ";Address 2"
DOOR = "Juniper Lane;410 Main St;Park City;UT;84060"
CONFIRMED = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
             "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
             "S9,2026-11-27,14:10,UPSN,G2,1Z1,BOL-1,U-3,1,SKU-1010,20,EA,C-1,1,LB,\n")


def _facts(got) -> tuple:
    return ([(o["po_number"], o["ship_to_id"], o["ship_to_name"], o["ship_to_address1"], o["ship_to_address2"])
             for o in got.orders.to_pylist()],
            [(ln["po_number"], ln["line_id"], ln["quantity"], ln["unit"], ln["unit_price"], ln["vendor_part"])
             for ln in got.lines.to_pylist()],
            sorted((f.code, f.location.row, f.location.column) for f in got.findings))


def _chunked(data: bytes, size: int):
    return (data[i:i + size] for i in range(0, len(data), size))


def _read(data: bytes) -> tuple:
    """The facts read whole, in 5-byte chunks a row at a time, and with LF line ends: one answer, asserted so."""
    got = _facts(read_csv_orders(data, MAPPING, partner="p", file="f.csv"))
    assert _facts(read_csv_orders(_chunked(data, 5), MAPPING, partner="p", file="f.csv", batch_rows=1)) == got
    assert _facts(read_csv_orders(data.replace(b"\r\n", b"\n"), MAPPING, partner="p", file="f.csv")) == got
    return got


# --- 1. a database export's NULL ---------------------------------------------------------------------------------

def _segments(ws, doc_type: str, tag: str) -> list[list[str]]:
    state = StateStore(ws.state_path)
    try:
        texts = [d.content.decode() for d in state.documents() if d.doc_type == doc_type]
    finally:
        state.close()
    assert texts, f"no {doc_type} sent"
    return [s.strip().split("*") for text in texts for s in text.split("~") if s.strip().split("*")[0] == tag]


def test_sqlcmd_s_null_in_a_ship_to_s_second_line_is_no_address_on_the_856_and_810_in_a_real_night(tmp_path):
    """U-3 for the door at 410 Main St, exported by sqlcmd: no store id, no second address line, NULL in both cells
    (and in its unit, the layout's default EA then). The night answers it as the feed with blank cells, and the
    856's and 810's ship-to is N3*410 Main St: it used to be N3*410 Main St*NULL, to the carrier and the buyer."""
    plain = feed(f"U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;{DOOR};", head=HEAD2)
    nulls = feed(f"U-3;26.11.2026;1;20;NULL;26,25;VP-1010;04.12.2026;NULL;{DOOR};NULL", head=HEAD2)
    _ws0, plain_found, plain_acks = run_feed(tmp_path / "plain", plain)
    ws, found, acks = run_feed(tmp_path / "ws", nulls)
    assert found == plain_found and not [f for f in found if f[1] in ("UNIT_UNKNOWN", "SHIP_TO_UNKNOWN")]
    assert [(r["po_number"], r["status"]) for r in acks] == [("U-3", "IA")] and acks == plain_acks
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "e.csv").write_text(CONFIRMED)
    ship_stages(ws, datetime(2026, 11, 27, 14, 20))
    assert [s for s in _segments(ws, "856", "N1") if s[1] == "ST"] == [["N1", "ST", "Juniper Lane"]]
    assert _segments(ws, "856", "N3")[1:] == [["N3", "410 Main St"]]  # (the first: the ship-from's)
    assert ["N3", "410 Main St"] in _segments(ws, "810", "N3")
    assert not [s for s in _segments(ws, "810", "N3") + _segments(ws, "856", "N3") if "NULL" in s]


@pytest.mark.parametrize("null", ["NULL", "null", "Null", "NULL    ", "  NULL"])
def test_null_in_any_case_padded_or_not_reads_as_the_blank_cell(null):
    want = _read(feed(f"U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;{DOOR};", head=HEAD2))
    assert want[0] == [("U-3", None, "Juniper Lane", "410 Main St", None)] and not want[2]
    assert _read(feed(f"U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;{null};{DOOR};{null}", head=HEAD2)) == want


def test_a_quoted_null_beside_unquoted_values_is_text_and_in_a_file_quoting_everything_is_null():
    """A quoted "NULL" where other values are not quoted is text someone wrote (kept, as sent); an exporter quoting
    every field (SSMS's and bcp's "quote all") quotes its NULLs too: blank."""
    mixed = _read(feed(f'U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;{DOOR};"NULL"', head=HEAD2))
    assert mixed[0] == [("U-3", None, "Juniper Lane", "410 Main St", "NULL")]
    bare = _read(feed(f'U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;{DOOR};NULL', head=HEAD2))
    assert bare[0] == [("U-3", None, "Juniper Lane", "410 Main St", None)]

    def quoted(line: str) -> str:
        return ";".join(f'"{c}"' for c in line.split(";"))

    everything = feed(quoted(f"U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;NULL;{DOOR};NULL"), head=quoted(HEAD2))
    assert _read(everything) == bare


def test_a_word_holding_null_and_a_value_beside_null_are_values():
    got = _read(feed("U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;Nullarbor Roadhouse;NULL 4;Park City;UT;"
                     "84060;Unit NULL", head=HEAD2))
    assert got[0] == [("U-3", None, "Nullarbor Roadhouse", "NULL 4", "Unit NULL")]


def test_a_required_value_read_as_null_is_missing_and_says_it_was_null():
    got = read_csv_orders(feed("NULL;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;",
                               "U-4;26.11.2026;1;NULL;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;",
                               "U-5;26.11.2026;1;;EA;26,25;VP-1010;04.12.2026;UMB-9;;;;;"),
                          MAPPING, partner="p", file="f.csv")
    said = [(f.code, f.location.row, f.location.column, f.message) for f in got.findings]
    null = " It holds NULL: a database export's empty cell (read as blank), so the row's value was never filled " \
           "in the system it came from."
    assert said == [("CSV_VALUE_MISSING", 2, "PO Number", "Row 2 has no 'PO Number'." + null),
                    ("CSV_VALUE_MISSING", 3, "Quantity", "Row 3 has no 'Quantity'." + null),
                    ("CSV_VALUE_MISSING", 4, "Quantity", "Row 4 has no 'Quantity'.")]
    assert got.lines.num_rows == 0


def test_read_columns_reads_null_as_read_rows_does():
    """Shipment and inventory CSVs read as columns (Arrow's reader where the file allows): NULL blank there too."""
    data = b"PO Number,Lot,Serial\nU-3,NULL,S1\nU-4,L-1,null\n"
    mapping = {"po": "PO Number", "lot": "Lot", "serial": "Serial"}
    rows = read_rows(data, MAPPING.model_copy(update={"delimiter": ","}), mapping, required=("po",))
    assert [f for _n, f in rows.rows] == [["U-3", "", "S1"], ["U-4", "L-1", ""]]
    cols = read_columns(data, MAPPING.model_copy(update={"delimiter": ","}), mapping, required=("po",))
    assert [c.to_pylist() for c in cols.cells] == [["U-3", "U-4"], ["", "L-1"], ["S1", ""]]
    assert cols.numbers == [2, 3]


# --- 2. a Windows-1252 feed under a UTF-8 layout ------------------------------------------------------------------

ANSI_ROWS = ("U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;Café Müller – O’Brien;1 Rue du Marché;Park City;UT;"
             "84060",)


def _file_record(ws) -> dict:
    state = StateStore(ws.state_path)
    try:
        (sha,) = [r["sha256"] for r in state.files("umbrella")]
        return state.file_record("umbrella", sha)
    finally:
        state.close()


def test_an_excel_ansi_feed_under_a_utf8_layout_is_read_as_windows_1252_in_a_real_night(tmp_path):
    """Umbrella's feed saved by Excel on Windows as "CSV (Comma delimited)": Windows-1252, its accents, en dash and
    curly apostrophe one byte each, under Umbrella's UTF-8 layout (no encoding set). It was refused whole
    (CSV_NOT_DECODABLE), the file quarantined, until the layout said encoding = "cp1252". Now the night takes it as
    its UTF-8 twin: the same acknowledgment, the names as written on the 856 to come; one warning naming the line and
    byte of the first byte that is not UTF-8, and the file's record says cp1252 (its twin's: utf-8)."""
    text = feed(*ANSI_ROWS).decode()
    _ws0, twin_found, twin_acks = run_feed(tmp_path / "utf8", text.encode())
    ws, found, acks = run_feed(tmp_path / "ansi", text.encode("cp1252"))
    at = text.encode("cp1252").index("é".encode("cp1252"))
    assert [f for f in found if f[1] != "CSV_NOT_UTF8"] == twin_found
    assert [f[:2] for f in found if f[1] == "CSV_NOT_UTF8"] == [("intake", "CSV_NOT_UTF8")]
    state = StateStore(ws.state_path)
    try:
        (said,) = [f for f in state.findings() if f["code"] == "CSV_NOT_UTF8"]
        orders = state.orders()
    finally:
        state.close()
    assert said["severity"] == "warning" and said["message"].startswith(
        f"Not valid UTF-8 on line 2, at byte {at}: read as Windows-1252")
    assert acks == twin_acks and [(r["po_number"], r["status"]) for r in acks] == [("U-3", "IA")]
    assert [o.po_number for o in orders] == ["U-3"]
    assert (ws.drop_root / "umbrella" / "processed" / "feed.csv").exists()
    assert _file_record(ws)["encoding"] == "cp1252" and _file_record(_ws0)["encoding"] == "utf-8"
    stored, _lines = OrderStore(ws.orders_dir).load("umbrella", orders[0].lines_key)
    assert [(o["po_number"], o["ship_to_name"], o["ship_to_address1"], o["ship_to_city"])
            for o in stored.to_pylist()] == [("U-3", "Café Müller – O’Brien", "1 Rue du Marché", "Park City")]


def test_a_utf8_feed_with_its_mark_or_utf16_keeps_its_encoding_and_a_file_of_two_encodings_is_refused():
    text = feed(*ANSI_ROWS).decode()
    for data, encoding in ((b"\xef\xbb\xbf" + text.encode(), "utf-8"), (text.encode(), "utf-8"),
                           (text.encode("utf-16"), "utf-16")):
        got = read_csv_orders(data, MAPPING, partner="p", file="f.csv")
        assert got.findings == [] and got.encoding == encoding
        assert got.orders["ship_to_name"].to_pylist() == ["Café Müller – O’Brien"]
    got = read_csv_orders(text.encode("cp1252"), MAPPING, partner="p", file="f.csv")
    assert [f.code for f in got.findings] == ["CSV_NOT_UTF8"] and got.encoding == "cp1252"
    assert got.orders["ship_to_name"].to_pylist() == ["Café Müller – O’Brien"]
    # a UTF-8 mark says UTF-8: Windows-1252 bytes after it are refused, not guessed
    marked = b"\xef\xbb\xbf" + text.encode("cp1252")
    got = read_csv_orders(marked, MAPPING, partner="p", file="f.csv")
    assert [f.code for f in got.findings] == ["CSV_NOT_DECODABLE"] and got.encoding == ""


# --- 3. an item master's unit written as a word -------------------------------------------------------------------

def _run_with_unit(root, unit: str, data: bytes):
    """Umbrella's night on ``data`` with items.csv listing SKU-1010 (VP-1010) in ``unit`` as its selling unit."""
    from tests.csv_feed_support import run_feed

    def _unit(ws):
        items = ws.reference_dir / "items.csv"
        text = items.read_text()
        assert "Sticky notes 76x76 yellow,EA," in text
        items.write_text(text.replace("Sticky notes 76x76 yellow,EA,", f"Sticky notes 76x76 yellow,{unit},"))

    return run_feed(root, data, before=_unit)


@pytest.mark.parametrize(("word", "code", "sent"), [("CASE", "CA", "Case"), ("Cases", "CA", "CA"),
                                                    ("Each", "EA", "Each"), ("EACH", "EA", "EA")])
def test_an_item_master_s_unit_word_meets_a_csv_line_s_unit_as_its_code_in_a_real_night(tmp_path, word, code, sent):
    """An ERP's item master export lists SKU-1010's selling unit as a word ("CASE", "Each"); Umbrella's feed
    orders it in "Case" or "CA" (a CSV unit word is read as its code since session 68: CA). The item's unit was
    compared as written ("CASE" against CA): another unit, so the line's price per case was read per each
    (PRICE_BASIS_PER_EACH) and answered IP at 262.50 a case. Now both sides compare as codes: the night is the one
    an item master saying CA (or EA) gives. (Each/EACH against EA passed before too: pinned.)"""
    data = feed(f"U-3;26.11.2026;1;10;{sent};26,25;VP-1010;04.12.2026;UMB-9;;;;;")
    _ws0, want_found, want_acks = _run_with_unit(tmp_path / "code", code, data)
    assert not [f for f in want_found if f[1].startswith("UNIT")]
    assert [(r["po_number"], r["status"], r["unit"]) for r in want_acks] == [("U-3", "IA", code)]
    _ws, found, acks = _run_with_unit(tmp_path / "word", word, data)
    assert found == want_found
    assert acks == want_acks


def test_an_item_master_s_unit_words_read_as_codes_and_a_word_naming_none_stays():
    from connectors.reference import _unit_codes_upper

    table = pa.table({"sku": ["A", "B", "C", "D", "E", "F"],
                      "unit": ["CASE", " Dozen ", "ea", "Cartons", "CA", "Widget"],
                      "average_weight_unit": ["lbs", None, "KG", "Kilograms", None, None]})
    got = _unit_codes_upper(table)
    assert got["unit"].to_pylist() == ["CA", "DZ", "EA", "CT", "CA", "WIDGET"]
    assert got["average_weight_unit"].to_pylist() == ["LB", None, "KG", "KG", None, None]
