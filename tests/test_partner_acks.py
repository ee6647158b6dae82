"""Partners' 997s and 999s for our documents: read (parsers.functional_acks) with the reasons in words,
matched to what we sent (engine.partner_acks) into accepted / accepted with errors / rejected / overdue /
pending, with findings for acknowledgments of things we never sent."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from engine.partner_acks import match_acks
from parsers.functional_acks import read_functional_acks
from parsers.x12_reader import read_interchanges
from schemas.ack_reasons import reason
from schemas.errors import ConfigError
from schemas.finance import FinanceSettings
from schemas.functional_acks import FUNCTIONAL_ACKS, SENT_SETS
from tests.support import corpus_dir

ISA = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*U*{ver}*"
       "{isa13:09d}*0*P*>~\n")


def interchange(sets: list[list[str]], *, st01: str = "997", gs08: str = "004010", gs_date: str = "20261127",
                gs_time: str = "1200", isa13: int = 7, gs06: str = "70") -> bytes:
    """One FA group of ``sets`` (each a list of segments between ST and SE)."""
    ver = "00501" if gs08 >= "005010" else "00401"
    out = [ISA.format(ver=ver, isa13=isa13), f"GS*FA*ACMERETAIL*ORDERBRIDGE*{gs_date}*{gs_time}*{gs06}*X*{gs08}~\n"]
    for k, body in enumerate(sets, start=1):
        st02 = f"{k:04d}"
        out.append(f"ST*{st01}*{st02}~\n")
        out.extend(s + "~\n" for s in body)
        out.append(f"SE*{len(body) + 2}*{st02}~\n")
    out.append(f"GE*{len(sets)}*{gs06}~\n")
    out.append(f"IEA*1*{isa13:09d}~\n")
    return "".join(out).encode()


def read(data: bytes, *, file: str = "ack.x12", received_at: datetime | None = None, partner: str = "acme"):
    result = read_interchanges(data, file=file)
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    return read_functional_acks(result, partner=partner, received_at=received_at)


# --- reading ------------------------------------------------------------------------------------


def test_corpus_997s_read_with_reasons_in_words():
    corpus = corpus_dir() / "x12" / "997"
    table, findings = read_functional_acks(read_interchanges((corpus / "staedi__simple997.edi").read_bytes(),
                                                             file="simple997.edi"), partner="p")
    assert not findings
    row = table.to_pylist()[0]
    assert (row["acked_functional_id"], row["acked_gs06"], row["acked_set_id"], row["acked_st02"]) == \
        ("HC", "000001", "837", "0021")
    assert (row["set_status"], row["set_error_codes"], row["group_status"]) == ("R", ["5"], "R")
    assert (row["sets_included"], row["sets_received"], row["sets_accepted"]) == (1, 1, 0)
    [err] = row["errors"]
    assert (err["segment_id"], err["segment_position"], err["segment_error"]) == ("NM1", 8, "8")
    assert (err["element_position"], err["element_ref"], err["element_error"], err["bad_value"]) == (8, "66", "7", "MI")
    assert "invalid code value" in err["reason"] and "'MI'" in err["reason"]
    assert row["reasons"].startswith("set rejected (one or more segments in error)")
    assert row["ack_created_at"] == datetime(2005, 8, 12, 19, 53, 35)

    multi, _ = read_functional_acks(read_interchanges(
        (corpus / "staedi__simple997-multiple-interchanges.edi").read_bytes()), partner="p")
    assert multi.num_rows == 3 and set(multi["isa13"].to_pylist()) == {"000000001", "000000002", "000000003"}

    accepted, _ = read_functional_acks(read_interchanges(
        (corpus / "stupidedi__004010-FA997-pass-1.edi").read_bytes()), partner="p")
    assert accepted.select(["acked_functional_id", "acked_gs06", "acked_set_id", "acked_st02", "set_status",
                            "group_status"]).to_pylist() == [
        {"acked_functional_id": "AG", "acked_gs06": "160", "acked_set_id": "824", "acked_st02": "0160",
         "set_status": "A", "group_status": "A"}]

    empty, notes = read_functional_acks(read_interchanges((corpus / "staedi__empty997.edi").read_bytes()),
                                        partner="p")
    assert empty.num_rows == 0 and [f.code for f in notes] == ["FA_ACKNOWLEDGES_NOTHING"]

    group_only, _ = read_functional_acks(read_interchanges((corpus / "staedi__invalid997_min.edi").read_bytes()),
                                         partner="p")
    assert group_only.select(["acked_st02", "group_status"]).to_pylist() == [{"acked_st02": None, "group_status": "R"}]


def test_999_implementation_notes_and_ctx_are_read():
    data = interchange([[
        "AK1*SH*1001*005010", "AK2*856*0001*005010", "IK3*TD5*6*TD5*I6", "CTX*SITUATIONAL TRIGGER*TD5*6",
        "IK3*MAN*14*HL*8", "IK4*2>1*87*I12*00123", "CTX*MAN02", "IK4*1*88*7*XX", "IK5*R*I5*5", "AK9*R*1*1*0",
    ]], st01="999", gs08="005010X231")
    table, findings = read(data)
    assert not findings
    row = table.to_pylist()[0]
    assert row["ack_type"] == "999" and row["acked_version"] == "005010" and row["acked_implementation"] == "005010"
    assert row["set_error_codes"] == ["I5", "5"]
    assert [(e["segment_id"], e["segment_error"], e["element_position"], e["component_position"],
             e["element_error"]) for e in row["errors"]] == [
        ("TD5", "I6", None, None, None), ("MAN", "8", 2, 1, "I12"), ("MAN", "8", 1, None, "7")]
    assert "implementation dependent segment missing" in row["errors"][0]["reason"]
    assert "MAN02-1 (data element 87)" in row["errors"][1]["reason"]
    assert "implementation pattern match failure" in row["errors"][1]["reason"]
    assert "implementation: one or more segments in error" in row["reasons"]


def test_reason_meanings_follow_the_version():
    assert reason("group", "19", "004010") == "S1E security end segment missing for S1S security start segment"
    assert reason("group", "19", "005010") == "functional group control number not unique within interchange"
    assert reason("set", "23", "004010") == "transaction set control number not unique within the functional group"
    assert reason("segment", "3") == "mandatory segment missing"
    assert reason("element", "ZZ") == "code ZZ (not in the X12 code list)"
    assert reason("set_status", "W") == "rejected: assurance failed validity tests"


def test_incomplete_acknowledgments_are_findings_not_errors():
    data = interchange([["AK1*SH*1001", "AK2*856*0001", "AK3*TD5*6**3", "AK2*856*0002", "AK5*Q"]])
    table, findings = read(data)
    assert sorted(f.code for f in findings) == ["FA_GROUP_RESPONSE_MISSING", "FA_SET_RESPONSE_MISSING",
                                                "FA_STATUS_UNKNOWN"]
    assert table.select(["acked_st02", "set_status", "group_status"]).to_pylist() == [
        {"acked_st02": "0001", "set_status": None, "group_status": None},
        {"acked_st02": "0002", "set_status": "Q", "group_status": None}]
    missing = next(f for f in findings if f.code == "FA_SET_RESPONSE_MISSING")
    assert missing.location.segment_id == "AK2" and missing.location.segment_position == 3
    assert table.schema.equals(FUNCTIONAL_ACKS)


# --- matching -----------------------------------------------------------------------------------

SENT_AT = datetime(2026, 11, 27, 2, 0)
AS_OF = datetime(2026, 11, 28, 12, 0)  # 34 hours after SENT_AT


def sent(rows: list[tuple]) -> pa.Table:
    """(partner, doc_type, gs01, gs06, st02[, sent_at]) -> SENT_SETS."""
    out = []
    for r in rows:
        partner, doc, gs01, gs06, st02 = r[:5]
        out.append({"partner": partner, "doc_type": doc, "functional_id": gs01, "isa13": f"{int(gs06):09d}",
                    "gs06": gs06, "st02": st02, "sent_at": r[5] if len(r) > 5 else SENT_AT,
                    "file": f"out-{doc}-{gs06}.x12", "po_number": "PO-1", "document_ref": f"{doc}-{gs06}-{st02}"})
    return pa.Table.from_pylist(out, schema=SENT_SETS)


SETTINGS = {"acme": FinanceSettings(), "globex": FinanceSettings(ack_997_hours=48)}


def status_of(table: pa.Table) -> dict[tuple[str, str, str], str]:
    return {(r["partner"], r["gs06"], r["st02"]): r["status"] for r in table.to_pylist()}


def test_each_sent_set_gets_its_verdict():
    acks, _ = read(interchange([
        ["AK1*PR*100", "AK2*855*0001", "AK5*A", "AK9*A*1*1*1"],
        ["AK1*SH*200", "AK2*856*0001", "AK3*TD5*6*TD5*3", "AK2*856*0002", "AK3*HL*9*HL*8",
         "AK4*2*734*1", "AK5*R*5", "AK9*P*3*3*2"],
        ["AK1*IN*300", "AK2*810*0001", "AK5*E", "AK9*E*1*1*1"],
    ]), received_at=datetime(2026, 11, 27, 8, 30))
    out, findings = match_acks(sent([
        ("acme", "855", "PR", "100", "0001"),
        ("acme", "856", "SH", "200", "0001"),  # its AK2 has no AK5: unanswered, 34 h > 24 h
        ("acme", "856", "SH", "200", "0002"),
        ("acme", "856", "SH", "200", "0003"),  # not listed under a P group: accepted
        ("acme", "810", "IN", "300", "0001"),
        ("acme", "810", "IN", "301", "0001"),  # nothing came, 34 h > 24 h
        ("globex", "810", "IN", "301", "0001"),  # nothing came, 34 h < 48 h
    ]), acks, settings=SETTINGS, as_of=AS_OF)
    assert not [f for f in findings if f.code != "FA_SET_RESPONSE_MISSING"]
    assert status_of(out) == {
        ("acme", "100", "0001"): "accepted",
        ("acme", "200", "0001"): "overdue",
        ("acme", "200", "0002"): "rejected",
        ("acme", "200", "0003"): "accepted",
        ("acme", "300", "0001"): "accepted_with_errors",
        ("acme", "301", "0001"): "overdue",
        ("globex", "301", "0001"): "pending",
    }
    rejected = next(r for r in out.to_pylist() if r["status"] == "rejected")
    assert "HL02 (data element 734) in segment HL at position 9 (loop HL): mandatory data element missing" \
        in rejected["reasons"]
    assert rejected["minutes_to_ack"] == 390 and rejected["ack_late"] is False
    assert rejected["ack_file"] == "ack.x12" and rejected["ack_st02"] == "0002"
    overdue = next(r for r in out.to_pylist() if r["status"] == "overdue" and r["doc_type"] == "810")
    assert overdue["due_at"] == datetime(2026, 11, 28, 2, 0) and overdue["acked_at"] is None


def test_group_answers_and_group_rejection_override_the_set():
    acks, _ = read(interchange([
        ["AK1*SH*400", "AK9*A*2*2*2"],  # the whole group accepted, no AK2s
        ["AK1*IN*500", "AK2*810*0001", "AK5*A", "AK9*R*1*1*0*4"],  # GE02 mismatch: the group is rejected
    ], gs_date="20261129", gs_time="0100"))
    out, findings = match_acks(sent([("acme", "856", "SH", "400", "0001"), ("acme", "856", "SH", "400", "0002"),
                                     ("acme", "810", "IN", "500", "0001")]), acks, settings=SETTINGS, as_of=AS_OF)
    assert not findings
    assert list(status_of(out).values()) == ["accepted", "accepted", "rejected"]
    rows = out.to_pylist()
    assert rows[2]["reasons"].endswith("group rejected (group control number in the functional group header and "
                                       "trailer do not agree)")
    assert rows[0]["ack_late"] is True  # acknowledged 47 h after sending (created at 2026-11-29 01:00)


def test_acknowledgments_of_what_we_never_sent_are_findings():
    acks, _ = read(interchange([["AK1*PR*100", "AK2*855*0009", "AK5*A", "AK9*A*1*1*1"],
                                ["AK1*PR*999", "AK9*A*1*1*1"],
                                ["AK1*SH*100", "AK2*855*0001", "AK5*A", "AK9*A*1*1*1"]]))  # wrong GS01
    out, findings = match_acks(sent([("acme", "855", "PR", "100", "0001")]), acks, settings=SETTINGS, as_of=AS_OF)
    assert status_of(out) == {("acme", "100", "0001"): "overdue"}
    assert [f.code for f in findings] == ["FA_UNMATCHED"] * 3
    assert [f.location.segment_id for f in findings] == ["AK2", "AK1", "AK2"]
    assert "ST02 0009" in findings[0].message and "never sent to acme" in findings[0].message


def test_the_latest_answer_counts_and_a_disagreement_is_a_finding():
    first, _ = read(interchange([["AK1*IN*300", "AK2*810*0001", "AK5*R*5", "AK9*R*1*1*0"]]), file="first.x12",
                    received_at=datetime(2026, 11, 27, 5, 0))
    second, _ = read(interchange([["AK1*IN*300", "AK2*810*0001", "AK5*A", "AK9*A*1*1*1"]], isa13=8),
                     file="second.x12", received_at=datetime(2026, 11, 27, 9, 0))
    table = pa.concat_tables([second, first])  # input order must not matter
    out, findings = match_acks(sent([("acme", "810", "IN", "300", "0001")]), table, settings=SETTINGS, as_of=AS_OF)
    assert status_of(out) == {("acme", "300", "0001"): "accepted"}
    assert out["ack_file"].to_pylist() == ["second.x12"]
    assert [f.code for f in findings] == ["FA_ACK_CONFLICT"]
    assert "accepted, rejected" in findings[0].message


def test_partner_without_settings_is_a_config_error():
    with pytest.raises(ConfigError):
        match_acks(sent([("initech", "855", "PR", "1", "0001")]), FUNCTIONAL_ACKS.empty_table(), settings=SETTINGS,
                   as_of=AS_OF)


def test_matching_is_deterministic():
    acks, _ = read(interchange([["AK1*PR*100", "AK2*855*0001", "AK5*A", "AK9*A*1*1*1"]]))
    s = sent([("acme", "855", "PR", "100", "0001"), ("acme", "855", "PR", "101", "0001"),
              ("globex", "855", "PR", "100", "0001")])
    a, _ = match_acks(s, acks, settings=SETTINGS, as_of=AS_OF)
    b, _ = match_acks(s.take([2, 0, 1]), acks, settings=SETTINGS, as_of=AS_OF)
    assert a.equals(b)


@pytest.mark.parametrize("element,table", [("715", "group_status"), ("716", "group"), ("717", "set_status"),
                                           ("720", "segment"), ("723", "element")])
def test_every_code_of_the_x12_dictionary_has_a_meaning_in_words(element, table):
    from schemas.x12dict import dictionary

    codes = dictionary("004010").codes(element)
    assert codes, f"the 004010 dictionary holds no list for {element}"
    missing = sorted(c for c in codes if "not in the X12 code list" in reason(table, c, "004010"))
    assert not missing, f"{element} codes without words: {missing}"


def test_a_999_in_a_partners_file_is_taken_like_a_997():
    """A 005010 partner that answers with a 999 (IK5) gets its file processed, not quarantined with
    ST_SET_UNSUPPORTED: the profile accepts its 997s, and a 999 is read alike."""
    from datetime import date

    from engine.process import Known, process_file
    from schemas.profile import load_profiles
    from tests.support import REPO

    acme = load_profiles(REPO / "partners")["acme"]
    data = interchange([["AK1*PR*1*005010", "AK2*855*0001*005010X231A1", "IK5*A", "AK9*A*1*1*1"]], st01="999",
                       gs08="005010X231A1")
    out = process_file(data, file="ack.x12", sha256="s", profile=acme, known=Known(), today=date(2026, 11, 27))
    assert (out.findings, out.disposition, [d.doc_type for d in out.documents]) == ([], "processed", [])
    assert out.functional_acks.column("ack_type").to_pylist() == ["999"]
    bad = interchange([["AK1*PR*1*005010", "AK9*A*1*1*1"]], st01="998", gs08="005010X231A1")
    out = process_file(bad, file="ack.x12", sha256="s", profile=acme, known=Known(), today=date(2026, 11, 27))
    assert "ST_SET_UNSUPPORTED" in [f.code for f in out.findings]  # other sets in an FA group: still refused


def test_each_ak1_of_a_997_keeps_its_own_answers():
    """A 997 set with two AK1s (out of order: the standard has one per set; seen from translators that
    batch their answers) answers each group with the AK2s and AK9 that follow its AK1: the first
    group's 855 is accepted, not taken for a set of the second group (it used to be an FA_UNMATCHED
    and an FA_ACK_CONFLICT rejecting the second group's 855)."""
    acks, _ = read(interchange([["AK1*PR*4", "AK2*855*0004", "AK5*A", "AK9*A*1*1*1",
                                 "AK1*PR*5", "AK2*855*0005", "AK5*R*5", "AK9*R*1*1*0"]]))
    assert acks.select(["acked_gs06", "acked_st02", "set_status", "group_status"]).to_pylist() == [
        {"acked_gs06": "4", "acked_st02": "0004", "set_status": "A", "group_status": "A"},
        {"acked_gs06": "5", "acked_st02": "0005", "set_status": "R", "group_status": "R"}]
    out, findings = match_acks(sent([("acme", "855", "PR", "4", "0004"), ("acme", "855", "PR", "5", "0005")]), acks,
                               settings=SETTINGS, as_of=AS_OF)
    assert status_of(out) == {("acme", "4", "0004"): "accepted", ("acme", "5", "0005"): "rejected"}
    assert findings == []
    whole, _ = read(interchange([["AK1*IN*7", "AK9*A*1*1*1", "AK1*IN*8", "AK9*R*1*1*0*5"]]))
    assert whole.select(["acked_gs06", "acked_st02", "group_status"]).to_pylist() == [
        {"acked_gs06": "7", "acked_st02": None, "group_status": "A"},
        {"acked_gs06": "8", "acked_st02": None, "group_status": "R"}]


def test_a_partners_ta1_rejecting_our_interchange_is_a_finding_not_ignored():
    """A partner's TA1 for one of our interchanges: R (it took none of the documents in it, and no 997
    will come for them) and E are findings in words, in a file still processed; A, before a 997
    group, adds nothing and the 997 is still read. They used to be passed over without a word."""
    from datetime import date

    from engine.process import Known, process_file
    from schemas.profile import load_profiles
    from tests.support import REPO

    acme = load_profiles(REPO / "partners")["acme"]

    def run(data: bytes):
        return process_file(data, file="ta1.x12", sha256="s", profile=acme, known=Known(), today=date(2026, 11, 28))

    isa = ISA.format(ver="00401", isa13=41)
    rejected = run(f"{isa}TA1*000000012*261128*0200*R*022~\nIEA*0*000000041~\n".encode())
    assert rejected.disposition == "processed"
    [f] = rejected.findings
    assert (f.code, f.severity, f.location.segment_id, f.location.value, f.location.isa13, f.location.file_segment) \
        == ("FA_INTERCHANGE_REJECTED", "error", "TA1", "000000012", "000000041", 2)
    assert "our interchange 000000012 (note 022: invalid control structure)" in f.message
    noted = run(f"{isa}TA1*000000012*261128*0200*E*001~\nTA1*000000013*261128*0200*Q*000~\n"
                "IEA*0*000000041~\n".encode())
    assert [(f.code, f.location.value) for f in noted.findings] == [("FA_INTERCHANGE_NOTED", "000000012"),
                                                                    ("FA_STATUS_UNKNOWN", "Q")]
    data = interchange([["AK1*IN*11", "AK2*810*0011", "AK5*A", "AK9*A*1*1*1"]], isa13=42).decode()
    data = data.replace("~\nGS*", "~\nTA1*000000011*261128*0200*A*000~\nGS*", 1)
    accepted = run(data.encode())
    assert (accepted.findings, accepted.disposition) == ([], "processed")
    assert accepted.functional_acks.select(["ack_type", "acked_gs06", "acked_st02", "set_status", "acked_isa13",
                                            "interchange_status"]).to_pylist() == [
        {"ack_type": "997", "acked_gs06": "11", "acked_st02": "0011", "set_status": "A", "acked_isa13": None,
         "interchange_status": None},
        {"ack_type": "TA1", "acked_gs06": None, "acked_st02": None, "set_status": None, "acked_isa13": "000000011",
         "interchange_status": "A"}]  # the TA1 kept too (it decides nothing: A)


def test_a_partner_who_sends_no_997s_is_never_overdue_but_an_answer_still_counts():
    """A partner whose profile accepts no 997 (a CSV order partner receiving our X12 856s and 810s)
    cannot acknowledge what we send: its unanswered documents are not_expected, never overdue (no
    DOCUMENT_UNACKNOWLEDGED at every reconciliation); should an answer come, it decides as for anyone."""
    from flows.reconcile import settings_of
    from schemas.profile import load_profiles
    from tests.support import REPO

    profiles = load_profiles(REPO / "partners")
    settings = settings_of(profiles)
    assert settings["umbrella"].expects_997 is False and settings["acme"].expects_997 is True
    acks, _ = read(interchange([["AK1*IN*300", "AK2*810*0001", "AK5*R*5", "AK9*R*1*1*0"]]), partner="umbrella")
    rows = [("umbrella", "856", "SH", "200", "0001"), ("umbrella", "810", "IN", "300", "0001"),
            ("acme", "856", "SH", "200", "0001")]
    out, _ = match_acks(sent(rows), acks, settings=settings, as_of=AS_OF)  # 34 h after sending
    assert status_of(out) == {("umbrella", "200", "0001"): "not_expected", ("umbrella", "300", "0001"): "rejected",
                              ("acme", "200", "0001"): "overdue"}


def ta1s(answers: list[tuple[str, str, str]], *, isa13: int = 51, received_at: datetime | None = None,
         partner: str = "acme") -> tuple[pa.Table, list]:
    """A partner's interchange of TA1s, one per (our ISA13, TA104, TA105), read as FUNCTIONAL_ACKS rows."""
    from parsers.functional_acks import read_interchange_acks

    body = "".join(f"TA1*{ours}*261127*0200*{code}*{note}~\n" for ours, code, note in answers)
    result = read_interchanges(f"{ISA.format(ver='00401', isa13=isa13)}{body}IEA*0*{isa13:09d}~\n".encode(),
                               file=f"ta1-{isa13}.x12")
    return read_interchange_acks(result, result.interchanges, partner=partner, received_at=received_at)


def test_a_ta1_rejecting_our_interchange_rejects_every_set_in_it_whatever_a_997_says():
    """TA104 R: every set we sent in that interchange (TA101 = our ISA13, by value) reads rejected, the
    TA105 note in words; it wins over a 997 for them, before or after it (X12: a rejected interchange
    was not processed), with FA_ACK_CONFLICT at the answer that came last. TA104 E and A decide nothing.
    Before, a TA1 was a finding only and these sets turned overdue."""
    rows = [("acme", "856", "SH", "200", "0001"), ("acme", "856", "SH", "200", "0002"),
            ("acme", "810", "IN", "300", "0001"), ("acme", "855", "PR", "400", "0001")]
    s = sent(rows)  # ISA13 = GS06: 000000200, 000000300, 000000400
    ta1, notes = ta1s([("000000200", "R", "022"), ("300", "R", "024"), ("000000400", "E", "001")],
                      received_at=datetime(2026, 11, 27, 4, 0))
    assert [f.code for f in notes] == ["FA_INTERCHANGE_REJECTED", "FA_INTERCHANGE_REJECTED", "FA_INTERCHANGE_NOTED"]
    out, findings = match_acks(s, ta1, settings=SETTINGS, as_of=AS_OF)
    assert findings == []
    assert status_of(out) == {("acme", "200", "0001"): "rejected", ("acme", "200", "0002"): "rejected",
                              ("acme", "300", "0001"): "rejected", ("acme", "400", "0001"): "overdue"}
    first = out.to_pylist()[0]
    assert (first["ack_type"], first["ack_file"], first["set_status"], first["minutes_to_ack"]) == \
        ("TA1", "ta1-51.x12", None, 120)
    assert first["reasons"] == "interchange 000000200 rejected (invalid control structure): none of its " \
        "documents was processed"
    # a 997 accepting the 810 afterwards (or before) does not undo the TA1
    for when in (datetime(2026, 11, 27, 9, 0), datetime(2026, 11, 27, 3, 0)):
        later, _ = read(interchange([["AK1*IN*300", "AK2*810*0001", "AK5*A", "AK9*A*1*1*1"]], isa13=9),
                        file="later.x12", received_at=when)
        out, findings = match_acks(s, pa.concat_tables([later, ta1]), settings=SETTINGS, as_of=AS_OF)
        assert status_of(out)[("acme", "300", "0001")] == "rejected"
        [conflict] = findings
        assert conflict.code == "FA_ACK_CONFLICT" and "the TA1 rejecting interchange 300 counts" in conflict.message
        assert conflict.location.file == ("later.x12" if when.hour == 9 else "ta1-51.x12")


def test_a_ta1_for_an_interchange_we_never_sent_is_unmatched():
    """A TA1 naming none of our interchanges to that partner is FA_UNMATCHED; one answering an
    interchange of our 997s alone (``interchanges``) is not."""
    from engine.partner_acks import file_findings

    ta1, _ = ta1s([("000000777", "A", "000"), ("000000200", "A", "000"), ("000000900", "A", "000")])
    s = sent([("acme", "856", "SH", "200", "0001")])
    out, findings = match_acks(s, ta1, settings=SETTINGS, as_of=AS_OF)
    assert [(f.code, f.location.value, f.location.segment_id) for f in findings] == [
        ("FA_UNMATCHED", "000000777", "TA1"), ("FA_UNMATCHED", "000000900", "TA1")]
    assert status_of(out) == {("acme", "200", "0001"): "overdue"}  # A decides nothing
    ours = pa.table({"partner": ["acme"], "isa13": ["900"]})
    found = file_findings(s, FUNCTIONAL_ACKS.empty_table(), ta1, settings=SETTINGS, as_of=AS_OF, interchanges=ours)
    assert [f.location.value for f in found] == ["000000777"]


def test_a_997_acknowledging_our_997_is_kept_but_decides_and_says_nothing():
    """X12 has functional acknowledgments never acknowledged; a partner that answers our 997s anyway
    (AK101 FA) is no FA_UNMATCHED ("never sent": we did send them) and decides none of our documents;
    nor do we answer its FA group with a 997 of ours (no loop)."""
    from datetime import date

    from engine.process import Known, process_file
    from schemas.profile import load_profiles
    from tests.support import REPO

    acks, notes = read(interchange([["AK1*FA*7", "AK2*997*0007", "AK5*A", "AK9*A*1*1*1"],
                                    ["AK1*FA*8", "AK9*A*1*1*1"]]))
    assert notes == [] and acks.num_rows == 2
    out, findings = match_acks(sent([("acme", "855", "PR", "7", "0007")]), acks, settings=SETTINGS, as_of=AS_OF)
    assert findings == [] and status_of(out) == {("acme", "7", "0007"): "overdue"}
    acme = load_profiles(REPO / "partners")["acme"]
    done = process_file(interchange([["AK1*FA*7", "AK2*997*0007", "AK5*A", "AK9*A*1*1*1"]]), file="ack.x12",
                        sha256="s", profile=acme, known=Known(), today=date(2026, 11, 28))
    assert [d.doc_type for d in done.documents] == [] and done.functional_acks.num_rows == 1


def test_an_ak2_listed_twice_does_not_hide_the_sets_it_leaves_out():
    """A 997 that lists one set twice (AK2 0001 twice) under AK9 A*2 has not answered every set of the
    group one by one: the set it leaves out is answered by the group's AK9 (it used to stay unanswered,
    the two AK2s counted as two sets)."""
    acks, _ = read(interchange([["AK1*SH*200", "AK2*856*0001", "AK5*A", "AK2*856*0001", "AK5*A",
                                 "AK9*A*2*2*2"]]))
    out, findings = match_acks(sent([("acme", "856", "SH", "200", "0001"), ("acme", "856", "SH", "200", "0002")]),
                               acks, settings=SETTINGS, as_of=AS_OF)
    assert findings == []
    assert status_of(out) == {("acme", "200", "0001"): "accepted", ("acme", "200", "0002"): "accepted"}


def test_n0_values_written_with_a_decimal_point_are_read_as_their_numbers():
    """AK902-AK904, AK302 and AK401's parts are N0: a whole number written with its point ("1.0", "12.", "4.00")
    is the number it states, as the element check reads it (IMPLIED_DECIMAL_STATED); what is no whole number
    ("1.5", "x") stays unread."""
    acks, _ = read(interchange([["AK1*PR*100", "AK2*855*0001", "AK3*N1*12.**8", "AK4*4.0>1.*67*7*ZZZ", "AK5*R*5",
                                 "AK9*R*1.0*1.*0.00"]]))
    (row,) = acks.to_pylist()
    assert (row["sets_included"], row["sets_received"], row["sets_accepted"]) == (1, 1, 0)
    assert [(e["segment_position"], e["element_position"], e["component_position"]) for e in row["errors"]] == [
        (12, 4, 1)]
    assert "N104-1 (data element 67) in segment N1 at position 12" in row["reasons"]
    odd, _ = read(interchange([["AK1*PR*100", "AK2*855*0001", "AK3*N1*1.5**8", "AK5*R*5", "AK9*R*x*1*0"]]))
    (row,) = odd.to_pylist()
    assert row["sets_included"] is None and row["errors"][0]["segment_position"] is None
