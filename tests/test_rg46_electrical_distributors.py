"""Electrical distributors, as their trade practice and public EDI material describe them: tests/fixtures/rg46/ holds
each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what shipped
(the rg2 DC). Consolidated Electrical Distributors (a branch's order for a contractor's job picked up at its
will-call counter, TD5 H; REF*JB the job with its name; DTM 002 and 010; PO1 CB/VP/MG: wire by the foot priced per
thousand feet, TF; wire in hundreds of feet, HL, priced per thousand feet; connectors priced per hundred, HP, for
another phase of the job, the line's own REF*JB); Rexel USA (005010 release from its DUNS, BEG02 RL and BEG04;
REF*PJ; N9/MTX delivery notes; the job site with N2, N3 and PER DC; cable by the thousand feet, TL, priced TF;
conduit by the foot priced per hundred feet, HF; boxes of lugs); Crescent Electric Supply (REF*PJ and CO; a freight
charge paid by the customer, SAC*C D240 SAC12 06; 1 % 10 net 30; cable on 500-foot reels, RE, priced per reel; wire
by the foot priced per foot, PF).
One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and
pyx12. Defects found and fixed: wire ordered in hundreds of feet (HL) priced per thousand feet (TF), and cable in
thousands of feet (TL) priced per hundred feet (HF), held their orders (PRICE_BASIS_UNSUPPORTED). The hold of wire
priced per thousand feet to more places per foot than we carry (287.45 TF) named it "a price per 1000 feet, the line
being in FT"; it now says why. Cable on reels (RE) priced per thousand feet was held: it is now priced per reel
through the item's units (item_units: 500 FT a reel). Wire priced per thousand feet to the cent (287.45 TF: 0.28745 per
foot, more places than our prices carry) was held: it is now taken as sent, answered and billed 287.45 TF, its amount
2,500 x 287.45 / 1,000 to the cent, compared with our price per foot."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
    stored_value,
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg46"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"ced": {"CED0544-118273": 3}, "rexel": {"RX7734412": 3}, "crescent": {"CR41-220871": 3}}
# Rexel's delivery notes (N9/MTX): no document of ours carries them; Crescent's freight charge (inspect knows no
# profile)
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
# confirmations hours after the trucks left; prices per hundred / thousand restated per unit; Rexel's release 0003 of
# RX7734412 names a blanket it never sent us (tests/test_rg89d.py)
NIGHT_NOTED = NOTED | {"ASN_LATE", "PRICE_BASIS_CONVERTED", "RELEASE_BLANKET_UNKNOWN"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg46") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # CED: the job (REF*JB) on every answer; the wire priced per thousand feet answered and billed per foot, the
    # connectors priced per hundred per each; the will-call order picked up by the customer (856 TD5 H, no carrier)
    ack = po_segments(segments(ws, "ced", "855"), "CED0544-118273", "BAK")
    assert ["REF", "JB", "24-3381"] in ack and ["DTM", "068", "20261201"] in ack
    assert ["PO1", "1", "2500", "FT", "0.2855", "PE", "CB", "THHN12SOLBLK", "VP", "RG46-01", "MG",
            "12SOLBLK-2500"] in ack
    assert ["PO1", "3", "400", "EA", "0.197", "PE", "CB", "WIRENUT-YEL", "VP", "RG46-03"] in ack
    asn = po_segments(segments(ws, "ced", "856"), "CE-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "TD5"] == [["TD5", "B", "", "", "H"]]
    # the connectors' own job phase (the line's REF*JB) after their PO1, LIN and IT1
    assert ack[ack.index(["ACK", "IA", "400", "EA", "068", "20261201"]) - 1] == ["REF", "JB", "24-3381-B"]
    assert asn[asn.index(["LIN", "3", "CB", "WIRENUT-YEL", "VP", "RG46-03"]) + 3] == ["REF", "JB", "24-3381-B"]
    inv = po_segments(segments(ws, "ced", "810"), "CED0544-118273", "BIG")
    assert ["REF", "JB", "24-3381"] in inv and ["TDS", "182255"] in inv  # 713.75 + 1030 + 78.80
    assert ["REF", "JB", "24-3381-B"] in inv
    # Rexel: its DUNS (01) answered as sent, in 005010; the release number (BEG04) on the 855 and 810; the project
    # (REF*PJ); cable by the thousand feet at its price per thousand, conduit per foot, lugs by the box
    assert segments(ws, "rexel", "997")[0][7:9] == ["01", "008041112      "]
    ack = po_segments(segments(ws, "rexel", "855"), "RX7734412", "BAK")
    assert ack[0][5] == "0003" and ["REF", "PJ", "P-88120"] in ack
    assert ["PO1", "1", "2", "TL", "380", "PE", "CB", "MC122-1000", "VP", "RG46-04", "MG", "MC12-2-ALUM"] in ack
    inv = po_segments(segments(ws, "rexel", "810"), "RX7734412", "BIG")
    assert inv[0][5] == "0003" and ["TDS", "149560"] in inv  # 760 + 624 + 111.60
    assert ["IT1", "2", "1000", "FT", "0.624", "PE", "CB", "EMT34", "VP", "RG46-05", "MG", "EMT-075"] in inv
    # Crescent: its reels (RE, 500 FT each) and wire per foot (PF) billed as ordered, the freight the PO says the
    # customer pays billed, 1 % 10 net 30
    inv = po_segments(segments(ws, "crescent", "810"), "CR41-220871", "BIG")
    assert ["IT1", "1", "3", "RE", "142.5", "PE", "CB", "SER-AL-4/0", "VP", "RG46-07", "MG", "SER4-0AL"] in inv
    assert ["IT1", "3", "500", "FT", "0.31", "PF", "CB", "THHN14STRWHT", "VP", "RG46-09"] in inv
    assert ["ITD", "01", "3", "1", "", "10", "", "30"] in inv and ["TDS", "158110"] in inv  # 1515.10 + 65.00
    assert ["SAC", "C", "D240", "", "", "6500", "", "", "", "", "", "", "06", "", "", "FREIGHT TO BRANCH"] in inv


def test_wire_in_hundreds_of_feet_priced_per_thousand_feet_is_answered_per_hundred(night):
    """Electrical distributors order wire by the C (PO103 HL, hundred feet linear) and price it by the M (PO105 TF,
    per thousand feet): 25 HL of XHHW at 412.00 per thousand feet is 2,500 feet at 0.412, 41.20 per HL. The price
    was taken as no price of so many of the line's units (only TF on a line in FT, LF or TL was): the order held
    for a person, PRICE_BASIS_UNSUPPORTED (an error). Now it is the price of ten HL, restated per HL exactly
    (PRICE_BASIS_CONVERTED, told): answered, shipped and billed at 41.20 per HL."""
    ws, found, _states = night
    assert [f[3] for f in found if f[0] == "PRICE_BASIS_CONVERTED" and "HL" in f[3]] == [
        "PO104 412 with PO105 TF is the price of 10 HL: taken as 41.2 per HL, exactly; our 855 and 810 state it "
        "per unit (PO105/IT105 PE)."]
    ack = po_segments(segments(ws, "ced", "855"), "CED0544-118273", "BAK")
    assert ["PO1", "2", "25", "HL", "41.2", "PE", "CB", "XHHW10STRBLK", "VP", "RG46-02", "MG",
            "10STRBLKXHHW"] in ack and ["ACK", "IA", "25", "HL", "068", "20261201"] in ack
    inv = po_segments(segments(ws, "ced", "810"), "CED0544-118273", "BIG")
    assert ["IT1", "2", "25", "HL", "41.2", "PE", "CB", "XHHW10STRBLK", "VP", "RG46-02", "MG", "10STRBLKXHHW"] in inv


def test_a_price_of_many_feet_is_the_price_of_as_many_units_or_the_part_of_one_it_holds():
    from decimal import Decimal

    from schemas.units import in_many_of

    assert in_many_of("HL", "TF") == 10 and in_many_of("HS", "PS") == 10  # per M on C; per M sq ft on C sq ft
    assert in_many_of("FT", "TF") == 1000 and in_many_of("TL", "TF") == 1 and in_many_of("HL", "HF") == 1
    # a price of fewer feet than the unit holds, or of a measure the unit does not divide, is none of them
    assert in_many_of("TL", "HF") == Decimal("0.1")  # per C on a line in M: a tenth of one
    # a price of a measure the unit does not divide, or of another measure, is none of them
    assert in_many_of("SY", "PS") is None and in_many_of("EA", "TF") is None and in_many_of("TL", "PS") is None


def _variant(partner: str, swaps: tuple[tuple[bytes, bytes], ...], tmp_path, shipped_swaps=()):
    """The night of ``partner``'s PO alone (tests.retailer_support.variant_night)."""
    return variant_night(FIXTURES, partner, next(iter(POS[partner])), tmp_path, swaps, warehouses=WAREHOUSES,
                         night=NIGHT, ship_day=SHIP_DAY, shipped_swaps=shipped_swaps)


def test_cable_in_thousands_of_feet_priced_per_hundred_feet_is_answered_per_thousand(tmp_path, maps):  # noqa: F811
    """The other way about: cable ordered by the M (PO103 TL) and priced per hundred feet (PO105 HF), 38.00 per C of
    MC cable, 380.00 per TL. It was held for a person (PRICE_BASIS_UNSUPPORTED, "a price per 100 feet, the line
    being in TL"). Now a price of a tenth of one TL, restated per TL exactly (PRICE_BASIS_CONVERTED): answered,
    shipped and billed at 380.00 per TL; every document accepted by our validator, Bots and pyx12."""
    ws, found, states = _variant("rexel", ((b"PO1*1*2*TL*380*TF", b"PO1*1*2*TL*38*HF"),), tmp_path)
    assert states == {("rexel", "RX7734412"): "invoiced"}
    assert not [f for f in found if f[1] == "error"] and {f[0] for f in found} <= NIGHT_NOTED
    assert [f[3] for f in found if f[0] == "PRICE_BASIS_CONVERTED" and "TL" in f[3]] == [
        "PO104 38 with PO105 HF is the price of 100 FT (0.1 TL): taken as 380 per TL, exactly; our 855 and 810 "
        "state it per unit (PO105/IT105 PE)."]
    ack = po_segments(segments(ws, "rexel", "855"), "RX7734412", "BAK")
    assert ["PO1", "1", "2", "TL", "380", "PE", "CB", "MC122-1000", "VP", "RG46-04", "MG", "MC12-2-ALUM"] in ack
    inv = po_segments(segments(ws, "rexel", "810"), "RX7734412", "BIG")
    assert ["IT1", "1", "2", "TL", "380", "PE", "CB", "MC122-1000", "VP", "RG46-04", "MG", "MC12-2-ALUM"] in inv
    assert ["TDS", "149560"] in inv
    all_sent_accepted(ws, ["rexel"], tmp_path, maps, shipments=1, answers=1)


def test_cable_on_reels_priced_per_thousand_feet_is_billed_per_reel(tmp_path, maps):  # noqa: F811
    """Crescent may price its 500-foot reels of SER cable by the M: PO1*1*3*RE*285*TF, 142.50 per reel. A valid
    line; it was held for a person (PRICE_BASIS_UNSUPPORTED, "a price per 1000 feet, the line being in RE"): the
    850 reader restates TF only on a line in feet or a number of them, and how many feet a reel holds is reference
    data (item_units: RG46-07 RE 500). Now intake restates it through the item's units
    (rules.business.measure_prices), told (PRICE_BASIS_CONVERTED): answered, shipped and billed at 142.50 per RE;
    every document accepted by our validator, Bots and pyx12."""
    ws, found, states = _variant("crescent", ((b"PO1*1*3*RE*142.5*PE", b"PO1*1*3*RE*285*TF"),), tmp_path)
    assert states == {("crescent", "CR41-220871"): "invoiced"}
    assert not [f for f in found if f[1] == "error"] and {f[0] for f in found} <= NIGHT_NOTED
    assert [f[3] for f in found if f[0] == "PRICE_BASIS_CONVERTED"] == [
        "PO104 285 with PO105 TF is the price of 1,000 FT (2 RE, one RE holding 500 FT: the item_units row): taken "
        "as 142.5 per RE, exactly; our 855 and 810 state it per unit (PO105/IT105 PE)."]
    ack = po_segments(segments(ws, "crescent", "855"), "CR41-220871", "BAK")
    assert ["PO1", "1", "3", "RE", "142.5", "PE", "CB", "SER-AL-4/0", "VP", "RG46-07", "MG", "SER4-0AL"] in ack
    assert ack[ack.index(["PO1", "1", "3", "RE", "142.5", "PE", "CB", "SER-AL-4/0", "VP", "RG46-07", "MG",
                          "SER4-0AL"]) + 1][:3] == ["ACK", "IA", "3"]
    asn = po_segments(segments(ws, "crescent", "856"), "CR-SHP-01", "BSN")
    at = asn.index(["LIN", "1", "CB", "SER-AL-4/0", "VP", "RG46-07", "MG", "SER4-0AL"])
    assert asn[at + 1][:3] == ["SN1", "", "3"] and asn[at + 1][3] == "RE"
    inv = po_segments(segments(ws, "crescent", "810"), "CR41-220871", "BIG")
    assert ["IT1", "1", "3", "RE", "142.5", "PE", "CB", "SER-AL-4/0", "VP", "RG46-07", "MG", "SER4-0AL"] in inv
    assert ["TDS", "158110"] in inv  # 427.50 + the rest as ordered + 65.00 freight
    all_sent_accepted(ws, ["crescent"], tmp_path, maps, shipments=1, answers=1)


def test_cable_on_coils_no_item_units_row_measures_is_held_naming_the_row(tmp_path):
    """The same price on a unit no item_units row of the item measures (CL, coils): still held for a person
    (PRICE_BASIS_UNSUPPORTED), the finding naming the row that would price it per coil."""
    _ws, found, states = _variant("crescent", ((b"PO1*1*3*RE*142.5*PE", b"PO1*1*3*CL*285*TF"),), tmp_path)
    assert states == {("crescent", "CR41-220871"): "held"}
    [message] = [f[3] for f in found if f[0] == "PRICE_BASIS_UNSUPPORTED"]
    assert message.startswith(
        "PO104 285 with PO105 TF is a price per 1000 feet, the line being in CL (item RG46-07 is sold by the FT, "
        "and no item_units row says how many FT one CL holds: add one, sku RG46-07, unit CL, eaches the FT in one "
        "CL, and the orders that come after it are priced per CL); our prices"), message
    assert "PRICE_BASIS_CONVERTED" not in {f[0] for f in found}


def test_a_price_per_measure_is_restated_through_the_items_units_only_when_exact():
    """rules.business.measure_prices.by_item_units: TF and PF on a reel of 500 FT restated per reel (basis PE, the
    basis sent kept); a price needing more than 4 places per reel, a unit with no item_units row, an item not sold
    by the foot, a price per pound (catch weight) and a line in feet are left as they are."""
    from decimal import Decimal

    import pyarrow as pa

    from connectors.reference import load_reference
    from rules.business.measure_prices import by_item_units, measure_priced
    from schemas.orders import ORDER_LINES

    ref = load_reference(FIXTURES / "reference")  # RG46-07 sold by the FT, 500 a RE; RG46-06 by the EA, 25 a BX
    sent = [("RE", "285", "TF"), ("RE", "0.285", "PF"), ("RE", "287.4567", "TF"), ("CL", "285", "TF"),
            ("BX", "285", "TF"), ("RE", "3.49", "PP"), ("FT", "287.45", "TF")]
    n = len(sent)
    rows = {f.name: pa.nulls(n, f.type) for f in ORDER_LINES}
    rows.update(unit=pa.array([u for u, _, _ in sent]), price_basis=pa.array([b for _, _, b in sent]),
                unit_price=pa.array([Decimal(p) for _, p, _ in sent], ORDER_LINES.field("unit_price").type),
                partner=pa.array(["crescent"] * n), product_ids=pa.array(
                    [[{"qualifier": "VP", "id": "RG46-06" if u == "BX" else "RG46-07"}] for u, _, _ in sent],
                    ORDER_LINES.field("product_ids").type))
    lines = pa.table(rows, schema=ORDER_LINES)
    assert measure_priced(lines)
    out = by_item_units(lines, ref)
    assert out["unit_price"].to_pylist() == [Decimal("142.5"), Decimal("142.5"), *[Decimal(p) for _, p, _ in
                                                                                   sent[2:]]]
    assert out["price_basis"].to_pylist() == ["PE", "PE", "TF", "TF", "TF", "PP", "TF"]
    assert out["price_basis_sent"].to_pylist() == ["TF", "PF", None, None, None, None, None]
    assert not measure_priced(lines.slice(6))  # wire in feet: the 850 reader's own
    # held, the finding says what would price it: the places its price per reel needs, the row to add
    from rules.business.money import _by_item_units
    from rules.business.quantities import unit_index

    units = unit_index(ref)
    assert _by_item_units({"price_basis": "TF", "unit": "RE", "sku": "RG46-07", "unit_price": Decimal("287.4567")},
                          units) == " (one RE holding 500 FT: 143.72835 per RE, more decimals than the 4 we carry)"
    assert _by_item_units({"price_basis": "PF", "unit": "CL", "sku": "RG46-07", "unit_price": Decimal("1")},
                          units).startswith(" (item RG46-07 is sold by the FT, and no item_units row says how many FT")
    assert _by_item_units({"price_basis": "TF", "unit": "BX", "sku": "RG46-06", "unit_price": Decimal("1")},
                          units) == ""  # an item sold by the each: no row would make a price per foot its price


def test_wire_priced_per_thousand_feet_off_our_price_is_answered_at_ours_per_thousand_feet(tmp_path):
    """A price per thousand feet kept as sent is compared with ours per foot: 387.45 TF is 0.38745 per FT against our
    0.2855, 35.71 % over (PRICE_OUT_OF_TOLERANCE, the finding naming both). CED's rules answer it at our price (ACK
    IP), stated as the buyer states it: 285.50 per thousand feet (PO104 285.5 with PO105 TF, never our 0.2855 per
    foot labelled TF, a thousandth of the price), and billed so (IT1 285.5 TF, 2,500 x 285.50 / 1,000 = 713.75)."""
    ws, found, states = _variant("ced", ((b"PO1*1*2500*FT*285.5*TF", b"PO1*1*2500*FT*387.45*TF"),), tmp_path)
    assert states == {("ced", "CED0544-118273"): "invoiced"}
    assert [f[3] for f in found if f[0] == "PRICE_OUT_OF_TOLERANCE"] == [
        "PO104 387.45 with PO105 TF (0.38745 per FT) differs from our price 0.2855 by 35.71% (tolerance 1%)."]
    ack = po_segments(segments(ws, "ced", "855"), "CED0544-118273", "BAK")
    at = ack.index(["PO1", "1", "2500", "FT", "285.5", "TF", "CB", "THHN12SOLBLK", "VP", "RG46-01", "MG",
                    "12SOLBLK-2500"])
    assert ack[at + 1][:3] == ["ACK", "IP", "2500"]
    inv = po_segments(segments(ws, "ced", "810"), "CED0544-118273", "BIG")
    assert ["IT1", "1", "2500", "FT", "285.5", "TF", "CB", "THHN12SOLBLK", "VP", "RG46-01", "MG",
            "12SOLBLK-2500"] in inv
    assert ["TDS", "182255"] in inv  # 713.75 + 1030 + 78.80


def test_wire_priced_per_thousand_feet_to_the_cent_is_answered_and_billed(tmp_path, maps):  # noqa: F811
    """Electrical distributors price copper wire per M to the cent; 2,500 FT at 287.45 per M is 718.63. A valid
    line: it was held for a person (PRICE_BASIS_UNSUPPORTED: 0.28745 per FT is more places than the 4 our unit
    prices carry). Now the price is kept as sent, per thousand feet (schemas.units.priced_per): compared with our
    price per foot, answered (PO104 287.45 with PO105 TF) and billed (IT104 287.45 with IT105 TF) as the buyer sent
    it, the line's amount 2,500 x 287.45 / 1,000 to the cent; every document accepted by our validator, Bots and
    pyx12."""
    ws, found, states = _variant("ced", ((b"PO1*1*2500*FT*285.5*TF", b"PO1*1*2500*FT*287.45*TF"),), tmp_path)
    assert states == {("ced", "CED0544-118273"): "invoiced"}
    assert not [f for f in found if f[1] == "error"] and {f[0] for f in found} <= NIGHT_NOTED, found
    assert "PRICE_BASIS_UNSUPPORTED" not in {f[0] for f in found}
    ack = po_segments(segments(ws, "ced", "855"), "CED0544-118273", "BAK")
    assert ["PO1", "1", "2500", "FT", "287.45", "TF", "CB", "THHN12SOLBLK", "VP", "RG46-01", "MG",
            "12SOLBLK-2500"] in ack
    assert ack[ack.index(["PO1", "1", "2500", "FT", "287.45", "TF", "CB", "THHN12SOLBLK", "VP", "RG46-01", "MG",
                          "12SOLBLK-2500"]) + 1][:3] == ["ACK", "IA", "2500"]
    inv = po_segments(segments(ws, "ced", "810"), "CED0544-118273", "BIG")
    assert ["IT1", "1", "2500", "FT", "287.45", "TF", "CB", "THHN12SOLBLK", "VP", "RG46-01", "MG",
            "12SOLBLK-2500"] in inv
    assert ["TDS", "182743"] in inv  # 718.63 (718.625 half up) + 1030 + 78.80
    all_sent_accepted(ws, ["ced"], tmp_path, maps, shipments=1, answers=1)


def test_wire_priced_per_thousand_feet_is_valued_per_foot(tmp_path):
    """The same 287.45 TF line, taken as sent: the order's value counts 2,500 FT at 0.28745, 718.625, not 2,500 x
    287.45 (718,625.00, which told credit control of a CREDIT_LIMIT_EXCEEDED that was not there, when the line was
    held for its price): at intake (rules.business.money.order_values) and as acknowledged (engine.answer.
    order_values: the order's stored value, 718.625 + 1,030 + 78.80)."""
    from decimal import Decimal

    ws, found, _states = _variant("ced", ((b"PO1*1*2500*FT*285.5*TF", b"PO1*1*2500*FT*287.45*TF"),), tmp_path)
    codes = {f[0] for f in found}
    assert "CREDIT_LIMIT_EXCEEDED" not in codes and "PRICE_BASIS_UNSUPPORTED" not in codes, found
    value = stored_value(ws, "ced")
    assert Decimal(str(value)) == Decimal("1827.425")


def test_wire_priced_per_thousand_feet_shipped_short_no_backorder_is_valued_per_foot(tmp_path):
    """The same line on a PO that takes no back order (CSH*N), 2,000 of its 2,500 FT shipped: the balance cancelled
    (engine.lifecycle.balance), the order's value counted again from the stored lines, which hold no price basis:
    it was 2,000 x 287.45 + the rest, 576,008.80. The answer keeps the line's priced_per (1000; a
    PRICED_PER:1000 mark among its codes before dupstate): 574.90 + 1,030 + 78.80 = 1,683.70, as the 810 billed it
    (IT1 2000 FT 287.45 TF)."""
    from decimal import Decimal

    ws, _found, states = _variant("ced", ((b"PO1*1*2500*FT*285.5*TF", b"PO1*1*2500*FT*287.45*TF"),
                                          (b"EXAMPLE~\n", b"EXAMPLE~\nCSH*N~\n")), tmp_path,
                                  shipped_swaps=((",1,RG46-01,2500,FT,", ",1,RG46-01,2000,FT,"),))
    assert states == {("ced", "CED0544-118273"): "invoiced"}
    inv = po_segments(segments(ws, "ced", "810"), "CED0544-118273", "BIG")
    assert ["IT1", "1", "2000", "FT", "287.45", "TF", "CB", "THHN12SOLBLK", "VP", "RG46-01", "MG",
            "12SOLBLK-2500"] in inv and ["TDS", "168370"] in inv
    value = stored_value(ws, "ced")
    assert Decimal(str(value)) == Decimal("1683.70")


def test_an_order_value_counts_a_price_of_many_units_per_unit():
    """rules.business.money.order_values: a line whose PO104 is still the price of many of its units (TF on FT,
    PD per dozen not a whole ten-thousandth per each) is valued per unit; one restated per unit (PE) as it is."""
    from decimal import Decimal

    import pyarrow as pa

    from rules.business.money import _per_many_amounts

    resolved = pa.table({"price_basis": ["TF", "PD", "PE", "HP", None], "unit": ["FT", "EA", "FT", "EA", "EA"],
                         "unit_price": pa.array([Decimal("287.45"), Decimal("10"), Decimal("1"), None, Decimal("2")],
                                                pa.decimal128(18, 4))})
    amount = pa.array([Decimal("718625"), Decimal("10"), Decimal("5"), Decimal("9"), Decimal("4")],
                      pa.decimal128(38, 8))
    assert _per_many_amounts(resolved, amount).to_pylist() == [
        Decimal("718.62500000"), Decimal("0.83333333"), Decimal("5.00000000"), Decimal("9.00000000"),
        Decimal("4.00000000")]
