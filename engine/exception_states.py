"""The life of a reconciliation exception: open -> explained -> resolved, moved by a person's action
(who, note, when) through one pure transition function that refuses illegal moves, and carried from
one run to the next. Must not touch the state store: the flows persist the StateChange history.

    open       --explain--> explained   (a known, accepted difference: the note says why)
    open       --resolve--> resolved    (fixed: e.g. a credit note sent, the 810 re-sent)
    explained  --explain--> explained   (a better explanation; the history keeps both)
    explained  --resolve--> resolved
    explained  --reopen-->  open
    resolved   --reopen-->  open
Anything else is refused (ActionRefused). Across runs (carry_states): an exception found again keeps
its state, except that a resolved one that is still found reopens, and an explained one whose amount
at risk changed reopens (the explanation was for other numbers); both as changes by "orderbridge".
book() adds the rest of a run's history: a new exception is "found" (-> open), and one the run no
longer finds is "cleared": resolved by "orderbridge" (the difference is gone), kept with its history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from schemas.errors import ActionRefused
from schemas.exception_change import StateChange
from schemas.reconciliation import EXCEPTIONS, STATES

SYSTEM = "orderbridge"  # who the engine's own state changes are attributed to
FOUND, CLEAR, REOPEN = "found", "clear", "reopen"  # the engine's own actions in the history
CLEARED_NOTE = "no longer found by the reconciliation"
TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "explain"): "explained",
    ("open", "resolve"): "resolved",
    ("explained", "explain"): "explained",
    ("explained", "resolve"): "resolved",
    ("explained", "reopen"): "open",
    ("resolved", "reopen"): "open",
}
ACTIONS = ("explain", "resolve", "reopen")

STATE_CHANGES = pa.schema([
    pa.field("exception_id", pa.string(), nullable=False),
    pa.field("action", pa.string(), nullable=False),
    pa.field("from_state", pa.string(), nullable=False),
    pa.field("to_state", pa.string(), nullable=False),
    pa.field("by", pa.string(), nullable=False),
    pa.field("note", pa.string(), nullable=False),
    pa.field("at", pa.timestamp("s"), nullable=False),
])


def act(exception_id: str, state: str, action: str, *, by: str, note: str, at: datetime) -> StateChange:
    """The change a person's ``action`` makes to an exception in ``state``; refused when illegal."""
    if state not in STATES:
        raise ActionRefused("unknown exception state", exception_id=exception_id, state=state)
    if action not in ACTIONS:
        raise ActionRefused("unknown action", exception_id=exception_id, action=action, allowed=list(ACTIONS))
    if not by or not by.strip():
        raise ActionRefused("say who acts (--by)", exception_id=exception_id)
    if not note or not note.strip():
        raise ActionRefused("say why in a note (--note)", exception_id=exception_id)
    to_state = TRANSITIONS.get((state, action))
    if to_state is None:
        allowed = sorted(a for (s, a) in TRANSITIONS if s == state)
        raise ActionRefused(f"cannot {action} an exception that is {state}", exception_id=exception_id,
                            allowed=allowed)
    return StateChange(exception_id, action, state, to_state, by.strip(), note.strip(), at.replace(microsecond=0))


def apply_changes(exceptions: pa.Table, changes: list[StateChange]) -> pa.Table:
    """``exceptions`` (EXCEPTIONS) with ``changes`` applied in order; a change whose from_state is not the
    exception's state at that point (or names no exception) is refused."""
    rows = {r["exception_id"]: i for i, r in enumerate(exceptions.select(["exception_id"]).to_pylist())}
    state = exceptions["state"].to_pylist()
    by, note, at = (exceptions[c].to_pylist() for c in ("state_by", "state_note", "state_at"))
    for ch in changes:
        i = rows.get(ch.exception_id)
        if i is None:
            raise ActionRefused("no such exception", exception_id=ch.exception_id)
        if state[i] != ch.from_state or TRANSITIONS.get((ch.from_state, ch.action)) != ch.to_state:
            raise ActionRefused("the exception moved on since this change was made", exception_id=ch.exception_id,
                                state=state[i], change=f"{ch.from_state} -{ch.action}-> {ch.to_state}")
        state[i], by[i], note[i], at[i] = ch.to_state, ch.by, ch.note, ch.at
    return _with_states(exceptions, state, by, note, at)


def carry_states(current: pa.Table, previous: pa.Table | None, *, at: datetime) -> tuple[pa.Table, list[StateChange]]:
    """This run's exceptions with the states people gave them in earlier runs (``previous``: the last
    run's EXCEPTIONS), and the changes the engine itself made (reopenings) for the history."""
    if previous is None or not previous.num_rows or not current.num_rows:
        return current, []
    at = at.replace(microsecond=0)
    keep = ["exception_id", "state", "state_by", "state_note", "state_at", "amount_at_risk"]
    before = previous.select(keep).rename_columns(["exception_id", *(f"{c}_b" for c in keep[1:])])
    now = current.select(["exception_id", "amount_at_risk"]).append_column(
        "_row", pa.array(range(current.num_rows), pa.int64()))
    both = now.join(before, "exception_id", join_type="left outer", use_threads=False).sort_by("_row")
    known = pc.is_valid(both["state_b"])
    resolved_again = pc.fill_null(pc.equal(both["state_b"], "resolved"), False)
    moved = pc.fill_null(pc.and_(pc.equal(both["state_b"], "explained"),
                                 pc.not_equal(both["amount_at_risk_b"], both["amount_at_risk"])), False)
    reopen = pc.or_(resolved_again, moved)
    amount_note = pc.binary_join_element_wise(
        "amount at risk changed from ", pc.cast(both["amount_at_risk_b"], pa.string()), " to ",
        pc.cast(both["amount_at_risk"], pa.string()), " since it was explained", "")
    note = pc.if_else(resolved_again, pa.scalar("found again after it was resolved"), amount_note)
    state = pc.if_else(reopen, pa.scalar("open"), pc.if_else(known, both["state_b"], current["state"]))
    by = pc.if_else(reopen, pa.scalar(SYSTEM), pc.if_else(known, both["state_by_b"], current["state_by"]))
    notes = pc.if_else(reopen, note, pc.if_else(known, both["state_note_b"], current["state_note"]))
    when = pc.if_else(reopen, pa.scalar(at, pa.timestamp("s")), pc.if_else(known, both["state_at_b"],
                                                                            current["state_at"]))
    changes = [StateChange(r["exception_id"], "reopen", r["state_b"], "open", SYSTEM, r["note"], at)
               for r in both.append_column("note", note).filter(reopen).select(
                   ["exception_id", "state_b", "note"]).to_pylist()]
    return _with_states(current, state, by, notes, when), changes


def changes_table(changes: list[StateChange]) -> pa.Table:
    return pa.Table.from_pylist([{f: getattr(c, f) for f in STATE_CHANGES.names} for c in changes],
                                schema=STATE_CHANGES)


def _with_states(table: pa.Table, state, by, note, at) -> pa.Table:
    out = table
    for name, values, typ in (("state", state, pa.string()), ("state_by", by, pa.string()),
                              ("state_note", note, pa.string()), ("state_at", at, pa.timestamp("s"))):
        column = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, typ)
        out = out.set_column(out.schema.get_field_index(name), EXCEPTIONS.field(name), pc.cast(column, typ))
    return out


def book(current: pa.Table, stored: pa.Table | None, *, at: datetime,
         notes: Mapping[str, str] | None = None) -> tuple[pa.Table, list[StateChange]]:
    """One run's exceptions against every exception stored before (``stored``: EXCEPTIONS columns, any
    extra ignored): states carried (carry_states, with its reopenings), and the history the run adds:
    "found" for each new exception, then "reopen"s, then "clear" for each stored exception not found
    any more that is unresolved or was found last time (it becomes resolved by orderbridge), its note the
    run's words for it in ``notes`` (exception id -> why: a rejected document a later accepted one replaced,
    engine.reconcile Reconciliation.superseded), else CLEARED_NOTE."""
    at = at.replace(microsecond=0)
    previous = stored.select(EXCEPTIONS.names).cast(EXCEPTIONS) if stored is not None else None
    carried, reopened = carry_states(current, previous, at=at)
    known = set(previous["exception_id"].to_pylist()) if previous is not None else set()
    # (two columns zipped, not a dict per row: a run days late finds 120,000)
    found = [StateChange(i, FOUND, "", "open", SYSTEM, message, at) for i, message in zip(
        current["exception_id"].to_pylist(), current["message"].to_pylist(), strict=True) if i not in known]
    cleared: list[StateChange] = []
    if stored is not None and stored.num_rows:
        now = pa.array(sorted(set(current["exception_id"].to_pylist())), pa.string())
        gone = stored.filter(pc.invert(pc.is_in(stored["exception_id"], value_set=now)))
        active = gone["active"].to_pylist() if "active" in gone.column_names else [True] * gone.num_rows
        for r, was_active in zip(gone.select(["exception_id", "state"]).to_pylist(), active, strict=True):
            if r["state"] != "resolved" or was_active:
                cleared.append(StateChange(r["exception_id"], CLEAR, r["state"], "resolved", SYSTEM,
                                           (notes or {}).get(r["exception_id"], CLEARED_NOTE), at))
    return carried, [*found, *reopened, *cleared]
