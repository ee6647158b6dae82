"""What partners send back about our documents (rg83 sweep): tests/fixtures/rg83/ holds five buyers' profiles,
reference rows, stock, 850s and the east DC's confirmation, and under acks/ the answers their systems send about
the 855s, 856s and 810s of that night, written in the shapes those systems use.

Walmart's translator answers in 005010 (AK1 with AK103), one FA group per group of ours in one interchange: the 855
accepted, the 856 rejected (AK3 TD5 at its position, AK4 TD503 with the bad SCAC), the 810 accepted with errors
(AK5 E); then its application's 005010 824 (N1 FR/TO, REF IA, OTI by the invoice number, TED ZZZ with its own
code, NTE without a qualifier) rejects the 810 in one OTI and accepts one of its items in the next (OTI IA).
Target's groups hold several sets: a 997 AK9 P over an AK5 R (a DTM code its guide refuses), one AK9 E listing only
the ASN it noted an error in, and an 824 judging each invoice (TC: price adjusted; TR: no receipt). Amazon's 997s
come three days late, twice (the VAN drops the file again), naming an ASN control number we sent Target. The Home
Depot's gateway rejects our 856's interchange with a TA1 R (note 006) in an interchange of its own asking for a
TA1, rejects our 810 by AK5 R, and three days later its 997 claims the rejected ASN accepted. Kroger's translator
answers with 999s (IK3/IK4/IK5 and CTX, an I12 pattern failure), an older one with a 003040 997.

Each answer is taken in as the partner's file (processed, never answered by a 997; an 824 by one 997 accepting
it), matched to the set we sent (document status, the reconciliation's exceptions, `orderbridge status` of the PO),
and what the partner refused named for ops: a rejected document reads rejected, never accepted.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from tests.retailer_support import (
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401  (the pyx12 maps fixture)
    night_all_invoiced,
    of_its_own,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg83"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT, SHIP_DAY = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
NIGHTS = {"night2": datetime(2026, 11, 28, 2), "night3": datetime(2026, 11, 29, 2),  # night 3: nothing came
          "night4": datetime(2026, 12, 1, 2)}
POS = {"walmart": {"WM8300101": 2}, "target": {"TG8300201": 1, "TG8300202": 1}, "amazon": {"AZ8300301": 1},
       "homedepot": {"HD8300401": 1}, "kroger": {"KR8300501": 2}}
# what the answers name: each partner's 855 (PR), 856 (SH) and 810 (IN) as the night numbers them (one interchange
# per document; Target's go one group per type and run: its two POs' sets share a group)
SENT = {
    "walmart": {"855": ("2", "0002"), "856": ("3", "0003"), "810": ("4", "0004")},
    "amazon": {"855": ("2", "0002"), "856": ("3", "0003"), "810": ("4", "0004")},
    "homedepot": {"855": ("2", "0002"), "856": ("3", "0003"), "810": ("4", "0004")},
    "kroger": {"855": ("2", "0002"), "856": ("3", "0003"), "810": ("4", "0004")},
    "target": {"855": ("2", "0002"), "855b": ("2", "0003"), "856": ("3", "0004"), "856b": ("3", "0005"),
               "810": ("4", "0006"), "810b": ("4", "0007")},
}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_a_finding(path):
    inspected_clean(path, (), POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    ws = of_its_own(FIXTURES, tmp_path_factory.mktemp("rg83") / "ws", warehouses=WAREHOUSES)
    return shipped_night(ws, FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    night_all_invoiced(night, POS, {"ASN_LATE"})


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # Target's two 856s travel in one interchange, so do its 855s and 810s
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def test_the_answers_name_the_control_numbers_the_night_gave(night):
    """The acks/ files name our documents by the numbers this night gives them (outputs are deterministic)."""
    from connectors.state import StateStore
    from engine import finance_inputs

    state = StateStore(night[0].state_path)
    try:
        sent = finance_inputs.sent_sets(state.sent_sets_of(finance_inputs.PARTNER_ACKED))
    finally:
        state.close()
    got: dict[str, list] = {}
    for r in sent.to_pylist():
        got.setdefault(r["partner"], []).append((r["doc_type"], r["gs06"], r["st02"]))
    assert got == {p: sorted(((k[:3], *v) for k, v in numbers.items()), key=lambda t: t[2])
                   for p, numbers in SENT.items()}


@pytest.fixture(scope="module")
def answered(night, tmp_path_factory):
    """A copy of the night's workspace; night 2 takes each partner's answers of acks/night2 in, delivers what they
    call for and reconciles; night 4 (three days on) the late ones of acks/night4. Per night: the findings of
    each partner's intake, its files' dispositions, what went back, and every document's status."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps
    from flows.reconcile import reconcile_run
    from flows.workspace import open_workspace

    root = tmp_path_factory.mktemp("rg83-answers")
    shutil.copytree(night[0].root, root / "ws")
    ws = open_workspace(root / "ws")
    out: dict = {"ws": ws}
    for name, now in NIGHTS.items():
        seen = out[name] = {"findings": {}, "files": {}, "sent_back": {}}
        state = StateStore(ws.state_path)
        try:
            folders = (FIXTURES / "acks" / name).iterdir() if (FIXTURES / "acks" / name).exists() else ()
            for folder in sorted(folders):
                partner, drop = folder.name, ws.drop_root / folder.name
                before = set((drop / "outbox").iterdir())
                for f in sorted(folder.iterdir()):
                    shutil.copy2(f, drop / "inbox" / f.name)
                res = steps.intake_partner(ws, ws.partners()[partner], state, LocalDrop(drop), now=now, run_id=name)
                steps.deliver_partner(ws.partners()[partner], state, LocalDrop(drop), now=now)
                seen["findings"][partner] = [(f["code"], f["severity"], f["message"]) for f in res.findings]
                seen["files"][partner] = {f["name"]: f["status"] for f in state.files(partner)
                                          if (folder / f["name"]).exists()}
                seen["sent_back"][partner] = sorted(set((drop / "outbox").iterdir()) - before)
            reconcile_run(ws, ws.partners(), state, now=now, run_id=name)
            seen["status"] = {(r["partner"], r["doc_type"], r["st02"]): r for r in state.document_status()}
            seen["exceptions"] = [r for r in state.stored_exceptions(active=True).to_pylist()
                                  if r["type"] in ("DOCUMENT_REJECTED", "DOCUMENT_UNACKNOWLEDGED")]
        finally:
            state.close()
    return out


def _status(answered, partner: str, doc: str, night: str = "night2") -> dict:
    gs06, st02 = SENT[partner][doc]
    row = answered[night]["status"][(partner, doc[:3], st02)]
    assert row["gs06"] == gs06
    return row


def _said(answered, partner: str, po: str) -> dict:
    """`orderbridge status PO --json`'s documents: type (and ISA13) -> what the partner said."""
    from flows.cli import app

    res = CliRunner().invoke(app, ["status", po, "--partner", partner, "-w", str(answered["ws"].root), "--json"])
    assert res.exit_code == 0, res.output
    return {(d["type"], d["st02"]): d["partner_ack"] for d in json.loads(res.stdout)["documents"]}


def test_every_answer_is_taken_in_and_only_the_824s_are_answered(answered):
    """No 997 answers a 997, 999 or TA1 (X12 acknowledges no acknowledgment); each 824 group gets one 997 AK5 A.
    Home Depot's interchange holding its TA1 alone asks for a TA1 (ISA14 1) and its profile honours requests
    (ta1 "requested"): we answered its TA1 with a TA1 of ours, an acknowledgment of an acknowledgment that invites
    the loop X12 avoids (no TA1 for an interchange without transactions). It is not answered now."""
    for name in NIGHTS:
        for partner, files in answered[name]["files"].items():
            assert set(files.values()) == {"processed"}, (name, partner, files)
    assert answered["night4"]["files"]["amazon"] == {"AMZN_997_20261130_2231.x12": "processed"}
    back = {p: [f.name.split("-")[1] for f in files] for p, files in answered["night2"]["sent_back"].items()}
    assert back == {"homedepot": [], "kroger": [], "target": ["997"], "walmart": ["997"]}
    assert not any(answered["night4"]["sent_back"].values()) and answered["night3"]["findings"] == {}
    for partner, group, version in (("walmart", "771301", "005010"), ("target", "94420", "")):
        [ack] = answered["night2"]["sent_back"][partner]
        segs = [s.split("*") for s in ack.read_text().replace("\n", "").split("~") if s]
        assert ["AK1", "AG", group, *([version] if version else [])] in segs
        assert ["AK5", "A"] in segs and ["AK9", "A", "1", "1", "1"] in segs
    # nothing but the findings each answer calls for; no file refused, no finding an error but the rejections (a
    # 997/999 rejecting a document of ours is one too, FA_DOCUMENT_REJECTED, as a TA1's and an 824's: ackgaps)
    codes = {p: sorted(c for c, _s, _m in found) for p, found in answered["night2"]["findings"].items()}
    assert codes == {"homedepot": ["FA_DOCUMENT_REJECTED", "FA_INTERCHANGE_REJECTED"],
                     "kroger": ["FA_DOCUMENT_REJECTED"],
                     "target": ["APPLICATION_ADVICE_ERRORS", "APPLICATION_ADVICE_REJECTED", "FA_DOCUMENT_REJECTED"],
                     "walmart": ["APPLICATION_ADVICE_REJECTED", "FA_DOCUMENT_REJECTED"]}
    assert {s for found in answered["night2"]["findings"].values() for c, s, _m in found if "REJECTED" in c} == \
        {"error"}


def test_walmart_s_two_groups_in_one_interchange_each_decide_their_document(answered):
    """One interchange, two FA groups (the first holding the 855's and the 856's 997s): the 855 accepted, the 856
    rejected with the partner's note in words (TD503 at segment 5, the bad SCAC), the 810 accepted with errors
    until the 824 came."""
    assert _status(answered, "walmart", "855")["status"] == "accepted"
    asn = _status(answered, "walmart", "856")
    assert (asn["status"], asn["ack_type"], asn["set_status"], asn["group_status"]) == ("rejected", "997", "R", "R")
    assert asn["reasons"] == ("set rejected (one or more segments in error); TD503 (data element 67) in segment TD5 "
                              "at position 5: invalid code value, value 'WMTR'; group rejected")
    assert (asn["ack_file"], asn["ack_gs06"], asn["ack_st02"]) == ("wmt-997-5010-20261127.x12", "771201", "0002")
    inv = _status(answered, "walmart", "810")
    assert inv["ack_type"] == "824"  # the 997's AK5 E (IT107 VN noted) was outranked by the application's 824


def test_an_824_rejecting_an_invoice_and_accepting_one_of_its_items_leaves_it_rejected(answered):
    """Walmart's 824 rejects our 810 (OTI TR, TED ZZZ A5, the NTE's reason) and, in its next OTI, accepts an item of
    it (OTI IA). The last OTI counted: the 810 read accepted (the 997's AK5 E outranked, no DOCUMENT_REJECTED, the
    status saying "accepted (824 ...)") while ops had an APPLICATION_ADVICE_REJECTED error. Of one 824, the worst
    verdict on a document counts: rejected, with the partner's words, booked and shown as such."""
    inv = _status(answered, "walmart", "810")
    assert (inv["status"], inv["ack_type"], inv["ack_file"]) == ("rejected", "824", "wmt-824-5010-20261128.x12")
    assert inv["reasons"] == ("rejected by the partner's application (824 OTI TR): TED ZZZ A5; NTE INVOICE LINE 002 "
                              "QUANTITY EXCEEDS QUANTITY RECEIVED")
    [told] = [m for c, s, m in answered["night2"]["findings"]["walmart"] if c == "APPLICATION_ADVICE_REJECTED"]
    assert "our 810 INV0000006 for PO WM8300101 (GS06 4 ST02 0004, file walmart-810-000000004.x12)" in told
    booked = {r["document_ref"]: r for r in answered["night2"]["exceptions"] if r["partner"] == "walmart"}
    assert set(booked) == {"INV0000006", "WM-SHP-83"}
    assert booked["INV0000006"]["partner_reasons"] == inv["reasons"]
    assert "WMTR" in booked["WM-SHP-83"]["partner_reasons"]
    said = _said(answered, "walmart", "WM8300101")
    assert said[("810", "0004")].startswith("rejected by the partner's application (824 ")
    assert said[("856", "0003")].startswith("rejected (997 ") and said[("855", "0002")].startswith("accepted (997 ")


def test_target_s_groups_of_several_sets_are_decided_set_by_set(answered):
    """AK9 P: the 855 listed A is accepted, the one listed R rejected (DTM01 068 refused); AK9 E listing only the
    856 it noted: that one accepted with errors, the other accepted as it was; no 997 for the 810s, whose 824 says
    TC (price adjusted: accepted with errors) for one and TR (no receipt at DC 0553) for the other."""
    got = {doc: (_status(answered, "target", doc)["status"], _status(answered, "target", doc)["ack_type"])
           for doc in SENT["target"]}
    assert got == {"855": ("accepted", "997"), "855b": ("rejected", "997"), "856": ("accepted", "997"),
                   "856b": ("accepted_with_errors", "997"), "810": ("accepted_with_errors", "824"),
                   "810b": ("rejected", "824")}
    assert "DTM01 (data element 374) in segment DTM at position 4: invalid code value, value '068'" in \
        _status(answered, "target", "855b")["reasons"]
    assert _status(answered, "target", "856")["reasons"] == \
        "not listed; by the group's AK9: group accepted, but errors were noted"
    assert "TED 024 DC 0553 RECEIVED NO MERCHANDISE FOR THIS PO (segment BIG element 324 value 'TG8300202'); NTE " \
           "RESUBMIT AFTER THE DC RECEIPT POSTS" in _status(answered, "target", "810b")["reasons"]
    booked = sorted(r["document_ref"] for r in answered["night2"]["exceptions"] if r["partner"] == "target")
    assert booked == ["INV0000005", "TG8300202"]  # the rejected 810 and 855
    said = _said(answered, "target", "TG8300202")
    assert said[("810", "0007")].startswith("rejected by the partner's application (824 ")
    assert said[("855", "0003")].startswith("rejected (997 ")


def test_home_depot_s_ta1_rejects_the_asn_whatever_its_later_997_says(answered):
    """The gateway's TA1 R (note 006) for the 856's interchange: the 856 reads rejected with the note in words and
    the finding names our document; its 810 rejected by AK5 R (REF02 too short); three days on a 997 claims the
    856 accepted: FA_ACK_CONFLICT, the TA1 still counts (an interchange rejected was not processed)."""
    asn = _status(answered, "homedepot", "856", "night4")
    assert (asn["status"], asn["ack_type"]) == ("rejected", "TA1")
    assert asn["reasons"] == ("interchange 000000003 rejected (invalid interchange sender ID): none of its documents "
                              "was processed")
    [(code, _s, told), (code_810, _s, told_810)] = sorted(answered["night2"]["findings"]["homedepot"], reverse=True)
    assert code == "FA_INTERCHANGE_REJECTED" and "note 006: invalid interchange sender ID" in told
    assert code_810 == "FA_DOCUMENT_REJECTED" and told_810.startswith("homedepot's 997 rejected our 810 INV0000002")
    assert "our 856 HD-SHP-83 for PO HD8300401 (GS06 3 ST02 0003, file homedepot-856-000000003.x12)" in told
    inv = _status(answered, "homedepot", "810", "night4")
    assert inv["status"] == "rejected" and "REF02 (data element 127) in segment REF at position 5: data element too" \
        " short, value '021'" in inv["reasons"]
    [(code, _s, told)] = answered["night4"]["findings"]["homedepot"]
    assert code == "FA_ACK_CONFLICT" and "the TA1 rejecting interchange 000000003 counts" in told
    said = _said(answered, "homedepot", "HD8300401")
    assert said[("856", "0003")].startswith("rejected (TA1 ") and said[("810", "0004")].startswith("rejected (997 ")


def test_kroger_s_999_and_its_older_translator_s_003040_997(answered):
    asn, inv = _status(answered, "kroger", "856"), _status(answered, "kroger", "810")
    assert (asn["status"], asn["ack_type"], inv["status"], inv["ack_type"]) == \
        ("rejected", "999", "accepted_with_errors", "999")
    assert "REF01 (data element 128) in segment REF at position 6 (loop HL): implementation pattern match failure, " \
           "value 'CN'" in asn["reasons"]
    assert asn["reasons"].startswith("set rejected (implementation: one or more segments in error)")
    assert "ITD02 (data element 336) in segment ITD at position 7: invalid code value, value '3'" in inv["reasons"]
    ack = _status(answered, "kroger", "855")
    assert (ack["status"], ack["ack_type"], ack["ack_file"]) == ("accepted", "997", "kroger-997-3040-20261127.x12")


def test_amazon_s_late_twice_sent_997_and_the_number_it_borrowed_from_target(answered):
    """Three days late: accepted, and late (minutes counted from our sending to the partner's GS04/GS05); the same
    file dropped again is a duplicate, read once; its AK2 for set 0005 of group SH 3 names Target's ASN, not one of
    Amazon's: FA_UNMATCHED, and Target's verdict on it stands; the 810 no 997 answered is overdue, booked
    unacknowledged."""
    ack, asn = _status(answered, "amazon", "855", "night4"), _status(answered, "amazon", "856", "night4")
    # late by the time Amazon's translator wrote it (GS04/GS05 2026-11-30 22:31; ackgaps: not our pick-up, 4 days on)
    assert (ack["status"], ack["ack_late"], ack["minutes_to_ack"]) == ("accepted", True, 3 * 24 * 60 + 20 * 60 + 31)
    assert (asn["status"], asn["ack_late"]) == ("accepted", True)
    found = answered["night4"]["findings"]["amazon"]
    assert sorted(c for c, _s, _m in found) == ["FA_UNMATCHED", "FILE_DUPLICATE"]
    [told] = [m for c, _s, m in found if c == "FA_UNMATCHED"]
    assert "set 856 ST02 0005 in group SH GS06 3, which we never sent to amazon" in told
    assert _status(answered, "target", "856b", "night4")["status"] == "accepted_with_errors"
    assert _status(answered, "amazon", "810", "night4")["status"] == "overdue"
    # night 3 booked the three unanswered; night 4's answers clear the 855's and the 856's
    unanswered = {night: sorted(r["document_ref"] for r in answered[night]["exceptions"]
                                if r["partner"] == "amazon" and r["type"] == "DOCUMENT_UNACKNOWLEDGED")
                  for night in ("night3", "night4")}
    assert unanswered == {"night3": ["AZ-SHP-83", "AZ8300301", "INV0000001"], "night4": ["INV0000001"]}
    # an 810 answered by its 824 alone is no unanswered document (Target sends no 997 for its invoices)
    assert not [r for r in answered["night3"]["exceptions"] if r["partner"] == "target"
                and r["type"] == "DOCUMENT_UNACKNOWLEDGED"]


def test_the_console_s_order_page_shows_each_document_as_the_partner_answered_it(answered):
    from urllib.parse import urlencode

    from tests.support_console import Client, ConsoleServer, add_users

    add_users(answered["ws"].root)
    with ConsoleServer(answered["ws"].root, wall_clock=lambda: "2026-12-01T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        pages = {po: c.get("/order?" + urlencode({"partner": partner, "po": po}))[1]
                 for partner, po in (("homedepot", "HD8300401"), ("walmart", "WM8300101"))}
    rows = {po: {r.split("</td>")[0].split(">")[-1]: r for r in page.split('id="documents"')[1].split("</table>")[0]
                 .split('<tr class="doc-')[1:]} for po, page in pages.items()}
    assert "rejected (TA1 2026-11-28T02:00:00)" in rows["HD8300401"]["856"]
    assert "rejected (997 2026-11-28T02:00:00)" in rows["HD8300401"]["810"]
    assert "rejected by the partner&#39;s application (824 2026-11-28T02:00:00)" in rows["WM8300101"]["810"]
    assert "accepted (997 2026-11-28T02:00:00)" in rows["WM8300101"]["855"]


# --- the same shapes, one at a time, through the engine (engine.process.process_file, engine.partner_acks) -------

_FUNCTIONAL = {"855": "PR", "856": "SH", "810": "IN"}
_REFS = {("target", "810"): "INV0000004", ("target", "810b"): "INV0000005", ("target", "856"): "TG-SHP-831",
         ("target", "856b"): "TG-SHP-832", ("homedepot", "856"): "HD-SHP-83", ("homedepot", "810"): "INV0000002"}


def _sent(partner: str) -> pa.Table:
    """SENT_SETS of ``partner``'s documents of the night (one interchange per group, ISA13 = GS06)."""
    from schemas.functional_acks import SENT_SETS

    return pa.Table.from_pylist([
        {"partner": partner, "doc_type": doc[:3], "functional_id": _FUNCTIONAL[doc[:3]], "isa13": f"{int(gs06):09d}",
         "gs06": gs06, "st02": st02, "sent_at": NIGHT if doc.startswith("855") else SHIP_DAY,
         "file": f"{partner}-{doc[:3]}-{int(gs06):09d}.x12", "po_number": None,
         "document_ref": _REFS.get((partner, doc))} for doc, (gs06, st02) in SENT[partner].items()], schema=SENT_SETS)


def _take(partner: str, text: str, *, name: str = "answer.x12", received_at: datetime = NIGHTS["night2"]):
    from engine.process import Known, process_file
    from schemas.profile import load_profiles

    profile = load_profiles(FIXTURES / "partners")[partner]
    data = "\n".join(s.strip() for s in text.strip().splitlines()).encode() + b"\n"
    return process_file(data, file=name, sha256=name, profile=profile, known=Known(), today=date(2026, 11, 28),
                        received_at=received_at)


def _verdicts(partner: str, acks: pa.Table) -> tuple[dict, list]:
    from engine.partner_acks import match_acks
    from schemas.finance import FinanceSettings

    docs, found = match_acks(_sent(partner), acks, settings={partner: FinanceSettings()}, as_of=NIGHTS["night2"])
    return {(r["doc_type"], r["st02"]): r for r in docs.to_pylist()}, found


HD_TA1 = """ISA*00*          *00*          *ZZ*HOMEDEPOT      *ZZ*ORDERBRIDGE    *261127*1500*U*00401*000093301*0*P*>~
TA1*000000003*261127*1430*{status}*{note}~
IEA*0*000093301~"""


@pytest.mark.parametrize("note", [f"{n:03d}" for n in range(32)])
def test_every_ta1_note_code_is_told_in_words_and_a_rejection_decides_the_asn(note):
    """TA105 000-031 (X12's interchange note codes): a TA1 R rejects the interchange's 856 with the note in words,
    and the finding says which note; a TA1 E (accepted, errors noted) tells the note and leaves the 856 to its 997."""
    from schemas.ack_reasons import reason

    words = reason("interchange", note)
    assert not words.startswith("code ")  # every one of them is in X12's list
    rejected = _take("homedepot", HD_TA1.format(status="R", note=note))
    assert [(f.code, f"note {note}: {words}" in f.message) for f in rejected.findings] == \
        [("FA_INTERCHANGE_REJECTED", True)]
    status, found = _verdicts("homedepot", rejected.functional_acks)
    assert (status[("856", "0003")]["status"], status[("856", "0003")]["reasons"]) == \
        ("rejected", f"interchange 000000003 rejected ({words}): none of its documents was processed")
    assert status[("810", "0004")]["status"] == "pending" and found == []
    noted = _take("homedepot", HD_TA1.format(status="E", note=note))
    assert [(f.code, f"note {note}: {words}" in f.message) for f in noted.findings] == [("FA_INTERCHANGE_NOTED", True)]
    assert _verdicts("homedepot", noted.functional_acks)[0][("856", "0003")]["status"] == "pending"


TG_824 = """ISA*00*          *00*          *ZZ*TARGETDC       *ZZ*ORDERBRIDGE    *261128*0030*U*00401*0000{n}*0*P*>~
GS*AG*TARGETDC*ORDERBRIDGE*20261128*0030*{n}*X*004010~
ST*824*0001~
BGN*00*TGT-AA-20261128-02*20261128~
{otis}
SE*{count}*0001~
GE*1*{n}~
IEA*1*0000{n}~"""


def _824(*otis: str, n: int = 94421) -> str:
    return TG_824.format(otis="\n".join(otis), count=3 + len(otis), n=n)


# X12 element 110 (OTI01), by its last letter: A accept; C accept with data content change, E accept with error,
# P partial accept/reject (the document carries what must be mended); R reject
OTI_CODES = {f"{level}{verdict}": status for level in "BGIT" for verdict, status in (
    ("A", "accepted"), ("C", "accepted_with_errors"), ("E", "accepted_with_errors"), ("P", "accepted_with_errors"),
    ("R", "rejected"))}


@pytest.mark.parametrize("code", sorted(OTI_CODES))
def test_every_oti01_code_decides_the_invoice_it_names(code):
    from engine.application_advice import advice_acks

    out = _take("target", _824(f"OTI*{code}*IV*INV0000005***20261127*1430*4*0007*810~",
                               "TED*024*RECEIPT NOT FOUND~"))
    assert [f.code for f in out.findings] == []
    acks, found = advice_acks(out.advice, _sent("target"))
    status, _ = _verdicts("target", acks)
    assert status[("810", "0007")]["status"] == OTI_CODES[code]
    assert status[("810", "0006")]["status"] == "pending"
    assert [f.code for f in found] == {"accepted": [], "accepted_with_errors": ["APPLICATION_ADVICE_ERRORS"],
                                       "rejected": ["APPLICATION_ADVICE_REJECTED"]}[OTI_CODES[code]]


@pytest.mark.parametrize("order", ["reject-first", "reject-last"])
def test_of_one_824_the_worst_verdict_on_a_document_counts_whatever_the_oti_order(order):
    """Two OTIs on one ASN in one 824 (TR: a carton without its SSCC; TE: a SCAC not in the routing guide): the
    last one counted, so with the TE after the TR the ASN read accepted with errors and booked nothing. It reads
    rejected in either order, the partner's other complaint after its reason."""
    from engine.application_advice import advice_acks

    tr = ("OTI*TR*SI*TG-SHP-831***20261127*1430*3*0004*856~", "TED*024*MISSING CARTON SSCC*MAN*8~")
    te = ("OTI*TE*SI*TG-SHP-831***20261127*1430*3*0004*856~", "TED*ZZZ*CARRIER SCAC NOT IN ROUTING GUIDE*TD5*5~")
    out = _take("target", _824(*(tr + te if order == "reject-first" else te + tr)))
    acks, _ = advice_acks(out.advice, _sent("target"))
    row = _verdicts("target", acks)[0][("856", "0004")]
    assert row["status"] == "rejected"
    assert row["reasons"] == ("rejected by the partner's application (824 OTI TR): TED 024 MISSING CARTON SSCC "
                              "(segment MAN). Also: accepted with errors by the partner's application (824 OTI TE): "
                              "TED ZZZ CARRIER SCAC NOT IN ROUTING GUIDE (segment TD5)")
    later = _take("target", _824(*te, n=94422),
                  name="later.x12", received_at=NIGHTS["night4"])
    acks2, _ = advice_acks(later.advice, _sent("target"))
    # a later 824 saying only TE is the partner's latest word: accepted with errors
    assert _verdicts("target", pa.concat_tables([acks, acks2]))[0][("856", "0004")]["status"] == "accepted_with_errors"


def test_a_group_level_oti_answers_in_the_824_s_words_not_an_ak9_s():
    """OTI GR naming our 810 group by OTI08 alone: both invoices rejected, their reasons read "not listed; by the
    group's AK9: group rejected" (there is no AK9 in an 824) and the partner's TED text was lost from their status,
    the exception and `orderbridge status`. They carry the 824's words now."""
    from engine.application_advice import advice_acks

    out = _take("target", _824("OTI*GR*IV*INV0000004***20261127*1430*4**810~",
                               "TED*024*INVOICES RECEIVED BEFORE THE VENDOR SETUP COMPLETED~"))
    acks, found = advice_acks(out.advice, _sent("target"))
    assert [f.code for f in found] == ["APPLICATION_ADVICE_REJECTED"]
    status, _ = _verdicts("target", acks)
    for st02 in ("0006", "0007"):
        row = status[("810", st02)]
        assert (row["status"], row["reasons"]) == ("rejected", "rejected by the partner's application (824 OTI GR): "
                                                   "TED 024 INVOICES RECEIVED BEFORE THE VENDOR SETUP COMPLETED")


TG_997 = """ISA*00*          *00*          *ZZ*TARGETDC       *ZZ*ORDERBRIDGE    *261127*{time}*U*00401*{isa}*0*P*>~
GS*FA*TARGETDC*ORDERBRIDGE*20261127*{time}*{gs}*X*004010~
ST*997*0001~
AK1*SH*3~
AK2*856*0004~
{ak5}
AK9*{ak9}*2*2*{n}~
SE*6*0001~
GE*1*{gs}~
IEA*1*{isa}~"""


@pytest.mark.parametrize("arrival", ["rejection-first", "acceptance-first"])
def test_two_answers_picked_up_the_same_night_the_one_written_last_counts(arrival):
    """Target's translator rejects an ASN at 10:00 and accepts it at 11:00 (its operator fixed its routing table);
    both files are picked up in one night. Which counted depended on the rows' order: the intake's finding (file
    order) said "the latest, rejected, counts" while the reconciliation (the store's rows ordered by the files'
    sha256) read the ASN accepted. The one the partner wrote last counts now (GS04/GS05), whatever the order;
    the finding says the same verdict and is told at the file that brought the disagreement."""
    from engine.partner_acks import file_findings
    from schemas.finance import FinanceSettings

    rejects = _take("target", TG_997.format(time="1000", isa="000094501", gs="94501", ak5="AK5*R*5~", ak9="P", n=1),
                    name="r.x12").functional_acks
    accepts = _take("target", TG_997.format(time="1100", isa="000094502", gs="94502", ak5="AK5*A~", ak9="A", n=2),
                    name="a.x12").functional_acks
    first, second = (rejects, accepts) if arrival == "rejection-first" else (accepts, rejects)
    for rows in (pa.concat_tables([first, second]), pa.concat_tables([second, first])):
        status, _ = _verdicts("target", rows)
        assert status[("856", "0004")]["status"] == "accepted"
        assert status[("856", "0004")]["ack_file"] == "a.x12"
    told = file_findings(_sent("target"), first, second, settings={"target": FinanceSettings()},
                         as_of=NIGHTS["night2"])
    assert [(f.code, f.location.file) for f in told] == [("FA_ACK_CONFLICT", "a.x12" if second is accepts else "r.x12")]
    assert told[0].message.endswith("disagree (accepted, rejected); the latest, accepted, counts.")


def test_a_ta1_refusing_an_interchange_of_several_documents_or_of_our_997_names_each(answered, tmp_path):
    """Target's 856s travel in one interchange (batch "run"): a TA1 R for it names both ASNs; one for the
    interchange of our 997 (its 850 group's) names that 997: the partner never took our acknowledgment."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps
    from flows.workspace import open_workspace

    shutil.copytree(answered["ws"].root, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    tg = "ISA*00*          *00*          *ZZ*TARGETDC       *ZZ*ORDERBRIDGE    *261201*0500*U*00401*{isa}*0*P*>~"
    text = "\n".join([tg.format(isa="000094601"), "TA1*000000003*261127*1430*R*022~", "TA1*1*261127*0200*R*024~",
                      "IEA*0*000094601~"]) + "\n"
    (ws.drop_root / "target" / "inbox" / "tgt-ta1-20261201.x12").write_text(text)
    state = StateStore(ws.state_path)
    try:
        res = steps.intake_partner(ws, ws.partners()["target"], state, LocalDrop(ws.drop_root / "target"),
                                   now=datetime(2026, 12, 2, 2), run_id="night5")
    finally:
        state.close()
    told = [f["message"] for f in res.findings if f["code"] == "FA_INTERCHANGE_REJECTED"]
    # both ASNs had 997s (AK9 E): the TA1 counts over them, told as conflicts
    assert sorted(f["code"] for f in res.findings) == ["FA_ACK_CONFLICT"] * 2 + ["FA_INTERCHANGE_REJECTED"] * 2
    assert told[0].endswith("It held our 856 TG-SHP-831 for PO TG8300201 (GS06 3 ST02 0004, file "
                            "target-856-000000003.x12), our 856 TG-SHP-832 for PO TG8300202 (GS06 3 ST02 0005, file "
                            "target-856-000000003.x12).")
    assert told[1].endswith("It held our 997 (GS06 1 ST02 0001, file target-997-000000001.x12).")


@pytest.mark.parametrize(("ak9", "status", "reasons"), [
    ("R*1*1*0*5", "rejected", "group rejected (number of included transaction sets does not match actual count)"),
    ("A*1*1*1", "accepted", "group accepted"),
    ("E*1*1*1", "accepted_with_errors", "group accepted, but errors were noted"),
    ("P*1*1*0", "pending", "not decided: the partner's 997 (answer.x12) answered its group AK9 P (partially accepted; "
                           "sets included/received/accepted 1/1/0) without saying whether this set was rejected")])
def test_a_set_listed_without_its_ak5_takes_its_group_s_verdict(ak9, status, reasons):
    """Walmart's translator rejecting our 856 group for a group-level error (AK9 R, AK905 5: the GE count) lists
    the ASN's AK2 but no AK5. The file breaks X12 (AK5 is mandatory in the AK2 loop: told, quarantined), but the
    partner's verdict is a fact and was dropped: the ASN stayed unanswered, then overdue ("no 997 for our 856").
    The AK9 decides such a set: R rejects it, A accepts it, E accepts it with errors noted; under P (some set was
    rejected, the 997 does not say which) it stays unanswered, its reasons saying which 997 left it undecided."""
    isa = "ISA*00*          *00*          *08*925485US00     *ZZ*ORDERBRIDGE    *261127*1512*^*00501*000771209*0*P*>~"
    text = f"""{isa}
GS*FA*925485US00*ORDERBRIDGE*20261127*1512*771209*X*005010~
ST*997*0001~
AK1*SH*3*005010~
AK2*856*0003~
AK9*{ak9}~
SE*5*0001~
GE*1*771209~
IEA*1*000771209~"""
    out = _take("walmart", text)
    assert [f.code for f in out.findings] == ["SEGMENT_MANDATORY_MISSING", "FA_SET_RESPONSE_MISSING"]
    row = _verdicts("walmart", out.functional_acks)[0][("856", "0003")]
    assert (row["status"], row["reasons"]) == (status, reasons)


def test_an_824_our_checks_refuse_still_tells_and_records_its_rejection(answered, tmp_path):
    """Target's 824 rejecting our ASN TG-SHP-831 with a TED02 of 96 characters (X12 allows 60): we answer it with a
    997 AK5 R, as X12 asks, but its verdict was dropped with it: the ASN went on reading accepted (its 997) and
    nothing named it. The partner's application said "rejected": told (APPLICATION_ADVICE_REJECTED) and recorded
    beside our 997 refusing the 824, as a 997 is read whatever our checks say."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps
    from flows.reconcile import reconcile_run
    from flows.workspace import open_workspace

    shutil.copytree(answered["ws"].root, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    drop = ws.drop_root / "target"
    before = set((drop / "outbox").iterdir())
    text = _824("OTI*TR*SI*TG-SHP-831***20261127*1430*3*0004*856~",
                "TED*024*THE CARTON LABEL SSCC 00006141410000000012 DOES NOT MATCH ANY CARTON ON THE ASN RECEIVED AT "
                "DC 3806~", n=94431)
    (drop / "inbox" / "tgt-824-20261202.x12").write_text("\n".join(s.strip() for s in text.splitlines()) + "\n")
    now = datetime(2026, 12, 2, 2)
    state = StateStore(ws.state_path)
    try:
        res = steps.intake_partner(ws, ws.partners()["target"], state, LocalDrop(drop), now=now, run_id="night5")
        steps.deliver_partner(ws.partners()["target"], state, LocalDrop(drop), now=now)
        reconcile_run(ws, ws.partners(), state, now=now, run_id="night5")
        files = {f["name"]: f["status"] for f in state.files("target")}
        row = {(r["doc_type"], r["st02"]): r for r in state.document_status("target")}[("856", "0004")]
    finally:
        state.close()
    assert files["tgt-824-20261202.x12"] == "quarantined"
    [back] = sorted(set((drop / "outbox").iterdir()) - before)
    assert "AK1*AG*94431" in back.read_text() and "AK5*R*5" in back.read_text()
    assert sorted(f["code"] for f in res.findings) == ["APPLICATION_ADVICE_REJECTED", "ELEMENT_TOO_LONG"]
    [told] = [f["message"] for f in res.findings if f["code"] == "APPLICATION_ADVICE_REJECTED"]
    assert "rejected our 856 TG-SHP-831 for PO TG8300201 (GS06 3 ST02 0004" in told and "DOES NOT MATCH" in told
    assert (row["status"], row["ack_type"]) == ("rejected", "824")
