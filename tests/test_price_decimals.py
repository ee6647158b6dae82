"""A unit price with more than 4 decimals (0.012345 per each for screws, fasteners, electronic
components; X12's R type allows any number of decimals) was read into our decimal128(18, 4) tables
rounded half to even without a word, and answered (855 PO104), valued and invoiced (810 IT104) at the
rounded price. The parser now keeps the price as sent where it was rounded (ORDER_LINES.price_sent): up to 6
decimals it is the line's price (tests/test_subcent_prices.py); past 6 the line waits for a person
(PRICE_DECIMALS_UNSUPPORTED, hold_line) naming the 4-decimal price it would be answered at; approved, it is
answered at that price. Trailing zeros (19.700000) are exact and raise nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from connectors.order_store import OrderStore
from connectors.state import StateStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.orders import LINES_ADDED_LATER, ORDER_LINES
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850

NIGHT = datetime(2026, 11, 27, 2)
HEAD = GOOD_PO[:6]


def _lines(body: list[str]):
    result = read_interchanges(x12_850(HEAD + body))
    return read_orders(result, list(result.transaction_sets()), partner="acme")


def test_the_price_as_sent_is_kept_where_our_tables_round_it() -> None:
    _, lines = _lines([
        "PO1*1*1*EA*19.712345*PE*VN*A",     # 6 decimals: rounded
        "PO1*2*1*EA*19.700000*PE*VN*A",     # trailing zeros: exact
        "PO1*3*1*EA***VN*A", "CTP**UCP*.0123456",  # the price sent in CTP03 (no PO104)
        "PO1*4*1*EA*1.23456E1*PE*VN*A",     # an exponent, exact at 4 decimals (12.3456)
        "PO1*5*1*EA*1.234567E1*PE*VN*A",    # an exponent, 6 decimals
        "PO1*6*1*EA*0000012.50001*PE*VN*A",  # leading zeros, 5 decimals
        "PO1*7*1*EA*12.5*PE*VN*A",
        "PO1*8*1*EA***VN*A",                # no price at all
        "CTT*8",
    ])
    assert lines.schema == ORDER_LINES
    assert lines["unit_price"].to_pylist() == [
        Decimal("19.7123"), Decimal("19.7000"), Decimal("0.0123"), Decimal("12.3456"), Decimal("12.3457"),
        Decimal("12.5000"), Decimal("12.5000"), None]
    assert lines["price_sent"].to_pylist() == [
        "19.712345", None, ".0123456", None, "1.234567E1", "0000012.50001", None, None]


def _night(tmp_path, lines: list[str]):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(HEAD + lines))
    run_stages(ws, NIGHT)
    return ws


def _855_lines(ws) -> list[str]:
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    segments = path.read_text().replace("\n", "").split("~")
    return [s for s in segments if s[:3] in ("BAK", "PO1", "ACK", "CTP", "CTT")]


def test_a_price_past_6_decimals_holds_its_line_saying_what_it_would_be(tmp_path) -> None:
    ws = _night(tmp_path, ["PO1*1*100*EA*19.7123456*PE*VN*VP-1001", "PO1*2*10*EA*19.70*PE*VN*VP-1001", "CTT*2"])
    state = StateStore(ws.state_path)
    order = state.order("acme", "PO-1")
    assert order.state == "held" and order.hold_codes == ("PRICE_DECIMALS_UNSUPPORTED",)
    [f] = [f for f in state.findings(po_number="PO-1", partner="acme") if f["code"] == "PRICE_DECIMALS_UNSUPPORTED"]
    assert "19.7123456 per EA has more than 6 decimal places" in f["message"]
    assert "it would be 19.7123 (off by 0.0000456 per EA)" in f["message"]
    assert not sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))  # nothing rounded went out
    state.close()
    # approved, the line is answered at the 4-decimal price the finding named
    from flows.cli import app

    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 2))
    assert _855_lines(ws) == [
        "BAK*00*AD*PO-1*20261126*****20261128",
        "PO1*1*100*EA*19.7123*PE*VN*VP-1001", "ACK*IA*100*EA*068*20261210",
        "PO1*2*10*EA*19.7*PE*VN*VP-1001", "ACK*IA*10*EA*068*20261210",
        "CTT*2*110"]


@pytest.mark.parametrize("price", ["19.700000", "19.7000", "19.70"])
def test_trailing_zeros_are_the_same_price(tmp_path, price) -> None:
    ws = _night(tmp_path, [f"PO1*1*100*EA*{price}*PE*VN*VP-1001", "CTT*1"])
    state = StateStore(ws.state_path)
    assert state.order("acme", "PO-1").state == "acknowledged"
    assert "PRICE_DECIMALS_UNSUPPORTED" not in {f["code"] for f in state.findings(po_number="PO-1", partner="acme")}
    state.close()
    assert _855_lines(ws) == ["BAK*00*AD*PO-1*20261126*****20261127", "PO1*1*100*EA*19.7*PE*VN*VP-1001",
                              "ACK*IA*100*EA*068*20261210", "CTT*1*100"]


def test_a_price_sent_in_ctp_past_6_decimals_holds_too(tmp_path) -> None:
    ws = _night(tmp_path, ["PO1*1*100*EA***VN*VP-1001", "CTP**UCP*19.7000049", "CTT*1"])
    state = StateStore(ws.state_path)
    order = state.order("acme", "PO-1")
    assert order.state == "held" and "PRICE_DECIMALS_UNSUPPORTED" in order.hold_codes


def test_lines_stored_before_the_column_read_it_as_null(tmp_path) -> None:
    orders, lines = _lines(["PO1*1*2*EA*19.712345**VN*A", "CTT*1"])
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.lines.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["price_sent"]), path)
    _, loaded = store.load("acme", "old")
    assert loaded.schema == ORDER_LINES and loaded["price_sent"].to_pylist() == [None]
    assert "price_sent" in LINES_ADDED_LATER
