"""Shipments the warehouse builds across POs, through the shipping flow (flows.shipments.ship_warehouse on the
demo's night-1 store, tests/test_asn_856_stoi's template: ACME's DC01 orders and ACME-7001 for its store 0001):
one pallet SSCC printed for two POs' cartons (recorded once, counted once in TD1 PLT94, in the column-wise path and
build_856's; held with a finding where the structure cannot describe it; never a crash of the run), POs of one
shipment whose order-level ship-tos differ (one 856 per stop, unless each order loop names its own ship-to; held for a
partner taking no split load), and a carton-less
pallet of one PO for several stores of a store-level partner."""

from __future__ import annotations

import pytest

from engine.sscc import build_sscc
from tests import test_asn_856_stoi as stoi
from tests.shipping_support import bots_check
from tests.test_945_shapes import body_of, codes, segments
from tests.test_shipment_findings_flow import row

template = stoi.template  # the night-1 store with ACME-7001 for store 0001 (a fixture)
_shipped = stoi._shipped

PALLET = build_sscc("0614141", 1, 4242)  # the warehouse's own pallet label, an SSCC-18
TO_STOI = ("acme", 'structure = "SOPI"', 'structure = "{}"')
# order_td1 sends ACME's 856s through build_856 (engine.asn) instead of the column-wise writer
BY_OBJECTS = 'structure = "{}"\norder_td1 = true'


def hold(structure: str) -> tuple[str, str, str]:
    """ACME's 856 of ``structure``, for a partner taking no split load (fulfilment.multi_stop "hold")."""
    return ("acme", 'structure = "SOPI"\nwindow_minutes = 30\n',
            f'structure = "{structure}"\nwindow_minutes = 30\n\n[fulfilment]\nmulti_stop = "hold"\n')


def edit(structure: str, objects: bool = False) -> tuple[str, str, str]:
    return ("acme", 'structure = "SOPI"', (BY_OBJECTS if objects else 'structure = "{}"').format(structure))


def two_pos_on(pallet: str, second_pallet: str | None = None, **more) -> str:
    """ACME-1000 line 1 in carton C-9 and ACME-1001 line 4 in carton C-8, both on ``pallet``."""
    return row(Pallet_ID=pallet, **more) + row(PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002", Carton_ID="C-8",
                                               Pallet_ID=second_pallet or pallet, **more)


def recorded(state) -> list[tuple[str, str, str]]:
    return sorted((c.level, c.label, c.po_number) for s in state.shipments() for c in s.cartons)


@pytest.mark.parametrize("objects", [False, True], ids=["columns", "build_856"])
@pytest.mark.parametrize("structure", ["SOPI", "STOPI"])
def test_a_pallet_sscc_shared_by_two_pos_cartons_is_recorded_and_counted_once(template, tmp_path, structure,
                                                                               objects):
    """The warehouse printed one pallet label (an SSCC) for the cartons of ACME-1000 and ACME-1001. S-O-P-I lists
    no pallet level but records the pallet and counts it (TD1 PLT94); S-T-O-P-I lists it once above both orders.
    Either way one pallet: recorded once (the state store's SSCCs are unique: twice was a crash of the whole run)
    and TD1*PLT94*1, in both builders."""
    _, state, res = _shipped(template, tmp_path, two_pos_on(PALLET), edit(structure, objects))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert [s[:3] for s in segments(text, "TD1") if s[1] == "PLT94"] == [["TD1", "PLT94", "1"]]
    assert recorded(state) == [("P", "C-8", "ACME-1001"), ("P", "C-9", "ACME-1000"), ("T", PALLET, "ACME-1000")]
    assert len(segments(text, "MAN")) == (2 if structure == "SOPI" else 3)


def test_a_pallet_sscc_shared_by_two_pos_is_held_where_the_pallet_sits_under_one_order(template, tmp_path):
    """S-O-T-P-I lists each pallet under one order: the one label cannot be under two. The shipment is held with
    its finding; the run goes on."""
    _, state, res = _shipped(template, tmp_path, two_pos_on(PALLET), edit("SOTPI"))
    held = [f["message"] for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    assert res.shipments == 0 and len(held) == 1 and f"pallet {PALLET} holds cartons of POs ACME-1000, ACME-1001" \
        in held[0] and "cannot be under two orders" in held[0]
    assert state.shipments() == []


def test_two_pallets_of_a_shipment_count_two(template, tmp_path):
    """The dedupe is per pallet: two pallets, one per PO, are TD1*PLT94*2 and two pallet records."""
    second = build_sscc("0614141", 1, 4243)
    for objects in (False, True):
        _, state, res = _shipped(template, tmp_path / str(objects), two_pos_on(PALLET, second), edit("SOPI", objects))
        assert res.shipments == 1, codes(state)
        assert [s[:3] for s in segments(body_of(state), "TD1") if s[1] == "PLT94"] == [["TD1", "PLT94", "2"]]
        assert [r for r in recorded(state) if r[0] == "T"] == [("T", PALLET, "ACME-1000"), ("T", second, "ACME-1001")]


def test_a_pallet_sscc_on_two_shipments_holds_both_and_one_recorded_before_holds_the_new_one(template, tmp_path):
    """One SSCC is one pallet: on two shipments of a file (S9 and S10), or on a shipment after an earlier file's
    recorded it, it is SHIPMENT_CARTON_REUSED (the pallet's SSCC, at its Pallet ID) and the shipments it names are
    held; the rest of the run goes on (the store takes each SSCC once: it was a crash of the run)."""
    from connectors.local import LocalDrop
    from connectors.reference import load_reference
    from flows import shipments
    from flows.workspace import open_workspace
    from tests.test_shipment_findings_flow import DAY1, HEAD

    rows = row(Pallet_ID=PALLET) + row(Shipment_ID="S10", PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002",
                                       Carton_ID="C-8", Pallet_ID=PALLET)
    for structure in ("SOPI", "SOTPI", "STOI"):
        _, state, res = _shipped(template, tmp_path / structure, rows, edit(structure))
        found = [(f["code"], f["message"]) for f in state.findings(run_id="t")]
        assert res.shipments == 0 and found == [
            ("SHIPMENT_CARTON_REUSED", f"Pallet {PALLET} is on shipment S9 and on S10.")], structure
    ws, state, res = _shipped(template, tmp_path / "first", row(Pallet_ID=PALLET))
    assert res.shipments == 1 and ("T", PALLET, "ACME-1000") in recorded(state)
    ws = open_workspace(ws.root)
    (ws.warehouse_drop_root / "east" / "inbox" / "f.csv").write_bytes((HEAD + row(
        Shipment_ID="S11", PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002", Carton_ID="C-8",
        Pallet_ID=PALLET)).encode())
    res = shipments.ship_warehouse(ws, ws.warehouses()["east"], ws.partners(), state,
                                   LocalDrop(ws.warehouse_drop_root / "east"), load_reference(ws.reference_dir),
                                   now=DAY1, run_id="t2")
    assert res.shipments == 0 and [(f["code"], f["message"]) for f in state.findings(run_id="t2")] == [
        ("SHIPMENT_CARTON_REUSED", f"Pallet {PALLET} is on shipment S9 and on S11.")]


# --- POs of one shipment for two ship-tos (no pallet): ACME-1000 to DC01, ACME-7001 to store 0001 --------------------

TWO_PLACES = row() + row(PO_Number="ACME-7001", PO_Line="1", SKU="SKU-1001", Carton_ID="C-7")


def test_pos_of_one_shipment_for_two_ship_tos_ship_one_856_per_stop(template, tmp_path):
    """One confirmation shipment (one truck, one bill of lading) carrying ACME-1000 for DC01 and ACME-7001 for store
    0001: a multi-stop load. The 856 names one ship-to at the S level, so the load is split into one shipment per
    stop (fulfilment.multi_stop "split", the default; tests/test_multi_stop_loads.py): S9-ST1 for DC01 (the first
    row's place) and S9-ST2 for store 0001, each with its own N1*ST and its PO's order loop alone, whatever the
    structure. It used to be held (SHIPMENT_SHIP_TOS_MIXED) though the goods had left."""
    for structure in ("SOPI", "STOI"):
        _, state, res = _shipped(template, tmp_path / structure, TWO_PLACES, edit(structure))
        assert res.shipments == 2 and state.findings(run_id="t") == [], structure
        assert sorted(s.shipment_id for s in state.shipments()) == ["S9-ST1", "S9-ST2"]
        bodies = {segments(d.content.decode(), "BSN")[0][2]: d.content.decode() for d in state.documents()
                  if d.doc_type == "856"}
        assert {sid: ([s[:5] for s in segments(text, "N1") if s[1] == "ST"], [s[1] for s in segments(text, "PRF")])
                for sid, text in bodies.items()} == {
            "S9-ST1": ([["N1", "ST", "Acme Distribution Center", "92", "DC01"]], ["ACME-1000"]),
            "S9-ST2": ([["N1", "ST", "Acme Store 1", "92", "0001"]], ["ACME-7001"])}, structure


def test_pos_of_one_shipment_for_two_ship_tos_are_held_for_a_partner_taking_no_split_load(template, tmp_path):
    """fulfilment.multi_stop = "hold": the load is held as before (SHIPMENT_SHIP_TOS_MIXED, at the first row of the
    second place), whatever the structure; nothing recorded, no 856."""
    for structure in ("SOPI", "STOI"):
        _, state, res = _shipped(template, tmp_path / f"hold-{structure}", TWO_PLACES, hold(structure))
        found = [(f["code"], f["message"]) for f in state.findings(run_id="t")]
        assert res.shipments == 0 and found == [(
            "SHIPMENT_SHIP_TOS_MIXED", "Shipment S9 holds POs for 2 ship-tos (ACME-1000: 92 DC01; ACME-7001: 92 "
            "0001): acme's 856 names one ship-to for the shipment (N1*ST at the S level). Confirm one shipment per "
            "destination.")], structure
        assert state.shipments() == [] and not [d for d in state.documents() if d.doc_type == "856"]
        (f,) = state.findings(run_id="t")
        assert f["po_number"] == "ACME-7001" and f["consequence"].startswith("shipment S9 held")


def test_pos_of_one_shipment_for_two_ship_tos_ship_where_each_order_loop_names_its_own(template, tmp_path):
    """ship_to_level "order" (Lowe's guide: N1*ST in the order loop) names each PO's ship-to in its order loop: the
    shipment ships, each order loop its own place; per "order" (one 856 per PO) each 856 has its PO's alone."""
    _, state, res = _shipped(template, tmp_path / "order", TWO_PLACES,
                             ("acme", 'structure = "SOPI"', 'structure = "SOPI"\nship_to_level = "order"'))
    assert res.shipments == 1 and state.findings(run_id="t") == []
    text = body_of(state)
    n1s = [s[:5] for s in segments(text, "N1") if s[1] == "ST"]
    assert n1s == [["N1", "ST", "Acme Distribution Center", "92", "DC01"], ["N1", "ST", "Acme Store 1", "92", "0001"]]
    assert [s[1] for s in segments(text, "PRF")] == ["ACME-1000", "ACME-7001"]
    _, state, res = _shipped(template, tmp_path / "per", TWO_PLACES,
                             ("acme", 'structure = "SOPI"', 'structure = "SOPI"\nper = "order"'))
    assert res.shipments == 2 and state.findings(run_id="t") == []
    bodies = [d for d in state.documents() if d.doc_type == "856"]
    assert len(bodies) == 2


def test_pos_of_one_shipment_for_one_ship_to_ship_as_before(template, tmp_path):
    """ACME-1000 and ACME-1001 both go to DC01: one shipment, one N1*ST."""
    _, state, res = _shipped(template, tmp_path, row() + row(PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002",
                                                             Carton_ID="C-8"), edit("SOPI"))
    assert res.shipments == 1 and state.findings(run_id="t") == []
    assert [s[:5] for s in segments(body_of(state), "N1") if s[1] == "ST"] == [
        ["N1", "ST", "Acme Distribution Center", "92", "DC01"]]


# --- a store-level partner's carton-less pallet of one PO for several stores -----------------------------------------

STORES_HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
                 "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Mark For Store,Pallet ID\n")


def stores_pallet() -> list[str]:
    """ACME-1001's lines 4 and 5 for stores 0101 and 0102 (their SDQ quantities), all on pallet PAL-1 shipped whole
    (no carton): a row per line and store."""
    from tests.test_sdq_store_level import SHIP

    return [f"{SHIP},{line},{sku},{qty},EA,,,,{store},PAL-1" for store, quantities in (("101", (4, 24)),
                                                                                       ("0102", (6, 24)))
            for line, sku, qty in zip((4, 5), ("SKU-1002", "SKU-1004"), quantities, strict=True)]


def stores_shipped(tmp_path, structure: str, mark_for: str = "order"):
    from connectors.state import StateStore
    from tests.test_sdq_store_level import outbox, shipped, store_level_workspace

    ws = store_level_workspace(tmp_path, stores_pallet(), header=STORES_HEADER, asn=f'mark_for = "{mark_for}"\n')
    profile = ws.partners_dir / "acme.toml"
    profile.write_text(profile.read_text().replace('structure = "SOPI"', f'structure = "{structure}"'))
    shipped(ws)
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["message"]) for f in state.findings() if f["code"].startswith(("SHIPMENT", "ASN"))]
    finally:
        state.close()
    segs = [s.split("*") for s in outbox(ws, "856").replace("\n", "").split("~") if s]
    at = next((k for k, s in enumerate(segs) if s[0] == "BSN" and s[2] == "SHP-1001"), None)
    body = [] if at is None else segs[at:next(k for k, s in enumerate(segs) if s[0] == "SE" and k > at)]
    return found, body, ws.drop_root / "acme" / "outbox"


def test_a_whole_pallet_for_two_stores_of_one_po_is_one_tare_above_each_store_s_order_loop(tmp_path):
    """S-T-O-I (mark_for "order"): a DC pallet of one PO for two stores is the consolidated pallet the structure
    describes: the pallet once under the S, an order loop per store under it (PRF the PO, N1*BY the store) with
    that store's items. No SHIPMENT_CARTON_TWO_STORES (the pallet is not a carton packed for one store), no
    SHIPMENT_LINE_DUPLICATE (a line's row per store is no repeated row)."""
    found, body, outbox = stores_shipped(tmp_path, "STOI")
    assert found == []
    assert [s[1:4] for s in body if s[0] == "HL"] == [
        ["1", "", "S"], ["2", "1", "T"], ["3", "2", "O"], ["4", "3", "I"], ["5", "3", "I"], ["6", "2", "O"],
        ["7", "6", "I"], ["8", "6", "I"]]
    assert len([s for s in body if s[0] == "MAN"]) == 1
    assert [s[1] for s in body if s[0] == "PRF"] == ["ACME-1001", "ACME-1001"]
    assert [s for s in body if s[0] == "N1" and s[1] == "BY"] == [["N1", "BY", "", "92", "0101"],
                                                                  ["N1", "BY", "", "92", "0102"]]
    assert [s[2] for s in body if s[0] == "SN1"] == ["4", "24", "6", "24"]
    sent = sorted(outbox.glob("acme-856-*.x12"))
    assert sent and all(bots_check(path.read_bytes(), tmp_path)[0] for path in sent)  # Bots' grammar takes the tree


@pytest.mark.parametrize(("structure", "mark_for", "why"), [
    ("SOTI", "order", "acme's 856 (SOTI) lists a pallet under one store's order loop"),
    ("STOI", "pack", "acme's 856 marks each pallet with one store (mark_for \"pack\")")])
def test_a_whole_pallet_for_two_stores_is_held_where_the_856_gives_a_pallet_one_store(tmp_path, structure, mark_for,
                                                                                       why):
    """S-O-T-I hangs the pallet under an order loop, one per PO and store; S-T-O-I with the store marked on each
    pallet (mark_for "pack") has one mark for it: either way the pallet cannot be said to go to two stores. Held,
    the finding naming the pallet (not a carton to repack)."""
    found, body, _ = stores_shipped(tmp_path, structure, mark_for)
    assert body == [] and found == [(
        "SHIPMENT_CARTON_TWO_STORES", f"Pallet PAL-1 of shipment SHP-1001 holds items for stores 0101, 0102; {why}: "
        "build one pallet per store.")]


@pytest.mark.parametrize("structure", ["SOPI", "SOTPI", "STOPI"])
def test_a_carton_less_pallet_is_no_box_where_the_856_lists_cartons(tmp_path, structure):
    found, body, _ = stores_shipped(tmp_path, structure)
    assert body == [] and {code for code, _m in found} == {"SHIPMENT_CARTON_MISSING"}
