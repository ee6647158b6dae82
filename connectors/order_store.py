"""Canonical order tables kept between runs: one Parquet pair (orders, lines) per received file
(or per change applied), written to a temporary name and renamed. Held orders are decided later
from here; nothing is re-parsed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.changes import CHANGE_HEADERS, ORDER_CHANGES
from schemas.errors import StateError
from schemas.orders import ORDER_LINES, ORDERS


class OrderStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, partner: str, key: str, kind: str) -> Path:
        return self.root / partner / f"{key}.{kind}.parquet"

    def save(self, partner: str, key: str, orders: pa.Table, lines: pa.Table) -> None:
        for kind, table, schema in (("orders", orders, ORDERS), ("lines", lines, ORDER_LINES)):
            path = self._path(partner, key, kind)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{path.name}")
            pq.write_table(table.select(schema.names).cast(schema), tmp)
            os.replace(tmp, path)

    def load(self, partner: str, key: str) -> tuple[pa.Table, pa.Table]:
        try:
            return (pq.read_table(self._path(partner, key, "orders")).cast(ORDERS),
                    pq.read_table(self._path(partner, key, "lines")).cast(ORDER_LINES))
        except (OSError, pa.ArrowInvalid) as exc:
            raise StateError("stored order tables are missing or unreadable", partner=partner, key=key) from exc

    def save_changes(self, partner: str, key: str, headers: pa.Table, changes: pa.Table) -> None:
        for kind, table, schema in (("change-headers", headers, CHANGE_HEADERS), ("changes", changes, ORDER_CHANGES)):
            path = self._path(partner, key, kind)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".tmp-{path.name}")
            pq.write_table(table.select(schema.names).cast(schema), tmp)
            os.replace(tmp, path)

    def load_changes(self, partner: str, key: str) -> tuple[pa.Table, pa.Table]:
        try:
            return (pq.read_table(self._path(partner, key, "change-headers")).cast(CHANGE_HEADERS),
                    pq.read_table(self._path(partner, key, "changes")).cast(ORDER_CHANGES))
        except (OSError, pa.ArrowInvalid) as exc:
            raise StateError("stored change tables are missing or unreadable", partner=partner, key=key) from exc
