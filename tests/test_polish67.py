"""Small things a new user and ops noticed (session 67, polish67), each with the night or command that shows it."""

from __future__ import annotations

import shutil
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from connectors.state import StateStore
from flows.reconcile import reconcile_run
from tests.support import REPO, make_workspace, run_night

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


@pytest.fixture(scope="module")
def initech_rejects(tmp_path_factory):
    """The demo's INITECH over two real nights: night 2's drop holds INITECH's 997 rejecting our 855 for
    INITECH-3000 (AK5 R)."""
    ws = make_workspace(tmp_path_factory.mktemp("initech") / "ws", partners=("initech",))
    run_night(ws, NIGHT1)
    ack = REPO / "sample_files" / "drops-day2" / "initech" / "initech-997-night1.x12"
    shutil.copy2(ack, ws.drop_root / "initech" / "inbox" / ack.name)
    run = run_night(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:  # the finance flow after the night (flows.reconcile, as `orderbridge reconcile` runs it)
        reconcile_run(ws, ws.partners(), state, now=NIGHT2, run_id=run)
    finally:
        state.close()
    return ws, run


def test_the_dashboard_s_error_rate_leaves_out_the_partner_s_verdict_on_our_855(initech_rejects):
    """The dashboard's "Validation error rate" counted FA_DOCUMENT_REJECTED (INITECH's 997 rejecting our 855) as an
    error in what INITECH sent, while intake's line and `inspect` count none for that 997. It is left out now; the
    rejection is the reconciliation's DOCUMENT_REJECTED, and the page says so."""
    ws, run = initech_rejects
    folder = ws.root / "reports" / run / "finance"
    rows = pq.read_table(folder / "data" / "kpi_error_rate.parquet").to_pylist()
    assert rows, "INITECH's own input has errors (night 1) to count"
    assert "FA_DOCUMENT_REJECTED" not in {r["code"] for r in rows}, rows
    exceptions = pq.read_table(folder / "data" / "exceptions.parquet").to_pylist()
    assert ("DOCUMENT_REJECTED", "INITECH-3000") in {(e["type"], e["po_number"]) for e in exceptions}
    page = (folder / "dashboard.html").read_text()
    assert "is not counted here: the reconciliation lists it as DOCUMENT_REJECTED" in page


def test_the_hint_for_a_rejected_document_says_what_ops_can_do_with_commands_that_exist(initech_rejects):
    """Night 2's failures report told ops to "correct the document and send it again" for INITECH's rejection of our
    855; no command corrects an 855 and `resend` refuses a rejected document. The hint, the finding and its
    consequence now say so, and every command the hint names is one the CLI has, with the options it names."""
    import csv
    import re

    from typer.testing import CliRunner

    from engine.report_failures import hint_for
    from flows.cli import app

    ws, run = initech_rejects
    folder = ws.root / "reports" / run
    hints = {r["code"]: r["hint"] for r in csv.DictReader((folder / "failures-hints.csv").open(encoding="utf-8-sig"))}
    hint = hints["FA_DOCUMENT_REJECTED"]
    assert hint == hint_for("FA_DOCUMENT_REJECTED")
    assert "correct the document and send it again" not in hint and "resend` refuses" in hint
    [row] = [r for r in csv.DictReader((folder / "failures.csv").open(encoding="utf-8-sig"))
             if r["code"] == "FA_DOCUMENT_REJECTED"]
    assert "send it again" not in row["consequence"] and "Correct it" not in row["message"], row
    commands = re.findall(r"`orderbridge ([a-z-]+(?: [a-z-]+)?)((?: [A-Z]+| --[a-z-]+ [A-Z]+)*)`", hint)
    assert {c for c, _ in commands} >= {"record", "exception resolve"}, commands
    for command, args in commands:
        words = command.split()
        shown = CliRunner().invoke(app, [*words, "--help"], terminal_width=200)
        assert shown.exit_code == 0, (command, shown.output)
        for option in re.findall(r"--[a-z-]+", args):
            assert option in shown.output, (command, option)
    # and resend does refuse the rejected 855, as the hint says
    refused = CliRunner().invoke(app, ["resend", "--partner", "initech", "--po", "INITECH-3000", "--type", "855",
                                       "--by", "Ops", "--note", "asked", "--dry-run", "-w", str(ws.root)])
    assert refused.exit_code == 2 and "rejected" in refused.output, refused.output


@pytest.fixture(scope="module")
def acme_night(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("acme") / "ws", partners=("acme",))
    run_night(ws, NIGHT1)
    return ws


def test_status_prints_money_with_the_currency_s_decimals_and_its_json_keeps_the_exact_number(acme_night):
    """`status ACME-1001` printed "value acknowledged 485.1 USD" where the console prints 485.10; it prints the
    currency's decimals now. --json is for programs: it keeps the stored number exact, unchanged."""
    import json

    from typer.testing import CliRunner

    from flows.cli import app

    ws = acme_night
    text = CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "-w", str(ws.root)])
    assert text.exit_code == 0, text.output
    assert "value acknowledged 485.10 USD)" in " ".join(text.stdout.split())
    doc = json.loads(CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "--json",
                                              "-w", str(ws.root)]).stdout)
    assert doc["order"]["value"] == "485.1" and doc["order"]["currency"] == "USD"


@pytest.mark.parametrize(("value", "currency", "text"), [
    ("485.1", "USD", "485.10"), ("0", "USD", "0.00"), ("1160.6", "CAD", "1,160.60"), ("38.0200", "USD", "38.02"),
    ("4.575", "USD", "4.575"),  # a value finer than the cent is kept exact, never rounded away
    ("42240", "JPY", "42,240"), ("42240.00", "JPY", "42,240"), ("12.5", "KWD", "12.500"), ("7", "", "7.00"),
    (None, "USD", ""), ("-3.1", "eur", "-3.10"),
])
def test_money_text(value, currency, text):
    from schemas.money_text import money_text

    assert money_text(value, currency) == text


def test_reject_says_what_the_next_run_sends_and_the_next_run_sends_it(acme_night, tmp_path):
    """`reject` said "the next run sends the 855" (the README: "an 855 RD"). It says what goes now, an 855 BAK02 RD
    with each line ACK IR, and the next night's 855 for the order is exactly that."""
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.workspace import Workspace

    shutil.copytree(acme_night.root, tmp_path / "ws", symlinks=True)
    ws = Workspace((tmp_path / "ws").resolve())
    res = CliRunner().invoke(app, ["reject", "ACME-1011", "--partner", "acme", "--by", "Lee", "--reason", "credit",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert ("acme/ACME-1011: rejected by Lee; the next run sends an 855 RD refusing the order (BAK02 RD, each line "
            "ACK IR).") in " ".join(res.output.split())
    res = CliRunner().invoke(app, ["approve", "ACME-1010", "--partner", "acme", "--by", "Lee", "--note", "promo",
                                   "-w", str(ws.root)])
    assert "acme/ACME-1010: approved by Lee; the next run sends the 855." in " ".join(res.output.split())
    run_night(ws, NIGHT2)
    [sent] = [f for f in (ws.drop_root / "acme" / "outbox").glob("*.x12") if "*ACME-1011*" in f.read_text()]
    segs = [s.split("*") for s in sent.read_text().replace("\n", "").split("~") if s]
    [bak] = [s for s in segs if s[0] == "BAK"]
    assert bak[2] == "RD"
    assert {s[1] for s in segs if s[0] == "ACK"} == {"IR"}


@pytest.mark.parametrize(("receives", "verdict", "said"), [
    (("997", "855"), "rejected", "an 855 RD refusing the order (BAK02 RD, each line ACK IR)"),
    (("997", "855"), "approved", "the 855"),
    (("997", "870"), "rejected", "its 870 with each line canceled (ISR01 IC)"),
    (("855", "csv_ack"), "rejected",
     "an 855 RD refusing the order (BAK02 RD, each line ACK IR) and its CSV acknowledgment (each line rejected)"),
    (("csv_ack",), "approved", "its CSV acknowledgment"),
    (("997",), "rejected", "no answer (the partner's profile receives none for orders)"),
])
def test_the_answer_to_a_decision_follows_what_the_profile_receives(receives, verdict, said):
    from engine import lifecycle

    assert lifecycle.people.decision_answer(verdict, receives) == said


@pytest.mark.parametrize(("element", "said"), [
    ("IEA01", "value read as stated; the interchange accepted with errors noted (TA1 E, TA105 021)"),
    ("GE01", "value read as stated; the group acknowledged A (the 997 has no code for it): in our reports only"),
    ("SE01", "value read as stated; set accepted with errors noted (997 AK4 code 6, AK5 E)"),
    ("SAC05", "value read as stated; set accepted with errors noted (997 AK4 code 6, AK5 E)"),
])
def test_implied_decimal_stated_s_consequence_is_what_the_acknowledgment_says(element, said):
    """IMPLIED_DECIMAL_STATED's consequence read "none (warning)" though the 997 notes it (AK5 E) or the TA1 (021)."""
    from engine.acks import NOTED_IN_997, TA1_NOTED
    from engine.lifecycle.intake import implied_decimal_consequence

    assert implied_decimal_consequence(element) == said
    assert "IMPLIED_DECIMAL_STATED" in NOTED_IN_997 and TA1_NOTED[("IMPLIED_DECIMAL_STATED", "IEA01")] == "021"
