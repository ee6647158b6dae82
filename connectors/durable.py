"""Files kept beside the state store (hand-off sets, remittance rows, 864 messages, inventory snapshots) written
whole or not at all: under a hidden temporary name in the same folder, flushed and fsynced, then renamed into place,
as the outbox writes are (connectors.local). A crash leaves the old file or none, never an empty or partial one taken
as written. Imports no pyarrow at load (`status` reads flows.handoff).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def placed(path: Path, write: Callable[[Path], None], *, tmp: Path | None = None) -> Path:
    """``write`` the file to a hidden temporary beside ``path`` (``tmp``: one its folder's readers already skip),
    fsync it, rename it to ``path``; ``path``."""
    tmp = tmp or path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """``data`` at ``path``, whole or not at all (``placed``)."""
    return placed(path, lambda tmp: tmp.write_bytes(data))


def write_table(path: Path, table, schema=None) -> Path:
    """The Arrow ``table`` (cast to ``schema`` when given) as Parquet at ``path``, whole or not at all (``placed``)."""
    import pyarrow.parquet as pq

    return placed(path, lambda tmp: pq.write_table(table.cast(schema) if schema is not None else table, tmp))
