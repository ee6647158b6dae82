"""Service items (items.csv kind "service"): a field technician's hours, a repair or an inspection ordered on a
materials PO (Chevron's SAP order: PO1*40*16*HR*145 beside valves and a pump kit). A service has no stock and is
never picked, packed or confirmed by a warehouse: its line is acknowledged as ordered (IA) without allocating or
reserving anything (engine.kept_stock.service_rows), goes on no 856 (services are not shipped: an 856 lists what is
in the cartons and on the pallets), and is recorded as delivered with the order's first shipment
(engine.lifecycle.shipping.with_services), so it is billed on that shipment's 810 at its price and the
reconciliation finds it shipped and invoiced. An item without the column (every file before it) is goods."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from tests.support import REPO
from tests.test_change_after_shipment import shipped_base  # noqa: F401 (a fixture)

RG55 = REPO / "tests" / "fixtures" / "rg55"


# --- reference data ---------------------------------------------------------------------------------------------

def test_items_without_the_kind_column_are_goods_and_rg55_s_technician_hour_is_a_service():
    from connectors.reference import load_reference
    from schemas.reference import service_skus

    assert service_skus(load_reference(REPO / "sample_files" / "reference").items) == frozenset()
    ref = load_reference(RG55 / "reference")
    assert service_skus(ref.items) == {"RG55-10"}
    assert ref.items.filter(pa.compute.equal(ref.items["sku"], "RG55-01"))["kind"].to_pylist() == [None]


def test_a_kind_that_is_neither_goods_nor_service_is_refused(tmp_path):
    from connectors.reference import load_reference
    from schemas.errors import ConfigError

    folder = tmp_path / "reference"
    shutil.copytree(RG55 / "reference", folder)
    items = folder / "items.csv"
    items.write_text(items.read_text(encoding="utf-8").replace("HR,1,1,active,,,service", "HR,1,1,active,,,labour"),
                     encoding="utf-8")
    with pytest.raises(ConfigError, match="kind 'labour' is not one of"):
        load_reference(folder)
    items.write_text(items.read_text(encoding="utf-8").replace(",labour", ",goods"), encoding="utf-8")
    assert load_reference(folder).items.num_rows == 10


# --- allocation: no stock, no reservation -----------------------------------------------------------------------

def _input(rows):
    from schemas.inventory import ALLOCATION_INPUT

    base = {"partner": "chevron", "order_ref": "chevron|PO-1", "po_number": "PO-1",
            "requested_ship_date": date(2026, 12, 1), "po_date": date(2026, 11, 24), "arrival": 0, "case_pack": 1,
            "unit_eaches": 1, "deliver_by": None, "no_backorder": False}
    return pa.Table.from_pylist([base | {"line_number": n, "sku": s, "quantity": Decimal(q)} for n, s, q in rows],
                                schema=ALLOCATION_INPUT)


def _allocated(lines, on_hand: int, services=()):
    from engine.kept_stock import allocate_keeping
    from schemas.allocation import AllocationPolicy
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    snapshot = pa.Table.from_pylist([{"warehouse": "EAST", "sku": "GOODS", "on_hand": on_hand, "reserved": 0,
                                      "as_of": datetime(2026, 11, 24, 20)}], schema=INVENTORY_SNAPSHOT)
    result = allocate_keeping(lines, snapshot, EXPECTED_RECEIPTS.empty_table(), {"chevron": AllocationPolicy()},
                              decisions=[], reserved=[], held={}, changed={}, today=date(2026, 11, 25),
                              services=services)
    return [(r["line_number"], r["sku"], r["warehouse"], int(r["allocated"]), int(r["backordered"]),
             int(r["rejected"]), r["reason"]) for r in result.lines.to_pylist()]


def test_a_service_line_is_placed_whole_without_stock_or_a_warehouse():
    lines = _input([(10, "GOODS", 24), (40, "SVC", 16)])
    assert _allocated(lines, 24, services={"SVC"}) == [(10, "GOODS", "EAST", 24, 0, 0, "filled"),
                                                       (40, "SVC", None, 16, 0, 0, "service")]
    # without the kind the same line is goods with no stock row: rejected, as the rg55 sweep found it
    assert _allocated(lines, 24)[1][2:] == (None, 0, 0, 16, "unknown_sku")
    # the goods line is allocated as it is without the service line beside it
    assert _allocated(lines, 24, services={"SVC"})[:1] == _allocated(_input([(10, "GOODS", 24)]), 24)


def test_a_service_row_is_acknowledged_ia_and_reserves_nothing():
    from engine.answer import status_table
    from engine.kept_stock import service_rows

    rows = service_rows(_input([(40, "SVC", 16)]))
    decided = pa.table({"partner": ["chevron"], "po_number": ["PO-1"], "line_number": pa.array([40], pa.int32()),
                        "quantity": pa.array([Decimal(16)], pa.decimal128(18, 4)),
                        "ack01": pa.array([None], pa.string()),
                        "action": ["accept"], "unit_price": pa.array([Decimal(145)], pa.decimal128(18, 4)),
                        "reason": [""], "unit_eaches": pa.array([1], pa.int64())})
    status = status_table(decided, np.zeros(1, bool), pa.array([date(2026, 11, 25)], pa.date32()), rows)
    row = status.to_pylist()[0]
    assert [(p["status"], int(p["quantity"])) for p in row["parts"]] == [("IA", 16)]
    assert (row["allocated"], row["backordered"], row["rejected"], row["warehouses"]) == (16, 0, 0, "")


# --- shipping: recorded with the order's first shipment, never on an 856 ------------------------------------------

def _confirmation(rows):
    """Confirmation rows as the shipping planner reads them (the columns with_services copies or fills)."""
    names = ("shipment_id", "po_number", "line_number", "line_id", "sku", "item_sku", "quantity", "unit",
             "carton_id", "carton_sscc", "line_eaches", "row_number")
    return pa.table({n: pa.array([r[k] for r in rows], t) for k, (n, t) in enumerate(zip(names, (
        pa.string(), pa.string(), pa.int32(), pa.string(), pa.string(), pa.string(), pa.decimal128(18, 4),
        pa.string(), pa.string(), pa.string(), pa.int64(), pa.int32()), strict=True))})


def _stored(rows):
    names = ("partner", "po_number", "line_number", "line_id", "sku", "state", "allocated", "backordered",
             "shipped", "unit")
    return pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows])


def test_each_open_service_line_goes_once_with_its_order_s_first_shipment():
    from engine.lifecycle.shipping import with_services

    good = _confirmation([("S1", "PO-1", 10, "10", "GOODS", "GOODS", Decimal(24), "EA", "C1", "0001", 1, 2),
                          ("S2", "PO-1", 30, "30", "GOODS", "GOODS", Decimal(5), "EA", "C2", "0002", 1, 3),
                          ("S2", "PO-2", 1, "1", "GOODS", "GOODS", Decimal(1), "EA", "C3", "0003", 1, 4),
                          ("S2", "PO-3", 1, "1", "GOODS", "GOODS", Decimal(1), "EA", "C4", "0004", 1, 5)])
    lines = _stored([("chevron", "PO-1", 10, "10", "GOODS", "allocated", 24, 0, "", "EA"),
                     ("chevron", "PO-1", 40, "40", "SVC", "allocated", 16, 0, "", "HR"),
                     ("chevron", "PO-1", 50, "50", "SVC", "partially_shipped", 8, 0, "3", "HR"),
                     ("chevron", "PO-2", 2, "2", "SVC", "shipped", 4, 0, "4", "HR"),  # billed already
                     ("chevron", "PO-3", 2, "2", "SVC", "rejected", 0, 0, "", "HR"),  # ended
                     ("chevron", "PO-4", 1, "1", "SVC", "allocated", 2, 0, "", "HR")])  # not shipped now
    partners = {"S1": "chevron", "S2": "chevron"}
    out = with_services(good, lines, {"SVC"}, partners)
    assert out.slice(0, good.num_rows).equals(good)  # the confirmed rows as they were, first
    added = out.slice(good.num_rows).to_pylist()
    assert [(r["shipment_id"], r["po_number"], r["line_number"], r["line_id"], r["sku"], r["item_sku"],
             r["quantity"], r["unit"], r["carton_id"], r["carton_sscc"], r["row_number"]) for r in added] == [
        ("S1", "PO-1", 40, "40", "SVC", "SVC", Decimal(16), "HR", None, None, 2),
        ("S1", "PO-1", 50, "50", "SVC", "SVC", Decimal(5), "HR", None, None, 2)]
    # no service item, or none open on the orders shipped: the confirmation itself
    assert with_services(good, lines, frozenset(), partners) is good
    assert with_services(good.slice(2), lines, {"SVC"}, partners).num_rows == 2  # PO-2 and PO-3: nothing open


# --- nights ------------------------------------------------------------------------------------------------------

_GOODS = (b"PO1*10*24*EA*86.4**BP*10118842*VP*RG55-04~PID*F****VALVE GATE 2IN 3000 PSI THD~"
          b"REF*ZZ*US31-0412.01*WBS ELEMENT~DTM*002*20261204~"
          b"PO1*20*1*LO*1250**BP*10120077*VP*RG55-05~PID*F****PUMP REBUILD KIT TRIPLEX 3X5~"
          b"REF*ZZ*US31-0412.02*WBS ELEMENT~DTM*002*20261211~"
          b"PO1*30*200*EA*7.85**BP*10104415*VP*RG55-06~PID*F****COUPLING SUCKER ROD 7/8 FULL SIZE~"
          b"REF*ZZ*US31-0412.01*WBS ELEMENT~DTM*002*20261204~CTT*3*225~AMT*TT*4893.6~")
_HOURS = (b"PO1*40*16*HR*145**BP*3000412*VP*RG55-10~PID*F****FIELD SERVICE TECHNICIAN~DTM*002*20261204~"
          b"CTT*1*16~AMT*TT*2320~")


def test_a_po_of_services_alone_is_delivered_and_billed_the_night_it_is_acknowledged(tmp_path):
    """Chevron's SAP order for a field technician's 16 hours and nothing else (its own PO number, so the east DC's
    confirmation names none of it): no warehouse will ever confirm it, so the invoice stage of the night that
    acknowledges it records its service delivery (SVC-<PO>, no 856) and bills it on an 810 dated that night."""
    from tests.retailer_support import po_segments, segments, variant_night
    from tests.test_rg55_energy_utilities import FIXTURES, NIGHT, NIGHT_NOTED, SHIP_DAY, WAREHOUSES

    ws, found, states = variant_night(FIXTURES, "chevron", "4512077999", tmp_path, (
        (b"BEG*00*NE*4512077120", b"BEG*00*NE*4512077999"),
        (_GOODS.replace(b"~", b"~\n"), _HOURS.replace(b"~", b"~\n"))), warehouses=WAREHOUSES, night=NIGHT,
        ship_day=SHIP_DAY)
    assert {f[0] for f in found} <= NIGHT_NOTED - {"ASN_LATE"}, found
    ack = po_segments(segments(ws, "chevron", "855"), "4512077999", "BAK")
    assert [s for s in ack if s[0] == "ACK"] == [["ACK", "IA", "16", "HR", "068", "20261125"]]
    assert not list((ws.drop_root / "chevron" / "outbox").glob("chevron-856-*"))
    inv = po_segments(segments(ws, "chevron", "810"), "4512077999", "BIG")
    assert inv[0][:2] == ["BIG", "20261125"]
    assert [s for s in inv if s[0] in ("IT1", "TDS")] == [
        ["IT1", "40", "16", "HR", "145", "", "BP", "3000412", "VP", "RG55-10"], ["TDS", "232000"]]
    assert ["DTM", "011", "20261125"] in inv
    # its 810 went the night it was acknowledged and was delivered: the next run closes the order
    assert states == {("chevron", "4512077999"): "closed"}
    from connectors.state import StateStore
    from flows import steps

    state = StateStore(ws.state_path)
    try:
        delivered = [s for s in state.shipments() if s.partner == "chevron"]
        steps.reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 20, 3), run_id="rc20")
        exceptions = state.stored_exceptions().to_pylist()
    finally:
        state.close()
    assert [(s.warehouse, s.shipment_id, s.ship_date, s.asn_doc_key, [(ln.line_id, ln.quantity, ln.unit)
                                                                      for ln in s.lines]) for s in delivered] == [
        ("services", "SVC-4512077999", date(2026, 11, 25), "", [("40", Decimal(16), "HR")])]
    # finance: shipped (delivered) and invoiced, nothing owed or over-billed
    assert not [e for e in exceptions if e["type"] != "DOCUMENT_UNACKNOWLEDGED"], exceptions


@pytest.fixture
def initech(shipped_base, tmp_path):  # noqa: F811
    """The demo's night 1 and day 1 (tests.test_change_after_shipment), a copy of its own."""
    from flows.workspace import open_workspace

    shutil.copytree(shipped_base, tmp_path / "ws")
    return open_workspace(tmp_path / "ws")


def test_hours_an_860_adds_after_the_goods_shipped_are_delivered_and_billed_that_night(initech):
    """Initech's order shipped and invoiced in full on day 1; its 860 adds a technician's 8 hours (our service item
    SVC-INSTALL, VN VP-SVC). The added line is answered IA (865) and, nothing else of the order being left to ship,
    delivered by the invoice stage that night (SVC-INITECH-3010-2: the order's second revision) and billed on a
    second 810 of that line alone; the first 810 is not sent again. A later 860 raising the hours has them placed
    (865 IQ 12), delivered and billed the same way (SVC-INITECH-3010-3, a third 810)."""
    from connectors.state import StateStore
    from tests.support import run_stages
    from tests.test_change_after_shipment import NIGHT2, NIGHT3, answer, outbox, send_860

    ws = initech
    items = ws.reference_dir / "items.csv"
    rows = items.read_text(encoding="utf-8").splitlines()
    hour = "SVC-INSTALL,00614141199990,,VP-SVC,Installation technician hour,HR,1,1,active,service"
    items.write_text("\n".join([rows[0] + ",kind", *(r + "," for r in rows[1:]), hour]) + "\n", encoding="utf-8")
    with (ws.reference_dir / "prices.csv").open("a", encoding="utf-8") as f:
        f.write("initech,SVC-INSTALL,95.0000,CAD,2026-01-01,\n")
    state = StateStore(ws.state_path)
    first = state.invoices_for_order("initech", "INITECH-3010")
    assert state.order("initech", "INITECH-3010").state.value == "invoiced" and len(first) == 1
    state.close()
    send_860(ws, "initech", "INITECH-3010", [["5", "AI", "8", "", "HR", "95", "PE", "VN", "VP-SVC"]])
    run_stages(ws, NIGHT2)
    assert answer(ws, "initech")[1] == [("5", "AI", "IA", "8")]
    state = StateStore(ws.state_path)
    try:
        assert state.order("initech", "INITECH-3010").state.value == "invoiced"
        (svc,) = [s for s in state.shipments() if s.warehouse == "services"]
        assert (svc.shipment_id, svc.asn_doc_key, [(ln.line_id, ln.quantity) for ln in svc.lines]) == (
            "SVC-INITECH-3010-2", "", [("5", Decimal(8))])
        assert len(state.invoices_for_order("initech", "INITECH-3010")) == 2
    finally:
        state.close()
    invoices = [doc for doc in outbox(ws, "initech", "810") if any(
        r[0] == "BIG" and r[4] == "INITECH-3010" for r in doc)]
    it1 = [[r[0], *r[1:5]] for doc in invoices for r in doc if r[0] == "IT1"]
    assert it1[-1] == ["IT1", "5", "8", "HR", "95"], it1
    assert [r for r in it1[:-1] if r[1] == "5"] == []  # the goods' 810 (day 1) billed no hour

    # night 3: the buyer raises the hours to 12. A service's raised units are placed, not backordered: Initech's
    # allocation takes no backorder, and the 4 hours used to be refused (CHANGE_RAISE_NOT_BACKORDERED, 865 IQ 8)
    send_860(ws, "initech", "INITECH-3010", [["5", "QI", "12", "", "HR"]], isa13=2202)
    _results, run = run_stages(ws, NIGHT3)
    acks = [[r for r in doc if r[0] in ("BCA", "ACK")] for doc in outbox(ws, "initech", "865")]
    assert [(a[0][2], a[1][1:4]) for a in acks[-1:]] == [("AD", ["IQ", "12", "HR"])]
    state = StateStore(ws.state_path)
    try:
        assert "CHANGE_RAISE_NOT_BACKORDERED" not in [f["code"] for f in state.findings(partner="initech")]
        assert state.order("initech", "INITECH-3010").state.value == "invoiced"
        hours = next(ln for ln in state.order_lines("initech", "INITECH-3010") if ln.line_id == "5")
        assert (hours.allocated, hours.backordered, hours.rejected, hours.shipped, hours.invoiced) == (
            12, 0, 0, Decimal(12), Decimal(12))
        assert [(s.shipment_id, [(ln.line_id, ln.quantity) for ln in s.lines]) for s in state.shipments()
                if s.warehouse == "services"] == [("SVC-INITECH-3010-2", [("5", Decimal(8))]),
                                                  ("SVC-INITECH-3010-3", [("5", Decimal(4))])]
    finally:
        state.close()
    it1 = [[r[0], *r[1:5]] for doc in outbox(ws, "initech", "810") for r in doc if r[0] == "IT1"]
    assert it1[-1] == ["IT1", "5", "4", "HR", "95"], it1


def test_a_service_delivery_id_fits_ref02():
    from engine.lifecycle.shipping import service_delivery_id

    assert service_delivery_id("4512077120", 1) == "SVC-4512077120"
    assert service_delivery_id("INITECH-3010", 2) == "SVC-INITECH-3010-2"
    long = service_delivery_id("PO-2026-11-24-000000000123", 3)
    assert len(long) == 30 and long.startswith("SVC-PO-2026-11-24-000-") and long == service_delivery_id(
        "PO-2026-11-24-000000000123", 3) != service_delivery_id("PO-2026-11-24-000000000123", 4)
