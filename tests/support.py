"""Shared test helpers: the shared corpus, demo profiles, small X12 builders."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "sample_files" / "drops"


def corpus_dir() -> Path:
    """The shared corpus, or a skip (a failure under CI=true, where it must be present)."""
    if CORPUS.is_dir():
        return CORPUS
    if os.environ.get("CI") == "true":
        pytest.fail(f"the shared corpus is missing at {CORPUS}; CI must have shared/ beside the clone")
    pytest.skip(f"the shared corpus is not at {CORPUS} (a user's clone without shared/)")


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in (CORPUS / "x12").rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")


def corpus_ids() -> list[str]:
    return [str(p.relative_to(CORPUS / "x12")) for p in corpus_files()]


ISA = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*U*00401*"
       "{isa13:09d}*{ack}*P*>~\n")


def x12_850(body: list[str], *, isa13: int = 1, st02: str = "0001", se_count: int | None = None, ack: str = "0",
            gs06: str = "1", ge02: str | None = None, iea02: str | None = None) -> bytes:
    """A one-PO ACME interchange around ``body`` (segments without terminators)."""
    n = se_count if se_count is not None else len(body) + 2
    text = (ISA.format(isa13=isa13, ack=ack) + f"GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*{gs06}*X*004010~\n"
            + f"ST*850*{st02}~\n" + "".join(s + "~\n" for s in body) + f"SE*{n}*{st02}~\n"
            + f"GE*1*{ge02 or gs06}~\n" + f"IEA*1*{iea02 or f'{isa13:09d}'}~\n")
    return text.encode()


def write_settled(path: Path, data: bytes) -> None:
    """``data`` written to ``path`` as an upload its partner finished a while ago: its mtime set a minute
    back. A local drop of a night run by flows.night (a profile's [drop.local], settle_seconds 2 by default)
    then lists it at once instead of sleeping 2 s to see it unchanged; for tests not about that rule
    (tests/test_warehouse_local_drop.py and the sftp tests are)."""
    path.write_bytes(data)
    old = path.stat().st_mtime - 60
    os.utime(path, (old, old))


GOOD_PO = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*DC 7*92*DC07", "N3*1 Way",
           "N4*Columbus*OH*43215*US", "PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1", "PID*F****WIDGET",
           "PO1*2*6*EA*10*PE*VN*SKU-2", "CTT*2*18"]

TODAY = date(2026, 11, 27)


def numbers_render(doc, isa13, gs06, st02s):
    """A renderer for StateStore.apply in tests: the file named by partner, type and ISA13, its bytes
    the numbers it was given (type/ISA13/GS06/ST02s), so a test sees which numbers a document took."""
    return f"{doc.partner}-{doc.doc_type}-{isa13:09d}.x12", f"{doc.doc_type}/{isa13}/{gs06}/{st02s}".encode()


def seed_demo_data(root: Path) -> None:
    """The demo profiles, reference data and inventory in a workspace (what `orderbridge demo` copies)."""
    import shutil

    shutil.copytree(REPO / "partners", root / "partners", dirs_exist_ok=True)
    for folder in ("reference", "inventory"):
        shutil.copytree(REPO / "sample_files" / folder, root / folder, dirs_exist_ok=True)


def make_workspace(root: Path, partners: tuple[str, ...] = ("acme", "globex", "initech")):
    """A workspace with the demo profiles, reference data and inventory, and the demo drops in the
    partners' inboxes."""
    import shutil

    from flows.workspace import open_workspace

    ws = open_workspace(root)
    seed_demo_data(ws.root)
    for pid in partners:
        inbox = ws.drop_root / pid / "inbox"
        inbox.mkdir(parents=True)
        for f in (SAMPLES / pid).iterdir():
            shutil.copy2(f, inbox / f.name)
    return ws


_TEMPLATES: dict[str, tuple[Path, object]] = {}


def from_template(name: str, root: Path, build):
    """A copy at ``root`` of the workspace ``build(folder)`` leaves (what it returned kept with it), built once
    per test session and copied (the same files, modification times and state store) for every later caller:
    the demo's nights cost seconds each, a copy a fraction of one. What the stages run here (run_stages,
    ship_stages, deliver_all, the stages' own functions) write names no path of the workspace, in its files or
    its state store, so a copy is the workspace it was copied from. (flows.night's run does: a finished run's
    summary keeps its report folder; a test comparing the runs table should not copy such a workspace.)
    The first caller builds it for all: ask for it before monkeypatching anything its stages use (every caller
    today does), or the later callers get that test's patched workspace."""
    import atexit
    import shutil
    import tempfile

    if name not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix=f"ob-template-{name}-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _TEMPLATES[name] = (folder / "ws", build(folder / "ws"))
    built, value = _TEMPLATES[name]
    shutil.copytree(built, root, symlinks=True)
    return value


def demo_night_with_warehouses(root: Path) -> Path:
    """Night 1 of the demo (2026-11-27 02:00, all four partners) in a workspace with the warehouses' profiles:
    its root. GLOBEX-2001 (S-O-T-P-I, a 60-minute ASN window) waits for the North 3PL's 945. Run once per
    test session and copied (from_template)."""

    def build(folder: Path) -> None:
        import shutil
        from datetime import datetime

        ws = make_workspace(folder, partners=("acme", "globex", "initech", "umbrella"))
        shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
        run_stages(ws, datetime(2026, 11, 27, 2))

    from_template("night1-warehouses", root, build)
    return Path(root).resolve()


def run_stages(ws, now, *, use_gx: bool = False, shipping: list | None = None):
    """intake every partner, decide the run, ship (every warehouse's confirmations) and invoice,
    deliver: the nightly flow's stages without Prefect (one run id, the clock's day, for every stage).
    ``shipping`` collects the warehouses' results and the invoicing result when given."""
    ws = ws.on(now)  # its profiles as of the night's clock ([[changes]]), as flows.night reads them
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments, steps

    state = StateStore(ws.state_url)
    profiles = ws.partners()
    run_id = now.strftime("%Y%m%d")
    results = [steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=now, run_id=run_id)
               for pid, p in sorted(profiles.items())]
    ref = load_reference(ws.reference_dir)
    run = steps.decide_run(ws, profiles, state, ref, steps.load_inventory(ws, now.date()), now=now,
                           run_id=run_id, use_gx=use_gx)
    steps.merge_decisions(results, run)
    shipped = ship_stages(ws, now, state=state, ref=ref, run_id=run_id)
    if shipping is not None:
        shipping.extend(shipped)
    shipments.merge_documents(results, [w.to_dict() for w in shipped[:-1]], shipped[-1].to_dict())
    for res in results:
        res.delivered = steps.deliver_partner(profiles[res.partner], state, LocalDrop(ws.drop_root / res.partner),
                                              now=now)
    state.close()
    return results, run


def ship_stages(ws, now, *, state=None, ref=None, run_id: str = "s") -> list:
    """Every warehouse's confirmations (856s), then the 810s due: [WarehouseResult..., InvoiceResult]; as the night
    runs them (flows.night._ship_and_invoice: the ship stage's stored order rows kept for the invoice stage)."""
    ws = ws.on(now)  # its profiles as of the night's clock ([[changes]]), as flows.night reads them
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments

    own = state is None
    state = state or StateStore(ws.state_path)
    ref = ref or load_reference(ws.reference_dir)
    profiles = ws.partners()
    try:
        with shipments.kept_for_invoicing():
            out = [shipments.ship_warehouse(ws, w, profiles, state, LocalDrop(ws.warehouse_drop_root / wid), ref,
                                            now=now, run_id=run_id) for wid, w in sorted(ws.warehouses().items())]
            out.append(shipments.invoice_run(ws, profiles, state, ref, now=now, run_id=run_id))
        return out
    finally:
        if own:
            state.close()


def deliver_all(ws, now) -> int:
    """Deliver every partner's pending documents (what the flows do after shipping)."""
    ws = ws.on(now)  # its profiles as of the night's clock ([[changes]]), as flows.night reads them
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps

    state = StateStore(ws.state_path)
    try:
        return sum(steps.deliver_partner(p, state, LocalDrop(ws.drop_root / pid), now=now)
                   for pid, p in sorted(ws.partners().items()))
    finally:
        state.close()


def drop_confirmations(ws, folder: str = "warehouse-drops") -> None:
    """Copy the demo's shipment confirmations (sample_files/<folder>/<warehouse>/) into the warehouses' inboxes."""
    import shutil

    for src in sorted((REPO / "sample_files" / folder).iterdir()):
        inbox = ws.warehouse_drop_root / src.name / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        for f in src.iterdir():
            shutil.copy2(f, inbox / f.name)


def shipping_workspace(root, partners: tuple[str, ...] = ("acme", "globex", "initech", "umbrella")):
    """A demo workspace with the warehouses (and, as every test workspace, a copy of the inventory:
    night 2 adds a snapshot)."""
    import shutil

    ws = make_workspace(root, partners=partners)  # the demo's inventory included
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    return ws


def night2_inputs(ws) -> None:
    """Night 2's 860s and inventory (a receipt arrived, day 1's shipments left the snapshot)."""
    import shutil

    for folder in (REPO / "sample_files" / "drops-day2").iterdir():
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)
    day2 = REPO / "sample_files" / "inventory-day2"
    shutil.copytree(day2 / "snapshots", ws.root / "inventory" / "snapshots", dirs_exist_ok=True)
    shutil.copy2(day2 / "receipts.parquet", ws.root / "inventory" / "receipts.parquet")


def shipping_demo(root) -> dict:
    """`make demo` without Prefect: night 1, day 1's shipments run, night 2 with its confirmations.
    Returns the workspace and what each fulfilment stage reported (a copy of each caller's own). Run once
    per test session and copied (from_template)."""
    import copy

    from flows.workspace import open_workspace

    found = from_template("shipping-demo", Path(root), _shipping_demo)
    return {**copy.deepcopy({k: v for k, v in found.items() if k != "ws"}), "ws": open_workspace(root)}


def _shipping_demo(root) -> dict:
    from datetime import datetime

    from connectors.state import StateStore

    night1, day1, night2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30), datetime(2026, 11, 28, 2)
    ws = shipping_workspace(root)
    run_stages(ws, night1)
    drop_confirmations(ws, "warehouse-drops")
    shipped = ship_stages(ws, day1, run_id="day1")
    deliver_all(ws, day1)
    state = StateStore(ws.state_path)
    after_day1 = {o.key: o.state.value for o in state.orders()}
    reserved_day1 = state.reservations_for(after_day1)
    state.close()
    night2_inputs(ws)
    drop_confirmations(ws, "warehouse-drops-day2")
    later: list = []
    run_stages(ws, night2, shipping=later)
    return {"ws": ws, "day1": shipped, "night2": later, "after_day1": after_day1, "reserved_day1": reserved_day1}


def run_night(ws, now, *, use_gx: bool = False, stop_after: str = "") -> str:
    """One night as flows.nightly runs it, in process (no Prefect): recorded as a run from its start,
    intake, decide, ship and invoice, deliver, reports, finished. ``stop_after`` ("intake", "decide",
    "deliver") ends it there, as a crash would: the run stays unfinished and writes no report. Returns
    the run id."""
    ws = ws.on(now)  # its profiles as of the night's clock ([[changes]]), as flows.night reads them
    from datetime import datetime as _dt

    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import steps

    state = StateStore(ws.state_url)
    try:
        run_id = steps.run_id_for(now, ws, state)
        state.start_run(run_id, _dt.now().replace(microsecond=0).isoformat(), clock=now.isoformat())
        profiles = ws.partners()
        for pid, p in sorted(profiles.items()):
            steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=now, run_id=run_id)
        if stop_after == "intake":
            return run_id
        run = steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                               steps.load_inventory(ws, now.date()), now=now, run_id=run_id, use_gx=use_gx)
        if stop_after == "decide":
            return run_id
        ship_stages(ws, now, state=state, run_id=run_id)
        for pid, p in sorted(profiles.items()):
            steps.deliver_partner(p, state, LocalDrop(ws.drop_root / pid), now=now)
        if stop_after == "deliver":
            return run_id
        summary = steps.write_reports(ws, run_id, state=state, availability=run.availability,
                                      failures={"failure": "", "partners": {}})
        state.finish_run(run_id, _dt.now().replace(microsecond=0).isoformat(), summary)
        return run_id
    finally:
        state.close()


def run_shipments(ws, now) -> str:
    """The shipments flow as flows.nightly.shipments runs it, in process (no Prefect): recorded as a run
    of kind "shipments", every warehouse's confirmations and the 810s due, delivery, its reports.
    Returns the run id."""
    from datetime import datetime as _dt

    from connectors.state import StateStore
    from flows import steps

    state = StateStore(ws.state_path)
    try:
        run_id = steps.run_id_for(now, ws, state)
        state.start_run(run_id, _dt.now().replace(microsecond=0).isoformat(), kind="shipments", clock=now.isoformat())
        shipped = ship_stages(ws, now, state=state, run_id=run_id)
        deliver_all(ws, now)
        summary = steps.write_reports(ws, run_id, state=state, failures={"failure": "", "partners": {}},
                                      shipping={"warehouses": [w.to_dict() for w in shipped[:-1]],
                                                "invoicing": shipped[-1].to_dict()})
        state.finish_run(run_id, _dt.now().replace(microsecond=0).isoformat(), summary)
        return run_id
    finally:
        state.close()


def lose_store(root: Path) -> None:
    """The workspace at ``root`` loses its SQLite state store (the file and its -wal/-shm/-journal beside it)."""
    for p in (Path(root) / "state").glob("orderbridge.sqlite*"):
        p.unlink()


def rebuilt_store(root: Path, *, copy_of: Path | None = None) -> str:
    """`orderbridge state rebuild` of the workspace at ``root`` after its store files are deleted (``root`` made a
    copy of ``copy_of`` first, when given): the command's output, its blanks squeezed (it must exit 0)."""
    import shutil

    from typer.testing import CliRunner

    from flows.cli import app

    root = Path(root)
    if copy_of is not None:
        shutil.copytree(copy_of, root, symlinks=True)
    lose_store(root)
    res = CliRunner().invoke(app, ["state", "rebuild", "-w", str(root)])
    assert res.exit_code == 0, res.output
    return " ".join(res.output.split())


def said(result) -> str:
    """What a CLI command printed, its lines joined (the console wraps long lines)."""
    return " ".join(result.output.split())


def state_rows(ws, sql: str, args=()) -> list[tuple]:
    """The rows ``sql`` reads from ``ws``'s SQLite state store (a connection of its own, closed after)."""
    import sqlite3

    db = sqlite3.connect(ws.state_path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()
