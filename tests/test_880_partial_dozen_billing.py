"""A line of eaches priced per dozen (PO1*1*24*EA*54.73*PD) of a partner billed by the 880 is fine at intake (24 EA:
2 DZ on the G17), but a warehouse may ship part of it that is no whole number of dozens (7 EA: 0.58333 DZ, 4.560833...
per EA): its 880 cannot state it. It used to be refused by billing every run (INVOICE_NOT_BUILT, a new error each
night). Now the invoice is held: said once (INVOICE_HELD_NOT_ON_880 at its shipment, PO and line), listed as held in
the order's story (`status`, the console), and released by the shipment that completes the dozen: the units of both
shipments on one 880, in whole dozens."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from flows.status import story
from tests.support import GOOD_PO, run_night, run_stages, shipping_workspace, x12_850
from tests.test_status_kept import page, status_text

NIGHT = datetime(2026, 11, 27, 2)
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
          "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n")
HELD = "INVOICE_HELD_NOT_ON_880"


def _ship(ws, shipment: str, qty: str, day: int) -> None:
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / f"{shipment}.csv").write_text(
        HEADER + f"{shipment},2026-11-{day},14:05,UPSN,G2,1Z999AA1012345678{day % 10},BOL-{shipment},PO-1,1,SKU-1011,"
                 f"{qty},EA,C-{shipment},6.5,LB,\n")


def _grocer(tmp_path, line: str = "PO1*1*24*EA*54.73*PD*VN*VP-1011"):
    """acme billed by the 880 (its 810 swapped for the 880) with one PO of ``line``, answered on its night."""
    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    profile = ws.partners_dir / "acme.toml"
    text = profile.read_text(encoding="utf-8")
    assert '"856", "810"]' in text
    profile.write_text(text.replace('"856", "810"]', '"856", "880"]'), encoding="utf-8")
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + [line, "CTT*1"]))
    run_night(ws, NIGHT)
    return ws


def _look(ws) -> tuple[list[dict], dict]:
    state = StateStore(ws.state_path)
    try:
        return state.findings(partner="acme", po_number="PO-1"), story(state, state.order("acme", "PO-1"))
    finally:
        state.close()


def _880s(ws) -> list[list[list[str]]]:
    out = []
    for p in sorted((ws.drop_root / "acme" / "outbox").iterdir()):
        text = p.read_bytes().decode()
        if "ST*880*" not in text:
            continue
        element, term = text[3], text[105]
        out.append([s.strip().split(element) for s in text.split(term) if s.strip()])
    return out


def test_a_partial_dozen_shipped_holds_its_880_once_and_the_shipment_completing_the_dozen_releases_it(tmp_path):
    ws = _grocer(tmp_path)
    _ship(ws, "SHP-1", "7", 27)
    run_night(ws, datetime(2026, 11, 28, 2))
    found, told = _look(ws)
    assert "INVOICE_NOT_BUILT" not in [f["code"] for f in found], [f["message"] for f in found]
    [held] = [f for f in found if f["code"] == HELD]
    assert (held["line_number"], held["stage"]) == (1, "invoicing"), held
    assert "SHP-1" in held["message"] and "PO-1" in held["message"] and "line 1" in held["message"], held["message"]
    assert "7 EA" in held["message"] and "DZ" in held["message"], held["message"]
    assert told["order"]["state"] == "partially_shipped"
    [waiting] = told["invoices_held"]
    assert (waiting["shipment_id"], waiting["warehouse"], waiting["line_number"]) == ("SHP-1", "east", 1), waiting
    assert waiting["doc_key"] == "810:east:SHP-1:PO-1" and waiting["since_run"] == held["run_id"]
    assert not _880s(ws)
    # ops see it held: `status`, the console's order page, the night's failures report (with what to do)
    text = status_text(ws, "PO-1")
    assert "invoices held" in text and "810:east:SHP-1:PO-1" in text, text
    html = page(ws, "PO-1")
    assert 'id="more-invoices_held"' in html and "810:east:SHP-1:PO-1" in html
    failures = (ws.root / "reports" / held["run_id"] / "failures.csv").read_text(encoding="utf-8")
    assert HELD in failures and "SHP-1" in failures

    # the next nights: still held, said once (no finding again, no INVOICE_NOT_BUILT)
    run_night(ws, datetime(2026, 11, 29, 2))
    shipping: list = []
    run_stages(ws, datetime(2026, 11, 30, 2), shipping=shipping)  # its invoicing counted: held, no error
    assert (shipping[-1].held, shipping[-1].errors, shipping[-1].invoices) == (1, 0, 0)
    found, told = _look(ws)
    assert [f["code"] for f in found].count(HELD) == 1
    assert "INVOICE_NOT_BUILT" not in [f["code"] for f in found]
    assert [w["shipment_id"] for w in told["invoices_held"]] == ["SHP-1"]
    assert not _880s(ws)
    # nor is it work for the shipments flow's every interval (nothing to bill until a shipment completes the dozen)
    from flows.shipments import work_waiting

    state = StateStore(ws.state_path)
    try:
        assert not work_waiting(ws, state, ws.partners())
    finally:
        state.close()

    # the shipment completing the dozen (17 EA more: 24 EA, 2 DZ) releases it: one 880 for both shipments' units
    _ship(ws, "SHP-2", "17", 30)
    state = StateStore(ws.state_path)
    try:
        assert work_waiting(ws, state, ws.partners())  # the confirmation in the inbox
    finally:
        state.close()
    run_night(ws, datetime(2026, 12, 1, 2))
    found, told = _look(ws)
    assert "INVOICE_NOT_BUILT" not in [f["code"] for f in found]
    assert [f["code"] for f in found].count(HELD) == 1
    [invoice] = _880s(ws)
    [g17] = [s for s in invoice if s[0] == "G17"]
    assert g17[1:4] == ["2", "DZ", "54.73"], g17
    assert told["invoices_held"] == []
    assert [ln["invoiced"] for ln in told["lines"]] == ["24"], told["lines"]
    assert told["order"]["state"] in ("invoiced", "closed")
    # finance finds both shipments billed by it: nothing shipped and not invoiced, nothing billed twice or unshipped
    from flows import steps

    state = StateStore(ws.state_path)
    try:
        now = datetime(2026, 12, 2, 3)
        steps.reconcile_run(ws, ws.partners(), state, now=now, run_id="rc02")
        kinds = {e["type"] for e in state.stored_exceptions().to_pylist() if e["po_number"] == "PO-1"}
    finally:
        state.close()
    assert kinds & {"SHIPPED_NOT_INVOICED", "INVOICED_NOT_SHIPPED", "INVOICE_QUANTITY_MISMATCH", "DUPLICATE_INVOICE",
                    "INVOICE_TOTAL_MISMATCH", "INVOICE_PRICE_MISMATCH"} == set(), kinds


def test_a_part_of_whole_dozens_shipped_is_billed_at_once(tmp_path):
    ws = _grocer(tmp_path)
    _ship(ws, "SHP-1", "12", 27)
    run_night(ws, datetime(2026, 11, 28, 2))
    found, told = _look(ws)
    assert HELD not in [f["code"] for f in found] and "INVOICE_NOT_BUILT" not in [f["code"] for f in found]
    [invoice] = _880s(ws)
    assert [s for s in invoice if s[0] == "G17"][0][1:4] == ["1", "DZ", "54.73"]
    assert told["invoices_held"] == []
