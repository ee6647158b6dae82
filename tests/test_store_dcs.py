"""A store-level partner's stores shipped through their DCs (ship_tos.csv dc). Nordstrom Rack sends one PO whose
lines are pre-distributed by SDQ to several locations, each shipped through its own DC (nordstromsupplier.com: 0881
-> N1*BY 0881 / N1*ST 0562, 0873 -> N1*BY 0873 / N1*ST 0879; an ASN without the right DC in N104 at the shipment
level is refused). Each shipment's 856 names as N1*ST the DC its stores go through (its address from the DC's own
row) and the stores as its marks-for; its 810 names the same DC; the 855 answers the PO's own ship-to as before. A
shipment mixing stores of two DCs is one 856 per DC (a multi-stop load: one truck, two docks), held for a partner
taking no split load; a store without a DC goes to the PO's ship-to, as it always did. Fixtures: tests/fixtures/rg28
(nrhl: the PO and the east DC's confirmation)."""

from __future__ import annotations

import random
import shutil
from datetime import datetime

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from engine.shipments import assemble_shipments, shipment_columns, store_dcs
from schemas.errors import ConfigError
from schemas.shipments import Party
from tests.retailer_support import of_its_own, po_segments, segments, shipped_night
from tests.support import REPO
from tests.test_shipment_columns import SHIP_FROM, canonical, random_lines

FIXTURES = REPO / "tests" / "fixtures" / "rg28"
NIGHT = datetime(2026, 12, 2, 2)
SHIP_DAY = datetime(2026, 12, 8, 15)
HEADER = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
          "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID,Mark For Store,Serial Numbers\n")
ITEM = "R8812046,1,NR-SWTR-CRW-GRY-S"
# one shipment for both locations of the PO: 0881 (DC 0562) and 0873 (DC 0879)
BOTH_ON_ONE = (f"NR-SHP-04,2026-12-08,09:30,FXFE,,,BOL-NR-8812046C,{ITEM},24,EA,NR-C21,21,LB,,0881,\n"
               f"NR-SHP-04,2026-12-08,09:30,FXFE,,,BOL-NR-8812046C,{ITEM},36,EA,NR-C22,30,LB,,0873,\n")


def nrhl_night(tmp_path, *, confirmation: str | None = None, ship_tos=None, multi_stop: str | None = None):
    """The NRHL PO (R8812046: 24 for 0881, 36 for 0873) taken, answered, shipped as ``confirmation`` says (None:
    the rg28 fixture's two shipments, one per location) and invoiced; ``ship_tos``: ship_tos.csv's text -> the
    text the workspace keeps (None: as the fixture has it); ``multi_stop``: Nordstrom Rack's fulfilment.multi_stop
    (None: the default, "split")."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {})
    if multi_stop is not None:
        profile = ws.partners_dir / "nordrack.toml"
        text = profile.read_text(encoding="utf-8")
        assert text.count("[fulfilment.sscc]\n") == 1
        profile.write_text(text.replace("[fulfilment.sscc]\n", f'[fulfilment]\nmulti_stop = "{multi_stop}"\n\n'
                                        "[fulfilment.sscc]\n"), encoding="utf-8")
    for f in (FIXTURES / "nrhl" / "drops" / "nordrack").iterdir():
        shutil.copy2(f, ws.drop_root / "nordrack" / "inbox" / f.name)
    if ship_tos is not None:
        rows = ws.reference_dir / "ship_tos.csv"
        rows.write_text(ship_tos(rows.read_text(encoding="utf-8")), encoding="utf-8")
    shipments = FIXTURES / "nrhl"
    if confirmation is not None:
        shipments = tmp_path / "confirmed"
        (shipments / "shipments").mkdir(parents=True)
        (shipments / "shipments" / "east-shipments-20261208.csv").write_text(HEADER + confirmation, encoding="utf-8")
    return shipped_night(ws, shipments, NIGHT, SHIP_DAY, messages=True)


def without_0873_dc(text: str) -> str:
    return text.replace("NORDSTROM RACK 0873,,,,,,0879", "NORDSTROM RACK 0873,,,,,,")


def ship_to(segs) -> list[list[str]]:
    """The N1*ST loop (N1, N3, N4) of a set's segments."""
    at = next(k for k, s in enumerate(segs) if s[:2] == ["N1", "ST"])
    return segs[at:at + 3]


DC_0562 = [["N1", "ST", "NORDSTROM RACK ECOM DC", "92", "0562"], ["N3", "3300 S 192ND ST"],
           ["N4", "KENT", "WA", "98032", "US"]]
DC_0879 = [["N1", "ST", "NORDSTROM RACK ECOM DC 0879", "92", "0879"], ["N3", "1700 7TH AVE"],
           ["N4", "Seattle", "WA", "98101", "US"]]


def test_each_location_ships_and_is_invoiced_to_its_own_dc_and_the_855_is_unchanged(tmp_path):
    ws, found, states = nrhl_night(tmp_path / "dcs")
    assert not [f for f in found if f[1] == "error"] and states == {("nordrack", "R8812046"): "invoiced"}
    asns, invoices = segments(ws, "nordrack", "856"), segments(ws, "nordrack", "810")
    # the PO's own ship-to for 0881 (its DC, 0562, is the PO's N1*ST, as sent); 0879's own row for 0873
    first, second = po_segments(asns, "NR-SHP-02", "BSN"), po_segments(asns, "NR-SHP-03", "BSN")
    assert ship_to(first) == DC_0562 and ["N1", "BY", "", "92", "0881"] in first
    assert ship_to(second) == DC_0879 and ["N1", "BY", "", "92", "0873"] in second
    assert [sum(s[:2] == ["N1", "ST"] for s in segs) for segs in (first, second)] == [1, 1]
    billed = {next(s[2] for s in segs if s[:2] == ["REF", "SI"]): ship_to(segs)
              for segs in (invoices[k:] for k, s in enumerate(invoices) if s[0] == "BIG")}
    assert billed == {"NR-SHP-02": DC_0562, "NR-SHP-03": DC_0879}
    # the 855 answers the PO as sent: the same bytes with no DC on file for any store
    plain, _found, _states = nrhl_night(tmp_path / "plain", ship_tos=without_0873_dc)
    assert segments(ws, "nordrack", "855") == segments(plain, "nordrack", "855")
    assert not any("0879" in s for s in segments(ws, "nordrack", "855"))


def test_a_shipment_of_stores_of_two_dcs_ships_one_856_per_dc(tmp_path):
    """One truck for both locations' cartons: a multi-stop load, split into one shipment per DC (fulfilment.
    multi_stop "split", the default): NR-SHP-04-ST1 to 0881's DC (the PO's own ship-to, 0562: the first row's place)
    with its store, NR-SHP-04-ST2 to 0873's DC 0879 with its; each invoiced to its DC as the fixture's two shipments
    are. It used to be held (no 856, no 810) though the goods had left."""
    ws, found, states = nrhl_night(tmp_path, confirmation=BOTH_ON_ONE)
    assert not [f for f in found if f[1] == "error"] and states == {("nordrack", "R8812046"): "invoiced"}
    asns = segments(ws, "nordrack", "856")
    first, second = po_segments(asns, "NR-SHP-04-ST1", "BSN"), po_segments(asns, "NR-SHP-04-ST2", "BSN")
    assert ship_to(first) == DC_0562 and [s[4] for s in first if s[:2] == ["N1", "BY"]] == ["0881"]
    assert ship_to(second) == DC_0879 and [s[4] for s in second if s[:2] == ["N1", "BY"]] == ["0873"]
    assert [s[2] for s in first if s[0] == "SN1"] == ["24"] and [s[2] for s in second if s[0] == "SN1"] == ["36"]
    assert ["REF", "BM", "BOL-NR-8812046C"] in first and ["REF", "BM", "BOL-NR-8812046C"] in second
    invoices = segments(ws, "nordrack", "810")
    billed = {next(s[2] for s in segs if s[:2] == ["REF", "SI"]): ship_to(segs)
              for segs in (invoices[k:] for k, s in enumerate(invoices) if s[0] == "BIG")}
    assert billed == {"NR-SHP-04-ST1": DC_0562, "NR-SHP-04-ST2": DC_0879}


def test_a_shipment_of_stores_of_two_dcs_is_held_with_a_finding_for_a_partner_taking_no_split_load(tmp_path):
    ws, found, states = nrhl_night(tmp_path, confirmation=BOTH_ON_ONE, multi_stop="hold")
    mixed = [f for f in found if f[0] == "SHIPMENT_SHIP_TOS_MIXED"]
    assert [f[1:3] for f in mixed] == [("error", "R8812046")]
    assert "Shipment NR-SHP-04 holds lines for 2 ship-tos" in mixed[0][3]
    assert "0879: R8812046 line 1 store 0873" in mixed[0][3] and "the order ship-to: R8812046 line 1 store 0881" \
        in mixed[0][3]
    assert segments(ws, "nordrack", "856") == [] and segments(ws, "nordrack", "810") == []
    assert states == {("nordrack", "R8812046"): "acknowledged"}


def test_a_store_without_a_dc_ships_to_the_po_s_ship_to_as_before(tmp_path):
    ws, found, _states = nrhl_night(tmp_path / "two", ship_tos=without_0873_dc)
    assert not [f for f in found if f[1] == "error"]
    asns = segments(ws, "nordrack", "856")
    second = po_segments(asns, "NR-SHP-03", "BSN")
    assert ship_to(second) == DC_0562 and ["N1", "BY", "", "92", "0873"] in second
    invoices = segments(ws, "nordrack", "810")
    assert [ship_to(invoices[k:]) for k, s in enumerate(invoices) if s[0] == "BIG"] == [DC_0562, DC_0562]
    # 0881's DC is the PO's ship-to and 0873 has none: one place, one shipment, not held
    ws, found, _states = nrhl_night(tmp_path / "one", confirmation=BOTH_ON_ONE, ship_tos=without_0873_dc)
    assert not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "nordrack", "856"), "NR-SHP-04", "BSN")
    assert ship_to(asn) == DC_0562 and [s[4] for s in asn if s[:2] == ["N1", "BY"]] == ["0881", "0873"]


def test_the_reference_column_names_another_location_of_the_partner(tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(FIXTURES / "reference", folder)
    ref = load_reference(folder)
    assert store_dcs(ref.ship_tos)[("nordrack", "0873")] == Party(
        "ST", "NORDSTROM RACK ECOM DC 0879", "92", "0879", "1700 7TH AVE", "", "Seattle", "WA", "98101", "US")
    assert set(store_dcs(ref.ship_tos)) == {("nordrack", "0881"), ("nordrack", "0873")}
    assert store_dcs(ref.ship_tos, {"bootbarn"}) == {}
    rows = folder / "ship_tos.csv"
    text = rows.read_text(encoding="utf-8")
    rows.write_text(text.replace(",,0879", ",,0999"), encoding="utf-8")
    with pytest.raises(ConfigError, match="dc '0999' is not another location_id of partner 'nordrack'"):
        load_reference(folder)
    rows.write_text(text.replace(",,0879", ",,0873"), encoding="utf-8")  # itself
    with pytest.raises(ConfigError, match="dc '0873'"):
        load_reference(folder)
    # a ship_tos.csv written before the column: every location shipped to as named
    rows.write_text("\n".join(line.rsplit(",", 1)[0] for line in text.splitlines()
                              if ",0881," not in line and ",0873," not in line) + "\n", encoding="utf-8")
    ref = load_reference(folder)
    assert ref.ship_tos["dc"].null_count == ref.ship_tos.num_rows and store_dcs(ref.ship_tos) == {}


@pytest.mark.parametrize("store, dc", [("S1", Party("ST", "DC NINE", "92", "DC9", city="Kent")), ("S2", None)],
                         ids=["dc", "none"])
def test_both_builders_name_the_dc_the_shipment_s_store_goes_through(store, dc):
    """shipment_columns (the ship run's columnar path) and assemble_shipments (the objects) alike: a shipment of
    PO-1's cartons marked for store S1 goes to DC9 (S1's DC); for S2 (no DC), to PO-1's own ship-to (DC0)."""
    orders, lines_of = canonical(["PO-1"])
    lines = random_lines(random.Random(11))
    n = lines.num_rows
    for name, values in (("po_number", ["PO-1"] * n), ("carton_id", [f"C{k % 3}" for k in range(n)]),
                         ("mark_for_store", [store] * n), ("mark_for_id_qualifier", ["92"] * n)):
        lines = lines.set_column(lines.schema.get_field_index(name), name, pa.array(values, pa.string()))
    dcs = {("acme", "S1"): Party("ST", "DC NINE", "92", "DC9", city="Kent")}
    summaries, _flat = shipment_columns(lines, orders, lines_of, pallets=False, dcs=dcs)
    shipments = assemble_shipments(lines, orders, lines_of, ship_from=SHIP_FROM, dcs=dcs)
    expected = dc or Party("ST", "DC 0", "92", "DC0", city="Columbus")
    assert [s.ship_to for s in summaries] == [s.ship_to for s in shipments] == [expected] * len(shipments)
    assert {o.mark_for for s in shipments for o in s.orders} == {Party("BY", "", "92", store)}
