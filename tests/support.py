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


GOOD_PO = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*DC 7*92*DC07", "N3*1 Way",
           "N4*Columbus*OH*43215*US", "PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1", "PID*F****WIDGET",
           "PO1*2*6*EA*10*PE*VN*SKU-2", "CTT*2*18"]

TODAY = date(2026, 11, 27)


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


def run_stages(ws, now, *, use_gx: bool = False):
    """intake every partner, decide the run, deliver: the nightly flow's stages without Prefect (one
    run id, the clock's day, for every stage)."""
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import steps

    state = StateStore(ws.state_url)
    profiles = ws.partners()
    run_id = now.strftime("%Y%m%d")
    results = [steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=now, run_id=run_id)
               for pid, p in sorted(profiles.items())]
    run = steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                           steps.load_inventory(ws, now.date()), now=now, run_id=run_id, use_gx=use_gx)
    steps.merge_decisions(results, run)
    for res in results:
        res.delivered = steps.deliver_partner(profiles[res.partner], state, LocalDrop(ws.drop_root / res.partner),
                                              now=now)
    state.close()
    return results, run


def run_night(ws, now, *, use_gx: bool = False, stop_after: str = "") -> str:
    """One night as flows.nightly runs it, in process (no Prefect): recorded as a run from its start,
    intake, decide, deliver, reports, finished. ``stop_after`` ("intake", "decide", "deliver") ends it
    there, as a crash would: the run stays unfinished and writes no report. Returns the run id."""
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
