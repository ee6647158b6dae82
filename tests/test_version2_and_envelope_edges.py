"""X12 envelopes and versions real senders use (s69 x12real2, left by rg98).

1. A partner on a version-2 release (Ford's 002002FORD, FCA US's 002040, GS08 002001-002040) or on 003010-003030: its
   997 went out in the profile's version (GS08 004010, ISA12 00401), which a translator set up for that release
   matches to nothing. X12 has had the 997 since version 2 with the same AK1-AK9 elements until 003050's C030: it
   is now written in the group's own release (GS08 as sent, its industry identifier kept; ISA12 00200/00204/00301;
   GS04 YYMMDD; ISA11 U; AK401 one number), as 003040-003070 groups already were. The 855, 856 and 810 stay in the
   profile's version ([x12] version/gs_version/gs_versions): we hold no 002xxx dictionary to write them by, and a
   profile naming a version-2 release for them is refused at load with the reason.
2. A huge interchange with an ISX (X12 007040+) was read whole (rg98: its batch scanner stopped at the ISX, "segments
   outside any transaction set"), so a file of one such interchange was held in memory whole while one without was
   cut into batches of sets. The scanner now takes the ISX right after the ISA as an envelope segment, puts it
   before every later batch with the ISA, and neither counts nor cuts at a terminator its release character
   releases: the batches give exactly what the whole read gives (bench/bench_bigdrop.py --isx measures memory).
3. A blank ISA16 stays refused (TA1 R 027) with a message saying why; 4. IEA02 '1' against ISA13 '000000001' stays
   a control-number mismatch (TA1 E 001) by the standard, the message saying why (docs/bad-inputs.md).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.process import Known, process_file
from parsers.x12_reader import read_interchanges
from schemas.profile import load_profiles
from tests.retailer_support import (
    all_sent_accepted,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    segments,
    shipped_night,
)
from tests.support import GOOD_PO, REPO
from tests.test_rg97_inbound_variations import answered_shipped_and_invoiced, mainframe_fixtures

RG96 = REPO / "tests" / "fixtures" / "rg96"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 30, 15)
ACME = load_profiles(REPO / "partners")["acme"]
TODAY = date(2026, 11, 27)


def acme_po(body: list[str] = GOOD_PO, *, gs08: str = "002002FORD", isa12: str = "00200", gs04: str = "261127",
            isa11: str = "U", iea02: str = "000000001", isa16: str = ">") -> bytes:
    """ACME's one-PO interchange around ``body`` in GS08 ``gs08`` (ISA12 ``isa12``, GS04 ``gs04``)."""
    text = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*"
            f"{isa11}*{isa12}*000000001*0*P*{isa16}~\n"
            f"GS*PO*ACMERETAIL*ORDERBRIDGE*{gs04}*1200*1*X*{gs08}~\nST*850*0001~\n"
            + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*0001~\nGE*1*1~\nIEA*1*{iea02}~\n")
    return text.encode()


def taken(data: bytes, profile=ACME):
    return process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=TODAY)


def rendered_997(out, profile=ACME) -> bytes:
    """The 997 of ``out`` as the night writes it (engine.envelope.wrap under the document's address)."""
    from engine.envelope import addressed, envelope_for, wrap

    (doc,) = [d for d in out.documents if d.doc_type == "997"]
    env = addressed(envelope_for(profile), doc.to)
    return wrap(env, "FA", "997", [list(doc.bodies[0])], isa13=7, gs06=7, st02s=[1],
                now=datetime(2026, 11, 27, 3))


# --- 1. the 997 of a version-2 / 003010-003030 group -------------------------------------------------------------

@pytest.mark.parametrize("gs08,isa12", [("002001", "00200"), ("002002FORD", "00200"), ("002003", "00200"),
                                        ("002040", "00204"), ("003010", "00301"), ("003020", "00302"),
                                        ("003030", "00303")])
def test_a_997_answers_an_early_group_in_its_own_release(gs08, isa12):
    out = taken(acme_po(gs08=gs08, isa12=isa12))
    assert out.findings == [] and out.disposition == "processed" and out.orders.num_rows == 1
    content = rendered_997(out)
    segs = read_interchanges(content, file="997").segments.elements.to_pylist()
    isa, gs = segs[0], segs[1]
    assert (isa[11], isa[12], gs[4], gs[8]) == ("U", isa12, "261127", gs08)
    assert [s for s in segs if s[0].startswith("AK")] == [["AK1", "PO", "1"], ["AK2", "850", "0001"], ["AK5", "A"],
                                                          ["AK9", "A", "1", "1", "1"]]
    from rules.outbound import validate_outbound

    assert [f for f in validate_outbound(content) if f.severity == "error"] == []


def test_before_the_change_an_early_group_got_a_004010_997():
    """The proof the test above tests something: without the version-2 and 003010-003030 releases among the early
    997 releases, the 997 is the profile's (no address version: GS08 004010, ISA12 00401)."""
    from unittest import mock

    import engine.envelope as envelope

    old = frozenset(f"0030{r}0" for r in range(4, 8)) | frozenset(
        r for r in envelope._PUBLISHED_997 if r >= "004010")
    with mock.patch.object(envelope, "_PUBLISHED_997", old):
        out = taken(acme_po())
    (doc,) = [d for d in out.documents if d.doc_type == "997"]
    assert doc.to is None
    assert taken(acme_po()).documents[0].to.version == "002002FORD"


def test_the_first_issue_002000_is_answered_in_the_profile_s_version():
    out = taken(acme_po(gs08="002000", isa12="00200"))
    (doc,) = [d for d in out.documents if d.doc_type == "997"]
    assert doc.to is None


def test_acks_version_profile_keeps_every_997_in_the_profile_s_version():
    profile = ACME.model_copy(update={"acks": ACME.acks.model_copy(update={"version": "profile"})})
    out = taken(acme_po(), profile)
    (doc,) = [d for d in out.documents if d.doc_type == "997"]
    assert doc.to is None


def test_a_rejecting_997_of_an_early_group_reports_an_element_by_one_number():
    """Before 003050 AK401 is the element's position alone (C030 came in 003050): a BEG without its PO number and
    date in a 002002 PO is refused by a 002002FORD 997 naming BEG03 and BEG05 as 3 and 5."""
    out = taken(acme_po(["BEG*00*SA**", *GOOD_PO[1:]]))
    (doc,) = [d for d in out.documents if d.doc_type == "997"]
    assert [s[:2] for s in doc.bodies[0] if s[0] in ("AK4", "AK5")] == [["AK4", "3"], ["AK4", "5"], ["AK5", "R"]]
    assert doc.to.version == "002002FORD"
    segs = read_interchanges(rendered_997(out), file="997").segments.elements.to_pylist()
    assert [s[:2] for s in segs if s[0] == "AK4"] == [["AK4", "3"], ["AK4", "5"]]


@pytest.mark.parametrize("gs08", ["002002FORD", "003010"])
def test_bots_reads_the_early_997_by_003040_s_grammar(gs08, tmp_path):
    """Bots holds 997 grammars from 003040 only; the early 997 has 003040's segments and elements, so it is held
    against that grammar (GS08/ISA12 relabelled 003040/00304 for the check)."""
    from tests.shipping_support import as_bots_reads_997, bots_check

    content = rendered_997(taken(acme_po(gs08=gs08, isa12="00200" if gs08 < "003" else "00301")))
    relabelled = as_bots_reads_997(content)
    assert b"*X*003040~" in relabelled and b"*U*00304*" in relabelled
    ok, errors = bots_check(relabelled, tmp_path)
    assert ok, errors


def test_a_profile_naming_a_version_2_release_for_its_856_is_refused_with_the_reason():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as e:
        ACME.x12.model_validate({**ACME.x12.model_dump(), "gs_versions": {"856": "002002FORD"}})
    message = str(e.value)
    assert "002002FORD" in message and "no dictionary of a release before 003040" in message


def mainframe_po_002002() -> str:
    """rg96's mainframe buyer PO as a Ford-style version-2 translator writes it: ISA12 00200, GS04 and BEG05 YYMMDD,
    GS08 002002FORD (in ASCII)."""
    text = (RG96 / "drops" / "mainframe" / "mainframe-850-MF9600601.x12").read_bytes().decode("cp037")
    text = text.replace("*U*00401*", "*U*00200*").replace("*20261123*2240*9661*X*004010~",
                                                           "*261123*2240*9661*X*002002FORD~")
    return text.replace("**20261123~", "**261123~").replace("DTM*002*20261204~", "DTM*002*261204~")




@pytest.fixture(scope="module")
def ford_night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("x12real2-002002")
    fixtures = mainframe_fixtures(tmp, mainframe_po_002002().encode(), "MF.PO.D261123.DAT", "x12real2")
    return shipped_night(on_demo(fixtures, tmp / "ws"), fixtures, NIGHT, SHIP_DAY)


def test_a_002002ford_po_is_acknowledged_in_002002ford_and_answered_shipped_invoiced_in_004010(ford_night):
    ws = ford_night[0]
    answered_shipped_and_invoiced(*ford_night)
    ack = segments(ws, "mainframe", "997")
    [isa] = [s for s in ack if s[0] == "ISA"]
    [gs] = [s for s in ack if s[0] == "GS"]
    assert (isa[11], isa[12], len(gs[4]), gs[8]) == ("U", "00200", 6, "002002FORD")
    for kind in ("855", "856", "810"):  # the profile's version: we hold no 002xxx dictionary to write them by
        segs = segments(ws, "mainframe", kind)
        [isa] = [s for s in segs if s[0] == "ISA"]
        [gs] = [s for s in segs if s[0] == "GS"]
        assert (isa[12], gs[8], len(gs[4])) == ("00401", "004010", 8), kind


def test_the_002002ford_night_s_answers_pass_our_validator_bots_and_pyx12(ford_night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(ford_night[0], ["mainframe"], tmp_path, maps, shipments=1, answers=1)
    from rules.outbound import validate_outbound

    [ack] = sorted((ford_night[0].drop_root / "mainframe" / "outbox").glob("*-997-*.x12"))
    assert [f for f in validate_outbound(ack.read_bytes()) if f.severity == "error"] == []


def test_read_interchanges_takes_the_002002_po_without_a_finding():
    result = read_interchanges(mainframe_po_002002().encode(), file="f")
    assert result.findings == []
    assert result.interchanges[0].groups[0].version == "002002FORD"


# --- 3. a blank ISA16 ---------------------------------------------------------------------------------------------

def test_a_blank_isa16_is_still_refused_with_the_reason_and_ta1_027():
    """X12.6 wants a delimiter that never occurs in data; names and addresses hold blanks, so a composite's components
    could not be told from its words (Bots refuses a blank separator too: "[A65] space is used as separator"). The
    refusal stays; its message now says why and what to ask for."""
    out = taken(acme_po(gs08="004010", isa12="00401", gs04="20261127", isa16=" "))
    [f] = out.findings
    assert f.code == "ISA_COMPONENT_SEPARATOR_INVALID" and f.location.element == "ISA16"
    assert "a blank cannot separate components" in f.message and "TA1 027" in f.message
    assert out.orders.num_rows == 0 and out.disposition == "quarantine"
    assert [d.ta1 for d in out.documents] == [("TA1", "000000001", "261127", "1200", "R", "027")]


def test_bots_refuses_a_blank_component_separator_too(tmp_path):
    from tests.shipping_support import bots_check

    ok, errors = bots_check(acme_po(gs08="004010", isa12="00401", gs04="20261127", isa16=" "), tmp_path)
    assert not ok and "space is used as separator" in str(errors)


def test_another_bad_isa16_keeps_the_short_message():
    out = taken(acme_po(gs08="004010", isa12="00401", gs04="20261127", isa16="A"))
    assert [(f.code, f.message) for f in out.findings] == [
        ("ISA_COMPONENT_SEPARATOR_INVALID", "Component separator 'A' (ISA16) is invalid.")]


# --- 4. IEA02 '1' against ISA13 '000000001' -------------------------------------------------------------------------

def test_iea02_written_short_is_a_control_mismatch_by_the_standard():
    """IEA02 and ISA13 are both I12, N0 9/9: nine digits, leading zeros kept (a fixed length), and X12.5 asks IEA02
    to be identical to ISA13. '1' is the same number but not a copy of the header's number: IEA_CONTROL_MISMATCH,
    TA1 E 001 (the header's number used), the PO taken, the file quarantined for ops. GE02 '1' against GS06
    '000000001' is another matter (N0 1/9: the same number, accepted)."""
    out = taken(acme_po(gs08="004010", isa12="00401", gs04="20261127", iea02="1"))
    [f] = out.findings
    assert f.code == "IEA_CONTROL_MISMATCH" and f.severity == "error"
    assert f.message == ("IEA02 '1' does not equal ISA13 '000000001': the same number, but IEA02 is nine digits as "
                         "ISA13 is (N0 9/9, leading zeros kept), so the trailer is no copy of the header; the "
                         "header's number is used.")
    assert out.orders.num_rows == 1 and out.disposition == "quarantine"
    assert [d.ta1 for d in out.documents if d.doc_type == "TA1"] == [
        ("TA1", "000000001", "261127", "1200", "E", "001")]
    (ack,) = [d for d in out.documents if d.doc_type == "997"]
    assert ack.bodies[0][-1] == ["AK9", "A", "1", "1", "1"]
    other = taken(acme_po(gs08="004010", isa12="00401", gs04="20261127", iea02="000000002"))
    assert [f.message for f in other.findings] == ["IEA02 '000000002' does not equal ISA13 '000000001'."]


# --- 2. a huge interchange with an ISX, read in batches -----------------------------------------------------------

def isx_interchange(n: int, *, isx: str = "ISX*?", isa13: int = 700) -> bytes:
    """ACME's 007040 interchange of ``n`` POs with ``isx`` after its ISA, each PO's ship-to holding released
    delimiters: a released '*' and '~', a released terminator followed by text reading "ST*850*..." (no set starts
    there), "??" (one '?') right before a real terminator."""
    from tests.test_intake_batches import _po, _set

    sets = []
    for k in range(n):
        body = _po(f"PO-{k}", 2)
        at = next(i for i, seg in enumerate(body) if seg.startswith("N1*ST"))
        body = [*body[:at], "N1*ST*DC?*7 STAR?~ALLIANCE*92*DC07", "N2*CARE OF?~ST*850*9999", "N3*1 WAY??",
                *body[at + 1:]]
        sets.append(_set("850", f"{k:04d}", body))
    text = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*^*00704*"
            f"{isa13:09d}*0*P*>~\n" + (isx + "~\n" if isx else "")
            + "GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*1*X*007040~\n" + "".join(sets)
            + f"GE*{n}*1~\nIEA*1*{isa13:09d}~\n")
    return text.encode()


@pytest.mark.parametrize("max_sets", [1, 2, 5])
@pytest.mark.parametrize("chunk", [1, 7, 97, 1 << 20])
def test_an_interchange_with_an_isx_is_cut_into_batches_that_give_what_the_whole_gives(max_sets, chunk):
    from tests.test_intake_batches import _same

    data = isx_interchange(6)
    outs = _same(data, max_sets=max_sets, chunk=chunk)  # cut (split >= 1), the same findings, 997s, orders, lines
    orders = [r for o in outs for r in o.orders.to_pylist()]
    assert [r["po_number"] for r in orders] == [f"PO-{k}" for k in range(6)]
    # (the N2's N201 and N202 follow the name: "CARE OF~ST" and "850", text, no set starting there)
    assert {r["ship_to_name"] for r in orders} == {"DC*7 STAR~ALLIANCE, CARE OF~ST, 850"}
    assert [f.code for o in outs for f in o.findings] == []


def test_the_scan_keeps_the_isx_and_counts_the_rows_as_the_reader_does():
    from parsers.x12_batches import read_batch, scan_interchange

    data = isx_interchange(4)
    sk = scan_interchange([data[i:i + 13] for i in range(0, len(data), 13)], max_bytes=10**9, max_sets=1,
                          max_set_bytes=10**9)
    assert sk.reason == "" and sk.isx == b"\nISX*?~" and len(sk.batches) == 4
    whole = read_interchanges(data, file="f").segments.elements.to_pylist()
    assert sk.rows == len(whole)
    rows = []
    for b in sk.batches:
        result, _delta = read_batch(sk, b, lambda a, z: data[a:z], file="f")
        got = result.segments.elements.to_pylist()
        assert b.group < 0 or got[:3] == [whole[0], ["ISX", "?"], whole[2]]  # the ISA, the ISX and the GS put first
        rows += got[0 if b.group < 0 else 3:]
    assert rows == whole  # (the last batch runs to the IEA)


@pytest.mark.parametrize("isx", ["ISX**U8", "ISX", "ISX*!"])
def test_an_isx_without_a_release_character_or_with_another_is_cut_too(isx):
    from tests.test_intake_batches import _same

    data = isx_interchange(3, isx=isx)
    if isx != "ISX*!":
        data = data.replace(b"?*", b" ").replace(b"?~", b" ").replace(b"??", b"?")
    else:
        data = data.replace(b"?*", b"!*").replace(b"?~", b"!~").replace(b"??", b"!!")
    _same(data, max_sets=1)


@pytest.mark.parametrize("where,reason", [("after GS", ""), ("second", "an ISX elsewhere than right after the ISA"),
                                          ("bad release", ""), ("a letter", "an ISX naming no release character "
                                                                            "it can read")])
def test_an_isx_the_reader_refuses_is_still_read_whole_with_the_same_findings(where, reason):
    """Whatever stops the scan first (the reason given, or another, "" here: the released terminators the reader
    does not release without a good ISX make "segments" the scan will not cut at), the interchange is read whole
    with the findings the reader has about it."""
    from tests.test_intake_batches import _batched_file, _facts, _whole_file

    data = isx_interchange(2, isx={"after GS": "", "second": "ISX*?~\nISX*!", "bad release": "ISX*>",
                                   "a letter": "ISX*A"}[where])
    if where == "after GS":
        data = data.replace(b"*007040~\n", b"*007040~\nISX*?~\n")
    reasons: list[str] = []
    batched, split = _batched_file(data, max_sets=1, reasons=reasons)
    assert split == 0 and len(reasons) == 1 and reasons[0] and reason in reasons[0]
    assert _facts(_whole_file(data)) == _facts(batched)
    assert "ISA_STRUCTURE_INVALID" in [f.code for o in batched for f in o.findings]


def test_before_the_change_the_isx_stopped_the_scan():
    """The proof: without ISX among the scanner's envelope ids (as before), the interchange is read whole."""
    from unittest import mock

    import parsers.x12_batches as xb

    with mock.patch.object(xb._Scan, "isx", lambda self, raw, row, end: self.stop("segments outside any "
                                                                                 "transaction set")):
        sk = xb.scan_interchange([isx_interchange(2)], max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    assert sk.reason == "segments outside any transaction set"


def ascii_mainframe_po_7040() -> str:
    """rg98's 007040 mainframe PO with its ISX and released delimiters, as an ASCII translator writes it (each segment
    on its line: the EBCDIC file's NL, U+0085, at each segment start stops the scan, "Unicode at a segment start")."""
    from tests.test_rg98_inbound_variations import mainframe_po_7040

    return mainframe_po_7040().replace("\x85", "")


@pytest.fixture(scope="module")
def isx_batched_night(tmp_path_factory):
    """The 007040 PO with its ISX taken in batches (its interchange over SPLIT_BYTES), what each scan said kept."""
    from flows import intake as intake_flow
    from parsers import x12_batches

    tmp = tmp_path_factory.mktemp("x12real2-isx")
    fixtures = mainframe_fixtures(tmp, ascii_mainframe_po_7040().encode(), "MF.PO.D261127.DAT", "x12real2")
    reasons: list[str] = []
    scan = x12_batches.scan_interchange

    def scanned(*args, **kw):
        sk = scan(*args, **kw)
        reasons.append(sk.reason)
        return sk

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(intake_flow, "STREAM_BYTES", 0)
        mp.setattr(intake_flow, "SPLIT_BYTES", 0)
        mp.setattr(x12_batches, "scan_interchange", scanned)
        return (*shipped_night(on_demo(fixtures, tmp / "ws"), fixtures, NIGHT, SHIP_DAY), reasons)


def test_the_isx_po_read_in_batches_is_acknowledged_shipped_and_invoiced(isx_batched_night):
    ws, found, states, reasons = isx_batched_night
    assert reasons == [""]  # scanned and cut, not read whole
    answered_shipped_and_invoiced(ws, found, states)
    inv = segments(ws, "mainframe", "810")
    assert ["N1", "ST", "PROVIDER DC*HUDSON", "92", "0960"] in inv and ["N3", "5555 DARROW RD~DOCK 4?"] in inv


def test_the_isx_batched_night_s_answers_pass_our_validator_bots_and_pyx12(isx_batched_night, tmp_path,
                                                                          maps):  # noqa: F811
    all_sent_accepted(isx_batched_night[0], ["mainframe"], tmp_path, maps, shipments=1, answers=1)
