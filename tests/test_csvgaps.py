"""Gaps in CSV order feeds the rg80 sweep (marketplace exports) noticed and left alone, each closed at its root:

1. a PO whose rows name different ship-tos (a multi-door order) used to keep its first row's and ship every row's
   goods there, said only by CSV_ORDER_INCONSISTENT: each row's ship-to other than its PO's is now its line's own
   (ORDER_LINES ship_to_*, as an 850's PO1-loop N1*ST/N3/N4), so the order takes the 850's path
   (LINE_SHIP_TO_DIFFERS: held for a person; its CSV acknowledgment says IH, "On hold").
2. Handshake's "Partial Shipments: No" (and "Ship complete", "Allow backorders: N") had no layout setting: the
   layout's sales_requirement column and sales_requirement_codes read it as the CSH01 code an 850 sends (SC ships
   complete, N takes no backorder), the order's and, where a row's differs, its line's own.
3. a CSV order sent without a price (no price column, or a blank cell) was answered IP "Price changed", the reason
   "No column 'Unit Price' price": the 850's path for a PO1 without PO104 answers IP at our price (the partner's
   PRICE_MISSING outcome; "accept" answers IA, as Amazon DF's profile does), and so does the CSV's, in its 855 and
   its CSV acknowledgment alike; the acknowledgment's words now say what it is: accepted at our price, none sent.

Umbrella's feed helpers (feed, run_feed, findings, acks, MAPPING ...) live in tests/csv_feed_support.py.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from connectors.state import StateStore
from parsers.csv_orders import read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.csv_feed_support import CSVGAPS, HEAD, MAPPING, MIXED, NIGHT1, PARTIAL, acks, feed, run_feed
from tests.marketplace_support import RG80
from tests.support import REPO, run_night, run_stages

FIXTURES = CSVGAPS


def _answer(rows: list[dict]) -> list[tuple]:
    return [(r["po_number"], r["line_id"], r["status"], r["quantity_accepted"], r["unit_price"], r["reason"])
            for r in rows]


# --- 1. rows of one PO naming different ship-tos ------------------------------------------------------------------

def test_a_row_naming_another_ship_to_than_its_pos_is_its_lines_own():
    """The PO's ship-to is its first row's; a row naming another (id, name or address) keeps the ship-to it sent as
    its line's, its name with its N2 after ", " and its id the buyer's own code (92), as the order's; rows repeating
    the PO's ship-to, or leaving it blank, have none of their own."""
    got = read_csv_orders(feed(
        "U-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Store 9;1 Main St;Palo Alto;CA;94301",
        "U-1;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-7;Store 7;80 Castro St;Mountain View;CA;94041",
        "U-1;26.11.2026;3;10;EA;32,34;VP-1005;04.12.2026;UMB-9;Store 9;1 Main St;Palo Alto;CA;94301",
        "U-1;26.11.2026;4;10;EA;32,34;VP-1005;04.12.2026;;;;;;"), MAPPING, partner="umbrella", file="f.csv")
    assert got.orders.select(["ship_to_id", "ship_to_name", "ship_to_city"]).to_pylist() == [
        {"ship_to_id": "UMB-9", "ship_to_name": "Store 9", "ship_to_city": "Palo Alto"}]
    cols = ["line_id", "ship_to_id_qualifier", "ship_to_id", "ship_to_name", "ship_to_address1", "ship_to_city",
            "ship_to_state", "ship_to_postal_code"]
    assert [tuple(r.values()) for r in got.lines.select(cols).to_pylist()] == [
        ("1", None, None, None, None, None, None, None),
        ("2", "92", "UMB-7", "Store 7", "80 Castro St", "Mountain View", "CA", "94041"),
        ("3", None, None, None, None, None, None, None), ("4", None, None, None, None, None, None, None)]
    said = [(f.code, f.location.row, f.location.column) for f in got.findings]
    assert ("CSV_ORDER_INCONSISTENT", 3, "Ship To") in said
    assert all("its own ship-to" in f.message for f in got.findings if f.location.column == "Ship To")


def test_a_row_naming_a_store_by_its_name_and_address_alone_is_its_lines_own():
    """A marketplace export names its retailer's doors by name and address (no id): a row whose store is another is
    its line's, compared as the 850's N1*ST (the N102 where no id)."""
    layout = MAPPING.model_copy(update={"ship_to_id": None})
    got = read_csv_orders(feed(
        "U-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;1 Main St;Palo Alto;CA;94301",
        "U-2;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;;Juniper Lane Castro;80 Castro St;Mountain View;CA;94041"),
        layout, partner="umbrella", file="f.csv")
    assert got.lines.select(["ship_to_id", "ship_to_name", "ship_to_postal_code"]).to_pylist() == [
        {"ship_to_id": None, "ship_to_name": None, "ship_to_postal_code": None},
        {"ship_to_id": None, "ship_to_name": "Juniper Lane Castro", "ship_to_postal_code": "94041"}]


def test_a_multi_door_csv_order_is_held_as_an_850_naming_a_ship_to_per_line(tmp_path):
    """U-1's second row is for store UMB-7, its first for UMB-9: held for a person (LINE_SHIP_TO_DIFFERS at the row
    and its Ship To column), told IH "On hold" in the night's acknowledgment, nothing accepted (its goods used to ship
    to UMB-9 with a warning). U-2, one store on every row, is answered as before. Approved, U-1 is answered the
    next night (shipped as an 850's approved line ship-tos are: each line to its own place)."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws, found, rows = run_feed(tmp_path / "ws", feed(
        "U-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Store 9;1 Main St;Palo Alto;CA;94301",
        "U-1;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-7;Store 7;80 Castro St;Mountain View;CA;94041",
        "U-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Store 9;1 Main St;Palo Alto;CA;94301",
        "U-2;26.11.2026;2;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Store 9;1 Main St;Palo Alto;CA;94301"))
    assert ("decide", "LINE_SHIP_TO_DIFFERS", 3, "Ship To", "U-1") in found
    state = StateStore(ws.state_path)
    try:
        [said] = [f["message"] for f in state.findings() if f["code"] == "LINE_SHIP_TO_DIFFERS"]
    finally:
        state.close()
    assert said.startswith("Line 2 names its own ship-to (its row's ship-to: Store 7 92 UMB-7), not the order's")
    assert not [f for f in found if f[4] == "U-2"]
    assert not [f for f in found if f[1] in ("SHIP_TO_UNKNOWN", "ADDRESS_INCOMPLETE")]  # UMB-7 is known
    assert _answer(rows)[:2] == [("U-1", "1", "IH", "0", "26,25", "held for review"),
                                 ("U-1", "2", "IH", "0", "32,34", "held for review")]
    assert [(r["po_number"], r["line_id"]) for r in rows[2:]] == [("U-2", "1"), ("U-2", "2")]
    assert {r["status"] for r in rows[2:]} <= {"IA", "IB", "BP"}
    state = StateStore(ws.state_path)
    try:
        assert state.order("umbrella", "U-1").state.value == "held"
    finally:
        state.close()
    res = CliRunner().invoke(app, ["approve", "U-1", "--partner", "umbrella", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_night(ws, datetime(2026, 11, 28, 2))
    final = [r for r in acks(ws) if r["po_number"] == "U-1"][2:]
    assert [r["line_id"] for r in final] == ["1", "2"] and {r["status"] for r in final} <= {"IA", "IB", "BP"}


# --- 2. ship complete per CSV order -------------------------------------------------------------------------------

def test_a_yes_no_column_is_the_orders_sales_requirement_as_an_850s_csh():
    """Handshake's "Partial Shipments" (No: the order ships complete, CSH*SC; Yes: left to the partner's policy), any
    case and spelling of yes and no; a row answering otherwise than its PO's first row keeps its answer as its line's
    own (as a PO1-loop CSH); a value that is no yes or no refuses its PO at its row and column."""
    layout = MAPPING.model_copy(update={"sales_requirement": "Partial Shipments",
                                        "sales_requirement_codes": (("no", "SC"), ("yes", "BK"))})
    got = read_csv_orders(feed("P-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;No",
                               "P-1;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-9;n",
                               "P-1;26.11.2026;3;10;EA;32,34;VP-1005;04.12.2026;UMB-9;TRUE",
                               "P-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;",
                               "P-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;maybe", head=PARTIAL),
                          layout, partner="umbrella", file="f.csv")
    assert got.orders.select(["po_number", "sales_requirement"]).to_pylist() == [
        {"po_number": "P-1", "sales_requirement": "SC"}, {"po_number": "P-2", "sales_requirement": None}]
    assert got.lines.select(["po_number", "line_id", "sales_requirement"]).to_pylist() == [
        {"po_number": "P-1", "line_id": "1", "sales_requirement": None},
        {"po_number": "P-1", "line_id": "2", "sales_requirement": None},
        {"po_number": "P-1", "line_id": "3", "sales_requirement": "BK"},
        {"po_number": "P-2", "line_id": "1", "sales_requirement": None}]
    assert [(f.code, f.severity, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_VALUE_INVALID", "error", 6, "Partial Shipments", "maybe")]
    assert got.rejected == ("P-3",)


@pytest.mark.parametrize("codes", [{"no": "NB"}, {"perhaps": "SC"}, {}])
def test_a_layouts_sales_requirement_codes_are_yes_and_no_each_a_csh01_code_it_acts_on(codes):
    with pytest.raises(ValidationError):
        CsvOrderMapping(sales_requirement="Partial Shipments", sales_requirement_codes=codes)


def test_a_csv_order_taking_no_partial_shipment_is_answered_as_an_850_with_csh_sc(tmp_path):
    """VP-1010 is in stock, VP-1005 only from 15 December. "Partial Shipments: No" ships complete, as CSH*SC
    (tests/test_ship_complete.py): every line promised for the day the whole order can ship, 15 December; "Yes" is
    the usual answer (the stocked line promised for its ship date, 4 December). It used to be read by nothing: the
    stocked line was promised and shipped alone."""
    layout = 'sales_requirement = "Partial Shipments"\nsales_requirement_codes = { no = "SC" }\n'
    _ws, found, rows = run_feed(tmp_path / "ws", feed(
        "U-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;No",
        "U-1;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-9;No",
        "U-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Yes",
        "U-2;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-9;Yes", head=PARTIAL), layout=layout)
    assert not [f for f in found if f[0] == "intake"]
    assert [(r["po_number"], r["line_id"], r["status"], r["quantity_accepted"], r["promised_date"]) for r in rows] == [
        ("U-1", "1", "IA", "20", "15.12.2026"), ("U-1", "2", "IB", "0", "15.12.2026"),
        ("U-2", "1", "IA", "20", "04.12.2026"), ("U-2", "2", "IB", "0", "15.12.2026")]


def test_a_csv_order_allowing_no_backorder_cancels_what_is_not_in_stock_as_csh_n(tmp_path):
    """"Allow backorders: N" read as CSH*N: the line not in stock now is answered IR (no_backorder), not promised for
    15 December."""
    layout = 'sales_requirement = "Allow Backorders"\nsales_requirement_codes = { no = "N", yes = "Y" }\n'
    _ws, _found, rows = run_feed(tmp_path / "ws", feed(
        "U-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;N",
        "U-1;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-9;N", head=PARTIAL.replace("Partial Shipments",
                                                                                       "Allow Backorders")),
        layout=layout)
    assert [(r["line_id"], r["status"], r["quantity_accepted"], r["reason"]) for r in rows] == [
        ("1", "IA", "20", "filled"), ("2", "IR", "0", "no_backorder")]


# --- 3. a CSV order without a price -------------------------------------------------------------------------------

UNPRICED = "PO Number;PO Date;Line;Quantity;Unit;SKU;Ship Date;Ship To"


def _x12(ws) -> list[list[str]]:
    [path] = sorted((ws.drop_root / "umbrella" / "outbox").glob("*-855-*.x12"))
    return [seg.split("*") for seg in path.read_text().replace("\n", "").split("~") if seg[:3] in ("PO1", "ACK")]


def test_a_csv_order_without_a_price_is_answered_at_our_price_as_an_850_without_po104(tmp_path):
    """No price column at all: each line priced at ours (PRICE_MISSING, as an 850's PO1 without PO104), answered IP
    with our price by the CSV acknowledgment and the 855 alike (the 850's answer, whose ACK01 has no code for a
    price supplied); the acknowledgment's words say what it is, "Accepted at our price (none sent)", and its reason
    that no price was sent in the layout's price column. It used to say "Price changed" and "No column 'Unit Price'
    price" of a price nobody sent. A line backordered keeps its status, its reason saying the price is ours."""
    rows = ["U-1;26.11.2026;1;20;EA;VP-1010;04.12.2026;UMB-9", "U-1;26.11.2026;2;10;EA;VP-1005;04.12.2026;UMB-9"]
    _ws, found, ack = run_feed(tmp_path / "ws", feed(*rows, head=UNPRICED))
    assert [(f[1], f[2], f[3]) for f in found] == [("PRICE_MISSING", 2, "Unit Price"),
                                                   ("PRICE_MISSING", 3, "Unit Price")]
    assert [(r["line_id"], r["status"], r["status_text"], r["quantity_accepted"], r["unit_price"], r["reason"])
            for r in ack] == [
        ("1", "IP", "Accepted at our price (none sent)", "20", "26,25",
         "filled; No price was sent in column 'Unit Price'; our price 26.25 applies."),
        ("2", "IB", "Backordered", "0", "32,34",
         "backordered; No price was sent in column 'Unit Price'; our price 32.34 applies.")]
    ws, _found, _ack = run_feed(tmp_path / "x12", feed(*rows, head=UNPRICED), receives='["855", "856", "810"]')
    assert _x12(ws) == [["PO1", "1", "20", "EA", "26.25", "", "VN", "VP-1010"],
                        ["ACK", "IP", "20", "EA", "068", "20261204"],
                        ["PO1", "2", "10", "EA", "32.34", "", "VN", "VP-1005"],
                        ["ACK", "IB", "10", "EA", "068", "20261215"]]


def test_a_blank_price_cell_is_answered_so_and_a_sent_price_as_before(tmp_path):
    """A blank price cell in a priced file is a line sent without a price; a price sent and changed is "Price
    changed" as before."""
    from decimal import Decimal

    from engine.csv_ack import build_csv_ack
    from engine.po_ack import LineAck
    from schemas.fulfilment import CsvAckSettings

    _ws, _found, ack = run_feed(tmp_path / "ws", feed(
        "U-1;26.11.2026;1;20;EA;;VP-1010;04.12.2026;UMB-9", "U-2;26.11.2026;1;20;EA;26,00;VP-1010;04.12.2026;UMB-9",
        head=HEAD.split(";Ship To Name")[0]))
    assert [(r["po_number"], r["status"], r["status_text"], r["unit_price"]) for r in ack] == [
        ("U-1", "IP", "Accepted at our price (none sent)", "26,25"), ("U-2", "IA", "Accepted", "26")]
    line = {"line_number": 1, "line_id": "1", "quantity": Decimal(5), "unit": "EA", "unit_price": Decimal(20)}
    rows = list(csv.DictReader(io.StringIO(build_csv_ack(
        [({"po_number": "P"}, [line, {**line, "unit_price": None}], [LineAck("IP", unit_price=Decimal("26.25"))] * 2)],
        CsvAckSettings()).decode("utf-8-sig"))))
    assert [(r["status"], r["status_text"], r["unit_price"]) for r in rows] == [
        ("IP", "Price changed", "26.25"), ("IP", "Accepted at our price (none sent)", "26.25")]


def test_a_partner_accepting_orders_without_prices_is_answered_ia_at_our_price(tmp_path):
    """As Amazon DF's profile (PRICE_MISSING = "accept"): IA, "Accepted", at our price, in both answers."""
    rows = ["U-1;26.11.2026;1;20;EA;VP-1010;04.12.2026;UMB-9"]
    more = '\n[rules.outcomes]\nPRICE_MISSING = "accept"\n'
    _ws, _found, ack = run_feed(tmp_path / "ws", feed(*rows, head=UNPRICED), more=more)
    assert [(r["status"], r["status_text"], r["unit_price"]) for r in ack] == [("IA", "Accepted", "26,25")]
    ws, _found, _ack = run_feed(tmp_path / "x12", feed(*rows, head=UNPRICED), receives='["855", "856", "810"]',
                                more=more)
    assert _x12(ws) == [["PO1", "1", "20", "EA", "26.25", "", "VN", "VP-1010"],
                        ["ACK", "IA", "20", "EA", "068", "20261204"]]


# --- 4. Amazon Vendor Central's window type ----------------------------------------------------------------------



def _vc(window_type: bool) -> CsvOrderMapping:
    import tomllib

    profile = tomllib.loads((RG80 / "partners" / "amazonvc.toml").read_text(encoding="utf-8"))
    # rg80's Vendor Central profile reads its "Window type" (csvgaps2): without it, the layout as before
    layout = {k: v for k, v in profile["fulfilment"]["csv_orders"].items() if k != "window_type"}
    return CsvOrderMapping(**layout, **({"window_type": "Window type"} if window_type else {}))


def test_a_rows_window_type_says_which_of_its_orders_windows_its_dates_are():
    """7KQ2ZB4X's rows say Delivery (DTM 064/063, as the layout maps Window start/end), 3MPL8W1C's Ship: its dates
    are its ship window (DTM 037/038). Without window_type both read as delivery windows, as before."""
    cols = ["po_number", "ship_not_before", "ship_no_later", "do_not_deliver_before", "do_not_deliver_after"]
    got = read_csv_orders(MIXED.read_bytes(), _vc(True), partner="amazonvc", file=MIXED.name)
    assert got.findings == []
    assert [tuple(r.values()) for r in got.orders.select(cols).to_pylist()] == [
        ("7KQ2ZB4X", None, None, date(2026, 12, 1), date(2026, 12, 8)),
        ("3MPL8W1C", date(2026, 12, 2), date(2026, 12, 9), None, None)]
    before = read_csv_orders(MIXED.read_bytes(), _vc(False), partner="amazonvc", file=MIXED.name)
    assert before.orders["do_not_deliver_before"].to_pylist() == [date(2026, 12, 1), date(2026, 12, 2)]


def test_a_window_type_the_layout_does_not_know_refuses_its_po_and_a_layout_may_name_its_words():
    text = MIXED.read_text(encoding="utf-8").replace(",Ship,", ",Pickup,")
    got = read_csv_orders(text.encode(), _vc(True), partner="amazonvc", file=MIXED.name)
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_VALUE_INVALID", 4, "Window type", "Pickup")]
    assert got.rejected == ("3MPL8W1C",)
    words = _vc(True).model_copy(update={"window_types": (("PICKUP", "ship"), ("DELIVERY", "delivery"))})
    assert read_csv_orders(text.encode(), words, partner="amazonvc", file=MIXED.name).orders[
        "ship_not_before"].to_pylist() == [None, date(2026, 12, 2)]
    with pytest.raises(ValidationError):
        CsvOrderMapping(window_type="Window type", window_types={"Pickup": "collection"})


def test_the_855_promises_a_ship_window_when_it_opens_and_a_delivery_window_less_the_transit_days(tmp_path):
    """Amazon's profile: transit_days = 3. 7KQ2ZB4X's delivery window opens 1 December: promised (ACK 068) for 28
    November, as before; 3MPL8W1C's ship window opens 2 December: promised for 2 December (it used to be read as a
    delivery window: promised for 29 November, shipped three days before Amazon's window opened)."""
    from tests.retailer_support import of_its_own, po_segments, segments

    ws = of_its_own(RG80, tmp_path / "ws", {"amazonvc": []}, warehouses=REPO / "warehouses")
    profile = ws.root / "partners" / "amazonvc.toml"
    assert 'window_type = "Window type"' in profile.read_text(encoding="utf-8")  # rg80's profile reads it (csvgaps2)
    inbox = ws.drop_root / "amazonvc" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    shutil.copy2(MIXED, inbox / MIXED.name)
    run_stages(ws, NIGHT1)
    answers = segments(ws, "amazonvc", "855")
    promised = {po: [s[1:] for s in po_segments(answers, po, "BAK") if s[0] == "ACK"]
                for po in ("7KQ2ZB4X", "3MPL8W1C")}
    assert promised == {"7KQ2ZB4X": [["IA", "60", "EA", "068", "20261128"], ["IA", "48", "EA", "068", "20261128"]],
                        "3MPL8W1C": [["IA", "120", "EA", "068", "20261202"]]}


# --- 5. allowance and charge rows ---------------------------------------------------------------------------------

CHARGES = FIXTURES / "transaction_lines_with_charges.csv"


def _pepperi(**more) -> CsvOrderMapping:
    import tomllib

    profile = tomllib.loads((RG80 / "partners" / "pepperi.toml").read_text(encoding="utf-8"))
    return CsvOrderMapping(**profile["fulfilment"]["csv_orders"], **more)


def test_an_erp_exports_freight_and_discount_lines_are_the_orders_charge_and_allowance():
    """Pepperi's PEP-310077 with a FREIGHT line (45.00) and an ORDER-DISC line (-20.00): its charge (SAC C D240) and
    its allowance (A C310), each at its row, never lines; the order keeps its two lines. Without the setting they are
    read as lines (no such item: rejected beside the order, the freight never billed)."""
    items = (("FREIGHT", "D240"), ("ORDER-DISC", "C310"))
    got = read_csv_orders(CHARGES.read_bytes(), _pepperi(allowance_items=items), partner="pepperi", file=CHARGES.name)
    assert got.findings == [] and got.refused == []
    assert got.lines.select(["po_number", "vendor_part"]).to_pylist() == [
        {"po_number": "PEP-310077", "vendor_part": "TT-SAGE"}, {"po_number": "PEP-310077", "vendor_part": "MUG-SPKL"},
        {"po_number": "PEP-310078", "vendor_part": "NB-A5-DOT"}]
    assert [(r["po_number"], r["order_ref"], r["line_number"], r["kind"], r["code"], r["amount"], r["handling"],
             r["description"], r["file_segment"]) for r in got.sacs.to_pylist()] == [
        ("PEP-310077", "CSV-1-0002", None, "C", "D240", Decimal("45"), "02", "Freight LTL", 4),
        ("PEP-310077", "CSV-1-0002", None, "A", "C310", Decimal("20"), "02", "Show discount", 5)]
    before = read_csv_orders(CHARGES.read_bytes(), _pepperi(), partner="pepperi", file=CHARGES.name)
    assert before.sacs.num_rows == 0 and before.lines.num_rows == 5


def test_an_allowance_row_without_an_amount_or_without_lines_refuses_its_po():
    layout = CsvOrderMapping(record_type="Rec", allowance_records=("A",), allowance_code="Code",
                             allowance_amount="Amount")
    got = read_csv_orders(b"Rec,PO Number,Line,Quantity,Code,Amount\r\nD,P-1,1,2,,\r\nA,P-1,,,C310,abc\r\n"
                          b"A,P-2,,,D240,12.00\r\n", layout, partner="p", file="f.csv")
    assert [(f.code, f.location.row, f.location.column) for f in got.findings] == [
        ("CSV_NUMBER_INVALID", 3, "Amount"), ("CSV_VALUE_MISSING", 4, "PO Number")]
    assert got.rejected == ("P-1", "P-2") and got.sacs.num_rows == 0
    with pytest.raises(ValidationError):
        CsvOrderMapping(allowance_items={"Freight": "freight"})
    with pytest.raises(ValidationError):
        CsvOrderMapping(allowance_records=("A",))


def test_a_csv_orders_charge_and_allowance_are_stored_with_it_and_carried_to_its_810(tmp_path):
    """Through the night and the east DC's confirmation: PEP-310077's 810 bills its two lines (364.00 + 259.20) with
    the freight charge and the discount (SAC*C*D240 45.00, SAC*A*C310 20.00, SAC12 02 off invoice): TDS 648.20, as
    an 850 with those heading SACs is billed."""
    from tests.retailer_support import of_its_own, po_segments, segments, shipped_night

    ws = of_its_own(RG80, tmp_path / "ws", {"pepperi": []}, warehouses=REPO / "warehouses")
    profile = ws.root / "partners" / "pepperi.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        'ship_to_name = "Account Name"\n',
        'ship_to_name = "Account Name"\nallowance_items = { FREIGHT = "D240", ORDER-DISC = "C310" }\n'),
        encoding="utf-8")
    shutil.copy2(CHARGES, ws.drop_root / "pepperi" / "inbox" / CHARGES.name)
    _ws, _found, states = shipped_night(ws, RG80, NIGHT1, datetime(2026, 12, 1, 15))
    assert states[("pepperi", "PEP-310077")] == "invoiced"
    invoice = po_segments(segments(ws, "pepperi", "810"), "PEP-310077", "BIG")
    assert [s[:6] for s in invoice if s[0] == "SAC"] == [["SAC", "C", "D240", "", "", "4500"],
                                                          ["SAC", "A", "C310", "", "", "2000"]]
    assert [s[1] for s in invoice if s[0] == "TDS"] == ["64820"]
