"""Inventory snapshot store: hive-partitioned Parquet (`<root>/as_of=YYYY-MM-DD/*.parquet`) and an
expected-receipts Parquet file. Loads are strict: a missing partition, a corrupt file, a wrong column
type or a null count raises SnapshotError naming the path; nothing is ever read as zero.
Writes go to a temporary name and are renamed into place. No parsing, no allocation logic here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from connectors import durable
from schemas.errors import SnapshotError
from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

_PARTITION = re.compile(r"^as_of=(\d{4}-\d{2}-\d{2})$")
_TMP_PREFIX = ".tmp-"


def partition_dir(root: Path | str, as_of: date) -> Path:
    return Path(root) / f"as_of={as_of.isoformat()}"


def latest_as_of(root: Path | str, on_or_before: date | None = None) -> date:
    """The newest as_of partition under root (on or before ``on_or_before`` when given). For flows to
    pick a date; the engine never calls this."""
    root = Path(root)
    if not root.is_dir():
        raise SnapshotError("snapshot root does not exist", path=str(root))
    dates = []
    for child in root.iterdir():
        match = _PARTITION.match(child.name)
        if match and child.is_dir():
            try:
                dates.append(date.fromisoformat(match.group(1)))
            except ValueError:
                continue
    if on_or_before is not None:
        dates = [d for d in dates if d <= on_or_before]
    if not dates:
        raise SnapshotError("no as_of=YYYY-MM-DD partition in snapshot root"
                            + (f" on or before {on_or_before}" if on_or_before else ""), path=str(root))
    return max(dates)


def load_snapshot(root: Path | str, as_of: date) -> pa.Table:
    """The INVENTORY_SNAPSHOT table of one day, sorted by (warehouse, sku)."""
    return _snapshot(_parts(root, as_of), as_of)


def load_snapshot_summed(root: Path | str, as_of: date) -> tuple[pa.Table, tuple[tuple[str, str, str, int, int], ...]]:
    """The day's snapshot as load_snapshot reads it, a (warehouse, sku) written in several rows (a partition written
    by hand, a second file left beside the loader's, a loader's bug) counted once with its rows' on_hand and reserved
    summed, as the inventory loader sums an export's lots; and those rows, (file name, warehouse, sku, on_hand,
    reserved) in file and row order, for the night to name (ops check a row written twice)."""
    parts = _parts(root, as_of)
    seen: dict[tuple[str, str], list[tuple[str, str, str, int, int]]] = {}
    for path, part in parts:
        for w, s, on, res in zip(*(part[c].to_pylist() for c in ("warehouse", "sku", "on_hand", "reserved")),
                                 strict=True):
            seen.setdefault((w, s), []).append((path.name, w, s, int(on), int(res)))
    rows = tuple(r for cell in sorted(seen) if len(seen[cell]) > 1 for r in seen[cell])
    table = _snapshot(parts, as_of)
    if not rows:
        return table, rows
    summed = table.group_by(["as_of", "warehouse", "sku"], use_threads=False).aggregate(
        [("on_hand", "sum"), ("reserved", "sum")]).rename_columns(["as_of", "warehouse", "sku", "on_hand", "reserved"])
    summed = summed.select(INVENTORY_SNAPSHOT.names).cast(INVENTORY_SNAPSHOT)
    return summed.take(pc.sort_indices(summed, [("warehouse", "ascending"), ("sku", "ascending")])), rows


def warehouses_on(root: Path | str, as_of: date) -> set[str]:
    """The warehouse codes the day's partition holds rows of (its warehouse column alone read); none where it has no
    partition or no file."""
    path = partition_dir(root, as_of)
    if not path.is_dir():
        return set()
    out: set[str] = set()
    for f in sorted(p for p in path.glob("*.parquet") if not p.name.startswith(_TMP_PREFIX)):
        out |= set(pc.unique(_read_checked(f, INVENTORY_SNAPSHOT, ["warehouse"])["warehouse"]).to_pylist())
    return out


def _parts(root: Path | str, as_of: date) -> list[tuple[Path, pa.Table]]:
    """Each parquet file of the day's partition, read and checked, by name."""
    path = partition_dir(root, as_of)
    if not path.is_dir():
        raise SnapshotError("snapshot partition missing", path=str(path), as_of=as_of.isoformat())
    files = sorted(p for p in path.glob("*.parquet") if not p.name.startswith(_TMP_PREFIX))
    if not files:
        raise SnapshotError("snapshot partition holds no parquet file", path=str(path))
    columns = [f.name for f in INVENTORY_SNAPSHOT if f.name != "as_of"]
    # each file in the snapshot's types (a file written by hand: nullable columns, int32 counts), so they concatenate
    schema = pa.schema([INVENTORY_SNAPSHOT.field(c) for c in columns])
    return [(f, _read_checked(f, INVENTORY_SNAPSHOT, columns).select(columns).cast(schema)) for f in files]


def _snapshot(parts: list[tuple[Path, pa.Table]], as_of: date) -> pa.Table:
    table = pa.concat_tables([t for _path, t in parts])
    as_of_col = pa.array([as_of] * table.num_rows, pa.date32())
    table = table.add_column(0, INVENTORY_SNAPSHOT.field("as_of"), as_of_col)
    table = table.cast(INVENTORY_SNAPSHOT)
    order = pc.sort_indices(table, [("warehouse", "ascending"), ("sku", "ascending")])
    return table.take(order)


def load_receipts(path: Path | str) -> pa.Table:
    """The EXPECTED_RECEIPTS table from one Parquet file."""
    path = Path(path)
    if not path.is_file():
        raise SnapshotError("expected-receipts file missing", path=str(path))
    return _read_checked(path, EXPECTED_RECEIPTS, EXPECTED_RECEIPTS.names).cast(EXPECTED_RECEIPTS)


def write_snapshot(root: Path | str, table: pa.Table) -> list[Path]:
    """Write an INVENTORY_SNAPSHOT table, one partition per as_of value; returns the files written."""
    table = _conform(table, INVENTORY_SNAPSHOT)
    written = []
    for day in pc.unique(table["as_of"]).to_pylist():
        part = table.filter(pc.equal(table["as_of"], pa.scalar(day, pa.date32()))).drop_columns(["as_of"])
        target = partition_dir(root, day) / "part-0.parquet"
        _write_atomic(part, target)
        written.append(target)
    return written


def merge_snapshot(root: Path | str, table: pa.Table) -> tuple[list[Path], dict[date, list[str]],
                                                                 dict[tuple[date, str], int]]:
    """Write an INVENTORY_SNAPSHOT table into the days it names, warehouse by warehouse: a warehouse's rows of a
    day replace its rows loaded before for that day; the other warehouses' rows of that day are kept (each DC's
    system exporting its own stock, loaded one file after the other). The files written, per day the warehouses
    kept from before, and per (day, warehouse) replaced how many rows it had before."""
    table = _conform(table, INVENTORY_SNAPSHOT)
    written, kept, replaced = [], {}, {}
    for day in pc.unique(table["as_of"]).to_pylist():
        part = table.filter(pc.equal(table["as_of"], pa.scalar(day, pa.date32())))
        if partition_dir(root, day).is_dir():
            before = load_snapshot(root, day)
            mine = pc.is_in(before["warehouse"], value_set=pc.unique(part["warehouse"]))
            for where in before.filter(mine)["warehouse"].to_pylist():
                replaced[(day, where)] = replaced.get((day, where), 0) + 1
            others = before.filter(pc.invert(mine))
            if others.num_rows:
                kept[day] = sorted(set(others["warehouse"].to_pylist()))
                part = pa.concat_tables([others.cast(INVENTORY_SNAPSHOT), part])
        written += write_snapshot(root, part)
    return written, kept, replaced


def merge_receipts(path: Path | str, table: pa.Table, warehouses: Iterable[str], *,
                   replace_all: bool = False) -> tuple[list[str], list[str]]:
    """Write an EXPECTED_RECEIPTS table as the receipts of ``warehouses`` (those it names, and any others it speaks
    for: one DC's own export with none left, an 846's stock warehouses), as merge_snapshot writes stock: the
    receipts loaded before of other warehouses are kept; with ``replace_all`` (an export of every warehouse's open
    purchase orders) none is. An unreadable earlier file is replaced all the same. The warehouses whose receipts
    were dropped (replace_all) and those kept from before."""
    path = Path(path)
    before = EXPECTED_RECEIPTS.empty_table()
    if path.exists():
        try:
            before = load_receipts(path)
        except SnapshotError:
            pass
    mine = set(warehouses)
    if replace_all:
        write_receipts(path, table)
        return sorted(set(before["warehouse"].to_pylist()) - mine), []
    others = before.filter(pc.invert(pc.is_in(before["warehouse"], pa.array(sorted(mine), pa.string()))))
    write_receipts(path, pa.concat_tables([others, table]))
    return [], sorted(set(others["warehouse"].to_pylist()))


def known_warehouses(root: Path | str, receipts: Path | str) -> set[str]:
    """Every warehouse code the store holds: those of every day's snapshot and of the expected receipts (only the
    warehouse column read). A file that does not read is passed over: the night's own load says what is wrong
    with it."""
    files = [f for child in (Path(root).iterdir() if Path(root).is_dir() else ())
             if _PARTITION.match(child.name) and child.is_dir()
             for f in sorted(child.glob("*.parquet")) if not f.name.startswith(_TMP_PREFIX)]
    if Path(receipts).is_file():
        files.append(Path(receipts))
    out: set[str] = set()
    for f in files:
        try:
            out |= {w for w in pq.read_table(f, columns=["warehouse"])["warehouse"].to_pylist() if w}
        except (pa.ArrowException, OSError, KeyError):
            continue
    return out


def write_receipts(path: Path | str, table: pa.Table) -> Path:
    path = Path(path)
    _write_atomic(_conform(table, EXPECTED_RECEIPTS), path)
    return path


def _read_checked(path: Path, schema: pa.Schema, columns: list[str]) -> pa.Table:
    try:
        dataset = ds.dataset(str(path), format="parquet")
        physical = dataset.schema
    except (pa.ArrowException, OSError) as exc:
        raise SnapshotError("unreadable parquet file", path=str(path), problem=str(exc)) from exc
    problems = []
    for name in columns:
        want = schema.field(name).type
        if name not in physical.names:
            problems.append(f"column {name!r} missing")
        elif not _compatible(physical.field(name).type, want):
            problems.append(f"column {name!r} is {physical.field(name).type}, expected {want}")
    if problems:
        raise SnapshotError("snapshot has wrong columns", path=str(path), problem="; ".join(problems))
    try:
        table = dataset.to_table(columns=columns)
    except (pa.ArrowException, OSError) as exc:
        raise SnapshotError("corrupt parquet file", path=str(path), problem=str(exc)) from exc
    nulls = [name for name in columns if table[name].null_count]
    if nulls:
        raise SnapshotError("snapshot has null values", path=str(path), problem=f"nulls in {nulls}")
    return table


def _compatible(actual: pa.DataType, want: pa.DataType) -> bool:
    if actual == want:
        return True
    if pa.types.is_string(want):
        return pa.types.is_large_string(actual) or (
            pa.types.is_dictionary(actual) and pa.types.is_string(actual.value_type)
        )
    if pa.types.is_int64(want):  # every integer type that widens to int64 without loss
        return pa.types.is_signed_integer(actual) or actual in (pa.uint8(), pa.uint16(), pa.uint32())
    return False


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    try:
        return table.select(schema.names).cast(schema)
    except (KeyError, pa.ArrowException) as exc:
        raise SnapshotError("table does not match its schema", problem=str(exc)) from exc


def _write_atomic(table: pa.Table, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    durable.placed(target, lambda tmp: pq.write_table(table, tmp), tmp=target.with_name(f"{_TMP_PREFIX}{target.name}"))
