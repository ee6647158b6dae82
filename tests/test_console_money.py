"""The console shows money with its currency's decimals, as `status` prints it (schemas.money_text): the order pages
of a yen order (ISO 4217: no minor unit) read 42240 JPY, not 42240.00 (session 67: `status` said 42240, the console
42240.00 for the same order), and so does the history's note of its 810 (written at billing); a dollar order keeps
two decimals."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from console.reading import money
from tests.support_console import Client, ConsoleServer, add_users
from tests.test_rg66_asian_retail_importers import night  # noqa: F401 (a fixture: Daiso's yen, H Mart's won)


def test_the_filter_gives_each_currency_its_decimals_and_keeps_an_exact_fraction():
    assert [money("42240.00", "JPY"), money("485.1", "USD"), money("12.5", "KWD"), money("4.5750", "USD"),
            money("12", None), money(None, "USD")] == ["42,240", "485.10", "12.500", "4.575", "12.00", ""]


def test_a_yen_order_reads_whole_yen_on_the_orders_and_order_pages(night):  # noqa: F811
    ws = night[0]
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-27T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        listed = c.get("/orders?" + urlencode({"partner": "daiso"}))[1]
        page = c.get("/order?" + urlencode({"partner": "daiso", "po": "DA6600101"}))[1]
        won = c.get("/order?" + urlencode({"partner": "hmart", "po": "HM6600202"}))[1]
    # Daiso's PO: 48 x 330 + 24 x 550 + 120 x 110 = 42,240 yen (its 810's TDS*4224000)
    assert "42,240 JPY" in listed and "42,240.00" not in listed, listed
    assert "<dt>Value acknowledged</dt><dd>42,240 JPY" in page, page
    # the history's invoice note (engine.lifecycle.billing, stored at billing) in the yen's decimals too
    assert re.search(r": 42,240 JPY for 3 line\(s\)", page) and "42,240.00" not in page, page
    # its invoice's row in the invoices table: merchandise, charges and total by the same filter (were as stored)
    assert '<td class="num">42,240</td><td class="num">0</td><td class="num">42,240 JPY</td>' in page, page
    assert re.search(r"<dt>Value acknowledged</dt><dd>[\d,]+ KRW", won), won
