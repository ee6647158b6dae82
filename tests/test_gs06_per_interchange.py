"""A functional group's control number is unique within its interchange, not across interchanges (X12
RFI 362, final, 2005: "The combination of GS01/GS02/GS03/GS06 has to be unique within an interchange
... If GS01, GS02 or GS03 differs ... GS06 can be the same"). Many translators start GS06 at 1 in every
interchange: each of their files is a new interchange (its own ISA13) whose group is GS06 1. Every
such file is taken and acknowledged; a resent interchange keeps its ISA13 (ISA_DUPLICATE); a PO resent
in new envelopes is the order-level duplicate (tests/test_nightly_steps.py); the same group twice
inside one interchange is still GS_DUPLICATE (tests/test_duplicate_envelopes.py)."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from tests.support import make_workspace, run_stages, x12_850

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2, 0), datetime(2026, 11, 28, 2, 0)
# a PO the demo's reference data answers with an 855
PO = ["BEG*00*SA*{po}**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*ACME DC*92*DC01",
      "PO1*1*12*EA*19.70*PE*UP*614141100101", "CTT*1*12"]


def _po(number: str) -> list[str]:
    return [s.format(po=number) for s in PO]


def _acks(ws, kind: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ws.drop_root / "acme" / "outbox").glob(f"acme-{kind}-*"))}


def test_every_interchange_starting_gs06_at_1_is_taken_and_acknowledged(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    # two files the same night and one the next, each its own interchange, each group GS06 1
    (inbox / "po-a.x12").write_bytes(x12_850(_po("GS1-A"), isa13=101, gs06="1"))
    (inbox / "po-b.x12").write_bytes(x12_850(_po("GS1-B"), isa13=102, gs06="1"))
    results, _ = run_stages(ws, NIGHT1)
    acme = next(r for r in results if r.partner == "acme")
    assert acme.findings == [] and acme.quarantined == 0 and acme.documents["855"] == 2
    (inbox / "po-c.x12").write_bytes(x12_850(_po("GS1-C"), isa13=103, gs06="1"))
    results, _ = run_stages(ws, NIGHT2)
    acme = next(r for r in results if r.partner == "acme")
    assert acme.findings == [] and acme.quarantined == 0 and acme.documents["855"] == 1
    acks = _acks(ws, "997")
    assert len(acks) == 3
    for name, body in acks.items():  # each group accepted: AK9 A, one set received and accepted
        assert b"AK1*PO*1~" in body and b"AK9*A*1*1*1~" in body, (name, body)
    state = StateStore(ws.state_path)
    assert {po: state.order("acme", po) is not None for po in ("GS1-A", "GS1-B", "GS1-C")} == dict.fromkeys(
        ("GS1-A", "GS1-B", "GS1-C"), True)
    assert [f["status"] for f in state.files("acme")] == ["processed"] * 3
    state.close()
    # the third interchange resent as it was (its ISA13 kept): refused as the duplicate it is
    (inbox / "po-c-again.x12").write_bytes(x12_850(_po("GS1-C"), isa13=103, gs06="1") + b"\n")
    results, _ = run_stages(ws, NIGHT2.replace(hour=3))
    acme = next(r for r in results if r.partner == "acme")
    assert [f["code"] for f in acme.findings] == ["ISA_DUPLICATE"] and acme.documents["855"] == 0


def test_a_file_read_a_piece_at_a_time_takes_every_interchange_starting_gs06_at_1(tmp_path, monkeypatch):
    """A large file (read a piece, one interchange, at a time, each piece committed before the next) of
    interchanges that all number their group 1: every one taken, each 997 accepting its group."""
    from flows import intake as intake_flow

    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    monkeypatch.setattr(intake_flow, "PIECE_BYTES", 1)
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "many.x12").write_bytes(b"".join(x12_850(_po(f"GS1-{k}"), isa13=200 + k, gs06="1") for k in range(3)))
    results, _ = run_stages(ws, NIGHT1)
    acme = next(r for r in results if r.partner == "acme")
    assert acme.findings == [] and acme.quarantined == 0 and acme.documents["855"] == 3
    acks = _acks(ws, "997")
    assert len(acks) == 3 and all(b"AK9*A*1*1*1~" in body for body in acks.values()), acks
