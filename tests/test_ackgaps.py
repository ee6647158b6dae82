"""Gaps in how partners' acknowledgments of our documents are taken, noticed by the rg83 sweep
(tests/test_rg83_partner_acks.py) and closed here; its fixtures (tests/fixtures/rg83/: five buyers' profiles and
answers) are used as the partners wrote them, with the variants of tests/fixtures/ackgaps/.

1. A VAN re-sending an interchange of acknowledgments under its ISA13 (re-enveloped: new ISA09/ISA10, GS04/GS05)
   was ISA_DUPLICATE, an error quarantining a harmless resend; it is a repeat now (ISA_ACKS_REPEATED, a warning, not
   read again) when its acknowledgments are those taken, and ISA_DUPLICATE saying they differ when a verdict changed.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.support import REPO

RG83 = REPO / "tests" / "fixtures" / "rg83"
HERE = REPO / "tests" / "fixtures" / "ackgaps"
NIGHT2 = datetime(2026, 11, 28, 2)


def _profile(partner: str):
    from schemas.profile import load_profiles

    return load_profiles(RG83 / "partners")[partner]


def _take(partner: str, path, *, known=None, received_at: datetime = NIGHT2):
    from engine.process import Known, process_file

    return process_file(path.read_bytes(), file=path.name, sha256=path.name, profile=_profile(partner),
                        known=known or Known(), today=received_at.date(), received_at=received_at)


def _known_after(first) -> object:
    """What the store knows once ``first`` (an Outcome) was taken: its interchanges and the acknowledgments
    they brought (as flows.intake.known_for asks connectors.finance_store.interchange_acks)."""
    from engine.process import EarlierUse, Known, ack_content

    keys = frozenset(first.interchanges_seen)
    rows = first.functional_acks.to_pylist()
    return Known(interchanges=keys, interchange_uses={k: EarlierUse("2026-11-27T16:10:00", first.file) for k in keys},
                 earlier_acks={k: ack_content([r for r in rows if r["isa13"] == k[1]]) for k in keys})


TGT_997 = RG83 / "acks" / "night2" / "target" / "tgt-997-20261127-1.x12"
HD_TA1 = RG83 / "acks" / "night2" / "homedepot" / "hd-ta1-20261127.x12"


@pytest.mark.parametrize(("partner", "first", "again"), [
    ("target", TGT_997, HERE / "tgt-997-resent-by-van.x12"),
    ("homedepot", HD_TA1, HERE / "hd-ta1-resent-by-van.x12"),
], ids=["997", "TA1"])
def test_an_interchange_of_acks_resent_under_its_number_is_a_repeat_not_quarantined(partner, first, again):
    """Target's VAN drops its 997 interchange 000094410 again the next night, re-enveloped (new ISA09/ISA10 and
    GS04/GS05, same ISA13, same AK2/AK5/AK9s); The Home Depot's gateway its TA1 interchange. It was ISA_DUPLICATE, an
    error: the file quarantined for a harmless resend. It is ISA_ACKS_REPEATED (a warning naming the first file),
    processed, and its acknowledgments are not read again (the first copy's pick-up time stands)."""
    taken = _take(partner, first, received_at=datetime(2026, 11, 27, 16, 10))
    assert taken.functional_acks.num_rows and taken.disposition == "processed"
    resent = _take(partner, again, known=_known_after(taken))
    assert [(f.code, f.severity) for f in resent.findings] == [("ISA_ACKS_REPEATED", "warning")]
    assert f"in an earlier file ({first.name}, 2026-11-27) with the same acknowledgments" in resent.findings[0].message
    assert resent.disposition == "processed"
    assert resent.functional_acks.num_rows == 0 and resent.interchanges_seen == []
    assert not [d for d in resent.documents if d.doc_type == "997"]


def test_an_interchange_of_acks_whose_verdict_changed_under_a_reused_number_stays_a_duplicate():
    """The same ISA13 re-sent with the 855 now rejected (AK5 R, AK9 R): a changed verdict under a reused number is
    for ops to see (ISA_DUPLICATE, error, quarantined), the message saying the acknowledgments differ."""
    taken = _take("target", TGT_997, received_at=datetime(2026, 11, 27, 16, 10))
    changed = _take("target", HERE / "tgt-997-verdict-changed.x12", known=_known_after(taken))
    assert [(f.code, f.severity) for f in changed.findings] == [("ISA_DUPLICATE", "error")]
    assert "Its acknowledgments differ from those that interchange brought" in changed.findings[0].message
    assert changed.disposition == "quarantine" and changed.functional_acks.num_rows == 0


def test_an_interchange_of_business_documents_resent_is_still_a_duplicate():
    """An 850 interchange received again under its ISA13 is ISA_DUPLICATE as before (its orders are not taken twice),
    even when the store holds acknowledgments under that number."""
    from dataclasses import replace

    po = RG83 / "drops" / "target" / "tgt-850-dc-TG8300201.x12"
    taken = _take("target", po)
    assert taken.orders.num_rows == 2  # its two POs
    known = replace(_known_after(taken), earlier_acks={k: (("997",),) for k in taken.interchanges_seen})
    again = _take("target", po, known=known)
    assert [f.code for f in again.findings] == ["ISA_DUPLICATE"] and again.orders.num_rows == 0
    assert "differ" not in again.findings[0].message


def test_the_store_tells_intake_what_acknowledgments_an_interchange_brought(store_target):
    """flows.intake.known_for asks the store (interchanges_in joined to partner_acks by the file that last used
    the number) what acknowledgments each interchange seen before brought: the resend is told from the store."""
    from connectors.state import StateStore
    from flows.intake import known_for
    from parsers.x12_reader import read_interchanges

    taken = _take("target", TGT_997, received_at=datetime(2026, 11, 27, 16, 10))
    state = StateStore(store_target())
    try:
        state.record_file("target", TGT_997.name, TGT_997.name, 1, "2026-11-27T16:10:00", "processed")
        state.record_interchange("target", "TARGETDC", "000094410", TGT_997.name)
        state.record_partner_acks(taken.functional_acks, run_id="n1")
        again = HERE / "tgt-997-resent-by-van.x12"
        known = known_for(state, "target", read_interchanges(again.read_bytes(), file=again.name))
        assert known.earlier_acks == _known_after(taken).earlier_acks
        resent = _take("target", again, known=known)
        assert [f.code for f in resent.findings] == ["ISA_ACKS_REPEATED"]
        changed = HERE / "tgt-997-verdict-changed.x12"
        assert [f.code for f in _take("target", changed, known=known_for(
            state, "target", read_interchanges(changed.read_bytes(), file=changed.name))).findings] == ["ISA_DUPLICATE"]
    finally:
        state.close()


# --- 2. lateness measured when the partner wrote its answer -----------------------------------------------------------
def _sent(partner: str):
    from tests.test_rg83_partner_acks import _sent as sent_sets

    return sent_sets(partner)


def _status(partner: str, acks, as_of: datetime = NIGHT2) -> dict:
    from engine.partner_acks import match_acks
    from schemas.finance import FinanceSettings

    docs, _ = match_acks(_sent(partner), acks, settings={partner: FinanceSettings()}, as_of=as_of)
    return {(r["doc_type"], r["st02"]): r for r in docs.to_pylist()}


def _target_997(gs04: str, gs05: str, picked_up: datetime):
    from engine.process import Known, process_file

    text = TGT_997.read_text().replace("*20261127*1605*", f"*{gs04}*{gs05}*")  # its GS04/GS05
    name = f"tgt-997-{gs04}{gs05}.x12"
    return process_file(text.encode(), file=name, sha256=name, profile=_profile("target"), known=Known(),
                        today=picked_up.date(), received_at=picked_up).functional_acks


def test_lateness_is_measured_when_the_partner_wrote_its_997_not_when_we_picked_it_up():
    """Target's translator wrote its 997 at 16:05 on the 27th (GS04/GS05), within a day of our 855 sent at 02:00; our
    run picked it up at 09:00 on the 28th, after the 24-hour window. ack_late, minutes_to_ack (and so the KPI
    "partner 997 within window") were measured at the pick-up: late, 1860 minutes. They are measured at the
    partner's time now, and ack_timed_by says so; acked_at stays the pick-up."""
    picked_up = datetime(2026, 11, 28, 9)
    status = _status("target", _target_997("20261127", "1605", picked_up), as_of=picked_up)
    asn = status[("856", "0005")]  # sent 14:30 on the 27th, answered AK5 E at 16:05
    assert (asn["status"], asn["minutes_to_ack"], asn["ack_late"], asn["ack_timed_by"]) == \
        ("accepted_with_errors", 95, False, "written")
    ack = status[("855", "0002")]  # sent 02:00 on the 27th: due 02:00 on the 28th
    assert (ack["minutes_to_ack"], ack["ack_late"], ack["ack_timed_by"], ack["acked_at"]) == \
        (14 * 60 + 5, False, "written", picked_up)


@pytest.mark.parametrize(("gs04", "gs05", "why"), [
    ("20261126", "2300", "before our document was sent"),
    ("20261128", "1000", "after we picked it up: a clock ahead"),
    ("20261128", "0914", "within the skew: believed"),
])
def test_a_partner_time_that_cannot_be_right_is_replaced_by_the_pick_up(gs04, gs05, why):
    """A GS04/GS05 before our 855 was sent, or later than our pick-up by more than a few minutes (a clock set wrong, a
    time zone ahead), is not believed: the pick-up time measures the lateness, and ack_timed_by says picked_up."""
    picked_up = datetime(2026, 11, 28, 9)
    ack = _status("target", _target_997(gs04, gs05, picked_up), as_of=picked_up)[("855", "0002")]
    if why.startswith("within"):
        assert (ack["ack_timed_by"], ack["minutes_to_ack"], ack["ack_late"]) == ("written", 31 * 60 + 14, True)
    else:
        assert (ack["ack_timed_by"], ack["minutes_to_ack"], ack["ack_late"]) == ("picked_up", 31 * 60, True)


def test_a_ta1_is_timed_by_its_isa09_isa10():
    """The Home Depot's TA1 R (ISA09/ISA10 15:00 on the 27th) rejecting our 856 (sent 14:30): 30 minutes, written."""
    picked_up = datetime(2026, 11, 29, 2)
    acks = _take("homedepot", HD_TA1, received_at=picked_up).functional_acks
    asn = _status("homedepot", acks, as_of=picked_up)[("856", "0003")]
    assert (asn["status"], asn["minutes_to_ack"], asn["ack_timed_by"], asn["acked_at"]) == \
        ("rejected", 30, "written", picked_up)


# --- 3. DOCUMENT_UNACKNOWLEDGED names the answer the partner sends ----------------------------------------------------
@pytest.mark.parametrize("kind", ["997", "999", "824"])
def test_an_overdue_document_names_the_acknowledgment_its_partner_sends(kind):
    """Kroger answers with 999s: its overdue ASN's DOCUMENT_UNACKNOWLEDGED said "no 997 for our 856", sending ops to
    look for an answer the partner never sends. The profile's [finance] answers_with (997 by default, 999, or 824 for
    a partner whose application answers alone) is named now."""
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings
    from tests.support_finance import AS_OF, Book, document_status

    docs = document_status([
        {"partner": "kroger", "doc_type": "856", "functional_id": "SH", "file": "856-k.x12", "isa13": "000000003",
         "gs06": "3", "st02": "0003", "sent_at": datetime(2026, 12, 1, 2, 0), "po_number": None,
         "document_ref": "KR-SHP-83", "status": "overdue", "due_at": datetime(2026, 12, 2, 2, 0), "ack_file": ""}])
    t = Book().tables()
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, as_of=AS_OF,
                       settings={"kroger": FinanceSettings(answers_with=kind)})
    [row] = result.exceptions.to_pylist()
    assert row["type"] == "DOCUMENT_UNACKNOWLEDGED"
    assert row["message"].startswith(f"no {kind} for our 856 KR-SHP-83 sent 2026-12-01 02:00, due by 2026-12-02 02:00")


def test_a_partner_answering_with_824s_alone_is_expected_to_answer():
    """A profile accepting 824s but no 997s, answers_with "824": its documents are awaited (an overdue one is told),
    not "not_expected" as a partner sending no acknowledgment at all; one accepting no 824 either expects none."""
    from schemas.profile import PartnerProfile

    base = _profile("kroger").model_dump(mode="json", exclude_none=True)
    answering = PartnerProfile.model_validate({**base, "accepts": ["850", "824"], "finance": {"answers_with": "824"}})
    assert answering.finance_settings.expects_997 and answering.finance_settings.answers_with == "824"
    silent = PartnerProfile.model_validate({**base, "accepts": ["850"], "finance": {"answers_with": "824"}})
    assert not silent.finance_settings.expects_997
    assert _profile("kroger").finance_settings.answers_with == "997"  # the default


# --- 4. an 824 matched by the reference qualifiers retailers use ------------------------------------------------------
SHIP_DAY = datetime(2026, 11, 27, 14, 30)


def _target_sent():
    """Target's 855, 856 and 810 for PO TG8300201 as the flows give them to engine.application_advice (SENT_SETS and
    the 856's bill of lading: finance_inputs.sent_sets(..., bills=True))."""
    import pyarrow as pa

    from schemas.functional_acks import SENT_SETS

    rows = [("855", "PR", "2", "0002", datetime(2026, 11, 27, 2), "TG8300201", None),
            ("856", "SH", "3", "0004", SHIP_DAY, "TG-SHP-831", "BOL8300831"),
            ("810", "IN", "4", "0006", datetime(2026, 11, 27, 15), "INV0000004", None)]
    sent = pa.Table.from_pylist([
        {"partner": "target", "doc_type": d, "functional_id": f, "isa13": f"{int(g):09d}", "gs06": g, "st02": st,
         "sent_at": at, "file": f"target-{d}-{int(g):09d}.x12", "po_number": "TG8300201", "document_ref": ref}
        for d, f, g, st, at, ref, _ in rows], schema=SENT_SETS)
    return sent.append_column("bill_of_lading", pa.array([r[6] for r in rows], pa.string()))


def _advised(*segments: str) -> tuple[dict, list]:
    from engine.application_advice import advice_acks
    from engine.partner_acks import match_acks
    from schemas.finance import FinanceSettings
    from tests.test_rg83_partner_acks import _824
    from tests.test_rg83_partner_acks import _take as take

    out = take("target", _824(*segments))
    assert [f.code for f in out.findings] == []
    acks, found = advice_acks(out.advice, _target_sent())
    docs, _ = match_acks(_target_sent().drop_columns(["bill_of_lading"]), acks,
                         settings={"target": FinanceSettings()}, as_of=NIGHT2)
    return {r["doc_type"]: r["status"] for r in docs.to_pylist()}, found


@pytest.mark.parametrize(("oti", "ted", "judged"), [
    ("OTI*TR*BM*BOL8300831~", "TED*024*CARTON COUNT DOES NOT MATCH RECEIPT~", "856"),  # Walmart, Lowe's: by the BOL
    ("OTI*TR*SI*TG-SHP-831~", "TED*024*CARTON COUNT DOES NOT MATCH RECEIPT~", "856"),  # Target: the shipment id
    ("OTI*TR*IV*INV0000004~", "TED*024*RECEIPT NOT FOUND~", "810"),  # The Home Depot, Target: the invoice number
    ("OTI*TR*PO*TG8300201***20261127*1430***856~", "TED*024*ASN RECEIVED LATE~", "856"),  # PO with OTI10
    ("OTI*TR*PO*TG8300201~", "TED*ZZZ*CARRIER NOT IN ROUTING GUIDE*TD5*5~", "856"),  # PO alone, TED naming TD5
    ("OTI*TR*PO*TG8300201~", "TED*ZZZ*TERMS DO NOT MATCH*ITD*1~", "810"),  # PO alone, TED naming ITD
    ("OTI*TR*PO*TG8300201~", "TED*024*PO CLOSED~", "810"),  # PO alone, nothing else: the latest sent for it
], ids=["BM", "SI", "IV", "PO-OTI10", "PO-TED-TD5", "PO-TED-ITD", "PO-latest"])
def test_an_824_finds_the_document_its_reference_qualifier_names(oti, ted, judged):
    """An 824 naming our ASN by its bill of lading (OTI02 BM, as Walmart's and Lowe's guides allow) matched nothing
    (APPLICATION_ADVICE_UNMATCHED): SENT_SETS has one reference per set; and one quoting the PO number without OTI10
    matched the 855 (its BAK03 is the PO number) though it judged the ASN or the invoice. Each qualifier now names
    the document it means; a PO number without OTI10, the document its TEDs' segments belong to, else the latest
    one sent for the PO."""
    status, found = _advised(oti, ted)
    assert [f.code for f in found] == ["APPLICATION_ADVICE_REJECTED"]
    assert status == {d: "rejected" if d == judged else "pending" for d in ("855", "856", "810")}


def test_the_flows_give_the_824_reader_each_856_s_bill_of_lading(store_target):
    """finance_inputs.sent_sets(..., bills=True) carries each 856's bill of lading from the store's fulfilment_refs
    (its REF BM: the BOL, else the tracking number)."""
    import pyarrow as pa

    from connectors.state import StateStore
    from engine.finance_inputs import sent_sets

    state = StateStore(store_target())
    try:
        assert state.fulfilment_refs().column_names == ["partner", "doc_key", "document_ref", "bill_of_lading"]
    finally:
        state.close()
    raw = pa.table({"partner": ["target"] * 2, "doc_key": ["k1", "k2"], "set_id": ["856", "810"],
                    "isa13": ["000000003", "000000004"], "gs06": ["3", "4"], "st02": ["0004", "0006"],
                    "sent_at": pa.array([SHIP_DAY] * 2, pa.timestamp("s")), "file": ["a.x12", "b.x12"],
                    "po_number": ["TG8300201"] * 2, "document_id": [1, 2], "position": [1, 1]})
    refs = pa.table({"partner": ["target"] * 2, "doc_key": ["k1", "k2"], "document_ref": ["TG-SHP-831", "INV0000004"],
                     "bill_of_lading": ["BOL8300831", None]})
    assert sent_sets(raw, refs, bills=True)["bill_of_lading"].to_pylist() == ["BOL8300831", None]
    assert "bill_of_lading" not in sent_sets(raw, refs).column_names


# --- 5. a partner's rejection of a document we sent: one severity, the partner's file never quarantined ---------------
def test_a_rejection_by_ta1_997_or_824_is_one_error_and_never_quarantines_the_partner_s_file():
    """The Home Depot's TA1 R rejecting our ASN's interchange was a warning (FA_INTERCHANGE_REJECTED), Target's 997
    AK5 R rejecting our 855 told nothing at intake, and Target's 824 TR rejecting our invoice was an error
    (APPLICATION_ADVICE_REJECTED). Each is now an error ops act on (schemas.codes_finance.PARTNER_VERDICTS), the
    document's status rejected, and the partner's file, valid, is processed: these errors are not the file's own."""
    from engine.application_advice import advice_acks
    from engine.partner_acks import file_findings
    from schemas.codes import CATALOGUE
    from schemas.codes_finance import PARTNER_VERDICTS
    from schemas.finance import FinanceSettings
    from tests.test_rg83_partner_acks import _824
    from tests.test_rg83_partner_acks import _take as take

    assert {CATALOGUE[c].severity for c in PARTNER_VERDICTS} == {"error"}
    ta1 = _take("homedepot", HD_TA1)
    assert [(f.code, f.severity) for f in ta1.findings] == [("FA_INTERCHANGE_REJECTED", "error")]
    assert (ta1.disposition, ta1.error_count) == ("processed", 0)
    assert _status("homedepot", ta1.functional_acks)[("856", "0003")]["status"] == "rejected"

    fa = _take("target", TGT_997)
    assert (fa.findings, fa.disposition) == ([], "processed")
    told = file_findings(_sent("target"), fa.functional_acks.slice(0, 0), fa.functional_acks,
                         settings={"target": FinanceSettings()}, as_of=NIGHT2)
    assert [(f.code, f.severity, f.location.file, f.location.st02) for f in told] == \
        [("FA_DOCUMENT_REJECTED", "error", TGT_997.name, "944101")]
    assert told[0].message.startswith("target's 997 rejected our 855 (GS06 2 ST02 0003, file target-855-000000002.x12"
                                      "): set rejected")
    assert told[0].message.endswith("Sent again as it was, it would be rejected again: see this code's hint for what "
                                    "to do.")
    assert _status("target", fa.functional_acks)[("855", "0003")]["status"] == "rejected"

    advice = take("target", _824("OTI*TR*IV*INV0000004~", "TED*024*RECEIPT NOT FOUND~"))
    assert advice.disposition == "processed"
    _, found = advice_acks(advice.advice, _target_sent())
    assert [(f.code, f.severity) for f in found] == [("APPLICATION_ADVICE_REJECTED", "error")]


def test_the_intake_consequence_of_a_partner_s_rejection_says_what_ops_do():
    from engine.lifecycle import intake_consequence

    ta1 = _take("homedepot", HD_TA1)
    assert intake_consequence(ta1.findings[0], ta1) == (
        "our document rejected by the partner (its status rejected): not sent again as it was (it would be rejected "
        "again); see the hint")


def test_inspecting_a_partner_s_ta1_rejection_is_not_a_file_with_errors(tmp_path):
    """`orderbridge inspect FILE --partner homedepot` on the gateway's valid TA1 R lists the rejection (an error for
    ops) but exits 0: the file has no error of its own (exit 1 would tell ops to fix a file that is right)."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.retailer_support import of_its_own

    ws = of_its_own(RG83, tmp_path / "ws", warehouses=REPO / "tests" / "fixtures" / "rg2" / "warehouses")
    res = CliRunner().invoke(app, ["inspect", str(HD_TA1), "--partner", "homedepot", "-w", str(ws.root), "--json"])
    assert res.exit_code == 0, res.output
    assert "FA_INTERCHANGE_REJECTED" in res.stdout
