"""Files as EDI service providers, VAN mailboxes and API platforms deliver them (rg67 has the translators' envelope
quirks; this sweep what stands around and between their interchanges, the 005010 API shapes and a mainframe's
bytes). tests/fixtures/rg96/ holds five partners: an Information Exchange mailbox download (each interchange
preceded by the mailbox's own `$$ADD ... BID=...` command line; a download NUL-padded to 128-byte records between
its interchanges; a banner line glued after the IEA, LF-ended segments), a VAN's X12.56 interconnect mailbag passed
on whole (IH, an IMC before each interchange whose IMC02 is `ISA`, IT), an API provider's 005010 (ISA11 '^', ST03,
REF*ZZ text in REF03, PER with an e-mail, TD5 routing, N9 notes in MTX with punctuation, PID free text with quotes,
'&', '#', '@', '%'), an integration platform's map (CR as the segment terminator, a blank line that is an empty
segment, no terminator after the last IEA) and a mainframe's interchange moved in binary (EBCDIC, code page 037,
X12.6's own EBCDIC table, each segment ended by '~' and EBCDIC's NL). One night takes every PO, acknowledges each
group with a 997 and each PO with an 855, ships and invoices them.

Before this sweep the mailbox's lines between two interchanges (no segment terminator ends them) swallowed the next
ISA into a segment no one sent: the second interchange's POs were never read, never acknowledged, and the file was
quarantined for the first one's sake (`ISA_STRUCTURE_INVALID`, "GS outside an interchange"); the mailbag's IMC,
which names `ISA` in an element, was taken for the interchange header itself (`ISA_COMPONENT_SEPARATOR_INVALID`):
the whole file lost without a 997; the EBCDIC file was "not valid UTF-8, read as Windows-1252" (advising the
profile's encoding latin-1) and "No ISA segment found": quarantined unanswered. X12's own envelope rules say what an
interchange is; what a VAN puts around it is not X12 and is skipped with a warning naming it
(`X12_BETWEEN_INTERCHANGES`), padding without one."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    inspected,
    line_counts,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg96"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 30, 15)
POS = {"iemailbox": {f"IE96001{k:02d}": 3 for k in range(1, 7)},
       "interconnect": {"IX9600201": 3, "IX9600202": 3}, "orderful": {"OF9600301": 3}, "jitterbit": {"JB9600401": 3},
       "mainframe": {"MF9600601": 3}}
# what each file is told, and no more: the mailbox's lines and the mailbag's segments skipped, an empty segment
NOTED = {"iemailbox-20261123-01.edi": {"X12_LEADING_GARBAGE", "X12_BETWEEN_INTERCHANGES"},
         "iemailbox-20261123-02.edi": set(),  # NUL padding is no data: no word
         "iemailbox-20261123-03.edi": {"X12_BETWEEN_INTERCHANGES"},
         "interconnect-mailbag-20261123.edi": {"X12_LEADING_GARBAGE", "X12_BETWEEN_INTERCHANGES",
                                               "X12_TRAILING_GARBAGE"},
         "orderful-850-OF9600301.x12": {"NOTES_NOT_KEPT"},  # its N9 notes, told to ops
         "jitterbit-850-JB9600401.x12": {"X12_EMPTY_SEGMENT"},
         "mainframe-850-MF9600601.x12": {"X12_EBCDIC"}}  # read in code page 037, said once
NIGHT_NOTED = set().union(*NOTED.values()) | {"ASN_LATE"}


def _read(data: bytes, partner: str = "iemailbox"):
    from engine.process import Known, process_file
    from schemas.profile import load_profiles

    profile = load_profiles(FIXTURES / "partners")[partner]
    return process_file(data, file="f.edi", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 24))


def _interchange(n: int, po: str, term: str = "~\r\n") -> bytes:
    """One of the mailbox partner's interchanges (ISA13 ``n``) of one 850 (``po``), segments ended by ``term``."""
    data = (FIXTURES / "drops" / "iemailbox" / "iemailbox-20261123-02.edi").read_bytes()
    one = data[:data.index(b"IEA*1*000009603~\r\n") + 18]
    return one.replace(b"000009603", b"%09d" % n).replace(b"*9603*", b"*%d*" % n).replace(
        b"GE*1*9603", b"GE*1*%d" % n).replace(b"IE9600103", po.encode()).replace(b"~\r\n", term.encode())


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_of_every_provider_s_file(path):
    seen = inspected(path, NOTED[path.name])
    assert {f["severity"] for f in seen["findings"]} <= {"warning"}
    text = path.read_bytes().decode("cp037" if path.parent.name == "mainframe" else "latin-1")
    assert line_counts(seen) == {po: n for po, n in POS[path.parent.name].items() if po in text}


def test_the_fixtures_carry_the_shapes_they_are_named_for():
    drops = FIXTURES / "drops"
    first = (drops / "iemailbox" / "iemailbox-20261123-01.edi").read_bytes()
    assert first.startswith(b"$$ADD ID=") and b"IEA*1*000009601~\r\n$$ADD ID=" in first
    padded = (drops / "iemailbox" / "iemailbox-20261123-02.edi").read_bytes()
    assert b"~\r\n\x00\x00" in padded and padded.count(b"ISA*") == 2
    glued = (drops / "iemailbox" / "iemailbox-20261123-03.edi").read_bytes()
    assert b"IEA*1*000009605~** END OF MESSAGE 1 OF 2 **\nISA*" in glued
    bag = (drops / "interconnect" / "interconnect-mailbag-20261123.edi").read_bytes()
    assert bag.startswith(b"IH*00501*") and bag.count(b"IMC*") == 2 and b"IMC*1*ISA*ZZ*" in bag
    assert bag.rstrip().endswith(b"IT*000000451*0*2~")
    api = (drops / "orderful" / "orderful-850-OF9600301.x12").read_bytes()
    assert b"*^*00501*" in api and b"ST*850*0001*005010~\n" in api and b"MTX*GEN*" in api and b"TD5*O*2*UPSN" in api
    mapped = (drops / "jitterbit" / "jitterbit-850-JB9600401.x12").read_bytes()
    assert b"~" not in mapped and b"*P*>\r\n" in mapped and b"CTT*3*27\r\n\r\n" in mapped
    assert not mapped.endswith((b"\r", b"\n"))
    ebcdic = (drops / "mainframe" / "mainframe-850-MF9600601.x12").read_bytes()
    assert ebcdic.startswith(b"\xc9\xe2\xc1\x5c") and b"\xa1\x15" in ebcdic and b"ISA" not in ebcdic  # "ISA*", "~" NL


def test_a_mailbox_s_lines_between_interchanges_no_longer_hide_the_next_one():
    """Each shape of what a mailbox puts between two interchanges: both interchanges read, two 997s, the file
    processed; words said once per gap, naming what was skipped; padding alone says nothing."""
    a, b = _interchange(9701, "IE9700101"), _interchange(9702, "IE9700102")
    for gap, said in ((b"$$ADD ID=OBRIDGE1 BID='EDI850'\r\n", "$$ADD ID=OBRIDGE1 BID='EDI850'"),
                      (b"**END**\r\n**START**\r\n", "**END**\r\n**START**"),
                      (b"\x00" * 77, None), (b"\x0c", None), (b"\x1a\r\n", None),
                      (b"MAILBOX ORDERBRIDGE MESSAGE 2 OF 2~\r\n", "MAILBOX ORDERBRIDGE MESSAGE 2 OF 2~")):
        out = _read(a + gap + b)
        assert out.disposition == "processed", gap
        assert out.orders.column("po_number").to_pylist() == ["IE9700101", "IE9700102"]
        assert [d.doc_type for d in out.documents] == ["997", "997"]
        told = [(f.code, f.severity, f.location.value) for f in out.findings]
        assert told == ([("X12_BETWEEN_INTERCHANGES", "warning", said)] if said else []), gap


def test_a_banner_glued_to_the_iea_without_a_line_break_is_skipped_too():
    a, b = _interchange(9711, "IE9700111", "~\n"), _interchange(9712, "IE9700112", "~\n")
    out = _read(a.rstrip(b"\n") + b"$$END OF MSG\n" + b)
    assert out.orders.column("po_number").to_pylist() == ["IE9700111", "IE9700112"]
    assert [(f.code, f.location.value) for f in out.findings] == [("X12_BETWEEN_INTERCHANGES", "$$END OF MSG")]


def test_a_mailbox_s_trailer_after_the_last_iea_is_named_as_sent():
    """A VAN's trailer line after the last IEA is data no interchange holds (`X12_TRAILING_GARBAGE`, a warning, as
    before); the warning named it by its first element alone, so `**END OF MAILBOX**` was told as "Segment ''" with
    an empty value: now its text as sent."""
    out = _read(_interchange(9731, "IE9700131") + b"**END OF MAILBOX** 1 MESSAGE\r\n")
    [told] = out.findings
    assert (told.code, told.severity, told.location.value) == ("X12_TRAILING_GARBAGE", "warning",
                                                               "**END OF MAILBOX** 1 MESSAGE")
    assert "'**END OF MAILBOX** 1 MESSAGE' is outside any transaction set" in told.message
    assert out.orders.column("po_number").to_pylist() == ["IE9700131"] and out.disposition == "processed"


def test_a_stray_x12_segment_between_interchanges_is_still_an_envelope_error():
    """Only what is no X12 is skipped: a GS between an IEA and the next ISA (a group outside any interchange) is
    the envelope error it was, never blanked away."""
    a, b = _interchange(9721, "IE9700121"), _interchange(9722, "IE9700122")
    out = _read(a + b"GS*PO*IEMAILBOX*ORDERBRIDGE*20261123*2240*9799*X*004010~\r\n" + b)
    assert "ISA_STRUCTURE_INVALID" in {f.code for f in out.findings}
    assert "X12_BETWEEN_INTERCHANGES" not in {f.code for f in out.findings}
    assert out.orders.column("po_number").to_pylist() == ["IE9700121", "IE9700122"]


def test_the_mailbag_s_imc_naming_isa_is_not_taken_for_the_interchange_header():
    """X12.56: IMC02 names the interchange's control segment, `ISA`, followed by the element separator, before the
    real ISA. The reader took that `ISA*` for the header (ISA16 read as 'O': `ISA_COMPONENT_SEPARATOR_INVALID`, the
    file quarantined with no 997). An ISA inside a value (right after its own separator, or after a letter, as in
    `REF*ZZ*VISA*...`) is never a header; where no other ISA follows it is still read, as before."""
    from parsers.x12_reader import read_interchanges

    bag = (FIXTURES / "drops" / "interconnect" / "interconnect-mailbag-20261123.edi").read_bytes()
    parsed = read_interchanges(bag)
    assert [ic.control_number for ic in parsed.interchanges] == ["000009611", "000009612"]
    assert not [f for f in parsed.findings if f.severity == "error"]
    out = _read(bag, "interconnect")
    assert out.disposition == "processed" and [d.doc_type for d in out.documents] == ["997", "997"]
    alone = b"IMC*1*ISA*ZZ*NOBODY~\r\n"  # an IMC and no interchange after it: nothing to read, said as before
    assert {f.code for f in read_interchanges(alone).findings} == {"X12_LEADING_GARBAGE", "ISA_STRUCTURE_INVALID"}


def test_an_ebcdic_interchange_is_read_in_code_page_037_and_answered_in_ascii():
    """The mainframe's file: read whole, its PO's lines as sent (quantities, units, ids), one warning naming
    EBCDIC (not X12_NOT_UTF8's advice to set latin-1, which could never read it); its 997 in ASCII. A file whose
    first bytes are no EBCDIC "ISA" is read as before (the same bytes after an ASCII header are not EBCDIC)."""
    data = (FIXTURES / "drops" / "mainframe" / "mainframe-850-MF9600601.x12").read_bytes()
    out = _read(data, "mainframe")
    assert out.disposition == "processed" and [f.code for f in out.findings] == ["X12_EBCDIC"]
    assert out.orders.column("po_number").to_pylist() == ["MF9600601"]
    assert [(r["quantity"], r["unit"], r["vendor_part"], r["upc"]) for r in out.lines.to_pylist()] == [
        (20, "EA", "VP-1015", "614141101085"), (1, "BX", "VP-1025", "614141101788"),
        (6, "EA", "VP-1022", "614141101573")]
    assert out.parse.encoding == "cp037" and len(out.parse.interchanges) == 1
    pasted = _read(b"HEADER\r\n" + data, "mainframe")
    assert "X12_EBCDIC" not in {f.code for f in pasted.findings} and pasted.orders.num_rows == 0


def test_a_mailbox_header_naming_isa_before_the_interchange_is_no_header_of_its_own():
    """A mailbox command line naming what it carries (`BID='ISA*850 FROM SPS'`) holds `ISA*` inside a line of other
    text: read as the header, its delimiters could not be (ISA16 'P'), and the file was quarantined with no 997, its
    PO lost. Such an ISA, whose delimiters cannot be read, is passed over when a readable one follows; an unreadable
    ISA at the start of the file or of a line is still the header, its fault said (tests/test_bad_files.py)."""
    out = _read(b"$$ADD ID=OBRIDGE1 BID='ISA*850 FROM SPS'\r\n" + _interchange(9741, "IE9700141"))
    assert out.disposition == "processed" and out.orders.column("po_number").to_pylist() == ["IE9700141"]
    assert [(f.code, f.location.value) for f in out.findings] == [
        ("X12_LEADING_GARBAGE", "$$ADD ID=OBRIDGE1 BID='ISA*850 FROM SPS'")]
    broken = _read(b"ISA*00*BROKEN\r\n" + _interchange(9742, "IE9700142"))  # at a line's start: the header
    assert broken.disposition == "quarantine" and broken.orders.num_rows == 0


def test_a_005010_po_with_004010_s_msg_notes_is_refused_naming_the_segment():
    """005010's 850 carries notes in MTX (its N9 loops: N9, DTM, MTX, PWK, EFI); MSG is 004010's. A provider
    mapping 004010's MSG into a 005010 850 sends a set the standard does not define: the set is rejected with
    SEGMENT_NOT_IN_SET at each MSG (997 AK3 code 6, AK5 R), a row in the failures report, never taken in part. The
    message said "MSG is not defined in the 850." (which 850?); it names the release it was judged by and the one
    whose 850 has MSG, what ops ask the provider about."""
    api = (FIXTURES / "drops" / "orderful" / "orderful-850-OF9600301.x12").read_bytes()
    out = _read(api.replace(b"MTX*GEN*", b"MSG*").replace(b"MTX**", b"MSG*"), "orderful")
    assert out.orders.num_rows == 0 and out.disposition == "quarantine"
    assert [(f.code, f.location.segment_id, f.message) for f in out.findings if f.severity == "error"] == \
        [("SEGMENT_NOT_IN_SET", "MSG", "MSG is not defined in the 005010 850. The 004010 850 has it: was the set "
          "written for 004010 and labelled 005010 in GS08?")] * 2
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    segs = [list(seg) for body in ack.bodies for seg in body]
    assert [s[:2] for s in segs if s[0] == "AK3"] == [["AK3", "MSG"]] * 2 and ["AK5", "R"] in [s[:2] for s in segs]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    ws = on_demo(FIXTURES, tmp_path_factory.mktemp("rg96") / "ws")
    return shipped_night(ws, FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    assert not [f for f in found if f[1] == "error"], found
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "invoiced" for p, pos in POS.items() for po in pos}


def test_each_interchange_of_a_mailbox_file_gets_its_own_997(night):
    ws, _found, _states = night
    for partner, groups in (("iemailbox", {str(n) for n in range(9601, 9607)}),
                            ("interconnect", {"9611", "9612"}), ("orderful", {"9621"}), ("jitterbit", {"9631"}),
                            ("mainframe", {"9661"})):
        assert {s[2] for s in segments(ws, partner, "997") if s[0] == "AK1"} == groups, partner


def test_what_was_sent_back_passes_our_validator_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    from tests.retailer_support import all_sent_accepted

    ws, _found, _states = night
    all_sent_accepted(ws, sorted(POS), tmp_path, maps, shipments=11, answers=11)


def test_the_next_download_s_997s_for_our_855s_beside_new_pos_decide_them(night, tmp_path):
    """A mailbox download holds whatever waited in the mailbox: the partner's new PO and, in the next interchange
    after the mailbox's `$$ADD` line, its 997 for the 855s we sent the night before (AK1 PR naming each of our
    groups, AK5 A per set). Both are taken: the PO answered, each 855 accepted as the partner said, none left
    unacknowledged."""
    import shutil

    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps
    from flows.reconcile import reconcile_run
    from flows.workspace import open_workspace

    shutil.copytree(night[0].root, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    sent: dict[str, list[str]] = {}  # our 855 groups: GS06 -> ST02s
    gs06 = ""
    for s in segments(ws, "iemailbox", "855"):
        if s[0] == "GS":
            gs06 = s[6]
        elif s[0] == "ST":
            sent.setdefault(gs06, []).append(s[2])
    assert sum(len(v) for v in sent.values()) == 6
    fa = ["GS*FA*IEMAILBOX*ORDERBRIDGE*20261201*0130*9690*X*004010"]
    for k, (group, sets) in enumerate(sorted(sent.items()), start=1):
        body = [f"AK1*PR*{group}", *(x for st02 in sets for x in (f"AK2*855*{st02}", "AK5*A")),
                f"AK9*A*{len(sets)}*{len(sets)}*{len(sets)}"]
        fa += [f"ST*997*{k:04d}", *body, f"SE*{len(body) + 2}*{k:04d}"]
    fa += [f"GE*{len(sent)}*9690"]
    isa = _interchange(9689, "IE9600107").split(b"GS*")[0].replace(b"000009689", b"000009690")
    answers = isa + "~\r\n".join(fa).encode() + b"~\r\nIEA*1*000009690~\r\n"
    drop = ws.drop_root / "iemailbox"
    (drop / "inbox" / "iemailbox-20261201-01.edi").write_bytes(
        b"$$ADD ID=OBRIDGE1 BID='EDI850 IEMAILBOX'\r\n" + _interchange(9689, "IE9600107")
        + b"$$ADD ID=OBRIDGE1 BID='EDI997 IEMAILBOX'\r\n" + answers)
    now = datetime(2026, 12, 1, 2)
    state = StateStore(ws.state_path)
    try:
        res = steps.intake_partner(ws, ws.partners()["iemailbox"], state, LocalDrop(drop), now=now, run_id="n2")
        reconcile_run(ws, ws.partners(), state, now=now, run_id="n2")
        status = [r for r in state.document_status("iemailbox") if r["doc_type"] == "855"]
        files = {f["name"]: f["status"] for f in state.files("iemailbox")}
    finally:
        state.close()
    assert {f["code"] for f in res.findings} <= {"X12_LEADING_GARBAGE", "X12_BETWEEN_INTERCHANGES"}, res.findings
    assert files["iemailbox-20261201-01.edi"] == "processed"
    assert len(status) == 6 and {r["status"] for r in status} == {"accepted"}, status
    assert {r["ack_file"] for r in status} == {"iemailbox-20261201-01.edi"}
    assert ("iemailbox", "IE9600107") in {tuple(k) for k in _orders(ws)}


def _orders(ws):
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return [o.key for o in state.orders()]
    finally:
        state.close()


def test_a_shared_mailbox_download_in_one_partner_s_drop_names_the_owner_of_each_other_interchange(tmp_path):
    """A supplier's one VAN mailbox holds every partner's interchanges, and a download put in one partner's drop
    carries another's too: that one is not this partner's (PARTNER_SENDER_MISMATCH, not answered, as before), and the
    finding now names whose it is, when a profile sends from its ISA05/06, and what to do. A copy in that partner's
    inbox is taken there: its PO answered, the first partner's interchange there told the same way."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps

    ws = on_demo(FIXTURES, tmp_path / "ws", drops={})
    bag = (FIXTURES / "drops" / "interconnect" / "interconnect-mailbag-20261123.edi").read_bytes()
    theirs = bag[bag.index(b"\nISA*") + 1:bag.index(b"IMC*2*")]  # the interconnect buyer's first interchange
    download = b"$$ADD ID=OBRIDGE1 BID='EDI850'\r\n" + _interchange(9751, "IE9700151") + theirs
    now = datetime(2026, 11, 27, 2)
    said = {}
    state = StateStore(ws.state_path)
    try:
        for partner in ("iemailbox", "interconnect"):
            drop = ws.drop_root / partner
            (drop / "inbox" / "mailbox-20261127.edi").write_bytes(download)
            res = steps.intake_partner(ws, ws.partners()[partner], state, LocalDrop(drop), now=now, run_id="n1")
            said[partner] = [f["message"] for f in res.findings if f["code"] == "PARTNER_SENDER_MISMATCH"]
        pos = sorted(o.key for o in state.orders())
    finally:
        state.close()
    assert said == {
        "iemailbox": ["ISA05/06 ZZ/INTERCONNECT is not partner iemailbox (ZZ/IEMAILBOX). It is partner interconnect's: "
                      "put a copy of the file in that drop's inbox, where its interchanges are taken (and this "
                      "partner's are not); a VAN mailbox's download goes in the workspace's mailbox/inbox/, which "
                      "sends each interchange to its own partner's drop."],
        "interconnect": ["ISA05/06 ZZ/IEMAILBOX is not partner interconnect (ZZ/INTERCONNECT). It is partner "
                         "iemailbox's: put a copy of the file in that drop's inbox, where its interchanges are taken "
                         "(and this partner's are not); a VAN mailbox's download goes in the workspace's "
                         "mailbox/inbox/, which sends each interchange to its own partner's drop."]}
    assert pos == [("iemailbox", "IE9700151"), ("interconnect", "IX9600201")]
