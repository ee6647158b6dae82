"""A PO1 without PO104 whose price comes in a CTP of its loop (CTP02 UCP unit cost or CON contract price,
as Canadian grocers send it) takes that price; PO104 always wins, a retail or suggested price (RES, MSR)
is no cost, and a header CTP belongs to no line. Through a night, such a line is accepted IA, not IP."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.support import make_workspace, run_stages, x12_850

HEAD = ["BEG*00*SA*PO-7**20261126", "CUR*BY*USD", "CTP**UCP*99", "DTM*002*20261215", "N1*ST*Acme Store 2*92*0002"]


def _prices(body: list[str]) -> list[Decimal | None]:
    result = read_interchanges(x12_850(body))
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    return lines.column("unit_price").to_pylist()


def test_a_line_price_sent_in_ctp_is_the_lines_price() -> None:
    body = HEAD + [
        "PO1**12*EA***UK*00614141100101", "CTP**UCP*19.70", "PID*F****PAPER",  # the usual: PO104 left out
        "PO1**6*EA***UK*00614141100170", "CTP**RES*12.99", "CTP**CON*9.39",  # the first cost price counts
        "PO1*3*1*EA*4.5**UP*614141100101", "CTP**UCP*5",  # PO104 wins
        "PO1*4*1*EA***VN*X", "CTP**MSR*7.77",  # a suggested retail price is no cost: no price
        "PO1*5*1*EA***VN*Y",  # no CTP in its loop: the header CTP is not its price
        "CTT*5",
    ]
    assert _prices(body) == [Decimal("19.7"), Decimal("9.39"), Decimal("4.5"), None, None]


def test_without_any_ctp_prices_are_read_as_before() -> None:
    assert _prices(["BEG*00*SA*PO-7**20261126", "PO1*1*2*EA*3.25**VN*X", "PO1*2*2*EA***VN*Y", "CTT*2"]) == [
        Decimal("3.25"), None]


def test_a_ctp_priced_line_is_acknowledged_as_sent(tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    body = HEAD[:2] + HEAD[3:] + ["PO1**12*EA***UK*00614141100101", "CTP**UCP*19.70", "CTT*1"]
    (inbox / "po.x12").write_bytes(x12_850(body, isa13=801, gs06="801"))
    results, run = run_stages(ws, datetime(2026, 11, 27, 2, 0))
    assert "PRICE_MISSING" not in {f.code for f in run.findings}
    [doc] = (ws.drop_root / "acme" / "outbox").glob("*855*")
    text = doc.read_text()
    assert "BAK*00*AD*PO-7" in text and "ACK*IA*12*EA" in text
