"""`state rebuild` records the 810s as the invoice stage did (session 68, rebuild2; what rebuildship left): a partner
trading in euros (customers.csv currency EUR) whose POs name no currency gets 810s without CUR, which the invoice
stage records in no named currency (""), and the rebuild recorded as USD; a catch-weight line (3 CA of meat priced
per pound, billed IT1*1*42.35*LB*3.49*PP with QTY*39*3*CA) was recorded with its cases and price only, its net
weight (42.35 LB) lost. Real nights: the order's, then the east warehouse's CSV ships both lines and the 810 goes;
the store deleted, `state rebuild`, compared with the store never lost."""

from __future__ import annotations

import pytest

from flows.workspace import open_workspace
from tests.support import GOOD_PO, rebuilt_store, run_night, shipping_workspace, x12_850
from tests.test_catch_weight_billing import HEADER, NEXT, NIGHT, _row
from tests.test_state_rebuild import _rows

INVOICES = ("SELECT invoice_number, partner, po_number, invoice_date, warehouse, shipment_id, currency, merchandise,"
            " charges, total, created_at FROM invoices")
INVOICED = "SELECT * FROM invoice_lines"
LINES = ("SELECT partner, po_number, line_number, state, allocated, backordered, rejected, shipped, invoiced"
         " FROM order_lines")
EVENTS = "SELECT partner, po_number, event, from_state, to_state, note FROM order_events WHERE event LIKE 'invoiced%'"


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """(kept, lost, the rebuild's output) after the two nights."""
    root = tmp_path_factory.mktemp("rebuild-invoices")
    ws = shipping_workspace(root / "kept", partners=("acme",))
    profile = ws.root / "partners" / "acme.toml"
    profile.write_text(profile.read_text().replace("[rules]\n", "[rules]\ncatch_weight = true\n", 1))
    customers = ws.reference_dir / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,50000.00,12500.00,USD,", "acme,50000.00,12500.00,EUR,"))
    prices = ws.reference_dir / "prices.csv"  # acme's prices in euros
    prices.write_text("".join(ln.replace(",USD,", ",EUR,") if ln.startswith("acme,") else ln
                              for ln in prices.read_text().splitlines(keepends=True)))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    head = [s for s in GOOD_PO[:6] if not s.startswith("CUR")]  # the PO names no currency
    (inbox / "po.x12").write_bytes(x12_850(head + ["PO1*1*3*CA*3.49*PP*VN*VP-1003", "PO1*2*12*EA*19.70*PE*VN*VP-1001",
                                                   "CTT*2"]))
    run_night(ws, NIGHT)
    ws = open_workspace(ws.root)
    east = ws.warehouse_drop_root / "east" / "inbox"
    east.mkdir(parents=True, exist_ok=True)
    (east / "shipments.csv").write_text(HEADER + _row("1", "SKU-1003", "3", "CA", "42.35", "LB")
                                        + _row("2", "SKU-1001", "12", "EA"))
    run_night(ws, NEXT)
    kept = ws.root
    lost = root / "lost"
    return kept, lost, rebuilt_store(lost, copy_of=kept)


def test_the_810_went_without_cur_and_billed_the_weight(stores):
    kept, _, _ = stores
    [invoice] = [p for p in (kept / "drop" / "acme" / "outbox").iterdir() if p.name.split("-")[1] == "810"]
    text = invoice.read_text()
    assert "CUR*" not in text and "IT1*1*42.35*LB*3.49*PP" in text and "QTY*39*3*CA" in text
    [row] = _rows(kept, INVOICES)
    assert row[6] == ""  # what the invoice stage records for an 810 it wrote no CUR for


@pytest.mark.parametrize("sql", (INVOICES, INVOICED, LINES, EVENTS), ids=("invoices", "invoice_lines", "order_lines",
                                                                        "events"))
def test_the_rebuilt_invoice_is_the_one_the_invoice_stage_recorded(stores, sql):
    kept, lost, said = stores
    assert _rows(kept, sql) and _rows(lost, sql) == _rows(kept, sql)
    assert "1 invoice(s) made again" in said


def test_the_catch_weight_line_keeps_its_net_weight(stores):
    _, lost, _ = stores
    billed = _rows(lost, "SELECT line_number, quantity, unit, unit_price, amount, net_weight, net_weight_unit "
                         "FROM invoice_lines")
    assert billed == {(1, "3", "CA", "3.49", "147.8", "42.35", "LB"), (2, "12", "EA", "19.7", "236.4", None, None)}
    [currency] = _rows(lost, "SELECT currency FROM invoices")
    assert currency == ("",)
