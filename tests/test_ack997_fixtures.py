"""Partners' answers to our 855s, 856s and 810s as real translators write them (tests/fixtures/ack997/,
one file per habit: AK9 P with an AK5 per set, AK9 A over an AK5 E, one 997 per group of one interchange,
a 005010 997 for our 004010 group, AK3/AK4 with positions and copies of the bad data, a 005010 997 written
with the 999's IK3/IK4/IK5, a 999 X231A1 with CTX, a TA1 R, a 997 for what we never sent, the same answer
sent twice, a late 997 whose AK202 drops or adds leading zeros): each file read as a partner's file is
(engine.process.process_file), never answered with a 997, its verdicts matched to what we sent
(engine.partner_acks.match_acks) and told in words."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from engine.partner_acks import match_acks
from engine.process import Known, process_file
from schemas.finance import FinanceSettings
from schemas.functional_acks import FUNCTIONAL_ACKS, SENT_SETS
from schemas.profile import load_profiles
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "ack997"
SENT_AT = datetime(2026, 11, 27, 20, 0)  # the night's documents; acme's 997 window is 24 hours
RECEIVED = datetime(2026, 11, 28, 1, 0)
LATE = datetime(2026, 12, 1, 6, 0)
# (GS01, document, GS06 = ISA13, sets) of what that night sent acme
NIGHT = [("SH", "856", 42, 3), ("IN", "810", 43, 2), ("PR", "855", 44, 2), ("SH", "856", 45, 1),
         ("IN", "810", 46, 2), ("PR", "855", 47, 1), ("PR", "855", 48, 1), ("SH", "856", 49, 2),
         ("IN", "810", 50, 2), ("PR", "855", 51, 1), ("PR", "855", 52, 2), ("SH", "856", 53, 3)]


def take_in(name: str):
    acme = load_profiles(REPO / "partners")["acme"]
    data = (FIXTURES / name).read_bytes()
    return process_file(data, file=name, sha256=name, profile=acme, known=Known(), today=date(2026, 11, 28),
                        received_at=LATE if name.startswith("late") else RECEIVED)


def sent_that_night() -> pa.Table:
    return pa.Table.from_pylist([
        {"partner": "acme", "doc_type": doc, "functional_id": gs01, "isa13": f"{gs06:09d}", "gs06": str(gs06),
         "st02": f"{k:04d}", "sent_at": SENT_AT, "file": f"out-{doc}-{gs06}.x12", "po_number": f"PO-{gs06}",
         "document_ref": f"{doc}-{gs06}-{k}"} for gs01, doc, gs06, n in NIGHT for k in range(1, n + 1)],
        schema=SENT_SETS)


def test_a_005010_997_written_with_the_999s_notes_is_read_not_quarantined():
    """Some 005010 translators write IK3/IK4/IK5 in their 997s (the 999's notes) in place of AK3/AK4/AK5:
    the answers were read (the reader takes both), but the file was quarantined with a
    SEGMENT_NOT_IN_SET per IK segment and 'Mandatory AK5 is missing': ops told the partner's answer
    was refused. It is judged by the 999's table now; a bad one is still told (no IK5)."""
    out = take_in("ik_segments_in_997.x12")
    assert (out.findings, out.disposition, out.documents) == ([], "processed", [])
    assert out.functional_acks.select(["acked_st02", "set_status", "group_status"]).to_pylist() == [
        {"acked_st02": "0001", "set_status": "R", "group_status": "P"},
        {"acked_st02": "0002", "set_status": "A", "group_status": "P"}]
    [err] = out.functional_acks["errors"][0].as_py()
    assert (err["segment_id"], err["segment_position"], err["element_position"], err["bad_value"]) == \
        ("REF", 6, 2, "XY")
    broken = (FIXTURES / "ik_segments_in_997.x12").read_bytes().replace(b"IK5*A~\n", b"", 1)
    acme = load_profiles(REPO / "partners")["acme"]
    bad = process_file(broken.replace(b"SE*10*0001", b"SE*9*0001"), file="x", sha256="x", profile=acme,
                       known=Known(), today=date(2026, 11, 28))
    assert [f.code for f in bad.findings] == ["SEGMENT_MANDATORY_MISSING", "FA_SET_RESPONSE_MISSING"]  # still checked


def test_every_partner_answer_is_read_matched_and_told_in_words():
    """Every fixture read (none refused, none answered with a 997: X12 acknowledges no acknowledgment),
    and the night's documents get the verdicts the answers give, with their reasons in words."""
    acks, found = [], {}
    for path in sorted(FIXTURES.glob("*.x12")):
        out = take_in(path.name)
        assert out.documents == [], path.name  # no 997 (nor TA1) for a partner's answer
        found[path.name] = [f.code for f in out.findings]
        acks.append(out.functional_acks.cast(FUNCTIONAL_ACKS))
    assert found == {
        "accepted_ak9a_ak5e.x12": [], "ak103_in_004010.x12": [], "duplicate_of_partial.x12": [],
        "errors_only_ak9e.x12": [],
        "ik_segments_in_997.x12": [], "late_st02_zeros.x12": ["ELEMENT_TOO_SHORT"], "never_sent.x12": [],
        "only_999.x12": [], "partial_ak9p.x12": [], "several_groups.x12": [],
        "ta1_rejected.x12": ["FA_INTERCHANGE_REJECTED"], "version_005010_for_004010.x12": []}
    docs, findings = match_acks(sent_that_night(), pa.concat_tables(acks), settings={"acme": FinanceSettings()},
                                as_of=datetime(2026, 12, 1, 7, 0))
    status = {(r["gs06"], r["st02"]): (r["status"], r["ack_type"], r["ack_late"]) for r in docs.to_pylist()}
    a, e, r = "accepted", "accepted_with_errors", "rejected"
    assert status == {
        ("42", "0001"): (a, "997", False), ("42", "0002"): (r, "997", False), ("42", "0003"): (r, "997", False),
        ("43", "0001"): (e, "997", False), ("43", "0002"): (a, "997", False),
        ("44", "0001"): (a, "997", False), ("44", "0002"): (a, "997", False), ("45", "0001"): (a, "997", False),
        ("46", "0001"): (r, "997", False), ("46", "0002"): (a, "997", False),
        ("47", "0001"): (a, "997", False), ("48", "0001"): (a, "997", False),
        ("49", "0001"): (r, "997", False), ("49", "0002"): (a, "997", False),
        ("50", "0001"): (r, "999", False), ("50", "0002"): (a, "999", False),
        ("51", "0001"): (r, "TA1", False),
        ("52", "0001"): (a, "997", True), ("52", "0002"): (a, "997", True),  # 1 and 00002 name 0001 and 0002
        ("53", "0001"): (a, "997", False), ("53", "0002"): (e, "997", False), ("53", "0003"): (a, "997", False)}
    # the same answer twice is no conflict; a 997 for group 99 names nothing we sent
    assert [(f.code, f.location.value) for f in findings] == [("FA_UNMATCHED", "0001")]
    assert "in group SH GS06 99, which we never sent to acme" in findings[0].message
    reasons = {(r["gs06"], r["st02"]): r["reasons"] for r in docs.to_pylist()}
    assert "LIN03 (data element 235) in segment LIN at position 11 (loop HL): invalid code value, value 'XX'" \
        in reasons[("42", "0003")]
    assert reasons[("43", "0001")].startswith("set accepted, but errors were noted; IT104")
    assert "N104 (data element 67) in segment N1 at position 5" in reasons[("50", "0001")]
    assert reasons[("51", "0001")] == ("interchange 000000051 rejected (invalid interchange content (e.g. invalid GS"
                                       " segment)): none of its documents was processed")


def test_a_004010_997_whose_ak1_carries_005010s_ak103_is_read_not_quarantined():
    """AK1*PR*48*004010 in a 004010 997: AK103 (the version element 005010 added) is an element the 004010 AK1
    does not have; the file was quarantined (ELEMENT_TOO_MANY), its answer told to ops as refused. It is judged by
    005010's 997 table now: processed, the answer read with its AK103; a real fault in it is still told."""
    out = take_in("ak103_in_004010.x12")
    assert (out.findings, out.disposition) == ([], "processed")
    assert out.functional_acks.select(["acked_gs06", "acked_version", "acked_st02", "set_status"]).to_pylist() == [
        {"acked_gs06": "48", "acked_version": "004010", "acked_st02": "0001", "set_status": "A"}]
    acme = load_profiles(REPO / "partners")["acme"]
    data = (FIXTURES / "ak103_in_004010.x12").read_bytes()
    for wrong, code in ((data.replace(b"AK1*PR*48*004010~", b"AK1*PR*48*004010*X~"), "ELEMENT_TOO_MANY"),
                        (data.replace(b"AK9*A*1*1*1~\n", b"").replace(b"SE*6*", b"SE*5*"),
                         "SEGMENT_MANDATORY_MISSING")):  # an AK1 of four elements; no AK9
        assert wrong != data
        got = process_file(wrong, file="x", sha256="x", profile=acme, known=Known(), today=date(2026, 11, 28))
        assert code in [f.code for f in got.findings] and got.disposition == "quarantine"


def test_a_document_accepted_with_errors_is_listed_with_the_partners_notes():
    """AK501 E (under AK9 A, as the fixture's translator writes it): the partner took our 810 but noted
    IT104 too long. The report's documents section counted it and listed only rejected and overdue
    documents, so nobody read which 810 and what to mend; it is listed with the partner's notes now."""
    from engine.finance_report import documents_section

    out = take_in("accepted_ak9a_ak5e.x12")
    docs, _ = match_acks(sent_that_night(), out.functional_acks, settings={"acme": FinanceSettings()},
                         as_of=datetime(2026, 11, 28, 2, 0))
    _, _, html = documents_section(docs)
    assert "810-43-1" in html and "accepted with errors" in html
    assert "IT104 (data element 212) in segment IT1 at position 3 (loop IT1): data element too long" in html
    assert "810-43-2" not in html  # accepted: counted, not listed


def test_a_997_with_ik_notes_through_the_nightly_flow(tmp_path):
    """Night 1 sends ACME its 855s; ACME's translator, on 005010, answers with a 997 written with IK3/IK4/
    IK5, rejecting one: night 2 takes the file in as processed (it was quarantined), sends nothing back
    for it, and the reconciliation shows that 855 rejected with the partner's reasons in words."""
    from connectors.state import StateStore
    from engine.envelope import Envelope, wrap
    from flows.reconcile import reconcile_run
    from tests.support import make_workspace, run_stages

    night1, night2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
    ws = make_workspace(tmp_path / "ws")
    run_stages(ws, night1)
    store = StateStore(ws.state_path)
    try:
        ours = store.sent_sets_of(("855",), partner="acme").to_pylist()
    finally:
        store.close()
    assert len(ours) >= 2
    first, second = ours[0], ours[1]
    x = ws.partners()["acme"].x12
    env = Envelope(sender_qualifier=x.their_qualifier, sender_id=x.their_id, receiver_qualifier=x.our_qualifier,
                   receiver_id=x.our_id, gs_sender=x.their_gs_id, gs_receiver=x.our_gs_id, version="005010",
                   usage=x.usage, delimiters=x.delimiters.to_delimiters())
    bodies = [[["AK1", "PR", first["gs06"], "004010"], ["AK2", "855", first["st02"]], ["IK3", "ACK", "4", "PO1", "8"],
               ["IK4", "5", "373", "8", "20261310"], ["IK5", "R", "5"], ["AK9", "R", "1", "1", "0"]],
              [["AK1", "PR", second["gs06"], "004010"], ["AK2", "855", second["st02"]], ["IK5", "A"],
               ["AK9", "A", "1", "1", "1"]]]
    (ws.drop_root / "acme" / "inbox" / "acme-997-5010.x12").write_bytes(
        wrap(env, "FA", "997", bodies, isa13=9001, gs06=9001, st02s=[1, 2], now=datetime(2026, 11, 27, 22)))
    run_stages(ws, night2)
    store = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), store, now=night2, run_id="n2")
        [taken] = [f for f in store.files("acme") if f["name"] == "acme-997-5010.x12"]
        status = {(r["gs06"], r["st02"]): r for r in store.document_status() if r["partner"] == "acme"}
        sent_after = store.sent_sets_of(("997", "TA1"), partner="acme").to_pylist()
    finally:
        store.close()
    assert taken["status"] == "processed", taken
    rejected = status[(first["gs06"], first["st02"])]
    assert rejected["status"] == "rejected"
    assert "ACK05 (data element 373) in segment ACK at position 4 (loop PO1): invalid date, value '20261310'" in \
        rejected["reasons"]
    assert status[(second["gs06"], second["st02"])]["status"] == "accepted"
    assert not [r for r in sent_after if r["sent_at"] == night2]  # nothing sent back for a 997


def test_the_failure_report_says_what_to_do_about_a_partners_answer():
    """A TA1 rejecting our interchange and a 997 for what we never sent reached the failure report with the
    catalogue's description again as 'How to fix' (what happened, not what to do); each FA code has a hint."""
    from engine.report_failures import describe_code, hint_for
    from schemas.codes_finance import FINANCE_CODES

    for code in [c.code for c in FINANCE_CODES if c.code.startswith("FA_")]:
        assert describe_code(code) not in hint_for(code), code
    assert "send the documents again in a new interchange" in hint_for("FA_INTERCHANGE_REJECTED")


def test_sets_an_ak9_e_leaves_out_were_accepted_as_they_were():
    """A translator that lists only the sets it noted errors in (AK2 ... AK5 E) under AK9 E: the errors are
    that set's; the sets it leaves out were accepted clean, as under AK9 P. They read accepted with
    errors (and, now listed in the report, would have sent people looking for errors in them)."""
    out = take_in("errors_only_ak9e.x12")
    docs, findings = match_acks(sent_that_night(), out.functional_acks, settings={"acme": FinanceSettings()},
                                as_of=datetime(2026, 11, 28, 2, 0))
    status = {r["st02"]: r["status"] for r in docs.to_pylist() if r["gs06"] == "53"}
    assert status == {"0001": "accepted", "0002": "accepted_with_errors", "0003": "accepted"}
    assert findings == []


def test_a_set_its_group_answered_shows_the_groups_words_not_another_sets():
    """A set a 997 does not list is decided by the AK9 (P or E: accepted), but its status row carried the
    first listed set's AK5, notes and reasons: an 856 accepted 'set accepted, but errors were noted; TD504
    ... FEDX', the bad data of another ASN. It shows the group's verdict in words and no notes now."""
    out = take_in("errors_only_ak9e.x12")
    docs, _ = match_acks(sent_that_night(), out.functional_acks, settings={"acme": FinanceSettings()},
                         as_of=datetime(2026, 11, 28, 2, 0))
    rows = {r["st02"]: r for r in docs.to_pylist() if r["gs06"] == "53"}
    clean = rows["0001"]
    assert (clean["status"], clean["set_status"], clean["group_status"], clean["errors"]) == ("accepted", None, "E", [])
    assert clean["reasons"] == "not listed; by the group's AK9: group accepted, but errors were noted"
    noted = rows["0002"]
    assert noted["set_status"] == "E" and "TD504 (data element 67)" in noted["reasons"] and "'FEDX'" in noted["reasons"]
    assert [e["bad_value"] for e in noted["errors"]] == ["FEDX"]
