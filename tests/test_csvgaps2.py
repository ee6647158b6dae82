"""Gaps in CSV order feeds the rg80 sweep and the csvgaps round left, each closed at its root (csvgaps2):

1. an edited copy of an order in a later export pasted into the same file (the header repeated, a line already read
   repeated with other values) used to be read as more lines of the order, both versions taken (its quantities
   doubled: over-shipped). The version the layout's updated_at column says is newer is taken (CSV_ORDER_SUPERSEDED);
   where none says, the PO is refused naming both versions' rows (CSV_ORDER_EDITED): never both.
2. two doors of one retailer named alike, no location id (a row naming the order's ship-to name at another address)
   were one party (rules.business.places.same_party by id, else name): the address tells them apart, so such a line
   is held (LINE_SHIP_TO_DIFFERS) and, once approved, shipped and billed to its own door.
3. an allowance or charge row was told by its amount's sign alone (a cart's discount written positive billed as a
   charge): the row's kind column (allowance_kind), its allowance_items kind, its words, then the sign; a charge
   written negative refuses its PO (CSV_VALUE_INVALID).
4. findings name the column as the partner's file names it: a window date moved by window_type ("Window end", not
   the layout's default "Ship No Later"), a no-backorder refusal (the layout's sales_requirement column, not CSH01).
5. rg80's Vendor Central and Handshake profiles read the columns their exports carry (window_type, the
   partial-shipments flag as sales_requirement).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from parsers.csv_orders import read_csv_orders, updated_stamp
from schemas.fulfilment import CsvOrderMapping
from tests.marketplace_support import export_of as _file
from tests.marketplace_support import layout_of as _mapping
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "csvgaps2"


# --- 1. an edited copy of an order in a later pasted export ----------------------------------------------------

def _pepperi(later: list[str], *, updated_at: str | None = "Action Date Time", batch_rows: int = 10_000) -> tuple:
    """Pepperi's export of the night (tests/fixtures/rg80) with ``later`` rows pasted below it under its header again;
    its layout reading the transaction's "Action Date Time" as the version's time too (updated_at)."""
    text = _file("pepperi").read_text(encoding="utf-8").splitlines()
    mapping = _mapping("pepperi").model_copy(update={"updated_at": updated_at})
    data = ("\n".join([*text, text[0], *later]) + "\n").encode()
    return read_csv_orders(data, mapping, partner="pepperi", file="f.csv", batch_rows=batch_rows), text


def _lines(got) -> list[tuple]:
    return [(r["po_number"], r["line_id"], r["vendor_part"], r["quantity"], r["file_segment"])
            for r in got.lines.to_pylist()]


def test_an_edited_copy_without_an_updated_at_refuses_its_po_naming_both_versions():
    """Faire's export says not when an order changed: its beanie's quantity 12 in yesterday's export, 24 in today's
    pasted below it. Neither is read beside the other (both were: 36 beanies shipped); the PO is refused at the later
    version's first row, its message naming both versions' rows and the line repeated; every row of it answered IR
    with that reason. The other order stands."""
    today = _file("fairecad").read_text(encoding="utf-8").splitlines()
    edited = [today[1].replace(",12,CA$24.50,", ",24,CA$24.50,"), *today[2:]]
    got = read_csv_orders(("\n".join([*today[:3], today[0], *edited]) + "\n").encode(), _mapping("fairecad"),
                          partner="p", file="f.csv")
    assert [(f.code, f.severity, f.location.row) for f in got.findings] == [("CSV_ORDER_EDITED", "error", 5)]
    message = got.findings[0].message
    assert "PO KQ8N3TZ4PD: rows 5-6, after the header repeated at row 4" in message
    assert "another version of its rows 2-3: row 5 repeats the line of row 2 with other values" in message
    assert "updated_at" in message
    assert got.rejected == ("KQ8N3TZ4PD",)
    assert got.orders.select(["po_number", "line_count"]).to_pylist() == [{"po_number": "RW2M7XJ9QB",
                                                                            "line_count": 2}]
    assert [(r.row, r.po_number) for r in got.refused] == [(2, "KQ8N3TZ4PD"), (3, "KQ8N3TZ4PD"), (5, "KQ8N3TZ4PD"),
                                                           (6, "KQ8N3TZ4PD")]
    assert all("CSV_ORDER_EDITED" not in r.reason and "another version" in r.reason for r in got.refused)


def test_the_newer_version_by_the_updated_at_column_is_taken_alone():
    """Pepperi's transaction edited after the night's export (the mug's quantity 24 -> 30, the towel's 40 -> 48, its
    action time later) pasted below it: the later version is taken, the earlier's rows are no lines; a warning at
    the earlier's first row. The order's values are the later version's (its date-time), its lines numbered 1..n."""
    got, text = _pepperi([text_row.replace(",40,9.10,", ",48,9.10,").replace("14:03:12Z", "18:30:00Z")
                          .replace(",24,12.00,", ",30,12.00,")
                          for text_row in _file("pepperi").read_text(encoding="utf-8").splitlines()[1:3]])
    assert [(f.code, f.severity, f.location.row) for f in got.findings] == [("CSV_ORDER_SUPERSEDED", "warning", 2)]
    assert ("PO PEP-310077: rows 2-3 are an earlier version of its rows 6-7" in got.findings[0].message
            and "updated 2026-11-26 14:03:12 and 2026-11-26 18:30:00" in got.findings[0].message)
    assert _lines(got) == [("PEP-310077", "1", "TT-SAGE", Decimal(48), 6), ("PEP-310077", "2", "MUG-SPKL",
                                                                            Decimal(30), 7),
                           ("PEP-310078", "1", "NB-A5-DOT", Decimal(50), 4)]
    assert got.orders.select(["po_number", "line_count", "po_date"]).to_pylist() == [
        {"po_number": "PEP-310077", "line_count": 2, "po_date": date(2026, 11, 26)},
        {"po_number": "PEP-310078", "line_count": 1, "po_date": date(2026, 11, 26)}]


@pytest.mark.parametrize("batch_rows", [10_000, 1, 2, 3])
def test_an_older_version_pasted_below_is_dropped_and_the_newer_keeps_its_own_order_values(batch_rows):
    """The copy below is the older (its time earlier, another account name and date): the first version stands,
    its order values its own (not the older copy's), the copy's rows dropped with a warning at its first row; alike
    when the file is read a few rows at a time (the repeated header met in a later batch)."""
    rows = [r.replace(",40,9.10,", ",10,9.10,").replace("2026-11-26T14:03:12Z", "2026-11-25T08:00:00Z")
            .replace("Cedar & Salt Home,", "Cedar and Salt,")
            for r in _file("pepperi").read_text(encoding="utf-8").splitlines()[1:3]]
    got, _ = _pepperi(rows, batch_rows=batch_rows)
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_ORDER_SUPERSEDED", 6)]
    assert "rows 6-7 are an earlier version of its rows 2-3" in got.findings[0].message
    assert _lines(got)[:2] == [("PEP-310077", "1", "TT-SAGE", Decimal(40), 2),
                               ("PEP-310077", "2", "MUG-SPKL", Decimal(24), 3)]
    head = got.orders.to_pylist()[0]
    assert (head["po_date"], head["ship_to_name"]) == (date(2026, 11, 26), "Cedar & Salt Home")
    assert got.lines["ship_to_name"].to_pylist()[:2] == [None, None]  # no line of its own: the PO's ship-to


def test_a_newer_version_naming_another_ship_to_is_the_orders_ship_to_not_a_line_of_another_door():
    """The newer version moves the order to another account: the order's ship-to is the newer's, its lines have none
    of their own (not held as a multi-door order against the dropped version's account)."""
    rows = [r.replace("14:03:12Z", "19:00:00Z").replace("ACC-7781,Cedar & Salt Home,", "ACC-7790,Cedar & Salt Home "
                                                                                          "Outlet,")
            for r in _file("pepperi").read_text(encoding="utf-8").splitlines()[1:3]]
    got, _ = _pepperi(rows)
    assert [f.code for f in got.findings] == ["CSV_ORDER_SUPERSEDED"]
    head = got.orders.to_pylist()[0]
    assert (head["ship_to_id"], head["ship_to_name"]) == ("ACC-7790", "Cedar & Salt Home Outlet")
    assert got.lines["ship_to_id"].to_pylist() == [None, None, None]


@pytest.mark.parametrize("later", ["2026-11-26T14:03:12Z", ""])
def test_versions_the_updated_at_does_not_tell_apart_refuse_the_po(later):
    """The same updated-at on both versions, or none on the later: which is newer is not known, the PO refused."""
    rows = [r.replace(",40,9.10,", ",48,9.10,").replace("2026-11-26T14:03:12Z", later)
            for r in _file("pepperi").read_text(encoding="utf-8").splitlines()[1:3]]
    got, _ = _pepperi(rows)
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_ORDER_EDITED", 6)]
    assert "their updated-at values do not tell which is newer" in got.findings[0].message
    assert got.orders["po_number"].to_pylist() == ["PEP-310078"]


def test_updated_at_values_in_other_zones_compare_as_instants():
    """09:30 in New York (-05:00) is after 14:03 UTC: the later-pasted version, written in another zone, is newer."""
    rows = [r.replace(",40,9.10,", ",48,9.10,").replace("2026-11-26T14:03:12Z", "2026-11-26T09:30:00-05:00")
            for r in _file("pepperi").read_text(encoding="utf-8").splitlines()[1:3]]
    got, _ = _pepperi(rows)
    assert [(f.code, f.location.row) for f in got.findings] == [("CSV_ORDER_SUPERSEDED", 2)]
    assert _lines(got)[0][3] == Decimal(48)


def test_an_updated_at_is_iso_or_the_layouts_date_and_a_time_of_day():
    us = CsvOrderMapping(date_format="%m/%d/%Y")
    assert updated_stamp("11/26/2026 9:15 PM", us) == datetime(2026, 11, 26, 21, 15)
    assert updated_stamp("11/26/2026 12:05:09 AM", us) == datetime(2026, 11, 26, 0, 5, 9)
    assert updated_stamp("11/26/2026", us) == datetime(2026, 11, 26)
    assert updated_stamp("2026-11-26 10:30:15+01:00", us) == datetime(2026, 11, 26, 9, 30, 15)
    assert updated_stamp("yesterday", us) is None


def test_an_unreadable_updated_at_refuses_its_po_at_its_row_and_column():
    got, _ = _pepperi([], updated_at="Remark")  # the remark "show special" at row 3 is no date-time
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_DATE_INVALID", 3, "Remark", "show special")]
    assert got.orders["po_number"].to_pylist() == ["PEP-310078"]


def test_a_later_export_repeating_a_line_id_with_another_item_is_a_version_and_a_page_break_stays_lines():
    """Line ids are the line's key where the export sends them: line 2 again with another item after the header is
    another version of the order (refused, no updated-at); a page break's rows with new line ids stay lines."""
    head = "PO Number,Line,Quantity,SKU"
    edited = read_csv_orders(f"{head}\nP1,1,12,VP-1\nP1,2,6,VP-2\n{head}\nP1,2,6,VP-3\n".encode(), CsvOrderMapping(),
                             partner="p", file="f.csv")
    paged = read_csv_orders(f"{head}\nP1,1,12,VP-1\n{head}\nP1,2,6,VP-1\n".encode(), CsvOrderMapping(), partner="p",
                            file="f.csv")
    assert [(f.code, f.location.row) for f in edited.findings] == [("CSV_ORDER_EDITED", 5)]
    assert "row 5 repeats the line of row 3 with other values" in edited.findings[0].message
    assert paged.findings == [] and paged.lines["line_id"].to_pylist() == ["1", "2"]


# --- 2. two doors of one retailer named alike, no location id ----------------------------------------------------

def test_one_name_at_two_addresses_is_two_places_and_at_one_address_written_otherwise_one():
    """same_party compared a line's ship-to with its order's by id, else by name alone: two doors of one retailer
    named alike (no location id) were one party. Their addresses tell them apart; the same address written in
    another case, spacing or punctuation, or a ZIP and its ZIP+4, is one place; a part one side leaves blank (or a
    table without address columns) tells nothing."""
    from rules.business.places import same_party

    head = {"ship_to_name": "Juniper Lane", "ship_to_id_qualifier": None, "ship_to_id": None,
            "ship_to_address1": "410 Main St.", "ship_to_city": "Park City", "ship_to_state": "UT",
            "ship_to_postal_code": "84060", "ship_to_country": "US"}
    other = {**head, "ship_to_address1": "1 Canyons Resort Dr", "ship_to_postal_code": "84098"}
    alike = {**head, "ship_to_address1": "410 MAIN  ST", "ship_to_postal_code": "84060-1234",
             "ship_to_country": "USA", "ship_to_state": None}
    assert not same_party(other, head) and not same_party(head, other)
    assert same_party(alike, head)
    assert same_party({k: head[k] for k in ("ship_to_name", "ship_to_id_qualifier", "ship_to_id")}, other)
    assert same_party({**other, "ship_to_id": "J-1", "ship_to_id_qualifier": "92"},
                      {**head, "ship_to_id": "J-1", "ship_to_id_qualifier": "92"})  # one id: one place


def _doors(second: str) -> bytes:
    from tests.csv_feed_support import feed

    return feed("U-3;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;;Juniper Lane;410 Main St;Park City;UT;84060",
                f"U-3;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;;Juniper Lane;{second}")


def test_a_csv_orders_row_naming_its_retailer_at_another_door_is_held_as_a_line_ship_to(tmp_path):
    """U-3's rows name "Juniper Lane" without a location id, the second at another address: held for a person
    (LINE_SHIP_TO_DIFFERS at the row, its message naming both addresses), answered IH; it used to be taken as the
    order's own ship-to, the second door's goods shipped to the first. The line keeps the address it sent."""
    from tests.csv_feed_support import acks, findings, run_feed

    ws, found, rows = run_feed(tmp_path / "ws", _doors("1 Canyons Resort Dr;Park City;UT;84098"))
    assert ("decide", "LINE_SHIP_TO_DIFFERS", 3, "Ship To Name", "U-3") in found
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        [said] = [f["message"] for f in state.findings() if f["code"] == "LINE_SHIP_TO_DIFFERS"]
        assert state.order("umbrella", "U-3").state.value == "held"
    finally:
        state.close()
    assert ("(its row's ship-to: Juniper Lane at 1 Canyons Resort Dr, Park City, UT, 84098), not the order's "
            "(Juniper Lane at 410 Main St, Park City, UT, 84060)") in said
    assert [(r["line_id"], r["status"]) for r in acks(ws)] == [("1", "IH"), ("2", "IH")]
    assert not [f for f in findings(ws) if f[1] in ("SHIP_TO_UNKNOWN", "ADDRESS_INCOMPLETE")]


def test_a_csv_orders_row_at_its_retailers_one_door_written_otherwise_is_not_held(tmp_path):
    """The same door written in capitals with a ZIP+4: one place, the order answered, nothing held."""
    from tests.csv_feed_support import run_feed

    _ws, found, rows = run_feed(tmp_path / "ws", _doors("410 MAIN ST.;Park City;UT;84060-1234"))
    assert not [f for f in found if f[1] == "LINE_SHIP_TO_DIFFERS"]
    assert {r["status"] for r in rows} <= {"IA", "IB", "BP"} and len(rows) == 2


def test_a_line_at_its_orders_name_and_another_address_ships_and_bills_to_its_own_door():
    """Where the approved line goes: engine.shipments.own_ship_tos (the 856's N1*ST) and the invoice's
    line_ship_tos name its own door, not its order's (they compared by name alone: the order's door)."""
    import pyarrow as pa

    from engine.lifecycle.billing import line_ship_tos
    from engine.shipments import own_ship_tos
    from tests.csv_feed_support import MAPPING

    got = read_csv_orders(_doors("1 Canyons Resort Dr;Park City;UT;84098"),
                          MAPPING.model_copy(update={"ship_to_id": None}), partner="umbrella", file="f.csv")
    assert got.lines["ship_to_address1"].to_pylist() == [None, "1 Canyons Resort Dr"]
    confirmed = pa.table({"partner": ["umbrella"] * 2, "po_number": ["U-3"] * 2, "line_id": ["1", "2"]})
    parties = own_ship_tos(confirmed, got.orders, got.lines)
    assert parties[0] is None and (parties[1].name, parties[1].address1, parties[1].postal_code) == (
        "Juniper Lane", "1 Canyons Resort Dr", "84098")
    assert line_ship_tos(got.orders, got.lines)[("umbrella", "U-3")][2][3:6] == ("1 Canyons Resort Dr", "",
                                                                                 "Park City")


# --- 3. allowance or charge as the row says it, not by its sign alone --------------------------------------------

def _sacs(got) -> list[tuple]:
    return [(r["po_number"], r["kind"], r["code"], r["amount"], r["description"]) for r in got.sacs.to_pylist()]


def test_a_carts_discount_written_positive_is_an_allowance_by_its_words():
    """A Shopify export through Matrixify (tests/fixtures/csvgaps2/matrixify_orders.csv: a "Line: Type" per row, Line
    Item, Discount, Shipping Line) writes its discount as a positive amount: read by the sign alone it was a charge
    (the order billed 10.00 more, not less). The row's words say which: the discount an allowance of 10.00, the
    shipping a charge of 18.00."""
    got = read_csv_orders((FIXTURES / "matrixify_orders.csv").read_bytes(), CsvOrderMapping(
        po_number="Name", po_date=None, line_id=None, unit=None, upc=None, buyer_part=None, currency=None,
        requested_ship_date=None, ship_to_id=None, ship_to_name=None, ship_to_address1=None, ship_to_address2=None,
        ship_to_city=None, ship_to_state=None, ship_to_postal_code=None, ship_to_country=None,
        record_type="Line: Type", allowance_records=("Discount", "Shipping Line"), quantity="Line: Quantity",
        unit_price="Line: Price", vendor_part="Line: SKU", description="Line: Title",
        allowance_amount="Line: Total"), partner="p", file="matrixify_orders.csv")
    assert got.findings == []
    assert got.lines.select(["vendor_part", "quantity"]).to_pylist() == [
        {"vendor_part": "CN-AMBER-8OZ", "quantity": Decimal(12)}, {"vendor_part": "NB-A5-DOT", "quantity": Decimal(20)}]
    assert _sacs(got) == [("#W5120", "A", None, Decimal("10.0000"), "Wholesale 5% off"),
                          ("#W5120", "C", None, Decimal("18.0000"), "Flat rate")]


FLAT = "Record,PO Number,Line,Quantity,Unit Price,SKU,A/C,Allowance Code,Amount,Description"


def _flat(*rows: str, **layout) -> object:
    return read_csv_orders(("\r\n".join([FLAT, "D,F-1,1,12,18.00,VP-1,,,,", *rows]) + "\r\n").encode(),
                           CsvOrderMapping(record_type="Record", allowance_records=("A",), allowance_code="Allowance "
                                           "Code", allowance_amount="Amount", description="Description", **layout),
                           partner="p", file="f.csv")


def test_a_flat_files_allowance_or_charge_indicator_says_the_kind_of_an_unsigned_amount():
    """An 850 flat file's A record carries SAC01 (A or C) in a column of its own and the amount unsigned, as the
    SAC's SAC05: by the sign alone every one was a charge. The layout's allowance_kind reads the indicator."""
    got = _flat("A,F-1,,,,,A,C310,21.60,Volume", "A,F-1,,,,,C,D240,45.00,Freight", "A,F-1,,,,,allowance,A260,5,",
                allowance_kind="A/C")
    assert got.findings == []
    assert _sacs(got) == [("F-1", "A", "C310", Decimal("21.6000"), "Volume"),
                          ("F-1", "C", "D240", Decimal("45.0000"), "Freight"),
                          ("F-1", "A", "A260", Decimal("5.0000"), None)]
    unsaid = _flat("A,F-1,,,,,,C310,21.60,Volume", allowance_kind="A/C")  # a blank indicator: the words, the sign
    assert _sacs(unsaid) == [("F-1", "C", "C310", Decimal("21.6000"), "Volume")]


def test_a_charge_written_negative_or_a_kind_the_layout_does_not_know_refuses_the_po_at_its_row_and_column():
    """A row the export calls a charge with a negative amount contradicts itself (a charge never lowers the total):
    charged or allowed is not known, the PO refused at the amount's column; a kind word the layout's allowance_kinds
    do not list, at the kind's column. A discount written negative (an ERP's discount line) is an allowance."""
    negative = _flat("A,F-1,,,,,C,D240,-45.00,Freight", allowance_kind="A/C")
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in negative.findings] == [
        ("CSV_VALUE_INVALID", 3, "Amount", "-45.00")]
    assert "Row 3 is a charge by its 'A/C' 'C' and its 'Amount' -45.00 is negative" in negative.findings[0].message
    assert negative.orders.num_rows == 0 and negative.rejected == ("F-1",)
    worded = _flat("A,F-1,,,,,,D240,-45.00,Freight LTL")
    assert [(f.code, f.location.column) for f in worded.findings] == [("CSV_VALUE_INVALID", "Amount")]
    assert "by its words ('A Freight LTL')" in worded.findings[0].message
    unknown = _flat("A,F-1,,,,,X,D240,45.00,Freight", allowance_kind="A/C")
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in unknown.findings] == [
        ("CSV_VALUE_INVALID", 3, "A/C", "X")]
    allowed = _flat("A,F-1,,,,,,C310,-20.00,Show discount", "A,F-1,,,,,,C310,20.00,Show discount")
    assert [k for _po, k, *_ in _sacs(allowed)] == ["A", "A"]
    both = _flat("A,F-1,,,,,,D240,-5.00,Shipping discount", "A,F-1,,,,,,D240,5.00,Shipping discount")
    assert [k for _po, k, *_ in _sacs(both)] == ["A", "C"]  # saying both kinds: the sign tells


def test_an_allowance_items_entry_may_name_its_kind():
    """allowance_items {PROMO = "A:C310"}: the item's row is an allowance whatever sign its price is written with;
    a kind other than A or C, or a code not of four letters or digits, is refused when the profile loads."""
    from pydantic import ValidationError

    layout = CsvOrderMapping(allowance_items={"PROMO": "A:C310", "FRT": "C:D240"}, unit_price="Unit Price")
    data = b"PO Number,Line,Quantity,Unit Price,SKU\nP-1,1,12,18.00,VP-1\nP-1,,1,15.00,PROMO\nP-1,,1,9.00,FRT\n"
    got = read_csv_orders(data, layout, partner="p", file="f.csv")
    assert [(k, c, a) for _po, k, c, a, _d in _sacs(got)] == [("A", "C310", Decimal("15.0000")),
                                                                ("C", "D240", Decimal("9.0000"))]
    for bad in ({"PROMO": "X:C310"}, {"PROMO": "A:C31"}):
        with pytest.raises(ValidationError, match="allowance_items"):
            CsvOrderMapping(allowance_items=bad)
    with pytest.raises(ValidationError, match="allowance_kinds"):
        CsvOrderMapping(allowance_kinds={"Rabatt": "allowance"})


# --- 4. findings name the column as the partner's file names it ---------------------------------------------------

def _night_findings(ws) -> list[dict]:
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return [dict(f) for f in state.findings()]
    finally:
        state.close()


def test_a_rule_on_a_window_date_moved_by_its_window_type_names_the_files_column(tmp_path):
    """Vendor Central's Ship row: its window read from "Window start" / "Window end" (the layout's delivery window
    columns) into the ship window (DTM 037/038; rg80's profile reads the "Window type"). A rule's finding on its end
    (DATE_IN_PAST) named the layout's default "Ship No Later", a column the file has not: it names "Window end", at
    the row."""
    from tests.csv_feed_support import MIXED, NIGHT1
    from tests.marketplace_support import RG80
    from tests.retailer_support import of_its_own
    from tests.support import run_stages

    ws = of_its_own(RG80, tmp_path / "ws", {"amazonvc": []}, warehouses=REPO / "warehouses")
    inbox = ws.drop_root / "amazonvc" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / MIXED.name).write_text(MIXED.read_text(encoding="utf-8").replace(
        ",Ship,12/02/2026,12/09/2026,", ",Ship,11/20/2026,11/24/2026,"), encoding="utf-8")
    run_stages(ws, NIGHT1)
    [past] = [f for f in _night_findings(ws) if f["code"] == "DATE_IN_PAST"]
    assert (past["po_number"], past["row_number"], past["column_name"]) == ("3MPL8W1C", 4, "Window end")
    assert "column 'Window end' (DTM 038 (ship no later))" in past["message"]


def test_a_stock_refusal_for_a_csv_orders_no_backorder_answer_names_its_column(tmp_path):
    """"Allow Backorders: N" read as CSH*N: the line not in stock is refused; the finding (and the acknowledgment's
    reason) said "its CSH01 N or SP", an element the partner never sent: it names the file's column."""
    from tests.csv_feed_support import PARTIAL, feed, run_feed

    head = PARTIAL.replace("Partial Shipments", "Allow Backorders")
    ws, _found, rows = run_feed(tmp_path / "ws", feed(
        "U-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;N",
        "U-1;26.11.2026;2;10;EA;32,34;VP-1005;04.12.2026;UMB-9;N", head=head),
        layout='sales_requirement = "Allow Backorders"\nsales_requirement_codes = { no = "N", yes = "Y" }\n')
    [short] = [f for f in _night_findings(ws) if f["code"] == "STOCK_SHORT_REJECTED"]
    assert short["row_number"] == 3 and "CSH01 N or SP" in short["message"]
    assert "the PO takes no backorder (its 'Allow Backorders' answer, read as CSH01 N or SP)" in short["message"]


def test_the_column_a_moved_window_date_was_sent_in():
    """engine.csv_findings.sent_in: a layout with window_type names the other pair's column where its own is left at
    its default; without window_type, or with both pairs named, each date its own column."""
    from engine.csv_findings import sent_in

    vc = CsvOrderMapping(do_not_deliver_before="Window start", do_not_deliver_after="Window end",
                         window_type="Window type")
    assert [sent_in(f, vc) for f in ("ship_not_before", "ship_no_later", "do_not_deliver_after", "cancel_after")] \
        == ["do_not_deliver_before", "do_not_deliver_after", "do_not_deliver_after", "cancel_after"]
    assert sent_in("ship_no_later", vc.model_copy(update={"window_type": None})) == "ship_no_later"
    both = CsvOrderMapping(ship_no_later="Ship by", do_not_deliver_after="Deliver by", window_type="Kind")
    assert sent_in("ship_no_later", both) == "ship_no_later"


# --- 5. rg80's profiles read the columns their exports carry ------------------------------------------------------

RG80 = REPO / "tests" / "fixtures" / "rg80"


def test_rg80s_exports_read_with_the_csvgaps_settings_their_columns_call_for():
    """Vendor Central's profile reads its "Window type" (every row Delivery: DTM 064/063, as its layout mapped
    them), Handshake's its "Partial Shipments" (Yes: the partner's policy, no CSH); no platform's rows name another
    ship-to than their PO's first row (no line of a multi-door order), so every line ships to its order's; and none
    has an allowance row (WooCommerce's shipping and discount are columns of the order: its SACs)."""
    from tests.marketplace_support import POS
    from tests.marketplace_support import read_export as _read

    assert _mapping("amazonvc").window_type == "Window type"
    assert _read("amazonvc").orders.select(["po_number", "ship_not_before", "do_not_deliver_before"]).to_pylist() == [
        {"po_number": "7KQ2ZB4X", "ship_not_before": None, "do_not_deliver_before": date(2026, 12, 1)},
        {"po_number": "3MPL8W1C", "ship_not_before": None, "do_not_deliver_before": date(2026, 12, 2)}]
    handshake = _read("handshake")
    assert (_mapping("handshake").sales_requirement, handshake.orders["sales_requirement"].to_pylist()) == (
        "Partial Shipments", [None])
    own = ("ship_to_id", "ship_to_name", "ship_to_address1")
    for partner in POS:
        got = _read(partner)
        assert {c: got.lines[c].null_count for c in own} == dict.fromkeys(own, got.lines.num_rows), partner
        # no allowance rows; WooCommerce's shipping_total and cart_discount columns its profile's order_charges reads
        # (since csvgaps4: W5120's 18.00 of shipping and 10.00 of discount, once each; before, no SAC at all)
        assert [(r["po_number"], r["kind"], r["code"], r["amount"]) for r in got.sacs.to_pylist()] == (
            [("W5120", "C", "D240", Decimal("18.0000")), ("W5120", "A", "C310", Decimal("10.0000"))]
            if partner == "woocommerce" else []), partner


def test_a_handshake_order_taking_no_partial_shipment_through_rg80s_profile_ships_complete(tmp_path):
    """Handshake's "Partial Shipments: No" on HS-58211, its navy beanie (SKU-2003) out of stock until a receipt on 2
    December (before its own cancel date, 3 December): read as CSH*SC by rg80's profile, every line is promised for
    the day the whole order can ship (2 December), the stocked ones not shipped alone on 27 November; "Yes" (as rg80's
    export says) promises the stocked lines for the night's day and backorders the navy beanie."""
    import pyarrow as pa

    from connectors.reference import read_reference_csv
    from connectors.snapshots import write_receipts, write_snapshot
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT
    from tests.marketplace_support import NIGHT
    from tests.marketplace_support import csv_acks as _acks
    from tests.retailer_support import of_its_own
    from tests.support import run_stages

    answers = {}
    for flag in ("No", "Yes"):
        ws = of_its_own(RG80, tmp_path / flag, {"handshake": []}, warehouses=REPO / "warehouses")
        stock = (RG80 / "stock.csv").read_text(encoding="utf-8").replace("EAST,SKU-2003,5000,", "EAST,SKU-2003,0,")
        write_snapshot(ws.inventory_dir / "snapshots", read_reference_csv(stock.encode(), name="stock.csv",
                                                                           schema=INVENTORY_SNAPSHOT))
        write_receipts(ws.inventory_dir / "receipts.parquet", pa.table(
            {"warehouse": ["EAST"], "sku": ["SKU-2003"], "quantity": [500], "eta": [date(2026, 12, 2)]},
            schema=EXPECTED_RECEIPTS))
        inbox = ws.drop_root / "handshake" / "inbox"
        export = _file("handshake")
        (inbox / export.name).write_bytes(export.read_bytes().replace(b",Net 30,Yes,", f",Net 30,{flag},".encode()))
        run_stages(ws, NIGHT)
        answers[flag] = [(r["line_id"], r["status"], r["quantity_accepted"], r["promised_date"])
                         for r in _acks(ws, "handshake")]
    assert answers["No"] == [("1", "IA", "24", "2026-12-02"), ("2", "IB", "0", "2026-12-02"),
                             ("3", "IA", "36", "2026-12-02")]
    assert answers["Yes"] == [("1", "IA", "24", "2026-11-27"), ("2", "IB", "0", "2026-12-02"),
                              ("3", "IA", "36", "2026-11-27")]
