"""Automotive aftermarket, industrial gas, healthcare and e-commerce drop ship buyers, as their public EDI material and
trade practice describe them: tests/fixtures/rg41/ holds each one's profile, reference rows, stock, 850s written in its
shapes and the east DC's confirmation of what shipped (the rg2 DC). Keystone Automotive Operations (LKQ) (its 4010
850 as its guide lists the heading: BEG, REF, ITD, DTM, TD5, the N9 loop, then the N1 loop: a drop ship, BEG02 DS, to
a body shop named by address alone with PER IC; REF*VR our vendor number, REF*CO; FedEx ground; PO1 VP/BP); Airgas
(005010 from its DUNS, qualifier 01; CUR, PER BD, FOB PB, net 45, TD5 LTL; its branch N1*ST 92, N1*BT; PO1 VN with the
manufacturer's name MF and part MG; MIG wire in drums, DR); Kaiser Permanente (BEG02 NE, SAP line numbers 00010 and
00020, contract prices PO105 CT, PO1 VC/IN/MG; its medical centre by our number, N103 91, with a dock N2; an N9/MSG
delivery note); a Premier member hospital through Premier's ERP (the hospital by its Health Industry Number, N103 21,
as buyer and ship-to; REF*DP, 1 % 10 net 30; cases by VC/IN); Zoro Tools (a drop ship to a customer by name, a
company N2, two N3 lines, PER IC with phone and e-mail; REF*CO; DTM 010; UPS ground; PO1 VP and its SKU, SK). One
night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and
pyx12. Variants of their POs found: Airgas's net terms as ITD01 05 warned as other terms; Zoro's next-day routing
written beside a ground shipment on the 856; Kaiser's contract CTP against another PO104 unread (rg39's pin); a
PO's N1*SF ship-from unread (pinned here)."""

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
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg41"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"keystone": {"KA55120874": 2}, "airgas": {"4502277190": 2}, "kaiser": {"6100448231": 2},
       "premier": {"PH7720149": 2}, "zoro": {"Z1045589012": 2}}
NOTED = {"NOTES_NOT_KEPT"}  # Keystone's packing-slip note, Kaiser's delivery note (N9/MSG)
NIGHT_NOTED = NOTED | {"ASN_LATE"}  # confirmations hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg41") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Airgas's DUNS (ISA qualifier 01) answered as sent, in 005010; its drums as ordered, the manufacturer's name (MF)
    # and part (MG) echoed beside our number (VN) on the 855, 856 and 810
    ag = segments(ws, "airgas", "997")
    assert ag[0][7:9] == ["01", "049523481      "] and ag[0][11:13] == ["^", "00501"]
    ack = po_segments(segments(ws, "airgas", "855"), "4502277190", "BAK")
    assert [s[1:] for s in ack if s[0] == "PO1"][0] == ["1", "4", "DR", "615", "", "VN", "RG41-03", "MF",
                                                       "LINCOLN ELECTRIC", "MG", "ED030584"]
    inv = po_segments(segments(ws, "airgas", "810"), "4502277190", "BIG")
    assert ["ITD", "01", "3", "", "", "", "", "45"] in inv and ["TDS", "357600"] in inv  # 4 x 615 + 60 x 18.60
    # Kaiser's SAP line numbers (PO101 00010, 00020) and contract prices (PO105 CT) echoed as sent; its medical
    # centre by our number (N103 91) with the dock's N2
    ack = po_segments(segments(ws, "kaiser", "855"), "6100448231", "BAK")
    assert [s[1:6] for s in ack if s[0] == "PO1"] == [["00010", "8", "CS", "96", "CT"],
                                                     ["00020", "20", "BX", "14", "CT"]]
    assert [s[1] for s in segments(ws, "kaiser", "856") if s[0] == "LIN"] == ["00010", "00020"]
    inv = po_segments(segments(ws, "kaiser", "810"), "6100448231", "BIG")
    at = inv.index(["N1", "ST", "KAISER PERMANENTE ONTARIO MEDICAL CENTER", "91", "KP-ONT01"])
    assert inv[at + 1] == ["N2", "MATERIALS MANAGEMENT DOCK B"]
    assert [s[1] for s in inv if s[0] == "IT1"] == ["00010", "00020"] and ["TDS", "104800"] in inv
    # the Premier hospital by its HIN (N103 21), ship-to and buyer; each line's GPO contract back on its IT1
    inv = po_segments(segments(ws, "premier", "810"), "PH7720149", "BIG")
    assert ["N1", "ST", "MERCY REGIONAL HOSPITAL", "21", "771220XB"] in inv
    assert ["N1", "BY", "MERCY REGIONAL HOSPITAL", "21", "771220XA"] in inv
    assert [s for s in inv if s[0] in ("IT1", "REF") and s[1] in ("1", "2", "CT")] == [
        ["IT1", "1", "12", "CS", "38.4", "", "VC", "RG41-07", "IN", "44120"], ["REF", "CT", "PP-NS-1234"],
        ["IT1", "2", "6", "CS", "52", "", "VC", "RG41-08", "IN", "44177"], ["REF", "CT", "PP-MS-5521"]]
    assert ["ITD", "01", "3", "1", "", "10", "", "30"] in inv
    # Keystone's and Zoro's drop ships: the consumer's address as sent, REF*CO back, a tracking number per package
    for partner, po, shipment, name in (("keystone", "KA55120874", "KA-SHP-01", "RIVERSIDE COLLISION CENTER"),
                                        ("zoro", "Z1045589012", "ZR-SHP-01", "DANA WHITFIELD")):
        asn = po_segments(segments(ws, partner, "856"), shipment, "BSN")
        assert ["N1", "ST", name] in asn and len([s for s in asn if s[:2] == ["REF", "CN"]]) == 3
        assert ["REF", "CO"] == next(s[:2] for s in asn if s[:2] == ["REF", "CO"])
        assert ["REF", "SI", shipment] in po_segments(segments(ws, partner, "810"), po, "BIG")
    zoro = po_segments(segments(ws, "zoro", "810"), "Z1045589012", "BIG")
    at = zoro.index(["N1", "ST", "DANA WHITFIELD"])
    assert zoro[at + 1: at + 3] == [["N2", "WHITFIELD MACHINE WORKS"], ["N3", "88 INDUSTRIAL PKWY", "UNIT 4"]]

def _variant(partner: str, swaps: tuple[tuple[bytes, bytes], ...], tmp_path, shipments: str | None = None, *,
             warehouses=WAREHOUSES, profile: str = ""):
    """The night of ``partner``'s PO alone, its bytes swapped (SE01 counted again), with its rows of the shipments
    file (``shipments``: the file's text instead): (ws, findings with messages, states). ``warehouses``: the
    workspace's warehouse profiles (a folder); ``profile``: TOML added at the end of the partner's profile."""
    import re
    import shutil

    fixtures = tmp_path / "rg41"
    shutil.copytree(FIXTURES, fixtures)
    if profile:
        toml = fixtures / "partners" / f"{partner}.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + profile, encoding="utf-8")
    po = next((fixtures / "drops" / partner).iterdir())
    data = po.read_bytes()
    for old, new in swaps:
        assert old in data, old
        data = data.replace(old, new)
    count = data.count(b"~", data.index(b"ST*850"), data.index(b"\nSE*")) + 1
    po.write_bytes(re.sub(rb"SE\*\d+\*", b"SE*%d*" % count, data))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    ours = next(iter(POS[partner]))
    shipped.write_text(shipments if shipments is not None else "".join(
        r for r in rows if r.startswith("Shipment ID") or f",{ours}," in r), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp_path / "ws", {partner: [po.name]}, warehouses=warehouses),
                         fixtures, NIGHT, SHIP_DAY, messages=True)


def test_net_terms_sent_as_discount_not_applicable_are_the_agreed_net_terms(tmp_path):
    """Airgas states its net 45 as ITD01 05 (Discount Not Applicable: ITD*05*3*****45), a basic agreement of net 45
    without a discount on our side (customers.csv 01, 45, no percent). It was warned every night as TERMS_MISMATCH
    "ITD terms type 05 differs from the agreed 01": the same net terms. Now none; 05 against an agreement that offers
    a discount (the Premier hospital's 1 % 10 net 30) is still told, as is 05 with other net days."""
    _ws, found, states = _variant("airgas", ((b"ITD*01*3*****45", b"ITD*05*3*****45"),), tmp_path / "a")
    assert states == {("airgas", "4502277190"): "invoiced"}
    assert [f for f in found if f[0] == "TERMS_MISMATCH"] == []
    _ws, found, _states = _variant("airgas", ((b"ITD*01*3*****45", b"ITD*05*3*****60"),), tmp_path / "b")
    assert [f[3] for f in found if f[0] == "TERMS_MISMATCH"] == ["ITD net days 60 differs from the agreed 45."]
    _ws, found, _states = _variant("premier", ((b"ITD*01*3*1**10**30", b"ITD*05*3*****30"),), tmp_path / "c")
    assert [f[3] for f in found if f[0] == "TERMS_MISMATCH"] == ["ITD terms type 05 differs from the agreed 01."]


def test_discount_not_applicable_against_basic_terms_by_the_rule_alone():
    from tests.test_terms_same_kind import told

    assert told(b"ITD*05*3*****30~", discount=b",") == []
    assert told(b"ITD*01*3*****30~", agreed_type="05", discount=b",") == []
    assert told(b"ITD*08*3*****30~", agreed_type="05", discount=b",") == []
    # a discount on either side is other terms than "discount not applicable"
    assert told(b"ITD*05*3*****30~") == [("TERMS_MISMATCH", "ITD terms type 05 differs from the agreed 01.")]
    assert told(b"ITD*01*3*2**10**30~", agreed_type="05", discount=b",") == [
        ("TERMS_MISMATCH", "ITD terms type 01 differs from the agreed 05.")]
    # dated net terms (Orgill's ITD*05*3****20270115, due on a date; a day of the month) are other terms than days
    assert told(b"ITD*05*3****20270115~", discount=b",") == [
        ("TERMS_MISMATCH", "ITD terms type 05 differs from the agreed 01.")]
    assert told(b"ITD*05*3*****30******15~", discount=b",") == [
        ("TERMS_MISMATCH", "ITD terms type 05 differs from the agreed 01.")]
    # end of month (02) or proximo (09) without a discount are still other terms
    assert told(b"ITD*02*3*****30~", discount=b",") == [
        ("TERMS_MISMATCH", "ITD terms type 02 differs from the agreed 01.")]


@pytest.mark.parametrize(("routed", "td5", "slower"), [
    # routed next day air, shipped ground: the 856 used to say TD512 ND beside the warehouse's GND; since session 55
    # it says the ground service it went by (GND: CG, schemas/data/service_names.csv), and SERVICE_NOT_ROUTED tells it
    (b"TD5*O*2*UPSN*U*UPS NEXT DAY AIR*******ND", ["TD5", "B", "2", "UPSN", "U", "GND"] + [""] * 6 + ["CG"], True),
    (b"TD5*O*2*UPSN*U*UPS 2ND DAY AIR*******SE", ["TD5", "B", "2", "UPSN", "U", "GND"] + [""] * 6 + ["CG"], True),
    # routed ground (CG): the warehouse's GND is that level, its code kept beside the name
    (b"TD5*O*2*UPSN*U*UPS GROUND*******CG", ["TD5", "B", "2", "UPSN", "U", "GND", "", "", "", "", "", "", "CG"], False),
])
def test_a_service_named_in_words_never_takes_a_routed_level_it_contradicts(tmp_path, routed, td5, slower):
    """Zoro routes a drop ship at a service level (TD512: ND next day air, SE second day, CG ground). The DC confirms
    the shipment with its service in words (Service Level GND). The 856 wrote the words as TD505 and the PO's code as
    TD512 whatever they said: a parcel shipped by ground went out declared next day air (TD5*B*2*UPSN*U*GND*******ND),
    the service the consumer paid for and the buyer checks the ASN against. A level the words contradict is no longer
    written (the code of the words is, CG: the service shipped); one they agree with still is."""
    ws, found, states = _variant("zoro", ((b"TD5****U*UPS GROUND", routed),), tmp_path)
    assert states == {("zoro", "Z1045589012"): "invoiced"}
    assert [s for s in segments(ws, "zoro", "856") if s[0] == "TD5"] == [td5]
    assert ("SERVICE_NOT_ROUTED" in {f[0] for f in found}) is slower, found


def test_which_words_contradict_a_routed_level():
    from engine.shipments import routed_level_for
    from schemas.orders import ELEMENTS_SEP

    def level(words: str, code: str) -> str:  # the PO's TD5 as kept (ORDERS td5_sent: TD501 on)
        return routed_level_for("UPSN", words, [f"O*2*UPSN*U*ROUTED*******{code}".replace("*", ELEMENTS_SEP)])

    # a name of our list (schemas/data/service_names.csv) of another speed than the PO's level: the name's code, the
    # service shipped (FEDEX HOME DELIVERY, ground, used to take the PO's ND: no ground word in it); of its speed,
    # the PO's own code (GROUND for SG, 2ND DAY AIR, SC, for SE); a name not listed: the words' kind, as before
    assert [level(w, "ND") for w in ("GND", "UPS GROUND", "FEDEX HOME DELIVERY", "NEXT DAY AIR", "NDA")] == [
        "CG", "CG", "CG", "ND", "ND"]
    assert [level(w, "CG") for w in ("GND", "GROUND", "NEXT DAY AIR", "2DAY", "PRIORITY OVERNIGHT")] == [
        "CG", "CG", "ND", "SE", "ON"]
    assert level("GROUND", "SG") == "SG" and level("2ND DAY AIR", "SE") == "SE" and level("GND", "") == ""
    assert level("BLUE LABEL", "ND") == "ND" and level("ECONOMY GROUND", "ND") == ""  # not listed: the words decide


def test_a_contract_price_beside_po104_that_differs_is_flagged(tmp_path):
    """Kaiser Permanente prices each line twice: PO104 with PO105 CT (contract) and CTP**CON in the PO1 loop. A line
    whose CTP states another price (92.00 against PO104 96.00) was taken, answered and invoiced at 96.00 without a
    word (the CTP is read only for a line without PO104: VWR's same shape was pinned as a strict xfail by rg39). Now
    CTP_PRICE_MISMATCH (a warning) names the line and both prices; the line is still answered and invoiced at PO104.
    The night's lines (CTP equal to PO104) say nothing."""
    ws, found, states = _variant("kaiser", ((b"CTP**CON*96~", b"CTP**CON*92~"),), tmp_path)
    assert states == {("kaiser", "6100448231"): "invoiced"}
    assert [f[1:] for f in found if f[0] == "CTP_PRICE_MISMATCH"] == [(
        "warning", "6100448231", "PO1 lines state a price (PO104) other than the price the buyer pays in a CTP of "
        "their loop (line 00010 PO104 96, CTP CON 92): each line is acknowledged and invoiced at its PO104; check with "
        "the partner which price is meant.")]
    ack = po_segments(segments(ws, "kaiser", "855"), "6100448231", "BAK")
    assert [s[1:5] for s in ack if s[0] == "PO1"][0] == ["00010", "8", "CS", "96"]


@pytest.mark.parametrize(("swap", "told"), [
    ((b"CTP**CON*96~", b"CTP**CON*92~"), ["CTP_PRICE_MISMATCH"]),
    ((b"CTP**CON*96~", b"CTP**UCP*96.00~"), []),  # the same number written otherwise
    ((b"CTP**CON*96~", b"CTP**UCP*92~"), ["CTP_PRICE_MISMATCH"]),  # unit cost against a contract PO104: judged
    ((b"CTP**CON*96~", b"CTP**RES*129~"), []),  # a retail price is no cost
    # quantity breaks (CTP04): none of them PO104 is named; one of them PO104 says nothing (rules.set_checks)
    ((b"CTP**CON*96~", b"CTP**CON*92*1*CS~\nCTP**CON*88*10*CS~"), ["CTP_PRICE_MISMATCH"]),
    ((b"CTP**CON*96~", b"CTP**CON*96*1*CS~\nCTP**CON*88*10*CS~"), []),
    ((b"CTP**CON*96~", b"CTP**CON*3.2*1*EA~"), []),  # a price per each of the case: another unit
    ((b"CTP**CON*96~", b"CTP**CON*100***DIS*.92~"), []),  # a multiplier: not CTP03 alone
    ((b"*96*CT*", b"*96*WE*"), []),  # PO104 a wholesale price (a WAC beside a contract CTP: a chargeback's)
    ((b"*96*CT*", b"*96**"), ["CTP_PRICE_MISMATCH"]),  # PO104 without a basis is what the buyer pays
])
def test_which_stated_cost_prices_are_compared(tmp_path, swap, told):
    from tests.retailer_support import inspected

    path = FIXTURES / "drops" / "kaiser" / "KP850_6100448231.x12"
    data = path.read_bytes().replace(b"CTP**CON*96~", b"CTP**CON*92~") if swap[0] == b"*96*CT*" else path.read_bytes()
    old, new = swap
    assert old in data
    data = data.replace(old, new.replace(b"\\n", b"\n"))
    if b"CTP**CON*88" in data:
        data = data.replace(b"SE*22*", b"SE*23*")
    out = tmp_path / path.name
    out.write_bytes(data)
    assert [f["code"] for f in inspected(out)["findings"] if f["code"] == "CTP_PRICE_MISMATCH"] == told


LONG_STREETS = (b"N3*88 INDUSTRIAL PKWY*UNIT 4~",
                b"N3*88 INDUSTRIAL PARKWAY NORTHEAST*UNIT 4 REAR ENTRANCE~\n"
                b"N3*BUILDING C LOADING DOCK 12*ATTN RECEIVING DEPARTMENT SUPERVISOR~")


def test_a_consumers_street_of_two_n3s_is_written_whole(tmp_path, maps):  # noqa: F811
    """Zoro's drop ship to a business with a long street: two N3s (the N1 loop allows two), four address lines. The
    parser keeps the second N3's text joined to N302; the 856 and the 810 wrote one N3 and cut N302 at its 55th
    character: "... LOADING DOCK 12, ATTN", the receiving department lost without a word. Now what does not fit one
    N3 goes on in a second, every element within 55 characters, by both 810 paths (the night's one-by-one and the
    columnar heads, which leave such a street to the first); a street that fits stays one N3."""
    ws, _found, states = _variant("zoro", (LONG_STREETS,), tmp_path)
    assert states == {("zoro", "Z1045589012"): "invoiced"}
    streets = [["N3", "88 INDUSTRIAL PARKWAY NORTHEAST", "UNIT 4 REAR ENTRANCE, BUILDING C LOADING DOCK 12"],
               ["N3", "ATTN RECEIVING DEPARTMENT SUPERVISOR"]]
    for kind, key, head in (("856", "ZR-SHP-01", "BSN"), ("810", "Z1045589012", "BIG")):
        doc = po_segments(segments(ws, "zoro", kind), key, head)
        at = doc.index(["N1", "ST", "DANA WHITFIELD"])
        assert doc[at + 2: at + 5] == [*streets, ["N4", "CANTON", "OH", "44707", "US"]], kind
    all_sent_accepted(ws, ["zoro"], tmp_path, maps, shipments=1, answers=1)  # our validator, Bots and pyx12


def test_which_streets_take_two_n3s():
    from engine.asn import n3_elements

    assert n3_elements("1 MAIN ST", "") == [["1 MAIN ST"]] and n3_elements("", "APT 4") == [["APT 4"]]
    assert n3_elements("1 MAIN ST", "APT 4, BLDG C") == [["1 MAIN ST", "APT 4, BLDG C"]]  # fits: as before
    assert n3_elements("", "") == []
    # a part longer than 55 characters goes on in the next element; past four elements, cut
    assert n3_elements("X" * 60, "Y" * 10) == [["X" * 55, "X" * 5 + ", " + "Y" * 10]]
    assert [len(e) for s in n3_elements("A" * 55, ", ".join(["B" * 50] * 5)) for e in s] == [55, 50, 50, 50]


def test_a_columnar_810_leaves_a_two_n3_street_to_the_one_by_one_path():
    import pyarrow as pa

    from engine.invoice_heads import heads_810
    from schemas.x12 import Delimiters

    orders = pa.table({"ship_to_address2": pa.array(["Y" * 56], pa.string())})
    assert heads_810(orders, po_numbers=["P"], shipment_ids=[""], bills_of_lading=[""], ship_dates=[None],
                     invoice_date=None, pending="", settings=None, terms=None, d=Delimiters()) is None

SHIPPED_FROM = ("Shipment ZR-SHP-01 for PO Z1045589012 left from warehouse east (OrderBridge Supply DC East, UL "
                "0614141000104); the PO routed it to ship from ")


def _east_and_north(tmp_path):
    """A warehouses folder of the east DC (the night's) and the North 3PL (WEST stock, GLN 0614141000203)."""
    import shutil

    folder = tmp_path / "warehouses"
    folder.mkdir()
    shutil.copy2(WAREHOUSES / "east.toml", folder / "east.toml")
    shutil.copy2(REPO / "warehouses" / "north.toml", folder / "north.toml")
    return folder


def test_a_po_routed_to_another_ship_from_is_flagged(tmp_path):
    """Zoro's drop-ship programme routes each PO to one of the vendor's locations and names it in the 850's N1*SF
    (by its GLN under UL). The N1*SF was read by nothing: a PO routed to a location that is none of our warehouses
    was shipped from EAST without a word. It is still shipped and its 856 names the warehouse the goods left from;
    SHIP_FROM_NOT_ROUTED (a warning) names the ship-from the PO asked for and the warehouse that shipped it."""
    routed = b"N1*SF*ORDERBRIDGE SUPPLY WEST*UL*0614141000999~\nN1*BT*ZORO"
    ws, found, states = _variant("zoro", ((b"N1*BT*ZORO", routed),), tmp_path)
    assert states == {("zoro", "Z1045589012"): "invoiced"}
    assert ["N1", "SF", "OrderBridge Supply DC East", "UL", "0614141000104"] in segments(ws, "zoro", "856")
    assert any("0614141000999" in f[3] for f in found if f[2] == "Z1045589012")
    assert [f[1:] for f in found if f[0] == "SHIP_FROM_NOT_ROUTED"] == [(
        "warning", "Z1045589012", SHIPPED_FROM + "ORDERBRIDGE SUPPLY WEST (UL 0614141000999) (N1*SF), which is none "
        "of our warehouses (no warehouse profile's [ship_from] id or name, nor the partner's [fulfilment] "
        "ship_from_ids for a 92 id): the 856 names the warehouse the goods left from; check with the partner which "
        "location it routes to, and map its number to ours (ship_from_ids) if it is one.")]


@pytest.mark.parametrize(("sf", "profile"), [
    (b"N1*SF*ORDERBRIDGE COLUMBUS*UL*0614141000203~", ""),  # the North 3PL's GLN
    (b"N1*SF*ZORO VENDOR LOC 22*92*ZR-WH-22~", '\n[fulfilment.ship_from_ids]\n"ZR-WH-22" = "north"\n'),  # Zoro's id
])
def test_a_po_routed_to_another_warehouse_of_ours_names_it(tmp_path, sf, profile):
    """The N1*SF names another warehouse of ours (the North 3PL, by its GLN, or by the number Zoro assigned it,
    mapped in Zoro's profile: [fulfilment] ship_from_ids): the east DC shipped it, so the warning names both."""
    ws, found, states = _variant("zoro", ((b"N1*BT*ZORO", sf + b"\nN1*BT*ZORO"),), tmp_path,
                                 warehouses=_east_and_north(tmp_path), profile=profile)
    assert states == {("zoro", "Z1045589012"): "invoiced"}
    said = sf.decode().rstrip("~").split("*")
    assert [f[1:] for f in found if f[0] == "SHIP_FROM_NOT_ROUTED"] == [(
        "warning", "Z1045589012", SHIPPED_FROM + f"{said[2]} ({said[3]} {said[4]}) (N1*SF), our warehouse north "
        "(North 3PL Columbus): the 856 names the warehouse the goods left from; the buyer's drop-ship programme "
        "expected north (its freight and delivery promise): check with the partner, and have the orders it routes "
        "to north shipped from there.")]


@pytest.mark.parametrize(("sf", "profile"), [
    (b"N1*SF*ORDERBRIDGE SUPPLY EAST*UL*0614141000104~", ""),  # the east DC's GLN
    (b"N1*SF*ZORO VENDOR LOC 11*92*ZR-WH-11~", '\n[fulfilment.ship_from_ids]\n"ZR-WH-11" = "east"\n'),
    (b"N1*SF*OrderBridge Supply DC  East~", ""),  # by name alone
    # a number the buyer assigned, unmapped: by its name (Wayfair's N1*SF*ORDERBRIDGE SUPPLY DC EAST*92*33120-EAST);
    # with no name of ours, of a partner whose numbers we were never given, not judged (Amazon's N1*SF**92*OBEAST)
    (b"N1*SF*ORDERBRIDGE SUPPLY DC EAST*92*33120-EAST~", ""),
    (b"N1*SF**92*OBEAST~", ""),
])
def test_a_po_routed_to_the_warehouse_that_ships_it_says_nothing(tmp_path, sf, profile):
    ws, found, states = _variant("zoro", ((b"N1*BT*ZORO", sf + b"\nN1*BT*ZORO"),), tmp_path,
                                 warehouses=_east_and_north(tmp_path), profile=profile)
    assert states == {("zoro", "Z1045589012"): "invoiced"}
    assert [f for f in found if f[0] == "SHIP_FROM_NOT_ROUTED"] == []


def test_an_unmapped_number_of_a_partner_that_maps_its_numbers_is_named(tmp_path):
    """Zoro's profile maps its numbers to our warehouses; an N1*SF by another of its numbers is named (the buyer
    routed the PO to a location we cannot place), its name none of ours."""
    ws, found, states = _variant("zoro", ((b"N1*BT*ZORO", b"N1*SF*ZORO VENDOR LOC 33*92*ZR-WH-33~\nN1*BT*ZORO"),),
                                 tmp_path, warehouses=_east_and_north(tmp_path),
                                 profile='\n[fulfilment.ship_from_ids]\n"ZR-WH-11" = "east"\n')
    assert states == {("zoro", "Z1045589012"): "invoiced"}
    told = [f for f in found if f[0] == "SHIP_FROM_NOT_ROUTED"]
    assert len(told) == 1 and "ZORO VENDOR LOC 33 (92 ZR-WH-33) (N1*SF), which is none of our warehouses" in told[0][3]


def test_a_po_without_a_ship_from_says_nothing_of_it(night):
    _ws, found, _states = night
    assert [f for f in found if f[0] == "SHIP_FROM_NOT_ROUTED"] == []


def test_which_ship_froms_are_which_warehouse():
    from engine.routing import routed_warehouse
    from schemas.warehouses import load_warehouses

    ours = load_warehouses(REPO / "warehouses")
    assigned = {"ZR-WH-22": "north"}
    assert routed_warehouse("UL", "0614141000104", "X", ours, assigned) == "east"
    assert routed_warehouse("UL", " 0614141000203 ", None, ours, assigned) == "north"
    assert routed_warehouse("92", "ZR-WH-22", "X", ours, assigned) == "north"
    assert routed_warehouse("92", "0614141000104", "X", ours, {}) is None  # a buyer's number is its own
    assert routed_warehouse("92", "33120-EAST", "OrderBridge Supply DC East", ours, {}) == "east"  # unmapped: by name
    assert routed_warehouse("UL", "0614141000999", "North 3PL Columbus", ours, assigned) is None  # the id decides
    assert routed_warehouse(None, None, "north 3pl  columbus", ours, assigned) == "north"
    assert routed_warehouse(None, None, "", ours, assigned) is None
