"""Gaps in how partners' answers to our documents (997/999/TA1/824) are taken and shown that the ackgaps round
(tests/test_ackgaps.py) and the rg83 sweep (tests/test_rg83_partner_acks.py) left; rg83's fixtures (five buyers'
profiles and answers, tests/fixtures/rg83/) are used as the partners wrote them, with the variants of
tests/fixtures/ackgaps2/.

1. What timed an answer's lateness (ack_timed_by: the partner's own clock, "written", or our pick-up) was in the
   run's data/document_status only: it is stored in document_acks (schema version ACK_TIMED_BY) and `orderbridge
   status` says it beside the answer's time.
2. A group answered AK9 P (partially accepted) without naming every set it rejected read every set it did not list
   accepted, the rejected one too: they stay undecided now (pending, then overdue, saying why), with
   FA_GROUP_PARTIAL_UNNAMED; an AK5 code X12 does not have (P) is never a plain acceptance.
3. An 824's OTI01 is exactly X12's element 110: TH/GH (on hold) and codes it does not have were silent (a lone "A"
   read accepted); they are told (APPLICATION_ADVICE_HELD, APPLICATION_ADVICE_CODE_UNKNOWN) and decide nothing; the
   RED texts of a TED loop reach ops.
4. A resent interchange of acknowledgments in a file read in pieces is told as in a file read whole
   (ISA_ACKS_REPEATED); one interchange read in batches is not compared (ISA_DUPLICATE, as documented).
"""

from __future__ import annotations

import json
from datetime import datetime

import pyarrow as pa
import pytest

from tests.support import REPO
from tests.test_finance_flow import cli, nights  # noqa: F401 - the demo's three nights (a module fixture)

RG83 = REPO / "tests" / "fixtures" / "rg83"
HERE = REPO / "tests" / "fixtures" / "ackgaps2"
NIGHT2 = datetime(2026, 11, 28, 2)
TGT_997 = RG83 / "acks" / "night2" / "target" / "tgt-997-20261127-1.x12"


def _sent(partner: str) -> pa.Table:
    from tests.test_rg83_partner_acks import _sent as sent_sets

    return sent_sets(partner)


def _target_status(picked_up: datetime) -> pa.Table:
    """DOCUMENT_STATUS of Target's night: its 997 written at 16:05 on the 27th (GS04/GS05), picked up ``picked_up``."""
    from engine.partner_acks import match_acks
    from schemas.finance import FinanceSettings
    from tests.test_ackgaps import _take

    acks = _take("target", TGT_997, received_at=picked_up).functional_acks
    docs, _ = match_acks(_sent("target"), acks, settings={"target": FinanceSettings()}, as_of=picked_up)
    return docs


# --- 1. ack_timed_by stored and shown ---------------------------------------------------------------------------------
def test_what_timed_an_answer_is_stored_with_its_verdict(store_target):
    """The reconciliation's verdicts (document_acks) kept minutes_to_ack and ack_late but not what timed them, so a
    later `status` or report could not say whether "95 minutes" was the partner's clock or our pick-up. It is stored
    now, and read back with the verdict."""
    from connectors.state import StateStore

    picked_up = datetime(2026, 11, 28, 9)
    docs = _target_status(picked_up)
    state = StateStore(store_target())
    try:
        state.record_document_status(docs, as_of=picked_up, run_id="n2")
        stored = {(r["doc_type"], r["st02"]): r for r in state.document_status("target")}
    finally:
        state.close()
    assert (stored[("856", "0005")]["minutes_to_ack"], stored[("856", "0005")]["ack_timed_by"]) == (95, "written")
    assert (stored[("855", "0002")]["ack_late"], stored[("855", "0002")]["ack_timed_by"]) == (0, "written")
    assert stored[("810", "0006")]["ack_timed_by"] is None  # not answered: nothing timed
    # a verdict whose timing changed (the partner's time not believable this time) is written again
    docs2 = pa.Table.from_pylist([{**r, "ack_timed_by": "picked_up"} if r["st02"] == "0005" else r
                                  for r in docs.to_pylist()], schema=docs.schema)
    state = StateStore(store_target())
    try:
        state.record_document_status(docs2, as_of=picked_up, run_id="n3")
        assert state.document_status_for("target", [("000000003", "3", "0005")])[
            ("000000003", "3", "0005")]["ack_timed_by"] == "picked_up"
    finally:
        state.close()


def test_a_store_before_ack_timed_by_gets_the_column_and_keeps_its_verdicts(store_target):
    """On both back ends: a version 25 store (document_acks without ack_timed_by) migrates; a verdict stored before
    reads None (not known), the next reconciliation writes it."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import ACK_TIMED_BY, LATEST, ORDER_PARTIES

    picked_up = datetime(2026, 11, 28, 9)
    docs = _target_status(picked_up)
    target = store_target()
    store = StateStore(target)
    store.record_document_status(docs, as_of=picked_up, run_id="n2")
    with store.transaction():  # what a version 25 store looks like, with the verdicts it took
        for table, column, _ in COLUMNS_ADDED_IN[ACK_TIMED_BY]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(ORDER_PARTIES),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == ACK_TIMED_BY + 14 == ORDER_PARTIES + 15
        assert "ack_timed_by" in store._columns("document_acks")
        before = {r["st02"]: r for r in store.document_status("target")}
        assert (before["0005"]["status"], before["0005"]["minutes_to_ack"], before["0005"]["ack_timed_by"]) == \
            ("accepted_with_errors", 95, None)
        store.record_document_status(docs, as_of=picked_up, run_id="n3")
        assert {r["st02"]: r["ack_timed_by"] for r in store.document_status("target")}["0005"] == "written"
    finally:
        store.close()


def test_status_says_by_which_clock_the_answer_was_timed(nights):  # noqa: F811
    """`orderbridge status` showed when we picked the partner's 997 up (acked_at) and nothing of its lateness: the
    order's partner_acks now carry minutes_to_ack, ack_late and ack_timed_by, and an "answered" text saying them."""
    doc = json.loads(cli("status", "INITECH-3000", "--json", "-w", str(nights.root)))
    verdicts = {v["type"]: v for v in doc["partner_acks"]}
    v = verdicts["855"]
    assert (v["status"], v["ack_timed_by"], v["ack_late"]) == ("rejected", "written", False)
    assert v["answered"] == (f"2026-11-28T02:00:00 (picked up); answered {v['minutes_to_ack']} min after we sent it, "
                             "by the partner's own time, on time")
    assert verdicts["865"]["ack_timed_by"] is None and verdicts["865"]["answered"] == ""  # pending
    text = cli("status", "INITECH-3000", "-w", str(nights.root))
    assert "partner's own time, on time" in text  # the console table's "answered" column (folded in its width)


# --- 2. AK9 P (partially accepted), AK5/IK5 E, an AK5 code X12 does not have ------------------------------------------
def _taken(name: str, partner: str = "target"):
    from tests.test_ackgaps import _take

    return _take(partner, HERE / name if "/" not in name else REPO / name)


def _verdicts_of(acks: pa.Table, as_of: datetime = NIGHT2) -> dict:
    from engine.partner_acks import match_acks
    from schemas.finance import FinanceSettings

    docs, _ = match_acks(_sent("target"), acks, settings={"target": FinanceSettings()}, as_of=as_of)
    return {(r["doc_type"], r["st02"]): r for r in docs.to_pylist()}


UNDECIDED = ("not decided: the partner's {kind} ({file}) answered its group AK9 P (partially accepted; sets "
             "included/received/accepted 2/2/1) without saying whether this set was rejected")


@pytest.mark.parametrize(("name", "kind", "listed"), [
    ("tgt-997-p-unnamed.x12", "997", None),  # AK9 P over no AK2 at all
    ("tgt-999-p-accepted-only.x12", "999", "0002"),  # a 999 listing only the set it accepted (IK5 A)
], ids=["997-no-AK2", "999-accepted-only"])
def test_a_partially_accepted_group_naming_no_rejected_set_decides_no_set_it_does_not_list(name, kind, listed):
    """Target's translator answers our two 855s' group AK9 P (2 included, 2 received, 1 accepted) without naming the
    rejected one (no AK2 with AK5 R). Every set it did not list read accepted ("under P the sets not listed are the
    accepted ones"): the rejected 855 too, so ops never heard of it. They are decided by nothing now: pending (then
    overdue), their reasons saying which answer left them undecided, and FA_GROUP_PARTIAL_UNNAMED at intake; the set
    it names is decided as it says."""
    out = _taken(name)
    assert [(f.code, f.severity, f.location.segment_id) for f in out.findings] == \
        [("FA_GROUP_PARTIAL_UNNAMED", "warning", "AK9")]
    assert out.findings[0].message.startswith(f"AK9 P (group PR GS06 2 partially accepted): 1 rejected set(s) this "
                                              f"{kind} does not name (AK902-AK904 2/2/1, 0 listed rejected)")
    assert out.disposition == "processed"
    status = _verdicts_of(out.functional_acks)
    for st02 in ("0002", "0003"):
        row = status[("855", st02)]
        if st02 == listed:
            assert (row["status"], row["ack_type"]) == ("accepted", kind)
        else:
            assert (row["status"], row["ack_type"], row["reasons"]) == \
                ("pending", None, UNDECIDED.format(kind=kind, file=name))
    overdue = _verdicts_of(out.functional_acks, as_of=datetime(2026, 11, 29, 2))[("855", "0003")]
    assert (overdue["status"], overdue["reasons"]) == ("overdue", UNDECIDED.format(kind=kind, file=name))


def test_an_overdue_set_a_partial_group_left_undecided_says_why_in_its_exception():
    """DOCUMENT_UNACKNOWLEDGED said "no 997 for our 855 ..." for a set whose 997 came and said nothing of it: it says
    which answer left it undecided now."""
    from engine.partner_acks import match_acks
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings
    from tests.support_finance import Book

    out = _taken("tgt-997-p-unnamed.x12")
    as_of = datetime(2026, 11, 29, 2)
    docs, _ = match_acks(_sent("target").slice(0, 1), out.functional_acks, settings={"target": FinanceSettings()},
                         as_of=as_of)
    t = Book().tables()
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, as_of=as_of,
                       settings={"target": FinanceSettings()})
    [row] = result.exceptions.to_pylist()
    assert row["type"] == "DOCUMENT_UNACKNOWLEDGED"
    # ackinv3 worded it as what happened (the 997 came and left the set undecided), not "no 997 for our 855 ... (...)"
    assert row["message"].startswith("our 855 855 ST02 0002 sent 2026-11-27 02:00, due by 2026-11-28 02:00, is "
                                     + UNDECIDED.format(kind="997", file="tgt-997-p-unnamed.x12") + " (ISA13 ")


def test_a_partially_accepted_group_naming_its_rejected_set_still_accepts_the_others():
    """rg83's Target 997: AK9 P (2/2/1) listing the 855 it accepted (AK5 A) and the one it rejected (AK5 R); its 856
    group AK9 E over an AK5 E. As before: accepted, rejected, accepted with errors (the notes in the reasons), and
    no FA_GROUP_PARTIAL_UNNAMED."""
    out = _taken("tests/fixtures/rg83/acks/night2/target/tgt-997-20261127-1.x12")
    assert out.findings == []
    status = _verdicts_of(out.functional_acks)
    assert [status[k]["status"] for k in (("855", "0002"), ("855", "0003"), ("856", "0005"))] == \
        ["accepted", "rejected", "accepted_with_errors"]
    assert status[("856", "0005")]["reasons"] == ("set accepted, but errors were noted; TD503 (data element 67) in "
                                                  "segment TD5 at position 5: invalid code value, value 'SCNN'; group "
                                                  "accepted, but errors were noted")
    assert status[("856", "0004")]["status"] == "accepted"  # not listed under AK9 E: accepted as it was


def test_an_ak5_code_x12_does_not_have_is_never_a_plain_acceptance():
    """AK5 P ("partially accepted", which SPS Commerce's help lists; X12's element 717 has A E M R W X only) under an
    AK9 A: the set read accepted, while FA_STATUS_UNKNOWN said it "counts as not acknowledged". It reads accepted
    with errors now (the partner said something other than a plain acceptance), and the finding says so."""
    out = _taken("tgt-997-ak5-p-under-a.x12")
    assert [f.code for f in out.findings] == ["ELEMENT_INVALID_CODE", "FA_STATUS_UNKNOWN"]  # P is not X12's
    assert "the group's AK9 decides the set (R rejected; A or E accepted with errors, never plainly accepted)" in \
        out.findings[1].message
    status = _verdicts_of(out.functional_acks)
    assert (status[("855", "0003")]["status"], status[("855", "0003")]["reasons"]) == \
        ("accepted_with_errors", "set code P (not in the X12 code list); group accepted")
    assert status[("855", "0002")]["status"] == "accepted"  # not listed under AK9 A


# --- 3. 824 OTI01 codes: exactly X12's element 110, TH/GH held, unknown codes told; RED texts reach ops ---------------
from tests.test_rg83_partner_acks import OTI_CODES  # noqa: E402 - the 20 codes of element 110 and their verdicts


def _advised(*segments: str) -> tuple[dict, list, list]:
    from engine.application_advice import advice_acks
    from tests.test_rg83_partner_acks import _824, _take, _verdicts

    out = _take("target", _824(*segments))
    acks, found = advice_acks(out.advice, _sent("target"))
    return _verdicts("target", acks)[0], found, out.findings


INVOICE_OTI = "OTI*{code}*IV*INV0000005***20261127*1430*4*0007*810~"


def test_element_110_is_the_whole_list_of_codes_read():
    """What decides an OTI is exactly X12's element 110 (003010-008050: B, G, I, T with A C E P R; rg83 checked each
    decides the invoice) and TH/GH (005010+, held)."""
    from engine.application_advice import _VERDICT, HELD

    assert set(_VERDICT) == set(OTI_CODES) and len(_VERDICT) == 20
    assert {c: {"A": "accepted", "E": "accepted_with_errors", "R": "rejected"}[v] for c, v in _VERDICT.items()} == \
        OTI_CODES
    assert HELD == {"TH", "GH"}


@pytest.mark.parametrize("code", ["TH", "GH"])
def test_a_set_or_group_on_hold_is_told_and_decides_nothing(code):
    """005010 added TH (transaction set on hold) and GH (functional group on hold): the 824 was read and nothing
    said (its last letter H is no verdict): the invoice stayed pending, ops heard nothing of the hold and its reason.
    APPLICATION_ADVICE_HELD (warning) names the invoice and the partner's texts; the status is left as it was."""
    status, found, own = _advised(INVOICE_OTI.format(code=code), "TED*024*AWAITING RECEIPT*BIG*2~",
                                  "NTE*ERN*RELEASED WHEN THE DC RECEIVES PO TG8300202~")
    assert own == []
    assert [(f.code, f.severity, f.location.element, f.location.value) for f in found] == \
        [("APPLICATION_ADVICE_HELD", "warning", "OTI01", code)]
    assert found[0].message == (
        f"target's application holds our 810 INV0000005 (GS06 4 ST02 0007, file target-810-000000004.x12) (824 OTI "
        f"{code}: on hold): TED 024 AWAITING RECEIPT (segment BIG); NTE RELEASED WHEN THE DC RECEIVES PO TG8300202. "
        "Not decided yet: its status stays as it was until the partner says.")
    assert status[("810", "0007")]["status"] == "pending"


@pytest.mark.parametrize("code", ["A", "R", "ta", "tr", "TX", "IH", "ZZ"])
def test_an_oti01_code_x12_does_not_have_is_told_never_a_silent_acceptance(code):
    """OTI01 was read by its last letter: a lone "A" (or a translator's "ZA") read accepted without a word, a lowercase
    "tr" or a translator's own "TX" decided nothing and said nothing. A code element 110 does not have decides
    nothing now, and APPLICATION_ADVICE_CODE_UNKNOWN names it with our document and the partner's texts."""
    status, found, _ = _advised(INVOICE_OTI.format(code=code), "TED*024*RECEIPT NOT FOUND~")
    assert [(f.code, f.severity, f.location.value) for f in found] == \
        [("APPLICATION_ADVICE_CODE_UNKNOWN", "warning", code)]
    assert found[0].message == (
        f"This 824's OTI01 {code!r} about our 810 INV0000005 (GS06 4 ST02 0007, file target-810-000000004.x12) is "
        "not an application acknowledgment code (X12 element 110: TA TC TE TP TR, GA GC GE GP GR, IA IC IE IP IR, BA "
        "BC BE BP BR, TH GH): it decides nothing: TED 024 RECEIPT NOT FOUND.")
    assert status[("810", "0007")]["status"] == "pending"


def test_the_related_data_of_a_ted_reaches_ops():
    """An 824's TED loop may carry RED segments (004010+: the related data, an item's UPC the error is about): they
    were read past, so "ITEM NOT ON FILE" reached ops without the item. RED01 (with RED02's code) follows the TED and
    NTE texts in the finding and the document's reasons."""
    status, found, own = _advised(INVOICE_OTI.format(code="TR"), "TED*024*ITEM NOT ON FILE*IT1*12~",
                                  "NTE*ERN*CALL ACCOUNTS PAYABLE~", "RED*00012345678905*UP~")
    assert own == [] and [f.code for f in found] == ["APPLICATION_ADVICE_REJECTED"]
    said = "TED 024 ITEM NOT ON FILE (segment IT1); NTE CALL ACCOUNTS PAYABLE; RED 00012345678905 (UP)"
    assert said in found[0].message
    assert status[("810", "0007")]["reasons"] == f"rejected by the partner's application (824 OTI TR): {said}"


@pytest.mark.parametrize(("oti", "judged"), [
    ("OTI*TR*TN*TG-SHP-831***20261127*1010***856~", ("856", "0004")),  # Walmart's 005010 example: TN, OTI10 856
    ("OTI*TR*TN*INV0000005***20261127*1010***810~", ("810", "0007")),
])
def test_walmart_s_transaction_reference_number_names_the_document_oti10_says(oti, judged):
    """Walmart's 824 guide example (OTI*TR*TN*135620***20200202*1010***856, TED*ZZZ*A5, an NTE without a qualifier)
    quotes the document's own reference (OTI02 TN: the BSN02 or BIG02) with OTI10: it names that document."""
    status, found, own = _advised(oti, "TED*ZZZ*A5~", "NTE**FREE DESCRIPTION~")
    assert own == [] and [f.code for f in found] == ["APPLICATION_ADVICE_REJECTED"]
    assert {k for k, v in status.items() if v["status"] != "pending"} == {judged}
    assert status[judged]["reasons"] == ("rejected by the partner's application (824 OTI TR): TED ZZZ A5; NTE FREE "
                                         "DESCRIPTION")


# --- 4. a resent interchange of acknowledgments in a file read in pieces ----------------------------------------------
@pytest.mark.parametrize(("again", "split", "told", "disposition"), [
    ("tgt-997-resent-by-van.x12", False, "ISA_ACKS_REPEATED", "processed"),
    ("tgt-997-verdict-changed.x12", False, "ISA_DUPLICATE", "quarantine"),
    ("tgt-997-resent-by-van.x12", True, "ISA_ACKS_REPEATED", "processed"),  # ackgaps3: compared at any size
    ("tgt-997-verdict-changed.x12", True, "ISA_DUPLICATE", "quarantine"),
], ids=["same-acks", "verdict-changed", "interchange-read-in-batches", "verdict-changed-read-in-batches"])
def test_a_resent_997_interchange_in_a_file_read_in_pieces_is_told_as_in_a_file_read_whole(
        tmp_path, monkeypatch, again, split, told, disposition):
    """A large file is read in pieces (flows.intake._take_in_streamed: known_state, the partner's interchange history
    without the acknowledgments each brought): Target's VAN resending its 997 interchange 000094410 there kept
    ISA_DUPLICATE (an error: quarantined) where a file read whole tells ISA_ACKS_REPEATED. A piece finding an
    interchange of acknowledgments seen in an earlier file asks the store what it brought (flows.intake
    .with_earlier_acks) and is told again: a repeat when they are the same, ISA_DUPLICATE when a verdict changed.
    One interchange over SPLIT_BYTES (4 MB of acknowledgments), read in batches from its scanned envelope, whose sets
    are never held together (engine.process_batches), was not compared: ISA_DUPLICATE, quarantined. Its
    acknowledgments are read batch by batch and compared now (ackgaps3, engine.process_batches.acks_said): told as in
    a file read whole."""
    import shutil

    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import intake as intake_flow
    from flows.workspace import open_workspace
    from tests.retailer_support import of_its_own

    ws = of_its_own(RG83, tmp_path / "ws", drops={}, warehouses=REPO / "tests" / "fixtures" / "rg2" / "warehouses")
    ws = open_workspace(ws.root)
    profile = ws.partners()["target"]
    inbox = ws.drop_root / "target" / "inbox"

    def take(name, src, now: datetime):
        shutil.copy2(src, inbox / name)
        state = StateStore(ws.state_path)
        try:
            res = intake_flow.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / "target"), now=now,
                                             run_id=now.strftime("n%d"))
            return res, {f["name"]: f["status"] for f in state.files("target")}
        finally:
            state.close()

    first, _ = take(TGT_997.name, TGT_997, datetime(2026, 11, 27, 16, 10))
    assert not [f for f in first.findings if f["code"].startswith("ISA_")]
    calls: list[bytes] = []
    real = intake_flow.process_file

    def spy(data, **kw):
        calls.append(data)
        return real(data, **kw)

    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)  # every X12 file read in pieces
    monkeypatch.setattr(intake_flow, "PIECE_BYTES", 1)
    if split:  # one interchange over SPLIT_BYTES: its envelope scanned, its sets read in batches
        monkeypatch.setattr(intake_flow, "SPLIT_BYTES", 1)
    monkeypatch.setattr(intake_flow, "process_file", spy)
    res, files = take(again, REPO / "tests" / "fixtures" / "ackgaps" / again, NIGHT2)
    assert bool(calls) is not split, "read in pieces (by process_file), or in batches"
    assert [f["code"] for f in res.findings if f["code"].startswith("ISA_")] == [told]
    assert files[again] == {"processed": "processed", "quarantine": "quarantined"}[disposition]
