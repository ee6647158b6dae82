"""Prepacks by their components: a department store's 850 orders a size prepack as the pack's UPC in AS, with an
SLN per size (SLN03 I: included) saying what one pack holds; Macy's and other VICS retailers refuse an 856 listing
the pack alone. The 850's SLN I sublines are kept per line (ORDER_LINES prepack_components); with [fulfilment.asn]
prepacks = "components" each item loop of such a line carries an SLN per component after its SN1 (the 856's HL
loop: SN1 030, SLN 040, PO4 060, PID 070), in both 856 writers; SN1 and CTT02 still count packs. Our reader, our
validator, Bots and pyx12 take it in 004010 and 005010 (SLN05 a composite there)."""

from __future__ import annotations

import copy
from dataclasses import replace
from decimal import Decimal

import pytest
from pydantic import ValidationError

from engine.asn import build_856, check_856, shipped_quantities
from engine.asn_columnar import build_856_texts
from engine.envelope import usual_delimiters
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.errors import DocumentError
from schemas.fulfilment import AsnSettings
from schemas.orders import LINES_ADDED_LATER
from schemas.shipments import PrepackComponent, ProductId, ShippedItem
from tests.shipping_support import NOW, PROFILES, pyx12_map_folders, sample_shipment, wrap_for
from tests.support import REPO

MACYS_850 = REPO / "tests" / "fixtures" / "rg7" / "drops" / "macys" / "macys-850-0412345678.x12"
SIZES = (PrepackComponent("001001", Decimal(2), "EA", (ProductId("UP", "614141200016"), ProductId("IZ", "S"))),
         PrepackComponent("001002", Decimal(4), "EA", (ProductId("UP", "614141200023"), ProductId("IZ", "M"))),
         PrepackComponent("001003", Decimal("4.0000"), "EA", (ProductId("IZ", "L"), ProductId("UP", "614141200030"))))


def prepack(qty: int, **more) -> ShippedItem:
    return ShippedItem(line_id="001", quantity=Decimal(qty), unit="AS", sku="APP-PP-TEE-BLK",
                       product_ids=(ProductId("UP", "614141200108"), ProductId("VA", "TEE-BLK-PP")),
                       ordered_quantity=Decimal(10), description="TEE PREPACK", components=SIZES, **more)


def shipment_with_prepack():
    """sample_shipment with PO-1's first carton holding 3 packs of the prepack (line 001) beside its lines."""
    s = sample_shipment()
    po1 = s.orders[0]
    c1 = replace(po1.packs[0], items=(prepack(3, pack=12), *po1.packs[0].items))
    return replace(s, orders=(replace(po1, packs=(c1, *po1.packs[1:])), *s.orders[1:]))


def lines_of(text: str) -> list:
    result = read_interchanges(text.encode())
    return read_orders(result, list(result.transaction_sets()), partner="macys")[1]


def test_the_850s_included_sublines_are_kept_per_line():
    lines = lines_of(MACYS_850.read_text())
    comps = lines.column("prepack_components").to_pylist()
    assert comps[1:] == [None, None]  # the hoodies have no subline
    assert [(c["subline"], c["quantity"], c["unit"], c["unit_price"], c["price_basis"]) for c in comps[0]] == [
        ("001001", 2, "EA", Decimal(6), "WE"), ("001002", 4, "EA", 6, "WE"), ("001003", 4, "EA", 6, "WE"),
        ("001004", 2, "EA", Decimal("6.5"), "WE")]
    assert comps[0][3]["product_ids"] == [{"qualifier": "UP", "id": "614141200047"}, {"qualifier": "IZ", "id": "XL"}]
    assert "prepack_components" in LINES_ADDED_LATER  # connectors.order_store reads it as null from older tables


def test_only_included_sublines_are_components_and_a_composite_unit_is_read_by_its_code():
    """SLN03 A/D/S ask for a change (SLN_NOT_APPLIED names them), O is information: none is in the pack. From 005010
    SLN05 is a composite (C001): its first component is the unit."""
    text = MACYS_850.read_text().replace("SLN*001002**I*", "SLN*001002**A*").replace("SLN*001003**I*4*EA*",
                                                                                    "SLN*001003**I*4*EA>1*")
    comps = lines_of(text).column("prepack_components").to_pylist()[0]
    assert [(c["subline"], c["unit"]) for c in comps] == [("001001", "EA"), ("001003", "EA"), ("001004", "EA")]


def test_by_default_a_prepack_ships_as_the_pack_alone():
    body = build_856(shipment_with_prepack(), AsnSettings(item_po4=True), created=NOW)
    assert not [s for s in body if s[0] == "SLN"]


def test_components_are_listed_after_the_packs_sn1_and_before_its_po4_and_pid():
    shipment = shipment_with_prepack()
    body = build_856(shipment, AsnSettings(prepacks="components", item_po4=True), created=NOW)
    at = body.index(["LIN", "001", "UP", "614141200108", "VA", "TEE-BLK-PP"])
    assert body[at + 1] == ["SN1", "", "3", "AS", "", "10", "AS"]
    assert body[at + 2:at + 5] == [
        ["SLN", "001001", "", "I", "2", "EA", "", "", "", "UP", "614141200016", "IZ", "S"],
        ["SLN", "001002", "", "I", "4", "EA", "", "", "", "UP", "614141200023", "IZ", "M"],
        ["SLN", "001003", "", "I", "4", "EA", "", "", "", "UP", "614141200030", "IZ", "L"]]  # UP first, as LIN's
    assert [s[0] for s in body[at + 5:at + 7]] == ["PO4", "PID"]
    assert sum(s[0] == "SLN" for s in body) == 3  # the other items have no components
    # SN1 and CTT02 count packs: 3 packs + the sample's 6 + 4 + 6 + 3
    assert body[-1] == ["CTT", str(sum(s[0] == "HL" for s in body)), "22"]


def test_the_text_path_writes_the_components_as_the_builder_does():
    from tests.test_asn_856_texts import ENV, per_shipment

    shipment = shipment_with_prepack()
    asn = AsnSettings(prepacks="components", item_po4=True)
    want = per_shipment(shipment, asn, shipped_quantities(shipment), True)
    assert want is not None and "SN1**3*AS**10*AS~\nSLN*001001**I*2*EA****UP*614141200016*IZ*S~\n" in want[0]
    d = usual_delimiters(ENV)
    assert build_856_texts([shipment], asn, *d, created=NOW, expected=[shipped_quantities(shipment)]) == [want]
    plain = per_shipment(shipment, AsnSettings(item_po4=True), shipped_quantities(shipment), True)
    assert want[1] == plain[1] + 3  # three SLN segments more in SE01's count
    # a component's id holding a delimiter leaves the shipment to build_856 (which would refuse it)
    bad = replace(shipment, orders=(replace(shipment.orders[0], packs=(replace(
        shipment.orders[0].packs[0], items=(replace(prepack(3), components=(
            PrepackComponent("1", Decimal(1), "EA", (ProductId("UP", "6141*41200016"),)),)),)),)),))
    assert build_856_texts([bad], asn, *d, created=NOW, expected=[shipped_quantities(bad)]) == [None]
    nameless = replace(bad, orders=(replace(bad.orders[0], packs=(replace(bad.orders[0].packs[0], items=(replace(
        prepack(3), components=(PrepackComponent("1", Decimal(1), "EA", ()),)),)),)),))
    assert build_856_texts([nameless], asn, *d, created=NOW, expected=[shipped_quantities(nameless)]) == [None]
    with pytest.raises(DocumentError):
        build_856(nameless, asn, created=NOW)


def test_the_self_check_refuses_a_component_outside_an_item_or_without_a_quantity():
    shipment = shipment_with_prepack()
    body = build_856(shipment, AsnSettings(prepacks="components"), created=NOW)
    check_856(body, "SOPI", shipped_quantities(shipment), bsn05="0001")
    at = next(k for k, s in enumerate(body) if s[0] == "SLN")
    zero = copy.deepcopy(body)
    zero[at][4] = "0"
    with pytest.raises(DocumentError, match="SLN 001001 is no included component"):
        check_856(zero, "SOPI", shipped_quantities(shipment), bsn05="0001")
    moved = copy.deepcopy(body)  # an SLN in the carton's loop, before the item's HL
    moved.insert(at - 3, moved.pop(at))
    with pytest.raises(DocumentError, match="an SLN outside an item loop"):
        check_856(moved, "SOPI", shipped_quantities(shipment), bsn05="0001")


def test_the_profile_names_pack_or_components():
    assert AsnSettings().prepacks == "pack"
    with pytest.raises(ValidationError):
        AsnSettings(prepacks="sizes")


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_validator_bots_and_pyx12_accept_the_components(partner, tmp_path, tmp_path_factory):
    pytest.importorskip("pyx12.x12n_document")
    from tests.test_mark_for import accepted

    body = build_856(shipment_with_prepack(), AsnSettings(prepacks="components", item_po4=True), created=NOW)
    accepted(wrap_for(PROFILES[partner], "SH", "856", [body]), tmp_path, pyx12_map_folders(tmp_path_factory))


def test_reconciliation_reads_the_856_per_line_in_packs():
    """What reconciliation records of our 856 (parsers.sent_documents: an SN1 per item, its LIN01 and PRF01) is the
    packs per line, the components' SLNs beside it counted nowhere: 3 AS of line 001, as the confirmation said."""
    from parsers.sent_documents import read_sent_lines

    body = build_856(shipment_with_prepack(), AsnSettings(prepacks="components"), created=NOW)
    table, findings = read_sent_lines(read_interchanges(wrap_for(PROFILES["acme"], "SH", "856", [body])),
                                      partner="acme")
    assert findings == []
    rows = [(r["po_number"], r["line_id"], r["quantity"], r["unit"]) for r in table.to_pylist()]
    assert ("PO-1", "001", Decimal(3), "AS") in rows and len(rows) == 5  # one per item loop, none per SLN
