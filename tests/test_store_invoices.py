"""Per-store invoicing ([fulfilment.invoice] per = "store") end to end, on Bealls' store cross-dock PO of the rg26
sweep (tests/fixtures/rg26: 20 stores by SDQ, two lines; its guide matches the EDI invoices to individual store
invoices): the PO shipped in two parts (stores 004..017 one day, 022..040 the next), each store's 810 with that
store's units and its N1*Z7; a run after that bills nothing again; the reconciliation ties the PO, its ack, its
856s and the stores' 810s line by line; `orderbridge status` lists each store's invoice."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import of_its_own, segments
from tests.support import deliver_all, run_stages, ship_stages

from tests.test_rg26_specialty_apparel_books import FIRST, FIXTURES, NIGHT, STORES  # isort: skip

PO = "0683722"
DAY1, DAY2, DAY3 = datetime(2026, 8, 25, 15), datetime(2026, 8, 26, 15), datetime(2026, 8, 27, 15)
UNITS = {st: (q, 1) for st, q in zip(STORES, FIRST, strict=True)}  # store -> (line 001, line 002) units


def _confirmation(stores: list[str], shipment_id: str, day: str) -> str:
    """The fixture's Bealls rows for ``stores`` as one shipment of its own, shipped on ``day``."""
    text = (FIXTURES / "shipments" / "east-shipments-20260825.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(rows[0])
    at, store_at, day_at = rows[0].index("Shipment ID"), rows[0].index("Mark For Store"), rows[0].index("Ship Date")
    for r in rows[1:]:
        if r[at] == "BE-SHP-01" and r[store_at] in stores:
            w.writerow([*r[:at], shipment_id, *r[at + 1:day_at], day, *r[day_at + 1:]])
    return out.getvalue()


def _invoices(ws) -> list[tuple[str, str, str, str]]:
    """Each Bealls 810 sent: (BIG02, REF SI, the N1*Z7 store, TDS01), in file order."""
    out, big, si, store = [], "", "", ""
    for s in segments(ws, "bealls", "810"):
        if s[0] == "BIG":
            big, si, store = s[2], "", ""
        elif s[:2] == ["REF", "SI"]:
            si = s[2]
        elif s[:2] == ["N1", "Z7"]:
            store = s[4]
        elif s[0] == "TDS":
            out.append((big, si, store, s[1]))
    return out


def _ship(ws, stores: list[str], shipment_id: str, when: datetime) -> None:
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"east-shipments-{when:%Y%m%d}.csv").write_text(_confirmation(stores, shipment_id, f"{when:%Y-%m-%d}"),
                                                            encoding="utf-8")
    ship_stages(ws, when, run_id=f"r{when:%Y%m%d}")
    deliver_all(ws, when)


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """Bealls' PO taken, its first ten stores shipped and billed on DAY1, the other ten on DAY2, then a run on DAY3
    with nothing new: the 810s after each day."""
    ws = of_its_own(FIXTURES, tmp_path_factory.mktemp("storeinv") / "ws", {"bealls": ["bealls-850-0683722.x12"]})
    run_stages(ws, NIGHT)
    _ship(ws, STORES[:10], "BE-SHP-01", DAY1)
    first = _invoices(ws)
    _ship(ws, STORES[10:], "BE-SHP-02", DAY2)
    second = _invoices(ws)
    ship_stages(ws, DAY3, run_id="r20260827")  # nothing shipped since: nothing to bill
    deliver_all(ws, DAY3)
    return ws, first, second, _invoices(ws)


def _line_units(ws) -> dict[int, tuple[Decimal, Decimal]]:
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return {ln.line_number: (ln.shipped, ln.invoiced) for ln in state.lines_for([("bealls", PO)])[("bealls", PO)]}
    finally:
        state.close()


def test_each_part_shipped_is_billed_store_by_store_with_that_stores_units(parts):
    """A partial shipment per store: the first shipment's ten stores each get their own 810 (REF*SI of that shipment,
    the store's N1*Z7, its units x 11.50) and no more; the second's ten theirs, on the sequence's next numbers."""
    _ws, first, second, _ = parts
    want = [(f"INV{k + 1:07d}", "BE-SHP-01" if k < 10 else "BE-SHP-02", st, str((q + 1) * 1150))
            for k, (st, q) in enumerate(zip(STORES, FIRST, strict=True))]
    assert first == want[:10]
    assert second == want


def test_a_run_with_nothing_shipped_since_bills_no_store_again(parts):
    """Re-run: every store of both shipments is billed once; the order lines invoiced as shipped, never more."""
    ws, _first, second, third = parts
    assert third == second
    assert _line_units(ws) == {1: (Decimal(27), Decimal(27)), 2: (Decimal(20), Decimal(20))}
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        assert state.order("bealls", PO).state.value == "closed"  # every store's 810 delivered
        assert [s.billing for s in state.shipments([("east", "BE-SHP-01"), ("east", "BE-SHP-02")])] == [
            "invoiced", "invoiced"]
    finally:
        state.close()


def test_the_reconciliation_ties_po_ack_asn_and_the_stores_invoices(parts):
    """Line by line, the PO (27 and 20 at 11.50), its 855, the two 856s and the 20 stores' 810s agree: nothing
    shipped and not invoiced, no exception for the PO, each 810's total its lines' value."""
    import pyarrow.parquet as pq

    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws = parts[0]
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 8, 28, 2), run_id="rec")
    finally:
        state.close()
    data = ws.reports_dir / "rec" / "finance" / "data"
    lines = {r["line_id"]: r for r in pq.read_table(data / "lines.parquet").to_pylist() if r["po_number"] == PO}
    assert {k: (r["ordered_quantity"], r["acknowledged_quantity"], r["shipped_quantity"], r["invoiced_quantity"],
                r["invoiced_value"], r["exceptions"]) for k, r in lines.items()} == {
        "001": (27, 27, 27, 27, Decimal("310.50"), 0), "002": (20, 20, 20, 20, Decimal("230.00"), 0)}
    sets = [r for r in pq.read_table(data / "invoices.parquet").to_pylist() if r["po_number"] == PO]
    assert len(sets) == 20 and all(r["difference"] == 0 for r in sets)
    assert sum(r["invoiced_total"] for r in sets) == Decimal("540.50")
    # no exception of a line or an invoice (no DUPLICATE_INVOICE for the stores' 810s of one shipment); the 23
    # documents we sent (855, two 856s, 20 810s) wait for Bealls' 997s, which this test never sends
    exceptions = [r for r in pq.read_table(data / "exceptions.parquet").to_pylist() if r["po_number"] == PO]
    assert {r["type"] for r in exceptions} == {"DOCUMENT_UNACKNOWLEDGED"} and len(exceptions) == 23


def test_status_lists_each_stores_invoice(parts):
    from typer.testing import CliRunner

    from flows.cli import app

    ws = parts[0]
    res = CliRunner().invoke(app, ["status", PO, "--partner", "bealls", "--json", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    invoices = json.loads(res.output)["invoices"]
    assert [(v["shipment_id"], v["store"], [ln["quantity"] for ln in v["lines"]]) for v in invoices] == [
        ("BE-SHP-01" if k < 10 else "BE-SHP-02", st, [str(q), "1"]) for k, (st, q) in enumerate(zip(STORES, FIRST,
                                                                                                   strict=True))]
    shown = CliRunner().invoke(app, ["status", PO, "--partner", "bealls", "-w", str(ws.root)], terminal_width=250)
    table = shown.output[shown.output.index("invoices (810)"):]
    assert shown.exit_code == 0

    assert re.findall(r"store (\d{3})", table) == STORES  # each invoice's shipment cell: "BE-SHP-01 store 004"
