"""What the ackgaps2/ackinv3/rg85 rounds left of partners' answers to our documents and our 855s to retailers:

1. An 824 rejecting one item of our document (an item-level OTI IR naming the line by OTI02/OTI03 or a REF LI/FJ of
   its loop) rejected the whole document: the rejection is that line's, the rest stays accepted, and the status,
   the finding and the reconciliation's exception say which line and why.
2. An answer interchange larger than 4 MB (read in batches) that repeats nothing stayed ISA_DUPLICATE.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.test_ackgaps2 import _advised, _sent

# --- 1. an 824 rejecting one line of our document ------------------------------------------------------------------
IR_BY_REF = ("OTI*IR*IV*INV0000005***20261127*1430*4*0007*810~", "REF*LI*2~",
             "TED*007*UNIT PRICE DIFFERS FROM COST FILE*IT1*9~")
IR_BY_OTI02 = ("OTI*IR*LI*2***20261127*1430*4*0007*810~", "TED*007*UNIT PRICE DIFFERS FROM COST FILE*IT1*9~")
LINE_REASONS = ("part rejected: line 2 (LI 2) rejected by the partner's application (824 OTI IR): TED 007 UNIT PRICE "
                "DIFFERS FROM COST FILE (segment IT1); the rest of the document accepted")


@pytest.mark.parametrize("segments", [IR_BY_REF, IR_BY_OTI02], ids=["ref-li", "oti02-li"])
def test_an_item_rejection_naming_its_line_rejects_that_line_not_the_invoice(segments):
    """Target's 824 OTI IR on invoice INV0000005 with REF LI 2 (or OTI02 LI, OTI03 2): its line 2's price is not the
    cost file's. The invoice read rejected as a whole (DOCUMENT_REJECTED for all of it, a corrected 810 for one line);
    it reads accepted with errors, its reasons naming the line and why, the rest accepted."""
    status, found, own = _advised(*segments)
    assert own == []
    invoice = status[("810", "0007")]
    assert (invoice["status"], invoice["ack_type"], invoice["set_status"]) == ("accepted_with_errors", "824", "E")
    assert invoice["reasons"] == LINE_REASONS
    assert status[("810", "0006")]["status"] == "pending"
    [f] = found
    assert (f.code, f.severity, f.location.element, f.location.value) == (
        "APPLICATION_ADVICE_REJECTED", "error", "OTI01", "IR")
    assert f.message.startswith("target's application rejected line 2 (LI 2) of our 810 INV0000005 (GS06 4 ST02 0007, ")
    assert "UNIT PRICE DIFFERS FROM COST FILE" in f.message and "The rest of the document stands accepted" in f.message


def test_an_item_rejection_naming_two_lines_names_both():
    status, found, _ = _advised("OTI*IR*IV*INV0000005***20261127*1430*4*0007*810~", "REF*LI*2~", "REF*FJ*4~",
                                "TED*007*ITEM NOT ON FILE~")
    assert status[("810", "0007")]["status"] == "accepted_with_errors"
    assert status[("810", "0007")]["reasons"].startswith(
        "part rejected: lines 2, 4 (LI 2, FJ 4) rejected by the partner's application (824 OTI IR): TED 007 ")
    assert "rejected lines 2, 4 (LI 2, FJ 4) of our 810" in found[0].message


def test_an_item_rejection_naming_no_line_still_rejects_the_document():
    """Which item is not said: the rejection stays the document's (rg83's every-OTI01 test pins IR so)."""
    status, found, _ = _advised("OTI*IR*IV*INV0000005***20261127*1430*4*0007*810~", "TED*007*ITEM NOT ON FILE~")
    assert status[("810", "0007")]["status"] == "rejected"
    assert found[0].message.startswith("target's application rejected our 810 ")


def test_a_set_rejection_beside_a_line_rejection_rejects_the_document_the_line_s_said_after():
    status, _, _ = _advised(*IR_BY_REF, "OTI*TR*IV*INV0000005***20261127*1430*4*0007*810~",
                            "TED*024*RECEIPT NOT FOUND~")
    invoice = status[("810", "0007")]
    assert invoice["status"] == "rejected"
    assert invoice["reasons"].startswith(
        "rejected by the partner's application (824 OTI TR): TED 024 RECEIPT NOT FOUND")
    assert "Also: " + LINE_REASONS in invoice["reasons"]


def test_an_item_accepted_or_noted_names_its_line():
    status, found, _ = _advised("OTI*IE*IV*INV0000005***20261127*1430*4*0007*810~", "REF*LI*3~",
                                "TED*ZZZ*PACK SIZE CORRECTED~")
    assert status[("810", "0007")]["status"] == "accepted_with_errors"
    assert status[("810", "0007")]["reasons"] == ("line 3 (LI 3) accepted with errors by the partner's application "
                                                  "(824 OTI IE): TED ZZZ PACK SIZE CORRECTED")
    assert [f.code for f in found] == ["APPLICATION_ADVICE_ERRORS"]


def test_the_line_numbers_are_read_from_the_oti_loop():
    from tests.test_rg83_partner_acks import _824, _take

    out = _take("target", _824("OTI*IR*IV*INV0000005***20261127*1430*4*0007*810~", "REF*LI*2~", "REF*PO*TG8300202~",
                               "TED*007*X~", "OTI*TA*IV*INV0000006***20261127*1430*4*0006*810~",
                               "OTI*IA*LI*7***20261127*1430*4*0006*810~"))
    assert [r["lines"] for r in out.advice.to_pylist()] == [["LI 2"], [], ["LI 7"]]


def test_a_line_rejection_is_booked_saying_which_line_and_why():
    """The reconciliation booked the invoice DOCUMENT_REJECTED as a whole ("the partner rejected our 810 ..."), or,
    the invoice accepted with errors, nothing at all: it books the line's rejection, saying which and why."""
    from engine.application_advice import advice_acks
    from engine.partner_acks import match_acks
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings
    from tests.support_finance import Book
    from tests.test_rg83_partner_acks import _824, _take

    out = _take("target", _824(*IR_BY_REF))
    acks, _ = advice_acks(out.advice, _sent("target"))
    as_of = datetime(2026, 11, 29, 2)
    sent = _sent("target").filter([r["st02"] == "0007" for r in _sent("target").to_pylist()])
    docs, _ = match_acks(sent, acks, settings={"target": FinanceSettings()}, as_of=as_of)
    t = Book().tables()
    [row] = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, as_of=as_of,
                      settings={"target": FinanceSettings()}).exceptions.to_pylist()
    assert row["type"] == "DOCUMENT_REJECTED" and row["document_status"] == "accepted_with_errors"
    assert row["message"].startswith(
        "the partner rejected part of our 810 INV0000005: line 2 (LI 2) rejected by the partner's application (824 "
        "OTI IR): TED 007 UNIT PRICE DIFFERS FROM COST FILE (segment IT1); the rest of the document accepted (ISA13 ")
    assert row["partner_reasons"] == LINE_REASONS


# --- 2. an answer interchange too large to hold, sent again ----------------------------------------------------------
def _big_997(isa13: str, at: str, n: int, *, rejected: int = 0) -> bytes:
    """Target's 997 acknowledging ``n`` of our 997s (AK1 FA: kept, deciding nothing, so no finding per AK2) in one
    interchange; ``rejected``: that AK2 answered AK5 R (a verdict changed under the same ISA13)."""
    body = "".join(f"AK2*997*{i:09d}~AK5*{'R' if i == rejected else 'A'}~" for i in range(1, n + 1))
    return (f"ISA*00*          *00*          *ZZ*TARGETDC       *ZZ*ORDERBRIDGE    *261128*{at}*U*00401*{isa13}*0*P"
            f"*>~\n"
            f"GS*FA*TARGETDC*ORDERBRIDGE*20261128*{at}*77*X*004010~\nST*997*0001~\nAK1*FA*5~\n{body}\n"
            f"AK9*{'P' if rejected else 'A'}*{n}*{n}*{n - bool(rejected)}~\nSE*{4 + 2 * n}*0001~\nGE*1*77~\n"
            f"IEA*1*{isa13}~\n").encode()


@pytest.mark.slow
def test_a_997_interchange_over_4_mb_sent_again_is_a_repeat_and_a_fresh_one_is_new(tmp_path, monkeypatch):
    """A real-size answer: one 997 of 180,000 AK2s (4.3 MB, over SPLIT_BYTES: read in batches from its scanned
    envelope) in a file read in pieces. The VAN's copy of it, re-enveloped (same ISA13, new ISA09/ISA10), was
    ISA_DUPLICATE (an error: quarantined), its acknowledgments never compared (only its envelope was read before its
    batches); it is ISA_ACKS_REPEATED now, read batch by batch and compared as a whole read compares. A fresh one (a
    new ISA13) is new, as before; one whose verdicts changed under the same ISA13 stays ISA_DUPLICATE, saying so."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import intake as intake_flow
    from flows.workspace import open_workspace
    from tests.retailer_support import of_its_own
    from tests.support import REPO
    from tests.test_ackgaps2 import RG83

    ws = of_its_own(RG83, tmp_path / "ws", drops={}, warehouses=REPO / "tests" / "fixtures" / "rg2" / "warehouses")
    ws = open_workspace(ws.root)
    profile = ws.partners()["target"]
    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 1_000_000)  # read in pieces; SPLIT_BYTES as shipped
    batched: list[int] = []
    real = intake_flow.process_in_batches

    def spy(sk, read, **kw):
        batched.append(sk.size)
        return real(sk, read, **kw)

    monkeypatch.setattr(intake_flow, "process_in_batches", spy)

    def take(name: str, data: bytes, now: datetime):
        (ws.drop_root / "target" / "inbox" / name).write_bytes(data)
        state = StateStore(ws.state_path)
        try:
            res = intake_flow.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / "target"), now=now,
                                             run_id=now.strftime("n%d%H"))
            return ([f["code"] for f in res.findings if f["code"].startswith("ISA_")],
                    {f["name"]: f["status"] for f in state.files("target")}[name], len(state.interchange_acks(
                        "target", state.interchange_uses("target", [("TARGETDC", "000094470")]))
                        .get(("TARGETDC", "000094470"), [])))
        finally:
            state.close()

    n = 180_000
    first = _big_997("000094470", "0310", n)
    assert len(first) > intake_flow.SPLIT_BYTES
    assert take("tgt-997-big.x12", first, datetime(2026, 11, 28, 4)) == ([], "processed", n)
    assert take("tgt-997-big-fresh.x12", _big_997("000094471", "0320", n), datetime(2026, 11, 28, 5))[:2] == (
        [], "processed")
    assert take("tgt-997-big-resent.x12", _big_997("000094470", "0415", n), datetime(2026, 11, 28, 6)) == (
        ["ISA_ACKS_REPEATED"], "processed", n)  # not read again: its acknowledgments are stored once
    assert take("tgt-997-big-changed.x12", _big_997("000094470", "0420", n, rejected=7),
                datetime(2026, 11, 28, 7)) == (["ISA_DUPLICATE"], "quarantined", n)
    assert len(batched) == 4 and min(batched) > intake_flow.SPLIT_BYTES
