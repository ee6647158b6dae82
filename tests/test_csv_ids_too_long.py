"""A CSV order's ids are written back unchanged by whatever answers it: a partner answered in X12 (an
855, or sent 856s and 810s) cannot be sent a PO number longer than BEG03/PRF01/BIG04 take (22), a line
id longer than PO101/LIN01/IT101 (20) or a product id longer than PO107/LIN03/IT107 (48), and an id is
never cut. Such a row is CSV_ID_TOO_LONG at its row and column, naming the element and its limit, and
its PO is refused (left out, as a row with any error leaves it); a partner answered in CSV only has no
such limit."""

from __future__ import annotations

from engine.process import process_csv_file
from parsers.csv_orders import read_csv_orders
from schemas.profile import load_profile
from tests.support import REPO

UMBRELLA = load_profile(REPO / "partners" / "umbrella.toml")  # CSV orders; CSV acks, X12 856s and 810s (005010)
CSV_ONLY = UMBRELLA.model_copy(update={"receives": ("csv_ack",)})
PO_22, PO_23 = "P" * 22, "Q" * 23
HEADER = "PO Number;PO Date;Line;Quantity;Unit Price;UPC;SKU;Buyer Item"


def feed(*rows: str) -> bytes:
    return ("\n".join((HEADER, *rows)) + "\n").encode()


FILE = feed(f"{PO_22};26.11.2026;1;2;1,50;614141100101;VP-1;",  # every id at its limit: fine
            f"{PO_22};26.11.2026;{'L' * 20};1;1,50;;{'V' * 48};{'B' * 48}",
            f"{PO_23};26.11.2026;1;2;1,50;614141100101;;",  # a PO number one too long
            "PO-3;26.11.2026;1;2;1,50;;VP-1;",
            f"PO-3;26.11.2026;2;2;1,50;;{'V' * 49};",  # the second row's vendor item one too long: PO-3 refused
            f"PO-4;26.11.2026;{'L' * 21};2;1,50;;VP-1;",  # a line id one too long
            "PO-5;26.11.2026;1;2;1,50;;VP-1;")


def read(profile):
    return read_csv_orders(FILE, profile.fulfilment.csv_orders, partner="umbrella", file="o.csv",
                           id_limits=profile.csv_id_limits())


def test_an_id_too_long_for_the_x12_answer_refuses_its_po_at_row_and_column():
    got = read(UMBRELLA)
    assert [(f.code, f.severity, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_ID_TOO_LONG", "error", 4, "PO Number"), ("CSV_ID_TOO_LONG", "error", 6, "SKU"),
        ("CSV_ID_TOO_LONG", "error", 7, "Line")]
    po, item, line = (f.message for f in got.findings)
    assert f"'{PO_23}' has 23 characters" in po and "Purchase Order Number (22 at most)" in po and "refused" in po
    assert "49 characters" in item and "Product/Service ID (48 at most)" in item
    assert "21 characters" in line and "Assigned Identification (20 at most)" in line
    assert got.rejected == ("PO-3", "PO-4", PO_23)
    assert got.orders["po_number"].to_pylist() == [PO_22, "PO-5"]
    kept = got.lines.filter([p == PO_22 for p in got.lines["po_number"].to_pylist()])
    assert kept["line_id"].to_pylist() == ["1", "L" * 20]  # at the limit: whole
    assert kept["vendor_part"].to_pylist() == ["VP-1", "V" * 48] and kept["buyer_part"].to_pylist() == [None, "B" * 48]


def test_a_partner_answered_in_csv_only_keeps_any_length():
    got = read(CSV_ONLY)
    assert got.findings == [] and got.rejected == ()
    assert got.orders["po_number"].to_pylist() == [PO_22, PO_23, "PO-3", "PO-4", "PO-5"]
    assert ("V" * 49) in got.lines["vendor_part"].to_pylist() and ("L" * 21) in got.lines["line_id"].to_pylist()
    assert CSV_ONLY.csv_id_limits() == {}
    for receives in (("csv_ack", "856"), ("csv_ack", "810"), ("855",)):
        limits = UMBRELLA.model_copy(update={"receives": receives}).csv_id_limits()
        assert {k: v[0] for k, v in limits.items()} == {"po_number": 22, "release_number": 30, "line_id": 20,
                                                       "upc": 48, "gtin": 48, "vendor_part": 48, "buyer_part": 48}, \
            receives


def test_the_intake_of_such_a_file_quarantines_it_with_the_finding():
    out = process_csv_file(FILE, file="o.csv", sha256="sha", profile=UMBRELLA)
    assert out.disposition == "quarantine"
    assert sorted({f.code for f in out.findings}) == ["CSV_ID_TOO_LONG"]
    assert out.orders["po_number"].to_pylist() == [PO_22, "PO-5"]
    alone = process_csv_file(FILE, file="o.csv", sha256="sha", profile=CSV_ONLY)
    assert alone.disposition == "processed" and alone.orders.num_rows == 5
