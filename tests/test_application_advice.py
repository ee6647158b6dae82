"""Partners' 824 Application Advices on our 856s and 810s: a GS AG group is accepted (answered by a 997
AK9 A when its syntax is fine, no longer GS_FUNCTIONAL_ID_UNSUPPORTED), each OTI is read
(parsers.application_advice), matched to the document we sent by OTI08/OTI09 or by its OTI03 reference
(engine.application_advice), a rejection is an error for ops naming our document and the partner's TED/NTE
texts, accepted-with-errors a warning, an OTI naming nothing we sent a warning, and the verdict is the
document's status (`orderbridge status`: "rejected by the partner's application (824)")."""

from __future__ import annotations

import json
from datetime import datetime

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.application_advice import advice_acks
from engine.envelope import Envelope, wrap
from engine.partner_acks import match_acks
from flows import steps
from flows.cli import app
from flows.reconcile import reconcile_run
from parsers.application_advice import read_application_advice
from parsers.x12_reader import read_interchanges
from schemas.finance import FinanceSettings
from schemas.functional_acks import FUNCTIONAL_ACKS, SENT_SETS
from schemas.profile import PartnerProfile
from schemas.x12 import Delimiters
from tests.support import deliver_all, drop_confirmations, run_stages, ship_stages, shipping_workspace

NIGHT1, DAY1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30), datetime(2026, 11, 28, 2)


def _envelope(version: str = "004010") -> Envelope:
    return Envelope(sender_qualifier="ZZ", sender_id="ACMERETAIL", receiver_qualifier="ZZ", receiver_id="ORDERBRIDGE",
                    gs_sender="ACMERETAIL", gs_receiver="ORDERBRIDGE", version=version, usage="P",
                    delimiters=Delimiters(repetition="^" if version >= "005010" else ""))


def _824(body: list[list[str]], *, version: str = "004010", isa13: int = 9301) -> bytes:
    return wrap(_envelope(version), "AG", "824", [body], isa13=isa13, gs06=isa13, st02s=[1],
                now=datetime(2026, 11, 27, 22, 15))


def _sent(rows: list[dict]) -> pa.Table:
    base = {"partner": "acme", "isa13": "000000007", "sent_at": DAY1, "po_number": "ACME-1001"}
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=SENT_SETS)


SENT = [{"doc_type": "856", "functional_id": "SH", "gs06": "6", "st02": "0006", "file": "acme-856-000000007.x12",
         "document_ref": "SHP-1001"},
        {"doc_type": "810", "functional_id": "IN", "isa13": "000000008", "gs06": "7", "st02": "0007",
         "file": "acme-810-000000008.x12", "document_ref": "INV0000002"}]


def _advice(content: bytes):
    result = read_interchanges(content, file="acme-824.x12")
    sets = [(ic, g, ts) for ic, g, ts in result.transaction_sets()]
    return read_application_advice(result, sets, partner="acme", source_sha256="x", received_at=NIGHT2)


def test_a_005010_824_rejecting_our_856_by_its_control_numbers_names_it_and_the_partners_texts():
    content = _824([["BGN", "00", "ADV-77", "20261127"],
                    ["OTI", "TR", "SI", "SHP-1001", "", "", "20261127", "1430", "6", "0006", "856"],
                    # TED as X12 lays it out: segment N1 at 4, its element 4 (data element 67), the bad value
                    ["TED", "024", "Ship-to store 0042 is not on file", "N1", "4", "4", "67", "0042"],
                    ["NTE", "GEN", "Resend the ASN with the right store"]], version="005010X186")
    advice = _advice(content)
    assert advice.num_rows == 1
    row = advice.to_pylist()[0]
    assert (row["code"], row["reference"], row["acked_gs06"], row["acked_st02"], row["acked_set_id"],
            row["bgn_reference"], row["notes"]) == ("TR", "SHP-1001", "6", "0006", "856", "ADV-77",
                                                    ["Resend the ASN with the right store"])
    acks, findings = advice_acks(advice, _sent(SENT))
    assert [(f.code, f.severity, f.location.segment_id, f.location.element) for f in findings] == [
        ("APPLICATION_ADVICE_REJECTED", "error", "OTI", "OTI01")]
    message = findings[0].message
    for words in ("856 SHP-1001", "ACME-1001", "GS06 6 ST02 0006", "acme-856-000000007.x12",
                  "TED 024 Ship-to store 0042 is not on file", "value '0042'", "NTE Resend the ASN"):
        assert words in message, (words, message)
    assert acks.to_pylist()[0]["ack_type"] == "824"
    status, _ = match_acks(_sent(SENT), acks, settings={"acme": FinanceSettings()}, as_of=NIGHT2)
    by_type = {r["doc_type"]: r for r in status.to_pylist()}
    assert by_type["856"]["status"] == "rejected" and by_type["856"]["ack_type"] == "824"
    assert "Ship-to store 0042" in by_type["856"]["reasons"]
    assert by_type["810"]["status"] != "rejected"


def test_an_oti_quoting_only_our_reference_finds_the_document_and_an_accepted_one_says_nothing():
    advice = _advice(_824([["BGN", "00", "ADV-78", "20261127"],
                           ["OTI", "TA", "IV", "INV0000002"],
                           ["OTI", "TE", "SI", "SHP-1001", "", "", "", "", "", "", "856"],
                           ["TED", "006", "Carrier SCAC unknown"]]))
    acks, findings = advice_acks(advice, _sent(SENT))
    assert [(r["acked_set_id"], r["acked_gs06"], r["acked_st02"], r["set_status"]) for r in acks.to_pylist()] == [
        ("810", "7", "0007", "A"), ("856", "6", "0006", "E")]
    assert [(f.code, f.severity) for f in findings] == [("APPLICATION_ADVICE_ERRORS", "warning")]
    assert "Carrier SCAC unknown" in findings[0].message


def test_an_824_naming_a_document_we_never_sent_is_a_warning_and_decides_nothing():
    advice = _advice(_824([["BGN", "00", "ADV-79", "20261127"],
                           ["OTI", "TR", "IV", "INV9999999", "", "", "", "", "44", "0044", "810"],
                           ["TED", "024", "Invoice number unknown"]]))
    acks, findings = advice_acks(advice, _sent(SENT))
    assert acks.num_rows == 0
    assert [(f.code, f.severity, f.location.value) for f in findings] == [
        ("APPLICATION_ADVICE_UNMATCHED", "warning", "INV9999999")]
    assert "INV9999999" in findings[0].message and "Invoice number unknown" in findings[0].message


def test_an_824_after_a_997_accepting_the_document_counts_without_a_conflict():
    ack997 = pa.Table.from_pylist([{
        "partner": "acme", "ack_type": "997", "ack_ref": "1-1-1", "acked_functional_id": "SH", "acked_gs06": "6",
        "acked_set_id": "856", "acked_st02": "0006", "set_status": "A", "group_status": "A", "received_at": DAY1,
        "source_file": "acme-997.x12", "isa13": "1", "gs06": "1", "st02": "1", "segment_position": 3,
        "file_segment": 5, "set_error_codes": [], "group_error_codes": [], "errors": []}], schema=FUNCTIONAL_ACKS)
    advice = _advice(_824([["BGN", "00", "ADV-80", "20261127"], ["OTI", "TR", "SI", "SHP-1001"]]))
    acks, _ = advice_acks(advice, _sent(SENT))
    for order in ([ack997, acks], [acks, ack997]):
        status, findings = match_acks(_sent(SENT), pa.concat_tables(order), settings={"acme": FinanceSettings()},
                                      as_of=NIGHT2)
        assert {r["doc_type"]: r["status"] for r in status.to_pylist()}["856"] == "rejected"
        assert findings == []


def test_a_profile_accepts_824_by_default():
    profile = PartnerProfile.model_validate({"id": "napa", "name": "NAPA", "x12": {
        "their_qualifier": "ZZ", "their_id": "NAPA", "our_qualifier": "ZZ", "our_id": "US",
        "their_gs_id": "NAPA", "our_gs_id": "US", "version": "004010"}})
    assert "824" in profile.accepts


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """Night 1 and day 1's shipments (ACME-1001's 856 SHP-1001 and 810 INV0000002 sent), then ACME's
    824 in its drop: its 856 rejected by reference, its 810 accepted by control numbers, a document we
    never sent; night 2's intake and reconciliation."""
    ws = shipping_workspace(tmp_path_factory.mktemp("advice"))
    run_stages(ws, NIGHT1)
    drop_confirmations(ws, "warehouse-drops")
    ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    outbox = ws.drop_root / "acme" / "outbox"
    before = set(outbox.iterdir()) if outbox.exists() else set()
    (ws.drop_root / "acme" / "inbox" / "acme-824.x12").write_bytes(_824([
        ["BGN", "00", "ADV-81", "20261127"],
        ["OTI", "TR", "SI", "SHP-1001", "", "", "", "", "", "", "856"],
        ["TED", "024", "Carton label SSCC does not match the ASN"],
        ["NTE", "GEN", "Call the EDI desk"],
        ["OTI", "TA", "IV", "INV0000002", "", "", "", "", "7", "0007", "810"],
        ["OTI", "TR", "IV", "INV0000099", "", "", "", "", "", "", "810"]]))
    state = StateStore(ws.state_path)
    try:
        res = steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NIGHT2,
                                   run_id="night2")
        steps.deliver_partner(ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NIGHT2)
        reconcile_run(ws, ws.partners(), state, now=NIGHT2, run_id="night2")
        status = {r["doc_type"]: r for r in state.document_status("acme") if r["doc_type"] in ("856", "810")}
    finally:
        state.close()
    sent_now = sorted(set((ws.drop_root / "acme" / "outbox").iterdir()) - before)
    return {"ws": ws, "res": res, "status": status, "sent": sent_now}


def test_the_824_is_answered_by_a_997_accepting_it(night):
    acks = [p.read_text() for p in night["sent"] if "997" in p.name]
    assert len(acks) == 1, night["sent"]
    assert "AK1*AG*9301" in acks[0] and "AK2*824*0001" in acks[0] and "AK5*A" in acks[0] and "AK9*A*1*1*1" in acks[0]
    assert "GS_FUNCTIONAL_ID_UNSUPPORTED" not in json.dumps(night["res"].findings, default=str)


def test_the_824s_rejection_and_unknown_document_reach_ops(night):
    found = [(f["code"], f["severity"]) for f in night["res"].findings]
    assert sorted(found) == [("APPLICATION_ADVICE_REJECTED", "error"), ("APPLICATION_ADVICE_UNMATCHED", "warning")]
    rejected = next(f for f in night["res"].findings if f["code"] == "APPLICATION_ADVICE_REJECTED")
    text = json.dumps(rejected, default=str)
    assert "856 SHP-1001" in text and "Carton label SSCC" in text and "acme-856-" in text


def test_the_verdicts_are_the_documents_status(night):
    assert night["status"]["856"]["status"] == "rejected" and night["status"]["856"]["ack_type"] == "824"
    assert night["status"]["810"]["status"] == "accepted" and night["status"]["810"]["ack_type"] == "824"
    res = CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "-w", str(night["ws"].root), "--json"])
    assert res.exit_code == 0, res.output
    said = {d["type"]: d["partner_ack"] for d in json.loads(res.stdout)["documents"]}
    assert said["856"].startswith("rejected by the partner's application (824 "), said
    assert said["810"].startswith("accepted (824 "), said


FULL_824 = [["BGN", "00", "ADV-90", "20261127", "1015"],
            ["N1", "SU", "ORDERBRIDGE SUPPLY", "92", "V100"], ["REF", "IA", "V100"], ["PER", "IC", "EDI DESK"],
            ["OTI", "TR", "SI", "SHP-1001", "ACMERETAIL", "ORDERBRIDGE", "20261127", "1430", "6", "0006", "856"],
            ["REF", "PO", "ACME-1001"], ["DTM", "009", "20261127"],
            ["TED", "024", "Ship-to store 0042 is not on file", "N1", "4", "4", "67", "0042"],
            ["NTE", "GEN", "Resend the ASN"], ["RED", "store 0042", "", "ZZ", "", "ZZ", "STORE"],
            ["LM", "ZZ"], ["LQ", "0", "ASN99"],
            ["OTI", "IR", "PO", "ACME-1001", "", "", "", "", "7", "0007", "810"],
            ["TED", "007", "Item 5 price differs", "IT1", "9"]]


@pytest.mark.parametrize("version", ["004010", "005010X186"])
def test_a_full_824_passes_our_checks_and_is_answered_with_a_997_accepting_it(version):
    from datetime import date

    from engine.process import Known, process_file
    from schemas.profile import load_profiles
    from tests.support import REPO

    acme = load_profiles(REPO / "partners")["acme"]
    profile = acme.model_copy(update={"x12": acme.x12.model_copy(update={"version": version[:6]})})
    out = process_file(_824(FULL_824, version=version), file="acme-824.x12", sha256="s", profile=profile,
                       known=Known(), today=date(2026, 11, 28))
    assert [f.code for f in out.findings if f.severity == "error"] == []
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    [body] = ack.bodies
    assert [s for s in body if s[0] in ("AK1", "AK5", "AK9")] == [["AK1", "AG", "9301", *(
        [version] if version >= "005010" else [])], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    assert [(r["code"], r["reference"], len(r["errors"])) for r in out.advice.to_pylist()] == [
        ("TR", "SHP-1001", 1), ("IR", "ACME-1001", 1)]


def test_the_rejected_856_is_a_reconciliation_exception_with_the_partners_reasons(night):
    state = StateStore(night["ws"].state_path)
    try:
        rows = [r for r in state.stored_exceptions(active=True).to_pylist()
                if r["type"] == "DOCUMENT_REJECTED" and r["po_number"] == "ACME-1001"]
    finally:
        state.close()
    assert len(rows) == 1 and "Carton label SSCC" in (rows[0]["partner_reasons"] or ""), rows


# 824 shapes as published translators' samples write them (a freight payment 824 rejecting by a bill of lading
# with a one-letter TED01 and OTI08/OTI09 but no OTI07; a 005010X186 824 with OTI03 "NA", OTI11, a TED naming a
# segment by a three-letter id and its loop, a RED quoting an industry code list)
PUBLISHED = {
    "004010": [["BGN", "11", "1126-9404", "20210217"],
               ["OTI", "TR", "BM", "1126-9404", "MILMOVE", "8004171844", "20210217", "", "100001251", "0001"],
               ["TED", "K", "DOCUMENT OWNER CANNOT BE DETERMINED"]],
    "005010X186": [["BGN", "11", "FFA.ABCDEF.123456", "20020709", "0932", "", "123456789", "", "U"],
                   ["N1", "41", "DEF INSURANCE", "46", "222222222"],
                   ["PER", "IC", "TOM EVANS", "TE", "8005551212", "EX", "1439"],
                   ["N1", "40", "JONESCO", "46", "B5678"],
                   ["OTI", "TR", "TN", "NA", "", "", "20020709", "0902", "2", "0001", "124", "005010"],
                   ["TED", "024", "", "VEH", "36", "2"], ["RED", "NA", "", "94", "", "IBP", "E054"]],
}


@pytest.mark.parametrize("version", sorted(PUBLISHED))
def test_published_824_shapes_pass_our_checks(version):
    from datetime import date

    from engine.process import Known, process_file
    from schemas.profile import load_profiles
    from tests.support import REPO

    acme = load_profiles(REPO / "partners")["acme"]
    profile = acme.model_copy(update={"x12": acme.x12.model_copy(update={"version": version[:6]})})
    out = process_file(_824(PUBLISHED[version], version=version), file="acme-824.x12", sha256="s", profile=profile,
                       known=Known(), today=date(2026, 11, 28))
    assert [(f.code, f.message) for f in out.findings if f.severity == "error"] == []
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    assert ["AK9", "A", "1", "1", "1"] in [list(s) for s in ack.bodies[0]]
    assert out.advice.num_rows == 1


def test_a_group_level_oti_decides_every_set_of_our_group():
    sent = _sent([*SENT, {"doc_type": "856", "functional_id": "SH", "gs06": "6", "st02": "0009",
                          "file": "acme-856-000000007.x12", "document_ref": "SHP-1009", "po_number": "ACME-1009"}])
    advice = _advice(_824([["BGN", "00", "ADV-82", "20261127"],
                           ["OTI", "GR", "SI", "SHP-1001", "", "", "", "", "000000006", "", "856"],
                           ["TED", "024", "Group sent to the wrong mailbox"]]))
    acks, findings = advice_acks(advice, sent)
    assert [(f.code, "group SH GS06 6 (2 sets" in f.message) for f in findings] == [
        ("APPLICATION_ADVICE_REJECTED", True)]
    status, notes = match_acks(sent, acks, settings={"acme": FinanceSettings()}, as_of=NIGHT2)
    assert sorted((r["doc_type"], r["st02"], r["status"]) for r in status.to_pylist()) == [
        ("810", "0007", "pending"), ("856", "0006", "rejected"), ("856", "0009", "rejected")]
    assert notes == []
