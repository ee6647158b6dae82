"""No module under flows/ decides an order's state: flows load, call engine.lifecycle's planners and
apply their plan (StateStore.apply). Checked on the source: flows never compare with, or pass, an
order/line state or an event by name, never import the state and event types or the transition
machinery, and never write an order through anything but apply()."""

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
