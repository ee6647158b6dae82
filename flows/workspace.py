"""A workspace: partner profiles, per-partner drops, the state store and the run reports.

    <workspace>/partners/*.toml     partner profiles (the repository's partners/ when absent)
    <workspace>/drop/<partner>/     inbox/ outbox/ archive/ processed/ quarantine/
    <workspace>/warehouses/*.toml   warehouse profiles: who sends shipment confirmations (else the repository's)
    <workspace>/warehouse-drop/<warehouse>/   inbox/ archive/ processed/ quarantine/ (CSV or 945 confirmations)
    <workspace>/state/orderbridge.sqlite
    <workspace>/state/orders/<partner>/     canonical order tables per received file (Parquet)
    <workspace>/reference/                  items, prices, customers, ship-tos (CSV; else sample_files/)
    <workspace>/inventory/                  snapshot as_of=YYYY-MM-DD/*.parquet + receipts.parquet
    <workspace>/reports/<run id>/   summary.json, summary.md, findings.csv, failures.html
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schemas.profile import PartnerProfile, load_profiles
from schemas.warehouses import WarehouseProfile, load_warehouses

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

    @property
    def warehouses_dir(self) -> Path:
        own = self.root / "warehouses"
        return own if own.is_dir() and any(own.glob("*.toml")) else REPO_ROOT / "warehouses"

    @property
    def warehouse_drop_root(self) -> Path:
        return self.root / "warehouse-drop"

    def partners(self) -> dict[str, PartnerProfile]:
        return load_profiles(self.partners_dir)

    def warehouses(self) -> dict[str, WarehouseProfile]:
        return load_warehouses(self.warehouses_dir)


def open_workspace(root: Path | str) -> Workspace:
    ws = Workspace(Path(root).resolve())
    for p in (ws.root, ws.drop_root, ws.state_path.parent, ws.reports_dir):
        p.mkdir(parents=True, exist_ok=True)
    return ws
