"""The ship stage's files share their INSERT statements: a value every row of one confirmation file holds alike
and the next file holds otherwise (its name and sha256, the id of its 856 document) is bound per row, not written
into the statement as a literal, so each file's shipments and history events go through the statement the first
file prepared (a 500-row INSERT: ~5 ms to prepare, busy machine) - and are stored as before."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bench.night import confirmations, prepare
from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import StateStore
from flows import steps
from flows.shipments import invoice_run, ship_warehouse
from flows.workspace import open_workspace

NOW = datetime(2026, 11, 27, 2)


def test_each_file_inserts_its_shipments_and_events_with_the_first_file_s_statements(tmp_path, monkeypatch):
    root = tmp_path / "ws"
    prepare(root, 8, batch="run")  # ACME's 8 POs; the east DC ships the even ones: 4 shipments, 2 a file
    assert confirmations(root, 8, per_file=2) == 4
    ws = open_workspace(root)
    profiles, ref = ws.partners(), load_reference(ws.reference_dir)
    state = StateStore(ws.state_url)
    try:
        steps.intake_partner(ws, profiles["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id="n")
        steps.decide_run(ws, profiles, state, ref, steps.load_inventory(ws, NOW.date()), now=NOW, run_id="n",
                         use_gx=False)
        texts: dict[str, list[str]] = defaultdict(list)

        def recording(run):
            def recorded(self, sql, *args):
                for table in ("shipments", "order_events"):
                    if sql.startswith(f"INSERT OR FAIL INTO {table} ("):
                        texts[table].append(sql)
                return run(self, sql, *args)
            return recorded

        for name in ("_many", "_q"):  # (the statements' text as SQLite prepares it)
            monkeypatch.setattr(StateStore, name, recording(getattr(StateStore, name)))
        east = ws.warehouses()["east"]
        res = ship_warehouse(ws, east, profiles, state, LocalDrop(ws.warehouse_drop_root / "east"), ref, now=NOW,
                             run_id="n")
        assert (res.files, res.processed, res.shipments, res.errors) == (2, 2, 4, 0)
        assert {t: (len(sqls), len(set(sqls))) for t, sqls in texts.items()} == {
            "shipments": (2, 1), "order_events": (2, 1)}  # a statement a file, the same one
        assert invoice_run(ws, profiles, state, ref, now=NOW, run_id="n").invoices == 4
        monkeypatch.undo()
        stored = {s.shipment_id: (s.source_file, s.source_sha256[:8] != "", s.asn_doc_key != "")
                  for s in state.shipments()}
        assert stored == {"BS-000000": ("ship-0000.csv", True, True), "BS-000002": ("ship-0000.csv", True, True),
                          "BS-000004": ("ship-0001.csv", True, True), "BS-000006": ("ship-0001.csv", True, True)}
        shas = {s.source_file: s.source_sha256 for s in state.shipments()}
        assert len(set(shas.values())) == 2
        linked = {}
        for po in ("BENCH-000000", "BENCH-000002", "BENCH-000004", "BENCH-000006"):
            events = [e for e in state.order_history("acme", po) if e["event"] == "shipped_in_full"]
            assert len(events) == 1 and events[0]["document_id"] is not None
            linked[po] = events[0]["document_id"]
        # each file's 856 document: its two POs' events linked to it, the other file's to its own
        assert linked["BENCH-000000"] == linked["BENCH-000002"] != linked["BENCH-000004"] == linked["BENCH-000006"]
    finally:
        state.close()
