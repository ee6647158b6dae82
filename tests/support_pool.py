"""What two nights on two copies of a workspace are compared by (tests/test_partner_order.py,
tests/test_pool_night.py): the whole state store (every table, every column, store ids included),
the outboxes and the reports, with the wall-clock columns and each workspace's own path normalised."""

from __future__ import annotations

from pathlib import Path

from connectors.state import StateStore
from flows.workspace import open_workspace

WALL_CLOCK = {("runs", "started_at"), ("runs", "finished_at")}  # the only columns a fixed run clock does not fix
# Who held which lease, when and where (connectors.lease): coordination records, wall clock, hosts and
# PIDs throughout; a pool's run also leaves its partners' leases. Compared apart (dump_leases).
NOT_OUTCOME = {"leases", "write_version"}  # (the write version counts transactions: more with more processes)


def _normal(value: object, root: str) -> object:
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, str):
        return value.replace(root, "<workspace>")
    if isinstance(value, bytes):
        return value.replace(root.encode(), b"<workspace>")
    return value


def dump_state(ws: Path) -> dict[str, list[tuple]]:
    """Every table of the workspace's state store but the leases: its rows, sorted, every column but the
    wall clock (and the store's random workspace_id)."""
    root = str(ws.resolve())
    state = StateStore(open_workspace(ws).state_url)
    try:
        out = {}
        for table in sorted(state._table_names() - NOT_OUTCOME):
            cols = sorted(state._columns(table))
            rows = state._q(f"SELECT {', '.join(cols)} FROM {table}")
            if table == "meta":  # a store's random identity (connectors.state_migrations)
                rows = [r if r[0] != "workspace_id" else (r[0], "<random>") for r in rows]
            out[table] = sorted((tuple("<wall>" if (table, c) in WALL_CLOCK else _normal(v, root)
                                       for c, v in zip(cols, row, strict=True)) for row in rows), key=repr)
        return out
    finally:
        state.close()


def dump_files(ws: Path) -> dict[str, bytes]:
    """The outboxes, the input folders (archive, processed, quarantine) and the reports, by path."""
    root = str(ws.resolve())
    files = [*ws.glob("drop/*/*/*"), *ws.glob("warehouse-drop/*/*/*"), *ws.glob("reports/**/*")]
    return {str(p.relative_to(ws)): _normal(p.read_bytes(), root) for p in sorted(files) if p.is_file()}


def differences(got: dict, want: dict, what: str) -> list[str]:
    out = []
    for key in sorted(set(got) | set(want)):
        if got.get(key) != want.get(key):
            g, w = got.get(key), want.get(key)
            if isinstance(w, list) and isinstance(g, list):
                extra = [r for r in g if r not in w][:2]
                missing = [r for r in w if r not in g][:2]
                out.append(f"{what} {key}: extra {extra!r:.600} missing {missing!r:.600}")
            else:
                out.append(f"{what} {key}: {('absent' if g is None else repr(g)[:300])} != "
                           f"{('absent' if w is None else repr(w)[:300])}")
    return out



def dump_leases(ws: Path) -> dict[str, tuple[str, bool]]:
    """The leases the workspace's store records: name -> (command, released)."""
    state = StateStore(open_workspace(ws).state_url)
    try:
        return {name: (command, bool(released))
                for name, command, released in state._q("SELECT name, command, released FROM leases")}
    finally:
        state.close()
