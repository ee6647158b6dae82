"""A repeated ISA13 (a translator resending the same interchange, in the same file or a later one) is
refused for that copy alone (TA1 025) and never reaches the decide stage twice; a GS01+GS02+GS03+GS06
repeated within one interchange is GS_DUPLICATE (AK9 R, code 19 in a 005010 997). In another
interchange the same group number is a new group (X12 RFI 362: unique within an interchange; many
translators start GS06 at 1 in every interchange): tests/test_gs06_per_interchange.py."""

from __future__ import annotations

from datetime import datetime

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.acks import build_997, ta1_segment
from engine.process import Known, process_file
from flows import steps
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, TODAY, make_workspace, run_stages, x12_850

PROFILES = load_profiles(REPO / "partners")
NOW = datetime(2026, 11, 27, 2, 0)


def one_interchange(*groups: tuple[list[str], str], isa13: int) -> bytes:
    """One ACME interchange of several PO groups, each (850 body, GS06)."""
    parts = [x12_850(body, isa13=isa13, gs06=gs06).decode().splitlines(keepends=True) for body, gs06 in groups]
    return "".join([parts[0][0], *(line for p in parts for line in p[1:-1]),
                    f"IEA*{len(parts)}*{isa13:09d}~\n"]).encode()


def run(data: bytes, known: Known = Known(), partner: str = "acme"):
    return process_file(data, file="t.x12", sha256="sha", profile=PROFILES[partner], known=known, today=TODAY)


def codes(out) -> list[str]:
    return [f.code for f in out.findings]


def test_same_interchange_twice_in_one_file_is_processed_once():
    once = x12_850(GOOD_PO, isa13=7, ack="1")
    out = run(once + once)
    assert codes(out).count("ISA_DUPLICATE") == 1
    [dup] = [f for f in out.findings if f.code == "ISA_DUPLICATE"]
    second = out.parse.interchanges[1]
    assert dup.location.file_segment == second.start + 1  # the repeat, not the first copy
    ta1s = [d.ta1 for d in out.documents if d.doc_type == "TA1"]
    assert [t[4:] for t in ta1s] == [("A", "000"), ("R", "025")]
    assert [d.doc_type for d in out.documents].count("997") == 1  # only the first copy is acknowledged
    assert out.orders.num_rows == 1 and out.lines.num_rows == 2
    assert out.interchanges_seen == [("ACMERETAIL", "000000007")]


def test_a_repeat_in_a_later_file_is_refused_and_the_first_copy_stands():
    first = run(x12_850(GOOD_PO, isa13=8))
    known = Known(interchanges=frozenset(first.interchanges_seen))
    again = run(x12_850(GOOD_PO, isa13=8), known)
    assert "ISA_DUPLICATE" in codes(again) and again.orders.num_rows == 0
    assert "in an earlier file" in next(f.message for f in again.findings if f.code == "ISA_DUPLICATE")


def test_a_copy_refused_for_another_reason_does_not_make_the_resend_a_duplicate():
    broken = x12_850(GOOD_PO, isa13=9).replace(b"*261127*", b"*261399*")  # bad ISA09: TA1 R 014
    out = run(broken + x12_850(GOOD_PO, isa13=9))
    assert "ISA_DUPLICATE" not in codes(out) and out.orders.num_rows == 1


def test_repeated_group_control_number_within_an_interchange():
    # one interchange (ISA13 10) carrying the same GS01+GS02+GS03+GS06 twice
    other_po = [s.replace("PO-1", "PO-2") for s in GOOD_PO]
    out = run(one_interchange((GOOD_PO, "5"), (other_po, "5"), isa13=10))
    dups = [f for f in out.findings if f.code == "GS_DUPLICATE"]
    assert len(dups) == 1 and dups[0].location.isa13 == "000000010"
    second_group = out.parse.interchanges[0].groups[1]
    assert dups[0].location.file_segment == second_group.start + 1  # the repeat, not the first copy
    assert "earlier in interchange 000000010" in dups[0].message
    assert out.orders["po_number"].to_pylist() == ["PO-1"]
    ak9_4010 = build_997(second_group, out.findings, version="004010")[-1]
    ak9_5010 = build_997(second_group, out.findings, version="005010")[-1]
    assert ak9_4010 == ["AK9", "R", "1", "1", "0"]  # 004010's AK905 19 means something else
    assert ak9_5010 == ["AK9", "R", "1", "1", "0", "19"]
    assert out.groups_seen == [("PO", "ACMERETAIL", "ORDERBRIDGE", "5")]
    # a different GS06 (or GS03) in the same interchange: a group of its own
    fresh = run(one_interchange((GOOD_PO, "5"), (other_po, "6"), isa13=10))
    assert "GS_DUPLICATE" not in codes(fresh) and fresh.orders["po_number"].to_pylist() == ["PO-1", "PO-2"]


def test_a_group_refused_for_another_reason_does_not_make_its_repeat_a_duplicate():
    other_po = [s.replace("PO-1", "PO-2") for s in GOOD_PO]
    data = one_interchange((GOOD_PO, "5"), (other_po, "5"), isa13=10).replace(b"GE*1*5~", b"GE*1*9~", 1)
    out = run(data)  # the first copy's GE02 does not match: GE_CONTROL_MISMATCH, the group refused
    assert "GE_CONTROL_MISMATCH" in codes(out) and "GS_DUPLICATE" not in codes(out)
    assert out.orders["po_number"].to_pylist() == ["PO-2"]


def test_a_group_number_repeated_in_another_interchange_of_the_file_is_a_new_group():
    # two interchanges (ISA13 10 and 11) carrying the same GS01+GS02+GS03+GS06: each unique in its own
    other_po = [s.replace("PO-1", "PO-2") for s in GOOD_PO]
    out = run(x12_850(GOOD_PO, isa13=10, gs06="5") + x12_850(other_po, isa13=11, gs06="5"))
    assert codes(out) == []
    assert out.orders["po_number"].to_pylist() == ["PO-1", "PO-2"]
    for ic in out.parse.interchanges:
        assert build_997(ic.groups[0], out.findings, version="005010")[-1] == ["AK9", "A", "1", "1", "1"]
    assert out.groups_seen == [("PO", "ACMERETAIL", "ORDERBRIDGE", "5")] * 2


def test_a_group_number_received_in_an_earlier_files_interchange_is_a_new_group():
    first = run(x12_850(GOOD_PO, isa13=12, gs06="6"))
    known = Known(interchanges=frozenset(first.interchanges_seen))
    other_po = [s.replace("PO-1", "PO-3") for s in GOOD_PO]
    again = run(x12_850(other_po, isa13=13, gs06="6"), known)  # a new ISA13, the same group number
    assert codes(again) == [] and again.orders["po_number"].to_pylist() == ["PO-3"]
    resent = run(x12_850(GOOD_PO, isa13=12, gs06="6"), known)  # the same interchange again
    assert codes(resent) == ["ISA_DUPLICATE"] and resent.orders.num_rows == 0


def test_ta1_for_the_first_copy_ignores_the_repeat():
    once = x12_850(GOOD_PO, isa13=14)
    out = run(once + once)
    first, second = out.parse.interchanges
    assert ta1_segment(first, out.findings, today=TODAY)[4:] == ["A", "000"]
    assert ta1_segment(second, out.findings, today=TODAY)[4:] == ["R", "025"]


def test_a_poison_file_never_stops_the_night_or_the_next(tmp_path):
    """The same interchange twice in one file: one order, one 855, no failed decide stage; the next
    night another partner's clean PO is answered too."""
    ws = make_workspace(tmp_path / "ws", partners=())
    for pid in ("acme", "globex"):
        (ws.drop_root / pid / "inbox").mkdir(parents=True, exist_ok=True)
    po = ["BEG*00*SA*DUP-1**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*ACME DC*92*DC01",
          "PO1*1*12*EA*19.70*PE*UP*614141100101", "CTT*1*12"]
    once = x12_850(po, isa13=501)
    (ws.drop_root / "acme" / "inbox" / "resent.x12").write_bytes(once + once)
    results, run1 = run_stages(ws, NOW)
    acme = next(r for r in results if r.partner == "acme")
    assert not acme.failure and acme.documents["855"] == 1
    assert sum(1 for f in acme.findings if f["code"] == "ISA_DUPLICATE") == 1
    state = StateStore(ws.state_path)
    assert [ln.line_number for ln in state.order_lines("acme", "DUP-1")] == [1]
    state.close()
    # next night: the state store still knows the ISA13 and group; a clean Globex PO gets its 855
    prof = PROFILES["globex"].x12
    from bench.synth_850 import interchange

    body = [["BEG", "00", "SA", "GLOBEX-9", "", "20261127"], ["CUR", "BY", "USD"],
            ["DTM", "010", "20261210"], ["N1", "ST", "Globex DC West", "UL", "0614141000029"],
            ["PO1", "1", "6", "EA", "19.11", "PE", "VN", "VP-1001"], ["CTT", "1", "6"]]
    data = interchange(sender=(prof.their_qualifier, prof.their_id), receiver=(prof.our_qualifier, prof.our_id),
                       gs_ids=(prof.their_gs_id, prof.our_gs_id), version=prof.version,
                       d=prof.delimiters.to_delimiters(), when=NOW.date(), isa13=9, bodies=[body])
    (ws.drop_root / "globex" / "inbox" / "po.x12").write_bytes(data)
    (ws.drop_root / "acme" / "inbox" / "resent-again.x12").write_bytes(once + b"\n")  # same ISA13, new bytes
    results, _ = run_stages(ws, NOW.replace(day=28))
    globex = next(r for r in results if r.partner == "globex")
    acme = next(r for r in results if r.partner == "acme")
    assert globex.documents["855"] == 1 and not globex.failure
    assert [f["code"] for f in acme.findings if f["severity"] == "error"] == ["ISA_DUPLICATE"]
    state = StateStore(ws.state_path)
    assert ("PO", "ACMERETAIL", "ORDERBRIDGE", "1") in state.groups("acme")
    state.close()


def test_intake_records_the_groups_it_accepted(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.x12").write_bytes(x12_850(GOOD_PO, isa13=21, gs06="40"))
    state = StateStore(ws.state_path)
    steps.intake_partner(ws, PROFILES["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id="r")
    assert state.groups("acme") == {("PO", "ACMERETAIL", "ORDERBRIDGE", "40")}
    sha_a = state.files("acme")[0]["sha256"]
    assert state.file_groups("acme", sha_a) == {("PO", "ACMERETAIL", "ORDERBRIDGE", "40")}
    # the same group number in a new interchange: a new group (GS06 is unique within an interchange)
    other = [s.replace("PO-1", "PO-77") for s in GOOD_PO]
    (inbox / "b.x12").write_bytes(x12_850(other, isa13=22, gs06="40"))
    res = steps.intake_partner(ws, PROFILES["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW, run_id="r")
    assert res.findings == [] and res.orders == 1 and state.order("acme", "PO-77") is not None
    sha_b = next(f["sha256"] for f in state.files("acme") if f["name"] == "b.x12")
    assert state.file_groups("acme", sha_b) == {("PO", "ACMERETAIL", "ORDERBRIDGE", "40")}  # its latest use
    state.close()


def _history(state: StateStore) -> None:
    state.record_interchange("acme", "ACMERETAIL", "000000031", "sha1")
    state.record_interchange("acme", "OTHER", "000000032", "sha1")
    state.record_interchange("globex", "ACMERETAIL", "000000033", "sha1")
    state.record_group("acme", ("PO", "ACMERETAIL", "ORDERBRIDGE", "31"), "sha1")
    state.record_group("acme", ("PO", "ACMERETAIL", "SOMEONE", "32"), "sha1")


def test_the_store_is_asked_about_given_envelopes_only(store_target):
    """interchanges_among / groups_among (both back ends): of the keys asked about, those received
    before from that partner (exact values, each key's parts matched together, any number of keys)."""
    state = StateStore(store_target())
    _history(state)
    asked = [("ACMERETAIL", "000000031"), ("ACMERETAIL", "000000032"), ("ACMERETAIL", "000000033"),
             ("OTHER", "000000032"), ("ACMERETAIL", "31"), ("ACMERETAIL ", "000000031")]
    assert state.interchanges_among("acme", asked) == {("ACMERETAIL", "000000031"), ("OTHER", "000000032")}
    assert state.interchanges_among("acme", []) == set()
    groups = [("PO", "ACMERETAIL", "ORDERBRIDGE", "31"), ("PO", "ACMERETAIL", "ORDERBRIDGE", "32"),
              ("PO", "ACMERETAIL", "SOMEONE", "31"), ("PO", "ACMERETAIL", "SOMEONE", "32"),
              ("IN", "ACMERETAIL", "ORDERBRIDGE", "31")]
    assert state.groups_among("acme", groups) == {("PO", "ACMERETAIL", "ORDERBRIDGE", "31"),
                                                  ("PO", "ACMERETAIL", "SOMEONE", "32")}
    assert state.groups_among("globex", groups) == set()
    many = [("ACMERETAIL", f"{i:09d}") for i in range(12_000)]  # more than one IN list's (or array's) worth
    assert state.interchanges_among("acme", many) == {("ACMERETAIL", "000000031")}
    state.close()


def test_a_files_known_envelopes_decide_as_the_whole_history(tmp_path):
    """known_for (the store asked about the file's own keys) decides as known_state (every key)."""
    from flows.intake import known_for, known_state
    from parsers.x12_reader import read_interchanges

    state = StateStore(tmp_path / "s.sqlite")
    _history(state)
    # a file repeating a known interchange, a known group under a new ISA13 (a new group), and a new one
    other = [s.replace("PO-1", "PO-5") for s in GOOD_PO]
    data = x12_850(GOOD_PO, isa13=31, gs06="40") + x12_850(other, isa13=34, gs06="31") + \
        x12_850(other, isa13=35, gs06="41")
    parsed = read_interchanges(data, file="t.x12")
    narrow, whole = known_for(state, "acme", parsed), known_state(state, "acme")
    assert narrow.interchanges == {("ACMERETAIL", "000000031")}
    assert narrow.interchanges <= whole.interchanges
    assert codes(run(data, narrow)) == codes(run(data, whole)) == ["ISA_DUPLICATE"]
    state.close()
