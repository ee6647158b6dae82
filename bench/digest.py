"""What a night left in a workspace, as one line per artefact with a content hash, so two nights (before and
after a speed change, `bench_night.py --keep DIR` each) can be compared: every outbox document, every report,
every state-store table (rows sorted, so a different write order is not a difference) and every Parquet/Arrow
file of the state folder (its rows, not its bytes). Bench tooling only; tests never use it.

    .venv/bin/python bench/digest.py /tmp/before/1x > /tmp/before.txt
    .venv/bin/python bench/digest.py /tmp/after/1x > /tmp/after.txt && diff /tmp/before.txt /tmp/after.txt

Columns that hold the machine's own clock or a process id (lease and run bookkeeping) are left out: they differ
between two runs of the same night. `--rows TABLE` prints that table's rows instead, to see a difference.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import sys
from pathlib import Path

# Columns written from the wall clock or the process, not from the night's inputs and its fixed clock.
VOLATILE = {"heartbeat", "expires_at", "acquired_at", "renewed_at", "holder", "holder_id", "pid", "host",
            "started_at", "finished_at", "wall", "elapsed", "duration", "seconds"}
VOLATILE_KEYS = {"workspace_id"}  # meta rows naming this workspace's random id
SKIP_FILES = {"stage-times.jsonl", "workspace.lock"}


def _h(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _tables(db: Path, only: str | None = None):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    names = [r[0] for r in con.execute("select name from sqlite_master where type='table' order by name")]
    for name in names:
        cols = [r[1] for r in con.execute(f"pragma table_info('{name}')")]
        keep = [c for c in cols if c not in VOLATILE]
        got = con.execute(f"select {', '.join(chr(34) + c + chr(34) for c in keep)} from \"{name}\"")
        rows = sorted(repr(r) for r in got if not (r and r[0] in VOLATILE_KEYS))
        if only == name:
            print("\t".join(keep))
            print("\n".join(rows))
        yield f"sqlite:{name}", f"{len(rows)} rows {_h(chr(10).join(rows).encode())}"


def _arrow(path: Path) -> str:
    import pyarrow.feather as feather
    import pyarrow.parquet as pq
    table = pq.read_table(path) if path.suffix == ".parquet" else feather.read_table(path)
    rows = sorted(repr(r) for r in table.to_pylist())
    return f"{table.num_rows} rows {_h(chr(10).join(rows).encode())} {_h(str(table.schema).encode())}"


def digest(work: Path, only: str | None = None):
    for path in sorted(p for p in work.rglob("*") if p.is_file()):
        rel = path.relative_to(work).as_posix()
        if "/derived/" in rel:  # cache names end in the store's random id: keep the part naming the content
            rel = re.sub(r"-[0-9a-f]{12}(?=\.)", "-*", rel)
        if path.name in SKIP_FILES or rel.startswith(("partners/", "reference/", "warehouses/", "inventory/")):
            continue
        if path.suffix in (".sqlite", ".db"):
            yield from _tables(path, only)
        elif path.suffix in (".parquet", ".arrow"):
            yield rel, _arrow(path)
        elif path.suffix in ("-wal", "-shm") or rel.endswith(("-wal", "-shm", "-journal")):
            continue
        else:
            yield rel, _h(path.read_bytes())


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    only = argv[argv.index("--rows") + 1] if "--rows" in argv else None
    for name, value in digest(Path(argv[0]), only):
        if only is None:
            print(f"{name}\t{value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
