"""An 860 that raises a line after part of it shipped is answered as a raise before shipment is: what the stock
covers that night is placed, what an expected receipt covers stays backordered with its promise (the line's
promised date, and ACK04 068 / ACK05 on the 865's line), what neither covers is refused (865 IQ with the
quantity we ship, CHANGE_RAISE_NOT_BACKORDERED), as the allocation rejects an 850 line's units no receipt covers
(no_receipt). The raised units used to stay backordered with no promise: no date on the 865, and, with no
receipt coming, offered stock night after night (docs/lifecycle.md "An 860 for an order that shipped")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.state import StateStore
from tests.test_change_after_shipment import (  # (shipped_base, ws: its fixtures)
    NIGHT2,
    codes,
    lines,
    outbox,
    run_stages,
    send_860,
    shipped_base,
    ws,
)

__all__ = ["shipped_base", "ws"]


def _receipt(ws, sku: str, quantity: int, eta: date) -> None:
    path = ws.root / "inventory" / "receipts.parquet"
    table = pq.read_table(path)
    extra = pa.Table.from_pylist([{"warehouse": "EAST", "sku": sku, "quantity": quantity, "eta": eta}],
                                 schema=table.schema)
    pq.write_table(pa.concat_tables([table, extra]), path)


def _acks(ws) -> tuple[str, list[list]]:
    (doc,) = outbox(ws, "acme", "865")
    return next(r for r in doc if r[0] == "BCA")[2], [r for r in doc if r[0] == "ACK"]


def test_units_raised_after_shipment_that_a_receipt_covers_are_promised_its_day_on_the_865(ws):
    """ACME-1001 line 6 (SKU-1006, 5 shipped and invoiced) raised to 1200: the DCs hold 900 of SKU-1006, a
    receipt of 500 comes 12-14. 895 are reserved that night, the other 300 stay backordered promised 12-14
    (the receipt's day, after the order's ship day 12-10), and the 865 says IQ 1200 with ACK04 068 20261214,
    as before shipment (they used to have no promise: ACK IQ 1200 with no date)."""
    _receipt(ws, "SKU-1006", 500, date(2026, 12, 14))
    send_860(ws, "acme", "ACME-1001", [["6", "QI", "1200", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert _acks(ws) == ("AD", [["ACK", "IQ", "1200", "EA", "068", "20261214"]])
    assert "CHANGE_RAISE_NOT_BACKORDERED" not in codes(run)
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
    finally:
        state.close()
    assert (six.allocated, six.backordered, six.rejected, six.shipped) == (900, 300, 0, Decimal(5)), six
    assert six.promised_date == date(2026, 12, 14), six


def test_units_raised_after_shipment_that_no_stock_nor_receipt_covers_are_refused(ws):
    """The same raise with no receipt of SKU-1006 coming: the 300 units nothing covers are refused (rejected on
    the line, 865 IQ 900 with BCA02 AC, CHANGE_RAISE_NOT_BACKORDERED saying why), as the allocation rejects an
    850 line's units no receipt covers; they used to stay backordered with no promise, offered stock every
    night."""
    send_860(ws, "acme", "ACME-1001", [["6", "QI", "1200", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert _acks(ws) == ("AC", [["ACK", "IQ", "900", "EA"]])
    (found,) = [f for f in run.findings if f.code == "CHANGE_RAISE_NOT_BACKORDERED"]
    assert "nor an expected receipt" in found.message and "other 300 refused" in found.message, found.message
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
    finally:
        state.close()
    assert (six.allocated, six.backordered, six.rejected, six.promised_date) == (900, 0, 300, None), six
    assert "no_receipt" in six.reason, six


def test_a_raise_partly_covered_by_a_receipt_is_promised_and_the_rest_refused_on_one_865(ws):
    """A receipt of 200 (12-14) covers part of the 300 units the stock does not: 200 stay backordered promised
    12-14, 100 are refused; the one 865 says IQ 1100 with 068 20261214 (BCA02 AC)."""
    _receipt(ws, "SKU-1006", 200, date(2026, 12, 14))
    send_860(ws, "acme", "ACME-1001", [["6", "QI", "1200", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert _acks(ws) == ("AC", [["ACK", "IQ", "1100", "EA", "068", "20261214"]])
    assert "CHANGE_RAISE_NOT_BACKORDERED" in codes(run)
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
    finally:
        state.close()
    assert (six.allocated, six.backordered, six.rejected, six.promised_date) == (900, 200, 100, date(2026, 12, 14))
