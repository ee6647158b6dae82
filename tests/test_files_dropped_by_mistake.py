"""Files a person drops by mistake (docs/bad-inputs.md "Files in a drop"), as a new user met them: a zip that stores
its 850 uncompressed, a PDF, an 850 saved as UTF-16, an empty file, in an X12 partner's drop; a PDF, an Excel
workbook, an X12 file and a UTF-16 export without its byte-order mark in a CSV partner's. Each ends as a finding
that says what the file is (never its bytes read as orders, never a hint that would not help), or, for the
UTF-16 export, is read as meant."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from engine.process import Known, process_file
from parsers.csv_orders import read_csv_orders
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, x12_850

ACME = load_profiles(REPO / "partners")["acme"]
GOOD = x12_850(GOOD_PO)


def _x12(data: bytes):
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=date(2026, 11, 27))
    return out, [(f.code, f.severity) for f in out.findings]


def _stored_zip(*members: tuple[str, bytes]) -> bytes:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as z:  # stored: the members' bytes as they are
        for name, data in members:
            z.writestr(name, data)
    return packed.getvalue()


def test_a_zip_storing_its_850_uncompressed_is_quarantined_unread_like_any_zip():
    """A stored (uncompressed) zip shows its member's text: it was read as the file, its order taken and answered
    with four garbage warnings, a zip of two members read as one file. A zip is never unpacked."""
    for data in (_stored_zip(("po.x12", GOOD)), _stored_zip(("a.x12", GOOD), ("b.x12", GOOD))):
        out, codes = _x12(data)
        assert codes == [("X12_NOT_EDI", "error")] and out.orders.num_rows == 0 and out.documents == []
        assert out.disposition == "quarantine" and out.findings[0].location.value == "zip"
        assert "zip-compressed" in out.findings[0].message


def test_a_pdf_or_an_850_saved_as_utf16_is_named_for_what_it_is():
    """Before: "No ISA segment found" with the bytes ("ÿþI\\x00S\\x00A...") as its value and a spurious
    X12_NOT_UTF8 warning; a UTF-16 850 is an interchange the partner must send one byte a character."""
    cases = ((b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF document"),
             (GOOD.decode().encode("utf-16"), "UTF-16 text"),
             (GOOD.decode().encode("utf-16-le"), "UTF-16 text"),
             (GOOD.decode().encode("utf-16-be"), "UTF-16 text"))
    for data, kind in cases:
        out, codes = _x12(data)
        assert codes == [("X12_NOT_EDI", "error")] and out.documents == [] and out.disposition == "quarantine"
        [f] = out.findings
        assert f.location.value == kind and f.message.startswith((f"A {kind}", kind))


def test_two_files_concatenated_each_with_its_byte_order_mark_are_both_read():
    """`copy /b a.x12+b.x12` of two 850s saved with a UTF-8 mark: the mark before the second ISA hid it, its
    segments were "outside an interchange" (5 errors, the file quarantined) and its PO never read or answered."""
    mark = b"\xef\xbb\xbf"
    second = GOOD.replace(b"000000001", b"000000002").replace(b"PO-1", b"PO-2")
    out, codes = _x12(mark + GOOD + mark + second)
    assert codes == [] and out.orders.num_rows == 2 and out.disposition == "processed"
    assert sorted(out.orders["po_number"].to_pylist()) == ["PO-1", "PO-2"]
    assert [d.doc_type for d in out.documents] == ["997", "997"]


def test_a_csv_export_in_an_x12_drop_says_it_reads_as_csv():
    """Before: only "No ISA segment found: this is not an X12 interchange."."""
    out, codes = _x12(EXPORT.encode("utf-8-sig"))
    assert codes == [("X12_NOT_EDI", "error")] and out.disposition == "quarantine"
    assert "It reads as semicolon-separated text (a CSV export?)" in out.findings[0].message
    out, _ = _x12(b"Order for 12 widgets, please call me.\nBob, Sales\n")  # prose: no such guess
    assert "separated" not in out.findings[0].message


def test_an_empty_file_says_it_is_empty():
    for data, words in ((b"", "The file is empty."), (b" \r\n\r\n", "The file holds only blanks.")):
        out, codes = _x12(data)
        assert codes == [("X12_NOT_EDI", "error")] and words in out.findings[0].message


UMBRELLA = load_profiles(REPO / "partners")["umbrella"].fulfilment.csv_orders
EXPORT = ("PO Number;PO Date;Line;Quantity;Unit;Unit Price;UPC;SKU;Buyer Item;Description;Currency;Ship Date;"
          "Ship To;Ship To Name;Address;City;State;Postal Code;Country\r\n"
          "UMB-6101;26.11.2026;1;20;EA;26,25;;VP-1010;;Sticky notes yellow;USD;04.12.2026;UMB-9;Umbrella Store 9;"
          "1 Main St;Palo Alto;CA;94301;US\r\n")


def _csv(data: bytes):
    return read_csv_orders(data, UMBRELLA, partner="umbrella", file="f.csv")


def test_a_utf16_export_without_its_byte_order_mark_reads_as_the_utf8_one():
    """A .NET or database export in UTF-16 without a mark: read as UTF-8 it was "The header row lacks 'PO Number',
    'Quantity'" (every other byte a NUL), its order quarantined."""
    want = _csv(EXPORT.encode())
    assert want.findings == [] and want.lines.num_rows == 1
    for encoding in ("utf-16-le", "utf-16-be", "utf-16"):
        got = _csv(EXPORT.encode(encoding))
        assert got.findings == [] and got.lines.to_pylist() == want.lines.to_pylist()


def test_a_pdf_or_a_workbook_in_a_csv_drop_is_named_with_no_code_page_suggested():
    """Before: "Not valid utf-8-sig on line 2 ... set the layout's encoding = "cp1252"": a hint that reads the
    PDF's bytes as rows."""
    workbook = _stored_zip(("[Content_Types].xml", b"<?xml version='1.0'?><Types/>"))
    for data, kind in ((b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "A PDF document"),
                       (workbook, "A zip-compressed file (an Excel .xlsx workbook is a zip)"),
                       (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(56), "An Office document (an Excel .xls)")):
        got = _csv(data)
        [f] = got.findings
        assert f.code == "CSV_NOT_DECODABLE" and f.message.startswith(kind) and "cp1252" not in f.message
        assert got.lines.num_rows == 0


def test_an_x12_file_in_a_csv_drop_says_it_is_x12():
    """Before: only "The header row lacks 'PO Number', 'Quantity'."."""
    got = _csv(GOOD)
    [f] = got.findings
    assert f.code == "CSV_COLUMN_MISSING" and "X12 interchange (it begins with ISA)" in f.message


def test_an_empty_csv_says_it_is_empty():
    [f] = _csv(b"").findings
    assert f.code == "CSV_NO_HEADER" and f.message == "The file has no header row. It is empty."
