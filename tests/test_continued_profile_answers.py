"""One company under two profiles (tests/test_continued_profile.py: A `meijer`, B `meijer2` carrying on A's orders
from 2026-11-26): B's answers to A's documents and A's documents sent again. B's 824 (application advice) rejecting
A's revised 855 sent under B's envelope is A's document's verdict (it was matched against B's documents alone:
APPLICATION_ADVICE_UNMATCHED). Each night a real flows.night run."""

from __future__ import annotations

from datetime import datetime

import pytest

from schemas.profile import PartnerProfile
from tests.retailer_support import findings_and_states
from tests.test_continued_profile import ACKED, B_860, B_PROFILE, BEFORE, SWITCH, _files, _night, _sent, _workspace


def _revised_855(ws) -> tuple[str, str, str, str]:
    """B's outbox's revised 855 of MJ9000101 (A's document): (its file, ISA13, GS06, ST02)."""
    [path] = [p for p in _files(ws, "meijer2") if ("855", "MJ9000101") in _sent(ws, "meijer2", {p.name})]
    segs = [x.split("|") for x in path.read_text().replace("\n", "").split("~") if x]
    return (path.name, segs[0][13], next(x[6] for x in segs if x[0] == "GS"),
            next(x[2] for x in segs if x[0] == "ST"))


def _their_824(gs06: str, st02: str) -> str:
    """B's 824 (its ids, 005010) rejecting the set of ``gs06``/``st02`` by its control numbers (OTI08/OTI09)."""
    isa = ("ISA*00*          *00*          *08*6111470000     *ZZ*ORDERBRIDGE    *261126*2300*^*00501*000005301*0*P*:")
    return "~".join([isa, "GS*AG*MEIJERINC*ORDERBRIDGE*20261126*2300*5301*X*005010", "ST*824*0001",
                     "BGN*00*ADV-5301*20261126",
                     f"OTI*TR*PO*MJ9000101*MEIJERINC*ORDERBRIDGE*20261126*0100*{gs06}*{st02}*855",
                     "TED*024*Line 1 quantity does not match the change", "SE*5*0001", "GE*1*5301",
                     "IEA*1*000005301", ""])


def answered_by_824(root) -> tuple:
    """B (its profile receiving 824s) carrying on A's orders from 11-26, B's 860 changing A's MJ9000101, and on 11-27
    B's 824 rejecting A's revised 855 sent under B's envelope: (the workspace, the 855's file name, its ISA13, GS06
    and ST02). Shared with tests/test_rebuild_partner_acks.py."""
    ws = _workspace(root)
    (ws.partners_dir / "meijer2.toml").write_text(B_PROFILE.replace('"860", "997"]', '"860", "997", "824"]'))
    assert not _night(ws, BEFORE)["failure"]
    (ws.drop_root / "meijer2" / "inbox" / B_860.name).write_bytes(B_860.read_bytes())
    assert not _night(ws, SWITCH)["failure"]
    name, isa13, gs06, st02 = _revised_855(ws)
    (ws.drop_root / "meijer2" / "inbox" / "MEIJER_824_5301.x12").write_text(_their_824(gs06, st02))
    assert not _night(ws, ACKED)["failure"]
    return ws, name, isa13, gs06, st02

def test_the_continuing_profiles_824_answers_the_first_ones_document(tmp_path):
    """11-26: B's 860 changes A's MJ9000101; its revised 855 (A's document) goes under B's envelope. 11-27: B's 824
    rejects it by its GS06/ST02: recorded as the verdict on A's document (the 824 file stays B's), the rejection
    told as A's (APPLICATION_ADVICE_REJECTED), not APPLICATION_ADVICE_UNMATCHED (matched against B's documents
    alone, which hold no such set)."""
    import json

    from connectors.state import StateStore
    from tests.test_blankets3 import _cli

    ws, name, isa13, gs06, st02 = answered_by_824(tmp_path / "ws")
    found, _states = findings_and_states(ws, lambda f: (f["partner"], f["code"]))
    assert ("meijer2", "APPLICATION_ADVICE_UNMATCHED") not in found, found
    assert ("meijer", "APPLICATION_ADVICE_REJECTED") in found, found
    assert not [f for f in found if f[1].startswith("FA_")], found
    state = StateStore(ws.state_path)
    try:
        assert ("meijer2", "MEIJER_824_5301.x12") in {(r["partner"], r["name"]) for r in state.files()}
        verdicts = state.document_status_for("meijer", {(isa13, gs06, st02)})
        assert not state.document_status_for("meijer2", {(isa13, gs06, st02)})
    finally:
        state.close()
    assert [(v["status"], v["ack_type"]) for v in verdicts.values()] == [("rejected", "824")], verdicts
    code, out = _cli(ws, "status", "MJ9000101", "--json")
    [revised] = [d for d in json.loads(out)["documents"] if d["file_name"] == name]
    assert revised["partner_ack"] is not None and "824" in revised["partner_ack"], revised
    assert datetime.fromisoformat(str(next(iter(verdicts.values()))["sent_at"])) >= SWITCH


def _gs(path) -> list[str]:
    text = path.read_text()
    return next(s.split(text[3]) for s in text.replace("\n", "").split("~") if s.startswith("GS"))


def test_a_readdressed_resend_goes_to_the_buyer_the_order_names(tmp_path):
    """Meijer sends for two buyers (its GS02 MEIJER, MEIJERDC: [x12] their_gs_ids), B likewise (MEIJERINC,
    MEIJERDC). A's 850 of MJ9000101 from GS02 MEIJERDC is answered at GS03 MEIJERDC (11-24); resent with
    --new-control-numbers on 11-27 it goes under B's interchange ids to the same buyer, MEIJERDC, as the order's
    answers under B are (engine.envelope.order_address): it went to B's default group id MEIJERINC, another
    buyer's."""
    from tests.test_continued_profile import _resend

    ws = _workspace(tmp_path / "ws")
    a = ws.partners_dir / "meijer.toml"
    a.write_text(a.read_text().replace('their_gs_id = "MEIJER"\n',
                                       'their_gs_id = "MEIJER"\ntheir_gs_ids = ["MEIJERDC"]\n'))
    (ws.partners_dir / "meijer2.toml").write_text(B_PROFILE.replace('version = "005010"', 'version = "004010"').replace(
        'their_gs_id = "MEIJERINC"\n', 'their_gs_id = "MEIJERINC"\ntheir_gs_ids = ["MEIJERDC"]\n'))
    [order] = (ws.drop_root / "meijer" / "inbox").glob("*.x12")
    order.write_text(order.read_text().replace("GS*PO*MEIJER*", "GS*PO*MEIJERDC*"))
    assert not _night(ws, BEFORE)["failure"]
    [name] = [p.name for p in _files(ws, "meijer") if ("855", "MJ9000101") in _sent(ws, "meijer", {p.name})]
    assert _gs(ws.drop_root / "meijer" / "outbox" / name)[3] == "MEIJERDC"
    code, text = _resend(ws, name, "--new-control-numbers")
    assert code == 0, text
    [new] = _files(ws, "meijer2")
    assert _sent(ws, "meijer2", {new.name})[("855", "MJ9000101")][:2] == ("08", "6111470000")
    assert _gs(new)[2:4] == ["ORDERBRIDGE", "MEIJERDC"], _gs(new)


def _resends(ws) -> set[tuple]:
    """Each resend in the store: (partner, the file of the document it copies, its file, ISA13, GS06, folder,
    renumbered)."""
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        names = {d.id: d.file_name for p in ("meijer", "meijer2") for d in state.documents(p)}
        return {(r["partner"], names.get(r["document_id"]), r["file_name"], r["isa13"], r["gs06"], r["folder"],
                 bool(r["renumbered"])) for r in state.resends()}
    finally:
        state.close()


@pytest.mark.parametrize("element", ["|", "*"])
def test_a_rebuilt_store_holds_a_readdressed_resend_as_the_first_ones_resend(tmp_path, element):
    """A's 855 of MJ9000101 sent to A's ids on 11-24, resent with --new-control-numbers on 11-27 under B's envelope
    (B on 004010, its separator ``element``: '|' rewrites every delimiter of the copy, '*' leaves its sets byte for
    byte), B's 997 for it on 11-28; then `orderbridge state rebuild`: the copy in B's outbox is the resend of A's
    document (its original in A's outbox) as the live store holds it, not a document of its own (it was recorded as
    B's, or A's, 855 of its own: the rebuilt store had one document more and no resend)."""
    from tests.test_continued_profile import _rebuilt, _resend, _store_seen

    ws = _workspace(tmp_path / "ws")
    profile = B_PROFILE.replace('version = "005010"', 'version = "004010"')
    if element != "|":
        profile = profile.replace('element = "|"', f'element = "{element}"')
    (ws.partners_dir / "meijer2.toml").write_text(profile)
    assert not _night(ws, BEFORE)["failure"]
    [name] = [p.name for p in _files(ws, "meijer") if ("855", "MJ9000101") in _sent(ws, "meijer", {p.name})]
    code, text = _resend(ws, name, "--new-control-numbers")
    assert code == 0, text
    [new] = _files(ws, "meijer2")
    assert new.read_text()[3] == element
    assert not _night(ws, datetime(2026, 11, 28, 2))["failure"]
    before, resends = _store_seen(ws), _resends(ws)
    assert [r[:3] for r in resends] == [("meijer", name, new.name)], resends
    assert not [d for d in before[0] if d[1] == new.name], before[0]
    after = _rebuilt(ws)
    assert after[0] == before[0] and after[3] == before[3], (after[0] ^ before[0])
    assert _resends(ws) == resends, (_resends(ws), resends)


def test_a_readdressed_copy_reads_as_the_sets_it_was_made_from():
    """engine.resend.sets_read: an 004010 855 ('*', '>', '~') readdressed under B's envelope ('|', a backslash)
    reads as the original (the same values), and one value changed reads as another document."""
    import tomllib

    from engine.envelope import envelope_for
    from engine.resend import readdressed, sets_of, sets_read

    first = (b"ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*MEIJERVAN      *261124*0200*U*00401*000000007*0*P"
             b"*>~GS*PR*ORDERBRIDGE*MEIJER*20261124*0200*7*X*004010~ST*855*0001~BAK*00*AD*MJ9000101*20261123~"
             b"PO1*1*12*EA*3.5**UP>X*012345678905~SE*4*0001~GE*1*7~IEA*1*000000007~")

    b = PartnerProfile.model_validate(tomllib.loads(B_PROFILE.replace('version = "005010"', 'version = "004010"')))
    copy = readdressed(first, envelope_for(b), isa13=31, gs06=31, at=datetime(2026, 11, 27, 10))
    assert copy[3:4] == b"|" and sets_of(copy) != sets_of(first)
    assert sets_read(copy) == sets_read(first) is not None
    assert sets_read(first.replace(b"PO1*1*12", b"PO1*1*13")) != sets_read(first)
    assert sets_read(b"PO Number,Line\n") is None
