"""One ASN per PO (fulfilment.asn.per = "order"): Ulta's guide (and many department-store and big-box guides)
asks for one 856 per purchase order, never consolidated. tests/fixtures/rg6's confirmation ships Ulta's two POs
(4500987712 in carton UL-C1, 4500987730 in UL-C2) on one truck, UL-SHP-01 (BOL-UL-4401, FedEx Freight): with the
setting, two 856s go, each with its own control numbers and BSN02 (UL-SHP-01-<PO>), the same S level and only its
PO's order, carton and items; both pass our validator, Bots and pyx12; the state records them as two shipments
(status and the reconciliation see both); a run again, the file again, or a new file naming UL-SHP-01 again sends
nothing. The default ("shipment") keeps one 856 per shipment (tests/test_rg6_pharmacy_beauty.py)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_rg6_pharmacy_beauty import FIXTURES, NIGHT, SHIP_DAY, workspace

PO_A, PO_B = "4500987712", "4500987730"
ASN_A, ASN_B = f"UL-SHP-01-{PO_A}", f"UL-SHP-01-{PO_B}"
CONFIRMED = {PO_A: {"1": Decimal(30), "2": Decimal(12)}, PO_B: {"1": Decimal(6), "2": Decimal(24)}}


def _per_order(ws, *, structure: str = "SOPI", invoice_per: str = "order") -> None:
    path = ws.partners_dir / "ulta.toml"
    text = path.read_text(encoding="utf-8")
    assert 'structure = "SOPI"\n' in text and '[fulfilment.invoice]\nper = "order"\n' in text
    text = text.replace('[fulfilment.invoice]\nper = "order"\n', f'[fulfilment.invoice]\nper = "{invoice_per}"\n')
    path.write_text(text.replace('structure = "SOPI"\n', f'structure = "{structure}"\nper = "order"\n'),
                    encoding="utf-8")


def _night(root: Path, *, structure: str = "SOPI", invoice_per: str = "order"):
    """The rg6 night with Ulta taking one 856 per PO: its 850s taken, the warehouse's confirmation shipped and the
    documents delivered."""
    from tests.support import deliver_all, run_stages, ship_stages

    ws = workspace(root, drops={"ulta": [p.name for p in (FIXTURES / "drops" / "ulta").iterdir()]})
    _per_order(ws, structure=structure, invoice_per=invoice_per)
    run_stages(ws, NIGHT)
    _confirm(ws)
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    return ws


def _confirm(ws, text: str | None = None, name: str = "east-shipments-20261127.csv") -> None:
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    source = next((FIXTURES / "shipments").iterdir())
    (inbox / name).write_text(text if text is not None else source.read_text(encoding="utf-8"), encoding="utf-8")


def _sets(ws, kind: str = "856") -> list[tuple[dict[str, str], list[list[str]]]]:
    """Each of Ulta's ``kind`` sets in its outbox: (its ISA13, GS06, ST02 and file, its segments ST..SE)."""
    out = []
    for path in sorted((ws.drop_root / "ulta" / "outbox").glob(f"ulta-{kind}-*.x12")):
        segs = [s.split("*") for s in path.read_text().replace("\r", "").replace("\n", "").split("~") if s]
        isa = next(s for s in segs if s[0] == "ISA")
        gs = next(s for s in segs if s[0] == "GS")
        for k, s in enumerate(segs):
            if s[0] == "ST":
                stop = next(j for j in range(k, len(segs)) if segs[j][0] == "SE")
                out.append(({"isa13": isa[13], "gs06": gs[6], "st02": s[2], "file": path.name}, segs[k:stop + 1]))
    return out


def _by_bsn(ws) -> dict[str, tuple[dict[str, str], list[list[str]]]]:
    return {next(s for s in body if s[0] == "BSN")[2]: (ids, body) for ids, body in _sets(ws)}


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    return _night(tmp_path_factory.mktemp("asnperpo") / "ws")


def _check_asn(body: list[list[str]], po: str) -> list[str]:
    """The 856's HL chain, CTT and order loop checked; its SSCCs returned."""
    hls = [s for s in body if s[0] == "HL"]
    assert [h[1] for h in hls] == [str(k) for k in range(1, len(hls) + 1)]
    levels = {h[1]: h[3] for h in hls}
    for h in hls[1:]:
        assert h[2] in levels and int(h[2]) < int(h[1])  # each level's parent is an earlier HL of this 856
    assert [h[3] for h in hls][:2] == ["S", "O"] and [h[3] for h in hls].count("O") == 1
    assert [s[1] for s in body if s[0] == "PRF"] == [po]
    ctt = next(s for s in body if s[0] == "CTT")
    sn1 = [s for s in body if s[0] == "SN1"]
    assert ctt[1] == str(len(hls)) and Decimal(ctt[2]) == sum(Decimal(s[2]) for s in sn1)
    se = body[-1]
    assert se[0] == "SE" and se[1] == str(len(body)) and se[2] == body[0][2]
    shipped: Counter = Counter()
    for s in sn1:
        lin = body[body.index(s) - 1]
        assert lin[0] == "LIN"
        shipped[lin[1]] += Decimal(s[2])
    assert dict(shipped) == CONFIRMED[po]
    return [s[2] for s in body if s[:2] == ["MAN", "GM"]]


def test_a_shipment_of_two_pos_gives_one_856_per_po_with_its_own_numbers_and_the_same_s_level(night):
    ws = night
    asns = _by_bsn(ws)
    assert sorted(asns) == [ASN_A, ASN_B]
    (ids_a, a), (ids_b, b) = asns[ASN_A], asns[ASN_B]
    assert (ids_a["isa13"], ids_a["st02"]) != (ids_b["isa13"], ids_b["st02"])
    ssccs = {ASN_A: _check_asn(a, PO_A), ASN_B: _check_asn(b, PO_B)}
    assert len(ssccs[ASN_A]) == len(ssccs[ASN_B]) == 1 and not set(ssccs[ASN_A]) & set(ssccs[ASN_B])

    def s_level(body):  # the carrier, BOL, ship date and parties (each PO's ship-to address as its 850 gave it)
        o = next(k for k, s in enumerate(body) if s[0] == "HL" and s[3] == "O")
        return [s for s in body[2:o] if s[0] in ("TD5", "REF", "DTM", "N1")]

    assert s_level(a) == s_level(b) and ["REF", "BM", "BOL-UL-4401"] in s_level(a)
    assert next(s for s in s_level(a) if s[0] == "TD5")[3] == "FXFE"


def test_both_856s_pass_our_validator_bots_and_pyx12(night, maps, tmp_path):
    from tests.test_mark_for import accepted

    files = sorted({ids["file"] for ids, _body in _sets(night)})
    assert len(files) == 2  # an interchange per 856 (Ulta's delivery is not batched)
    for name in files:
        accepted((night.drop_root / "ulta" / "outbox" / name).read_bytes(), tmp_path, maps)


def test_the_state_records_each_856_as_a_shipment_status_and_reconciliation_see_both(night):
    from connectors.state import StateStore
    from flows.cli import app

    ws = night
    asns = _by_bsn(ws)
    state = StateStore(ws.state_path)
    try:
        shipments = {s.shipment_id: s for s in state.shipments() if s.partner == "ulta"}
        recorded = state.fulfilment_lines().to_pylist()
        orders = {o.key[1]: o.state.value for o in state.orders() if o.key[0] == "ulta"}
    finally:
        state.close()
    assert sorted(shipments) == [ASN_A, ASN_B]
    for sid, po in ((ASN_A, PO_A), (ASN_B, PO_B)):
        s = shipments[sid]
        assert (s.bill_of_lading, s.carrier_scac, s.asn_doc_key) == ("BOL-UL-4401", "FXFE", f"856:east:{sid}")
        assert {ln.po_number for ln in s.lines} == {po}
    assert set(orders.values()) <= {"shipped", "invoiced", "closed"}
    for sid, po in ((ASN_A, PO_A), (ASN_B, PO_B)):
        mine = [r for r in recorded if r["doc_type"] == "856" and r["po_number"] == po]
        assert {(r["document_ref"], r["shipment_id"]) for r in mine} == {(sid, sid)}
        assert all(r["sent_at"] is not None for r in mine)  # delivered: the reconciliation's PO vs ASN sees it
        assert {r["st02"] for r in mine} == {asns[sid][0]["st02"]}
        assert {r["line_id"]: r["quantity"] for r in mine} == CONFIRMED[po]
        res = CliRunner().invoke(app, ["status", po, "--json", "-w", str(ws.root)], env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        (shown,) = doc["shipments"]
        assert shown["shipment_id"] == sid and shown["bill_of_lading"] == "BOL-UL-4401"
        assert shown["asn"]["type"] == "856" and shown["asn"]["file_name"] == asns[sid][0]["file"]
        assert len(doc["invoices"]) == 1  # Ulta's 810 per order: the PO's


def test_a_run_again_the_file_again_or_the_shipment_named_again_sends_nothing(tmp_path):
    from connectors.state import StateStore
    from tests.support import deliver_all, ship_stages

    ws = _night(tmp_path / "ws")
    outbox = ws.drop_root / "ulta" / "outbox"
    before = sorted(p.name for p in outbox.iterdir())
    ship_stages(ws, SHIP_DAY, run_id="day1-again")  # nothing waiting: nothing built
    _confirm(ws, name="east-shipments-20261127-again.csv")  # the same bytes again
    ship_stages(ws, SHIP_DAY, run_id="day1-file-again")
    # a corrected confirmation naming UL-SHP-01 again (new cartons, PO_A's first line only)
    _confirm(ws, "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
             "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Mark For Store\n"
             f"UL-SHP-01,2026-11-27,14:05,FXFE,,,BOL-UL-4401,{PO_A},1,SKU-1015,1,EA,UL-C9,2,LB,,\n",
             name="east-shipments-20261127-resent.csv")
    ship_stages(ws, SHIP_DAY, run_id="day1-resent")
    deliver_all(ws, SHIP_DAY)
    assert sorted(p.name for p in outbox.iterdir()) == before
    assert sorted(_by_bsn(ws)) == [ASN_A, ASN_B]
    state = StateStore(ws.state_path)
    try:
        codes = Counter(f["code"] for f in state.findings())
        sids = sorted(s.shipment_id for s in state.shipments() if s.partner == "ulta")
    finally:
        state.close()
    assert codes["FILE_DUPLICATE"] >= 1 and codes["SHIPMENT_ID_DUPLICATE"] >= 1
    assert sids == [ASN_A, ASN_B]


def test_the_segment_writer_splits_alike_and_each_856_gets_its_810_per_shipment(tmp_path, maps):
    """S-O-I (no cartons: the one-at-a-time writer, engine.asn.build_856): one 856 per PO too; invoiced per
    shipment, each 856's shipment gets its own 810, naming it as the 856's BSN02 does (REF*SI)."""
    from tests.test_mark_for import accepted

    ws = _night(tmp_path / "ws", structure="SOI", invoice_per="shipment")
    asns = _by_bsn(ws)
    assert sorted(asns) == [ASN_A, ASN_B]
    assert _check_asn(asns[ASN_A][1], PO_A) == [] and _check_asn(asns[ASN_B][1], PO_B) == []
    invoices = {next(s for s in body if s[0] == "BIG")[4]: body for _ids, body in _sets(ws, "810")}
    assert sorted(invoices) == [PO_A, PO_B]
    for sid, po in ((ASN_A, PO_A), (ASN_B, PO_B)):
        assert ["REF", "SI", sid] in invoices[po]
    for path in sorted((ws.drop_root / "ulta" / "outbox").glob("ulta-8[15][06]-*.x12")):
        accepted(path.read_bytes(), tmp_path, maps)


def test_the_asn_id_fits_bsn02_and_is_the_same_every_run():
    from engine.lifecycle.shipping import asn_shipment_id

    assert asn_shipment_id("UL-SHP-01", PO_A) == ASN_A
    long = asn_shipment_id("S" * 25, "PO-1234567890")
    assert len(long) == 30 and long.startswith("S" * 21 + "-") and long == asn_shipment_id("S" * 25, "PO-1234567890")
    assert long != asn_shipment_id("S" * 25, "PO-1234567891")


def _with_pallets(pallets: tuple[str, str]) -> str:
    """The fixture's confirmation with Ulta's cartons UL-C1 and UL-C2 on these pallets."""
    text = next((FIXTURES / "shipments").iterdir()).read_text(encoding="utf-8")
    for carton, pallet in zip(("UL-C1", "UL-C2"), pallets, strict=True):
        text = text.replace(f",{carton},12,LB,,", f",{carton},12,LB,{pallet},").replace(
            f",{carton},10,LB,,", f",{carton},10,LB,{pallet},")
    return text


@pytest.mark.parametrize("pallets", [("UL-P1", "UL-P2"), ("UL-P1", "UL-P1")])
def test_pallets_are_each_on_their_po_s_856_and_a_pallet_of_two_pos_holds_the_shipment(tmp_path, pallets):
    """S-O-T-P-I: a pallet per PO is the tare of that PO's 856 only; one pallet holding both POs' cartons cannot
    be on two 856s (one label): the shipment is held (ASN_NOT_BUILT), nothing consumed, no 856."""
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages, ship_stages

    ws = workspace(tmp_path / "ws", drops={"ulta": [p.name for p in (FIXTURES / "drops" / "ulta").iterdir()]})
    _per_order(ws, structure="SOTPI")
    run_stages(ws, NIGHT)
    _confirm(ws, _with_pallets(pallets))
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    asns = _by_bsn(ws)
    state = StateStore(ws.state_path)
    try:
        held = [f["message"] for f in state.findings() if f["code"] == "ASN_NOT_BUILT"]
        orders = {o.key[1]: o.state.value for o in state.orders() if o.key[0] == "ulta"}
    finally:
        state.close()
    if pallets[0] != pallets[1]:
        assert sorted(asns) == [ASN_A, ASN_B] and held == []
        tares = {sid: [s for s in body if s[0] == "HL" and s[3] == "T"] for sid, (_ids, body) in asns.items()}
        assert all(len(t) == 1 for t in tares.values())
        ssccs = {sid: _check_asn(body, po) for (sid, (_ids, body)), po in zip(sorted(asns.items()), (PO_A, PO_B),
                                                                                  strict=True)}
        assert len(ssccs[ASN_A]) == len(ssccs[ASN_B]) == 2 and not set(ssccs[ASN_A]) & set(ssccs[ASN_B])
    else:
        assert asns == {} and len(held) == 1 and "pallet UL-P1 holds cartons of POs" in held[0]
        assert set(orders.values()) == {"acknowledged"}  # nothing shipped


def test_one_asn_per_po_refuses_a_flat_charge_per_shipment_it_would_bill_twice():
    from pydantic import ValidationError

    from schemas.fulfilment import FulfilmentSettings

    freight = {"kind": "C", "code": "D240", "amount": "25.00"}
    with pytest.raises(ValidationError, match="flat charge per shipment"):
        FulfilmentSettings.model_validate({"asn": {"per": "order"}, "invoice": {"charges": [freight]}})
    with pytest.raises(ValidationError, match="flat charge per shipment"):
        FulfilmentSettings.model_validate({"asn": {"per": "order"}, "invoice": {
            "per": "order", "charges": [{**freight, "per": "shipment"}]}})
    for ok in ({"asn": {"per": "order"}, "invoice": {"per": "order", "charges": [freight]}},
               {"asn": {"per": "order"}, "invoice": {"charges": [{"kind": "A", "code": "C310", "percent": "2"}]}},
               {"invoice": {"charges": [freight]}}):
        FulfilmentSettings.model_validate(ok)


def test_an_856_the_outbound_check_refuses_holds_its_po_and_the_other_po_s_856_goes(tmp_path):
    """The outbound check refuses PO_A's 856 (whatever it finds, in its own interchange): the transaction is planned
    again with that 856's shipment held (ASN_NOT_BUILT naming it, PO_A not shipped); PO_B's 856 goes."""
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from connectors.state import StateStore
    from flows import shipments
    from schemas.findings import finding
    from tests.support import deliver_all, run_stages

    ws = workspace(tmp_path / "ws", drops={"ulta": [p.name for p in (FIXTURES / "drops" / "ulta").iterdir()]})
    _per_order(ws)
    run_stages(ws, NIGHT)
    _confirm(ws)

    def check(data: bytes):
        found = shipments.outbound_check(data)
        return [*found, finding("ASN_NOT_BUILT", "refused", severity="error")] if f"*{ASN_A}*".encode() in data \
            else found

    state = StateStore(ws.state_path)
    try:
        shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                                 LocalDrop(ws.warehouse_drop_root / "east"), load_reference(ws.reference_dir),
                                 now=SHIP_DAY, run_id="day1", check=check)
        held = [f["message"] for f in state.findings() if f["code"] == "ASN_NOT_BUILT"]
        sids = sorted(s.shipment_id for s in state.shipments() if s.partner == "ulta")
        orders = {o.key[1]: o.state.value for o in state.orders() if o.key[0] == "ulta"}
    finally:
        state.close()
    deliver_all(ws, SHIP_DAY)
    assert len(held) == 1 and f"Shipment {ASN_A}:" in held[0]
    assert sids == [ASN_B] and sorted(_by_bsn(ws)) == [ASN_B]
    assert (orders[PO_A], orders[PO_B]) == ("acknowledged", "shipped")
