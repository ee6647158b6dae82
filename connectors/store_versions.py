"""Tables one stage of a night wrote, kept in this process for the next stage's read of the same rows, by the
state store's write version (docs/design-night-in-arrow.md, session 57; docs/state-store.md, version 23).

The store keeps a write version (table ``write_version``, one row): every transaction that writes anything but
a lease row bumps it before its COMMIT (connectors.state StateStore.transaction: the tables written are those the
statements named, checked against SQLite's own count of rows changed, so a writer cannot forget it), on every
connection of every process. A table kept here carries the version its rows are stored at; a reader on another
connection takes it only while the store's version is still that one (nobody wrote since), else reads the store.

A commit of this process that went from exactly the version a table was kept at to the next one (nobody else
wrote in between: the bump is inside the transaction, so the value before it is the store's as the transaction
found it) and wrote none of the table's store tables, or only rows of orders it says it touched, moves the table
to the new version (less those orders' rows): the same night's other writes (a stage's findings, its run row, a
later file's shipments) do not make it stale. Anything else (another process, the console's approval, a second
StateStore on the same file writing the same tables without saying which orders) leaves it behind: stale.

Kept only inside ``keeping()`` (flows.night, around decide, the ship and the invoice stages, and for the order lines
on to the reconciliation: all in the night's process); a pool's worker or the console keeps nothing. Keyed by the
store's path (or shown URL). Importing this module loads no pyarrow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from connectors.base import Nesting

ANY = None  # a table written by statements not all saying which orders they touched: every order
EVERY = "*"  # (in ``committed``'s tables) a write whose table is not known: every table, every order


@dataclass
class Kept:
    """One kept table: its parts (Arrow tables of one schema, each sorted by order and ``order``'s columns), where
    each order's rows stand now (part, first row, rows: a later part's rows of an order replace an earlier's), the
    store tables its rows come from, and the write version they are stored at."""

    tables: frozenset[str]
    version: int
    schema: Any
    parts: list[Any] = field(default_factory=list)
    where: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)


_KEPT: dict[tuple[str, str], Kept] = {}
_KEEPING = Nesting(lambda: forget())  # keeping()'s scope: forget() when the outermost ends
_LOCK = threading.Lock()
TAKEN: dict[str, int] = {}  # name -> reads served from a kept table (tests: that a stage took it, not the store)


def keeping() -> AbstractContextManager[None]:
    """Tables written inside are kept for the next stage's read (``keep``); all let go at the end."""
    return _KEEPING.scope()


def active() -> bool:
    return bool(_KEEPING)


def forget(store: str | None = None) -> None:
    """Everything kept (for ``store``, or for every store) let go: e.g. a store restored or rebuilt in place."""
    with _LOCK:
        for key in [k for k in _KEPT if store is None or k[0] == store]:
            del _KEPT[key]


def let_go(keep: Iterable[str] = ()) -> None:
    """Every kept table but those named ``keep`` let go (of every store): what no later stage of the night takes."""
    with _LOCK:
        for key in [k for k in _KEPT if k[1] not in keep]:
            del _KEPT[key]


def committed(store: str, version: int, touched: dict[str, frozenset | None]) -> None:
    """A commit of this process took ``store`` from ``version`` - 1 to ``version``, writing ``touched``'s tables
    (each with the orders whose rows it wrote, or ANY; EVERY: a table not known). A table kept at ``version`` - 1
    whose store tables were not written, or only for orders named, moves to ``version`` (those orders no longer
    kept); one whose tables were written for orders not named is let go; one kept at another version is left
    behind (stale: never taken)."""
    with _LOCK:
        for key in [k for k in _KEPT if k[0] == store]:
            kept = _KEPT[key]
            if kept.version != version - 1:
                continue
            hit = [touched[t] for t in (*kept.tables, EVERY) if t in touched]
            if any(orders is ANY for orders in hit):
                del _KEPT[key]
                continue
            for orders in hit:
                for order in orders:
                    kept.where.pop(order, None)
            kept.version = version


def keep(store: str, name: str, tables: Iterable[str], version: int, rows: Any, schema: Any,
         order: Sequence[str], *, named: Iterable[tuple[str, str]] = ()) -> None:
    """``rows`` (an Arrow table: every stored row of the orders it holds, and of ``named`` orders, which have none
    when it holds none, in ``tables``) stored at ``version``: kept under ``name`` in ``schema`` beside what was kept
    before at the same version (its rows of these orders replaced); a table kept at another version is replaced
    whole. Nothing outside ``keeping()``."""
    if not _KEEPING:
        return
    import pyarrow as pa

    from schemas.grouping import in_key_order

    keys = ["partner", "po_number", *order]
    rows = rows.select(schema.names)
    if not in_key_order(rows, keys, strict=True):
        rows = rows.sort_by([(k, "ascending") for k in keys])
    rows = pa.Table.from_arrays(rows.columns, schema=schema).combine_chunks()
    firsts, sizes, orders = order_runs(rows)
    with _LOCK:
        kept = _KEPT.get((store, name))
        if kept is None or kept.version != version:
            kept = _KEPT[(store, name)] = Kept(frozenset(tables), version, schema)
        at = len(kept.parts)
        kept.parts.append(rows)
        for order_key in named:
            kept.where[order_key] = (at, 0, 0)
        for order_key, first, size in zip(orders, firsts.tolist(), sizes.tolist(), strict=True):
            kept.where[order_key] = (at, first, size)


def order_runs(rows: Any) -> tuple[Any, Any, list[tuple[str, str]]]:
    """``rows`` (an Arrow table with partner and po_number, each order's rows together) as its orders' runs: each
    run's first row and row count (numpy int64) and its (partner, po_number), in the rows' order."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = rows.num_rows
    partner, po = rows["partner"], rows["po_number"]
    new = np.ones(n, bool)
    if n > 1:
        new[1:] = pc.or_(pc.not_equal(partner.slice(1), partner.slice(0, n - 1)),
                         pc.not_equal(po.slice(1), po.slice(0, n - 1))).to_numpy(zero_copy_only=False)
    firsts = np.flatnonzero(new)
    sizes = np.diff(np.append(firsts, n))
    heads = rows.select(["partner", "po_number"]).take(pa.array(firsts, pa.int64()))
    return firsts, sizes, list(zip(heads["partner"].to_pylist(), heads["po_number"].to_pylist(), strict=True))


def take(store: str, name: str, version: int, orders: Sequence[tuple[str, str]], *, by_part: bool = False):
    """Every kept row of ``orders``, an order's rows after another's in the order given (each order's in the
    order it was kept in), as one table; None when not kept at ``version`` (something else wrote since) or an
    order is not kept. ``by_part``: the orders' rows together, but grouped by the part they are kept in (one take
    of a part: orders kept by different stages alternate in key order, a take of a few rows each), each part's in
    the order kept: the caller orders them."""
    import numpy as np
    import pyarrow as pa

    with _LOCK:
        kept = _KEPT.get((store, name))
        if kept is None or kept.version != version:
            return None
        spans = [kept.where.get(o) for o in orders]
        if any(s is None for s in spans):
            return None
        parts, schema = kept.parts, kept.schema
    if by_part:
        spans = sorted(spans)  # (part, first row, rows)
    pieces = [schema.empty_table()]
    run = 0
    while run < len(spans):  # the orders one part holds one after another: one take from that part
        end = run
        while end < len(spans) and spans[end][0] == spans[run][0]:
            end += 1
        firsts = np.fromiter((s[1] for s in spans[run:end]), np.int64, end - run)
        sizes = np.fromiter((s[2] for s in spans[run:end]), np.int64, end - run)
        ends = np.cumsum(sizes)
        if ends[-1]:
            indices = np.arange(ends[-1], dtype=np.int64) + np.repeat(firsts - (ends - sizes), sizes)
            pieces.append(parts[spans[run][0]].take(pa.array(indices, pa.int64())))
        run = end
    return pa.concat_tables(pieces)


def held(store: str, name: str, version: int) -> frozenset[tuple[str, str]] | None:
    """The orders whose rows are kept under ``name`` at ``version`` (take gives them); None when nothing is kept
    there at that version."""
    with _LOCK:
        kept = _KEPT.get((store, name))
        return None if kept is None or kept.version != version else frozenset(kept.where)


def taken(name: str) -> None:
    with _LOCK:
        TAKEN[name] = TAKEN.get(name, 0) + 1
