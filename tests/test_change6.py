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


import pytest  # noqa: E402

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
