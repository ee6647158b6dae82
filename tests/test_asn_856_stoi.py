"""S-T-O-I and S-T-O-P-I: consolidated pallets, several POs of one ship-to on one pallet with one label, the pallet's
SSCC-18 at a tare level under the shipment and an order loop under it for each PO it holds (BSN05 0003, X12's
"Shipment, Packaging, Order, Item"). A carton-less pallet holds each order's items under its order loop (T-O-I), a
pallet of cartons its cartons (T-O-P-I); an order's cartons off any pallet sit in an order loop of their own under the
shipment. The builder, its self-check (HL01 sequential, HL02 parents of the right level, CTT01), our reader, Bots'
grammars and pyx12 with our maps."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from engine.asn import build_856, check_856, shipped_quantities
from engine.asn_columnar import build_856_texts
from engine.envelope import usual_delimiters
from schemas.errors import DocumentError
from schemas.fulfilment import BSN05, AsnSettings
from schemas.shipments import Pack, ShippedOrder, Tare
from tests.shipping_support import NOW, PROFILES, item, read_and_parsed_by_bots, sample_shipment, sscc, wrap_for


def tree(body):
    return [tuple(s[1:5]) for s in body if s[0] == "HL"]


def carton_less():
    """Pallet 100 shipped whole holding PO-1 (24 of line 1, 4 of line 2) and PO-2 (3 of line 1), weighed 610 LB (each
    PO's part of it carries the pallet's weight, as the confirmation's rows do); pallet 101 PO-1's 12 more of
    line 1."""
    s = sample_shipment()
    label = sscc(100, ext=1)
    po1 = ShippedOrder("PO-1", date(2026, 11, 20), tares=(
        Tare(label, (), "P1", items=(item("1", 24, upc="073000040482"), item("2", 4)), weight=Decimal(610),
             weight_unit="LB"),
        Tare(sscc(101, ext=1), (), "P2", items=(item("1", 12, upc="073000040482"),), weight=Decimal(300),
             weight_unit="LB")))
    po2 = ShippedOrder("PO-2", date(2026, 11, 21), tares=(
        Tare(label, (), "P1", items=(item("1", 3, sku="SKU-9"),), weight=Decimal(610), weight_unit="LB"),))
    return replace(s, orders=(po1, po2))


def of_cartons():
    """Pallet 100 holding PO-1's cartons 1 and 2 and PO-2's carton 3; PO-2's carton 4 off any pallet."""
    s = sample_shipment(pallets=True)
    c1, c2 = s.orders[0].tares[0].packs
    c3 = s.orders[1].packs[0]
    c4 = Pack(sscc(4), (item("1", 2, sku="SKU-9"),), "C4", Decimal(3), "LB")
    pallet = s.orders[0].tares[0]
    po1 = replace(s.orders[0], tares=(replace(pallet, packs=(c1, c2)),))
    po2 = replace(s.orders[1], tares=(replace(pallet, packs=(c3,)),), packs=(c4,))
    return replace(s, orders=(po1, po2))


def test_a_carton_less_pallet_of_two_pos_is_a_tare_above_their_orders():
    shipment = carton_less()
    body = build_856(shipment, AsnSettings(structure="STOI"), created=NOW)
    assert body[0][5] == BSN05["STOI"] == "0003"
    assert tree(body) == [("1", "", "S", "1"), ("2", "1", "T", "1"), ("3", "2", "O", "1"), ("4", "3", "I", "0"),
                          ("5", "3", "I", "0"), ("6", "2", "O", "1"), ("7", "6", "I", "0"), ("8", "1", "T", "1"),
                          ("9", "8", "O", "1"), ("10", "9", "I", "0")]
    # each pallet's label once, above the orders it holds; each order loop its PO
    assert [s for s in body if s[0] == "MAN"] == [["MAN", "GM", "00" + sscc(100, ext=1)],
                                                  ["MAN", "GM", "00" + sscc(101, ext=1)]]
    assert [s[1] for s in body if s[0] == "PRF"] == ["PO-1", "PO-2", "PO-1"]
    assert body[body.index(["HL", "3", "2", "O", "1"]) + 1][:2] == ["PRF", "PO-1"]
    head = body[:next(i for i, s in enumerate(body) if s[0] == "HL" and s[1] == "2")]
    # two pallets (not three parts), no carton: their gross weight on the TD1 of pallets, pallet 100 weighed once
    assert [s for s in head if s[0] == "TD1"] == [["TD1", "PLT94", "2", "", "", "", "G", "910", "LB"]]
    assert [s[2] for s in body if s[0] == "SN1"] == ["24", "4", "3", "12"] and body[-1] == ["CTT", "10", "43"]


def test_a_pallet_of_cartons_of_two_pos_and_a_carton_off_it():
    shipment = of_cartons()
    for structure in ("STOI", "STOPI"):
        body = build_856(shipment, AsnSettings(structure=structure), created=NOW)
        assert body[0][5] == "0003"
        assert tree(body) == [("1", "", "S", "1"), ("2", "1", "T", "1"), ("3", "2", "O", "1"), ("4", "3", "P", "1"),
                              ("5", "4", "I", "0"), ("6", "4", "I", "0"), ("7", "3", "P", "1"), ("8", "7", "I", "0"),
                              ("9", "2", "O", "1"), ("10", "9", "P", "1"), ("11", "10", "I", "0"),
                              ("12", "1", "O", "1"), ("13", "12", "P", "1"), ("14", "13", "I", "0")], structure
        assert [s[2][-3:] for s in body if s[0] == "MAN"] == [sscc(100, ext=1)[-3:]] + [sscc(n)[-3:]
                                                                                        for n in (1, 2, 3, 4)]
        assert [s[1] for s in body if s[0] == "PRF"] == ["PO-1", "PO-2", "PO-2"]
        head = body[:next(i for i, s in enumerate(body) if s[0] == "HL" and s[1] == "2")]
        assert [s[:3] for s in head if s[0] == "TD1"] == [["TD1", "CTN25", "4"], ["TD1", "PLT94", "1"]]
        assert body[-1] == ["CTT", "14", "21"]


def test_an_order_loop_under_a_pallet_counts_its_own_cartons_and_marks_its_store():
    from schemas.shipments import Party

    shipment = of_cartons()
    po2 = replace(shipment.orders[1], mark_for=Party("BY", "", "92", "0042"))
    shipment = replace(shipment, orders=(shipment.orders[0], po2))
    body = build_856(shipment, AsnSettings(structure="STOPI", order_td1=True, mark_for="order"), created=NOW)
    at = body.index(["HL", "9", "2", "O", "1"])  # PO-2 on the pallet: carton 3 alone; off it, carton 4
    assert body[at + 1:at + 4] == [["PRF", "PO-2", "", "", "20261121"], ["TD1", "CTN25", "1", "", "", "", "G", "5.25",
                                                                          "LB"], ["N1", "BY", "", "92", "0042"]]
    at = body.index(["HL", "12", "1", "O", "1"])
    assert body[at + 2][:3] == ["TD1", "CTN25", "1"] and body[at + 3] == ["N1", "BY", "", "92", "0042"]


def test_s_t_o_p_i_refuses_a_pallet_shipped_whole_and_loose_items_have_no_place():
    with pytest.raises(DocumentError, match="is S-T-O-I"):
        build_856(carton_less(), AsnSettings(structure="STOPI"), created=NOW)
    s = sample_shipment()
    loose = replace(s, orders=(replace(s.orders[0], packs=(), loose_items=(item("1", 2),)),))
    with pytest.raises(DocumentError, match="without a carton"):
        build_856(loose, AsnSettings(structure="STOI"), created=NOW)


def test_the_self_check_takes_orders_under_a_tare_in_stoi_only():
    shipment = carton_less()
    expected = shipped_quantities(shipment)
    body = build_856(shipment, AsnSettings(structure="STOI"), created=NOW)
    check_856(body, "STOI", expected, bsn05="0003")
    for other in ("SOTI", "SOTPI"):  # their T sits under an O, never under the S
        with pytest.raises(DocumentError, match="a T under a S"):
            check_856(body, other, expected, bsn05="0003")
    with pytest.raises(DocumentError, match=r"a I under a O \(STOPI allows P\)"):  # S-T-O-P-I: every item in a carton
        check_856(body, "STOPI", expected, bsn05="0003")
    with pytest.raises(DocumentError, match="BSN05 is not 0001"):
        check_856(body, "STOI", expected, bsn05="0001")
    hung = copy.deepcopy(body)  # an order hung under an item: no level of S-T-O-I holds it there
    hung[next(i for i, s in enumerate(hung) if s[:2] == ["HL", "6"])][2] = "5"
    with pytest.raises(DocumentError, match="a O under a I"):
        check_856(hung, "STOI", expected, bsn05="0003")
    skipped = copy.deepcopy(body)  # HL01 not sequential, CTT01 not the count of HLs
    skipped[next(i for i, s in enumerate(skipped) if s[:2] == ["HL", "10"])][1] = "11"
    skipped[-1][1] = "9"
    with pytest.raises(DocumentError, match="HL01 11 is not 10.*CTT01 9 is not the number of HL segments"):
        check_856(skipped, "STOI", expected, bsn05="0003")
    short = {k: v - 1 if k == ("PO-2", "1") else v for k, v in expected.items()}  # PO-2's 3 under its own order
    with pytest.raises(DocumentError, match="PO-2/1: 856 3 vs confirmed 2"):
        check_856(body, "STOI", short, bsn05="0003")


def test_the_text_path_writes_s_t_o_i_as_the_builder_does():
    """build_856_texts (the night's path for many shipments) writes consolidated pallets as build_856 does, several
    shipments at once; an order's part of a pallet holding cartons and items of its own it leaves to build_856, and
    an S-T-O-P-I partner's pallet shipped whole too (build_856 refuses it)."""
    from tests.test_asn_856_texts import ENV, per_shipment

    d = usual_delimiters(ENV)
    shipments = [carton_less(), replace(of_cartons(), shipment_id="SHP-0002")]
    expected = [shipped_quantities(s) for s in shipments]
    for structure in ("STOI", "STOPI"):
        asn = AsnSettings(structure=structure, vendor_number="V 0042")
        want = [per_shipment(s, asn, q, True) for s, q in zip(shipments, expected, strict=True)]
        assert want[1] is not None and "~\nHL*2*1*T*1~\nMAN*GM*" in want[1][0]
        assert build_856_texts(shipments, asn, *d, created=NOW, expected=expected) == want
        assert (want[0] is None) == (structure == "STOPI")
    s = carton_less()
    both = replace(s, orders=(replace(s.orders[0], tares=(replace(s.orders[0].tares[0], packs=(
        Pack(sscc(7), (item("3", 1),), "C7"),)),)), s.orders[1]))
    assert build_856_texts([both, shipments[1]], AsnSettings(structure="STOI"), *d, created=NOW,
                           expected=[shipped_quantities(both), expected[1]]) == [
        None, per_shipment(shipments[1], AsnSettings(structure="STOI"), expected[1], True)]
    body = build_856(both, AsnSettings(structure="STOI"), created=NOW)  # P-I then I under PO-1's order loop
    assert [s[3] for s in body if s[0] == "HL"] == ["S", "T", "O", "P", "I", "I", "I", "O", "I"]


@pytest.mark.parametrize("partner", ["acme", "globex", "initech"])  # 004010 and 005010, each one's delimiters
def test_our_reader_and_bots_accept_stoi(partner, tmp_path):
    bodies = [build_856(carton_less(), AsnSettings(structure="STOI"), created=NOW),
              build_856(replace(of_cartons(), shipment_id="SHP-0002"),
                        AsnSettings(structure="STOPI", vendor_number="V 0042"), created=NOW)]
    assert read_and_parsed_by_bots(PROFILES[partner], bodies, tmp_path)[:5] == ["S", "T", "O", "I", "I"]


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_pyx12_with_our_maps_accepts_stoi(partner, tmp_path_factory):
    pytest.importorskip("pyx12.x12n_document")
    from tests.shipping_support import pyx12_map_folders
    from tests.test_pyx12_outbound import pyx12_accepts

    maps = pyx12_map_folders(tmp_path_factory)
    for shipment, structure in ((carton_less(), "STOI"), (of_cartons(), "STOPI")):
        body = build_856(shipment, AsnSettings(structure=structure), created=NOW)
        ok, ack = pyx12_accepts(wrap_for(PROFILES[partner], "SH", "856", [body]).decode(), maps)
        assert ok, ack


# --- through the shipping flow (flows.shipments.ship_warehouse on the demo's night-1 store) ----------------------

STOI = ("acme", 'structure = "SOPI"', 'structure = "STOI"')


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Night 1 of the demo for ACME, plus ACME-7001 for its store 0001 (not its DC01: another ship-to)."""
    import shutil

    from tests.support import REPO, make_workspace, run_stages, x12_850
    from tests.test_shipment_findings_flow import NIGHT1

    ws = make_workspace(tmp_path_factory.mktemp("stoi") / "ws", partners=("acme",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    (ws.drop_root / "acme" / "inbox" / "acme-po-7001.x12").write_bytes(x12_850(
        ["BEG*00*SA*ACME-7001**20261126", "CUR*BY*USD", "DTM*010*20261210", "N1*ST*Acme Store 1*92*0001",
         "PO1*1*4*EA*19.70*PE*UP*614141100101", "CTT*1"], isa13=778))
    run_stages(ws, NIGHT1)
    return ws.root


def _shipped(template, tmp_path, rows, edit=STOI):
    from tests.test_shipment_findings_flow import HEAD, ship

    return ship(template, tmp_path, "east", "e.csv", (HEAD + rows).encode(), profile_edit=edit)


def _two_pos(**box):
    from tests.test_shipment_findings_flow import row

    return row(**box) + row(PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002", **box)


def test_a_csv_pallet_of_two_pos_without_cartons_is_one_tare_above_both_orders(template, tmp_path):
    from tests.shipping_support import bots_check
    from tests.test_945_shapes import body_of, codes, segments

    ws, state, res = _shipped(template, tmp_path, _two_pos(Carton_ID="", Pallet_ID="PAL-1"))
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    assert segments(text, "BSN")[0][5] == "0003"
    assert [h[1:4] for h in segments(text, "HL")] == [["1", "", "S"], ["2", "1", "T"], ["3", "2", "O"],
                                                      ["4", "3", "I"], ["5", "2", "O"], ["6", "5", "I"]]
    (man,) = segments(text, "MAN")  # the pallet's one label, numbered from our pallet sequence
    assert man[2][2:9] == "0061414" and [s[1] for s in segments(text, "PRF")] == ["ACME-1000", "ACME-1001"]
    assert [s[:3] for s in segments(text, "TD1")] == [["TD1", "PLT94", "1"]]
    assert segments(text, "CTT") == [["CTT", "6", "4"]]
    assert bots_check(text.encode(), tmp_path)[0]
    assert {s.shipment_id for s in state.shipments()} == {"S9"}


def test_a_csv_pallet_of_two_pos_cartons_is_one_tare_above_both_orders(template, tmp_path):
    from tests.shipping_support import bots_check
    from tests.test_945_shapes import body_of, codes, segments
    from tests.test_shipment_findings_flow import row

    rows = row(Pallet_ID="P-1") + row(PO_Number="ACME-1001", PO_Line="4", SKU="SKU-1002", Carton_ID="C-8",
                                      Pallet_ID="P-1")
    for structure in ("STOI", "STOPI"):
        ws, state, res = _shipped(template, tmp_path / structure, rows,
                                  ("acme", 'structure = "SOPI"', f'structure = "{structure}"'))
        assert res.shipments == 1, codes(state)
        text = body_of(state)
        assert [h[1:4] for h in segments(text, "HL")] == [
            ["1", "", "S"], ["2", "1", "T"], ["3", "2", "O"], ["4", "3", "P"], ["5", "4", "I"], ["6", "2", "O"],
            ["7", "6", "P"], ["8", "7", "I"]], structure
        assert len(segments(text, "MAN")) == 3 and [s[:3] for s in segments(text, "TD1")] == [
            ["TD1", "CTN25", "2"], ["TD1", "PLT94", "1"]]
        assert bots_check(text.encode(), tmp_path)[0]


def test_a_pallet_of_two_ship_tos_or_for_one_856_per_po_is_held(template, tmp_path):
    """A consolidated pallet goes to one place: one whose POs name two ship-tos (DC01 and store 0001) is held
    (ASN_NOT_BUILT: build one pallet per ship-to), even where each order loop names its own ship-to
    (ship_to_level "order"), as one for a partner taking an 856 per PO (its one label cannot be on two 856s).
    Pallets per ship-to ship where each order loop names its ship-to; where the 856 names one ship-to for the
    shipment, a multi-stop load is one 856 per stop (fulfilment.multi_stop "split"): a pallet per ship-to ships as
    two 856s, a pallet of two places holds it (SHIPMENT_SHIP_TOS_MIXED naming the pallet: it cannot be split)."""
    from tests.test_shipment_findings_flow import row

    per_order_ship_to = ("acme", 'structure = "SOPI"', 'structure = "STOI"\nship_to_level = "order"')
    mixed = row(Carton_ID="", Pallet_ID="PAL-1") + row(PO_Number="ACME-7001", PO_Line="1", Carton_ID="",
                                                      Pallet_ID="PAL-1")
    _, state, res = _shipped(template, tmp_path / "a", mixed, per_order_ship_to)
    held = [f["message"] for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    assert res.shipments == 0 and held == [
        "Shipment S9: pallet PAL-1 holds items of POs ACME-1000 (ship-to 92 DC01), ACME-7001 (ship-to 92 0001), and "
        "acme's 856 (STOI) lists the pallet above its orders: a pallet goes to one place; it is held (no 856, nothing "
        "consumed)."]
    assert state.shipments() == [] and not [d for d in state.documents() if d.doc_type == "856"]
    (record,) = [f for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    assert record["consequence"].endswith("the warehouse must build one pallet per ship-to")
    _, state, res = _shipped(template, tmp_path / "b", _two_pos(Carton_ID="", Pallet_ID="PAL-1"),
                             ("acme", 'structure = "SOPI"', 'structure = "STOI"\nper = "order"'))
    held = [f["message"] for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    assert res.shipments == 0 and len(held) == 1 and "the pallet's label cannot be on two 856s" in held[0]
    split = row(Carton_ID="", Pallet_ID="PAL-1") + row(PO_Number="ACME-7001", PO_Line="1", Carton_ID="",
                                                      Pallet_ID="PAL-2")
    _, state, res = _shipped(template, tmp_path / "c", split, per_order_ship_to)
    assert res.shipments == 1 and [f["code"] for f in state.findings(run_id="t")] == []
    _, state, res = _shipped(template, tmp_path / "d", mixed)
    assert res.shipments == 0 and [(f["code"], f["message"]) for f in state.findings(run_id="t")] == [(
        "SHIPMENT_SHIP_TOS_MIXED", "Shipment S9: pallet PAL-1 holds lines for 2 ship-tos (92 DC01: ACME-1000; 92 0001: "
        "ACME-7001): a pallet goes to one place, so the load cannot be split into one 856 per stop. Build one pallet "
        "per ship-to.")]
    _, state, res = _shipped(template, tmp_path / "e", split)
    assert res.shipments == 2 and [f["code"] for f in state.findings(run_id="t")] == []
    assert sorted(s.shipment_id for s in state.shipments()) == ["S9-ST1", "S9-ST2"]
