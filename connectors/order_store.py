"""Canonical order tables kept between runs: one Parquet pair (orders, lines) per received file or
applied change, beside a received 850 file's pair its SAC allowances and charges ("sacs", ORDER_SACS:
what its POs promised; a file stored before they were kept has none), and the 860 change tables per
received file; written to a temporary name and renamed. Held orders are decided later from here;
nothing is re-parsed. A file read a piece at a time (flows.intake) keeps one pair (and SAC table) per
piece that holds orders (part 1, 2, ... beside the first); reading its key reads them all, in order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from connectors.base import Nesting
from schemas.changes import CHANGE_ADDED_LATER, CHANGE_HEADERS, CHANGE_SACS, CHANGES_ADDED_LATER, ORDER_CHANGES
from schemas.errors import StateError
from schemas.orders import ADDED_LATER, LINES_ADDED_LATER, ORDER_LINES, ORDER_SACS, ORDERS, SACS_ADDED_LATER

_EMPTY: dict[pa.Schema, bytes] = {}  # an empty table's Parquet file, encoded once per schema
# How every table is written: without column statistics (min/max per column chunk), which nothing here reads
# (each file is read whole, never filtered by them) and whose computing cost a fifth of a 10,000-PO intake's
# Parquet writing (0.19 -> 0.15 s CPU for 200,000 lines in 20 files); the rows read back are the same.
# s52 (CPU s, the 4x bench's 40 orders and lines files, 210,000 rows, min of 3-4 runs, noisy): Arrow's default
# snappy compression kept: none, lz4 or zstd wrote (0.51-0.63) and read (0.46-0.59) the same within noise (none
# doubles the bytes); read through memory_map, pre_buffer=False or the file's bytes in a BufferReader: the same too.
# The cost is per column (62 line columns, ~0.4 ms each per 10,000-row file), not per byte.
_WRITE_OPTIONS = {"write_statistics": False}
# A table of fewer rows than this is written without dictionary pages: a one-PO file's tables (1 and 20 rows)
# repeat too little for a dictionary to pay, and building it when written and decoding it at each of the 3-4
# reads a night makes cost ~0.3 ms CPU per table each time (ORDERS written 1.64 -> 1.37 ms, read 1.33 -> 1.06;
# 500 rows 2.07 -> 1.52, 1.63 -> 1.25); a large one keeps them (10,000 lines: read 12.6 ms with them, 20.2 and
# twice the bytes without). The rows read back are the same.
DICTIONARY_ROWS = 1_000
# Columns a large table writes without a dictionary all the same: a value per row that never repeats (a line's
# segment ordinal in its file), whose dictionary is as large as the column and is built, written and decoded for
# nothing. s56 (CPU, a 10,000-line ORDER_LINES table): file_segment written 0.36 -> 0.03 ms, the table 6.7 -> 6.2
# ms; read the same (5.9 ms); the file 6% larger. The rows read back are the same.
_NO_DICTIONARY = frozenset({"file_segment"})
_DICTIONARY_PATHS: dict[pa.Schema, list[str] | bool] = {}  # per schema: its leaf columns to encode with one


def _empty_file(schema: pa.Schema) -> bytes:
    """The Parquet file of an empty ``schema`` table (what pq.write_table writes), encoded once: a file of
    POs without SACs writes its (empty) SAC table as bytes, no Parquet writer per file."""
    got = _EMPTY.get(schema)
    if got is None:
        sink = pa.BufferOutputStream()
        pq.write_table(schema.empty_table(), sink, **_WRITE_OPTIONS)
        got = _EMPTY[schema] = sink.getvalue().to_pybytes()
    return got


def _parquet_file(table: pa.Table, schema: pa.Schema) -> pa.Buffer:
    """``table`` as the Parquet file of a ``schema`` table (its columns selected and cast to it, unless it has
    that schema already, metadata included)."""
    if not table.schema.equals(schema, check_metadata=True):
        table = table.select(schema.names).cast(schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, use_dictionary=table.num_rows >= DICTIONARY_ROWS and _dictionary_paths(schema),
                   **_WRITE_OPTIONS)
    return sink.getvalue()


def _dictionary_paths(schema: pa.Schema) -> list[str] | bool:
    """What a large ``schema`` table gives Parquet's use_dictionary: every leaf column (its path in the file:
    "product_ids.list.element.id") but those of _NO_DICTIONARY, found once per schema from its empty file; True
    (every column) when the schema has none of them."""
    got = _DICTIONARY_PATHS.get(schema)
    if got is None:
        if _NO_DICTIONARY.isdisjoint(schema.names):
            got = True
        else:
            leaves = pq.ParquetFile(pa.BufferReader(_empty_file(schema))).schema
            got = [path for path in (leaves.column(i).path for i in range(len(leaves)))
                   if path.split(".", 1)[0] not in _NO_DICTIONARY]
        _DICTIONARY_PATHS[schema] = got
    return got


def _read_file(path: Path, columns: list[str] | None = None, schema: pa.Schema | None = None) -> pa.Table:
    """One stored Parquet file (only ``columns``, in that order, when given), as pq.read_table reads it
    (same schema, chunks and values) without its dataset layer: about a third less CPU over a night's
    small files (0.41 -> 0.26 s for 40 files, 210,000 lines; 0.12 -> 0.08 s for the ship stage's 40
    column reads); and one small file at a time without Arrow's thread pool (its wake-ups cost more
    than they save). A column the file lacks raises KeyError (ParquetFile.read would leave it out),
    unless it is one ``schema`` (the table's, every column when ``columns`` is None) gained after tables
    were stored (schemas.orders.ADDED_LATER, LINES_ADDED_LATER, schemas.changes.CHANGE_ADDED_LATER,
    CHANGES_ADDED_LATER, schemas.orders.SACS_ADDED_LATER): a table stored before reads it as null."""
    with pq.ParquetFile(path) as f:
        table = f.read(columns=columns, use_threads=False)
    wanted = columns if columns is not None else schema.names if schema is not None else None
    if wanted is None or table.column_names == wanted:
        return table
    if schema is not None:
        have = set(table.column_names)
        for name in wanted:
            if name not in have and (name in ADDED_LATER or name in LINES_ADDED_LATER or name in CHANGE_ADDED_LATER
                                     or name in CHANGES_ADDED_LATER or name in SACS_ADDED_LATER):
                table = table.append_column(schema.field(name), pa.nulls(table.num_rows, schema.field(name).type))
    return table.select(wanted)


def _as(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table.cast(schema)`` without its pass over every column when the types are the schema's already (every
    table stored since its schema last changed): the same table, with the schema's metadata. A night of
    one-PO files reads each file's tables several times, and a cast of an unchanged 92-column ORDERS table
    costs ~0.45 ms CPU (its check ~0.08)."""
    if table.schema.equals(schema, check_metadata=True):
        return table
    if table.schema.equals(schema):
        return pa.Table.from_arrays(table.columns, schema=schema)
    return _struct_fields_filled(table, schema).cast(schema)


def _struct_fields_filled(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with each list-of-struct column whose struct lacks fields of ``schema``'s (one that gained a field
    after tables were stored: schemas.orders PID_SENT's language, PID09) given them as nulls, so that a table stored
    before casts to ``schema`` (Arrow casts to a wider struct from pyarrow 19 only). Other columns as they are."""
    for k, have in enumerate(table.schema):
        want = schema.field(have.name).type if have.name in schema.names else None
        if want is None or have.type == want or not (pa.types.is_list(have.type) and pa.types.is_list(want)
                                                     and pa.types.is_struct(have.type.value_type)
                                                     and pa.types.is_struct(want.value_type)):
            continue
        got = {f.name: f for f in have.type.value_type}
        fields = [got.get(f.name, f) for f in want.value_type]
        if len(got) == len(fields) or not set(got) <= {f.name for f in fields}:
            continue  # (not a struct that gained fields: left to the cast)
        chunks = []
        for chunk in table.column(k).chunks:  # its lists' values (flatten: the chunk's own), offsets from 0
            values, offsets = chunk.flatten(), chunk.offsets
            struct = pa.StructArray.from_arrays(
                [values.field(f.name) if f.name in got else pa.nulls(len(values), f.type) for f in fields],
                fields=fields, mask=values.is_null() if values.null_count else None)
            chunks.append(pa.ListArray.from_arrays(pc.subtract(offsets, offsets[0]) if len(offsets) else offsets,
                                                   struct, mask=chunk.is_null() if chunk.null_count else None))
        table = table.set_column(k, have.name, pa.chunked_array(chunks, pa.list_(pa.struct(fields))))
    return table


# Tables handed on in memory (docs/design-night-in-arrow.md, item 1): while a night's intake and decide run in one
# process (flows.night: ``handed_on``), each table written is kept as the read of its file would give it, with the
# file's stamp (inode, size, modification and change times, ns) once renamed into place; the first read of that
# file takes it instead when the file still has that stamp (any later write, here or by another process, renames a
# new file into place: another inode), and lets it go (decide drops its tables once the rules have them: none held
# twice). What is not read is let go when the night's decide is done. The 4x bench's decide read 40 Parquet files
# (210,000 lines) written minutes before: ~0.4-0.6 s CPU.
_KEPT: dict[Path, tuple[tuple[int, int, int, int], pa.Table]] = {}
_KEEPING = Nesting(_KEPT.clear)  # handed_on's scope (the night's process only: a pool's worker or the console keeps
# nothing)


def handed_on() -> AbstractContextManager[None]:
    """The tables written inside kept in memory for their file's first read (``_stored``); all let go at the
    end."""
    return _KEEPING.scope()


def _stamp(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def stamp(path: Path) -> tuple[int, int, int, int]:
    """A stored file's stamp (inode, size, modification and change times, ns): any later write of it renames
    another file into place (another inode), so a table read while it had this stamp is still what it holds."""
    return _stamp(path)


def _keep(path: Path, table: pa.Table, schema: pa.Schema) -> None:
    """``table``, just written to ``path`` as a ``schema`` table, kept as ``_stored`` would read it back (the
    schema's columns, types and metadata, one chunk per column as one row group reads) while tables are handed
    on; else any table kept for ``path`` before is let go."""
    if not _KEEPING or not table.num_rows:
        _KEPT.pop(path, None)
        return
    if not table.schema.equals(schema, check_metadata=True):
        table = table.select(schema.names).cast(schema)
    if any(c.num_chunks != 1 for c in table.columns):
        table = table.combine_chunks()
    _KEPT[path] = (_stamp(path), table)


def _stored(path: Path, schema: pa.Schema) -> pa.Table:
    """The ``schema`` table stored at ``path``: the one kept when it was written (``_keep``) if the file is still
    the one written then (let go either way), else the file read."""
    kept = _KEPT.pop(path, None) if _KEPT else None
    if kept is not None and kept[0] == _stamp(path):
        return kept[1]
    return _as(_read_file(path, schema=schema), schema)


class OrderStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, partner: str, key: str, kind: str, part: int = 0) -> Path:
        return self.root / partner / (f"{key}.{kind}.parquet" if not part else f"{key}.{kind}.part{part:06d}.parquet")

    def _parts(self, partner: str, key: str, kind: str) -> list[Path]:
        """The key's stored files of this kind in order: the first, then its parts (``.partNNNNNN``, six
        ASCII digits), found by name as text in the folder's index of parts (_pieces; no glob pattern per
        key: the key is the interchange's control numbers as sent, and ST02 may hold "[", "*" or "?")."""
        first = self._path(partner, key, kind)
        more = [first.parent / n for n in _pieces(first.parent).get(f"{first.name[:-len('.parquet')]}.part", ())]
        return [first] + more if more and first.exists() else more or [first]

    def parts(self, partner: str, key: str, kind: str) -> list[Path]:
        """The stored files of ``key``'s ``kind`` table ("orders", "lines", ...), in order (_parts)."""
        return self._parts(partner, key, kind)

    def _write(self, partner: str, key: str, tables: list[tuple[str, pa.Table, pa.Schema]], part: int = 0) -> None:
        """Each table's Parquet file, encoded in memory and written to a temporary name, then renamed. A file's
        fixed cost counts where partners send many small files (a 50-PO file's orders, lines and SACs: ~5.4 ->
        ~3.7 ms CPU): the folder is made once, a table built with its schema (the parsers') is not cast to
        it again, and the bytes go to disk by one plain write, not through Arrow's file system layer."""
        (self.root / partner).mkdir(parents=True, exist_ok=True)  # (every kind's folder: _path)
        for kind, table, schema in tables:
            path = self._path(partner, key, kind, part)
            tmp = path.with_name(f".tmp-{path.name}")
            tmp.write_bytes(_parquet_file(table, schema) if table.num_rows
                            else _empty_file(schema))  # (the same file as pq.write_table's, encoded once)
            os.replace(tmp, path)
            _keep(path, table, schema)

    def _read(self, partner: str, key: str, kinds: list[tuple[str, pa.Schema]]) -> tuple[pa.Table, ...]:
        try:
            return tuple(_concat([_stored(p, schema) for p in self._parts(partner, key, kind)])
                         for kind, schema in kinds)
        except (OSError, pa.ArrowInvalid) as exc:
            raise StateError("stored tables are missing or unreadable", partner=partner, key=key) from exc

    def save(self, partner: str, key: str, orders: pa.Table, lines: pa.Table, *, part: int = 0,
             sacs: pa.Table | None = None) -> None:
        """The orders and lines of a received file (or piece ``part`` of it) or an applied change; with ``sacs``
        (a received 850 file's ORDER_SACS, empty when its POs sent none) their SAC table beside them."""
        kinds = [("orders", orders, ORDERS), ("lines", lines, ORDER_LINES)]
        if sacs is not None:
            kinds.append(("sacs", sacs, ORDER_SACS))
        self._write(partner, key, kinds, part)

    def load(self, partner: str, key: str) -> tuple[pa.Table, pa.Table]:
        return self._read(partner, key, [("orders", ORDERS), ("lines", ORDER_LINES)])

    def load_columns(self, partner: str, key: str, order_columns: list[str], line_columns: list[str]
                     ) -> tuple[pa.Table, pa.Table]:
        """load's pair with only these of their columns read (the invoice stage's 810 values)."""
        try:
            return tuple(_concat([_as(_read_file(p, columns, schema), pa.schema([schema.field(c) for c in columns]))
                                  for p in self._parts(partner, key, kind)])
                         for kind, schema, columns in (("orders", ORDERS, order_columns),
                                                       ("lines", ORDER_LINES, line_columns)))  # type: ignore[return-value]
        except (OSError, pa.ArrowInvalid, KeyError) as exc:
            raise StateError("stored tables are missing or unreadable", partner=partner, key=key) from exc

    def load_orders(self, partner: str, key: str, columns: list[str] | None = None) -> pa.Table:
        """Only the ORDERS table of a pair (readers that need no lines: the reconciliation's ship dates);
        ``columns``: only these of its columns (the others are not read)."""
        if columns is None:
            return self._read(partner, key, [("orders", ORDERS)])[0]
        schema = pa.schema([ORDERS.field(c) for c in columns])
        try:
            return _concat([_as(_read_file(p, columns, ORDERS), schema)
                            for p in self._parts(partner, key, "orders")])
        except (OSError, pa.ArrowInvalid, KeyError) as exc:
            raise StateError("stored tables are missing or unreadable", partner=partner, key=key) from exc

    def has_sacs(self, partner: str, key: str) -> bool:
        """Whether the file stored under ``key`` kept its SAC table (every 850 file stored since SACs are kept
        has one, empty when its POs sent none; one stored before has none)."""
        return any(p.exists() for p in self._parts(partner, key, "sacs"))

    def sac_keys(self, partner: str, kind: str = "sacs") -> frozenset[str]:
        """The keys of ``partner``'s files stored with their SAC table (``has_sacs`` of each, the folder listed
        once); ``kind`` "change-sacs": the 860 files stored with theirs (load_change_sacs)."""
        try:
            names = os.listdir(self.root / partner)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            return frozenset()
        keys = set()
        whole, part = f".{kind}.parquet", f".{kind}.part"
        width = len(part) + 14  # .part + six digits + .parquet
        for n in names:
            if n.startswith(".tmp-"):
                continue
            if n.endswith(whole):
                keys.add(n[:-len(whole)])
            elif n.endswith(".parquet") and len(n) > width and n[-width:-14] == part and n[-14:-8].isascii() \
                    and n[-14:-8].isdigit():
                keys.add(n[:-width])
        return frozenset(keys)

    def load_sacs(self, partner: str, key: str) -> pa.Table:
        """The ORDER_SACS of the file stored under ``key``, all its parts; an empty table when it has none
        (stored before SACs were kept: ``has_sacs`` tells the two apart)."""
        if not self.has_sacs(partner, key):
            return ORDER_SACS.empty_table()
        return self._read(partner, key, [("sacs", ORDER_SACS)])[0]

    def save_changes(self, partner: str, key: str, headers: pa.Table, changes: pa.Table, *, part: int = 0,
                     sacs: pa.Table | None = None) -> None:
        """A received file's 860 tables; with ``sacs`` (its CHANGE_SACS) their SAC table beside them when it has
        rows (an 860 without SACs, most of them, writes none: load_change_sacs reads that as empty)."""
        kinds = [("change-headers", headers, CHANGE_HEADERS), ("changes", changes, ORDER_CHANGES)]
        if sacs is not None and sacs.num_rows:
            kinds.append(("change-sacs", sacs, CHANGE_SACS))
        self._write(partner, key, kinds, part)

    def load_change_sacs(self, partner: str, key: str) -> pa.Table:
        """The CHANGE_SACS of the 860 file stored under ``key``, all its parts; empty when it sent none (or was
        stored before they were kept)."""
        paths = [p for p in self._parts(partner, key, "change-sacs") if p.exists()]
        if not paths:
            return CHANGE_SACS.empty_table()
        try:
            return _concat([_as(_read_file(p, schema=CHANGE_SACS), CHANGE_SACS) for p in paths])
        except (OSError, pa.ArrowInvalid) as exc:
            raise StateError("stored tables are missing or unreadable", partner=partner, key=key) from exc

    def restate_change_sacs(self, partner: str, key: str, restated: Callable[[pa.Table], pa.Table]) -> None:
        """Each stored part of the CHANGE_SACS of ``key`` written again as ``restated`` returns it (a part it returns
        unchanged, the same table, is left as it is): an 876's G68-loop SACs given the line their item named, once
        the change is applied (engine.changes.sacs_on_lines)."""
        for path in [p for p in self._parts(partner, key, "change-sacs") if p.exists()]:
            try:
                table = _as(_read_file(path, schema=CHANGE_SACS), CHANGE_SACS)
            except (OSError, pa.ArrowInvalid) as exc:
                raise StateError("stored tables are missing or unreadable", partner=partner, key=key) from exc
            new = restated(table)
            if new is not table:
                tmp = path.with_name(f".tmp-{path.name}")
                tmp.write_bytes(_parquet_file(new, CHANGE_SACS))
                os.replace(tmp, path)
                _keep(path, new, CHANGE_SACS)

    def load_changes(self, partner: str, key: str) -> tuple[pa.Table, pa.Table]:
        return self._read(partner, key, [("change-headers", CHANGE_HEADERS), ("changes", ORDER_CHANGES)])


# A folder's parts by the name they share before their six digits (``{key}.{kind}.part``), each list sorted, and
# the folder's modification time (ns) when it was listed: the folder (every file a partner sent, three or four
# tables each, every night's) is listed once while it does not change, not once per key read. A listing taken
# within _RACY_NS of the folder's time is not kept (a file written in the same clock tick would leave that time
# as it was: git's "racy" case), so a part written after a listing is always seen.
_INDEX: dict[Path, tuple[int, dict[str, list[str]]]] = {}
_RACY_NS = 1_000_000_000


def _pieces(folder: Path) -> dict[str, list[str]]:
    try:
        mtime = os.stat(folder).st_mtime_ns
    except (FileNotFoundError, NotADirectoryError, PermissionError):  # as Path.glob: nothing found
        _INDEX.pop(folder, None)
        return {}
    kept = _INDEX.get(folder)
    if kept is not None and kept[0] == mtime:
        return kept[1]
    listed_at = time.time_ns()
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return {}
    index: dict[str, list[str]] = {}
    for n in names:
        if len(n) > 14 and n.endswith(".parquet") and n[-14:-8].isascii() and n[-14:-8].isdigit():
            index.setdefault(n[:-14], []).append(n)
    for more in index.values():
        more.sort()
    if listed_at - mtime > _RACY_NS:
        _INDEX[folder] = (mtime, index)
    else:
        _INDEX.pop(folder, None)
    return index


def _concat(tables: list[pa.Table]) -> pa.Table:
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables)


def per_stored_table(records: Iterable, read: Callable[[str, str], object]) -> Iterator[tuple[object, object]]:
    """(record, what ``read(partner, lines_key)`` made of its current stored table) for each record that has
    one, each table read once however many records share it; a table that cannot be read (StateError) gives
    None. The readers of a few stored columns for many orders (dates, releases) go through it."""
    done: dict[tuple[str, str], object] = {}
    for r in records:
        if not r.lines_key:
            continue
        key = (r.partner, r.lines_key)
        if key not in done:
            try:
                done[key] = read(r.partner, r.lines_key)
            except StateError:
                done[key] = None
        yield r, done[key]


def order_row(orders: pa.Table, po_number: str, order_ref: str | None) -> dict | None:
    """One order's row of a stored ORDERS table (``load_orders``): the row of its order_ref, else the
    last row of its PO number (a table stored before order_refs told versions apart); None when absent."""
    import pyarrow.compute as pc

    same_po = pc.equal(orders["po_number"], po_number)
    rows = orders.filter(pc.and_(same_po, pc.equal(orders["order_ref"], order_ref))).to_pylist() \
        if order_ref is not None else []
    rows = rows or orders.filter(same_po).to_pylist()
    return rows[-1] if rows else None
