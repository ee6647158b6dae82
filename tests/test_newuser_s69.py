"""What a new ops user met in a first week on a fresh clone (session 69, newuser4), each fixed with its test:
a partner set up by the onboarding guide's "partner without EDI" paragraph, a night through the command line
(`orderbridge run --no-prefect`, as the README runs it), the words the commands print."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from tests.support import make_workspace

CSV_ONLY = """# a shop without EDI: CSV orders in, a CSV acknowledgment back; no [x12] table
# (docs/onboarding.md, "A partner without EDI": "no [x12] table needed unless it receives 856s or 810s")
id = "umbrella"
name = "Umbrella Stores"
receives = ["csv_ack"]
accepts = ["csv"]

[fulfilment.csv_orders]
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_format = "%d.%m.%Y"
"""


def _csv_only_workspace(root: Path):
    ws = make_workspace(root, partners=("acme", "umbrella"))
    (ws.partners_dir / "umbrella.toml").write_text(CSV_ONLY)
    return ws


def test_a_csv_partner_without_an_x12_table_is_taken_answered_and_stops_no_one(tmp_path):
    """A CSV-only partner's profile without [x12] loads and `partner check` calls it ready, but the night's
    intake of its file failed ("'NoneType' object has no attribute 'order_key_column'") and decide failed for
    every partner ("... no attribute 'usage'"): ACME's orders were taken and never answered."""
    ws = _csv_only_workspace(tmp_path / "ws")
    check = CliRunner().invoke(app, ["partner", "check", "umbrella", "-w", str(ws.root)])
    assert check.exit_code == 0 and "partner umbrella: ready" in check.stdout, check.stdout
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00", "--no-prefect",
                                   "--no-gx"])
    assert "FAILED" not in res.stdout and "AttributeError" not in res.stdout, res.stdout
    assert res.exit_code in (0, 1), res.stdout
    state = StateStore(ws.state_path)
    try:
        order = state.order("umbrella", "UMB-6001")
        assert (order.state.value, order.answered_with) == ("acknowledged", "CSV")
        assert [d["doc_type"] for d in state.documents_for_order("umbrella", "UMB-6001")] == ["CSV"]
        assert state.order("acme", "ACME-1001").answered_with == "855"  # the X12 partner beside it answered
    finally:
        state.close()
    (ack,) = (ws.drop_root / "umbrella" / "outbox").glob("*.csv")
    assert ack.read_bytes().decode("utf-8-sig").splitlines()[1].startswith("UMB-6001,1,IA,Accepted,20,20,0,EA,")


def test_resend_takes_a_csv_acknowledgment_by_the_name_its_profile_gives_it(tmp_path):
    """`resend --po PO --type csv_ack` (the name `receives` and `partner check` give the document) said "partner
    umbrella has no document the csv_ack of PO UMB-6001 that we made": only `--type CSV` found it."""
    ws = _csv_only_workspace(tmp_path / "ws")
    CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00", "--no-prefect", "--no-gx"])
    args = ["resend", "--partner", "umbrella", "--po", "UMB-6001", "--by", "Ann", "--note", "never came",
            "--dry-run", "-w", str(ws.root)]
    for typed in ("csv_ack", "CSV", "csv", "csv-ack"):
        res = CliRunner().invoke(app, [*args, "--type", typed])
        assert res.exit_code == 0 and "Would send CSV umbrella-csv-ack-000000001.csv" in res.stdout, (typed, res.output)
    res = CliRunner().invoke(app, [*args, "--type", "855"])
    assert res.exit_code == 2
    assert "partner umbrella has no 855 of PO UMB-6001 that we made: nothing to send again" in res.output, res.output


def test_reject_and_recheck_help_do_not_promise_what_only_approve_does():
    """--held-for's help, shared by approve, reject and recheck, said "approve skips an order held for other codes
    as well" in reject's and recheck's help too: only approve skips one (flows.cli._also_held_for)."""
    said = {c: CliRunner().invoke(app, [c, "--help"], terminal_width=200).stdout for c in ("approve", "reject",
                                                                                           "recheck")}
    assert "An order held for other codes as well is skipped" in " ".join(said["approve"].split())
    for c in ("reject", "recheck"):
        assert "--held-for" in said[c] and "skipped, naming them" not in " ".join(said[c].split()), said[c]
        assert "approve skips" not in " ".join(said[c].split()), said[c]


def test_a_command_a_new_user_types_for_another_names_it():
    """`orderbridge trace PO` (the word the brief, and many tools, use for an order's story) said only "No such
    command 'trace'. Did you mean 'state'?", which leads nowhere; `failures` said nothing at all."""
    res = CliRunner().invoke(app, ["trace", "NW-10001"])
    assert res.exit_code == 2
    said = " ".join(res.output.split())
    assert "No such command 'trace': an order's story" in said and "`orderbridge status PO`" in said, said
    assert "Did you mean 'state'" not in said
    res = CliRunner().invoke(app, ["failures"])
    assert res.exit_code == 2 and "failures.html" in res.output and "orderbridge exceptions" in res.output
    res = CliRunner().invoke(app, ["staus", "X"])  # a typo is still told the near commands, as before
    assert res.exit_code == 2 and "Did you mean 'status'" in res.output


BAD_SETS = """ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000007001*0*P*>~
GS*PC*ACMERETAIL*ORDERBRIDGE*20261126*0200*7001*X*004010~
ST*860*0001~
BCH*04*SA*ACME-1000~
POC*1*QI*20*20*EA*19.70*PE*UP*614141100101~
CTT*1~
SE*5*0001~
GE*1*7001~
GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*7002*X*004010~
ST*850*0001~
BEG*00*SA*ACME-7002**20261126~
PO1*1*12*EA*19.70*PE*UP*614141100101~
CTT*1~
SE*9*0001~
GE*1*7002~
IEA*2*000007001~
"""


def test_a_rejected_860_says_its_change_was_not_applied_not_that_its_order_was_not_taken(tmp_path):
    """An 860 refused for its syntax (BCH06 missing) was reported "transaction set rejected (997 AK5 R); its order
    not taken; file quarantined" in the failures report and the order's findings: read as if the order were gone,
    while it stays as it was. A rejected 850 beside it still says its order was not taken."""
    from datetime import datetime

    from tests.support import run_night, write_settled

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    write_settled(ws.drop_root / "acme" / "inbox" / "acme-bad-sets.x12", BAD_SETS.encode())
    run_night(ws, datetime(2026, 11, 27, 2))
    state = StateStore(ws.state_path)
    try:
        said = {(f["code"], f["consequence"]) for f in state.findings() if f["file"] == "acme-bad-sets.x12"}
    finally:
        state.close()
    assert ("ELEMENT_MANDATORY_MISSING", "transaction set rejected (997 AK5 R); its change not applied (the order "
            "stays as it was); file quarantined") in said, said
    assert ("SE_COUNT_MISMATCH", "transaction set rejected (997 AK5 R); its order not taken; file quarantined") in said


SAME_QUANTITY = """\
ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*0200*U*00401*000007101*0*P*>~
GS*PC*ACMERETAIL*ORDERBRIDGE*20261127*0200*7101*X*004010~
ST*860*0001~
BCH*04*SA*ACME-1000***20261126~
POC*1*QI*10*10*EA*19.70*PE*UP*614141100101~
CTT*1~
SE*5*0001~
GE*1*7101~
IEA*1*000007101~
"""


def test_a_quantity_increase_that_is_none_says_its_numbers_as_people_write_them(tmp_path):
    """An 860 'increasing' line 1 to the 10 it already orders was refused "POC03 (10.0000) is not above the current
    10.0000 on a quantity increase", its value 10.0000: the store's four decimals, which the buyer never sent."""
    from datetime import datetime

    from tests.support import run_night, write_settled

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_night(ws, datetime(2026, 11, 27, 2))
    write_settled(ws.drop_root / "acme" / "inbox" / "acme-same-qty.x12", SAME_QUANTITY.encode())
    run_night(ws, datetime(2026, 11, 28, 2))
    state = StateStore(ws.state_path)
    try:
        said = [(f["value"], f["message"]) for f in state.findings() if f["code"] == "CHANGE_QUANTITY_INVALID"]
    finally:
        state.close()
    assert said == [("10", "POC03 (10) is not above the current 10 on a quantity increase.")], said


def test_partner_check_says_where_a_partners_files_go(tmp_path):
    """`partner check` said where our documents go (its delivery: lines) but not where the partner's files are read
    from: a new user with a ready CSV partner had no drop folder and no word of one."""
    ws = _csv_only_workspace(tmp_path / "ws")
    (ws.partners_dir / "contoso.toml").write_text(CSV_ONLY.replace('"umbrella"', '"contoso"'))
    said = CliRunner().invoke(app, ["partner", "check", "contoso", "-w", str(ws.root)], terminal_width=300).stdout
    assert ("intake: files are read from drop/contoso/inbox/ (not there yet: the first run makes it, or make it and "
            "put the partner's first files in it)\n") in said, said
    said = CliRunner().invoke(app, ["partner", "check", "acme", "-w", str(ws.root)], terminal_width=300).stdout
    assert ("intake: files are read from drop/acme/inbox/; a VAN mailbox's download goes in mailbox/inbox/ "
            "(docs/onboarding.md)\n") in said, said


def test_the_finance_reports_card_counts_one_exception_in_the_singular():
    """A night with one exception read "1 exceptions" at the top of the finance report."""
    from engine.finance_report import build_finance_report, render_html
    from tests.test_finance_report import AS_OF, reconciled

    r = reconciled()
    one = render_html(build_finance_report(r.lines, r.exceptions.slice(0, 1), r.evidence, as_of=AS_OF))
    assert 'id="card-exceptions"><b>1</b>exception</div>' in one
    many = render_html(build_finance_report(r.lines, r.exceptions, r.evidence, as_of=AS_OF))
    assert f'id="card-exceptions"><b>{r.exceptions.num_rows}</b>exceptions</div>' in many


def test_the_summary_page_says_what_each_report_it_links_is(tmp_path):
    """summary.html's "Reports and data" listed the finance report, the dashboards, their data and the reservations
    by their keys ("finance/finance-report.html: finance_report", "../finance/data: cumulative_finance_data"): a list
    that says nothing to a person choosing which to open."""
    import html
    import json
    import re

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00", "--no-prefect",
                                   "--no-gx"])
    assert res.exit_code in (0, 1), res.output
    (folder,) = (ws.root / "reports").glob("2026*")
    reports = json.loads((folder / "summary.json").read_text())["reports"]
    assert {"finance_report", "dashboard", "finance_data", "cumulative_finance_report", "cumulative_dashboard",
            "cumulative_finance_data", "reservations"} <= set(reports), reports
    page = (folder / "summary.html").read_text()
    said = dict(re.findall(r'<li><a href="[^"]*">([^<]*)</a>: ([^<]*)</li>', page))
    for key, name in reports.items():
        if key == "summary_html":
            continue
        text = html.unescape(said[html.escape(name)])
        assert text != key and "_" not in text.split(":")[0], (key, text)
