"""Partners' 864 Text Messages (compliance notices, chargeback warnings, announcements: words for people):
a GS TX group of a partner whose profile accepts "864" (the default) is answered 997 AK5 A, each MIT loop is
read (parsers.text_messages: BMG02 subject, DTM date, N1 parties, REF*PO, the MSG lines), kept with the run
(flows.text_messages: reports/<run>/messages/*.parquet and messages.json) and shown on the run's failures
page under "Messages from partners", on the console's run page, and in `orderbridge status` of a PO a REF*PO
names; a malformed 864 is findings and a 997 AK5 R, never a crash; a partner
whose profile leaves "864" out keeps the refusal (GS_FUNCTIONAL_ID_UNSUPPORTED, the file quarantined)."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from engine.process import Known, process_file
from engine.report_messages import render_messages_section
from parsers.text_messages import read_text_messages
from parsers.x12_reader import read_interchanges
from schemas.profile import PartnerProfile
from tests.support import make_workspace, run_night

FIXTURE = Path(__file__).parent / "fixtures" / "tx864" / "acme-864.x12"
NIGHT = datetime(2026, 11, 28, 2, 0)


def _acme(**update) -> PartnerProfile:
    import tomllib

    with open(Path(__file__).parents[1] / "partners" / "acme.toml", "rb") as f:
        return PartnerProfile.model_validate(tomllib.load(f)).model_copy(update=update)


def _process(data: bytes, profile: PartnerProfile):
    return process_file(data, file="acme-864.x12", sha256="s", profile=profile, known=Known(), today=NIGHT.date(),
                        received_at=NIGHT)


def _ack(out) -> list[list[str]]:
    [doc] = [d for d in out.documents if d.doc_type == "997"]
    return [list(s) for s in doc.bodies[0]]


def test_each_mit_loop_is_a_message_with_its_subject_parties_po_and_lines():
    result = read_interchanges(FIXTURE.read_bytes(), file=FIXTURE.name)
    rows = read_text_messages(result, result.transaction_sets(), partner="acme", source_sha256="s").to_pylist()
    assert [(r["message_ref"], r["message_id"], r["message_subject"]) for r in rows] == [
        ("000009401-9401-0001-1", "VC-2026-1127-01", "ASN RECEIVED AFTER DELIVERY"),
        ("000009401-9401-0001-2", "VC-2026-1127-02", "HOLIDAY RECEIVING HOURS")]
    first, second = rows
    assert first["subject"] == second["subject"] == "COMPLIANCE NOTICE - LATE ASN CHARGEBACK WARNING"
    assert first["dated"] == date(2026, 11, 27) and first["purpose"] == "00"
    assert first["po_numbers"] == ["ACME-1001"] and second["po_numbers"] == []
    assert first["parties"] == ["FR ACME RETAIL GROUP", "TO ORDERBRIDGE SUPPLY CO", "ST ACME DC 0042"]
    assert len(first["lines"]) == 5 and first["lines"][0].startswith("The advance ship notice for PO ACME-1001")
    assert first["lines"][-1] == "back at 2% of the invoice value (minimum USD 150.00)."
    assert second["lines"] == ["All ACME distribution centres close at 14:00 on 12/24/2026 and reopen",
                               "on 12/26/2026 at 06:00. Book delivery appointments accordingly."]


def test_the_group_is_accepted_by_a_997_and_the_file_processed():
    out = _process(FIXTURE.read_bytes(), _acme())
    assert out.disposition == "processed" and [f.code for f in out.findings] == []
    assert _ack(out) == [["AK1", "TX", "9401"], ["AK2", "864", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    assert out.text_messages.num_rows == 2


def test_a_profile_accepts_864_by_default():
    profile = PartnerProfile.model_validate({"id": "kroger", "name": "Kroger", "x12": {
        "their_qualifier": "ZZ", "their_id": "KROGER", "our_qualifier": "ZZ", "our_id": "US",
        "their_gs_id": "KROGER", "our_gs_id": "US", "version": "004010"}})
    assert "864" in profile.accepts


def test_a_partner_not_accepting_864_keeps_the_refusal():
    out = _process(FIXTURE.read_bytes(), _acme(accepts=("850", "860", "997")))
    assert out.disposition == "quarantine"
    assert [(f.code, f.severity) for f in out.findings] == [("GS_FUNCTIONAL_ID_UNSUPPORTED", "error")]
    assert ["AK5", "R", "1"] in _ack(out) and _ack(out)[-1][:2] == ["AK9", "R"]
    assert out.text_messages.num_rows == 0


def test_a_malformed_864_is_findings_and_a_rejection_not_a_crash():
    data = FIXTURE.read_bytes()
    data = data.replace(b"BMG*00*COMPLIANCE NOTICE - LATE ASN CHARGEBACK WARNING~", b"")  # BMG is mandatory
    data = data.replace(b"MIT*VC-2026-1127-02*HOLIDAY RECEIVING HOURS~", b"MIT~")  # MIT01 is mandatory
    data = data.replace(b"SE*18*", b"SE*17*")
    out = _process(data, _acme())
    assert [(f.code, f.location.segment_id, f.location.element) for f in out.findings] == [
        ("SEGMENT_MANDATORY_MISSING", "BMG", ""), ("ELEMENT_MANDATORY_MISSING", "MIT", "MIT01")]
    assert ["AK3", "BMG", "2", "", "3"] in _ack(out) and ["AK5", "R", "5"] in _ack(out)
    assert out.disposition == "quarantine"
    # a rejected set is the partner's to send again (its 997 says so); its words are kept for people, marked so
    assert out.text_messages.num_rows == 2 and out.text_messages["accepted"].to_pylist() == [False, False]


def test_the_reader_is_tolerant_of_what_a_set_leaves_out():
    body = b"ST*864*0001~MSG*NO MIT BEFORE THIS LINE~REF*PO~MIT~MSG~DTM*097*2026~SE*7*0001~"
    data = FIXTURE.read_bytes()
    start, end = data.index(b"ST*864"), data.index(b"GE*")
    result = read_interchanges(data[:start] + body + data[end:], file="odd.x12")
    rows = read_text_messages(result, result.transaction_sets(), partner="acme").to_pylist()
    assert [(r["subject"], r["message_id"], r["lines"], r["po_numbers"]) for r in rows] == [
        (None, None, ["NO MIT BEFORE THIS LINE"], []), (None, None, [""], [])]
    assert rows[0]["dated"] == date(2026, 11, 27)  # no DTM in the heading: the group's GS04


def test_the_section_escapes_partner_text():
    result = read_interchanges(FIXTURE.read_bytes().replace(b"HOLIDAY RECEIVING HOURS", b"<script>x</script>"),
                               file=FIXTURE.name)
    html = "".join(render_messages_section(read_text_messages(result, result.transaction_sets(), partner="acme")))
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "Messages from partners" in html


def _malformed() -> bytes:
    """The fixture without its BMG (mandatory) and with an empty MIT01 (mandatory): rejected, 997 AK5 R."""
    data = FIXTURE.read_bytes()
    data = data.replace(b"BMG*00*COMPLIANCE NOTICE - LATE ASN CHARGEBACK WARNING~", b"")  # BMG is mandatory
    data = data.replace(b"MIT*VC-2026-1127-02*HOLIDAY RECEIVING HOURS~", b"MIT~")  # MIT01 is mandatory
    return data.replace(b"SE*18*", b"SE*17*")


def test_a_rejected_864s_text_is_still_read_and_marked_not_accepted():
    """A malformed 864 is refused (997 AK5 R: the partner is to send it again) but its words were written for
    people, and ops never saw them: what can be read of it is kept, marked not accepted."""
    out = _process(_malformed(), _acme())
    assert ["AK5", "R", "5"] in _ack(out)
    assert out.text_messages["accepted"].to_pylist() == [False, False]
    assert out.text_messages["message_id"].to_pylist() == ["VC-2026-1127-01", None]
    assert any("A second occurrence within 90 days" in ln for ln in out.text_messages["lines"][0].as_py())
    good = _process(FIXTURE.read_bytes(), _acme())
    assert good.text_messages["accepted"].to_pylist() == [True, True]


def test_the_failures_page_shows_a_rejected_864_marked_not_accepted(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    (ws.drop_root / "acme" / "inbox" / "acme-864-bad.x12").write_bytes(_malformed())
    run_id = run_night(ws, NIGHT)
    html = (ws.reports_dir / run_id / "failures.html").read_text()
    assert '<h2 id="messages">Messages from partners</h2>' in html
    assert "ASN RECEIVED AFTER DELIVERY" in html and "All ACME distribution centres close at 14:00" in html
    section = html[html.index('id="messages"'):]
    assert "not accepted" in section and "997 AK5 R" in section
    kept = json.loads((ws.reports_dir / run_id / "messages.json").read_text())
    assert [m["accepted"] for m in kept] == [False, False]
    from console.reading import messages_of
    from flows.message_reports import naming

    assert [m["subject"] for m in naming(ws, "acme", "ACME-1001")] == [
        "[not accepted (997 AK5 R: malformed, the partner is asked to send it again)]"]  # `status ACME-1001`
    assert all("not accepted" in m["subject"] for m in messages_of(ws.reports_dir, run_id))  # the console's run page


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("tx864") / "ws", partners=("acme",))
    shutil.copy(FIXTURE, ws.drop_root / "acme" / "inbox" / FIXTURE.name)
    run_id = run_night(ws, NIGHT)
    return ws, run_id


def test_the_night_answers_the_864_with_a_997_accepting_it(night):
    ws, _ = night
    acks = [p.read_text() for p in (ws.drop_root / "acme" / "outbox").iterdir() if "AK1*TX*9401" in p.read_text()]
    assert len(acks) == 1 and "AK2*864*0001" in acks[0] and "AK5*A" in acks[0] and "AK9*A*1*1*1" in acks[0]
    assert (ws.drop_root / "acme" / "processed" / FIXTURE.name).exists()


def test_the_runs_failures_page_shows_the_messages(night):
    ws, run_id = night
    folder = ws.reports_dir / run_id
    html = (folder / "failures.html").read_text()
    assert '<h2 id="messages">Messages from partners</h2>' in html
    for words in ("COMPLIANCE NOTICE - LATE ASN CHARGEBACK WARNING", "ASN RECEIVED AFTER DELIVERY", "ACME-1001",
                  "2026-11-27", "A second occurrence within 90 days will be charged",
                  "All ACME distribution centres close at 14:00"):
        assert words in html, words
    kept = json.loads((folder / "messages.json").read_text())
    assert [m["message_id"] for m in kept] == ["VC-2026-1127-01", "VC-2026-1127-02"]
    assert json.loads((folder / "summary.json").read_text())["reports"]["messages"] == "messages.json"


def test_a_run_that_completes_a_crashed_one_shows_its_messages(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    shutil.copy(FIXTURE, ws.drop_root / "acme" / "inbox" / FIXTURE.name)
    crashed = run_night(ws, NIGHT, stop_after="intake")
    assert not (ws.reports_dir / crashed).exists()
    later = run_night(ws, datetime(2026, 11, 29, 2, 0))
    kept = json.loads((ws.reports_dir / later / "messages.json").read_text())
    assert [m["message_id"] for m in kept] == ["VC-2026-1127-01", "VC-2026-1127-02"]
    assert "HOLIDAY RECEIVING HOURS" in (ws.reports_dir / later / "failures.html").read_text()


def test_status_of_the_po_the_message_names_shows_it(night):
    from typer.testing import CliRunner

    from flows.cli import app

    ws, _ = night
    res = CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "-w", str(ws.root), "--json"])
    assert res.exit_code == 0, res.output
    [said] = json.loads(res.stdout)["partner_messages"]
    assert (said["subject"], said["message"], said["dated"], said["file"]) == (
        "COMPLIANCE NOTICE - LATE ASN CHARGEBACK WARNING", "VC-2026-1127-01 · ASN RECEIVED AFTER DELIVERY",
        "2026-11-27", FIXTURE.name)
    assert said["lines"][2] == "manual an ASN must be received before the shipment arrives."
    res = CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "-w", str(ws.root)])
    assert res.exit_code == 0 and "naming this PO" in res.output and "VC-2026-1127-01" in res.output
    res = CliRunner().invoke(app, ["status", "ACME-1000", "--partner", "acme", "-w", str(ws.root), "--json"])
    assert res.exit_code == 0 and "partner_messages" not in json.loads(res.stdout)


def test_the_consoles_run_page_lists_the_messages(night):
    from tests.support_console import Client, ConsoleServer, add_users

    ws, run_id = night
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-28T09:30:00") as s:
        c = Client(s.url)
        c.sign_in("vic")
        status, body = c.get(f"/runs/{run_id}")
    assert status == 200 and '<h2 id="messages">Messages from partners</h2>' in body
    for words in ("COMPLIANCE NOTICE - LATE ASN CHARGEBACK WARNING", "HOLIDAY RECEIVING HOURS", "ACME-1001",
                  "Book delivery appointments accordingly.", "messages from partners (JSON)"):
        assert words in body, words


def test_a_rejected_864_read_in_batches_is_kept_as_a_whole_read_keeps_it():
    from tests.test_intake_batches import _batched_file, _whole_file

    data = _malformed()
    whole = [r for o in _whole_file(data) for r in o.text_messages.to_pylist()]
    batched, split = _batched_file(data)
    assert split == 1 and [r for o in batched for r in o.text_messages.to_pylist()] == whole
    assert [r["accepted"] for r in whole] == [False, False]
