"""The ship stage's stored order rows handed to the invoice stage of the same night (flows.shipments
kept_for_invoicing, entered by flows.night around both): the invoice stage reads no stored table again that the
ship stage read for the orders it bills, and builds the very 856s and 810s a run reading them builds; a stored
table written again after the ship stage read it (another file in its place) is read again."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime

import pytest

from connectors.local import LocalDrop
from connectors.order_store import OrderStore
from connectors.reference import load_reference
from connectors.state import StateStore
from engine.lifecycle import billing
from flows import shipments
from flows.workspace import open_workspace
from tests.support import drop_confirmations, from_template, run_stages, shipping_workspace

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)


def _confirmed(root):
    ws = shipping_workspace(root)
    run_stages(ws, NIGHT1)
    drop_confirmations(ws, "warehouse-drops")
    return None


@pytest.fixture
def confirmed(tmp_path):
    """Night 1 decided, day 1's confirmations waiting in the warehouses' inboxes: two copies."""
    for name in ("read", "kept"):
        from_template("confirmed-day1", tmp_path / name, _confirmed)
    return tmp_path / "read", tmp_path / "kept"


def _ship_and_invoice(root, monkeypatch, *, kept: bool, between=None) -> list[tuple]:
    """Every warehouse's confirmations then the 810s due (as tests.support.ship_stages, inside kept_for_invoicing
    when ``kept``; ``between`` called after the ship stage); each invoice-stage read of a stored table with the
    invoice's columns (partner, key) recorded in ``reads``. Returns the documents stored (type, content)."""
    ws = open_workspace(root)
    profiles, ref = ws.partners(), load_reference(ws.reference_dir)
    state = StateStore(ws.state_path)
    reads: list[tuple[str, str]] = []
    load = OrderStore.load_columns

    def spy(self, partner, key, order_columns, line_columns):
        if list(line_columns) == billing.CANONICAL_COLUMNS[1]:
            reads.append((partner, key))
        return load(self, partner, key, order_columns, line_columns)

    try:
        with shipments.kept_for_invoicing() if kept else _nothing():
            for wid, w in sorted(ws.warehouses().items()):
                shipments.ship_warehouse(ws, w, profiles, state, LocalDrop(ws.warehouse_drop_root / wid), ref,
                                         now=DAY1, run_id="day1")
            if between is not None:
                between(ws)
            monkeypatch.setattr(OrderStore, "load_columns", spy)
            billed = shipments.invoice_run(ws, profiles, state, ref, now=DAY1, run_id="day1")
            monkeypatch.setattr(OrderStore, "load_columns", load)
    finally:
        state.close()
    assert billed.invoices == 3 and billed.errors == 0  # ACME-1001, INITECH-3010, UMB-6001
    con = sqlite3.connect(ws.state_path)
    try:
        docs = con.execute("SELECT doc_type, partner, content FROM documents WHERE doc_type IN ('856', '810')"
                           " ORDER BY id").fetchall()
    finally:
        con.close()
    return docs, reads


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_the_invoice_stage_takes_the_rows_the_ship_stage_read(confirmed, monkeypatch):
    read, kept = confirmed
    docs_read, reads_read = _ship_and_invoice(read, monkeypatch, kept=False)
    docs_kept, reads_kept = _ship_and_invoice(kept, monkeypatch, kept=True)
    assert reads_read and not reads_kept  # every table the 810s read was one the ship stage read
    assert sum(1 for d in docs_kept if d[0] == "810") >= 1
    assert docs_kept == docs_read  # the same 856s and 810s, byte for byte
    assert not shipments._KEPT_CANONICAL  # let go after the stages


def test_a_stored_table_written_again_after_shipping_is_read_again(confirmed, monkeypatch):
    read, kept = confirmed
    docs_read, reads_read = _ship_and_invoice(read, monkeypatch, kept=False)
    rewritten = []

    def rewrite(ws):  # every stored lines file replaced by a copy of itself (another inode: a write renames one)
        for path in sorted(ws.orders_dir.rglob("*.lines*.parquet")):
            tmp = path.with_name(f".tmp-{path.name}")
            shutil.copy2(path, tmp)
            os.replace(tmp, path)
            rewritten.append(path)

    docs_kept, reads_kept = _ship_and_invoice(kept, monkeypatch, kept=True, between=rewrite)
    assert rewritten and sorted(reads_kept) == sorted(reads_read)  # each read from its file again
    assert docs_kept == docs_read
