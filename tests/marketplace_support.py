"""Shared helpers for the tests of marketplace and cart CSV exports (tests/fixtures/rg80: the rg80 sweep's exports,
profiles and confirmations): each platform's export, its layout as its profile says it, the export read with it,
and the CSV acknowledgments a night wrote. Used by tests/test_rg80_marketplace_csv.py and the csvgaps rounds' tests
(tests/test_csvgaps2.py, tests/test_csvgaps3.py), which used to import them as that module's private helpers."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from parsers.csv_orders import CsvOrders, read_csv_orders
from schemas.fulfilment import CsvOrderMapping
from tests.support import REPO

RG80 = REPO / "tests" / "fixtures" / "rg80"
NIGHT = datetime(2026, 11, 27, 2)  # the night the exports are taken
# partner -> PO -> its lines as (quantity, unit price as answered), in file order
POS = {"fairecad": {"KQ8N3TZ4PD": [("12", "24.5"), ("18", "16")], "RW2M7XJ9QB": [("2", "1049"), ("20", "9.75")]},
       "handshake": {"HS-58211": [("24", "18"), ("12", "18"), ("36", "11.25")]},
       "repspark": {"FPS-44120": [("24", "17.5"), ("36", "17.5")], "FPS-44121": [("6", "64")]},
       "amazonvc": {"7KQ2ZB4X": [("60", "7.9"), ("48", "8.4")], "3MPL8W1C": [("120", "5.15")]},
       "woocommerce": {"W5120": [("12", "15"), ("20", "6.25")]},
       "pepperi": {"PEP-310077": [("40", "9.1"), ("24", "10.8")], "PEP-310078": [("50", "5.9")]}}


def export_of(partner: str) -> Path:
    """The platform's export in the rg80 drops (one file each)."""
    return next((RG80 / "drops" / partner).iterdir())


def layout_of(partner: str, **more) -> CsvOrderMapping:
    """The platform's CSV layout as its rg80 profile gives it ([fulfilment.csv_orders]), with ``more`` settings."""
    import tomllib

    profile = tomllib.loads((RG80 / "partners" / f"{partner}.toml").read_text(encoding="utf-8"))
    return CsvOrderMapping(**{**profile["fulfilment"]["csv_orders"], **more})


def read_export(partner: str) -> CsvOrders:
    """The platform's export read with its layout."""
    path = export_of(partner)
    return read_csv_orders(path.read_bytes(), layout_of(partner), partner=partner, file=path.name)


def csv_acks(ws, partner: str) -> list[dict]:
    """The rows of the CSV acknowledgments the partner's outbox holds, in file name order."""
    rows = []
    for path in sorted((ws.drop_root / partner / "outbox").glob("*.csv")):
        rows += list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    return rows
