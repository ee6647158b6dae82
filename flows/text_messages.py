"""Keeping the partners' 864 Text Messages with the run that took them in: each file's (or piece's) messages
as a Parquet file under the run's report folder (messages/<partner>-<sha256>-<part>.parquet, written before
the file's intake commits: a file taken again writes the same name), and all of a run's (and of the runs it
completes) read back for its reports. Files only: no state-store table, the report folder is the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from connectors import durable
from flows.recovery import report_folder
from flows.workspace import Workspace
from schemas.text_messages import TEXT_MESSAGES

FOLDER = "messages"


def folder(ws: Workspace, run_id: str) -> Path:
    """Where the run keeps its messages (inside its report folder, staged or finished)."""
    return report_folder(ws, run_id) / FOLDER


def keep(into: Path, messages: pa.Table, *, part: int = 0) -> None:
    """Write ``messages`` (TEXT_MESSAGES rows of one file, or one piece of it) under ``into``, named by
    partner, file sha256 and piece, whole or not at all (connectors.durable: a temporary name, fsynced, renamed; a crash
    leaves no empty or partial file for the run's reports to read)."""
    if not messages.num_rows:
        return
    partner, sha = messages["partner"][0].as_py(), messages["source_sha256"][0].as_py() or "file"
    into.mkdir(parents=True, exist_ok=True)
    durable.write_table(into / f"{partner}-{sha[:32]}-{part}.parquet", messages, TEXT_MESSAGES)


def kept(ws: Workspace, run_ids: Iterable[str]) -> pa.Table:
    """The messages the runs ``run_ids`` kept, each once (a file taken again by a later run of the scope
    wrote the same rows), by partner, then as received, then in file order."""
    tables = [pq.read_table(p, schema=TEXT_MESSAGES) for r in sorted(set(run_ids))
              for p in sorted(folder(ws, r).glob("*.parquet"))]
    if not tables:
        return TEXT_MESSAGES.empty_table()
    table = pa.concat_tables(tables)
    keys = pc.binary_join_element_wise(table["partner"], pc.fill_null(table["source_sha256"], ""),
                                       table["message_ref"], "\x1f")
    first = pa.table({"k": keys, "i": pa.array(range(table.num_rows))}).group_by("k", use_threads=False).aggregate(
        [("i", "min")])["i_min"]
    table = table.take(first)
    return table.sort_by([("partner", "ascending"), ("received_at", "ascending"), ("source_file", "ascending"),
                          ("file_segment", "ascending")])


def as_json(messages: pa.Table) -> list[dict]:
    """The messages as the run's messages.json lists them (dates and times in ISO form)."""
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
            for r in messages.to_pylist()]

