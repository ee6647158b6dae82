"""A workspace: partner profiles, per-partner drops, the state store and the run reports.

    <workspace>/partners/*.toml     partner profiles (the repository's partners/ when absent)
    <workspace>/drop/<partner>/     inbox/ outbox/ archive/ processed/ quarantine/
    <workspace>/state/orderbridge.sqlite
    <workspace>/state/orders/<partner>/     canonical order tables per received file (Parquet)
    <workspace>/reference/                  items, prices, customers, ship-tos (CSV; else sample_files/)
    <workspace>/inventory/                  snapshot as_of=YYYY-MM-DD/*.parquet + receipts.parquet
    <workspace>/reports/<run id>/   summary.json, summary.md, findings.csv, failures.html
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # profiles (pydantic models) load only when asked for: `status` never needs them
    from schemas.profile import PartnerProfile

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path

    @property
    def partners_dir(self) -> Path:
        own = self.root / "partners"
        return own if own.is_dir() and any(own.glob("*.toml")) else REPO_ROOT / "partners"

    @property
    def drop_root(self) -> Path:
        return self.root / "drop"

    @property
    def state_path(self) -> Path:
        return self.root / "state" / "orderbridge.sqlite"

    @property
    def orders_dir(self) -> Path:
        return self.root / "state" / "orders"

    @property
    def reference_dir(self) -> Path:
        own = self.root / "reference"
        return own if own.is_dir() else REPO_ROOT / "sample_files" / "reference"

    @property
    def inventory_dir(self) -> Path:
        own = self.root / "inventory"
        return own if own.is_dir() else REPO_ROOT / "sample_files" / "inventory"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    def partners(self) -> dict[str, PartnerProfile]:
        from schemas.profile import load_profiles

        return load_profiles(self.partners_dir)


def open_workspace(root: Path | str) -> Workspace:
    ws = Workspace(Path(root).resolve())
    for p in (ws.root, ws.drop_root, ws.state_path.parent, ws.reports_dir):
        p.mkdir(parents=True, exist_ok=True)
    return ws
