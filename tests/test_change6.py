"""What the change5 and shipgaps3 rounds left: a rebuilt store restates CTP05-priced lines as the night did; the 880
check of an RZ to another item counts the new item's pack; GS1 lengths per X12 product id qualifier; Guam's ChST and
French/Spanish Java dates in shipment confirmations."""

from __future__ import annotations

from datetime import datetime

# 1. a rebuilt store restates a line priced by a CTP per another unit, as intake did -----------------------------

CTP_LINE = b"PO1*4*50*EA***CB*LUG-2AWG*VP*RG46-06~\nCTP**UCP*18.60*1*BX~\nPID*F****MECHANICAL LUG 2 AWG~\n"


def test_a_rebuilt_night_restates_a_line_priced_per_its_ctp05_as_the_night_did(tmp_path):
    """Rexel's 850 with a 4th line, ``PO1*4*50*EA`` of RG46-06 priced ``CTP**UCP*18.60*1*BX`` (a box of 25 in
    item_units): the night took it in at 0.744 per EA (flows.intake.by_ctp_units), price_unit_sent BX. The rebuild
    replayed the archive without that step: its stored line stayed 18.60 per BX (price_unit BX)."""
    import pyarrow.parquet as pq

    from tests.retailer_support import recounted
    from tests.test_rebuild_new_features import _copy, _live_and_rebuilt, _same

    fixtures = _copy("rg46", tmp_path)
    [po] = (fixtures / "drops" / "rexel").iterdir()
    data = po.read_bytes()
    assert b"CTT*3*1008" in data
    data = data.replace(b"CTT*3*1008~", CTP_LINE + b"CTT*4*1058~", 1)
    po.write_bytes(recounted(data))
    live, lost, _done = _live_and_rebuilt(fixtures, tmp_path, datetime(2026, 11, 25, 2), keep=("rexel",))
    lines = [r for p in (live / "state" / "orders").rglob("*.lines.parquet") for r in pq.read_table(p).to_pylist()
             if r["line_number"] == 4]
    assert [(str(r["unit_price"]), r["price_unit"], r["price_unit_sent"]) for r in lines] == [("0.7440", None, "BX")]
    rebuilt = [r for p in (lost / "state" / "orders").rglob("*.lines.parquet") for r in pq.read_table(p).to_pylist()
               if r["line_number"] == 4]
    assert [(str(r["unit_price"]), r["price_unit"], r["price_unit_sent"]) for r in rebuilt] == [("0.7440", None, "BX")]
    _same(live, lost)


# 2. the 880 check of an RZ to another item: the new item's case pack and minimum -----------------------------------

def _880_change(tmp_path, line: str, poc: str):
    """acme billed by the 880 (tests/test_880_partial_dozen_billing's grocer) with PO-1 of ``line``, then an 860 of
    ``poc``: (findings of PO-1, its story, the 865's BCA and ACK segments)."""
    from tests.test_880_changes import _865, _change
    from tests.test_880_partial_dozen_billing import _grocer, _look

    ws = _grocer(tmp_path, line)
    _change(ws, poc, datetime(2026, 11, 28, 2))
    found, told = _look(ws)
    return found, told, [s[:2] for s in _865(ws) if s[0] in ("BCA", "ACK")]


def test_an_rz_to_an_item_in_cases_of_12_is_checked_for_the_880_by_that_case(tmp_path):
    """24 EA of SKU-1011 (sold singly) at 54.73 per dozen, changed by ``POC*1*RZ*20*24*EA*470.41*PD*VN*VP-1003`` to
    20 EA of SKU-1003 at 470.41 per dozen, a case of 12 (minimum 12): as the 855 answers it, 24 EA in whole cases, 2
    dozens the 880 states. It was judged by SKU-1011's pack of 1 (20 EA: 1.666.. DZ, 39.200833.. per EA, no
    statement) and refused, PRICE_BASIS_NOT_ON_880."""
    found, told, acks = _880_change(tmp_path, "PO1*1*24*EA*54.73*PD*VN*VP-1011",
                                    "POC*1*RZ*20*24*EA*470.41*PD*VN*VP-1003")
    assert "PRICE_BASIS_NOT_ON_880" not in [f["code"] for f in found], [f["message"] for f in found]
    assert ["ACK", "IR"] not in acks, acks
    assert told["order"]["state"] == "acknowledged", told["order"]
    # (answered in whole cases of 12: CASE_PACK_ROUNDED, 24 EA)
    assert [(ln["sku"], ln["ordered"], ln["unit_price"]) for ln in told["lines"]] == [("SKU-1003", "24", "470.41")]


def test_an_rz_to_an_item_sold_singly_is_checked_for_the_880_by_that_item(tmp_path):
    """The other way: 24 EA of SKU-1003 (a case of 12) at 470.41 per dozen changed by
    ``POC*1*RZ*20*24*EA*54.73*PD*VN*VP-1011`` to 20 EA of SKU-1011, sold singly: 1.666.. dozens at 54.73 per dozen,
    which the 880 cannot state. It was judged by SKU-1003's case (answered as 24 EA: 2 dozens) and applied, to be
    held at decide at the 850's PO102. Now refused at its POC03, the line left as it was."""
    found, told, acks = _880_change(tmp_path, "PO1*1*24*EA*470.41*PD*VN*VP-1003",
                                    "POC*1*RZ*20*24*EA*54.73*PD*VN*VP-1011")
    [f] = [f for f in found if f["code"] == "PRICE_BASIS_NOT_ON_880"]
    assert (f["file"], f["segment_id"], f["element"], f["value"]) == ("chg.x12", "POC", "POC03", "20"), f
    assert ["ACK", "IR"] in acks, acks
    assert [(ln["sku"], ln["ordered"]) for ln in told["lines"]] == [("SKU-1003", "24")], told["lines"]


# 3. what each GS1 qualifier of code list 235 names ---------------------------------------------------------------

import pytest  # noqa: E402


@pytest.mark.parametrize(("qualifier", "sent", "read"), [
    ("UP", "614141100248", "00614141100248"),  # a UPC-A
    ("UP", "0614141100248", "00614141100248"),  # its EAN-13 form, a leading 0: what many translators send
    ("UP", "00614141100248", "00614141100248"),  # its GTIN-14 form
    ("UP", "0 0614141 100248", "00614141100248"),  # printed, with a leading 0
    ("UP", "96385074", "00000096385074"),  # 8 digits: an EAN-8 as before (and its UPC-E reading: upc_readings)
    ("UP", "4006381333931", None),  # an EAN-13: no U.P.C. (was read)
    ("UP", "04006381333931", None),  # the same in 14 digits
    ("UP", "4 006381 333931", None),
    ("UP", "10614141100245", None),  # a case's GTIN-14 (indicator 1): no consumer package code (was read)
    ("EN", "4006381333931", "04006381333931"),
    ("EN", "614141100248", "00614141100248"),  # a UPC-A is an EAN-13 with a leading 0: read as before
    ("EN", "04006381333931", "04006381333931"),
    ("EN", "10614141100245", None),  # a GTIN-14 of indicator 1 is no EAN-13 (was read)
    ("EO", "96385074", "00000096385074"),
    ("EO", "0000096385074", "00000096385074"),
    ("EO", "614141100248", None),  # a UPC-A is no EAN-8 (was read)
    ("UK", "10614141100245", "10614141100245"),  # UK, a GTIN-14: any GTIN, zero-filled or not
    ("UK", "614141100248", "00614141100248"),
    ("UK", "4006381333931", "04006381333931"),
    (None, "4006381333931", "04006381333931"),  # no qualifier: as before
])
def test_a_gs1_number_is_read_under_a_qualifier_that_names_it(qualifier, sent, read):
    """X12 code list 235: UP "UCC - 12" (a U.P.C.-A), EN "EAN/UCC - 13", EO "EAN/UCC - 8", UK "EAN/UCC - 14". A number
    of that structure is read however many leading zeros fill it to 13 or 14 digits (GS1 keeps GTINs right-justified
    in 14); one of a longer structure (non-zero digits before it) is not. normalise_gtin read any valid GS1 length
    under any qualifier: an EAN-13 or a case's GTIN-14 sent as UP named an item as if it were its U.P.C."""
    from schemas.reference import normalise_gtin

    assert normalise_gtin(sent, qualifier) == read


@pytest.mark.parametrize(("qualifier", "sent", "read"), [
    ("UI", "61414110024", "00614141100248"),  # 1-5-5, its check digit computed
    ("UI", "614141100248", "00614141100248"),  # sent whole: a UPC-A
    ("UI", "4006381333931", None),  # an EAN-13 is no U.P.C. consumer package code (was read)
    ("UD", "400638133393", "04006381333931"),  # 2-5-5
    ("UD", "4006381333931", "04006381333931"),
    ("UD", "10614141100245", None),  # a case's GTIN-14 is no consumer package code (was read)
    ("UA", "10614141100245", "10614141100245"),  # a case code: any packaging level (X12 leaves it open)
    ("U2", "1061414110024", "10614141100245"),  # 1-2-5-5
])
def test_a_gs1_number_without_its_check_digit_is_read_under_a_qualifier_that_names_it(qualifier, sent, read):
    from rules.business.item_readings import GS1_WITHOUT_CHECK_DIGIT
    from schemas.reference import complete_gtin

    assert complete_gtin(sent, GS1_WITHOUT_CHECK_DIGIT[qualifier], qualifier) == read


def test_an_ean_13_sent_as_up_names_no_item_and_is_told_so():
    """A line of ``UP*4006381333931`` (item B's EAN-13) named B as if it were its U.P.C.; a UP of 13 digits with a
    leading 0 (A's UPC-A in EAN form) still names A. The EAN-13 under UP is GTIN_CHECK_DIGIT_INVALID, its message
    naming what the number is and the qualifier it goes under; under EN it names B."""
    import pyarrow as pa

    from rules.business.items import check_gtin_check_digits
    from schemas.orders import ORDER_LINES
    from schemas.reference import ITEMS
    from tests.business.tables import line
    from tests.test_rg84_item_identifiers import ITEMS_HEAD, _resolved

    items = (ITEMS_HEAD + "A,00041200000209,041200000209,A,gum,EA,1,1,active\n"
             "B,04006381333931,,B,pen,EA,1,1,active\n")
    assert _resolved([("EA", [("UP", "4006381333931")]), ("EA", [("UP", "0041200000209")]),
                      ("EA", [("EN", "4006381333931")]), ("EA", [("UP", "00041200000209")])], items) == [
        None, "A", "B", "A"]
    sent = [("upc", "UP", "4006381333931"), ("upc", "UP", "0041200000209"), ("ean", "EN", "4006381333931"),
            ("ean", "EN", "10614141100245")]
    lines = pa.Table.from_pylist([line(line_number=k, line_id=str(k), **{"upc": None, column: value}, product_ids=[
        {"qualifier": q, "id": value}]) for k, (column, q, value) in enumerate(sent, 1)], schema=ORDER_LINES)
    found = check_gtin_check_digits(lines, pa.Table.from_pylist([], schema=ITEMS))
    assert [(f.code, f.location.line_number, f.location.value) for f in found] == [
        ("GTIN_CHECK_DIGIT_INVALID", 1, "4006381333931"), ("GTIN_CHECK_DIGIT_INVALID", 4, "10614141100245")]
    assert "an EAN-13 (4006381333931)" in found[0].message and "its qualifier is EN" in found[0].message, \
        found[0].message
    assert "indicator digit 1" in found[1].message and "its qualifier is UK" in found[1].message, found[1].message


# 4. Guam's ChST; French and Spanish Java dates ------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "read"), [
    ("2026-12-05 06:41:26 ChST", ("10", None, None)),  # tzdata's Pacific/Guam and Saipan: +10:00
    ("12/5/2026 6:41:26 AM ChST", ("10", None, None)),
    ("Sat Dec 05 06:41:26 ChST 2026", ("10", None, None)),  # Java's Date.toString() in Guam
])
def test_guam_s_chst_is_read_as_its_offset(cell, read):
    """Chamorro Standard Time, the one zone abbreviation tzdata writes in mixed case (tests/test_shipgaps3's tzdata
    check looked at capitals alone): the time's zone pattern took capitals alone, so the cell had no time at all
    (ChST was not even told); Java's Date.toString() with it was no date."""
    from datetime import date, time

    from parsers.csv_common import parse_date, time_in, written_zone
    from schemas.fulfilment import ShipmentCsvMapping

    assert written_zone(cell) == read
    assert time_in(cell) == time(6, 41, 26)
    if not cell.startswith("2026"):
        assert parse_date(cell, ShipmentCsvMapping(date_format="%m/%d/%Y")) == date(2026, 12, 5)


def test_every_mixed_case_tzdata_abbreviation_is_read_as_its_offsets():
    """tests/test_shipgaps3's check of tzdata's abbreviations, for those not in capitals alone (ChST)."""
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo, available_timezones

    from schemas.time_codes import ABROAD

    seen: dict[str, set[int]] = {}
    for name in available_timezones():
        zone, at = ZoneInfo(name), datetime(2024, 1, 1, tzinfo=UTC)
        while at.year < 2028:
            local = at.astimezone(zone)
            if (local.tzname() or "").isalpha() and not local.tzname().isupper():
                seen.setdefault(local.tzname(), set()).add(int(local.utcoffset().total_seconds() // 60))
            at += timedelta(days=30)
    assert "ChST" in seen
    assert {name: offsets for name, offsets in seen.items() if offsets != {ABROAD.get(name)}} == {}


@pytest.mark.parametrize(("cell", "day", "zone"), [
    ("ven. déc. 04 20:41:26 CET 2026", (2026, 12, 4), "01"),  # French, SimpleDateFormat with Locale.FRANCE
    ("mar. mars 03 10:00:00 CET 2026", (2026, 3, 3), "01"),
    ("jeu. août 06 10:00:00 CEST 2026", (2026, 8, 6), "02"),
    ("lun. févr. 02 10:00:00 CET 2026", (2026, 2, 2), "01"),
    ("mer. juil. 01 10:00:00 CEST 2026", (2026, 7, 1), "02"),
    ("vie dic 04 20:41:26 CET 2026", (2026, 12, 4), "01"),  # Spanish, the old JRE's names
    ("vie. dic. 04 20:41:26 CET 2026", (2026, 12, 4), "01"),  # CLDR's
    ("mar mar 03 10:00:00 CET 2026", (2026, 3, 3), "01"),  # Tuesday, March: each in its place
    ("sáb. sept. 05 10:00:00 CEST 2026", (2026, 9, 5), "02"),
    ("mié ene 07 10:00:00 CET 2026", (2026, 1, 7), "01"),
    ("dom ago 02 10:00:00 CEST 2026", (2026, 8, 2), "02"),
])
def test_a_french_or_spanish_java_date_is_read_whatever_the_layout_s_date_format(cell, day, zone):
    """The Date.toString() pattern in a French or Spanish locale (a site's Java WMS there): the month is named, one
    reading. It was no date (the row refused: SHIPMENT date unreadable) and no time; shipgaps3 read English and
    German names."""
    from datetime import date

    from parsers.csv_common import parse_date, parse_time, time_in, written_zone
    from schemas.fulfilment import ShipmentCsvMapping

    layout = ShipmentCsvMapping(date_format="%m/%d/%Y")
    assert parse_date(cell, layout) == date(*day)
    clock = cell.split()[3]
    assert str(time_in(cell)) == clock and str(parse_time(cell, layout)) == clock
    assert written_zone(cell) == (zone, None, None)


def test_a_java_date_with_a_zone_name_we_do_not_read_is_told_not_guessed():
    """A locale's own zone name in a Java date (CLDR gives French ones such as "HNEC"; "XYZ" here too): its date and
    time are the cell's, its zone unsettled (the third part), so the reader tells SHIPMENT_TIME_ZONE_UNKNOWN once a
    file, the time the clock's. It was no time at all, and no word."""
    from datetime import date, time

    from tests.test_shipgaps3 import _read

    table, found = _read("S1,PO1,sam. déc. 05 06:41:26 HNEC 2026,ODFL,,T1,SKU-1,1\n"
                         "S2,PO2,vie dic 04 20:41:26 CET 2026,ODFL,,T2,SKU-1,1\n"
                         "S3,PO3,Sat Dec 05 06:41:26 ChST 2026,ODFL,,T3,SKU-1,1\n")
    assert [(r["ship_date"], r["ship_time"], r["ship_time_zone"]) for r in table.to_pylist()] == [
        (date(2026, 12, 5), time(6, 41, 26), None), (date(2026, 12, 4), time(20, 41, 26), "01"),
        (date(2026, 12, 5), time(6, 41, 26), "10")]
    assert [(f.code, f.severity) for f in found] == [("SHIPMENT_TIME_ZONE_UNKNOWN", "warning")]
    assert "HNEC" in found[0].message
