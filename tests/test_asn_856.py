"""856 builder: every HL structure (S-O-P-I, S-O-T-P-I, S-O-I, S-O-I-P) gives the right tree, counts
and quantities; the self-check refuses wrong trees; our reader and Bots' grammars accept the result
in 004010 and 005010 with each demo partner's delimiters; the same inputs give the same bytes."""

from __future__ import annotations

import copy
from dataclasses import replace
from decimal import Decimal

import pytest

from engine.asn import build_856, check_856, party_segments, shipped_quantities
from schemas.errors import DocumentError
from schemas.fulfilment import AsnSettings
from schemas.shipments import Pack, Party, ShippedOrder
from tests.shipping_support import NOW, PROFILES, bots_check, item, read_back, sample_shipment, sscc, wrap_for


def tree(body):
    """[(HL01, HL02, HL03, HL04)] of a body."""
    return [tuple(s[1:5]) for s in body if s[0] == "HL"]


def after(body, hl_id):
    """The segment ids inside HL ``hl_id``'s loop."""
    out, inside = [], False
    for s in body:
        if s[0] == "HL":
            inside = s[1] == hl_id
        elif inside:
            out.append(s)
    return out


def test_pick_and_pack_sopi():
    body = build_856(sample_shipment(), AsnSettings(structure="SOPI", estimated_delivery=True), created=NOW)
    assert body[0] == ["BSN", "00", "SHP-0001", "20261128", "1405", "0001"]
    assert tree(body) == [("1", "", "S", "1"), ("2", "1", "O", "1"), ("3", "2", "P", "1"), ("4", "3", "I", "0"),
                          ("5", "3", "I", "0"), ("6", "2", "P", "1"), ("7", "6", "I", "0"),
                          ("8", "1", "O", "1"), ("9", "8", "P", "1"), ("10", "9", "I", "0")]
    ship = after(body, "1")
    assert ship[0] == ["TD1", "CTN25", "3", "", "", "", "G", "27.75", "LB"]
    assert ship[1] == ["TD5", "B", "2", "UPSN", "M", "", "", "", "", "", "", "", "G2"]
    assert ["REF", "BM", "BOL-77"] in ship and ["REF", "CN", "1Z999"] in ship
    assert ["DTM", "011", "20261128", "1345"] in ship and ["DTM", "017", "20261201"] in ship
    assert [s[:2] for s in ship if s[0] == "N1"] == [["N1", "SF"], ["N1", "ST"]]
    assert after(body, "2") == [["PRF", "PO-1", "", "", "20261120"]]
    assert after(body, "3") == [["MAN", "GM", "00" + sscc(1)]]
    assert after(body, "4")[:2] == [["LIN", "1", "UP", "073000040482", "VN", "SKU-1"],
                                    ["SN1", "", "6", "EA", "", "12", "EA"]]
    assert ["PID", "F", "", "", "", "ITEM 1"] in after(body, "4")
    assert body[-1] == ["CTT", "10", "19"]


def test_pick_and_pack_with_pallets_sotpi():
    body = build_856(sample_shipment(pallets=True), AsnSettings(structure="SOTPI"), created=NOW)
    assert body[0][5] == "0001"
    assert tree(body) == [("1", "", "S", "1"), ("2", "1", "O", "1"), ("3", "2", "T", "1"), ("4", "3", "P", "1"),
                          ("5", "4", "I", "0"), ("6", "4", "I", "0"), ("7", "3", "P", "1"), ("8", "7", "I", "0"),
                          ("9", "1", "O", "1"), ("10", "9", "P", "1"), ("11", "10", "I", "0")]
    assert after(body, "3") == [["MAN", "GM", "00" + sscc(100, ext=1)]]
    assert ["TD1", "PLT94", "1"] in after(body, "1")
    assert body[-1] == ["CTT", "11", "19"]


def test_no_cartons_soi_sums_each_line():
    body = build_856(sample_shipment(), AsnSettings(structure="SOI"), created=NOW)
    assert body[0][5] == "0004"
    assert tree(body) == [("1", "", "S", "1"), ("2", "1", "O", "1"), ("3", "2", "I", "0"), ("4", "2", "I", "0"),
                          ("5", "1", "O", "1"), ("6", "5", "I", "0")]
    assert [s for s in body if s[0] == "SN1"] == [["SN1", "", "12", "EA", "", "12", "EA"],
                                                 ["SN1", "", "4", "EA", "", "8", "EA"],
                                                 ["SN1", "", "3", "EA", "", "6", "EA"]]
    assert not [s for s in body if s[0] == "MAN"]


def test_no_cartons_soi_takes_loose_items():
    loose = ShippedOrder("PO-3", loose_items=(item("1", 5), item("1", 2), item("4", 1)))
    shipment = replace(sample_shipment(), orders=(loose,))
    body = build_856(shipment, AsnSettings(structure="SOI", ctt_hash=False), created=NOW)
    assert [s[2] for s in body if s[0] == "SN1"] == ["7", "1"] and body[-1] == ["CTT", "4"]
    assert not [s for s in body if s[0] == "TD1"]  # no cartons, no weight: nothing to say
    with pytest.raises(DocumentError, match="without a carton"):
        build_856(shipment, AsnSettings(structure="SOPI"), created=NOW)


def test_standard_carton_pack_refuses_a_mixed_carton():
    # carton 1 holds lines 1 and 2: standard carton pack would list its SSCC under both items
    with pytest.raises(DocumentError, match="listed twice"):
        build_856(sample_shipment(), AsnSettings(structure="SOIP"), created=NOW)


def test_standard_carton_pack_soip_one_item_per_carton():
    c = sample_shipment()
    po1 = ShippedOrder("PO-1", packs=(replace(c.orders[0].packs[0], items=(item("1", 6),)),
                                      c.orders[0].packs[1],
                                      replace(c.orders[0].packs[0], sscc=sscc(4), items=(item("2", 4),))))
    shipment = replace(c, orders=(po1,))
    body = build_856(shipment, AsnSettings(structure="SOIP"), created=NOW)
    assert body[0][5] == "0002"
    assert tree(body) == [("1", "", "S", "1"), ("2", "1", "O", "1"), ("3", "2", "I", "1"), ("4", "3", "P", "0"),
                          ("5", "3", "P", "0"), ("6", "2", "I", "1"), ("7", "6", "P", "0")]
    assert [s[2] for s in body if s[0] == "SN1"] == ["12", "4"]
    assert [s[2][2:] for s in body if s[0] == "MAN"] == [sscc(1), sscc(2), sscc(4)]


def test_options_shape_the_segments():
    asn = AsnSettings(structure="SOPI", ordered_quantity=False, item_pid=False, ctt_hash=False, bsn05="0001",
                      purpose="06", lin_qualifiers=("VN", "UP"))
    body = build_856(sample_shipment(), asn, created=NOW, sscc_with_ai=False)  # DTM 017 not asked for
    assert body[0][1] == "06" and body[-1] == ["CTT", "10"]
    assert [s for s in body if s[0] == "SN1"][0] == ["SN1", "", "6", "EA"]
    assert not [s for s in body if s[0] == "PID"] and not [s for s in body if s[:2] == ["DTM", "017"]]
    assert [s for s in body if s[0] == "LIN"][0] == ["LIN", "1", "VN", "SKU-1", "UP", "073000040482"]
    assert [s for s in body if s[0] == "MAN"][0] == ["MAN", "GM", sscc(1)]


@pytest.mark.parametrize("structure,pallets", [("SOPI", False), ("SOTPI", True), ("SOI", False)])
def test_a_vendor_number_goes_in_each_order_as_ref_ia(structure, pallets):
    """Walmart-style guides want our vendor number (REF*IA) in every order loop, after the PRF."""
    shipment = sample_shipment(pallets=pallets)
    body = build_856(shipment, AsnSettings(structure=structure, vendor_number="V 0042"), created=NOW)
    orders = [s[1] for s in body if s[0] == "HL" and s[3] == "O"]
    assert len(orders) == len(shipment.orders) >= 2
    for hl_id in orders:
        assert [s[0] for s in after(body, hl_id)] == ["PRF", "REF"] and after(body, hl_id)[1] == ["REF", "IA", "V 0042"]
    assert not [s for s in build_856(shipment, AsnSettings(structure=structure), created=NOW) if s[0] == "REF"
                and s[1] == "IA"]


def test_a_description_longer_than_pid05_is_cut_to_80():
    """PID05 is AN 1/80 (004010 and 005010); a CSV order's description may be longer: the 856 carries its
    first 80 characters (blanks at the cut dropped) rather than an element every receiver rejects."""
    long = replace(item("1", 6), description="W" * 79 + " " + "X" * 40)
    exact = replace(item("2", 6), description="E" * 79 + " ")  # 80 characters: written as it is
    shipment = replace(sample_shipment(), orders=(ShippedOrder("PO-1", None, packs=(Pack(sscc(1), (long, exact),
                                                                                         "C1"),)),))
    body = build_856(shipment, AsnSettings(), created=NOW)
    assert [s[5] for s in body if s[0] == "PID"] == ["W" * 79, "E" * 79 + " "]


def test_a_party_name_street_or_city_longer_than_its_element_is_cut_to_fit():
    """N102 is AN 1/60, N301/N302 1/55, N401 2/30; a CSV order's ship-to may be longer: cut to fit (a street goes on
    in a second N3 instead, rg41: engine.asn.n3_elements)."""
    long = Party("ST", "N" * 59 + " " + "M" * 10, "92", "DC07", "A" * 56, "B" * 55, "C" * 31, "CA", "94301", "US")
    assert party_segments(long) == [["N1", "ST", "N" * 59, "92", "DC07"], ["N3", "A" * 55, "A"], ["N3", "B" * 55, ""],
                                    ["N4", "C" * 30, "CA", "94301", "US"]]
    fits = Party("ST", "N" * 60, "", "", "A" * 55, "", "C" * 30)
    assert party_segments(fits) == [["N1", "ST", "N" * 60, "", ""], ["N3", "A" * 55, ""], ["N4", "C" * 30, "", "", ""]]


def test_service_level_that_is_not_a_code_goes_to_routing():
    body = build_856(replace(sample_shipment(), service_level="GROUND"), AsnSettings(), created=NOW)
    assert [s for s in body if s[0] == "TD5"] == [["TD5", "B", "2", "UPSN", "M", "GROUND"]]
    # TD505 is AN 1/35: a longer service name from a warehouse feed is cut to fit
    body = build_856(replace(sample_shipment(), service_level="G" * 34 + " " + "H" * 9), AsnSettings(), created=NOW)
    assert [s for s in body if s[0] == "TD5"] == [["TD5", "B", "2", "UPSN", "M", "G" * 34]]


def test_a_carton_without_a_valid_sscc_is_refused():
    c = sample_shipment()
    bad = replace(c, orders=(replace(c.orders[0], packs=(replace(c.orders[0].packs[0], sscc="123"),)),))
    with pytest.raises(DocumentError, match="SSCC"):
        build_856(bad, AsnSettings(), created=NOW)


def test_quantities_must_equal_the_confirmation():
    expected = shipped_quantities(sample_shipment())
    build_856(sample_shipment(), AsnSettings(), created=NOW, expected=expected)
    expected[("PO-1", "1")] += Decimal(1)
    with pytest.raises(DocumentError, match="PO-1/1: 856 12 vs confirmed 13"):
        build_856(sample_shipment(), AsnSettings(), created=NOW, expected=expected)


@pytest.mark.parametrize("damage,message", [
    (lambda b: b[_hl(b, "3")].__setitem__(1, "33"), "HL01 33 is not 3"),
    (lambda b: b[_hl(b, "4")].__setitem__(2, "2"), "a I under a O"),
    (lambda b: b[_hl(b, "4")].__setitem__(2, "9"), "parent '9' is not an earlier HL"),
    (lambda b: b[_hl(b, "4")].__setitem__(4, "1"), "HL04 is 1"),
    (lambda b: b[_hl(b, "2")].__setitem__(4, "0"), "HL04 is 0"),
    (lambda b: b[-1].__setitem__(1, "9"), "CTT01 9"),
    (lambda b: b[-1].__setitem__(2, "18"), "CTT02"),
    (lambda b: b.insert(_hl(b, "6") + 1, ["MAN", "GM", "00" + sscc(1)]), "listed twice"),
    (lambda b: b[_hl(b, "6") + 1].__setitem__(2, "00" + sscc(2)[:-1] + "0"), "not a valid SSCC"),
    (lambda b: b.pop(_hl(b, "3") + 1), "0 MAN segments"),
    (lambda b: b.pop(_hl(b, "4") + 2), "an item needs one LIN and one SN1"),
    (lambda b: b[0].__setitem__(5, "0002"), "BSN05"),
    (lambda b: b[_hl(b, "8")].__setitem__(3, "X"), "level X is not in structure SOPI"),
])
def test_self_check_catches_a_damaged_tree(damage, message):
    shipment = sample_shipment()
    body = build_856(shipment, AsnSettings(), created=NOW)
    broken = copy.deepcopy(body)
    damage(broken)
    with pytest.raises(DocumentError, match=message):
        check_856(broken, "SOPI", shipped_quantities(shipment), bsn05="0001")


def _hl(body, hl_id):
    return next(i for i, s in enumerate(body) if s[0] == "HL" and s[1] == hl_id)


def test_same_inputs_same_bytes():
    a = wrap_for(PROFILES["acme"], "SH", "856", [build_856(sample_shipment(), AsnSettings(), created=NOW)])
    b = wrap_for(PROFILES["acme"], "SH", "856", [build_856(sample_shipment(), AsnSettings(), created=NOW)])
    assert a == b


STRUCTURES = [("SOPI", False), ("SOTPI", True), ("SOI", False)]


@pytest.mark.parametrize("partner", ["acme", "globex", "initech"])
@pytest.mark.parametrize("structure,pallets", STRUCTURES)
def test_our_reader_and_bots_accept_every_structure(partner, structure, pallets, tmp_path):
    profile = PROFILES[partner]
    bodies = [build_856(sample_shipment(pallets=pallets), AsnSettings(structure=structure), created=NOW),
              build_856(replace(sample_shipment(pallets=pallets), shipment_id="SHP-0002"),
                        AsnSettings(structure=structure, vendor_number="V 0042"), created=NOW)]  # REF IA per order
    content = wrap_for(profile, "SH", "856", bodies)
    result = read_back(content)
    (ic,) = result.interchanges
    assert ic.version == profile.x12.version[:5] and [ts.set_id for _i, _g, ts in result.transaction_sets()] == \
        ["856", "856"]
    segs = result.segments.elements.to_pylist()
    assert [s for s in segs if s[0] == "CTT"] == [[str(x) for x in b[-1]] for b in bodies]
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_bots_accepts_standard_carton_pack(tmp_path):
    c = sample_shipment()
    po1 = ShippedOrder("PO-1", packs=(replace(c.orders[0].packs[1]),))
    body = build_856(replace(c, orders=(po1,)), AsnSettings(structure="SOIP"), created=NOW)
    for partner in ("acme", "globex"):
        ok, errors = bots_check(wrap_for(PROFILES[partner], "SH", "856", [body]), tmp_path)
        assert ok, errors


def test_bots_rejects_a_broken_856(tmp_path):
    body = build_856(sample_shipment(), AsnSettings(), created=NOW)
    broken = [s for s in body if s[0] != "BSN"]
    ok, errors = bots_check(wrap_for(PROFILES["acme"], "SH", "856", [broken]), tmp_path)
    assert not ok and "BSN" in str(errors)


def test_ctt02_is_the_sum_of_the_sn102_written_whatever_the_quantities_scale():
    # CTT02 is summed from the items' quantities as build_856 writes them; the self-check sums the SN102
    # texts: both must give the same digits for fractions and trailing zeros (1.50 + 2.250 + 3 = 6.75)
    c = sample_shipment()
    c1, c2 = c.orders[0].packs
    odd = replace(c1, items=(replace(c1.items[0], quantity=Decimal("1.50")), replace(c1.items[1], quantity=Decimal(
        "2.250"))))
    shipment = replace(c, orders=(replace(c.orders[0], packs=(odd, replace(c2, items=(replace(
        c2.items[0], quantity=Decimal("3.000")),)))),))
    for structure in ("SOPI", "SOI"):
        body = build_856(shipment, AsnSettings(structure=structure), created=NOW)
        want = ["1.5", "2.25", "3"] if structure == "SOPI" else ["4.5", "2.25"]  # SOI: one item per line
        assert [s[2] for s in body if s[0] == "SN1"] == want
        assert body[-1][2] == "6.75"


def test_self_check_validates_every_sscc_the_builder_did_not_write():
    # build_856 hands the self-check the MAN02 values it wrote from SSCCs it validated; any other value
    # (a damaged or foreign one) is still validated, and a value listed twice is still refused
    shipment = sample_shipment()
    body = build_856(shipment, AsnSettings(), created=NOW)
    written = {s[2] for s in body if s[0] == "MAN"}
    check_856(body, "SOPI", shipped_quantities(shipment), bsn05="0001", ssccs_checked=written)
    broken = copy.deepcopy(body)
    broken[_hl(broken, "6") + 1][2] = "00" + sscc(2)[:-1] + "0"
    with pytest.raises(DocumentError, match="not a valid SSCC"):
        check_856(broken, "SOPI", shipped_quantities(shipment), bsn05="0001", ssccs_checked=written)
    twice = copy.deepcopy(body)
    twice.insert(_hl(twice, "6") + 1, ["MAN", "GM", "00" + sscc(1)])
    with pytest.raises(DocumentError, match="listed twice"):
        check_856(twice, "SOPI", shipped_quantities(shipment), bsn05="0001", ssccs_checked=written)
