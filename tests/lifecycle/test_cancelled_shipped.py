"""engine.lifecycle.ship_checks.cancelled_lines and cancelled_shipped: a confirmation of units we cancelled after
acknowledging them (a line's balance_cancelled / expired) is told as such, not as a warehouse's error.
Pure: LINE_ROWS in, words and a restated finding out (the whole night: tests/test_confirmed_after_unshipped_cancel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa

from engine.lifecycle.ship_checks import cancelled_lines, cancelled_shipped
from schemas.findings import finding
from schemas.lifecycle import LINE_ROWS, LineRecord, LineState, line_row


def _rows(*lines: LineRecord) -> pa.Table:
    return pa.Table.from_pylist([line_row(ln) for ln in lines], schema=LINE_ROWS)


def _line(n: int, state: LineState, reason: str = "", codes: tuple[str, ...] = (), *, balance: int = 0,
          expired: int = 0) -> LineRecord:
    return LineRecord("globex", "GLOBEX-2000", n, state, line_id=str(n), sku="SKU-1003", ordered=Decimal(36),
                      unit="EA", reason=reason, codes=codes, balance_cancelled=Decimal(balance),
                      expired=Decimal(expired))


def test_only_lines_with_units_we_cancelled_after_answering_are_named_with_why():
    told = cancelled_lines(_rows(
        _line(1, LineState.REJECTED, "filled; past_cancel_date", balance=12),
        _line(3, LineState.REJECTED, "past_cancel_date"),  # refused by the 855 (IR): never acknowledged
        _line(4, LineState.REJECTED, "partial; backordered; past_cancel_date", expired=12, balance=24),
        _line(5, LineState.SHIPPED, "no_backorder", balance=2),
        _line(6, LineState.ALLOCATED, "filled", ("CASE_PACK_ROUNDED",))))
    assert told == {
        ("globex", "GLOBEX-2000", 1): "12 unshipped past the order's last date (BALANCE_CANCELLED:12)",
        ("globex", "GLOBEX-2000", 4): "12 backordered past the order's last date (EXPIRED:12), 24 unshipped past "
                                      "the order's last date (BALANCE_CANCELLED:24)",
        ("globex", "GLOBEX-2000", 5): "2 unshipped as the balance of a short shipment of a no-back-order PO "
                                      "(BALANCE_CANCELLED:2)"}
    assert cancelled_lines(_rows(_line(6, LineState.ALLOCATED))) == {} and cancelled_lines(
        LINE_ROWS.empty_table()) == {}


def test_the_finding_says_what_we_cancelled_and_what_left_and_the_buyer_decides():
    f = finding("SHIPMENT_LINE_CLOSED", "Line 4 of GLOBEX-2000 is rejected.")
    told, why = cancelled_shipped(f, "SHP-9001", {"quantity": Decimal("12.0000"), "unit": "EA",
                                                  "ship_date": date(2026, 12, 17)}, "24 unshipped (...)")
    assert told.code == f.code and told.severity == f.severity and told.location == f.location
    assert told.message == ("Line 4 of GLOBEX-2000 is rejected. We cancelled units of it after acknowledging them: "
                            "24 unshipped (...); shipment SHP-9001 shipped 12 EA of it on 2026-12-17: the goods "
                            "left for units no longer on order.")
    assert why.startswith("shipment SHP-9001 held: no 856 nor 810") and "ask the buyer" in why
    assert "corrected confirmation" not in why
