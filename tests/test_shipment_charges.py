"""A flat charge per shipment (freight on one BOL) of a shipment that carries several POs of one partner,
end to end: night 1's 850s, then one east confirmation (one shipment id, one BOL) whose rows name ACME-1000
and ACME-1001. Each PO gets its own 810; the freight is billed once across them (InvoiceSettings.
shipment_charges: "first", on the shipment's first PO's 810; "units", split by units to the cent), billed
per shipment or per order. It used to be billed in full on every PO's 810: the customer billed twice."""

from __future__ import annotations

from datetime import datetime

import pytest

from parsers.x12_reader import read_interchanges
from tests.support import deliver_all, run_stages, ship_stages, shipping_workspace

NIGHT1, DAY1 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30)
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
          "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID")
# ACME-1000 shipped complete (39 units: 10 x 19.70 + 24 x 39.20 + 5 x 4.56 = 1179.60), then ACME-1001's
# allocated lines complete (71 units: 12 x 9.39 + 48 x 4.90 + 5 x 22.20 + 6 x 0.00... as acknowledged)
ROWS = [("ACME-1000", 1, "SKU-1001", 10), ("ACME-1000", 2, "SKU-1003", 24), ("ACME-1000", 3, "SKU-1011", 5),
        ("ACME-1001", 4, "SKU-1002", 12), ("ACME-1001", 5, "SKU-1004", 48), ("ACME-1001", 6, "SKU-1006", 5),
        ("ACME-1001", 10, "SKU-1012", 6)]
FREIGHT = '[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "D240"\namount = "12.50"\nper = "shipment"\n'


def one_bol_two_pos(tmp_path, *, per: str, split: str | None, rows=ROWS, stages: int = 1):
    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    toml = ws.root / "partners" / "acme.toml"
    text = toml.read_text()
    settings = f'per = "{per}"\n' + (f'shipment_charges = "{split}"\n' if split else "")
    text = text.replace('[fulfilment.invoice]\nper = "shipment"\n', "[fulfilment.invoice]\n" + settings)
    toml.write_text(text + "\n" + FREIGHT)
    run_stages(ws, NIGHT1)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    body = [f"SHP-9001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456999,BOL-9001,{po},{n},{sku},{q},EA,C-9{i},5,LB,"
            for i, (po, n, sku, q) in enumerate(rows)]
    (inbox / "east-shipments-consolidated.csv").write_text("\n".join([HEADER, *body]) + "\n")
    results = ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    return ws, results


def sacs_by_po(ws) -> dict[str, list[tuple[str, str, str]]]:
    """Per PO billed: its 810's SACs (SAC01, SAC02, SAC05), and its TDS01 last."""
    out = {}
    for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-810-*.x12")):
        rows = read_interchanges(p.read_bytes()).segments.elements.to_pylist()
        big = [r for r in rows if r[0] == "BIG"]
        starts = [i for i, r in enumerate(rows) if r[0] == "ST"] + [len(rows)]
        for a, b in zip(starts, starts[1:], strict=False):
            one = rows[a:b]
            (po,) = [r[4] for r in one if r[0] == "BIG"]
            out[po] = [(r[1], r[2], r[5]) for r in one if r[0] == "SAC"] + [("TDS", "", r[1]) for r in one
                                                                            if r[0] == "TDS"]
        assert big
    return out


def merchandise(got) -> dict[str, int]:
    """Per PO: TDS01 less its SACs (in cents): the lines' value."""
    return {po: int(s[-1][2]) - sum(int(a) if k == "C" else -int(a) for k, _, a in s[:-1]) for po, s in got.items()}


@pytest.mark.parametrize("per", ["shipment", "order"])
def test_a_shipment_of_two_pos_bills_its_freight_once_on_the_first_po(tmp_path, per):
    ws, _ = one_bol_two_pos(tmp_path, per=per, split=None)  # the default: "first"
    got = sacs_by_po(ws)
    assert sorted(got) == ["ACME-1000", "ACME-1001"], got
    assert got["ACME-1000"][:-1] == [("C", "D240", "1250")]
    assert got["ACME-1001"][:-1] == []  # it used to carry the 12.50 again
    lines = merchandise(got)
    assert int(got["ACME-1000"][-1][2]) == lines["ACME-1000"] + 1250
    assert int(got["ACME-1001"][-1][2]) == lines["ACME-1001"]


@pytest.mark.parametrize("per", ["shipment", "order"])
def test_a_shipment_of_two_pos_splits_its_freight_by_units_to_the_cent(tmp_path, per):
    """39 units of ACME-1000 and 71 of ACME-1001: 1250 x 39 / 110 = 443.18 cents, 1250 x 71 / 110 = 806.82:
    443 and 807 (the cent left goes to the larger remainder), 12.50 in all."""
    ws, _ = one_bol_two_pos(tmp_path, per=per, split="units")
    got = sacs_by_po(ws)
    assert got["ACME-1000"][:-1] == [("C", "D240", "443")]
    assert got["ACME-1001"][:-1] == [("C", "D240", "807")]


def test_a_shipment_of_one_po_still_bills_its_whole_freight(tmp_path):
    ws, _ = one_bol_two_pos(tmp_path, per="shipment", split="units", rows=ROWS[:3])
    got = sacs_by_po(ws)
    assert list(got) == ["ACME-1000"] and got["ACME-1000"][:-1] == [("C", "D240", "1250")]


def test_finance_ties_each_810_to_its_lines_and_freight(tmp_path):
    """The reconciliation after the consolidated shipment: per 810, its lines value, the freight (on
    ACME-1000's only), allowances and TDS, each TDS = lines + charges - allowances (no INVOICE_TOTAL_MISMATCH),
    in reports/<run>/finance/data/invoices.parquet and the report's invoices section. The line
    reconciliation alone never showed the 12.50: finance could not tie ACME-1000's TDS to its lines."""
    import pyarrow.parquet as pq

    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws, _ = one_bol_two_pos(tmp_path, per="shipment", split=None)
    got = sacs_by_po(ws)
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 28, 2), run_id="recon")
        found = {x["type"] for x in state.stored_exceptions(active=True).to_pylist()}
    finally:
        state.close()
    assert "INVOICE_TOTAL_MISMATCH" not in found, found
    folder = ws.reports_dir / "recon" / "finance"
    rows = {r["po_number"]: r for r in pq.read_table(folder / "data" / "invoices.parquet").to_pylist()}
    assert sorted(rows) == ["ACME-1000", "ACME-1001"]
    for po, sac in (("ACME-1000", 1250), ("ACME-1001", 0)):
        r = rows[po]
        assert r["charges"] * 100 == sac and r["allowances"] == 0 and r["difference"] == 0, r
        assert r["invoiced_total"] * 100 == int(got[po][-1][2]) == r["lines_value"] * 100 + sac, r
    html = (folder / "finance-report.html").read_text(encoding="utf-8")
    assert 'id="invoices"' in html and "class='invoice-totals'" in html
