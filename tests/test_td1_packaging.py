"""The 856's TD1 says what shipped (X12 element 103: the packaging form, optionally its material): a carton row's own
Packaging (the warehouse CSV's column), else the item master's packaging (items.csv), else the partner's default
(fulfilment.asn.packaging, CTN25 a corrugated carton: what every 856 said before). A shipment of several kinds has
one TD1 per kind at the S level (X12 lets TD1 repeat there), each with its count and its packages' gross weight.

On the rg68 sweep (industrial gas, welding and safety supply, the rg2 east DC): Airgas' argon and acetylene
cylinders described by the item master (CYL), its wire spools left to the default; Bollinger's wire in a drum
(DRM), its cylinder cages (CAG) and its cable on a reel (REL) named by the DC's rows; Grainger's cartons on a
returnable wooden pallet (PLT94) beside boxes its profile names (BOX25). Every 856 passes our validator, Bots and
pyx12."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
    shipped_night,
    variant_night,
)
from tests.support import REPO

RG68 = REPO / "tests" / "fixtures" / "rg68"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
AT = {"warehouses": WAREHOUSES, "night": NIGHT, "ship_day": SHIP_DAY}
POS = {"airgas": {"AG6800412": 3}, "grainger": {"GR6800520": 3}, "bollinger": {"BS6800630": 4}}
# Airgas's release 0003 of AG6800412 names a blanket it never sent us (tests/test_rg89d.py)
NIGHT_NOTED = {"SAC_NOT_APPLIED", "ASN_LATE", "RELEASE_BLANKET_UNKNOWN"}

# the DC's packaging of each carton (the CSV's Packaging column): Bollinger's and Grainger's rows; Airgas' none
PACKAGING = {"BS-W1": "drm", "BS-CYL1": "CAG", "BS-CYL2": "CAG", "BS-C3": "REL", "GR-C1": "PLT94"}


def packaged(fixtures: Path, root: Path) -> Path:
    """A copy of the rg68 ``fixtures`` whose DC names PACKAGING's cartons' packaging, whose item master names the
    argon and acetylene cylinders' (CYL) and whose Grainger profile describes any other package as a box (BOX25)."""
    copy = root / "rg68"
    shutil.copytree(fixtures, copy)
    shipped = copy / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines()
    shipped.write_text("\n".join([rows[0] + ",Packaging", *(r + "," + PACKAGING.get(r.split(",")[12], "")
                                                            for r in rows[1:])]) + "\n", encoding="utf-8")
    items = copy / "reference" / "items.csv"
    rows = items.read_text(encoding="utf-8").splitlines()
    items.write_text("\n".join([rows[0] + ",packaging", *(r + ("," + "CYL" if r.split(",")[0] in ("RG68-01", "RG68-03")
                                                              else ",") for r in rows[1:])]) + "\n", encoding="utf-8")
    profile = copy / "partners" / "grainger.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        'vendor_number = "GR4410"\ntransit_days', 'vendor_number = "GR4410"\npackaging = "BOX25"\ntransit_days'),
        encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("td1")
    fixtures = packaged(RG68, root)
    return shipped_night(of_its_own(fixtures, root / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)


def _td1s(ws, partner: str, shipment: str) -> list[list[str]]:
    return [s for s in po_segments(segments(ws, partner, "856"), shipment, "BSN") if s[0] == "TD1"]


def test_the_night_ships_and_bills_every_order_as_before(night):
    _ws, found, states = night
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    assert set(states.values()) == {"invoiced"}, states


def test_cylinders_named_by_the_item_master_beside_spools_of_the_default(night):
    """Airgas' rows name no packaging: its argon and acetylene cylinders (RG68-01, RG68-03) are CYL by the item
    master, 3 packages of 8,900 LB; its wire spools (no packaging listed) the default CTN25, 2 of 1,400 LB."""
    ws, _found, _states = night
    assert _td1s(ws, "airgas", "AG-SHP-01") == [["TD1", "CYL", "3", "", "", "", "G", "8900", "LB"],
                                                ["TD1", "CTN25", "2", "", "", "", "G", "1400", "LB"]]


def test_a_drum_cages_and_a_reel_named_by_the_dcs_rows(night):
    """Bollinger's wire in a drum ("drm" read as DRM), its two cylinder cages and its cable reel: one TD1 per kind,
    each with its packages' weight in KG; the item master's CYL of other items changes nothing here."""
    ws, _found, _states = night
    assert _td1s(ws, "bollinger", "BS-SHP-01") == [["TD1", "DRM", "1", "", "", "", "G", "265", "KG"],
                                                   ["TD1", "CAG", "2", "", "", "", "G", "1120", "KG"],
                                                   ["TD1", "REL", "1", "", "", "", "G", "190", "KG"]]


def test_a_returnable_pallet_beside_the_profiles_default_packaging(night):
    """Grainger's earplugs on a returnable wooden pallet (PLT94, the DC's row), its other two cartons the
    profile's default (packaging = "BOX25")."""
    ws, _found, _states = night
    assert _td1s(ws, "grainger", "GR-SHP-01") == [["TD1", "PLT94", "1", "", "", "", "G", "45", "LB"],
                                                  ["TD1", "BOX25", "2", "", "", "", "G", "90", "LB"]]


def test_every_856_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_one_kind_of_packaging_is_one_td1_and_each_carton_and_order_loop_names_it(tmp_path, maps):  # noqa: F811
    """Bollinger with a TD1 in each order loop and each carton loop (order_td1, pack_td1), every row naming a drum:
    the S level's one TD1 DRM (4 drums, 1,575 KG), the order loop's the same, each carton's TD1 DRM 1 with its
    weight; the 856 passes our validator, Bots and pyx12."""
    fixtures = tmp_path / "rg68"
    shutil.copytree(RG68, fixtures)
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines()
    shipped.write_text("\n".join([rows[0] + ",Packaging", *(r + ",DRM" for r in rows[1:])]) + "\n", encoding="utf-8")
    ws, found, _states = variant_night(fixtures, "bollinger", "BS6800630", tmp_path / "night", profile_swaps=[
        ('serial_numbers = true', 'serial_numbers = true\norder_td1 = true\npack_td1 = true')], **AT)
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    td1s = _td1s(ws, "bollinger", "BS-SHP-01")
    assert td1s[:2] == [["TD1", "DRM", "4", "", "", "", "G", "1575", "KG"]] * 2
    assert td1s[2:] == [["TD1", "DRM", "1", "", "", "", "G", weight, "KG"] for weight in ("265", "560", "560", "190")]
    all_sent_accepted(ws, {"bollinger": POS["bollinger"]}, tmp_path, maps, shipments=1, answers=1)


def test_a_mixed_order_loop_counts_each_kind(tmp_path):
    """Bollinger's order loop (order_td1) of a drum, two cages and a reel: a TD1 per kind, each with its count and
    its packages' weight, as the S level's."""
    fixtures = packaged(RG68, tmp_path)
    ws, found, _states = variant_night(fixtures, "bollinger", "BS6800630", tmp_path / "night", profile_swaps=[
        ('serial_numbers = true', 'serial_numbers = true\norder_td1 = true')], **AT)
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    td1s = _td1s(ws, "bollinger", "BS-SHP-01")
    assert td1s[3:] == td1s[:3] == [["TD1", "DRM", "1", "", "", "", "G", "265", "KG"],
                                    ["TD1", "CAG", "2", "", "", "", "G", "1120", "KG"],
                                    ["TD1", "REL", "1", "", "", "", "G", "190", "KG"]]


def test_mixed_kinds_some_unweighed_give_the_shipments_weight_its_own_td1(tmp_path):
    """A cage the DC did not weigh: the kinds' counts, then the shipment's gross weight in a TD1 of its own (no
    packaging: TD101 / TD102 empty), not a weight put on one kind."""
    from engine.asn import package_kinds, package_td1s
    from schemas.shipments import Pack

    def pack(kind: str, weight: str | None) -> Pack:
        return Pack(sscc="", items=(), weight=None if weight is None else Decimal(weight),
                    weight_unit="KG" if weight else "", packaging=kind)

    kinds = package_kinds([pack("DRM", "265"), pack("CAG", None), pack("", "190")], "CTN25")
    assert [k[:2] for k in kinds] == [("DRM", 1), ("CAG", 1), ("CTN25", 1)]
    assert package_td1s(kinds, Decimal(1015), "KG", None, "") == [
        ["TD1", "DRM", "1"], ["TD1", "CAG", "1"], ["TD1", "CTN25", "1"],
        ["TD1", "", "", "", "", "", "G", "1015", "KG"]]


def test_a_packaging_cell_of_no_code_is_left_out_with_a_warning_and_an_unlisted_code_kept():
    """The CSV's Packaging: "cylinder" is no element 103 code (left out: SHIPMENT_PACKAGING_INVALID at its row and
    column, the row ships); "ZZZ" has a code's shape but is on no list we hold: kept, warned."""
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    text = ("Shipment ID,Ship Date,PO Number,PO Line,SKU,Quantity,Carton ID,Packaging\n"
            "S1,2026-12-01,PO1,1,A,1,C1,cylinder\nS1,2026-12-01,PO1,2,B,1,C2,zzz\nS1,2026-12-01,PO1,3,C,1,C3,cyl\n")
    table, findings = read_shipment_csv(text.encode(), ShipmentCsvMapping(), file="s.csv")
    assert table["packaging"].to_pylist() == [None, "ZZZ", "CYL"]
    assert [(f.code, f.severity, f.location.row, f.location.column) for f in findings] == [
        ("SHIPMENT_PACKAGING_INVALID", "warning", 2, "Packaging"), ("SHIPMENT_PACKAGING_INVALID", "warning", 3,
                                                                    "Packaging")]


def test_a_profile_or_item_master_packaging_of_no_code_is_refused(tmp_path):
    from pydantic import ValidationError

    from connectors.reference import load_reference
    from schemas.errors import ConfigError
    from schemas.fulfilment import AsnSettings

    assert AsnSettings(packaging="cyl").packaging == "CYL"
    with pytest.raises(ValidationError, match="no packaging code"):
        AsnSettings(packaging="CARTON")
    shutil.copytree(RG68 / "reference", tmp_path / "reference")
    items = tmp_path / "reference" / "items.csv"
    rows = items.read_text(encoding="utf-8").splitlines()
    items.write_text("\n".join([rows[0] + ",packaging", *(r + ",CTN2" for r in rows[1:])]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no packaging code"):
        load_reference(tmp_path / "reference")


# --- a 3PL's 945: 005010 carries TD1 in its heading ----------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Night 1 of the demo with the warehouses: GLOBEX-2001 (S-O-T-P-I) waits for the North 3PL's 945."""
    from tests.support import demo_night_with_warehouses

    return demo_night_with_warehouses(tmp_path_factory.mktemp("945") / "ws")


@pytest.mark.parametrize(("td1s", "kind", "warned"), [
    (["TD1*DRM*2"], "DRM", False),  # one kind: every carton's
    (["TD1*DRM*1", "TD1*CTN25*1"], "CTN25", False),  # two kinds, which carton is which unsaid: the partner's
    (["TD1*DRUM*2"], "CTN25", True),  # no code: left out, warned
])
def test_a_5010_945s_heading_td1_names_its_cartons_packaging(template, tmp_path, td1s, kind, warned):
    """A 005010 945's heading TD1 (after W27) of one kind describes every carton (the 856's TD1 DRM 2); of several it
    cannot say which carton is which (the partner's default); a TD101 of no code is a warning at its element."""
    from tests.test_945_shapes import CARTON1, CARTON2, HEAD, body_of, carton, codes, w945
    from tests.test_945_shapes import segments as segs_of
    from tests.test_shipment_findings_flow import ship

    body = HEAD + td1s + carton(CARTON1, 12) + carton(CARTON2, 12)
    _ws, state, res = ship(template, tmp_path, "north", "n.x12", w945(body, version="005010"))
    assert res.shipments == 1, codes(state)
    assert segs_of(body_of(state), "TD1")[0][:3] == ["TD1", kind, "2"]
    assert ("SHIPMENT_PACKAGING_INVALID" in codes(state)) is warned


def test_a_shipment_weighed_but_with_no_carton_counted_names_no_packaging_in_its_td1():
    """A shipment's gross weight with no carton nor pallet counted (an S-O-I confirmation without carton ids) went
    out as TD1*CTN25**...*G*120*LB: a TD101 without its TD102, which X12's C0102 forbids (TD101 requires TD102).
    Now the weight's TD1 names no packaging; with cartons counted the code and count go as before."""
    from datetime import date

    from engine.asn import s_segments
    from schemas.fulfilment import AsnSettings

    def td1s(cartons: int, weight: Decimal | None) -> list[list[object]]:
        segs = s_segments(AsnSettings(), cartons=cartons, pallets=0, weight=weight, weight_unit="LB",
                          carrier_scac="", service_level="", transport_method="", bill_of_lading="",
                          tracking_number="", extra_refs=(), ship_date=date(2026, 12, 1), ship_time=None,
                          estimated_delivery=None)
        return [s for s in segs if s[0] == "TD1"]

    assert td1s(0, Decimal("120")) == [["TD1", "", "", "", "", "", "G", "120", "LB"]]
    assert td1s(3, Decimal("120")) == [["TD1", "CTN25", "3", "", "", "", "G", "120", "LB"]]
    assert td1s(0, None) == []
    for seg in td1s(0, Decimal("120")) + td1s(3, Decimal("120")):
        assert not seg[1] or seg[2], seg  # C0102: TD101 only with TD102
