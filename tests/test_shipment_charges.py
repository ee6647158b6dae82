"""A flat charge per shipment (freight on one BOL) of a shipment that carries several POs of one partner,
end to end: night 1's 850s, then one east confirmation (one shipment id, one BOL) whose rows name ACME-1000
and ACME-1001. Each PO gets its own 810; the freight is billed once across them (InvoiceSettings.
shipment_charges: "first", on the shipment's first PO's 810; "units", split by units to the cent), billed
per shipment or per order. It used to be billed in full on every PO's 810: the customer billed twice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

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


def one_bol_two_pos(tmp_path, *, per: str, split: str | None, rows=ROWS, stages: int = 1, allowances: bool = False):
    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    if allowances:  # ACME-1000 asks for a 25.00 promotional allowance and 2 % off line 1 (SAC_NOT_APPLIED)
        po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
        text = po.read_text()
        head, rest = text.split("BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\n", 1)
        rest = rest.replace("PID*F****Copy paper A4~\n", "PID*F****Copy paper A4~\nSAC*A*C000****3*2~\n", 1)
        rest = rest.replace("SE*14*0001~", "SE*16*0001~", 1)
        po.write_text(head + "BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\nSAC*A*F800***2500~\n" + rest)
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
            assert po not in out, f"{po} billed twice for one shipment"
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


def test_a_held_856_then_resent_bills_the_freight_once(tmp_path):
    """The consolidated shipment's 856 fails our outbound validation (a BOL longer than REF02 allows): the
    shipment is held (ASN_NOT_BUILT), nothing recorded, no 810 - nor any freight. The warehouse resends the
    confirmation corrected, then once more word for word: the freight goes on one 810, once."""
    from connectors.state import StateStore

    long_bol = "BOL-" + "9" * 36
    ws, _ = one_bol_two_pos(tmp_path, per="shipment", split=None)  # the same shipment going through at once
    # a workspace of its own whose first confirmation carries the long BOL
    ws2 = shipping_workspace(tmp_path / "ws2", partners=("acme",))
    (ws2.root / "partners" / "acme.toml").write_text((ws.root / "partners" / "acme.toml").read_text())
    run_stages(ws2, NIGHT1)
    inbox = ws2.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)

    def drop(name: str, bol: str) -> None:
        body = [f"SHP-9001,2026-11-27,14:05,UPSN,G2,1Z999AA10123456999,{bol},{po},{n},{sku},{q},EA,C-9{i},5,LB,"
                for i, (po, n, sku, q) in enumerate(ROWS)]
        (inbox / name).write_text("\n".join([HEADER, *body]) + "\n")

    drop("first.csv", long_bol)
    ship_stages(ws2, DAY1, run_id="day1")
    deliver_all(ws2, DAY1)
    state = StateStore(ws2.state_path)
    try:
        assert "ASN_NOT_BUILT" in {f["code"] for f in state.findings(run_id="day1")}
        assert state.shipments() == []
    finally:
        state.close()
    assert sacs_by_po(ws2) == {}
    drop("again.csv", "BOL-9001")
    ship_stages(ws2, datetime(2026, 11, 27, 16), run_id="day1b")
    deliver_all(ws2, datetime(2026, 11, 27, 16))
    drop("again-2.csv", "BOL-9001")
    ship_stages(ws2, datetime(2026, 11, 27, 18), run_id="day1c")
    deliver_all(ws2, datetime(2026, 11, 27, 18))
    got = sacs_by_po(ws2)
    assert got == {po: sacs for po, sacs in sacs_by_po(ws).items()}  # as if it had gone through the first time
    freight = [s for sacs in got.values() for s in sacs if s[1] == "D240"]
    assert freight == [("C", "D240", "1250")]
    assert len(list((ws2.drop_root / "acme" / "outbox").glob("*-810-*.x12"))) == len(
        list((ws.drop_root / "acme" / "outbox").glob("*-810-*.x12")))


def test_allowances_the_po_asked_for_and_our_810_did_not_apply_are_a_finance_exception(tmp_path):
    """ACME-1000's 850 asks for a 25.00 promotional allowance (F800) and 2 % off line 1 (C000): we apply
    neither (SAC_NOT_APPLIED at intake); once the PO is invoiced the reconciliation says so in words, with
    the deduction the retailer will take: 25.00 + 2 % of line 1's 197.00 = 28.94 (ALLOWANCE_NOT_APPLIED).
    ACME-1001 asked for none: nothing."""
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws, _ = one_bol_two_pos(tmp_path, per="shipment", split=None, allowances=True)
    state = StateStore(ws.state_path)
    try:
        assert "SAC_NOT_APPLIED" in {f["code"] for f in state.findings()}
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 28, 2), run_id="recon")
        found = [x for x in state.stored_exceptions(active=True).to_pylist() if x["type"] == "ALLOWANCE_NOT_APPLIED"]
    finally:
        state.close()
    (x,) = found
    assert (x["po_number"], x["line_number"], x["amount_at_risk"], x["currency"]) == (
        "ACME-1000", None, Decimal("28.94"), "USD")
    assert "allowance F800 25.00; allowance C000 2 % of basis 3 (line 1)" in x["message"]  # SAC06 3 named
    assert "expect the retailer to deduct about 28.94" in x["message"]
