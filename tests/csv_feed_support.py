"""Shared helpers for the tests of a CSV order feed through Umbrella's profile (partners/umbrella.toml: ";"-separated,
day-first dates, decimal commas): a feed's bytes, a night run on it in a workspace of Umbrella's own, the findings
and CSV acknowledgments it left, Umbrella's layout as read by the parser, and the csvgaps fixtures. Used by
tests/test_csvgaps.py, which defined them, and the later csvgaps rounds' tests (tests/test_csvgaps2.py,
tests/test_csvgaps3.py), which used to import them from that test module."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime

from connectors.state import StateStore
from schemas.fulfilment import CsvOrderMapping
from tests.support import REPO, make_workspace, run_stages

CSVGAPS = REPO / "tests" / "fixtures" / "csvgaps"
NIGHT1 = datetime(2026, 11, 27, 2)
UMBRELLA = REPO / "partners" / "umbrella.toml"
HEAD = "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To;Ship To Name;Address;City;State;" \
       "Postal Code"
PARTIAL = HEAD.split(";Ship To Name")[0] + ";Partial Shipments"  # Handshake's ship-complete column beside the rest
STORES = ("partner,location_id,name,address1,city,state,postal_code,country\n"
          "umbrella,UMB-9,Umbrella Store 9,1 Main St,Palo Alto,CA,94301,US\n"
          "umbrella,UMB-7,Umbrella Store 7,80 Castro St,Mountain View,CA,94041,US\n")
# Umbrella's layout, as the parser reads its feed
MAPPING = CsvOrderMapping(delimiter=";", date_format="%d.%m.%Y", decimal_separator=",")
MIXED = CSVGAPS / "PurchaseOrderItems_mixed_windows.csv"  # Amazon Vendor Central's rows of both window types


def feed(*rows: str, head: str = HEAD) -> bytes:
    return ("\r\n".join([head, *rows]) + "\r\n").encode()


def run_feed(root, data: bytes, *, layout: str = "", receives: str = "", more: str = "", before=None):
    """Umbrella's workspace (its stores UMB-9 and UMB-7 known) with ``data`` as its only drop, its CSV layout
    extended by ``layout``, its documents ``receives`` (a TOML list: its own when blank), ``more`` TOML after its
    profile, ``before(workspace)`` called on it first (its reference data changed), run for a night: (workspace,
    findings as (stage, code, row, column, PO), ack rows as dicts)."""
    ws = make_workspace(root, partners=("umbrella",))
    (ws.reference_dir / "ship_tos.csv").write_text(STORES)
    if before is not None:
        before(ws)
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    text = UMBRELLA.read_text().replace('date_format = "%d.%m.%Y"\n', 'date_format = "%d.%m.%Y"\n' + layout, 1)
    if receives:
        text = text.replace('receives = ["csv_ack", "856", "810"]', f"receives = {receives}", 1)
    (ws.partners_dir / "umbrella.toml").write_text(text + more)
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "feed.csv").write_bytes(data)
    run_stages(ws, NIGHT1)
    return ws, findings(ws), acks(ws)


def findings(ws) -> list[tuple]:
    state = StateStore(ws.state_path)
    try:
        return [(f["stage"], f["code"], f["row_number"], f["column_name"], f["po_number"]) for f in state.findings()]
    finally:
        state.close()


def acks(ws) -> list[dict]:
    out = []
    for path in sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv")):
        out += list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    return out
