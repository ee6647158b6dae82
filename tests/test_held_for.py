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
