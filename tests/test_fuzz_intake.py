"""Bad input never crashes a run: random damage to real files (bytes flipped, cut, duplicated,
delimiters swapped, envelope pieces inserted) goes through the whole per-file pipeline, `inspect`,
`ack` and the intake stage (archive, state store, disposition) without an exception.

A bounded number of mutants in `make test`; `make fuzz` (ORDERBRIDGE_FUZZ=full) runs many more.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.process import Known, process_file
from flows import steps
from flows.cli import app
from flows.workspace import open_workspace
from parsers.x12_reader import read_interchanges
from schemas.profile import LimitSettings, load_profiles
from tests.support import REPO, SAMPLES, corpus_files

PROFILES = load_profiles(REPO / "partners")
SOURCES = [p.read_bytes() for p in sorted(SAMPLES.rglob("*")) if p.is_file()] + \
    [p.read_bytes() for p in corpus_files()[:60]]
SCALE = 50 if os.environ.get("ORDERBRIDGE_FUZZ") == "full" else 1
NOW = datetime(2026, 11, 27, 2, 0)


def examples(n: int):
    return settings(max_examples=n * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def damaged(draw):
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "cut", "dup", "swap", "insert"]))
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[i: i + draw(st.integers(1, 200))]
        elif kind == "dup":
            data[i:i] = data[i: i + draw(st.integers(1, 200))]
        elif kind == "swap":
            a, b = draw(st.sampled_from([(b"*", b"~"), (b"~", b"\n"), (b">", b"*"), (b"\n", b"")]))
            data = bytearray(bytes(data).replace(a, b, draw(st.integers(1, 5))))
        else:
            junk = [b"\x00", b"~~", b"ISA*", b"GS*PO*", b"ST*850*1~", b"IEA*1*1~", b"\xff\xfe"]
            data[i:i] = draw(st.sampled_from(junk))
    return bytes(data)


@examples(150)
@given(data=damaged(), partner=st.sampled_from(sorted(PROFILES)))
def test_damaged_files_never_crash_the_pipeline(data, partner):
    out = process_file(data, file="fuzz.x12", sha256="f", profile=PROFILES[partner], known=Known(),
                       today=date(2026, 11, 27))
    assert out.disposition in ("processed", "quarantine")
    if out.disposition == "processed":
        assert out.error_count == 0


@examples(60)
@given(data=damaged(), partner=st.sampled_from(sorted(PROFILES)),
       cap=st.integers(1, 5))
def test_the_findings_budget_holds_for_damaged_files(data, partner, cap):
    limits = LimitSettings(max_findings_per_set=cap, max_findings_per_file=3 * cap)
    profile = PROFILES[partner].model_copy(update={"limits": limits})
    whole = process_file(data, file="fuzz.x12", sha256="f", profile=PROFILES[partner], known=Known(),
                         today=date(2026, 11, 27))
    out = process_file(data, file="fuzz.x12", sha256="f", profile=profile, known=Known(), today=date(2026, 11, 27))
    assert out.disposition == whole.disposition  # the budget never changes what happens to the file
    assert out.orders["po_number"].to_pylist() == whole.orders["po_number"].to_pylist()
    sets = {(f.location.isa13, f.location.gs06, f.location.st02) for f in out.findings}
    kept = [f for f in out.findings if f.code != "FINDINGS_CAPPED"]
    # the file's cap; in each set its first error and its first error deciding the interchange; the
    # first error deciding each group and each transaction set (under at most two sets each: an
    # unreadable GS06 or ST02 puts some of their findings under the set around them)
    structure = sum(1 + len(g.transactions) for ic in read_interchanges(data).interchanges for g in ic.groups)
    assert len(kept) <= 3 * cap + 2 * len(sets) + 2 * (structure + 1)
    assert len(kept) <= len([f for f in whole.findings if f.code != "FINDINGS_CAPPED"])


@examples(40)
@given(data=damaged())
def test_inspect_never_tracebacks(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "f.x12"
    path.write_bytes(data)
    res = CliRunner().invoke(app, ["inspect", str(path), "--json"])
    assert res.exit_code in (0, 1), res.output
    json.loads(res.stdout)


@examples(40)
@given(data=damaged(), partner=st.sampled_from([None, *sorted(PROFILES)]))
def test_ack_never_tracebacks(tmp_path_factory, data, partner):
    path = tmp_path_factory.mktemp("fuzz") / "f.x12"
    path.write_bytes(data)
    args = ["ack", str(path)] + (["--partner", partner, "--workspace", str(REPO)] if partner else [])
    res = CliRunner().invoke(app, args)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code in (0, 1), res.output


@examples(25)
@given(files=st.lists(damaged(), min_size=1, max_size=3), partner=st.sampled_from(sorted(PROFILES)))
def test_the_intake_stage_takes_in_every_damaged_file(files, partner):
    """Through the real intake stage (archive, state store, 997/TA1, move): every file is archived,
    recorded and moved to processed/ or quarantine/ as its findings say; nothing stays in the inbox."""
    profile = PROFILES[partner]
    if profile.drop.kind != "local":
        profile = profile.model_copy(update={"drop": type(profile.drop)()})
    root = Path(tempfile.mkdtemp(prefix="fuzz-intake-"))
    try:
        ws = open_workspace(root)
        inbox = ws.drop_root / partner / "inbox"
        inbox.mkdir(parents=True)
        for k, data in enumerate(files):
            (inbox / f"f{k}.x12").write_bytes(data)
        state = StateStore(ws.state_path)
        try:
            res = steps.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / partner), now=NOW, run_id="fuzz")
            assert not list(inbox.iterdir())
            shas = {hashlib.sha256(d).hexdigest() for d in files}
            recorded = {r["sha256"]: r for r in state.files(partner)}
            assert set(recorded) == shas and res.files == len(files)
            for sha, rec in recorded.items():
                assert state.file_record(partner, sha)["disposed_at"]
                folder = "quarantine" if rec["status"] == "quarantined" else "processed"
                assert (ws.drop_root / partner / folder / rec["name"]).is_file()
                assert (ws.drop_root / partner / "archive" / rec["archive_path"]).is_file()
                assert (rec["status"] == "quarantined") == (rec["error_count"] > 0)
                errors = [f for f in state.findings() if f["file"] == rec["name"] and f["severity"] == "error"]
                assert bool(errors) == (rec["error_count"] > 0), (rec, errors)  # its errors reach the store
        finally:
            state.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
