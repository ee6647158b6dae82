"""The product at the pack level ([fulfilment.asn] case_at_pack), as H-E-B's 856 asks: H-E-B receives from the pack
level, reading which product came from the case code there (LIN with the UA pair, the 12-digit UPC case code; UK, the
GTIN-14, allowed instead) and how many from its SN1 in cases; the item level under it names the consumer unit (UP)
in eaches with PO4. LIN (020) and SN1 (030) open the pack's HL loop, before its MAN*GM (190). The self-check counts the
cases against the confirmation and the eaches against the cases; our reading back of our own 856 records the cases
once; the columnar writers leave such a partner to build_856. Off (every other partner), nothing changes."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from engine.asn import build_856, check_856, shipped_quantities
from engine.asn_columnar import build_856_texts
from engine.envelope import usual_delimiters
from parsers.sent_documents import read_sent_lines
from parsers.x12_reader import read_interchanges
from schemas.errors import DocumentError
from schemas.fulfilment import AsnSettings
from schemas.shipments import Pack, ProductId, Shipment, ShippedItem, ShippedOrder, Tare
from tests.shipping_support import (
    NOW,
    PROFILES,
    SHIP_FROM,
    SHIP_TO,
    pyx12_map_folders,
    sample_shipment,
    sscc,
    wrap_for,
)

CASED = AsnSettings(structure="SOTPI", case_at_pack=True)


def cases(line_id: str, qty: int, case: str, upc: str, pack: int | None = 12, *, unit: str = "CA",
          qualifier: str = "UA") -> ShippedItem:
    return ShippedItem(line_id=line_id, quantity=Decimal(qty), unit=unit, sku=f"GRC-{line_id}",
                       product_ids=(ProductId("UP", upc), ProductId(qualifier, case)), ordered_quantity=Decimal(qty),
                       description=f"GROCERY {line_id}", pack=pack)


def grocery_shipment(*boxes: tuple[ShippedItem, ...]) -> Shipment:
    """One PO on one pallet, a carton (a pack of cases) per ``boxes`` entry."""
    packs = tuple(Pack(sscc(k), items, f"C{k}") for k, items in enumerate(boxes, 1))
    order = ShippedOrder("5520114", date(2026, 11, 24), tares=(Tare(sscc(100, ext=1), packs, "P1"),))
    return Shipment("HB-SHP-01", date(2026, 12, 1), SHIP_FROM, SHIP_TO, (order,), bill_of_lading="BOL-1")


BEANS = cases("1", 36, "061414150201", "614141502011")
PIZZA = cases("2", 24, "061414150203", "614141502035", 8)


def loops(body: list) -> list[list]:
    """The body's HL loops from the first pallet on, each its segments (HL first)."""
    out: list[list] = []
    for seg in body:
        if seg[0] == "HL":
            out.append([seg])
        elif seg[0] == "CTT":
            break
        elif out:
            out[-1].append(seg)
    return [loop for loop in out if loop[0][3] in ("T", "P", "I")]


def test_the_pack_level_names_the_case_code_and_the_cases_the_item_level_the_eaches():
    body = build_856(grocery_shipment((BEANS,), (PIZZA,)), CASED, created=NOW)
    _pallet, beans_pack, beans, pizza_pack, pizza = loops(body)
    assert beans_pack == [["HL", "4", "3", "P", "1"], ["LIN", "", "UA", "061414150201"], ["SN1", "", "36", "CA"],
                          ["MAN", "GM", "00006141410000000012"]]
    assert beans == [["HL", "5", "4", "I", "0"], ["LIN", "1", "UP", "614141502011"],
                     ["SN1", "", "432", "EA", "", "432", "EA"], ["PO4", "12"], ["PID", "F", "", "", "", "GROCERY 1"]]
    assert pizza_pack[1:3] == [["LIN", "", "UA", "061414150203"], ["SN1", "", "24", "CA"]]
    assert pizza[1:4] == [["LIN", "2", "UP", "614141502035"], ["SN1", "", "192", "EA", "", "192", "EA"], ["PO4", "8"]]
    assert body[-1] == ["CTT", "7", str(36 + 432 + 24 + 192)]  # CTT02: every SN1's SN102, both levels


def test_off_the_pack_level_carries_its_mark_alone_and_the_items_the_cases():
    shipment = grocery_shipment((BEANS,), (PIZZA,))
    _pallet, beans_pack, beans, *_ = loops(build_856(shipment, AsnSettings(structure="SOTPI"), created=NOW))
    assert [s[0] for s in beans_pack] == ["HL", "MAN"]
    assert beans[1:3] == [["LIN", "1", "UP", "614141502011", "UA", "061414150201"], ["SN1", "", "36", "CA", "", "36",
                                                                                     "CA"]]


def test_a_line_named_by_its_gtin_14_or_by_no_case_code_or_shipped_in_eaches():
    uk = cases("1", 5, "10614141502018", "614141502011", qualifier="UK")
    upc_only = replace(cases("2", 3, "", "614141502073", 2), product_ids=(ProductId("UP", "614141502073"),))
    eaches = cases("3", 7, "061414150205", "614141502059", 6, unit="EA")
    no_pack = cases("4", 2, "061414150207", "614141502066", None)
    body = build_856(grocery_shipment((uk,), (upc_only,), (eaches,), (no_pack,)), CASED, created=NOW)
    got = [(p[1], p[2], i[1], i[2], [s for s in i if s[0] == "PO4"]) for p, i in zip(*[iter(loops(body)[1:])] * 2,
                                                                                    strict=True)]
    assert got == [
        (["LIN", "", "UK", "10614141502018"], ["SN1", "", "5", "CA"], ["LIN", "1", "UP", "614141502011"],
         ["SN1", "", "60", "EA", "", "60", "EA"], [["PO4", "12"]]),
        # no case code on the PO: the pack level names what the item level does
        (["LIN", "", "UP", "614141502073"], ["SN1", "", "3", "CA"], ["LIN", "2", "UP", "614141502073"],
         ["SN1", "", "6", "EA", "", "6", "EA"], [["PO4", "2"]]),
        # shipped in eaches, or with no known case pack: the item level counts as shipped
        (["LIN", "", "UA", "061414150205"], ["SN1", "", "7", "EA"], ["LIN", "3", "UP", "614141502059"],
         ["SN1", "", "7", "EA", "", "7", "EA"], [["PO4", "6"]]),
        (["LIN", "", "UA", "061414150207"], ["SN1", "", "2", "CA"], ["LIN", "4", "UP", "614141502066"],
         ["SN1", "", "2", "CA", "", "2", "CA"], []),
    ]


def test_one_lines_two_lots_in_a_carton_are_one_pack_level_and_two_items():
    lot_a, lot_b = replace(BEANS, quantity=Decimal(20), lot_number="A"), replace(BEANS, quantity=Decimal(16),
                                                                                  lot_number="B")
    body = build_856(grocery_shipment((lot_a, lot_b)), CASED.model_copy(update={"lots": "ref"}), created=NOW)
    _pallet, pack, first, second = loops(body)
    assert pack[1:3] == [["LIN", "", "UA", "061414150201"], ["SN1", "", "36", "CA"]]
    assert [first[2][2], second[2][2]] == ["240", "192"]


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_validator_bots_and_pyx12_accept_the_pack_level_product(partner, tmp_path, tmp_path_factory):
    pytest.importorskip("pyx12.x12n_document")
    from tests.test_mark_for import accepted

    uk = cases("3", 5, "10614141502018", "614141502011", qualifier="UK")
    shipment = grocery_shipment((BEANS,), (PIZZA,), (uk,))
    bodies = [build_856(shipment, CASED, created=NOW)]
    # S-O-P-I by parcel: each carton's tracking number (REF 150) after its LIN/SN1, before its MAN
    order = shipment.orders[0]
    parcels = tuple(replace(p, tracking_number=f"1Z{k}") for k, p in enumerate(order.tares[0].packs))
    parcel = replace(shipment, orders=(replace(order, tares=(), packs=parcels),))
    bodies.append(build_856(parcel, AsnSettings(case_at_pack=True, package_tracking=True), created=NOW))
    assert [s[0] for s in loops(bodies[1])[0]] == ["HL", "LIN", "SN1", "REF", "MAN"]
    for body in bodies:
        accepted(wrap_for(PROFILES[partner], "SH", "856", [body]), tmp_path, pyx12_map_folders(tmp_path_factory))


def test_a_carton_of_two_order_lines_has_no_one_case_code():
    with pytest.raises(DocumentError, match="a carton holds two order lines"):
        build_856(grocery_shipment((BEANS, PIZZA)), CASED, created=NOW)


def test_the_self_check_counts_the_cases_and_the_eaches_against_them():
    shipment = grocery_shipment((BEANS,), (PIZZA,))
    body = build_856(shipment, CASED, created=NOW)
    expected = shipped_quantities(shipment)
    check_856(body, "SOTPI", expected, case_at_pack=True)
    wrong_eaches = copy.deepcopy(body)
    next(s for s in wrong_eaches if s[0] == "SN1" and s[3] == "EA")[2] = "431"
    wrong_eaches[-1][2] = str(Decimal(wrong_eaches[-1][2]) - 1)  # CTT02 kept right: the eaches alone are wrong
    with pytest.raises(DocumentError, match=r"its items' SN1 \(431\) is not its 36 CA"):
        check_856(wrong_eaches, "SOTPI", expected, case_at_pack=True)
    with pytest.raises(DocumentError, match="5520114/1: 856 36 vs confirmed 35"):
        check_856(body, "SOTPI", {**expected, ("5520114", "1"): Decimal(35)}, case_at_pack=True)
    no_cases = [s for s in body if not (s[0] == "SN1" and s[3] == "CA")]
    no_cases[-1] = ["CTT", "7", str(432 + 192)]
    with pytest.raises(DocumentError, match="a pack level naming its case needs one SN1"):
        check_856(no_cases, "SOTPI", expected, case_at_pack=True)


def test_the_columnar_writers_leave_it_to_build_856():
    usual = usual_delimiters(PROFILES["acme"].x12 and wrap_envelope())
    shipments = [grocery_shipment((BEANS,), (PIZZA,))]
    expected = [shipped_quantities(shipments[0])]
    assert build_856_texts(shipments, CASED, *usual, created=NOW, expected=expected) == [None]
    assert build_856_texts(shipments, AsnSettings(structure="SOTPI"), *usual, created=NOW,
                           expected=expected)[0] is not None


def wrap_envelope():
    from engine.envelope import envelope_for

    return envelope_for(PROFILES["acme"])


def test_our_856_read_back_records_the_cases_once_per_line():
    shipment = grocery_shipment((BEANS,), (PIZZA,), (replace(BEANS, quantity=Decimal(4)),))
    body = build_856(shipment, CASED, created=NOW)
    table, findings = read_sent_lines(read_interchanges(wrap_for(PROFILES["acme"], "SH", "856", [body])),
                                      partner="acme")
    assert findings == []
    assert [(r["po_number"], r["line_id"], r["quantity"], r["unit"]) for r in table.to_pylist()] == [
        ("5520114", "1", 36, "CA"), ("5520114", "2", 24, "CA"), ("5520114", "1", 4, "CA")]
    # another partner's 856 (no case at its pack level) is read as before: a row per item
    plain = build_856(sample_shipment(), AsnSettings(), created=NOW)
    table, findings = read_sent_lines(read_interchanges(wrap_for(PROFILES["acme"], "SH", "856", [plain])),
                                      partner="acme")
    assert findings == [] and len(table) == 4


@pytest.mark.parametrize("structure", ["SOI", "SOIP", "SOTI"])
def test_the_profile_asks_a_pack_level_above_each_item(structure):
    with pytest.raises(ValidationError, match="case_at_pack names the case at a carton"):
        AsnSettings(structure=structure, case_at_pack=True)
    assert AsnSettings(structure="SOPI", case_at_pack=True).case_at_pack
