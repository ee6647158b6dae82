"""860 sets become CHANGE_HEADERS and ORDER_CHANGES rows: the corpus sample and synthetic changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from parsers.orders_860 import read_changes
from schemas.changes import CHANGE_HEADERS, ORDER_CHANGES
from tests.support import corpus_dir

from .builders import parse_860, read_change, sets_860, x12_860


def test_corpus_860_reads_header_and_two_deletes() -> None:
    path = corpus_dir() / "x12" / "860" / "oopfactory__Example1.txt"
    result = parse_860(path.read_bytes(), file=path.name)
    headers, changes = read_changes(result, sets_860(result), partner="corpus", source_sha256="abc")
    assert headers.schema == CHANGE_HEADERS and changes.schema == ORDER_CHANGES
    (h,) = headers.to_pylist()
    assert (h["po_number"], h["purpose"], h["order_type"], h["st02"]) == ("PO NUMBER", "04", "SA", "56488")
    assert h["po_date"] is None  # BCH06 is the text "PO DATE" in this sample
    assert h["change_date"] == date(2008, 3, 10)  # BCH11
    assert (h["line_count"], h["ctt_line_count"]) == (2, 2)
    rows = changes.to_pylist()
    assert [(r["line_id"], r["change_type"]) for r in rows] == [("1", "DI"), ("2", "DI")]
    assert [(r["buyer_part"], r["vendor_part"]) for r in rows] == [
        ("59123", "018100775285"),
        ("86111", "039307384346"),
    ]
    assert rows[0]["product_ids"] == [
        {"qualifier": "IN", "id": "59123"},
        {"qualifier": "VN", "id": "018100775285"},
    ]
    assert [(r["segment_position"], r["file_segment"], r["change_ref"]) for r in rows] == [
        (6, 8, "000000568-568-56488"),
        (7, 9, "000000568-568-56488"),
    ]
    assert all(r["source_sha256"] == "abc" and r["source_file"] == path.name for r in rows)


def test_synthetic_860_values_are_typed() -> None:
    header, changes = read_change(
        ["POC*3*AI*5.5*5.5*CA>12*4.125*PE*UP*073000040482*VN*SKU-9", "PID*F****NEW WIDGET", "POC*1*QI*20**EA"]
    )
    assert (header["change_order_ref"], header["po_date"], header["change_date"]) == (
        "3",
        date(2026, 11, 26),
        date(2026, 11, 28),
    )
    add, inc = changes.to_pylist()
    assert add["quantity_ordered"] == Decimal("5.5") and add["quantity_left_to_receive"] == Decimal("5.5")
    assert add["unit"] == "CA"  # first component of the C001 composite
    assert add["unit_price"] == Decimal("4.125") and add["price_basis"] == "PE"
    assert (add["upc"], add["vendor_part"], add["description"]) == ("073000040482", "SKU-9", "NEW WIDGET")
    assert (inc["poc_number"], inc["quantity_ordered"], inc["unit"], inc["description"]) == (
        2,
        Decimal(20),
        "EA",
        None,
    )
    assert inc["po_number"] == "PO-1" and inc["purpose"] == "04"


def test_change_date_falls_back_to_bch06_and_sets_stay_apart() -> None:
    body = "ST*860*{st}~BCH*04*SA*{po}**1*20261120~POC*1*DI~CTT*1~SE*5*{st}~"
    one = x12_860(["BCH*04*SA*PO-7**1*20261120", "POC*1*DI", "CTT*1"]).decode()
    two = one.replace("GE*1*2~", body.format(st="0002", po="PO-8") + "GE*2*2~")
    result = parse_860(two.encode())
    headers, changes = read_changes(result, sets_860(result), partner="acme")
    assert headers.column("po_number").to_pylist() == ["PO-7", "PO-8"]
    assert headers.column("change_date").to_pylist() == [date(2026, 11, 20)] * 2
    assert changes.column("po_number").to_pylist() == ["PO-7", "PO-8"]
    assert changes.column("poc_number").to_pylist() == [1, 1]


def test_no_sets_give_empty_tables() -> None:
    result = parse_860(x12_860(["BCH*01*SA*PO-1**1*20261126"]))
    headers, changes = read_changes(result, [], partner="acme")
    assert headers.num_rows == 0 and changes.num_rows == 0 and changes.schema == ORDER_CHANGES


def test_a_new_price_sent_in_a_ctp_of_the_poc_loop_is_the_changes_price() -> None:
    """POC06 is optional: a buyer that prices its PO1 lines in CTP (CTP02 UCP, the 850 reader takes it)
    sends the new price of a PC change there too; it used to be read as no price and the change refused
    CHANGE_PRICE_INVALID. POC06 wins when sent; a retail price (RES) is no cost; a heading CTP is no POC's."""
    from engine.changes import apply_changes

    from .builders import live_order

    pocs = ["POC*2*PC*6*6*EA***VN*SKU-2", "CTP**RES*19.99", "CTP**UCP*9.5", "POC*1*PC*12*12*EA*2.4*PE",
            "CTP**UCP*2.2", "POC*3*AI*4*4*EA***VN*SKU-3", "CTP**RES*1.99"]
    header, changes = read_change(pocs)
    assert changes["unit_price"].to_pylist() == [Decimal("9.5"), Decimal("2.4"), None]
    order, lines = live_order()
    got = apply_changes(order, lines, header, read_change(pocs[:5])[1], shipped=False)
    assert not got.rejected and got.findings == []
    assert [r.status for r in got.line_results] == ["IP", "IP"]
    assert sorted((r["line_id"], r["unit_price"]) for r in got.new_lines.to_pylist()) == [
        ("1", Decimal("2.4")), ("2", Decimal("9.5"))]
    result = parse_860(x12_860(["BCH*04*SA*PO-1**3*20261126", "CTP**UCP*7", "POC*2*PC*6*6*EA", "CTT*1"]))
    _, heading_only = read_changes(result, sets_860(result), partner="acme")
    assert heading_only["unit_price"].to_pylist() == [None]


def test_a_poc_priced_by_ctp_quantity_breaks_takes_the_break_of_its_new_quantity() -> None:
    # X12's CTP figure: CTP03 the price from CTP04 units of CTP05 on
    breaks = ["CTP**CON*10*1*EA", "CTP**CON*9*100*EA"]
    _, changes = read_change(["POC*1*QD*150*150*EA***VN*SKU-1", *breaks, "POC*2*PC*50*50*EA***VN*SKU-2", *breaks])
    assert changes["unit_price"].to_pylist() == [Decimal(9), Decimal(10)]


def test_a_poc_priced_by_a_ctp_with_a_multiplier_is_refused() -> None:
    """CTP07 multiplies CTP03 into the price meant (0.90 with CTP06 DIS: 10% off): applied as CTP03, the line
    would take a price the buyer never asked; the change is refused (865 IR) instead."""
    from engine.changes import apply_changes

    from .builders import live_order

    pocs = ["POC*1*PC*12*12*EA***VN*SKU-1", "CTP**UCP*2.2*1*EA*DIS*0.90", "POC*2*PC*6*6*EA***VN*SKU-2",
            "CTP**UCP*9.5"]
    header, changes = read_change(pocs)
    assert changes["price_multiplier_sent"].to_pylist() == ["0.90 DIS", None]
    order, lines = live_order()
    got = apply_changes(order, lines, header, changes, shipped=False)
    assert [r.status for r in got.line_results] == ["IR", "IP"]
    [f] = got.findings
    assert f.code == "CHANGE_PRICE_INVALID" and "carries a multiplier (CTP07 0.90, CTP06 DIS)" in f.message
    assert sorted((r["line_id"], r["unit_price"]) for r in got.new_lines.to_pylist())[1] == ("2", Decimal("9.5"))


def test_heading_dates_and_ship_to_are_read_before_the_first_poc() -> None:
    body = ["BCH*04*SA*PO-1**3*20261126", "DTM*010*20261210", "DTM*002*261215", "DTM*999*20261201",
            "DTM*010*20261231", "N1*BT*HQ*92*1", "N3*1 HQ WAY", "N1*ST*STORE 9*92*0009", "N2*DOCK B",
            "N3*9 MAIN ST*UNIT 4", "N4*AUSTIN*TX*78701*US", "POC*1*QI*20**EA", "DTM*010*20270101",
            "N1*ST*LINE PARTY*92*7", "CTT*1"]
    result = parse_860(x12_860(body))
    headers, _ = read_changes(result, sets_860(result), partner="acme")
    (h,) = headers.to_pylist()
    assert (h["requested_ship_date"], h["requested_delivery_date"]) == (date(2026, 12, 10), date(2026, 12, 15))
    assert h["ship_not_before"] is None and h["ship_no_later"] is None
    # N2 joined to the name after ", " and kept on its own, as the 850 reads it (rg70: the 856 writes it as N2)
    assert (h["ship_to_name"], h["ship_to_id_qualifier"], h["ship_to_id"]) == ("STORE 9, DOCK B", "92", "0009")
    assert h["ship_to_name2"] == "DOCK B" and h["ship_to_contact_sent"] is None
    assert (h["ship_to_address1"], h["ship_to_address2"], h["ship_to_city"], h["ship_to_state"],
            h["ship_to_postal_code"], h["ship_to_country"]) == ("9 MAIN ST", "UNIT 4", "AUSTIN", "TX", "78701", "US")


def test_a_heading_n4_naming_its_state_by_location_is_read_as_the_850_reads_it() -> None:
    """N405 SP / N406 (and 005010's N407) where N402 is empty: a Mexican chain's CEDIS in Nuevo Leon (NLE), three
    letters N402's two cannot hold; the ship-to's and a kept party's (BT) state alike."""
    body = ["BCH*04*SA*PO-1**3*20261126", "N1*BT*CADENA HQ*92*1", "N4*SAN PEDRO GARZA GARCIA**66220*MX***NLE",
            "N1*ST*CEDIS MONTERREY*92*0040", "N3*AV CONSTITUCION 100", "N4*MONTERREY**64000*MX*SP*NLE",
            "POC*1*QI*20**EA", "CTT*1"]
    result = parse_860(x12_860(body))
    headers, _ = read_changes(result, sets_860(result), partner="acme")
    (h,) = headers.to_pylist()
    assert (h["ship_to_city"], h["ship_to_state"], h["ship_to_postal_code"], h["ship_to_country"]) == (
        "MONTERREY", "NLE", "64000", "MX")
    (bt,) = h["parties_sent"]
    assert (bt["qualifier"], bt["city"], bt["state"]) == ("BT", "SAN PEDRO GARZA GARCIA", "NLE")
    # N402 sent wins over N406, as in the 850; a location other than SP (N405 CC, county) is no state
    result = parse_860(x12_860(["BCH*04*SA*PO-1**3*20261126", "N1*ST*STORE*92*1", "N4*AUSTIN*TX*78701*US*CC*TRAVIS",
                                "POC*1*QI*20**EA", "CTT*1"]))
    assert read_changes(result, sets_860(result), partner="acme")[0].to_pylist()[0]["ship_to_state"] == "TX"
    result = parse_860(x12_860(["BCH*04*SA*PO-1**3*20261126", "N1*ST*STORE*92*1", "N4*AUSTIN**78701*US*CC*TRAVIS",
                                "POC*1*QI*20**EA", "CTT*1"]))
    assert read_changes(result, sets_860(result), partner="acme")[0].to_pylist()[0]["ship_to_state"] is None


def test_a_heading_without_dates_or_ship_to_reads_them_as_null() -> None:
    header, _ = read_change(["POC*1*QI*20**EA"])
    assert header["requested_ship_date"] is None and header["ship_to_id"] is None and header["ship_to_name"] is None


def test_change_headers_stored_before_the_heading_columns_read_them_as_null(tmp_path) -> None:
    import pyarrow.parquet as pq

    from connectors.order_store import OrderStore
    from schemas.changes import CHANGE_ADDED_LATER

    result = parse_860(x12_860(["BCH*04*SA*PO-1**3*20261126", "DTM*010*20261210", "POC*1*QI*20**EA", "CTT*1"]))
    headers, changes = read_changes(result, sets_860(result), partner="acme")
    store = OrderStore(tmp_path)
    store.save_changes("acme", "old", headers, changes)
    path = tmp_path / "acme" / "old.change-headers.parquet"
    pq.write_table(pq.read_table(path).drop_columns(sorted(CHANGE_ADDED_LATER)), path)
    loaded, _ = store.load_changes("acme", "old")
    assert loaded.schema == CHANGE_HEADERS and loaded["requested_ship_date"].to_pylist() == [None]


def test_a_change_priced_per_hundred_is_read_per_unit_as_the_850_is() -> None:
    """The 850 reader restates a price per several units per unit where exact (1970 HP is 19.70 PE); the
    860 reader does the same, so a POC restating the line's price per hundred is no price change."""
    from engine.changes import apply_changes

    from .builders import live_order

    _, per_hundred = read_change(["POC*1*QI*24*24*EA*250*HP"])  # GOOD_PO line 1 is 2.50 per EA
    assert per_hundred.select(["unit_price", "price_basis"]).to_pylist() == [
        {"unit_price": Decimal("2.5"), "price_basis": "PE"}]
    _, inexact = read_change(["POC*1*QI*24*24*EA*250.001*HP"])  # 2.50001 per EA: left as sent
    assert inexact.select(["unit_price", "price_basis"]).to_pylist() == [
        {"unit_price": Decimal("250.001"), "price_basis": "HP"}]
    order, lines = live_order()
    outcomes = []
    for poc in ("POC*1*QI*24*24*EA*250*HP", "POC*1*QI*24*24*EA*2.5*PE"):
        header, changes = read_change([poc])
        got = apply_changes(order, lines, header, changes, shipped=False)
        outcomes.append(([r.status for r in got.line_results], [
            (r["line_id"], r["quantity"], r["unit_price"], r["price_basis"]) for r in got.new_lines.to_pylist()]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1][0] == ("1", Decimal("24"), Decimal("2.5"), "PE")


def test_a_poc_loop_s_own_cancel_and_do_not_deliver_dates_are_read() -> None:
    """The first DTM 001/063/064 of each POC loop before its N1, SCH, N9 or SLN: the line's new dates (a DTM05
    range of a latest date gives its end); the heading's DTM 001 is the order's, not a line's."""
    body = ["BCH*04*SA*PO-1**3*20261126", "DTM*001*20261230", "POC*1*CT**", "DTM*001*20261220",
            "DTM*064*20261201", "POC*2*CT", "SCH*6*EA****002*20261201", "DTM*001*20261221",
            "POC*3*QD*4*4*EA", "DTM*063****RD8*20261201-20261215", "CTT*3"]
    result = parse_860(x12_860(body))
    headers, changes = read_changes(result, sets_860(result), partner="acme")
    assert headers["cancel_after"].to_pylist() == [date(2026, 12, 30)]
    assert changes.select(["line_id", "cancel_after", "do_not_deliver_after", "do_not_deliver_before"]).to_pylist() \
        == [{"line_id": "1", "cancel_after": date(2026, 12, 20), "do_not_deliver_after": None,
             "do_not_deliver_before": date(2026, 12, 1)},
            {"line_id": "2", "cancel_after": None, "do_not_deliver_after": None, "do_not_deliver_before": None},
            {"line_id": "3", "cancel_after": None, "do_not_deliver_after": date(2026, 12, 15),
             "do_not_deliver_before": None}]


def test_the_po4_of_a_poc_loop_is_read_as_the_850s() -> None:
    """A POC's PO4 (the pack of an added line in cartons, `PO4*2*6*EA`), not a subline's, is the POC's; a POC
    without one reads null. It used to be passed over: the added CT line was not convertible."""
    pocs = ["POC*1*QI*3**CA", "POC*2*AI*3**CT*10*PE*VN*SKU-3", "PO4*2*6*EA", "POC*3*AI*1**BX*5*PE*VN*SKU-4",
            "PO4*12*************4", "POC*4*AI*1**CT*5*PE*VN*SKU-5", "SLN*1**I*1*EA", "PO4*9"]
    _header, changes = read_change(pocs)
    assert changes["po4_pack"].to_pylist() == [None, 2, 12, None]
    assert changes["po4_inner_pack"].to_pylist() == [None, None, 4, None]
    assert changes["po4_size"].to_pylist() == [None, Decimal(6), None, None]
    assert changes["po4_size_unit"].to_pylist() == [None, "EA", None, None]
