"""What the rg88b round (820 remittances, 812 adjustments, kept sets handed off) left open:

- The console's order page shows the partner's 820s and 812s paying or adjusting the order's invoices, as
  `orderbridge status` names them.
"""

from __future__ import annotations

import html
import re

from tests.support_console import Client, ConsoleServer
from tests.test_rg88b_remittance import D, paid  # noqa: F401 - paid: rg88b's night with HCA's 820 and 812


def test_the_consoles_order_page_shows_the_820_and_812_that_paid_and_adjusted_its_invoice(paid):  # noqa: F811
    ws, invoice = paid
    with ConsoleServer(ws.root) as s:  # no users: anyone on this machine reads every order
        status, body = Client(s.url).get(f"/order?partner=hca&po={invoice.po_number}")
    assert status == 200
    table = re.search(r'<table id="remittances">.*?</table>', body, re.S)
    assert table, "the order page has no remittances table"
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr class=\"remittance-[^\"]+\">(.*?)</tr>", table.group(0), re.S)]
    total = D(invoice.total)
    assert [r[:7] for r in rows] == [
        ["820", invoice.invoice_number, f"IV {invoice.invoice_number}", f"{total - 10:.2f}", "-10.00", "01",
         "2026-12-05"],
        ["812", invoice.invoice_number, "IV DM-8801", "", "-25.00", "04", "2026-12-05"]]
    assert rows[0][7].startswith("820 trace HCA-PAID-1 paid") and rows[1][7].startswith("812 debit DM-8801 of 25.00")
    assert rows[0][8] == rows[1][8] == "HCA_820_812_PAID.x12"
