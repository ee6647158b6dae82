"""No module under flows/ decides an order's state: flows load, call engine.lifecycle's planners and
apply their plan (StateStore.apply). Checked on the source: flows never compare with, or pass, an
order/line state or an event by name, never import the state and event types or the transition
machinery, and never write an order through anything but apply(). Nor do they choose which orders move
by other means (test_flows_never_select_what_moves): a flow that writes never compares an order's or line's
``.state``, never calls engine.lifecycle's predicates (its public functions returning bool: balance_due,
past_due ...) to pick orders, never reads the partners' lifecycle policies (late_backorder,
ship_no_later_is_cancel, the ship tolerances: engine reads them from the profiles), and never calls one
planner twice in a function (the orders split between two calls and their plans merged: the selection is
the flow's). Nor do they edit what a planner returned (test_flows_never_edit_a_plan): a flow that writes never
keeps some of a plan's parts (its documents, transitions, lines, reservations) by a filter of its own, and never
writes into the engine's working records of the run's orders (Revisions' records, lines, reservations): which
answer replaces which, and what an order's decision starts from, are engine.lifecycle's."""

from __future__ import annotations

import ast

import pytest

from schemas.lifecycle import EventKind, LineState, OrderState
from tests.support import REPO

NAMES = {s.value for s in OrderState} | {s.value for s in LineState} | {e.value for e in EventKind}
FORBIDDEN_IMPORTS = {"OrderState", "LineState", "EventKind", "OrderTransition", "HistoryEvent", "OrderLines",
                     "OrderReservations", "TRANSITIONS", "move", "create", "next_state", "LineRecord", "OrderRecord"}
ALLOWED_TYPES = {"OrderRecord", "LineRecord"}  # flows may name the record types (annotations), never build one
CONSTRUCTORS = {"OrderTransition", "HistoryEvent", "OrderRecord", "LineRecord", "OrderLines", "OrderReservations"}
MOVERS = {"move", "create", "next_state"}  # engine.lifecycle's own (a file drop's move() is fine)
FLOWS = sorted((REPO / "flows").glob("*.py"))
# read-only views: they show an order (its state among the rest) and never apply a plan
# (test_the_views_never_write holds that)
VIEWS = {"status.py", "status_view.py", "inspect_view.py"}
# engine.lifecycle predicates that only scope what a flow reads, never which order moves
SCOPING = {"is_idle": "which orders' reservations a confirmation's release keying reads (flows.releases)",
           "names_a_release": "whether a file's 850s name a release, so its orders are looked up (flows.releases)",
           "has_blankets": "whether a file's 850s hold a blanket, so the releases under its PO are looked up "
                           "(flows.releases: a release sent before it is keyed apart)",
           "has_unnumbered_releases": "whether a file's 850s hold a release naming no BEG04, so the blanket held "
                                      "apart under its PO is looked up (flows.releases: the release calls it off)"}
# the partners' lifecycle policies: what happens past a last date, a DTM 038 as one, a short shipment, a partial one
# (over_ship_percent is not one: units over within it are taken as shipped, no order moves by it; the
# reconciliation's report reads it, flows.reconcile.over_ship_of)
POLICIES = {"late_backorder", "ship_no_later_is_cancel", "under_ship_percent", "ship_complete"}
# planners of file findings alone (no order moves): one per kind of problem of a file
FINDINGS_ONLY = {"plan_file_findings"}
# a plan's parts that move orders or answer them (schemas.lifecycle.Plan): a flow passes them on whole
PLAN_PARTS = {"transitions", "lines", "line_tables", "reservations", "reservation_tables", "documents", "decided",
              "line_updates", "line_update_tables"}
# the engine's working records of the run's orders (engine.lifecycle.Revisions): the planners' to update
WORKING = {"records", "lines", "reservations", "transitions"}
MUTATORS = {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove",
            "__setitem__", "__delitem__"}


def _predicates() -> set[str]:
    """engine.lifecycle's public functions that return bool: each says whether an order is due something."""
    out = set()
    for p in (REPO / "engine" / "lifecycle").glob("*.py"):
        for n in ast.parse(p.read_text()).body:
            if isinstance(n, ast.FunctionDef) and not n.name.startswith("_") and n.returns is not None \
                    and ast.unparse(n.returns) == "bool":
                out.add(n.name)
    return out


PREDICATES = _predicates()


def _own_nodes(fn: ast.AST):
    """The nodes of ``fn``'s body, not those of the functions defined inside it (their own)."""
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def selections(tree: ast.AST, *, view: bool = False) -> list[str]:
    """Where ``tree`` (a flows module) chooses which orders move, by function."""
    problems = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        planners: dict[str, int] = {}
        for node in _own_nodes(fn):
            if isinstance(node, ast.Compare) and not view and any(
                    isinstance(s, ast.Attribute) and s.attr == "state" for s in (node.left, *node.comparators)):
                problems.append(f"{fn.name}: compares a state ({ast.unparse(node)})")
            if isinstance(node, ast.Attribute) and node.attr in POLICIES:
                problems.append(f"{fn.name}: reads the policy {node.attr}")
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if name in PREDICATES and name not in SCOPING and not view:
                    problems.append(f"{fn.name}: selects orders by {name}()")
                if name.startswith("plan_") and name not in FINDINGS_ONLY:
                    planners[name] = planners.get(name, 0) + 1
        problems += [f"{fn.name}: calls {name}() {n} times (plans merged in the flow)"
                     for name, n in planners.items() if n > 1]
    return problems


def edits(tree: ast.AST) -> list[str]:
    """Where ``tree`` (a flows module) edits what a planner returned, by function: keeps some of a plan's parts by
    its own filter (``(d for d in plan.documents if ...)``), or writes into the engine's working records
    (``revisions.records[k] = ...``, ``revisions.lines.update(...)``)."""
    problems = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in _own_nodes(fn):
            if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
                problems += [f"{fn.name}: keeps some of {ast.unparse(g.iter)}" for g in node.generators
                             if g.ifs and isinstance(g.iter, ast.Attribute) and g.iter.attr in PLAN_PARTS]
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            problems += [f"{fn.name}: writes into {ast.unparse(t.value)}" for t in targets
                         if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute)
                         and t.value.attr in WORKING]
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS \
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr in WORKING:
                problems.append(f"{fn.name}: writes into {ast.unparse(node.func.value)} ({node.func.attr})")
    return problems


def _constant_names(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)} & NAMES


@pytest.mark.parametrize("path", FLOWS, ids=[p.name for p in FLOWS])
def test_flows_never_decide_an_order(path):
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):  # state == "held", event in ("approved", ...)
            problems += [f"compares with {n!r}" for n in _constant_names(node)]
        if isinstance(node, ast.keyword) and node.arg in ("state", "states", "to_state", "event"):
            problems += [f"passes {node.arg}={n!r}" for n in _constant_names(node.value)]
        if isinstance(node, ast.ImportFrom) and node.module in ("schemas.lifecycle", "engine.lifecycle",
                                                                  "engine.lifecycle.table"):
            problems += [f"imports {a.name}" for a in node.names
                         if a.name in FORBIDDEN_IMPORTS - ALLOWED_TYPES]
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            if name in CONSTRUCTORS or name in MOVERS and (isinstance(f, ast.Name) or owner == "lifecycle"):
                problems.append(f"calls {name}()")
            if name in ("_q", "_many", "_script"):
                problems.append(f"writes SQL through {name}()")
        if isinstance(node, ast.Attribute) and node.attr in ("TRANSITIONS", "next_state"):
            problems.append(f"uses {node.attr}")
    assert not problems, f"{path.name}: {problems}"


def test_the_check_would_catch_a_flow_that_decides():
    bad = ast.parse('if order.state == "held":\n    store.apply(plan)\nstate.orders(states=["approved"])\n')
    found = [n for n in ast.walk(bad) if isinstance(n, ast.Compare) and _constant_names(n)]
    found += [n for n in ast.walk(bad) if isinstance(n, ast.keyword) and _constant_names(n.value)]
    assert len(found) == 2


def test_the_state_store_moves_orders_only_through_apply():
    from connectors.state import StateStore

    public = {n for n in dir(StateStore) if not n.startswith("_")}
    writers = {n for n in public if n.startswith(("upsert", "set_", "replace_", "update_"))}
    assert writers == set() and "apply" in public


@pytest.mark.parametrize("path", FLOWS, ids=[p.name for p in FLOWS])
def test_flows_never_select_what_moves(path):
    assert not selections(ast.parse(path.read_text()), view=path.name in VIEWS), path.name


def test_the_views_never_write():
    for name in VIEWS:
        tree = ast.parse((REPO / "flows" / name).read_text())
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "apply"], name


def test_the_exceptions_are_real():
    """Each predicate let through exists and is used by flows (a stale name would let a new one through)."""
    assert set(SCOPING) <= PREDICATES and {"balance_due", "past_due"} <= PREDICATES
    used = " ".join(p.read_text() for p in FLOWS)
    assert all(f"{name}(" in used for name in SCOPING)


# the selection flows.shipments made before issue 9's balance and deadline checks moved to engine (abridged)
_SELECTED_IN_A_FLOW = """
def _balances_cancelled(ws, profiles, state, services, *, at, run_id):
    rejecting = [pid for pid, p in profiles.items() if p.allocation.late_backorder == "reject"]
    looked = [r for k, r in records.items() if k in late_from and balance.past_due(r, lines[k], held[k], late_from[k],
                                                                                  set(), services)]
    plan = balance.plan_balance_cancelled(now, lines=lines, past=past)
    plan = plan + balance.plan_balance_cancelled(before, lines=lines, past=past)
    state.apply(plan, at=at, run_id=run_id)


def backorder_step(state, profiles, inventory, *, today, at, run_id):
    by_line = {k: v for k, v in backorders.past_lines(waiting, dates, own, lines, today=today).items()
               if records[k].state in lifecycle.SHIPPABLE}
    return expired
"""


def test_the_selection_check_would_catch_the_flows_that_chose():
    found = sorted(selections(ast.parse(_SELECTED_IN_A_FLOW)))
    assert found == ["_balances_cancelled: calls plan_balance_cancelled() 2 times (plans merged in the flow)",
                     "_balances_cancelled: reads the policy late_backorder",
                     "_balances_cancelled: selects orders by past_due()",
                     "backorder_step: compares a state (records[k].state in lifecycle.SHIPPABLE)"], found
    # a view may show a state; it never selects what moves either
    assert sorted(selections(ast.parse(_SELECTED_IN_A_FLOW), view=True)) == [
        "_balances_cancelled: calls plan_balance_cancelled() 2 times (plans merged in the flow)",
        "_balances_cancelled: reads the policy late_backorder"]


@pytest.mark.parametrize("path", [p for p in FLOWS if p.name not in VIEWS],
                         ids=[p.name for p in FLOWS if p.name not in VIEWS])
def test_flows_never_edit_a_plan(path):
    assert not edits(ast.parse(path.read_text())), path.name


# what flows.decide did with the backorder step's plan and the answers built again after it, before they moved to
# engine.lifecycle.shipped_answers (abridged)
_EDITED_IN_A_FLOW = """
def _decide_run(ws, profiles, state, ref, inventory, *, now, run_id, use_gx):
    for t in backordered.transitions:
        if t.record.key in fresh:
            revisions.records[t.record.key] = t.record
    revisions.lines.update({(o.partner, o.po_number): o.lines for o in backordered.lines
                            if (o.partner, o.po_number) in fresh})
    plan += backordered
    refused, replaced = lifecycle.refuse_unplaced_raises(revisions, today=today, at=at, run_id=run_id)
    if replaced:
        plan = replace(plan, documents=tuple(d for d in plan.documents
                                             if not any(s.doc_key in replaced for s in d.sets)))
    plan += refused
    state.apply(plan, at=at, run_id=run_id)
"""


def test_the_edit_check_would_catch_the_flow_that_edited():
    assert sorted(edits(ast.parse(_EDITED_IN_A_FLOW))) == [
        "_decide_run: keeps some of backordered.lines",
        "_decide_run: keeps some of plan.documents",
        "_decide_run: writes into revisions.lines (update)",
        "_decide_run: writes into revisions.records"]
    # the plan passed on whole, and local dicts named like a plan's parts, are not edits
    assert edits(ast.parse("def f(plan, lines):\n    lines[1] = 2\n    kept = [d for d in plan.documents]\n"
                           "    state.apply(plan)\n")) == []
