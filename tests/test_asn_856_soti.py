"""S-O-T-I: pallets shipped whole, the pallet's SSCC-18 at the tare level with its items directly under it (no
carton level), as retailers' guides ask for full pallets of one item and pallet-only shipments (Best Buy's 856
lists "labeling at tare (pallet) level only": HL S, O, T, I). In one order loop a pallet of labelled cartons is
T-P-I and a carton off any pallet P-I, as the same guide lists all three trees. The builder, its self-check
(HL parents and levels), our reader, Bots' grammars and pyx12 with our maps."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date

import pytest

from engine.asn import build_856, check_856, shipped_quantities
from engine.asn_columnar import build_856_texts
from engine.envelope import usual_delimiters
from schemas.errors import DocumentError
from schemas.fulfilment import BSN05, AsnSettings
from schemas.shipments import ShippedOrder, Tare
from tests.shipping_support import NOW, PROFILES, item, read_and_parsed_by_bots, sample_shipment, sscc, wrap_for


def tree(body):
    return [tuple(s[1:5]) for s in body if s[0] == "HL"]


def whole_pallets():
    """PO-1: pallet 100 shipped whole (24 of line 1, 4 of line 2, no carton labels); PO-2: carton 3 loose."""
    s = sample_shipment()
    pallet = Tare(sscc(100, ext=1), (), "P1", items=(item("1", 24, upc="073000040482"), item("2", 4)))
    return replace(s, orders=(ShippedOrder("PO-1", date(2026, 11, 20), tares=(pallet,)), s.orders[1]))


def test_a_pallet_shipped_whole_is_a_tare_with_its_items_under_it():
    body = build_856(whole_pallets(), AsnSettings(structure="SOTI"), created=NOW)
    assert body[0][5] == BSN05["SOTI"] == "0001"
    assert tree(body) == [("1", "", "S", "1"), ("2", "1", "O", "1"), ("3", "2", "T", "1"), ("4", "3", "I", "0"),
                          ("5", "3", "I", "0"), ("6", "1", "O", "1"), ("7", "6", "P", "1"), ("8", "7", "I", "0")]
    assert [s for s in body if s[0] == "MAN"] == [["MAN", "GM", "00" + sscc(100, ext=1)], ["MAN", "GM", "00" + sscc(3)]]
    head = body[:next(i for i, s in enumerate(body) if s[0] == "HL" and s[1] == "2")]
    assert ["TD1", "PLT94", "1"] in head  # one pallet; one carton (the loose one) in TD1 CTN25
    assert next(s for s in head if s[0] == "TD1")[:3] == ["TD1", "CTN25", "1"]
    assert [s[2] for s in body if s[0] == "SN1"] == ["24", "4", "3"] and body[-1] == ["CTT", "8", "31"]


def test_a_mixed_order_writes_t_i_t_p_i_and_p_i_under_one_o():
    s = sample_shipment(pallets=True)  # PO-1: pallet 100 of cartons 1 and 2; PO-2: carton 3 loose
    whole = Tare(sscc(101, ext=1), (), "P2", items=(item("1", 12),))
    po1 = replace(s.orders[0], tares=(*s.orders[0].tares, whole), packs=(s.orders[1].packs[0],))
    body = build_856(replace(s, orders=(po1,)), AsnSettings(structure="SOTI"), created=NOW)
    assert [level for _n, _p, level, _c in tree(body)] == ["S", "O", "T", "P", "I", "I", "P", "I", "T", "I", "P", "I"]
    assert tree(body)[8:10] == [("9", "2", "T", "1"), ("10", "9", "I", "0")]


def test_the_self_check_takes_items_under_a_tare_in_soti_only():
    shipment = whole_pallets()
    body = build_856(shipment, AsnSettings(structure="SOTI"), created=NOW)
    check_856(body, "SOTI", shipped_quantities(shipment), bsn05="0001")
    with pytest.raises(DocumentError, match="a I under a T"):
        check_856(body, "SOTPI", shipped_quantities(shipment), bsn05="0001")
    orphan = copy.deepcopy(body)  # an item hung under its order: no level of S-O-T-I holds it there
    orphan[next(i for i, s in enumerate(orphan) if s[:2] == ["HL", "4"])][2] = "2"
    with pytest.raises(DocumentError, match="a I under a O"):
        check_856(orphan, "SOTI", shipped_quantities(shipment), bsn05="0001")
    with pytest.raises(DocumentError, match="is S-O-T-I"):  # an S-O-T-P-I partner never gets items under a tare
        build_856(shipment, AsnSettings(structure="SOTPI"), created=NOW)


def test_the_text_path_writes_soti_as_the_builder_does():
    """build_856_texts (the night's path for many shipments) writes a pallet shipped whole as build_856 does; a
    pallet holding cartons and items of its own is left to build_856; an S-O-T-P-I partner's never gets items
    under a tare (build_856 refuses it, so the text path leaves it too)."""
    from tests.test_asn_856_texts import ENV, per_shipment

    d = usual_delimiters(ENV)
    shipment = whole_pallets()
    want = per_shipment(shipment, AsnSettings(structure="SOTI"), shipped_quantities(shipment), True)
    assert want is not None and "~\nHL*3*2*T*1~\nMAN*GM*" in want[0]
    assert build_856_texts([shipment], AsnSettings(structure="SOTI"), *d, created=NOW,
                           expected=[shipped_quantities(shipment)]) == [want]
    assert build_856_texts([shipment], AsnSettings(structure="SOTPI"), *d, created=NOW,
                           expected=[shipped_quantities(shipment)]) == [None]
    s = sample_shipment(pallets=True)
    both = replace(s, orders=(replace(s.orders[0], tares=(replace(s.orders[0].tares[0], items=(item("3", 2),)),)),))
    assert build_856_texts([both], AsnSettings(structure="SOTI"), *d, created=NOW,
                           expected=[shipped_quantities(both)]) == [None]
    body = build_856(both, AsnSettings(structure="SOTI"), created=NOW)  # T-P-I and T-I under the one pallet
    assert [s[3] for s in body if s[0] == "HL"] == ["S", "O", "T", "P", "I", "I", "P", "I", "I"]


@pytest.mark.parametrize("partner", ["acme", "globex", "initech"])  # 004010 and 005010, each one's delimiters
def test_our_reader_and_bots_accept_soti(partner, tmp_path):
    bodies = [build_856(whole_pallets(), AsnSettings(structure="SOTI"), created=NOW),
              build_856(replace(whole_pallets(), shipment_id="SHP-0002"),
                        AsnSettings(structure="SOTI", vendor_number="V 0042", mark_for="pack"), created=NOW)]
    assert read_and_parsed_by_bots(PROFILES[partner], bodies, tmp_path)[:5] == ["S", "O", "T", "I", "I"]


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_pyx12_with_our_maps_accepts_soti(partner, tmp_path_factory):
    pytest.importorskip("pyx12.x12n_document")
    from tests.shipping_support import pyx12_map_folders
    from tests.test_pyx12_outbound import pyx12_accepts

    maps = pyx12_map_folders(tmp_path_factory)
    body = build_856(whole_pallets(), AsnSettings(structure="SOTI"), created=NOW)
    ok, ack = pyx12_accepts(wrap_for(PROFILES[partner], "SH", "856", [body]).decode(), maps)
    assert ok, ack
