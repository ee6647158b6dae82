"""A CSV order feed saved through a spreadsheet stores a UPC as a number and drops its leading zero
(UPC 012345678905 arrives as 12345678905; a GTIN-14 00012345678905 as 12345678905 too). Many US company
prefixes begin with 0, so this is the feed's everyday shape: the line used to be rejected
(GTIN_CHECK_DIGIT_INVALID, ITEM_UNKNOWN). The digits' right check digit shows the zeros were dropped: the
value is read with them (a CSV_LEADING_ZEROS_RESTORED warning at its row and column) and the line is
taken. A number whose check digit is wrong either way, or an 11-digit UPC without its check digit, is
left to the item rules as before."""

from __future__ import annotations

from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from schemas.reference import gs1_check_digit
from tests.test_csv_order_shapes_run import feed, run_feed

BODY = "01234567890"  # a UPC-A's first 11 digits, company prefix 0123456 (a leading zero)
UPC = BODY + str(gs1_check_digit(BODY))  # 012345678905
HEAD = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;UPC;GTIN;SKU;Ship Date;Ship To"
MAPPING = CsvOrderMapping(delimiter=";", decimal_separator=",", thousands_separator=".", date_format="%d.%m.%Y",
                          gtin="GTIN")


def _read(*rows: str):
    return read_csv_orders(feed(HEAD, *rows), MAPPING, partner="umbrella", file="feed.csv")


def test_a_upc_or_gtin_without_its_leading_zeros_is_read_with_them_and_said_so():
    got = _read(f"U-1;26.11.2026;1;10;EA;32,34;{UPC[1:]};;;04.12.2026;UMB-9",
                f"U-1;26.11.2026;2;10;EA;32,34;;{UPC[1:]};;04.12.2026;UMB-9",
                f"U-1;26.11.2026;3;10;EA;32,34;;00{UPC};;04.12.2026;UMB-9")  # a whole GTIN-14: as sent
    assert got.lines.column("upc").to_pylist() == [UPC, None, None]
    assert got.lines.column("gtin").to_pylist() == [None, "00" + UPC, "00" + UPC]
    assert [[p["id"] for p in ids] for ids in got.lines.column("product_ids").to_pylist()] == [
        [UPC], ["00" + UPC], ["00" + UPC]]
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_LEADING_ZEROS_RESTORED", "warning", 2, "UPC", UPC[1:]),
        ("CSV_LEADING_ZEROS_RESTORED", "warning", 3, "GTIN", UPC[1:])]
    assert f"read as {UPC}" in got.findings[0].message and f"read as 00{UPC}" in got.findings[1].message


def test_numbers_that_are_not_a_gs1_number_with_zeros_put_back_are_left_as_sent():
    wrong = BODY[1:] + str((int(UPC[-1]) + 1) % 10)  # 11 digits, its check digit wrong however padded
    ean8 = "96385074"  # a valid GTIN-8 (EAN-8) in the UPC column: a GTIN of its own length
    got = _read(f"U-1;26.11.2026;1;10;EA;32,34;{wrong};;;04.12.2026;UMB-9",
                f"U-1;26.11.2026;2;10;EA;32,34;{ean8};;;04.12.2026;UMB-9",
                f"U-1;26.11.2026;3;10;EA;32,34;{BODY[-5:]};;;04.12.2026;UMB-9",  # too short to be a UPC's digits
                f"U-1;26.11.2026;4;10;EA;32,34;{UPC};;;04.12.2026;UMB-9")  # whole: nothing to say
    assert got.lines.column("upc").to_pylist() == [wrong, ean8, BODY[-5:], UPC]
    assert [f.code for f in got.findings] == []


def test_a_spreadsheet_saved_feed_with_a_zero_led_upc_is_taken_and_answered(tmp_path):
    """Through the real night: the item is found by its UPC, the line accepted in the CSV acknowledgment."""
    from tests.support import REPO

    original = (REPO / "sample_files" / "reference" / "items.csv").read_text()
    assert "614141100736" in original  # SKU-1010, priced for umbrella, in stock
    patched = original.replace("00614141100736,614141100736", f"00{UPC},{UPC}")
    root = tmp_path / "ws"
    ws, found, ack = run_feed(root, feed(HEAD, f"UMB-7001;26.11.2026;1;10;EA;26,25;{UPC[1:]};;;04.12.2026;UMB-9"),
                              layout='gtin = "GTIN"\n', reference={"items.csv": patched})
    assert ("intake", "CSV_LEADING_ZEROS_RESTORED", 2, "UPC", "UMB-7001") in found
    assert not [f for f in found if f[1] in ("GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN")], found
    assert len(ack) == 1 and ack[0].startswith("UMB-7001;1;IA;"), ack


def test_a_upc_in_scientific_notation_is_read_back_when_every_digit_is_kept():
    """Excel writes a long number column in scientific notation: 7.12345678901E+11 keeps all 12 digits of UPC
    712345678901 (read back, a warning at its row and column), 1,2345678905E+10 those of 12345678905 (the UPC
    012345678905 without its zero: read back, then its zero put back); 6,14141E+11 keeps 6 of 12 (left as sent:
    the item rule rejects it, saying which digits are lost)."""
    whole = "712345678901"
    got = _read("U-1;26.11.2026;1;10;EA;32,34;7.12345678901E+11;;;04.12.2026;UMB-9",
                "U-1;26.11.2026;2;10;EA;32,34;1,2345678905E+10;;;04.12.2026;UMB-9",
                "U-1;26.11.2026;3;10;EA;32,34;;1.0012345678905e+13;;04.12.2026;UMB-9",
                "U-1;26.11.2026;4;10;EA;32,34;6,14141E+11;;;04.12.2026;UMB-9")
    assert got.lines.column("upc").to_pylist() == [whole, UPC, None, "6,14141E+11"]
    assert got.lines.column("gtin").to_pylist() == [None, None, "10012345678905", None]
    assert [(f.code, f.severity, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_SCIENTIFIC_RESTORED", "warning", 2, "UPC"), ("CSV_SCIENTIFIC_RESTORED", "warning", 3, "UPC"),
        ("CSV_LEADING_ZEROS_RESTORED", "warning", 3, "UPC"), ("CSV_SCIENTIFIC_RESTORED", "warning", 4, "GTIN")]
    assert f"read as {whole}" in got.findings[0].message and "all its 12 digits" in got.findings[0].message


def test_a_rounded_upc_is_rejected_saying_which_digits_the_spreadsheet_lost():
    from rules.business.items import check_gtin_check_digits

    got = _read("U-1;26.11.2026;1;10;EA;32,34;6,14141E+11;;;04.12.2026;UMB-9")
    [f] = check_gtin_check_digits(got.lines)
    assert f.code == "GTIN_CHECK_DIGIT_INVALID" and f.location.value == "6,14141E+11"
    assert "a spreadsheet rounded the number (scientific notation): of its 12 digits only the first 6, 614141, " \
        "are kept, digits 7-12 are lost" in f.message


def test_a_feed_whose_upc_excel_wrote_in_scientific_notation_is_taken_and_answered(tmp_path):
    """Through the real night: SKU-1010's UPC 614141100736 as 6.14141100736E+11 finds the item, line accepted."""
    from tests.support import REPO

    assert "614141100736" in (REPO / "sample_files" / "reference" / "items.csv").read_text()
    ws, found, ack = run_feed(tmp_path / "ws", feed(HEAD, "UMB-7001;26.11.2026;1;10;EA;26,25;6,14141100736E+11;;;"
                                                          "04.12.2026;UMB-9"), layout='gtin = "GTIN"\n')
    assert ("intake", "CSV_SCIENTIFIC_RESTORED", 2, "UPC", "UMB-7001") in found
    assert not [f for f in found if f[1] in ("GTIN_CHECK_DIGIT_INVALID", "ITEM_UNKNOWN")], found
    assert len(ack) == 1 and ack[0].startswith("UMB-7001;1;IA;"), ack
