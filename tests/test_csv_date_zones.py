"""A CSV order's date-only fields (PO date, ship window, cancel dates) given with a time in UTC or another zone, or
with a zone alone (parsers.csv_common.parse_date). Profiles name no time zone, so the date is the date as written,
never moved into another zone (as the 850's DTM03/DTM04 are not read either): an order platform storing a date as
midnight UTC ("2026-11-27T00:00:00.000Z") means the 27th, which a buyer's zone west of Greenwich would make the
26th. The zone forms that were refused (CSV_DATE_INVALID, the PO left out) read the same way: a zone right after the
date (ISO 8601 / XML Schema "2026-12-04Z", "2026-12-04-05:00"), Go's "+0000 UTC", Java's "[Europe/Paris]"."""

from __future__ import annotations

from datetime import date

import pytest


def _date(text: str, fmt: str = "%Y-%m-%d"):
    from parsers.csv_common import parse_date
    from schemas.fulfilment import CsvOrderMapping

    return parse_date(text, CsvOrderMapping(date_format=fmt))


@pytest.mark.parametrize("text", ["2026-12-04Z", "2026-12-04+00:00", "2026-12-04-05:00", "2026-12-04+05:30",
                                  "2026-12-04T00:00:00Z[UTC]", "2026-12-04T00:00:00+01:00[Europe/Paris]",
                                  "2026-12-04 00:00:00 +0000 UTC", "2026-12-04T18:00:00-05:00[America/New_York]",
                                  "2026-12-04 10:30:00.123 -0800 PST"])
def test_a_date_with_its_zone_alone_or_a_zoned_time_as_go_and_java_write_it_reads_as_its_date(text):
    assert _date(text) == date(2026, 12, 4)


@pytest.mark.parametrize(("text", "written"), [
    ("2026-11-27T00:00:00.000Z", date(2026, 11, 27)),  # midnight UTC: a date-only field stored so (NuORDER)
    ("2026-11-28T03:00:00Z", date(2026, 11, 28)),  # 22:00 on the 27th in New York: the 28th, as written
    ("2026-11-27T23:30:00-08:00", date(2026, 11, 27)),  # the 28th in UTC: the 27th, as written
    ("2026-11-27T00:00:00+14:00", date(2026, 11, 27)),
])
def test_the_date_is_the_date_as_written_whatever_its_zone(text, written):
    assert _date(text) == written


@pytest.mark.parametrize("text", ["2026-12-04 UTC", "2026-12-04 EST", "2026-12-04+0000", "2026-12-04Z[UTC]x",
                                  "2026-12-04 Z"])
def test_a_zone_word_without_a_time_or_an_offset_that_is_none_stays_refused(text):
    assert _date(text) is None


def test_a_csv_orders_cancel_date_given_with_its_zone_is_read_and_the_po_taken():
    from parsers.csv_orders import read_csv_orders
    from schemas.fulfilment import CsvOrderMapping

    text = ("PO Number,PO Date,SKU,Quantity,Ship Date,Cancel\r\n"
            "P1,2026-11-26T18:42:07Z,VP-1,2,2026-12-04Z,2026-12-18T00:00:00+00:00[UTC]\r\n")
    got = read_csv_orders(text.encode(), CsvOrderMapping(requested_ship_date="Ship Date", cancel_after="Cancel"),
                          partner="p", file="f.csv")
    assert got.findings == []
    assert got.orders.select(["po_date", "requested_ship_date", "cancel_after"]).to_pylist() == [
        {"po_date": date(2026, 11, 26), "requested_ship_date": date(2026, 12, 4), "cancel_after": date(2026, 12, 18)}]
