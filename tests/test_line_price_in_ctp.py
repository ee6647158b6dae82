"""A PO1 without PO104 whose price comes in a CTP of its loop (CTP02 UCP unit cost or CON contract price,
as Canadian grocers send it) takes that price; PO104 always wins, a retail or suggested price (RES, MSR)
is no cost, and a header CTP belongs to no line. Through a night, such a line is accepted IA, not IP."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from connectors.state import StateStore
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


def _night(tmp_path, po1: list[str]):
    """One night of acme's inbox holding only PO-7 (HEAD without its header CTP) with the ``po1`` lines."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_bytes(x12_850(HEAD[:2] + HEAD[3:] + po1 + ["CTT*1"], isa13=801, gs06="801"))
    _results, run = run_stages(ws, datetime(2026, 11, 27, 2, 0))
    return ws, run


def test_a_ctp_priced_line_is_acknowledged_as_sent(tmp_path) -> None:
    ws, run = _night(tmp_path, ["PO1**12*EA***UK*00614141100101", "CTP**UCP*19.70"])
    assert "PRICE_MISSING" not in {f.code for f in run.findings}
    [doc] = (ws.drop_root / "acme" / "outbox").glob("*855*")
    text = doc.read_text()
    assert "BAK*00*AD*PO-7" in text and "ACK*IA*12*EA" in text


# quantity breaks as X12's CTP figure draws them: CTP03 the price from CTP04 units of CTP05 on
BREAKS = ["CTP**CON*21.00*1*EA", "CTP**CON*19.70*100*EA", "CTP**CON*18.00*1000*EA"]


def _lines(body: list[str]):
    result = read_interchanges(x12_850(HEAD + body))
    return read_orders(result, list(result.transaction_sets()), partner="acme")[1]


def test_the_quantity_break_that_applies_prices_the_line(tmp_path) -> None:
    lines = _lines([
        "PO1*1*150*EA***VN*A", *BREAKS,  # from 100 on: 19.70
        "PO1*2*50*EA***VN*B", *BREAKS,  # below 100: 21.00
        "PO1*3*1000*EA***VN*C", *reversed(BREAKS),  # the breaks in any order; 1000 is the third's own
        "PO1*4*5*EA***VN*D", "CTP**CON*10.00*1*EA>1", "CTP**CON*9.00*2*EA",  # CTP05 a composite (5010 C001)
        "PO1*5*150*EA*20.50**VN*E", *BREAKS,  # PO104 wins, breaks or not
        "CTT*5",
    ])
    assert lines["unit_price"].to_pylist() == [Decimal("19.7"), Decimal("21"), Decimal("18"), Decimal("9"),
                                               Decimal("20.5")]
    assert lines["price_breaks_unclear"].null_count == 5 and lines["price_multiplier_sent"].null_count == 5
    # through a night: acknowledged at the break's price, no warning, no price out of tolerance
    ws, run = _night(tmp_path, ["PO1**150*EA***VN*VP-1001", *BREAKS])
    codes = {f.code for f in run.findings}
    assert not codes & {"PRICE_BREAK_UNCLEAR", "PRICE_OUT_OF_TOLERANCE", "PRICE_MISSING"}, codes
    [doc] = (ws.drop_root / "acme" / "outbox").glob("*855*")
    assert "ACK*IA*150*EA" in doc.read_text()


def test_breaks_that_cannot_be_ordered_keep_the_first_and_say_so() -> None:
    lines = _lines([
        "PO1*1*50*EA***VN*A", "CTP**CON*10.00*1*CA", "CTP**CON*9.00*100*EA",  # a break in cases
        "PO1*2*50*EA***VN*B", "CTP**UCP*10.00", "CTP**CON*9.50",  # no quantities at all
        "PO1*3*5*EA***VN*C", "CTP**CON*10.00*10*EA", "CTP**CON*9.00*100*EA",  # below every break
        "PO1*4*50*EA***VN*D", "CTP**CON*10.00*1*EA", "CTP**CON*9.00*1*EA",  # two prices at one quantity
        "PO1*5*50*EA***VN*E", "CTP**RES*12.99*1*EA", "CTP**CON*9.39",  # one cost price: nothing to order
        "CTT*5",
    ])
    assert lines["unit_price"].to_pylist() == [Decimal(10)] * 4 + [Decimal("9.39")]
    assert lines["price_breaks_unclear"].to_pylist() == [
        "CON 10.00 from 1 CA; CON 9.00 from 100 EA", "UCP 10.00; CON 9.50",
        "CON 10.00 from 10 EA; CON 9.00 from 100 EA", "CON 10.00 from 1 EA; CON 9.00 from 1 EA", None]
    from rules.business.money import _ctp_price_findings

    [f, *_] = _ctp_price_findings(lines)
    assert f.code == "PRICE_BREAK_UNCLEAR" and f.severity == "warning"
    assert "(CON 10.00 from 1 CA; CON 9.00 from 100 EA)" in f.message and "the first, 10 per EA" in f.message


def test_a_ctp_multiplier_holds_its_line_saying_so(tmp_path) -> None:
    # CTP07 is the factor to the price meant (0.90: 10% off CTP03); CTP06 and CTP07 are never read as a
    # price or a quantity
    lines = _lines(["PO1*1*5*EA***VN*A", "CTP**CON*10.00*1*EA*DIS*0.90",
                    "PO1*2*5*EA*8**VN*A", "CTP**CON*10.00*1*EA*DIS*0.90",  # PO104 prices it: the CTP is not read
                    "PO1*3*150*EA***VN*A", "CTP**CON*10.00*1*EA*DIS*0.90", "CTP**CON*9.00*100*EA",  # not chosen
                    "CTT*3"])
    assert lines["unit_price"].to_pylist() == [Decimal(10), Decimal(8), Decimal(9)]
    assert lines["price_multiplier_sent"].to_pylist() == ["0.90 DIS", None, None]
    ws, run = _night(tmp_path, ["PO1**12*EA***VN*VP-1001", "CTP**CON*19.70*1*EA*DIS*0.90"])
    [f] = [f for f in run.findings if f.code == "PRICE_MULTIPLIER_UNSUPPORTED"]
    assert "CTP07 0.90, CTP06 DIS" in f.message and "at 19.7 per EA" in f.message
    state = StateStore(ws.state_path)
    order = state.order("acme", "PO-7")
    state.close()
    assert order.state == "held" and "PRICE_MULTIPLIER_UNSUPPORTED" in order.hold_codes
    assert not list((ws.drop_root / "acme" / "outbox").glob("*855*"))  # nothing at the undiscounted price
