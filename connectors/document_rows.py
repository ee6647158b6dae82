"""Rows read out of our delivered documents, kept under the state folder (<workspace>/state/derived/) so
that the reconciliation reads each document's content once, not every night (engine.finance_inputs
answer_rows and invoice_rows: what our 855s, 865s and 810s said, a function of each document alone).
Derived data: a document whose rows are not kept (a save missing, unreadable, of another version, or
kept for another document under its id) is read again; deleting the folder costs one read of them all.
Stores Arrow tables, parses and decides nothing.

  <folder>/<first id>-<last id>-<n>.docs.arrow    the documents one save holds (DOCUMENT_KEY columns);
                                                   written last: a save without it is no save
  <folder>/<first id>-<last id>-<n>.<name>.arrow  the rows of each table of that save (a document_id column)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DOCUMENT_KEY = ("document_id", "partner", "doc_type", "file", "isa13")  # a document as the store names it
_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")


def _key(t: pa.Table) -> pa.Array:
    """One text per row of DOCUMENT_KEY, unambiguous whatever the texts hold (each led by its length)."""
    parts = []
    for c in DOCUMENT_KEY:
        text = pc.fill_null(pc.cast(t[c], pa.string()), "")  # none: as empty
        parts += [pc.cast(pc.utf8_length(text), pa.string()), text]
    key = pc.binary_join_element_wise(*parts, ":")
    return key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key


def read_arrow(path: Path) -> pa.Table:
    """The Arrow IPC file at ``path`` (write_arrow's) as one table."""
    with pa.OSFile(str(path), "rb") as f:
        return pa.ipc.open_file(f).read_all()


def write_arrow(path: Path, table: pa.Table) -> None:
    """``table`` as an Arrow IPC file at ``path``, written to a temporary name and renamed into place."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema, options=_OPTIONS) as writer:
            writer.write_table(table)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class DocumentRows:
    """The kept rows of some tables (``schemas``: name -> Arrow schema, each with a document_id column) read
    out of documents, in ``folder``."""

    def __init__(self, folder: Path, schemas: Mapping[str, pa.Schema]):
        self.folder = Path(folder)
        self.schemas = dict(schemas)

    def load(self, documents: pa.Table) -> tuple[dict[str, pa.Table], list[int]]:
        """The kept rows (per table) of ``documents`` (DOCUMENT_KEY columns, as the store has them now), and
        the ids of those documents whose rows are not kept. A document counts as kept by the first save
        (in name order) holding it under the same key; the rows of others are not read."""
        saves = sorted(self.folder.glob("*.docs.arrow")) if self.folder.is_dir() else []
        held, at = [], []
        for i, path in enumerate(saves):
            try:
                docs = read_arrow(path)
                if docs.num_rows and all(c in docs.column_names for c in DOCUMENT_KEY):
                    held.append(docs.select(list(DOCUMENT_KEY)))
                    at.append(i)
            except (OSError, pa.ArrowException):  # unreadable: its documents are read again
                continue
        parts: dict[str, list[pa.Table]] = {name: [] for name in self.schemas}
        ids = documents["document_id"]
        kept_ids = pa.array([], pa.int64())
        if held:
            every = pa.concat_tables(held)
            save = pa.array(np.repeat(np.array(at, np.int64), [t.num_rows for t in held]), pa.int64())
            same = pc.is_in(_key(every), value_set=_key(documents))
            every, save = every.filter(same), save.filter(same)
            first = pa.table({"document_id": every["document_id"], "save": save}).group_by(
                "document_id", use_threads=False).aggregate([("save", "min")])
            for i in sorted(set(first["save_min"].to_pylist())):
                mine = first.filter(pc.equal(first["save_min"], i))["document_id"]
                tables = self._rows_of(saves[i], mine)
                if tables is None:
                    continue
                for name, t in tables.items():
                    parts[name].append(t)
                kept_ids = pa.concat_arrays([kept_ids, mine.combine_chunks()])
        missing = ids.filter(pc.invert(pc.is_in(ids, value_set=kept_ids)))
        rows = {name: pa.concat_tables(p) if p else schema.empty_table()
                for (name, p), schema in zip(parts.items(), self.schemas.values(), strict=True)}
        return rows, sorted(missing.to_pylist())

    def _rows_of(self, docs_path: Path, ids: pa.Array | pa.ChunkedArray) -> dict[str, pa.Table] | None:
        """The rows of the documents ``ids`` in the save ``docs_path`` names, per table; None when one of its
        tables cannot be read as its schema."""
        stem = docs_path.name[: -len(".docs.arrow")]
        out = {}
        for name, schema in self.schemas.items():
            try:
                t = read_arrow(docs_path.with_name(f"{stem}.{name}.arrow"))
            except (OSError, pa.ArrowException):
                return None
            if not t.schema.equals(schema):
                return None
            out[name] = t.filter(pc.is_in(t["document_id"], value_set=ids))
        return out

    def save(self, documents: pa.Table, rows: Mapping[str, pa.Table]) -> bool:
        """Keep the rows (per table) read out of ``documents`` (DOCUMENT_KEY columns): every table's file
        first, the documents' last. False when they could not be written (nothing is lost: they are read
        again next time)."""
        if not documents.num_rows:
            return True
        ids = documents["document_id"].to_pylist()
        stem = f"{min(ids):012d}-{max(ids):012d}-{uuid.uuid4().hex[:12]}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, schema in self.schemas.items():
                write_arrow(self.folder / f"{stem}.{name}.arrow", rows[name].select(schema.names).cast(schema))
            write_arrow(self.folder / f"{stem}.docs.arrow", documents.select(list(DOCUMENT_KEY)))
        except OSError:
            return False
        return True


def kept_rows(cache: DocumentRows, documents: pa.Table, read_documents, read_rows) -> dict[str, pa.Table]:
    """The rows (per table) of ``documents`` (DOCUMENT_KEY columns): those kept, and those of the others read
    out of them (``read_documents(ids)``: those documents with their content; ``read_rows(docs)``: their
    rows, per table), kept for next time."""
    rows, missing = cache.load(documents)
    if not missing:
        return rows
    docs = read_documents(missing)
    fresh = read_rows(docs)
    cache.save(docs, fresh)
    return {name: pa.concat_tables([rows[name], fresh[name].select(schema.names).cast(schema)])
            for name, schema in cache.schemas.items()}
