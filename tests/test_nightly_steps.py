"""The nightly stages without Prefect: answers for every PO, files kept, nothing sent twice,
control numbers never reused (also across a crash between numbering and delivery)."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import StateStore
from flows import steps
from flows.workspace import open_workspace
from parsers.x12_reader import read_interchanges
from tests.support import SAMPLES, seed_demo_data

NOW = datetime(2026, 11, 27, 2, 0)


def make_ws(tmp_path):
    ws = open_workspace(tmp_path / "ws")
    seed_demo_data(ws.root)
    for folder in SAMPLES.iterdir():
        inbox = ws.drop_root / folder.name / "inbox"
        inbox.mkdir(parents=True)
        for f in folder.iterdir():
            shutil.copy2(f, inbox / f.name)
    return ws


def run_all(ws, now=NOW):
    """intake every partner, decide the run (plain rules, no GX: fast), deliver."""
    state = StateStore(ws.state_path)
    profiles = ws.partners()
    results = [steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=now, run_id="r")
               for pid, p in sorted(profiles.items())]
    run = steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, now.date()),
                           now=now, run_id="r", use_gx=False)
    steps.merge_decisions(results, run)
    for res in results:
        res.delivered = steps.deliver_partner(profiles[res.partner], state, LocalDrop(ws.drop_root / res.partner),
                                              now=now)
    state.close()
    return results


def outbox(ws):
    return {p.relative_to(ws.drop_root): p.read_bytes() for p in sorted(ws.drop_root.glob("*/outbox/*"))}


DECIDED = {"ACME-1000": "AC", "ACME-1001": "AC", "GLOBEX-2000": "AC", "GLOBEX-2001": "AC", "GLOBEX-2011": "RD",
           "INITECH-3000": "AD", "INITECH-3010": "AC"}
HELD = {"ACME-1010", "ACME-1011", "GLOBEX-2010", "INITECH-3001", "INITECH-3011"}


def test_every_decided_po_gets_an_855_and_every_group_a_997(tmp_path):
    ws = make_ws(tmp_path)
    run_all(ws)
    bak, ak1 = {}, []
    for content in outbox(ws).values():
        for row in read_interchanges(content).segments.elements.to_pylist():
            if row[0] == "BAK":
                bak[row[3]] = row[2]
            if row[0] == "AK1":
                ak1.append(row)
    assert {po: t for po, t in bak.items() if po != "ACME-1000"} == {k: v for k, v in DECIDED.items()
                                                                     if k != "ACME-1000"}
    assert bak["ACME-1000"] in ("AD", "AC") and not HELD & set(bak)
    assert len(ak1) == 7  # one 997 per functional group received (broken file included, foreign excluded)
    state = StateStore(ws.state_path)
    assert {o.po_number for o in state.orders(states=["held"])} == HELD  # "pending_approval" before the lifecycle
    # every input file is kept: processed or quarantined, and archived
    for pid in ("acme", "globex", "initech"):
        assert list((ws.drop_root / pid / "inbox").iterdir()) == []
        kept = {p.name for f in ("processed", "quarantine") for p in (ws.drop_root / pid / f).iterdir()}
        assert kept == {p.name for p in (SAMPLES / pid).iterdir()}
        assert len(list((ws.drop_root / pid / "archive").iterdir())) == len(kept)
    assert {p.name for p in (ws.drop_root / "acme" / "quarantine").iterdir()} == {"acme-po-broken.x12"}
    assert {p.name for p in (ws.drop_root / "initech" / "quarantine").iterdir()} == {"initech-po-foreign.x12"}


def test_second_run_over_same_drop_sends_nothing_new(tmp_path):
    ws = make_ws(tmp_path)
    run_all(ws)
    before_docs, before_numbers = outbox(ws), StateStore(ws.state_path).numbers_used()
    for folder in SAMPLES.iterdir():  # the partners drop the very same files again
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)
    results = run_all(ws, datetime(2026, 11, 28, 2, 0))
    assert outbox(ws) == before_docs
    assert StateStore(ws.state_path).numbers_used() == before_numbers
    assert sum(r.duplicates for r in results) == sum(1 for f in SAMPLES.rglob("*") if f.is_file())
    assert all(not any((ws.drop_root / p / "inbox").iterdir()) for p in ("acme", "globex", "initech"))


def test_resent_po_in_a_new_interchange_is_not_acknowledged_twice(tmp_path):
    ws = make_ws(tmp_path)
    run_all(ws)
    original = (SAMPLES / "acme" / "acme-po-01.x12").read_bytes()
    # new envelopes (ISA13 and GS06), the same POs inside
    resend = original.replace(b"*000001001*", b"*000001501*").replace(b"IEA*1*000001001", b"IEA*1*000001501")
    resend = resend.replace(b"*0200*1001*X*", b"*0200*1501*X*").replace(b"GE*2*1001~", b"GE*2*1501~")
    (ws.drop_root / "acme" / "inbox" / "resend.x12").write_bytes(resend)
    before = set(outbox(ws))
    res = run_all(ws)[0]
    new = set(outbox(ws)) - before
    assert [p.name.split("-")[1] for p in new] == ["997"]  # a 997 for the interchange, no second 855
    assert any(f["code"] == "ORDER_DUPLICATE" for f in res.findings)
    assert not any(f["code"] in ("ISA_DUPLICATE", "GS_DUPLICATE") for f in res.findings)


def test_resent_po_in_a_new_interchange_with_the_same_group_number_is_an_order_duplicate(tmp_path):
    """A translator that starts GS06 again in every interchange resends the POs in a new interchange
    (new ISA13) under the same GS06: the group is new (GS06 is unique within an interchange, X12 RFI
    362), so the 997 accepts it; the POs are the order-level duplicates they are (ORDER_DUPLICATE):
    neither lost nor doubled, no second 855."""
    ws = make_ws(tmp_path)
    run_all(ws)
    state = StateStore(ws.state_path)
    lines_before = {po: [(ln.line_number, ln.ordered) for ln in state.order_lines("acme", po)]
                    for po in ("ACME-1000", "ACME-1001")}
    state.close()
    original = (SAMPLES / "acme" / "acme-po-01.x12").read_bytes()
    resend = original.replace(b"*000001001*", b"*000001501*").replace(b"IEA*1*000001001", b"IEA*1*000001501")
    assert b"*0200*1001*X*" in resend  # the group number kept
    (ws.drop_root / "acme" / "inbox" / "resend.x12").write_bytes(resend)
    before = set(outbox(ws))
    res = run_all(ws)[0]
    after = outbox(ws)
    new = set(after) - before
    assert [p.name.split("-")[1] for p in new] == ["997"]  # the 997 accepts the group; no second 855
    [ack] = new
    assert b"AK9*A*2*2*2" in after[ack]
    assert not any(f["code"] in ("ISA_DUPLICATE", "GS_DUPLICATE") for f in res.findings)
    dups = [f["message"] for f in res.findings if f["code"] == "ORDER_DUPLICATE"]
    assert len(dups) == 2 and all(any(po in m for m in dups) for po in ("ACME-1000", "ACME-1001")), dups
    state = StateStore(ws.state_path)
    assert {po: [(ln.line_number, ln.ordered) for ln in state.order_lines("acme", po)]
            for po in ("ACME-1000", "ACME-1001")} == lines_before  # the orders as they were: not doubled
    state.close()


def test_crash_between_numbering_and_delivery(tmp_path):
    ws = make_ws(tmp_path)
    state = StateStore(ws.state_path)
    profiles = ws.partners()
    for pid, p in profiles.items():  # every document numbered and stored ...
        steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=NOW, run_id="r")
    steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, NOW.date()),
                     now=NOW, run_id="r", use_gx=False)  # ... then the run dies before delivering
    pending = state.pending_documents("acme")
    assert {d.doc_type for d in pending} == {"997", "TA1", "855"}
    numbers = state.numbers_used()
    assert pending and not list((ws.drop_root / "acme" / "outbox").iterdir())
    state.close()
    run_all(ws)  # the next run delivers exactly the stored documents with their numbers
    state = StateStore(ws.state_path)
    assert state.numbers_used()[("acme", "ISA")] == numbers[("acme", "ISA")]
    delivered = {p.name: p.read_bytes() for p in (ws.drop_root / "acme" / "outbox").iterdir()}
    assert delivered == {d.file_name: d.content for d in pending}
    isa13s = [d.isa13 for d in state.documents("acme")]
    assert len(isa13s) == len(set(isa13s))


def test_failure_inside_the_numbering_transaction_uses_no_number(tmp_path, monkeypatch):
    ws = make_ws(tmp_path)
    state = StateStore(ws.state_path)
    profile = ws.partners()["acme"]
    drop = LocalDrop(ws.drop_root / "acme")

    def boom(*a, **k):
        raise RuntimeError("disk full while rendering")

    import flows.documents

    monkeypatch.setattr(flows.documents, "wrap", boom)  # where documents are rendered
    with pytest.raises(RuntimeError):
        steps.intake_partner(ws, profile, state, drop, now=NOW, run_id="r")
    assert state.numbers_used().get(("acme", "ISA"), 0) == 0 and state.documents("acme") == []
    assert state.orders("acme") == []  # the orders of that file were not recorded either
    assert list((ws.drop_root / "acme" / "inbox").iterdir())  # the file is still there for the retry
    monkeypatch.undo()
    res = steps.intake_partner(ws, profile, state, drop, now=NOW, run_id="r")
    assert res.documents["997"] == 3 and state.last_number("acme", "ISA") == sum(res.documents.values())
    assert len(state.orders("acme")) == 4


def test_documents_are_deterministic(tmp_path):
    a, b = make_ws(tmp_path / "a"), make_ws(tmp_path / "b")
    run_all(a), run_all(b)
    assert outbox(a) == outbox(b) and outbox(a)


def test_findings_csv_neutralises_formulas():
    rows = [{"partner": "acme", "severity": "error", "code": "ITEM_UNKNOWN", "message": "=HYPERLINK(1)",
             "location": {"value": "+1", "file": "@f"}}]
    text = steps.findings_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'+1" in text and "'@f" in text


def test_archive_is_verified_before_the_input_is_moved(tmp_path, monkeypatch):
    ws = make_ws(tmp_path)
    state = StateStore(ws.state_path)
    profile = ws.partners()["acme"]
    drop = LocalDrop(ws.drop_root / "acme")
    real_read = LocalDrop.read

    def corrupt_archive(self, folder, name, **kw):
        data = real_read(self, folder, name, **kw)
        return data + b"x" if folder == "archive" else data

    monkeypatch.setattr(LocalDrop, "read", corrupt_archive)
    from schemas.errors import TransientError

    with pytest.raises(TransientError):
        steps.intake_partner(ws, profile, state, drop, now=NOW, run_id="r")
    assert len(list((ws.drop_root / "acme" / "inbox").iterdir())) == 3  # nothing moved, nothing lost
    assert state.documents("acme") == []


def test_inventory_is_the_newest_snapshot_on_or_before_the_run(tmp_path):
    import pyarrow as pa

    from connectors.snapshots import load_snapshot, write_snapshot
    from schemas.errors import SnapshotError

    ws = make_ws(tmp_path)  # with the demo inventory
    later = load_snapshot(ws.inventory_dir / "snapshots", NOW.date().replace(day=26))
    later = later.set_column(0, "as_of", pa.array([NOW.date().replace(day=28)] * later.num_rows, pa.date32()))
    write_snapshot(ws.inventory_dir / "snapshots", later)  # tomorrow's snapshot already there
    assert steps.load_inventory(ws, NOW.date()).as_of == NOW.date().replace(day=26)
    assert steps.load_inventory(ws, NOW.date().replace(day=28)).as_of == NOW.date().replace(day=28)
    with pytest.raises(SnapshotError):
        steps.load_inventory(ws, NOW.date().replace(day=1))


def test_decide_leaves_no_object_frozen_out_of_garbage_collection(tmp_path, monkeypatch):
    """The decide stage keeps the older heap out of the cyclic collector's passes while it runs
    (gc.freeze) and collects less often (flows.gc_pause.fewer_collections), and gives every object
    back to it and its thresholds as they were afterwards, also when the stage fails."""
    import gc

    ws = make_ws(tmp_path)
    frozen_during, young_during = [], []
    real = steps.decide_run.__globals__["_decide_run"]
    thresholds = gc.get_threshold()

    def spy(*args, **kwargs):
        frozen_during.append(gc.get_freeze_count())
        young_during.append(gc.get_threshold()[0])
        return real(*args, **kwargs)

    monkeypatch.setitem(steps.decide_run.__globals__, "_decide_run", spy)
    run_all(ws)
    assert frozen_during and frozen_during[0] > 0
    assert young_during[0] > thresholds[0]
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds

    def fail(*args, **kwargs):
        raise RuntimeError("stage failed")

    monkeypatch.setitem(steps.decide_run.__globals__, "_decide_run", fail)
    state = StateStore(ws.state_path)
    with pytest.raises(RuntimeError):
        steps.decide_run(ws, ws.partners(), state, load_reference(ws.reference_dir),
                         steps.load_inventory(ws, NOW.date()), now=NOW, run_id="r2", use_gx=False)
    state.close()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds


def test_decide_leaves_a_nights_freeze_as_it_is(tmp_path, monkeypatch):
    """Inside a night whose heap is frozen already (flows.memory.survivors_frozen), the decide stage
    freezes what it finds and unfreezes nothing at its end: the objects frozen before it stay frozen
    (the collection after the stage does not walk them again); the night unfreezes all at its end."""
    import gc

    from flows import memory

    ws = make_ws(tmp_path)
    run_all(ws)  # a night's state to decide again
    state = StateStore(ws.state_path)
    unfrozen = []
    real_unfreeze = gc.unfreeze
    monkeypatch.setattr(gc, "unfreeze", lambda: (unfrozen.append(True), real_unfreeze()))
    old = [object()]  # an object of the night's heap, frozen with it
    old.append(old)
    with memory.survivors_frozen():
        before = gc.get_freeze_count()
        assert before > 0 and not any(o is old for o in gc.get_objects(generation=2))
        steps.decide_run(ws, ws.partners(), state, load_reference(ws.reference_dir),
                         steps.load_inventory(ws, NOW.date()), now=NOW, run_id="r3", use_gx=False)
        # nothing unfrozen: the night's objects are still out of the collector's generations (a count alone
        # is no proof: frozen objects the stage frees, e.g. a cache entry replaced, leave the count lower)
        assert unfrozen == [] and not any(o is old for o in gc.get_objects(generation=2))
    state.close()
    assert gc.get_freeze_count() == 0
