"""The store-internal numbers (arrival, history events, documents, findings, 860s) that per-partner
stages take while they run at the same time on several workers, put back in the order one process
gives them: partner by partner in the run's partner order, each partner's own order kept. What
decides anything (allocation's arrival tie-break, history order) then cannot depend on which worker
finished first. Reads and writes the state store's tables only; control numbers are per partner and
never touched here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from connectors.state import StateStore

# sequence -> (table, id column, partner column), and the other columns holding the same id
_NUMBERED = {
    "arrival": ("orders", "arrival", "partner"),
    "document": ("documents", "id", "partner"),
    "event": ("order_events", "seq", "partner"),
    "finding": ("findings", "id", "partner"),
    "change": ("pending_changes", "id", "partner"),
}
_KEY = "partner-order:"  # meta key prefix of a phase's kept marks
_REFERENCES = {"document": (("document_sets", "document_id"), ("order_events", "document_id"))}
# sequences whose column is no key (two rows may hold the same value for a moment): renumbered in one step on
# PostgreSQL, not shifted past and back (s57, pgcost: the 1x pool night's 10,000 orders rewritten once, not
# twice: the second UPDATE of orders was 0.12 of PostgreSQL's 0.35 s renumbering arrivals and events)
_NOT_KEYS = frozenset({"arrival"})


@dataclass(frozen=True, slots=True)
class Marks:
    """Where the store's sequences stood before a phase of concurrent per-partner stages."""

    last: dict[str, int]


def mark(state: StateStore, phase: str = "") -> Marks:
    """Where the sequences stand now; with ``phase`` (e.g. "<run id>:intake") the marks are kept in the
    store until put_in_partner_order is done with them, and a phase started again (a run resumed after
    its process was killed mid-phase) gets the marks of its first start: what the killed attempt took
    is put in order too."""
    if not phase:
        return Marks(dict(state._q("SELECT name, last FROM sequences")))
    key = _KEY + phase
    with state.transaction():
        kept = state._q("SELECT value FROM meta WHERE key=?", (key,))
        if kept:
            return Marks({k: int(v) for k, v in json.loads(kept[0][0]).items()})
        marks = Marks(dict(state._q("SELECT name, last FROM sequences")))
        state._q("INSERT INTO meta (key, value) VALUES (?,?)", (key, json.dumps(marks.last, sort_keys=True)))
        return marks


def put_in_partner_order(state: StateStore, since: Marks, partners: Sequence[str], phase: str = "") -> dict[str, int]:
    """Renumber what each sequence gave out after ``since`` so that the ids run partner by partner in
    ``partners`` order (each partner's ids in the order it took them), in one transaction (which also
    forgets ``phase``'s kept marks); the set of ids used does not change. Returns how many rows moved
    per sequence (0 everywhere when the stages happened to finish in partner order)."""
    rank = {p: i for i, p in enumerate(partners)}
    moved: dict[str, int] = {}
    with state.transaction():
        if phase:
            state._q("DELETE FROM meta WHERE key=?", (_KEY + phase,))
        now = dict(state._q("SELECT name, last FROM sequences"))
        for seq, (table, col, who) in _NUMBERED.items():
            lo, hi = int(since.last.get(seq, 0)), int(now.get(seq, 0))
            if hi <= lo:
                continue
            rows = state._q(f"SELECT {col}, {who} FROM {table} WHERE {col} > ? AND {col} <= ?", (lo, hi))
            old = sorted(r[0] for r in rows)
            wanted = sorted(rows, key=lambda r: (rank.get(r[1], len(rank)), r[1] or "", r[0]))
            mapping = [(w[0], new) for w, new in zip(wanted, old, strict=True) if w[0] != new]
            moved[seq] = len(mapping)
            if mapping:
                _renumber(state, seq, table, col, mapping, offset=hi + 1)
    return moved


def _renumber(state: StateStore, seq: str, table: str, col: str, mapping: list[tuple[int, int]],
              offset: int) -> None:
    """Old -> new ids through a shift past every id in use (a primary key never holds the same value
    twice, even for a moment); the columns that hold the same id follow."""
    refs = _REFERENCES.get(seq, ())
    if state.dialect.name != "sqlite":
        _renumber_together(state, table, col, refs, mapping, offset if seq not in _NOT_KEYS else None)
        return
    state._q("CREATE TEMP TABLE IF NOT EXISTS renumbered (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    state._q("DELETE FROM renumbered")
    state._many("INSERT INTO renumbered (old, new) VALUES (?,?)", mapping)
    for t, c in ((table, col), *refs):
        state._q(f"UPDATE {t} SET {c}=(SELECT new FROM renumbered WHERE old={t}.{c})+? WHERE {c} IN"
                 " (SELECT old FROM renumbered)", (offset,))
        state._q(f"UPDATE {t} SET {c}={c}-? WHERE {c}>=?", (offset, offset))
    state._q("DELETE FROM renumbered")


def _renumber_together(state: StateStore, table: str, col: str, refs: tuple[tuple[str, str], ...],
                       mapping: list[tuple[int, int]], offset: int | None) -> None:
    """PostgreSQL checks a foreign key at the end of each statement: the ids and the columns referring
    to them move in one statement (data-modifying WITH), twice (shift past, then back: a key's index
    refuses a value twice even for a row's moment); once, old -> new, when ``offset`` is None (a column
    that is no key: every row's new value is computed from the rows as they were before the statement)."""
    olds, news = [m[0] for m in mapping], [m[1] for m in mapping]
    steps = [(olds, news)] if offset is None else [(olds, [n + offset for n in news]),
                                                   ([n + offset for n in news], news)]
    for step_old, step_new in steps:
        parts = ["m(old, new) AS (SELECT * FROM unnest(?::bigint[], ?::bigint[]))"]
        parts += [f"u{i} AS (UPDATE {t} SET {c}=m.new FROM m WHERE {t}.{c}=m.old RETURNING 1)"
                  for i, (t, c) in enumerate(refs)]
        state._q(f"WITH {', '.join(parts)} UPDATE {table} SET {col}=m.new FROM m WHERE {table}.{col}=m.old",
                 (step_old, step_new))
