"""A 3PL's 945 file is read as a partner's 850 file is (engine.warehouse_acks.judge_945s, as engine.process): an
interchange, group or set in error is refused alone, with its finding (and its failure-report row) and its answer
(TA1 R, 997 AK9 R, AK5 R with the AK3/AK4 of the dictionary's structure check), while the file's good 945s ship;
IEA01/IEA02 that differ are tolerated (TA1 E) as a partner's are. The dictionary judges a 945 exactly as X12 does:
every rg69 3PL's shape, the shared corpus's 945 and a 945 full of optional segments we never read are taken.
Before, any error outside a set held every shipment of the file, and no 945 met the dictionary. `state rebuild`
ties the warehouse's 997s to the 945 file they answer, as a partner's to its file."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from connectors.state import StateStore
from engine.warehouse_acks import judge_945s
from parsers.warehouse_945 import read_945
from parsers.x12_reader import read_interchanges
from tests.support import CORPUS, corpus_dir
from tests.test_945_acks import (  # noqa: F401 (template, ws: fixtures)
    DAY1,
    FIXTURES,
    GXO,
    PARTY,
    RYDER,
    acks,
    drop,
    outbox,
    segs,
    ship,
    template,
    ws,
)
from tests.test_rg69_3pl_945 import recounted_945s

DHL = (FIXTURES / "shipments" / "dhlsc" / "DHLSC945.20261201.1352.x12").read_text(encoding="utf-8")
GXO_GS = "GS*SW*GXOLOGISTICS*ORDERBRIDGE*20261201*1436*{}*X*004010~\n"


def gxo_two_groups() -> str:
    """GXO's file with its two 945s in two groups of one interchange: 88011 (TS6900101, shipment GXO-7730011) and
    88012 (TS6900102, GXO-7730012)."""
    return (GXO.replace("ST*945*1002~", "GE*1*88011~\n" + GXO_GS.format("88012") + "ST*945*1002~")
            .replace("GE*2*88011~", "GE*1*88012~").replace("IEA*1*000008801~", "IEA*2*000008801~"))


def sent_856s(workspace, partner: str) -> list[str]:
    """BSN02 (the shipment id) of every 856 stored for ``partner``."""
    state = StateStore(workspace.state_path)
    try:
        docs = [d for d in state.documents(partner) if d.doc_type == "856"]
    finally:
        state.close()
    return sorted(s[2] for d in docs for s in segs(bytes(d.content).decode()) if s[0] == "BSN")


def stored_findings(workspace) -> dict[str, tuple[str, str]]:
    state = StateStore(workspace.state_path)
    try:
        return {f["code"]: (f["severity"], f["consequence"]) for f in state.findings()}
    finally:
        state.close()


def test_a_group_in_error_is_refused_alone_and_the_file_s_other_group_ships(ws):  # noqa: F811
    """Group 88012's GE02 is not its GS06: that group is refused (997 AK9 R 4, its 945 not read, its finding and
    failure-report row say so); group 88011's 945 is read and TS6900101's 856 is built. Before, the whole file was
    refused (TA1 R) and neither order shipped."""
    drop(ws, "gxo", "g.edi", gxo_two_groups().replace("GE*1*88012~", "GE*1*88019~"))
    res = ship(ws, "gxo", DAY1, "day1")
    assert (res.shipments, res.quarantined, res.acknowledgments) == (1, 1, 2)
    assert sent_856s(ws, "tractorsupply") == ["GXO-7730011"]
    good, bad = acks(ws, "gxo")
    assert good[2:6] == [["AK1", "SW", "88011"], ["AK2", "945", "1001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    assert bad[2:6] == [["AK1", "SW", "88012"], ["AK2", "945", "1002"], ["AK5", "R"], ["AK9", "R", "1", "1", "0", "4"]]
    assert not [s for a in acks(ws, "gxo") for s in a if s[0] == "TA1"]
    row = next(f for f in res.findings if f["code"] == "GE_CONTROL_MISMATCH")
    assert row["severity"] == "error" and row["consequence"].startswith("group rejected (997 AK9 R)")
    assert stored_findings(ws)["GE_CONTROL_MISMATCH"][1].startswith("group rejected (997 AK9 R)")


def test_a_945_the_dictionary_refuses_gets_its_ak3_ak4_and_its_neighbour_ships(ws):  # noqa: F811
    """The second 945 writes its W12 weight one element late (W1211 "1410": ID 1/2; W1213 "L": a number): 004010's
    W12 refuses it, as a partner's 850 with such an element is refused: AK5 R 5 with an AK3 for the W12 and an AK4
    for each element, AK9 P (2 received, 1 accepted); the first 945 ships. Before, no 945 met the dictionary: the
    997 said AK5 A and the shipment went out with the weight lost."""
    second = GXO.index("ST*945*1002~")
    shifted = GXO[:second] + GXO[second:].replace("RG69-01**260*G*L~", "RG69-01***260*G*L~")
    drop(ws, "gxo", "g.edi", shifted)
    res = ship(ws, "gxo", DAY1, "day1")
    assert (res.shipments, res.quarantined) == (1, 1) and sent_856s(ws, "tractorsupply") == ["GXO-7730011"]
    [ack] = acks(ws, "gxo")
    body = ack[2:-3]  # AK1 .. AK9
    assert body[:3] == [["AK1", "SW", "88011"], ["AK2", "945", "1001"], ["AK5", "A"]]
    assert body[3] == ["AK2", "945", "1002"] and body[-2:] == [["AK5", "R", "5"], ["AK9", "P", "2", "2", "1"]]
    notes = body[4:-2]
    position = str(next(i for i, s in enumerate(segs(shifted[second:]), 1) if s[0] == "W12" and "RG69-01" in s))
    assert notes == [["AK3", "W12", position, "", "8"], ["AK4", "11", "187", "5", "260"], ["AK4", "13", "81", "6", "L"]]
    codes = {f["code"]: f["consequence"] for f in res.findings if f["severity"] == "error"}
    assert set(codes) == {"ELEMENT_TOO_LONG", "ELEMENT_INVALID_CHARACTER"}
    assert all(c.startswith("transaction set rejected (997 AK5 R)") for c in codes.values())


def test_a_segment_out_of_place_refuses_its_945_only(ws):  # noqa: F811
    """DHL's second 945 (005010) puts its W27 before its G62: the 005010 table has G62 before W27, so the G62 is
    out of place (an AK3 for it) and that 945 alone is refused (AK5 R); the first ships (AK9 P)."""
    second = DHL.index("ST*945*1002~")
    tail = DHL[second:]
    g62 = re.search(r"G62\*11\*[^~]*~\n", tail).group(0)  # (read_text: its CRLFs read as "\n")
    w27 = re.search(r"W27\*[^~]*~\n", tail).group(0)
    moved = DHL[:second] + tail.replace(g62 + w27, w27 + g62, 1)
    assert moved != DHL
    drop(ws, "dhlsc", "d.x12", moved)
    res = ship(ws, "dhlsc", DAY1, "day1")
    assert res.shipments == 1 and sent_856s(ws, "ulta") == ["DHL-0012201"]
    [ack] = acks(ws, "dhlsc")
    assert ["AK5", "A"] in ack and ["AK9", "P", "2", "2", "1"] in ack
    ak3 = [s for s in ack if s[0] == "AK3"]
    assert len(ak3) == 1 and ak3[0][1] == "G62" and ack[ack.index(ak3[0]) + 1][:2] == ["AK5", "R"]


@pytest.mark.parametrize(("trailer", "code", "note"), [
    ("IEA*2*000003109~", "IEA_CONTROL_MISMATCH", "001"),
    ("IEA*3*000003101~", "IEA_GROUP_COUNT_MISMATCH", "021")])
def test_an_iea_that_differs_is_tolerated_as_a_partner_s_and_every_945_ships(ws, trailer, code, note):  # noqa: F811
    """IEA02 not the ISA13, or IEA01 not the number of groups: a partner's interchange is accepted with errors noted
    (TA1 E, its groups read and answered), so the 3PL's is: both of Ryder's groups ship and get their 997s (AK9 A),
    the TA1 says E with the note; the finding stays (an error, the file quarantined, as a partner's). Before, nothing
    of the file shipped and the TA1 said R."""
    drop(ws, "ryder", "r.x12", RYDER.replace("IEA*2*000003101~", trailer))
    res = ship(ws, "ryder", DAY1, "day1")
    assert (res.shipments, res.quarantined) == (2, 1) and sent_856s(ws, "chewy") == ["RYD-55001", "RYD-55002"]
    sent = outbox(ws, "ryder")
    assert list(sent) == ["ryder-997-000000002.x12", "ryder-997-000000003.x12", "ryder-TA1-000000001.x12"]
    assert [s[1] for t in list(sent.values())[:2] for s in segs(t) if s[0] == "AK9"] == ["A", "A"]
    [ta1] = [s for s in segs(sent["ryder-TA1-000000001.x12"]) if s[0] == "TA1"]
    assert ta1[1] == "000003101" and ta1[4:] == ["E", note]
    severity, consequence = stored_findings(ws)[code]
    assert severity == "error" and consequence.startswith("interchange accepted with errors (TA1 E)")


def test_an_interchange_in_error_is_refused_alone_and_the_file_s_other_interchange_ships(ws):  # noqa: F811
    """Two interchanges in one file, Ryder's groups one in each; the second's ISA13 is no number: that interchange
    is refused (TA1 R, no 997, its 945 not read), the first's 945 ships with its 997."""
    head, rest = RYDER.split("\n", 1)
    first, second = rest.split("GS*SW*RYDERSCS*ORDERBRIDGE*20261201*1141*31012*")
    second = "GS*SW*RYDERSCS*ORDERBRIDGE*20261201*1141*31012*" + second.replace("IEA*2*000003101~", "")
    bad_head = head.replace("000003101", "00000310X")
    text = head + "\n" + first + "IEA*1*000003101~\n" + bad_head + "\n" + second + "IEA*1*00000310X~\n"
    drop(ws, "ryder", "r.x12", text)
    res = ship(ws, "ryder", DAY1, "day1")
    assert res.shipments == 1 and sent_856s(ws, "chewy") == ["RYD-55001"]
    sent = outbox(ws, "ryder")
    [ta1] = [s for n, t in sent.items() if "-TA1-" in n for s in segs(t) if s[0] == "TA1"]
    assert ta1[4] == "R"
    assert [s[1:3] for t in sent.values() for s in segs(t) if s[0] == "AK1"] == [["SW", "31011"]]


def test_a_stranger_s_interchange_is_not_read_and_the_warehouse_s_own_ships(ws):  # noqa: F811
    """One of two interchanges is from another ISA sender: it is neither read nor answered (its finding once), the
    warehouse's own one is read, answered and ships. Before, the whole file was refused."""
    head, rest = RYDER.split("\n", 1)
    first, second = rest.split("GS*SW*RYDERSCS*ORDERBRIDGE*20261201*1141*31012*")
    second = "GS*SW*RYDERSCS*ORDERBRIDGE*20261201*1141*31012*" + second.replace("IEA*2*000003101~", "")
    stranger = head.replace("*ZZ*RYDERSCS       *", "*ZZ*SOMEONEELSE    *").replace("000003101", "000003102")
    drop(ws, "ryder", "r.x12", head + "\n" + first + "IEA*1*000003101~\n" + stranger + "\n" + second +
         "IEA*1*000003102~\n")
    res = ship(ws, "ryder", DAY1, "day1")
    assert res.shipments == 1 and sent_856s(ws, "chewy") == ["RYD-55001"]
    assert [(f["code"], f["consequence"]) for f in res.findings] == [
        ("SHIPMENT_945_SENDER_UNKNOWN", "interchange not read or answered (another ISA sender); file quarantined")]
    assert [s[1:3] for a in acks(ws, "ryder") for s in a if s[0] == "AK1"] == [["SW", "31011"]]


# --- the dictionary is exactly as strict as X12 ---------------------------------------------------------------
OPTIONAL = [  # segments of 004010's 945 table we never read, each where the table puts it, with valid elements
    ("N9*CN*PRO7301~\n", "N9*CN*PRO7301~\nG61*SH*DOCK OFFICE*TE*9015550100~\n"),
    ("G62*11*20261201*8*1335*CT~\n", "G62*11*20261201*8*1335*CT~\nNTE*GEN*CALL BEFORE DELIVERY~\n"),
    ("W27*M*ODFL*ODFL STANDARD LTL*PP~\n", "W27*M*ODFL*ODFL STANDARD LTL*PP~\nW6*SC~\nW10*PL*2~\nG72*504*06~\n"
                                           "LM*AG~\nLQ*0*A1~\n"),
    ("LX*1~\nMAN*GM*00008875000000000019~\n", "LX*1~\nMAN*GM*00008875000000000019~\nPAL*4~\n"),
    ("N9*LI*1~\n", "N9*LI*1~\nQTY*39*10~\nMEA*PD*G*620*LB~\nAMT*1*540~\nFA1*DZ~\nFA2*58*GL100~\n"),
]


def with_optional_segments(text: str) -> str:
    first_end = text.index("ST*945*1002~")
    body = text[:first_end]
    for old, new in OPTIONAL:
        assert body.count(old) == 1, old
        body = body.replace(old, new)
    return recounted_945s((body + text[first_end:]).encode()).decode()


def test_a_945_with_optional_segments_we_never_read_passes_the_dictionary_and_ships(ws):  # noqa: F811
    """G61, NTE, W6, W10, G72, LM/LQ in the heading, PAL in the LX loop, QTY, MEA, AMT and FA1/FA2 in the W12 loop:
    all X12 allows there, none read by us; the 945 is accepted (AK5 A) and ships, with no finding."""
    text = with_optional_segments(GXO)
    assert "FA2*58*GL100~" in text and "SE*37*1001~" in text
    drop(ws, "gxo", "g.edi", text)
    res = ship(ws, "gxo", DAY1, "day1")
    assert (res.shipments, res.quarantined, res.findings) == (2, 0, [])
    [ack] = acks(ws, "gxo")
    assert [s for s in ack if s[0] in ("AK5", "AK9")] == [["AK5", "A"], ["AK5", "A"], ["AK9", "A", "2", "2", "2"]]


@pytest.mark.parametrize("path", sorted((FIXTURES / "shipments").glob("*/*.[ex][d1][i2]")),
                         ids=lambda p: p.parent.name)
def test_every_rg69_3pl_945_is_read_whole_by_the_dictionary(path):
    """GXO (004010), DHL Supply Chain (005010), Ryder (004030: judged by what 004010 and 005010 agree on): every set
    read, no error and no content finding."""
    result = read_interchanges(path.read_bytes(), file=path.name)
    judged = judge_945s(result, sender=None)
    assert [ts.control_number for _ic, _g, ts in judged.sets] == [
        ts.control_number for _ic, _g, ts in result.transaction_sets()]
    assert [f.code for f in judged.findings] == []


def test_the_corpus_945_meets_the_dictionary_and_only_its_envelopes_refuse_it():
    """The shared corpus's 945 (read in place: OopFactory's inter-americanproducts, 005010): its segments and elements
    meet 005010's 945 table (no AK3/AK4 finding); its envelopes do not (a garbled GS, an extra element shifting
    GS04-GS08; a 10-digit ST02, X12's is 4-9), and refuse it as they would a partner's group. The same 945 in
    well-formed envelopes is read (the dictionary and envelopes say nothing; its W06 names no PO, the reader's own
    finding, no X12 one)."""
    corpus_dir()
    data = (CORPUS / "x12" / "945" / "oopfactory__inter-americanproducts.txt").read_bytes()
    judged = judge_945s(read_interchanges(data, file="inter-americanproducts.txt"), sender=None)
    content = {f.code for f in judged.findings if f.code.startswith(("SEGMENT_", "ELEMENT_", "LOOP_"))}
    assert judged.sets == [] and content == set()
    assert {f.code for f in judged.findings if f.severity == "error"} == {
        "GS_ELEMENT_MISSING", "GS_DATE_INVALID", "GS_TIME_INVALID", "GE_CONTROL_MISMATCH", "ST_CONTROL_NUMBER_INVALID"}
    fixed = data.replace(b"GS*SW*513**000*2038334001*20021104*1505*21*X*005010~",
                         b"GS*SW*9338945000*9393939394*20021104*1505*31*X*005010~").replace(b"*0003100001~", b"*31001~")
    assert fixed.count(b"*31001~") == 2
    result = read_interchanges(fixed, file="fixed.txt")
    judged = judge_945s(result, sender=None)
    assert len(judged.sets) == 1 and [f for f in judged.findings if f.severity == "error"] == []
    _lines, more = read_945(result, judged.sets, source_sha256="0" * 64)
    assert [f.code for f in more] == ["SHIPMENT_PO_MISSING"]


# --- state rebuild --------------------------------------------------------------------------------------------
def test_a_rebuilt_store_ties_the_warehouse_s_997s_to_the_945_file_they_answer(ws):  # noqa: F811
    """`orderbridge state rebuild` records the 997s of the warehouse's outbox as delivered and ties each to the
    archived 945 file whose group it answers (AK102), as a partner's 997 to its 850 file: the store lists the same
    answers to that file as before. Before, they stood unlinked."""
    from flows.rebuild import rebuild

    drop(ws, "ryder", "r.x12", RYDER)
    ship(ws, "ryder", DAY1, "day1")
    [archived] = (ws.warehouse_drop_root / "ryder" / "archive").iterdir()
    sha = __import__("hashlib").sha256(archived.read_bytes()).hexdigest()

    def answers() -> list[tuple]:
        state = StateStore(ws.state_path)
        try:
            return [(a["doc_type"], a["file_name"], a["isa13"], a["answers_gs06"], a["status"])
                    for a in state.answers_to_file(PARTY, sha)]
        finally:
            state.close()

    before = answers()
    assert [a[3] for a in before] == ["31011", "31012"]
    ws.state_path.unlink()
    rebuild(ws, at=datetime(2026, 12, 1, 20))
    assert answers() == before


def test_a_deviation_the_945_reader_reads_is_noted_in_the_997_and_the_945_ships(ws):  # noqa: F811
    """A 355 weight code where W1212 takes 188's (LB for L: ID 1/1) is no 004010 W12, but the reader reads it for what
    it says (engine.warehouse_acks.READ_DEVIATIONS), as our intake reads a partner's N0 number written with its
    decimal point: the 945 ships and the 997 notes the deviation (AK3/AK4, AK5 E: accepted with errors noted), a
    warning in our findings; a partner's 850 element so written would be refused, and a 945 element the reader does
    not read so is (test_a_945_the_dictionary_refuses_gets_its_ak3_ak4_and_its_neighbour_ships)."""
    second = GXO.index("ST*945*1002~")
    drop(ws, "gxo", "g.edi", GXO[:second] + GXO[second:].replace("RG69-01**260*G*L~", "RG69-01**260*G*LB~"))
    res = ship(ws, "gxo", DAY1, "day1")
    assert (res.shipments, res.quarantined) == (2, 0)
    assert [(f["code"], f["severity"], f["location"]["element"], f["location"]["value"]) for f in res.findings] == [
        ("ELEMENT_TOO_LONG", "warning", "W1212", "LB")]
    [ack] = acks(ws, "gxo")
    body = ack[2:-3]
    assert body[3] == ["AK2", "945", "1002"] and body[4][:2] == ["AK3", "W12"]
    assert body[5:] == [["AK4", "12", "188", "5", "LB"], ["AK5", "E", "5"], ["AK9", "E", "2", "2", "2"]]
