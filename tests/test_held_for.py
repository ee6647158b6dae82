"""What an order is held for is the findings that held it (their outcome holds the order or a line), not every
code it has: `approvals`' "held for:" counts, `approve|reject|recheck --held-for CODE` and the console's reason
filter (all of them the store's hold_codes) name a credit hold, not the case pack rounded on a line beside it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from engine import lifecycle
from flows.cli import app
from tests.support import from_template, make_workspace, run_stages

NIGHT1 = datetime(2026, 11, 27, 2)


def _850(*orders: tuple[str, str]) -> bytes:
    sets = []
    for n, (po, po1) in enumerate(orders, start=1):
        body = [f"BEG*00*SA*{po}**20261120", "CUR*BY*USD", "DTM*010*20261210",
                "N1*ST*Acme Distribution Center*92*DC01", po1, "CTT*1"]
        sets.append(f"ST*850*{n:04d}~\n" + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*{n:04d}~\n")
    return ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000007101*0*P*>"
            "~\nGS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*7101*X*004010~\n" + "".join(sets)
            + f"GE*{len(sets)}*7101~\nIEA*1*000007101~\n").encode()


def _build(folder: Path) -> None:
    """ACME on a credit hold: HF-PACK's pens (case pack 12) ordered 5 (CASE_PACK_ROUNDED, a line changed, not held),
    HF-PLAIN plain; both held for CREDIT_LIMIT_EXCEEDED alone."""
    ws = make_workspace(folder, partners=("acme",))
    customers = ws.root / "reference" / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,50000.00", "acme,100.00"))
    (ws.drop_root / "acme" / "inbox" / "acme-hf.x12").write_bytes(_850(
        ("HF-PACK", "PO1*1*5*EA*39.20*PE*UP*614141100248"), ("HF-PLAIN", "PO1*1*2*EA*19.70*PE*UP*614141100101")))
    run_stages(ws, NIGHT1)


@pytest.fixture()
def ws(tmp_path):
    from flows.workspace import Workspace

    from_template("held-for-night1", tmp_path / "ws", _build)
    return Workspace((tmp_path / "ws").resolve())


def cli(ws, *args):
    return CliRunner().invoke(app, [*args, "-w", str(ws.root)])


def test_an_order_is_held_for_the_finding_that_held_it_not_a_line_code_beside_it(ws):
    store = StateStore(ws.state_path)
    pack = store.order("acme", "HF-PACK")
    assert pack.state in lifecycle.AWAITING_PERSON
    assert "CASE_PACK_ROUNDED" in pack.codes  # the line was rounded up, and that is still said
    assert pack.hold_codes == ("CREDIT_LIMIT_EXCEEDED",)
    reasons = store.hold_codes(lifecycle.AWAITING_PERSON)  # the console's reason filter offers these
    assert "CREDIT_LIMIT_EXCEEDED" in reasons and "CASE_PACK_ROUNDED" not in reasons
    assert store.search_orders(states=lifecycle.AWAITING_PERSON, hold_code="CASE_PACK_ROUNDED") == []
    listed = cli(ws, "approvals")
    assert listed.exit_code == 0, listed.output
    held_for = listed.output[listed.output.index("held for:"):]
    assert "CREDIT_LIMIT_EXCEEDED (" in held_for and "CASE_PACK_ROUNDED" not in held_for
    picked = cli(ws, "approve", "--all-held", "--held-for", "CASE_PACK_ROUNDED", "--by", "Dana", "--note", "x",
                 "--dry-run")
    assert picked.exit_code == 0, picked.output
    assert "HF-PACK" not in picked.output



def _f(code: str, line: int | None = None):
    from schemas.findings import Finding, Location

    return Finding(code, "error", code, Location(line_number=line))


def _weighed(*findings):
    from schemas.outcomes import outcome_for

    order_level, per_line = [], {}
    for f in findings:
        pair = (outcome_for(f.code), f)
        if f.location.line_number is None:
            order_level.append(pair)
        else:
            per_line.setdefault(f.location.line_number, []).append(pair)
    return order_level, per_line


@pytest.mark.parametrize(("findings", "held_for"), [
    # a credit hold, a line rounded up to its case pack beside it: held for the credit alone
    ((_f("CREDIT_LIMIT_EXCEEDED"), _f("CASE_PACK_ROUNDED", 1)), ("CREDIT_LIMIT_EXCEEDED",)),
    # a line held (no price on file), another rounded: held for the line's hold
    ((_f("PRICE_NOT_ON_FILE", 1), _f("CASE_PACK_ROUNDED", 2)), ("PRICE_NOT_ON_FILE",)),
    # a line both held and refused (the item unknown): refused, answered IR, not held for its price
    ((_f("PRICE_NOT_ON_FILE", 1), _f("ITEM_UNKNOWN", 1)), ()),
    # an order-scope hold found on a line holds the order
    ((_f("DISCOUNT_OVER_THRESHOLD", 3), _f("CASE_PACK_ROUNDED", 3)), ("DISCOUNT_OVER_THRESHOLD",)),
    # every hold named, in code order
    ((_f("SHIP_TO_UNKNOWN"), _f("CREDIT_LIMIT_EXCEEDED"), _f("PRICE_NOT_ON_FILE", 2)),
     ("CREDIT_LIMIT_EXCEEDED", "PRICE_NOT_ON_FILE", "SHIP_TO_UNKNOWN")),
])
def test_the_codes_an_order_is_held_for_are_those_whose_outcome_holds_it(findings, held_for):
    from engine.decide import _holding_codes

    assert _holding_codes(*_weighed(*findings)) == held_for


def _lift_credit(ws) -> None:
    customers = ws.root / "reference" / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,100.00", "acme,5000000.00"))


def _held(ws) -> dict[str, tuple[str, ...]]:
    return {o.po_number: o.hold_codes for o in StateStore(ws.state_path).orders(states=lifecycle.AWAITING_PERSON)}


def test_recheck_of_the_orders_held_for_a_code_after_the_reference_is_fixed(ws):
    before = _held(ws)
    assert {"HF-PACK", "HF-PLAIN"} <= set(before)
    credit_only = {po for po, codes in before.items() if codes == ("CREDIT_LIMIT_EXCEEDED",)}
    also_else = {po for po, codes in before.items() if "CREDIT_LIMIT_EXCEEDED" in codes} - credit_only
    others = set(before) - credit_only - also_else
    assert credit_only and also_else  # ACME-1010 is held for its discount too
    _lift_credit(ws)
    runs = len(StateStore(ws.state_path).runs())
    dry = cli(ws, "recheck", "--all-held", "--partner", "acme", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Robin",
              "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would be cleared" in dry.stdout and "HF-PACK" in dry.stdout and "nothing was recorded" in dry.stdout
    assert "0 would be skipped" in dry.stdout
    assert _held(ws) == before and len(StateStore(ws.state_path).runs()) == runs  # nothing recorded
    done = cli(ws, "recheck", "--all-held", "--partner", "acme", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Robin")
    assert done.exit_code == 0, done.output
    assert f"{len(also_else)} order(s) still held, {len(credit_only)} cleared by Robin" in done.stdout
    after = _held(ws)
    assert set(after) == also_else | others  # the orders held for credit alone cleared; the others untouched
    assert all("CREDIT_LIMIT_EXCEEDED" not in after[po] for po in also_else)  # still held, for the rest only
    history = StateStore(ws.state_path).order_history("acme", "HF-PACK")
    assert (history[-1]["event"], history[-1]["clock"], history[-1]["actor"]) == ("recheck_cleared", "wall", "Robin")


def test_recheck_of_several_pos_names_each_one_skipped_with_why(ws):
    _lift_credit(ws)
    one = cli(ws, "recheck", "HF-PACK", "--by", "Robin")  # one PO alone, as it always was (no --partner needed)
    assert one.exit_code == 0 and "1 held order(s) rechecked" in one.stdout, one.output
    res = cli(ws, "recheck", "HF-PACK", "ACME-1000", "NO-SUCH-PO", "HF-PLAIN", "--partner", "acme", "--by", "Robin")
    assert res.exit_code == 3, res.output
    assert "0 order(s) still held, 2 cleared by Robin; the next run answers them, 2 skipped." in res.stdout
    assert "skipped acme/HF-PACK: is received: only an order waiting for a person is rechecked" in res.stderr
    assert "skipped acme/NO-SUCH-PO" in res.stderr
    rows = [line for line in res.stdout.splitlines() if "HF-" in line or "ACME-1000" in line or "NO-SUCH" in line]
    assert [next(po for po in ("HF-PACK", "ACME-1000", "NO-SUCH-PO", "HF-PLAIN") if po in r) for r in rows] == [
        "HF-PACK", "ACME-1000", "NO-SUCH-PO", "HF-PLAIN"]  # in the order named
    assert {"HF-PACK", "HF-PLAIN", "ACME-1000"}.isdisjoint(_held(ws))


@pytest.mark.parametrize(("args", "says"), [
    (["HF-PACK", "HF-PLAIN"], "--partner is needed with PO numbers"),
    (["HF-PACK", "--partner", "acme", "--held-for", "CREDIT_LIMIT_EXCEEDED"], "leave them out"),
    (["HF-PACK", "--partner", "acme", "--all-held"], "not both"),
    (["--all-held", "--since", "27/11/2026"], "must be a date"),
    (["--held-for", "CREDIT_LIMIT"], "no finding code is called that"),
    (["--all-held", "--partner", "nobody"], "no partner"),
])
def test_recheck_used_wrongly_does_nothing(ws, args, says):
    before, runs = _held(ws), len(StateStore(ws.state_path).runs())
    res = cli(ws, "recheck", *args, "--by", "Robin")
    assert res.exit_code == 2, res.output
    assert says in res.output
    assert _held(ws) == before and len(StateStore(ws.state_path).runs()) == runs


def test_recheck_help_names_every_option_and_its_exit_statuses():
    res = CliRunner().invoke(app, ["recheck", "--help"], env={"COLUMNS": "200"})
    said = " ".join(res.stdout.split())
    for option in ("--all-held", "--held-for", "--since", "--until", "--dry-run", "--partner", "--release"):
        assert option in said
    assert "Exit status 0" in said and "3: some were skipped" in said


def test_status_of_an_approved_order_answered_rd_for_no_stock_says_no_person_rejected_it(ws):
    """ACME-1011 held for credit, approved by Dana; the next night places none of its 2,000 toner (no stock, no
    receipt) and answers 855 RD, every line IR: its status says so, not a bare 'rejected'."""
    from datetime import datetime

    from tests.support import run_stages

    approved = cli(ws, "approve", "ACME-1011", "--partner", "acme", "--by", "Dana", "--note", "ok")
    assert approved.exit_code == 0, approved.output
    rejected = cli(ws, "reject", "ACME-1010", "--partner", "acme", "--by", "Lee", "--reason", "promo not agreed")
    assert rejected.exit_code == 0, rejected.output
    run_stages(ws, datetime(2026, 11, 28, 2))
    res = cli(ws, "status", "ACME-1011", "--partner", "acme")
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert ("855 RD: no line accepted (every line IR): line 1 (SKU-1030): no stock, no expected receipt covers them "
            "(STOCK_SHORT_REJECTED); Dana approved the order first, the rejection is not a person's") in said
    import json

    doc = json.loads(cli(ws, "status", "ACME-1011", "--partner", "acme", "--json").stdout)
    assert doc["order"]["state"] == "rejected" and doc["order"]["ack_type"] == "RD"  # the 855 is unchanged
    assert doc["order"]["rejected_for"].startswith("no line accepted (every line IR)")
    by_person = " ".join(cli(ws, "status", "ACME-1010", "--partner", "acme").stdout.split())
    assert "855 RD: rejected by Lee: promo not agreed" in by_person
    assert json.loads(cli(ws, "status", "HF-PLAIN", "--partner", "acme", "--json").stdout)["order"][
        "rejected_for"] == ""  # still held: no answer yet
