"""Delivery batching is the partner's choice (delivery.batch): one interchange per transaction set, one
per document type and run, or at most N sets each. Every choice numbers and stores the documents in
the plan's transaction before a file is written, sends the same transaction sets, and survives a
crash between numbering and writing (the rerun delivers the same bytes, no new numbers)."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from connectors.local import LocalDrop
from connectors.state import StateStore
from parsers.x12_reader import read_interchanges
from schemas.profile import load_profiles
from tests.support import SAMPLES, make_workspace, run_stages

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
CHOICES = ["document", "run", 2]


def workspace(root: Path, batch):
    ws = make_workspace(root)
    for profile in (ws.root / "partners").glob("*.toml"):
        value = f'"{batch}"' if isinstance(batch, str) else str(batch)
        profile.write_text(profile.read_text() + f"\n[delivery]\nbatch = {value}\n")
    assert {p.delivery.batch for p in load_profiles(ws.root / "partners").values()} == {batch}
    return ws


def second_night(ws) -> None:
    for pid in ("acme", "globex", "initech"):
        for f in (SAMPLES.parent / "drops-day2" / pid).iterdir():
            shutil.copy2(f, ws.drop_root / pid / "inbox" / f.name)


def outbox(ws) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(ws.drop_root.glob("*/outbox/*.x12"))}


def answer_sets(files: dict[str, bytes]) -> dict[tuple[str, str], list[str]]:
    """(partner, set id) -> every 855/865 transaction set's segments between ST and SE, in file order."""
    out: dict[tuple[str, str], list[str]] = {}
    for name, data in files.items():
        partner, doc_type = name.split("-")[:2]
        if doc_type not in ("855", "865"):
            continue
        result = read_interchanges(data)
        assert [f for f in result.findings if f.severity == "error"] == []
        rows = result.segments.elements.to_pylist()
        for _, _, ts in result.transaction_sets():
            out.setdefault((partner, doc_type), []).append("|".join(
                "*".join(r) for r in rows[ts.start + 1:ts.end]))
    return out


def interchanges(files: dict[str, bytes], doc_type: str) -> list[tuple[str, int, list[str]]]:
    """Per interchange of ``doc_type``: (file, sets in its group, their ST02s)."""
    out = []
    for name, data in files.items():
        if name.split("-")[1] != doc_type:
            continue
        result = read_interchanges(data)
        [ic] = result.interchanges
        [group] = ic.groups
        out.append((name, len(group.transactions), [ts.control_number for ts in group.transactions]))
    return out


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Two nights (850s, then 860s) for each choice."""
    out = {}
    for batch in CHOICES:
        ws = workspace(tmp_path_factory.mktemp(f"batch-{batch}") / "ws", batch)
        run_stages(ws, NIGHT1)
        second_night(ws)
        run_stages(ws, NIGHT2)
        out[batch] = ws
    return out


def test_every_choice_sends_the_same_transaction_sets(nights):
    sets = {batch: answer_sets(outbox(ws)) for batch, ws in nights.items()}
    base = sets["document"]
    assert sum(len(v) for v in base.values()) >= 8
    for batch in ("run", 2):
        assert set(sets[batch]) == set(base)
        for key, bodies in base.items():
            # the same BAK..CTT / BCA..CTT bodies; ST02 and envelopes are numbered per interchange
            strip = lambda bs: sorted(re.sub(r"^ST\*\d+\*\d+\|", "", b) for b in bs)  # noqa: E731
            assert strip(sets[batch][key]) == strip(bodies), (batch, key)


def test_interchanges_hold_one_set_per_run_or_at_most_n(nights):
    for batch, ws in nights.items():
        files = outbox(ws)
        for doc_type in ("855", "865"):
            found = interchanges(files, doc_type)
            assert found, (batch, doc_type)
            for name, count, st02s in found:
                assert count == len(st02s) >= 1
                if batch == "document":
                    assert count == 1, name
                elif batch == 2:
                    assert count <= 2, name
        if batch == "run":  # one 855 interchange per partner and night that sent 855s
            state = StateStore(ws.state_path)
            docs = [d for d in state.documents() if d.doc_type == "855"]
            state.close()
            assert len({(d.partner, d.run_id) for d in docs}) == len(docs)
            assert any(len(d.st02.split(",")) > 1 for d in docs)  # several POs in one interchange


def test_numbers_are_consecutive_and_never_reused(nights):
    for batch, ws in nights.items():
        state = StateStore(ws.state_path)
        docs = state.documents()
        used = state.numbers_used()
        state.close()
        for partner in {d.partner for d in docs}:
            mine = [d for d in docs if d.partner == partner]
            isa = sorted(int(d.isa13) for d in mine)
            assert isa == list(range(1, len(isa) + 1)) and used[(partner, "ISA")] == len(isa), batch
            st = sorted(int(s) for d in mine for s in d.st02.split(",") if s)
            assert len(st) == len(set(st)) and used[(partner, "ST")] == len(st)


def test_a_choice_gives_the_same_bytes_every_time(tmp_path):
    a, b = workspace(tmp_path / "a", "run"), workspace(tmp_path / "b", "run")
    run_stages(a, NIGHT1)
    run_stages(b, NIGHT1)
    assert outbox(a) == outbox(b) and outbox(a)


@pytest.mark.parametrize("batch", CHOICES)
def test_a_crash_between_numbering_and_writing_delivers_the_same_bytes(tmp_path, batch, monkeypatch):
    clean = workspace(tmp_path / "clean", batch)
    run_stages(clean, NIGHT1)
    expected = outbox(clean)
    ws = workspace(tmp_path / "ws", batch)
    written = []
    real = LocalDrop.write_many

    def dies(self, folder, files, **kw):  # delivery writes the outbox through write_many, a chunk at a time
        for i, (name, _data) in enumerate(files):
            if folder == "outbox" and "-855-" in name and (written or i):  # an 855 after another file
                real(self, folder, files[:i], **kw)
                written.extend(n for n, _d in files[:i])
                raise OSError("power lost while writing the outbox")
        real(self, folder, files, **kw)
        if folder == "outbox":
            written.extend(n for n, _d in files)

    monkeypatch.setattr(LocalDrop, "write_many", dies)
    with pytest.raises(OSError):
        run_stages(ws, NIGHT1)  # numbered and stored, then the run dies part-way through delivery
    state = StateStore(ws.state_path)
    numbers = state.numbers_used()
    pending = [d.file_name for d in state.pending_documents("acme")]
    state.close()
    assert pending and set(pending) - set(written)  # some documents never reached the outbox
    monkeypatch.undo()
    run_stages(ws, NIGHT1)  # the rerun: nothing new to read, the pending documents are delivered
    assert outbox(ws) == expected
    state = StateStore(ws.state_path)
    assert state.numbers_used() == numbers  # no number taken twice
    assert [d for p in ("acme", "globex", "initech") for d in state.pending_documents(p)] == []
    state.close()
    run_stages(ws, NIGHT1)  # and once more: nothing sent again
    assert outbox(ws) == expected
