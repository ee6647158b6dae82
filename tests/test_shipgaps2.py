"""Gaps in how warehouse shipment confirmations become 856s and 810s that the shipgaps round and the rg82 sweep left
(tests/fixtures/rg82/ for the buyers, sites and 850s; tests/fixtures/shipgaps2/ for the exports changed here):

1. a ship time written with a time zone abbreviation from outside the US (CET, BST, AEDT, NZDT, JST ...) gave no
   DTM04 and was taken as the warehouse clock's (hours off); IST (India, Ireland, Israel) and CST (US Central, China)
   are read by the warehouse's clock, else a warning names them;
2. kits confirmed by their components (shipgaps' kits.csv): a kit packed over several packages left every package
   but the first off the 856 (its SSCC, weight and tracking number: a carton the buyer's dock cannot match); two
   kits of one PO sharing a component held the shipment (the shared component's units were counted for neither);
3. a cumulative export (a saved search of the last days) repeating a kit shipment confirmed by its components was
   compared, as components, with the kit recorded: held as SHIPMENT_ID_DUPLICATE, the file quarantined, each day;
   a kit ordered in sets (ST, KT) took a component row's EA (a package of it shipping 0 EA held as a unit mismatch).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from parsers.csv_common import written_zone
from tests.retailer_support import po_segments, segments
from tests.test_rg82_wms_confirmations import FIXTURES as RG82
from tests.test_rg82_wms_confirmations import night_of, variant
from tests.test_shipgaps import HERE as SHIPGAPS
from tests.test_shipgaps import _recorded

HERE = Path(__file__).parent / "fixtures" / "shipgaps2"

# ShipStation's (rg82) shipment 100482236 left the Reno dock at 11:41:26 PST, 19:41:26 UTC, 14:41:26 on our clock
SHIPPED = "12/4/2026 11:41:26 AM"


# 1. time zone abbreviations from outside the US

@pytest.mark.parametrize(("cell", "clock", "read"), [
    ("2026-12-04 20:41:26 CET", "", ("01", None, None)),  # strftime %Z, PostgreSQL's timestamptz as text
    ("2026-12-04 20:41:26 +0100 CET", "", ("01", None, None)),  # Go's time.String(): the offset says it
    ("04/07/2026 20:41 CEST", "", ("02", None, None)),
    ("04/07/2026 20:41 BST", "", ("01", None, None)),  # British Summer Time (tzdata's BST)
    ("04/12/2026 19:41 WET", "", ("UT", None, None)),
    ("2026-12-05T06:41:26 AEDT", "", ("11", None, None)),
    ("2026-07-05 05:41 AEST", "", ("10", None, None)),
    ("2026-12-05 06:11 ACDT", "", ("29", None, None)),  # +10:30: 623's half hour
    ("2026-12-05 04:41:26 JST", "", ("09", None, None)),
    ("2026-07-05 07:41 NZST", "", ("12", None, None)),
    ("05/12/2026 8:41 am NZDT", "", (None, 780, None)),  # +13:00: no 623 code, converted to UTC
    ("2026-12-05 01:11:26 IST", "Asia/Kolkata", ("27", None, None)),  # India's +05:30
    ("2026-07-04 20:41 IST", "Europe/Dublin", ("01", None, None)),  # Irish Standard Time, summer
    ("2026-12-04 21:41 IST", "Asia/Jerusalem", ("02", None, None)),
    ("2026-12-04 21:41 IST", "", (None, None, "IST")),  # whose? no clock says
    ("2026-12-04 21:41 IST", "America/Los_Angeles", (None, None, "IST")),
    ("2026-12-05 03:41:26 CST", "Asia/Shanghai", ("08", None, None)),  # China Standard Time
    ("2026-12-04 13:41:26 CST", "", ("CS", None, None)),  # US Central, as always
    ("2026-12-04 13:41:26 CST", "America/Los_Angeles", ("CS", None, None)),
    ("2026-12-04 13:41:26 CST", "America/Chicago", ("CS", None, None)),
    ("2026-12-04 13:41:26 CST", "Europe/Berlin", (None, None, "CST")),
    ("2026-12-04 22:41 AST", "Asia/Riyadh", ("03", None, None)),  # Arabia (tzdata writes +03)
    ("2026-12-04 15:41 AST", "America/Puerto_Rico", ("21", None, None)),  # Atlantic, UTC-4
    ("2026-12-04 15:41 AST", "", (None, None, "AST")),
])
def test_a_zone_abbreviation_is_read_as_its_623_code_or_its_offset(cell, clock, read):
    assert written_zone(cell, clock) == read


def _shipstation(tmp_path, when: str, *, clock: str = ""):
    """rg82's ShipStation night, shipment 100482236's ship date cell ``when`` (its voided label's as it was), the
    warehouse's clock ``clock`` when given (the Reno dock's America/Los_Angeles else)."""
    swaps = [(f"{SHIPPED},UPS,UPS® Ground,Package,1Z82RG820300000020", f"{when},UPS,UPS® Ground,Package,"
              "1Z82RG820300000020")]
    profile = [('time_zone = "America/Los_Angeles"', f'time_zone = "{clock}"')] if clock else []
    return variant(tmp_path, "shipstation", swaps, profile_swaps=profile)


@pytest.mark.parametrize(("when", "clock", "dtm"), [
    ("12/4/2026 8:41:26 PM CET", "", ["20261204", "2041", "01"]),
    ("12/4/2026 7:41:26 PM WET", "", ["20261204", "1941", "UT"]),
    ("12/5/2026 6:41:26 AM AEDT", "", ["20261205", "0641", "11"]),
    ("12/5/2026 4:41:26 AM JST", "", ["20261205", "0441", "09"]),
    ("12/5/2026 8:41:26 AM NZDT", "", ["20261204", "1941", "UT"]),  # +13: no code, the time converted to UTC
    ("12/5/2026 1:11:26 AM IST", "Asia/Kolkata", ["20261205", "0111", "27"]),
    ("12/5/2026 3:41:26 AM CST", "Asia/Shanghai", ["20261205", "0341", "08"]),
])
def test_a_ship_time_in_a_zone_abroad_goes_out_with_its_dtm04_and_departs_when_it_did(tmp_path, when, clock, dtm):
    """The same instant (19:41:26 UTC) written on a European, Australian, Japanese, New Zealand, Indian or Chinese
    clock: the 856 says the time with its zone, and the record departs 14:41:26 on our New York clock. Each used to
    go out without DTM04 and depart as if on the Reno dock's clock (hours, and for Asia and Oceania a day, off)."""
    ws, found, _states, results = _shipstation(tmp_path, when, clock=clock)
    assert (results["shipstation"].shipments, results["shipstation"].held) == (1, 0)
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert ["DTM", "011", *dtm] in asn
    assert _recorded(ws, "shipstation")["100482236"].departed_at == "2026-12-04T14:41:26"
    assert not {"SHIPMENT_TIME_ZONE_AMBIGUOUS", "SHIPMENT_TIME_ZONE_UNRESOLVED"} & {f[0] for f in found}


def test_an_ist_time_the_warehouse_s_clock_does_not_settle_is_its_clock_s_with_a_warning(tmp_path):
    """IST on the Reno dock's export: India's, Ireland's or Israel's? The clock (America/Los_Angeles) keeps none of
    them; the time is taken as the clock's (as it always was) and ops is told which zones it could be."""
    ws, found, _states, results = _shipstation(tmp_path, "12/4/2026 11:41:26 AM IST")
    assert (results["shipstation"].shipments, results["shipstation"].held) == (1, 0)
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert ["DTM", "011", "20261204", "1141", "PT"] in asn
    warned = [f for f in found if f[0] == "SHIPMENT_TIME_ZONE_AMBIGUOUS"]
    assert [(f[1], f[4]) for f in warned] == [(
        "warning", "The ship time '12/4/2026 11:41:26 AM IST' is in IST, which is India's (+05:30), Ireland's "
        "(+01:00) or Israel's (+02:00) time; the warehouse's clock (America/Los_Angeles) keeps none of them: the "
        "time is taken as the warehouse clock's, without a zone (as is every IST time of the file). Set the "
        "warehouse's time_zone, or ask it to export the time with its UTC offset.")]


# 2. kits confirmed by their components, over packages

def _kit_night(tmp_path, export: str, *, kits: Path = SHIPGAPS / "kits.csv", kohls=(), swaps=(), po=()):
    """rg82's NetSuite night (Kohl's PO KO8200301: 10 throws, 5 cookware sets RG82-10) with its fulfillment replaced by
    tests/fixtures/shipgaps2/``export`` (a Package column: the package each item went in, its tracking number and
    weight), ``kits`` as reference kits.csv, Kohl's 856 in packs (S-O-P-I) and each (old, new) of ``kohls`` made in
    its profile, each of ``swaps`` in the export and of ``po`` in the PO's 850."""
    copy = tmp_path / "rg82"
    shutil.copytree(RG82, copy)
    shutil.copy2(kits, copy / "reference" / "kits.csv")
    with (copy / "reference" / "item_units.csv").open("a", encoding="utf-8") as units:  # a set, a kit: one each
        units.write("RG82-10,ST,1\nRG82-10,KT,1\n")
    [path] = (copy / "shipments" / "netsuite").iterdir()
    text = (HERE / export).read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    packages = ('quantity = "Quantity"\n', 'quantity = "Quantity"\ncarton_id = "Package"\n')
    for target, changes in ((copy / "warehouses" / "netsuite.toml", [packages]),
                            (copy / "partners" / "kohls.toml", [('structure = "SOI"', 'structure = "SOPI"'),
                                                                *kohls]),
                            (copy / "drops" / "kohls" / "kohls-850-KO8200301.x12", po)):
        text = target.read_text(encoding="utf-8")
        for old, new in changes:
            assert old in text, old
            text = text.replace(old, new, 1)
        target.write_text(text, encoding="utf-8")
    return night_of(copy, tmp_path / "ws", ("netsuite",))


def test_a_kit_packed_in_two_packages_states_both_packages(tmp_path):
    """5 cookware sets shipped as their components, the pots in one package and the lids in another (a WMS packing
    what it picked): the 856 stated the kit in the pots' package and left the lids' package out (its SSCC, tracking
    number and 5.5 LB: the buyer's dock receives a carton no 856 names). Now both packages are packs: the kit counted
    once, in the first, and the second a pack of the kit shipping 0 (as a multi-box unit's further box)."""
    ws, found, states, results = _kit_night(tmp_path, "ItemFulfillment_kit_in_two_packages.csv")
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0), found
    assert not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    td1 = next(s for s in asn if s[0] == "TD1")
    assert td1[2] == "3" and td1[7] == "38.6"
    packs = [s for s in asn if s[0] == "HL" and s[3] == "P"]
    ssccs = [s[2] for s in asn if s[0] == "MAN"]
    assert len(packs) == 3 and len(set(ssccs)) == 3
    assert [s[2] for s in asn if s[0] == "REF" and s[1] == "CN"][-3:] == ["794661201123", "794661201134",
                                                                          "794661201145"]
    assert [s[2] for s in asn if s[0] == "SN1"] == ["10", "5", "0"]
    assert "RG82-10-POT" not in str(asn) and "RG82-10-LID" not in str(asn)
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "10"], ["2", "5"]]
    assert states[("kohls", "KO8200301")] == "invoiced"


def test_kits_packed_whole_in_two_packages_are_each_package_s_kits(tmp_path):
    """3 sets in one package, 2 in another, each packed whole: the 856 said 5 sets in the first package and nothing
    of the second (two cartons for 3 labels' worth of 856). Now each package states its own kits."""
    ws, found, states, results = _kit_night(tmp_path, "ItemFulfillment_kits_by_package.csv")
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0), found
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    assert next(s for s in asn if s[0] == "TD1")[2] == "3"
    assert len({s[2] for s in asn if s[0] == "MAN"}) == 3
    assert [(s[2], s[5]) for s in asn if s[0] == "SN1"] == [("10", "10"), ("3", "5"), ("2", "5")]
    assert ["CTT", "8", "15"] in asn
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "10"], ["2", "5"]]
    assert states[("kohls", "KO8200301")] == "invoiced"


def test_a_kit_whose_second_package_is_missing_from_the_confirmation_is_held_not_shipped_complete(tmp_path):
    """The lids' package left out of the export (a package row lost in a saved search): 5 pots and no lids make no
    whole kit. Held, naming what each component shipped; nothing sent, the order still acknowledged."""
    text = (HERE / "ItemFulfillment_kit_in_two_packages.csv").read_text(encoding="utf-8")
    missing = tmp_path / "fx"
    missing.mkdir()
    (missing / "ItemFulfillment_kit_in_two_packages.csv").write_text(
        "".join(r for r in text.splitlines(keepends=True) if ",PKG-3" not in r), encoding="utf-8")
    ws, found, states, results = _kit_night(tmp_path, str(missing / "ItemFulfillment_kit_in_two_packages.csv"))
    assert [(f[0], f[4]) for f in found if f[1] == "error"] == [
        ("SHIPMENT_KIT_INCOMPLETE", "Shipment IF-00482 ships the components of kit RG82-10 (PO KO8200301) that make "
         "no whole number of kits: 5 of RG82-10-POT (a kit takes 1), 0 of RG82-10-LID (a kit takes 2).")]
    assert (results["netsuite"].shipments, results["netsuite"].held) == (0, 1)
    assert states[("kohls", "KO8200301")] == "acknowledged"


def test_two_kits_of_one_po_sharing_a_component_are_each_counted_the_shared_one_once(tmp_path):
    """The throw gift set (RG82-09: a throw and a gift box) and the cookware set (RG82-10: a pot, two lids, a gift
    box), both on Kohl's PO, confirmed by their components: 15 gift boxes are 10 for the throws' sets and 5 for the
    pots'. It was held (the gift box, in two kits, was read as neither's: SHIPMENT_KIT_INCOMPLETE for both)."""
    ws, found, states, results = _kit_night(tmp_path, "ItemFulfillment_shared_component.csv", kits=HERE / "kits.csv")
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0), found
    assert not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    assert [(s[2], s[5]) for s in asn if s[0] == "SN1"] == [("10", "10"), ("5", "5")]
    assert [s[5] for s in asn if s[0] == "LIN"] == ["RG82-09", "RG82-10"]
    assert "GIFTBOX" not in str(asn)
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "10"], ["2", "5"]]
    assert states[("kohls", "KO8200301")] == "invoiced"


def test_a_shared_component_short_of_what_both_kits_take_holds_the_shipment_naming_both(tmp_path):
    """14 gift boxes for 10 throw sets and 5 cookware sets (15): counting the box for each kit alone would have made
    both whole; counted once, one set is short. Held."""
    ws, found, states, results = _kit_night(tmp_path, "ItemFulfillment_shared_component.csv", kits=HERE / "kits.csv",
                                            swaps=[("RG82-GIFTBOX,5,", "RG82-GIFTBOX,4,")])
    assert [(f[0], f[4]) for f in found if f[1] == "error"] == [
        ("SHIPMENT_KIT_INCOMPLETE", "Shipment IF-00482 ships the components of kits RG82-09, RG82-10 (PO KO8200301) "
         "that make no whole number of each: 10 of RG82-09-THROW (RG82-09 takes 1), 14 of RG82-GIFTBOX (RG82-09 "
         "takes 1, RG82-10 takes 1), 5 of RG82-10-POT (RG82-10 takes 1), 10 of RG82-10-LID (RG82-10 takes 2).")]
    assert (results["netsuite"].shipments, results["netsuite"].held) == (0, 1)
    assert states[("kohls", "KO8200301")] == "acknowledged"


@pytest.mark.parametrize("unit", ["ST", "KT"])
def test_a_kit_ordered_in_sets_or_kits_ships_in_the_line_s_unit(tmp_path, unit):
    """Kohl's orders the cookware set as 5 ST (sets; KT kits: X12 355's units for a set sold as one). The components
    are confirmed in eaches (5 pots, 10 lids Each), and the kit made of them took the pot row's EA: shipped in EA for
    a line in ST, SHIPMENT_UNIT_MISMATCH, held. The kits counted are the line's units: SN1 5 ST, IT1 5 ST."""
    ws, found, states, results = _kit_night(tmp_path, "ItemFulfillment_kit_in_two_packages.csv",
                                            po=[("PO1*2*5*EA*80", f"PO1*2*5*{unit}*80")])
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0), found
    assert not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    assert [s[2:4] for s in asn if s[0] == "SN1"] == [["10", "EA"], ["5", unit], ["0", unit]]
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "10", "EA"], ["2", "5", unit]]
    assert states[("kohls", "KO8200301")] == "invoiced"


@pytest.mark.parametrize(("packages", "rows"), [
    # whole kits in each package: each its own
    ({"A": (3, 6), "B": (2, 4)}, [("A", 3, None), ("B", 2, None)]),
    # pots in one, lids in the other: the kits in the first, the second a further box of the kit
    ({"A": (5, 0), "B": (0, 10)}, [("A", 5, None), ("B", 0, 2)]),
    # 2 whole kits in each and the fifth spread over both: counted in A; B states its own 2, no further box
    ({"A": (3, 4), "B": (2, 6)}, [("A", 3, None), ("B", 2, None)]),
    # pots in A, lids over B and C: B and C further boxes 2 and 3
    ({"A": (5, 0), "B": (0, 6), "C": (0, 4)}, [("A", 5, None), ("B", 0, 2), ("C", 0, 3)]),
])
def test_kits_are_placed_in_the_packages_their_components_went_in(packages, rows):
    """kits_shipped alone: 5 cookware sets (a pot, two lids) over packages: (package, kits, further box) per kit row,
    the row's unit the line's (empty); every package stays."""
    from decimal import Decimal

    import pyarrow as pa

    from engine.lifecycle.kits import kits_shipped
    from engine.lifecycle.shipping import Confirmations
    from schemas.shipments import SHIPMENT_LINES

    made = [{"shipment_id": "S1", "po_number": "P1", "sku": sku, "quantity": Decimal(n), "unit": "EA",
             "carton_id": package, "row_number": 2 + k}
            for k, (package, sku, n) in enumerate((p, sku, n) for p, (pots, lids) in packages.items()
                                                  for sku, n in (("RG82-10-POT", pots), ("RG82-10-LID", lids)) if n)]
    kits = pa.table({"kit_sku": ["RG82-10", "RG82-10"], "component_sku": ["RG82-10-POT", "RG82-10-LID"],
                     "quantity": pa.array([1, 2], pa.int32())})
    state = pa.table({"po_number": ["P1"], "sku": ["RG82-10"]})
    read = kits_shipped(Confirmations(pa.Table.from_pylist(made, schema=SHIPMENT_LINES)), kits, state)
    assert not read.findings
    got = read.lines.select(["carton_id", "sku", "quantity", "unit", "box_number", "box_count"]).to_pylist()
    assert [(r["carton_id"], r["quantity"], r["box_number"]) for r in got] == [
        (p, Decimal(n), box) for p, n, box in rows]
    assert {r["sku"] for r in got} == {"RG82-10"} and {r["unit"] for r in got} == {None}
    assert [r["box_count"] for r in got] == [None if box is None else 0 for _p, _n, box in rows]


# 3. a kit shipment repeated by a cumulative export

def test_a_cumulative_export_repeating_a_kit_shipment_passes_it_over(tmp_path):
    """NetSuite's saved search of the last days, taken on the 5th, lists the 4th's fulfillment again (the kit as its
    components, in its two packages). The repeat was compared as components (5 pots, 10 lids) with the kit recorded
    (5 sets): SHIPMENT_ID_DUPLICATE and SHIPMENT_OVER_RESERVED, the file quarantined, every day of the search's
    window. Now the components are read as the kit before the comparison: passed over with SHIPMENT_REPEATED."""
    from tests.retailer_support import findings_and_states
    from tests.support import deliver_all, ship_stages

    ws, found, _states, results = _kit_night(tmp_path, "ItemFulfillment_kit_in_two_packages.csv")
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0), found
    outbox = sorted(p.name for p in (ws.drop_root / "kohls" / "outbox").iterdir())
    inbox = ws.warehouse_drop_root / "netsuite" / "inbox"
    text = (HERE / "ItemFulfillment_kit_in_two_packages.csv").read_text(encoding="utf-8")
    (inbox / "ItemFulfillmentSearchResults874.csv").write_text(text.replace("Total,,,,,,25", "Total,,,,,,25 "),
                                                               encoding="utf-8")
    later = datetime(2026, 12, 5, 15)
    [result] = [r for r in ship_stages(ws, later, run_id="day2")[:-1] if r.warehouse == "netsuite"]
    deliver_all(ws, later)
    found, _states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    assert (result.processed, result.quarantined, result.shipments, result.held, result.errors) == (1, 0, 0, 0, 0)
    assert [f for f in found if f[0] == "SHIPMENT_REPEATED"] == [
        ("SHIPMENT_REPEATED", "warning", "Shipment IF-00482 repeats the one recorded on 2026-12-04 from "
         "ItemFulfillmentSearchResults873.csv (the same POs, cartons and quantities): not recorded or sent again.")]
    assert sorted(p.name for p in (ws.drop_root / "kohls" / "outbox").iterdir()) == outbox
