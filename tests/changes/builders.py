"""Small builders for the change tests: an 860 interchange, the live order it changes, one apply call."""

from __future__ import annotations

from parsers.orders_850 import read_orders
from parsers.orders_860 import read_changes
from parsers.x12_reader import ParseResult, read_interchanges
from tests.support import GOOD_PO, ISA, x12_850

BCH = "BCH*{purpose}*SA*PO-1**3*20261126*****20261128"


def x12_860(body: list[str], *, isa13: int = 2, st02: str = "0001", gs06: str = "2") -> bytes:
    """A one-change ACME interchange around ``body`` (segments without terminators)."""
    text = (
        ISA.format(isa13=isa13, ack="0")
        + f"GS*PC*ACMERETAIL*ORDERBRIDGE*20261128*1200*{gs06}*X*004010~\n"
        + f"ST*860*{st02}~\n"
        + "".join(s + "~\n" for s in body)
        + f"SE*{len(body) + 2}*{st02}~\n"
        + f"GE*1*{gs06}~\n"
        + f"IEA*1*{isa13:09d}~\n"
    )
    return text.encode()


def change_body(pocs: list[str], *, purpose: str = "04") -> list[str]:
    """BCH, the POC segments (and any segments under them), CTT counting the POCs."""
    return [BCH.format(purpose=purpose), *pocs, f"CTT*{sum(s.startswith('POC*') for s in pocs)}"]


def parse_860(data: bytes, file: str = "acme-chg.x12") -> ParseResult:
    return read_interchanges(data, file=file)


def sets_860(result: ParseResult):
    return [s for s in result.transaction_sets() if s[2].set_id == "860"]


def live_order():
    """ACME PO-1 of tests.support.GOOD_PO: line 1 = 12 EA @ 2.50 (PO101 1), line 2 = 6 EA @ 10 (PO101 2)."""
    result = read_interchanges(x12_850(GOOD_PO), file="acme-po.x12")
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    orders, lines = read_orders(result, sets, partner="acme", source_sha256="po-sha")
    return orders.to_pylist()[0], lines


def read_change(pocs: list[str], *, purpose: str = "04"):
    """(header row, changes table) of an 860 with these POC segments."""
    result = parse_860(x12_860(change_body(pocs, purpose=purpose)))
    headers, changes = read_changes(result, sets_860(result), partner="acme", source_sha256="chg-sha")
    return headers.to_pylist()[0], changes
