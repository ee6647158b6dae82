"""SSCC serials and invoice numbers: persisted in the state store, never reused across runs, and taken
in the same transaction as the 856 / 810 that uses them, so a crash between numbering and writing
(an exception, or the process killed) uses no number and records nothing; the next run numbers the
same documents once. A crash after the commit leaves pending documents the next delivery sends as
stored, without renumbering."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import COMPANY, StateStore
from engine.sscc import serial_of, sscc_valid
from flows import shipments
from flows.workspace import open_workspace
from tests.support import REPO, deliver_all, make_workspace, run_stages

NIGHT1 = datetime(2026, 11, 27, 2)
HEAD = "Shipment ID,Ship Date,Ship Time,Carrier,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"
SSCC_KIND = "SSCC:0614141"


def confirmation(sid: str, *cartons_and_qty: tuple[str, int], po="ACME-1000", line="1", sku="SKU-1001") -> bytes:
    rows = "".join(f"{sid},2026-11-27,14:10,UPSN,{po},{line},{sku},{q},EA,{c}\n" for c, q in cartons_and_qty)
    return (HEAD + rows).encode()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("numbers") / "ws", partners=("acme",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    run_stages(ws, NIGHT1)
    return ws.root


@pytest.fixture
def ws(template, tmp_path):
    shutil.copytree(template, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def drop(ws, name: str, data: bytes) -> None:
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / name).write_bytes(data)


def run(ws, now: datetime, run_id: str, *, render=None):
    """One shipments run (ship the east drop, invoice) with a fresh store, as a new process would."""
    state = StateStore(ws.state_path)
    try:
        if render is not None:
            original = shipments.renderer
            shipments.renderer = lambda profiles, now: render(original(profiles, now))
        ref = load_reference(ws.reference_dir)
        res = shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                                       LocalDrop(ws.warehouse_drop_root / "east"), ref, now=now, run_id=run_id)
        inv = shipments.invoice_run(ws, ws.partners(), state, ref, now=now, run_id=run_id)
        return res, inv
    finally:
        if render is not None:
            shipments.renderer = original
        state.close()


def stored(ws):
    """(every SSCC on a stored 856, every invoice number on a stored 810), from the documents' bytes."""
    state = StateStore(ws.state_path)
    try:
        ssccs, invoices = [], []
        for d in state.documents("acme"):
            segs = [s.split("*") for s in d.content.decode().replace("\n", "").split("~") if s]
            ssccs += [s[2][2:] for s in segs if s[0] == "MAN"]
            invoices += [s[2] for s in segs if s[0] == "BIG"]
        return ssccs, invoices, state.last_number(COMPANY, SSCC_KIND), state.last_number(COMPANY, "INVOICE")
    finally:
        state.close()


def test_serials_and_invoice_numbers_are_never_reused_across_runs(ws):
    drop(ws, "a.csv", confirmation("S1", ("C-1", 2), ("C-2", 2)))
    run(ws, datetime(2026, 11, 27, 14, 30), "a")
    drop(ws, "b.csv", confirmation("S2", ("C-3", 3)))
    run(ws, datetime(2026, 11, 27, 16, 30), "b")
    drop(ws, "c.csv", confirmation("S3", ("C-4", 1), line="2", sku="SKU-1003"))
    run(ws, datetime(2026, 11, 28, 9, 0), "c")
    ssccs, invoices, last_serial, last_invoice = stored(ws)
    assert [serial_of(s, "0614141") for s in ssccs] == [1, 2, 3, 4] and all(sscc_valid(s) for s in ssccs)
    assert invoices == ["INV0000001", "INV0000002", "INV0000003"] and (last_serial, last_invoice) == (4, 3)


class Crash(Exception):
    pass


def crash_while_writing(render):
    def wrapped(doc, isa13, gs06, st02s):
        raise Crash(f"the process died while writing {doc.doc_type}")
    return wrapped


def test_a_crash_between_numbering_and_writing_uses_no_serial(ws):
    drop(ws, "a.csv", confirmation("S1", ("C-1", 2), ("C-2", 2)))
    with pytest.raises(Crash):
        run(ws, datetime(2026, 11, 27, 14, 30), "crashed", render=crash_while_writing)
    ssccs, invoices, last_serial, last_invoice = stored(ws)
    state = StateStore(ws.state_path)
    assert (ssccs, last_serial) == ([], 0) and state.shipments() == []
    assert state.order("acme", "ACME-1000").state.value == "acknowledged"
    assert (ws.warehouse_drop_root / "east" / "inbox" / "a.csv").exists()  # still waiting, read again next run
    state.close()
    run(ws, datetime(2026, 11, 27, 14, 35), "again")
    ssccs, invoices, last_serial, _ = stored(ws)
    assert [serial_of(s, "0614141") for s in ssccs] == [1, 2] and last_serial == 2 and invoices == ["INV0000001"]


def test_a_crash_between_numbering_and_writing_an_810_uses_no_invoice_number(ws):
    drop(ws, "a.csv", confirmation("S1", ("C-1", 2)))
    state = StateStore(ws.state_path)
    ref = load_reference(ws.reference_dir)
    shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                             LocalDrop(ws.warehouse_drop_root / "east"), ref, now=datetime(2026, 11, 27, 14, 30),
                             run_id="a")
    original = shipments.renderer
    shipments.renderer = lambda profiles, now: crash_while_writing(original(profiles, now))
    try:
        with pytest.raises(Crash):
            shipments.invoice_run(ws, ws.partners(), state, ref, now=datetime(2026, 11, 27, 14, 30), run_id="a")
    finally:
        shipments.renderer = original
    assert state.last_number(COMPANY, "INVOICE") == 0 and state.invoices() == []
    assert [s.billing for s in state.shipments()] == ["shipment"]  # still due
    inv = shipments.invoice_run(ws, ws.partners(), state, ref, now=datetime(2026, 11, 27, 15, 0), run_id="b")
    assert inv.invoices == 1 and [v.invoice_number for v in state.invoices()] == ["INV0000001"]
    assert [s.billing for s in state.shipments()] == ["invoiced"]
    state.close()


CRASHING_RUN = textwrap.dedent("""
    import os, sys
    from datetime import datetime
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments
    from flows.workspace import open_workspace

    ws = open_workspace(sys.argv[1])
    original = shipments.renderer
    def renderer(profiles, now):
        render = original(profiles, now)
        def die(doc, isa13, gs06, st02s):
            render(doc, isa13, gs06, st02s)
            os._exit(3)  # killed: no rollback, no cleanup, half a transaction in the journal
        return die
    shipments.renderer = renderer
    state = StateStore(ws.state_path)
    shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                             LocalDrop(ws.warehouse_drop_root / "east"), load_reference(ws.reference_dir),
                             now=datetime(2026, 11, 27, 14, 30), run_id="killed")
""")


def test_a_process_killed_between_numbering_and_writing_uses_no_serial(ws):
    drop(ws, "a.csv", confirmation("S1", ("C-1", 2), ("C-2", 2)))
    killed = subprocess.run([sys.executable, "-c", CRASHING_RUN, str(ws.root)], cwd=REPO, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode == 3, killed.stderr[-2000:]
    ssccs, _, last_serial, _ = stored(ws)
    state = StateStore(ws.state_path)
    assert (ssccs, last_serial, state.shipments()) == ([], 0, [])
    assert state.reservations_for([("acme", "ACME-1000")])[("acme", "ACME-1000")][0].quantity == 10
    state.close()
    run(ws, datetime(2026, 11, 27, 14, 40), "after")
    ssccs, _, last_serial, _ = stored(ws)
    assert [serial_of(s, "0614141") for s in ssccs] == [1, 2] and last_serial == 2


def test_a_crash_after_the_commit_sends_the_stored_documents_without_renumbering(ws, monkeypatch):
    drop(ws, "a.csv", confirmation("S1", ("C-1", 2)))

    def die(*args, **kwargs):
        raise Crash("the process died before moving the file")

    monkeypatch.setattr(shipments, "_dispose", die)
    with pytest.raises(Crash):
        run(ws, datetime(2026, 11, 27, 14, 30), "a")
    monkeypatch.undo()
    before = {d.file_name: d.content for d in StateStore(ws.state_path).documents("acme") if d.doc_type == "856"}
    assert len(before) == 1
    res, _ = run(ws, datetime(2026, 11, 27, 14, 45), "b")  # the same file, still in the inbox
    # its move is finished where the record says (issue 10.7: no FILE_DUPLICATE for its own file)
    assert (res.duplicates, res.shipments, res.processed) == (0, 0, 1)
    assert [p.name for p in (ws.warehouse_drop_root / "east" / "processed").iterdir()] == ["a.csv"]
    assert not any((ws.warehouse_drop_root / "east" / "inbox").iterdir())
    deliver_all(ws, datetime(2026, 11, 27, 14, 45))
    for name, content in before.items():
        assert (ws.drop_root / "acme" / "outbox" / name).read_bytes() == content
    ssccs, _, last_serial, _ = stored(ws)
    assert len(ssccs) == 1 and last_serial == 1


def test_an_810_the_outbound_check_refuses_leaves_no_gap_in_the_invoice_numbers(ws):
    drop(ws, "a.csv", confirmation("S1", ("C-1", 2)) + confirmation("S2", ("C-2", 3), line="2", sku="SKU-1003")
         .split(b"\n", 1)[1])
    state = StateStore(ws.state_path)
    ref = load_reference(ws.reference_dir)
    shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                             LocalDrop(ws.warehouse_drop_root / "east"), ref, now=datetime(2026, 11, 27, 14, 30),
                             run_id="a")
    from schemas.findings import finding

    refuse = finding("INVOICE_NOT_BUILT", "refused", severity="error")
    inv = shipments.invoice_run(ws, ws.partners(), state, ref, now=datetime(2026, 11, 27, 14, 30), run_id="a",
                                check=lambda data: [refuse] if b"REF*SI*S1~" in data else [])
    assert inv.invoices == 1 and [v.invoice_number for v in state.invoices()] == ["INV0000001"]  # S2's: no gap
    assert [v.shipment_id for v in state.invoices()] == ["S2"]
    assert {s.shipment_id: s.billing for s in state.shipments()} == {"S1": "shipment", "S2": "invoiced"}
    (why,) = [f for f in state.findings(run_id="a") if f["code"] == "INVOICE_NOT_BUILT"]
    assert "failed validation" in why["message"]
    later = shipments.invoice_run(ws, ws.partners(), state, ref, now=datetime(2026, 11, 27, 15, 0), run_id="b")
    assert later.invoices == 1 and [v.invoice_number for v in state.invoices()] == ["INV0000001", "INV0000002"]
    state.close()
