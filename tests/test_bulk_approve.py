"""`orderbridge approve|reject` of several held orders at once: PO numbers, or --all-held chosen by partner, the code
they are held for and PO dates. A credit hold lifted releases every order held for it alone (one held for another
code as well is skipped, named) under one lease, each recorded under who and why, and the next run sends each
approved order's 855 once; a mixed batch
records the held ones and names each other one with why (exit 3); an order changed between the listing and its
approval is skipped, not approved over the change; --dry-run records nothing."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from engine import lifecycle
from flows import approving
from flows.cli import app
from parsers.x12_reader import read_interchanges
from tests.support import from_template, make_workspace, run_stages, said

NIGHT1, NIGHT2, NIGHT3 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2), datetime(2026, 11, 29, 2)
BULK = [f"BULK-{i:03d}" for i in range(1, 31)]  # 30 POs of copy paper, PO dated 2026-11-20 .. 2026-11-24


def bulk_850() -> bytes:
    """One ACME interchange of 30 small orders, their PO dates (BEG05) spread over five days."""
    sets = []
    for n, po in enumerate(BULK, start=1):
        body = [f"BEG*00*SA*{po}**202611{20 + n % 5:02d}", "CUR*BY*USD", "DTM*010*20261210",
                "N1*ST*Acme Distribution Center*92*DC01", "PO1*1*2*EA*19.70*PE*UP*614141100101", "CTT*1*2"]
        sets.append(f"ST*850*{n:04d}~\n" + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*{n:04d}~\n")
    return ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000007001*0*P*>"
            "~\nGS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*7001*X*004010~\n" + "".join(sets)
            + f"GE*{len(sets)}*7001~\nIEA*1*000007001~\n").encode()


def _build(folder: Path) -> None:
    """ACME on a credit hold (its limit below its open receivables): every order of night 1 held for
    CREDIT_LIMIT_EXCEEDED, ACME-1010 for its discount too."""
    ws = make_workspace(folder, partners=("acme",))
    customers = ws.root / "reference" / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,50000.00", "acme,100.00"))
    (ws.drop_root / "acme" / "inbox" / "acme-bulk.x12").write_bytes(bulk_850())
    run_stages(ws, NIGHT1)


@pytest.fixture()
def ws(tmp_path):
    from flows.workspace import Workspace

    from_template("bulk-approve-night1", tmp_path / "ws", _build)
    return Workspace((tmp_path / "ws").resolve())


def cli(ws, *args):
    return CliRunner().invoke(app, [*args, "-w", str(ws.root)])


def store_of(ws) -> StateStore:
    return StateStore(ws.state_path)


def answers_855(ws) -> Counter:
    """How many 855s the outbox holds for each PO (BAK03), and their BAK02s."""
    seen: Counter = Counter()
    for path in sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12")):
        for row in read_interchanges(path.read_bytes()).segments.elements.to_pylist():
            if row[0] == "BAK":
                seen[(row[3], row[2])] += 1
    return seen


def test_a_credit_hold_lifted_releases_every_order_held_for_it_and_each_855_is_sent_once(ws, monkeypatch):
    from connectors import lease

    taken, acquire = [], lease.acquire
    monkeypatch.setattr(lease, "acquire", lambda *a, **kw: taken.append(a[1]) or acquire(*a, **kw))
    store = store_of(ws)
    held = {o.po_number: o for o in store.orders(states=lifecycle.AWAITING_PERSON)}
    credit = sorted(p for p, o in held.items() if "CREDIT_LIMIT_EXCEEDED" in o.hold_codes)
    assert set(BULK) <= set(credit) and len(credit) >= 30
    # ACME-1010 is held for its discount as well: a credit decision does not approve it unseen (skipped, named)
    assert set(held["ACME-1010"].hold_codes) == {"CREDIT_LIMIT_EXCEEDED", "DISCOUNT_OVER_THRESHOLD"}
    also = ["ACME-1010"]
    credit = [p for p in credit if p not in also]
    assert answers_855(ws) == Counter()  # nothing answered while held
    history = {p: len(store.order_history("acme", p)) for p in held}

    dry = cli(ws, "approve", "--all-held", "--partner", "ACME", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Dana",
              "--note", "credit hold lifted", "--dry-run")
    assert dry.exit_code == 3, dry.output
    assert f"{len(credit)} order(s) would be approved, 1 would be skipped; nothing was recorded." in said(dry)
    assert ("skipped acme/ACME-1010: also held for DISCOUNT_OVER_THRESHOLD: approve it by its PO number once that"
            " is checked") in said(dry)
    assert all(po in dry.stdout for po in credit)
    assert {o.po_number for o in store.orders(states=lifecycle.AWAITING_PERSON)} == set(held)
    assert {p: len(store.order_history("acme", p)) for p in held} == history  # the dry run wrote nothing

    res = cli(ws, "approve", "--all-held", "--partner", "acme", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Dana",
              "--note", "credit hold lifted")
    assert res.exit_code == 3, res.output
    assert f"{len(credit)} order(s) approved by Dana, 1 skipped; the next run sends their 855s." in said(res)
    for po in credit:
        record = store.order("acme", po)
        assert (record.state.value, record.person.by, record.person.reason, record.person.verdict) == \
            ("approved", "Dana", "credit hold lifted", "approved")
        last = store.order_history("acme", po)[-1]
        assert (last["event"], last["actor"], last["note"], last["clock"]) == \
            ("approved_by_person", "Dana", "credit hold lifted", "wall")
    # an order held for something else, only or as well, is not released by a credit decision
    others = {p for p, o in held.items() if "CREDIT_LIMIT_EXCEEDED" not in o.hold_codes} | set(also)
    assert {o.po_number for o in store.orders(states=lifecycle.AWAITING_PERSON)} == others
    assert taken == ["approve"]  # one workspace lease for the batch (none for the dry run)

    run_stages(ws, NIGHT2)
    sent = answers_855(ws)
    assert {po for po, _ in sent} == set(credit)
    assert all(n == 1 for n in sent.values()), sent
    assert all(store.order("acme", po).state.value != "approved" for po in credit)  # answered
    run_stages(ws, NIGHT3)
    assert answers_855(ws) == sent  # not sent again
    store.close()


def test_all_held_is_chosen_by_po_date_and_partner(ws):
    store = store_of(ws)
    dated = {o.po_number: o.po_date for o in store.orders(states=lifecycle.AWAITING_PERSON)}
    store.close()
    want = sorted(p for p, d in dated.items() if "2026-11-21" <= str(d) <= "2026-11-22")
    assert want and len(want) < len(dated)
    res = cli(ws, "approve", "--all-held", "--since", "2026-11-21", "--until", "2026-11-22", "--by", "Dana",
              "--dry-run")
    assert res.exit_code == 0, res.output
    listed = {po for po in dated if f" {po} " in res.stdout}
    assert listed == set(want), res.output
    res = cli(ws, "reject", "--all-held", "--partner", "acme", "--since", "2026-11-21", "--until", "2026-11-22",
              "--by", "Lee", "--reason", "duplicates of last week's POs")
    assert res.exit_code == 0, res.output
    store = store_of(ws)
    assert sorted(o.po_number for o in store.orders(states=["rejected_by_person"])) == want
    assert store.order("acme", want[0]).person.reason == "duplicates of last week's POs"
    store.close()
    run_stages(ws, NIGHT2)
    sent = answers_855(ws)
    assert {bak02 for (po, bak02) in sent if po in want} == {"RD"} and all(sent[(po, "RD")] == 1 for po in want)
    # nothing matches: nothing to do, said, exit 0, with the codes the orders waiting are held for
    res = cli(ws, "approve", "--all-held", "--partner", "acme", "--held-for", "SHIP_TO_UNKNOWN", "--by", "Dana")
    assert res.exit_code == 0 and "0 order(s) approved by Dana, 0 skipped." in said(res), res.output
    assert ("no order waiting for a person is held for SHIP_TO_UNKNOWN; the orders waiting of acme are held for: "
            in said(res) and "CREDIT_LIMIT_EXCEEDED (" in said(res)), res.output


@pytest.mark.parametrize("since, until", [("20261121", "20261122"), ("2026-W47-6", "2026-W47-7")])
def test_all_held_by_po_dates_written_in_another_iso_form_chooses_the_same_orders(ws, since, until):
    """--since/--until in ISO's basic or week form (which the check of them accepts) choose the orders of those
    days: they were compared as written with the stored PO dates ("2026-11-21" >= "20261121" is false), so
    --since 20261121 chose none and --until 20261122 every order of December too. Review of session 64."""
    store = store_of(ws)
    dated = {o.po_number: o.po_date for o in store.orders(states=lifecycle.AWAITING_PERSON)}
    store.close()
    want = {p for p, d in dated.items() if "2026-11-21" <= str(d) <= "2026-11-22"}
    res = cli(ws, "approve", "--all-held", "--since", since, "--until", until, "--by", "Dana", "--dry-run")
    assert res.exit_code == 0, res.output
    assert {po for po in dated if f" {po} " in res.stdout} == want, res.output
    res = cli(ws, "approve", "--all-held", "--until", until, "--by", "Dana", "--dry-run")
    assert {po for po in dated if f" {po} " in res.stdout} == {p for p, d in dated.items() if str(d) <= "2026-11-22"}


def test_a_mixed_batch_records_the_held_orders_and_names_each_skipped_one(ws):
    first = cli(ws, "approve", "BULK-003", "--partner", "acme", "--by", "Lee", "--note", "called the buyer")
    assert first.exit_code == 0, first.output
    res = cli(ws, "approve", "BULK-001", "BULK-003", "NOT-A-PO", "BULK-002", "BULK-001", "--partner", "acme",
              "--by", "Dana", "--note", "prices checked")
    assert res.exit_code == 3, res.output
    text = said(res)
    assert "2 order(s) approved by Dana, 2 skipped; the next run sends their 855s." in text
    assert "skipped acme/BULK-003: is approved now (revision 1): only an order waiting for a person can be" in text
    assert "skipped acme/NOT-A-PO: no order NOT-A-PO for partner acme" in text
    store = store_of(ws)
    assert [store.order("acme", p).person.by for p in ("BULK-001", "BULK-002", "BULK-003")] == ["Dana", "Dana", "Lee"]
    assert store.order("acme", "BULK-003").person.reason == "called the buyer"  # Lee's decision kept
    assert [e["event"] for e in store.order_history("acme", "BULK-001")].count("approved_by_person") == 1
    store.close()
    run_stages(ws, NIGHT2)
    sent = answers_855(ws)
    assert {po for po, _ in sent} == {"BULK-001", "BULK-002", "BULK-003"} and set(sent.values()) == {1}


@pytest.mark.parametrize(("args", "says"), [
    (["approve", "BULK-001", "BULK-002", "--by", "D"], "--partner is needed with PO numbers"),
    (["approve", "BULK-001", "--all-held", "--partner", "acme", "--by", "D"], "PO numbers or --all-held, not both"),
    (["approve", "--by", "D", "--partner", "acme"], "name the PO number(s), or --all-held"),
    (["approve", "BULK-001", "BULK-002", "--partner", "acme", "--held-for", "X", "--by", "D"], "choose orders for"),
    (["approve", "BULK-001", "BULK-002", "--partner", "acme", "--release", "2", "--by", "D"], "--release names"),
    (["approve", "--all-held", "--until", "27/11/2026", "--by", "D"], "--until must be a date like 2026-11-27"),
    (["approve", "--all-held", "--partner", "hooli", "--by", "D"], "no partner hooli"),
    # a code mistyped is no code at all: refused naming the codes held for, not "0 approved" as if none were held
    (["approve", "--all-held", "--held-for", "CREDIT_LIMIT", "--by", "D"],
     "--held-for CREDIT_LIMIT: no finding code is called that (docs/error-codes.md); the orders waiting are held "
     "for: "),
    (["reject", "--all-held", "--partner", "acme", "--by", "D", "--reason", " "], "a rejection needs a note"),
])
def test_a_batch_used_wrongly_does_nothing(ws, args, says):
    res = cli(ws, *args)
    assert res.exit_code == 2 and says in said(res), res.output
    store = store_of(ws)
    assert not [o for o in store.orders() if o.person is not None]
    store.close()


def test_reject_needs_its_reason_in_a_batch_too(ws):
    res = cli(ws, "reject", "--all-held", "--partner", "acme", "--by", "Lee")
    assert res.exit_code == 2 and "--reason" in res.output


def test_an_order_changed_between_the_listing_and_its_approval_is_skipped(ws, monkeypatch):
    """Between the search that listed the orders and their approval, another person approves BULK-002 and an 860
    is applied to BULK-004 (its revision 2): both are named skipped, the others approved; the other person's
    decision stands."""
    listed = approving.held_matching

    def listing_then_changes(store, **kw):
        rows = listed(store, **kw)
        other = store.order("acme", "BULK-002")
        store.apply(lifecycle.plan_person_decision(other, "approved", by="Lee", note="mine", at="2026-11-27T09:00:00"))
        db = sqlite3.connect(ws.state_path)  # an 860 applied elsewhere: another revision
        db.execute("UPDATE orders SET revision = revision + 1 WHERE partner='acme' AND po_number='BULK-004'")
        db.commit()
        db.close()
        return rows

    monkeypatch.setattr(approving, "held_matching", listing_then_changes)
    res = cli(ws, "approve", "--all-held", "--partner", "acme", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Dana",
              "--note", "credit hold lifted")
    assert res.exit_code == 3, res.output
    text = said(res)
    assert "skipped acme/BULK-002: is approved now (revision 1)" in text
    assert "skipped acme/BULK-004: changed since it was listed (revision 1, now 2): look at it again" in text
    store = store_of(ws)
    assert store.order("acme", "BULK-002").person.by == "Lee"
    assert store.order("acme", "BULK-004").state.value == "held" and store.order("acme", "BULK-004").person is None
    assert store.order("acme", "BULK-005").person.by == "Dana"
    store.close()


def test_an_order_another_writer_changes_while_the_batch_is_applied_is_skipped_and_the_rest_go_on(ws, monkeypatch):
    """A change that lands after the plans were made (a second writer on a shared store): the store refuses that
    order's plan (StateConflict); it is named, the orders after it are still recorded."""
    planned = lifecycle.plan_person_decisions

    def plans_then_a_change(picks, records, verdict, **kw):
        out = planned(picks, records, verdict, **kw)
        store = StateStore(ws.state_path)
        other = store.order("acme", "BULK-006")
        store.apply(lifecycle.plan_person_decision(other, "rejected", by="Lee", note="cancelled by phone",
                                                   at="2026-11-27T09:00:00"))
        store.close()
        return out

    monkeypatch.setattr(lifecycle, "plan_person_decisions", plans_then_a_change)
    res = cli(ws, "approve", "BULK-005", "BULK-006", "BULK-007", "--partner", "acme", "--by", "Dana")
    assert res.exit_code == 3, res.output
    assert "skipped acme/BULK-006: changed by another run or person first (now rejected_by_person, revision 1)" \
        in said(res)
    assert "2 order(s) approved by Dana, 1 skipped" in said(res)
    store = store_of(ws)
    assert [store.order("acme", p).person.by for p in ("BULK-005", "BULK-006", "BULK-007")] == ["Dana", "Lee", "Dana"]
    store.close()


def test_one_po_alone_keeps_its_messages_and_exit_status(ws):
    res = cli(ws, "approve", "BULK-001", "--partner", "acme", "--by", "Dana", "--note", "ok")
    assert res.exit_code == 0 and "acme/BULK-001: approved by Dana; the next run sends the 855." in said(res)
    again = cli(ws, "approve", "BULK-001", "--partner", "acme", "--by", "Dana")
    assert again.exit_code == 2 and "only an order waiting for a person can be approved or rejected" in said(again)
    assert cli(ws, "approve", "BULK-002", "--by", "Dana").exit_code == 2  # --partner still needed


def test_the_planner_checks_each_pick_alone():
    """engine.lifecycle.plan_person_decisions on its own: a missing order, one picked twice, and a rejection
    without a note."""
    with pytest.raises(ValueError, match="a rejection needs a note"):
        lifecycle.plan_person_decisions([], {}, lifecycle.VERDICT_REJECTED, by="x", note=" ", at="2026-11-27T09:00:00")
    out = lifecycle.plan_person_decisions([lifecycle.PersonPick("acme", "X"), lifecycle.PersonPick("acme", "X")], {},
                                          lifecycle.VERDICT_APPROVED, by="x", note="", at="2026-11-27T09:00:00")
    assert [(o.key, o.plan, o.refused) for o in out] == [(("acme", "X"), None, "no such order")]


def test_an_860_waiting_on_a_held_order_is_said_answered_by_its_855_in_a_batch_too(tmp_path):
    """A blanket PO held for a person, its 860 (BCH01 28, query) waiting on the hold: approved among several, the row
    says the next 855 answers that 860 too, and the next run sends the decision's 855 and the revised one, once."""
    from tests.test_change_after_shipment import send_860
    from tests.test_change_after_shipment_855 import answered_by_855s
    from tests.test_order_types_held import _night

    ws, state = _night(tmp_path, "BEG*00*BK*PO-1**20261126")
    state.close()
    answered_by_855s(ws, "acme")
    send_860(ws, "acme", "PO-1", [["2", "QI", "30", "", "EA"]], purpose="28")
    run_stages(ws, NIGHT2)
    res = cli(ws, "approve", "PO-1", "PO-2", "--partner", "acme", "--by", "Dana", "--note", "a blanket, fine")
    assert res.exit_code == 3, res.output
    assert "and answers the 1 860(s) that waited on it" in said(res)
    assert "1 order(s) approved by Dana, 1 skipped" in said(res)
    run_stages(ws, NIGHT3)
    baks = [r for p in sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
            for r in read_interchanges(p.read_bytes()).segments.elements.to_pylist() if r[0] == "BAK"]
    assert sorted(r[1] for r in baks if r[3] == "PO-1") == ["00", "05"]  # the decision's 855 and the revised one


def test_approve_all_held_for_one_code_skips_an_order_held_for_another_as_well_and_names_it(ws):
    """A credit hold lifted (approve --all-held --held-for CREDIT_LIMIT_EXCEEDED) does not approve ACME-1010, held for
    its discount too, unseen: it is skipped with the other code named (exit 3) and stays held; approved by its PO
    number (a person looked at it) it is recorded. reject --all-held --held-for takes every order held for the code."""
    store = store_of(ws)
    assert set(store.order("acme", "ACME-1010").hold_codes) == {"CREDIT_LIMIT_EXCEEDED", "DISCOUNT_OVER_THRESHOLD"}
    res = cli(ws, "approve", "--all-held", "--partner", "acme", "--held-for", "credit_limit_exceeded", "--by", "Dana")
    assert res.exit_code == 3, res.output
    assert "skipped acme/ACME-1010: also held for DISCOUNT_OVER_THRESHOLD" in said(res)
    assert store.order("acme", "ACME-1010").state in lifecycle.AWAITING_PERSON
    assert all(store.order("acme", po).state.value == "approved" for po in BULK)
    res = cli(ws, "approve", "ACME-1010", "--partner", "acme", "--by", "Dana", "--note", "discount agreed")
    assert res.exit_code == 0, res.output
    assert store.order("acme", "ACME-1010").state.value == "approved"
    store.close()


def test_reject_all_held_for_a_code_takes_orders_held_for_others_as_well(tmp_path):
    from flows.workspace import Workspace

    from_template("bulk-approve-night1", tmp_path / "ws", _build)
    ws = Workspace((tmp_path / "ws").resolve())
    res = cli(ws, "reject", "--all-held", "--partner", "acme", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Lee",
              "--reason", "account closed")
    assert res.exit_code == 0, res.output
    store = store_of(ws)
    assert store.order("acme", "ACME-1010").state.value == "rejected_by_person"
    store.close()
