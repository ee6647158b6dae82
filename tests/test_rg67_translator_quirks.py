"""How commercial EDI translators and VANs format what partners send us: tests/fixtures/rg67/ holds eight partners
whose 850s (and two 860s) carry each one's envelope quirks: SPS Commerce (GS08 004010VICS, a
segment a CR LF line, two STs in one group), TrueCommerce (a partner in testing: ISA15 T, ISA14 1 asking a TA1,
':' sub-elements, lower-case values, trailing empty elements kept: PO1*...*VP-1015***), DiCentral (005010, ISA11
'^', a REF04 composite, no line ends), Cleo (005010 on one line, '|' sub-elements, ISA14 1, ST02 12345 without
leading zeros, GS06 000000674 with them; and a 004010 group in an 00501 ISA), OpenText/GXS (a PO group and a PC
group in one interchange, the 860 changing the PO, the PC group after the PO group or, sorted by functional id,
before it; ST02 of nine digits, '\\' sub-elements), IBM Sterling/Gentran (GS08 004010UCS, a DUNS sender,
ISA02/ISA04 zero-filled, '^' sub-elements; and the mainframe's hex separators 0x1D, 0x1F, 0x1C), a Kleinschmidt
VAN mailbox file (a BOM, two interchanges, blank padding after the last IEA) and a homegrown mainframe export
(80-byte records cut inside segments, the last padded with spaces; or a segment a record padded to 80). Each
file is read by `inspect` without an error (tests/fixtures/rg67/mailbox/: a VAN file of two senders'
interchanges, too); one night acknowledges exactly the groups and sets sent, their control numbers echoed as
sent, a TA1 where asked, and answers each PO with an 855: all accepted by our validator, Bots and pyx12.

All is X12 but two habits the standard leaves to the receiver or forbids, which translators keep sending: line
breaks, a BOM and padding between or inside segments (outside X12's character set, their treatment "implementation
dependent": X12 RFI 28), and trailing empty elements (X12.6 says they shall be omitted, RFI 1498). Both are taken:
refusing a PO for either would lose it."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    inspected,
    line_counts,
    maps,  # noqa: F401 (a fixture)
    on_demo,
    segments,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg67"
NIGHT = datetime(2026, 11, 27, 2)
POS = {"sps": {"SP6700101": 3, "SP6700102": 3}, "truecommerce": {"TC6700201": 3}, "dicentral": {"DC6700301": 3},
       "cleo": {"CL6700401": 3, "CL6700402": 3}, "opentext": {"OT6700501": 3, "OT6700502": 3},
       "sterling": {"ST6700601": 3, "ST6700602": 3}, "kleinschmidt": {"KL6700701": 3, "KL6700702": 3},
       "mainframe": {"MF6700801": 3, "MF6700802": 3}}
# partner -> its interchanges as sent: (ISA13, [(GS01, GS06, [(ST01, ST02)...])...])
SENT = {
    "sps": [("000067101", [("PO", "67101", [("850", "0001"), ("850", "0002")])])],
    "truecommerce": [("000000672", [("PO", "672", [("850", "0001")])])],
    "dicentral": [("000006731", [("PO", "6731", [("850", "6731")])])],
    "cleo": [("000000674", [("PO", "000000674", [("850", "12345")])]),
             ("000000675", [("PO", "000000675", [("850", "12346")])])],
    "opentext": [("000006751", [("PO", "6751", [("850", "000000001")]), ("PC", "6752", [("860", "000000002")])]),
                 ("000006753", [("PC", "6754", [("860", "000000002")]), ("PO", "6753", [("850", "000000001")])])],
    "sterling": [("000006761", [("PO", "000006761", [("850", "0001")])]),
                 ("000006762", [("PO", "000006762", [("850", "0001")])])],
    "kleinschmidt": [("000006771", [("PO", "6771", [("850", "0001")])]),
                     ("000006772", [("PO", "6772", [("850", "0001")])])],
    "mainframe": [("000006781", [("PO", "6781", [("850", "0001")])]),
                  ("000006782", [("PO", "6782", [("850", "0001")])])],
}
NOTED = {"X12_LINES_WRAPPED"}  # the mainframe's 80-byte records: a warning naming their width


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*/*.x12")) + sorted(FIXTURES.glob("mailbox/*.x12")),
                         ids=lambda p: p.name)
def test_inspect_reads_every_translator_s_file_without_an_error(path):
    seen = inspected(path, NOTED)
    assert {f["severity"] for f in seen["findings"]} <= {"warning"}
    if path.parent.name in POS:
        sent = {po: n for po, n in POS[path.parent.name].items() if po in path.read_text("latin-1")}
        assert sent and line_counts(seen) == sent
    else:  # the VAN mailbox: SPS Retail's and Cleo's interchanges, each read
        assert line_counts(seen) == {"SP6700101": 3, "SP6700102": 3, "CL6700401": 3}


def test_the_fixtures_carry_the_quirks_they_are_named_for():
    # each partner's first file and its last (by name; the same file for a partner of one)
    data = {p.parent.name: p.read_bytes() for p in sorted(FIXTURES.glob("drops/*/*.x12"), reverse=True)}
    last = {p.parent.name: p.read_bytes() for p in sorted(FIXTURES.glob("drops/*/*.x12"))}
    assert b"~\r\nGS*PO*SPSRETAIL" in data["sps"] and b"*004010VICS~" in data["sps"]
    assert b"*1*T*:~\n" in data["truecommerce"] and b"*VP-1015***~" in data["truecommerce"]
    assert b"\n" not in data["dicentral"] and b"*^*00501*" in data["dicentral"] and b"*IA:RG67V01~" in data["dicentral"]
    assert b"ST*850*12345~" in data["cleo"] and b"SE*14*12345~" in data["cleo"] and b"GE*1*000000674~" in data["cleo"]
    assert b"IEA*2*" in data["opentext"] and b"GS*PC*" in data["opentext"]
    assert b"*01*123456789      *" in data["sterling"] and b"*0000000000*" in data["sterling"]
    assert data["kleinschmidt"].startswith(b"\xef\xbb\xbfISA") and data["kleinschmidt"].count(b"IEA*") == 2
    assert data["kleinschmidt"].endswith(b"   \r\n\r\n")
    assert {len(r) for r in data["mainframe"].split(b"\r\n")[:-1]} == {80}
    records = last["mainframe"].split(b"\r\n")[:-1]  # (a segment a record: the ISA's 106 bytes its own)
    assert len(records[0]) == 106 and {len(r) for r in records[1:]} == {80} and b"~   " in last["mainframe"]
    assert last["sterling"].startswith(b"ISA\x1d00\x1d0000000000") and b"\x1f\x1cGS\x1d" in last["sterling"]
    assert last["opentext"].index(b"GS*PC*") < last["opentext"].index(b"GS*PO*")
    assert b"*^*00501*" in last["cleo"] and b"*X*004010~" in last["cleo"]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    from connectors.state import StateStore
    from tests.support import run_stages

    ws = on_demo(FIXTURES, tmp_path_factory.mktemp("rg67") / "ws")
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["severity"], f["po_number"], f["message"]) for f in state.findings()]
        lines = {o.key: [str(ln.ordered) for ln in state.order_lines(*o.key)] for o in state.orders()}
    finally:
        state.close()
    return ws, found, lines


def test_no_error_and_every_po_acknowledged_as_ordered(night):
    ws, found, lines = night
    assert [f for f in found if f[1] == "error"] == []
    assert {f[0] for f in found} <= NOTED, found
    changed = {("opentext", "OT6700501"), ("opentext", "OT6700502")}  # its 860 in the interchange: line 3 6 -> 12
    assert lines == {(p, po): ["20", "1", "12" if (p, po) in changed else "6"] for p, pos in POS.items() for po in pos}
    accepted_as_ordered(ws, {p: pos for p, pos in POS.items() if p != "opentext"})  # (opentext's 997s also answer
    # its PC groups: the next test)


def _acks(ws, partner):
    """Of ``partner``'s 997s: [(AK101, AK102, [(AK201, AK202, AK501)...], AK9 elements)...] in file order."""
    out = []
    for s in segments(ws, partner, "997"):
        if s[0] == "AK1":
            out.append((s[1], s[2], [], None))
        elif s[0] == "AK2":
            out[-1][2].append([s[1], s[2], None])
        elif s[0] == "AK5":
            out[-1][2][-1][2] = s[1]
        elif s[0] == "AK9":
            out[-1] = (*out[-1][:3], s[1:5])
    return out


@pytest.mark.parametrize("partner", sorted(SENT))
def test_the_997s_acknowledge_exactly_the_groups_and_sets_sent_echoing_their_numbers(night, partner):
    ws, _found, _lines = night
    sent = [(fid, gs06, [[st01, st02, "A"] for st01, st02 in sets], ["A", str(len(sets)), str(len(sets)),
                                                                      str(len(sets))])
            for _isa13, groups in SENT[partner] for fid, gs06, sets in groups]
    assert sorted(_acks(ws, partner)) == sorted(sent)


@pytest.mark.parametrize("partner", ["truecommerce", "cleo"])
def test_an_interchange_asking_for_a_ta1_gets_one_naming_it_as_sent(night, partner):
    ws, _found, _lines = night
    ta1 = [s for s in segments(ws, partner, "TA1") + segments(ws, partner, "997") if s[0] == "TA1"]
    assert sorted(s[1] for s in ta1) == [isa13 for isa13, _groups in SENT[partner]]
    assert {s[4] for s in ta1} == {"A"}


def test_no_ta1_where_none_was_asked(night):
    ws, _found, _lines = night
    assert not [p for partner in ("sps", "dicentral", "opentext", "sterling", "kleinschmidt", "mainframe")
                for p in (ws.drop_root / partner / "outbox").glob("*-TA1-*")]


def test_the_860_in_the_po_s_interchange_is_applied_before_the_po_is_answered_whichever_group_comes_first(night):
    """OpenText's PC group after the PO group, or before it (groups sorted by functional id): the order is decided
    as changed, and its one 855 (BAK01 00) answers the PO and the change, line 3 at 12 (docs/lifecycle.md: a change
    to an order waiting for the rules is answered by the 855 of the decision)."""
    ws, _found, _lines = night
    answers = segments(ws, "opentext", "855")
    for po in POS["opentext"]:
        [k] = [k for k, s in enumerate(answers) if s[0] == "BAK" and s[3] == po]
        assert answers[k][1:3] == ["00", "AD"]
        stop = next(j for j in range(k, len(answers)) if answers[j][0] == "SE")
        assert [s[1:4] for s in answers[k:stop] if s[0] == "ACK"] == [["IA", "20", "EA"], ["IA", "1", "BX"],
                                                                       ["IA", "12", "EA"]]


def test_every_997_and_855_is_accepted_by_our_validator_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    ws, _found, _lines = night
    sent = sorted(p for partner in POS for p in (ws.drop_root / partner / "outbox").glob("*-[89][59][57]-*.x12"))
    assert {p.name.split("-")[1] for p in sent} == {"997", "855"}
    for path in sent:
        content = path.read_bytes()
        assert [f for f in validate_outbound(content) if f.severity == "error"] == [], path.name
        # Bots' and pyx12's grammars are per release: GS08's industry identifier (VICS, UCS) read as its release
        content = content.replace(b"*X*004010VICS~", b"*X*004010~").replace(b"*X*004010UCS~", b"*X*004010~")
        ok, errors = bots_check(content, tmp_path)
        assert ok, (path.name, errors)
        ok, ack = pyx12_accepts(content.decode(), maps)
        assert ok, (path.name, ack[:800])


def test_a_partner_whose_gs08_names_its_industry_gets_its_answers_labelled_so(night):
    """SPS Retail's profile says gs_version 004010VICS, Sterling Buyer's 004010UCS, as their groups do: their 997s
    and 855s carry that GS08 (a translator set up for 004010VICS refuses a group labelled otherwise); the others'
    their version's."""
    ws, _found, _lines = night
    for partner, gs08 in (("sps", "004010VICS"), ("sterling", "004010UCS"), ("kleinschmidt", "004010"),
                          ("dicentral", "005010")):
        for kind in ("997", "855"):
            assert {s[8] for s in segments(ws, partner, kind) if s[0] == "GS"} == {gs08}, (partner, kind)
    # Cleo's 004010 group in an 00501 ISA is acknowledged in its own release (ISA12 00401), its 005010 one in
    # 005010; the 855s in the profile's
    acks = segments(ws, "cleo", "997")
    envelopes = [(s[12], acks[k + 1][8]) for k, s in enumerate(acks) if s[0] == "ISA"]  # (ISA12, its GS08)
    assert sorted(envelopes) == [("00401", "004010"), ("00501", "005010")]
    assert {s[8] for s in segments(ws, "cleo", "855") if s[0] == "GS"} == {"005010"}
