"""Addresses at the edges, in the 850s of buyers whose shapes the public material shows, and in what we send back
(855 N1 echoes, 856 N1 ST, 810 N1 BT/ST/RE): tests/fixtures/rg70/ holds each one's profile, reference rows, stock,
850s and the east DC's confirmation of what shipped (the rg2 DC). Island Club (a warehouse club's stores on Guam,
Saipan, St. Croix, American Samoa and Puerto Rico: N404 written as the territory's own ISO 3166 code, GU, MNP, VIR,
AS, which X12's RFI 1686 calls no address outside the United States (USPS lists the territories as states); a
9-digit ZIP without its hyphen; a store named by its number alone, N1*ST**92*PR05, its address in our store list);
ShopDirect (a 005010 consumer drop ship to the military post offices as USPS addresses them, city APO / FPO / DPO,
state AE / AP / AA, ZIP 09xxx / 96xxx / 34xxx; the consumer's N2 care-of line, two N3s, a name at N102's 60
characters, an "Ñ", the PER of the ship-to loop echoed on the 856; N1*SO beside N1*ST); Nordmart (a Canadian
department store in CAD: N1 BT/BY/VN/ST/Z7, postal codes without their space, N404 CAN, the DC's N2 dock line, a
PO1 loop restating the ship-to, a store order whose ship-to, N2 and PER are in its PO1 loop alone; our Canadian
remit-to on the 810); Travel Retail (airport shops in Cancun, N404 MEX,
and Hong Kong, which has no postal codes: N4 with the city and the country alone; an N2 of two elements). One night
takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12; every
address goes back as sent, and every address that cannot be delivered is a clear finding."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    all_sent_accepted_as_text,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg70"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"islandclub": {"IC7000101": 2, "IC7000102": 1, "IC7000103": 1, "IC7000104": 1, "IC7000105": 1},
       "shopdirect": {"SD7000201": 1, "SD7000202": 1, "SD7000203": 2},
       "nordmart": {"NM7000301": 2, "NM7000302": 1}, "travelretail": {"TR7000401": 1, "TR7000402": 1}}
NIGHT_NOTED = {"ASN_LATE"}  # the confirmations arrive hours after the trucks left
LIEUTENANT = "LIEUTENANT COMMANDER ALEXANDRA CATHERINE WORTHINGTON-BAXTERS"  # N102: 60 characters, its maximum


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, set(), POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg70") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    """No address of these is refused: the territories' stores (N404 GU, MNP, VIR, AS: Island Club's) used to be held
    for a person, ADDRESS_IMPLAUSIBLE "Country 'GU' is not one we ship to (US, CA)", and the Hong Kong shop,
    ADDRESS_INCOMPLETE "The ship-to address has no postal code." (Hong Kong has none)."""
    ws, found, states = night
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    accepted_as_ordered(ws, POS)
    assert states == {(p, po): "invoiced" for p, pos in POS.items() for po in pos}


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    sent = sum(len(pos) for pos in POS.values()) * 3  # an 855, an 856 and an 810 per PO
    all_sent_accepted_as_text(night[0], POS, tmp_path, maps, sent=sent, as_read=lambda p: p.read_bytes())


def _parties(doc: list[list[str]]) -> list[list[str]]:
    return [s for s in doc if s[0] in ("N1", "N2", "N3", "N4", "PER")]


def test_each_ship_to_goes_back_as_its_850_sent_it(night):
    """The 855 (N1 ST echoed with its address: each profile asks for it), the 856 (N1 ST after our N1 SF) and the
    810 (N1 ST after N1 BT) name each ship-to as the PO did: the territory's code in N404, the ZIP as sent (with or
    without the hyphen), the postal code without its space, N404 of three letters, the N2s, an N4 of city and
    country alone; a store named by its number alone with our store list's address on the 856 and 810."""
    ws, _found, _states = night
    sent = {
        ("islandclub", "IC7000101"): [["N1", "ST", "ISLAND CLUB TAMUNING", "92", "GU01"],
                                      ["N3", "590 S MARINE CORPS DR"], ["N4", "TAMUNING", "GU", "969131613", "GU"]],
        ("islandclub", "IC7000102"): [["N1", "ST", "ISLAND CLUB SAIPAN", "92", "MP02"],
                                      ["N3", "CHALAN PALE ARNOLD", "GUALO RAI"],
                                      ["N4", "SAIPAN", "MP", "96950", "MNP"]],
        # named by its number alone: the 855 echoes it so; the 856 and 810 add our store list's address (the
        # profile's ship_to_address_from_reference), the ZIP+4 and N404 as the list has them
        ("islandclub", "IC7000103"): [["N1", "ST", "", "92", "PR05"], ["N3", "RD 2 KM 11.7"],
                                      ["N4", "BAYAMON", "PR", "00961-7403", "US"]],
        ("islandclub", "IC7000104"): [["N1", "ST", "ISLAND CLUB ST CROIX", "92", "VI04"],
                                      ["N3", "4200 LA REINE SHOPPING CTR"],
                                      ["N4", "CHRISTIANSTED", "VI", "00820-4452", "VIR"]],
        ("islandclub", "IC7000105"): [["N1", "ST", "ISLAND CLUB TAFUNA", "92", "AS05"], ["N3", "PAVAIAI VILLAGE RTE 1"],
                                      ["N4", "PAGO PAGO", "AS", "96799", "AS"]],
        # the two N3s of the 850 as one N3 of two elements (N301, N302), nothing of either lost
        ("shopdirect", "SD7000201"): [["N1", "ST", "SGT MARIA MUÑOZ"], ["N2", "C/O 52ND FIGHTER WING"],
                                      ["N3", "UNIT 3640 BOX 210", "BLDG 125 ROOM 4"],
                                      ["N4", "APO", "AE", "09126-0210", "USA"]],
        ("shopdirect", "SD7000202"): [["N1", "ST", LIEUTENANT],
                                      ["N3", "USS RONALD REAGAN CVN 76", "UNIT 100245 BOX 12"],
                                      ["N4", "FPO", "AP", "963491234"]],
        ("shopdirect", "SD7000203"): [["N1", "ST", "DAVID OKAFOR"], ["N2", "US EMBASSY BOGOTA"],
                                      ["N3", "UNIT 5120 BOX 2000"], ["N4", "DPO", "AA", "34038", "US"]],
        ("nordmart", "NM7000301"): [["N1", "ST", "NORDMART DC MONTREAL", "92", "QC01"], ["N2", "QUAI DE RECEPTION 12"],
                                    ["N3", "9000 BOUL HENRI-BOURASSA O"], ["N4", "MONTREAL", "QC", "H4S1T8", "CAN"]],
        # its ship-to sent in the PO1 loop alone (the order's: no heading N1*ST), its N2 an N2 (was run into N102)
        ("nordmart", "NM7000302"): [["N1", "ST", "NORDMART IQALUIT", "92", "NU09"], ["N2", "RECEIVING DOOR 3"],
                                    ["N3", "1085 MIVVIK ST"], ["N4", "IQALUIT", "NU", "X0A0H0", "CA"]],
        ("travelretail", "TR7000401"): [["N1", "ST", "TRAVEL RETAIL CANCUN TERMINAL 3", "92", "MX11"],
                                        ["N3", "CARRETERA CANCUN-CHETUMAL KM 22"],
                                        ["N4", "CANCUN", "QR", "77565", "MEX"]],
        ("travelretail", "TR7000402"): [
            ["N1", "ST", "DUTY FREE AMERICAS HONG KONG INTERNATIONAL AIRPORT CONCESSN", "92", "HK02"],
            ["N2", "DEPARTURES EAST HALL LEVEL 7 RETAIL UNIT 7E-112 RECEIVING", "ATTN STORE MANAGER"],
            ["N3", "HONG KONG INTERNATIONAL AIRPORT"], ["N4", "HONG KONG", "", "", "HK"]],
    }
    for (partner, po), party in sent.items():
        ack = _parties(po_segments(segments(ws, partner, "855"), po, "BAK"))
        echoed = party[:1] if po == "IC7000103" else party
        assert ack[:len(echoed)] == echoed and (len(ack) == len(echoed) or ack[len(echoed)][0] == "N1"), ack
        inv = _parties(po_segments(segments(ws, partner, "810"), po, "BIG"))
        at = inv.index(party[0])
        assert inv[at:at + len(party)] == party, (partner, po, inv)
        asn = [s for s in segments(ws, partner, "856") if s[0] in ("BSN", "PRF", "N1", "N2", "N3", "N4")]
        mine = next(k for k, s in enumerate(asn) if s[:2] == ["PRF", po])
        start = max(k for k in range(mine) if asn[k][0] == "BSN")
        at = asn.index(party[0], start)
        assert asn[at:at + len(party)] == party, (partner, po, asn[start:mine])


def test_the_other_parties_and_the_consumer_s_contact_go_back_as_sent(night):
    """Nordmart's 855 names its buying party after the ship-to (N1 BY, profile buyer = true) with its N2; its 810 our
    Canadian remit-to (N1 RE, a postal code without the space), the bill-to with its N2 and address as sent, the
    ship-to, then the mark-for store (N1 Z7, its N102 as sent). The bill-to's and buying party's N2s used to be run
    into N102 ("NORDMART INC, ACCOUNTS PAYABLE DEPT 400"), and so the mark-for's on the 856 and 810 (the N2 is
    the loop's own segment; a long one was cut at N102's 60 characters). Its 856 carries the PER of the ship-to
    its Iqaluit order sent in the PO1 loop (ship_to_contact: it was not read from there); ShopDirect's 856 the
    consumer's PER after the ship-to's N4, its 810 the bill-to."""
    ws, _found, _states = night
    ack = _parties(po_segments(segments(ws, "nordmart", "855"), "NM7000301", "BAK"))
    assert ack[4:] == [["N1", "BY", "NORDMART BUYING OFFICE", "92", "BUY7"], ["N2", "ATTN J TREMBLAY"]]
    inv = _parties(po_segments(segments(ws, "nordmart", "810"), "NM7000301", "BIG"))
    assert inv[:7] == [["N1", "RE", "ORDERBRIDGE SUPPLY CANADA ULC", "92", "NM5530"], ["N3", "PO BOX 4090 STN A"],
                       ["N4", "TORONTO", "ON", "M5W0E9", "CA"], ["N1", "BT", "NORDMART INC", "92", "0001"],
                       ["N2", "ACCOUNTS PAYABLE DEPT 400"], ["N3", "500 RUE SAINT-JACQUES"],
                       ["N4", "MONTREAL", "QC", "H2Y 1S1", "CA"]]
    # the mark-for store as its N1 (N102 as sent; the 856 and 810 write a mark-for's N1 alone), its N2 not run in
    mark = ["N1", "Z7", "NORDMART STE-FOY", "92", "0214"]
    assert inv[-1] == mark
    asn = _parties(po_segments(segments(ws, "nordmart", "856"), "NM-SHP-01", "BSN"))
    assert [s for s in asn if s[:2] == ["N1", "Z7"]] == [mark] and ["N2", "LAURIER QUEBEC"] not in asn
    asn = _parties(po_segments(segments(ws, "nordmart", "856"), "NM-SHP-02", "BSN"))
    assert asn[asn.index(["N4", "IQALUIT", "NU", "X0A0H0", "CA"]) + 1] == ["PER", "IC", "RECEIVING", "TE", "8675550100"]
    asn = _parties(po_segments(segments(ws, "shopdirect", "856"), "SD-SHP-01", "BSN"))
    assert asn[asn.index(["N4", "APO", "AE", "09126-0210", "USA"]) + 1] == [
        "PER", "IC", "MARIA MUNOZ", "TE", "3145550101", "EM", "MARIA.MUNOZ@EXAMPLE.COM"]
    inv = _parties(po_segments(segments(ws, "shopdirect", "810"), "SD7000203", "BIG"))
    assert inv[0] == ["N1", "BT", "SHOPDIRECT LLC", "92", "SD01"]


def _checked(city: str, state: str, postal: str, country: str, served=("US", "CA")) -> list[tuple[str, str, str]]:
    """check_ship_to's findings (code, element, message) for a ship-to of an unknown id at that N4 (N3 1 MAIN ST)."""
    from rules.business import check_ship_to
    from schemas.empty import empty_table
    from schemas.reference import SHIP_TOS
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import order, orders_table

    row = order(ship_to_id="X1", ship_to_address1="1 MAIN ST", ship_to_city=city, ship_to_state=state or None,
                ship_to_postal_code=postal or None, ship_to_country=country or None)
    found = check_ship_to(orders_table(row), empty_table(SHIP_TOS), RuleSettings(ship_to_countries=served))
    return [(f.code, f.location.element, f.message) for f in found]


@pytest.mark.parametrize("n4", [
    ("SAN JUAN", "PR", "00907", "PR"), ("SAN JUAN", "PR", "00907-1234", "PRI"), ("SAN JUAN", "", "00907", "PR"),
    ("TAMUNING", "GU", "969131613", "GUM"), ("CHRISTIANSTED", "VI", "00820", "VI"), ("PAGO PAGO", "AS", "96799", "ASM"),
    ("SAIPAN", "MP", "96950", "MP"), ("SAIPAN", "MP", "96950", ""),
    # the freely associated states USPS serves as states (Publication 28): Kolonia, Majuro, Koror
    ("KOLONIA", "FM", "96941", "US"), ("MAJURO", "MH", "96960", "USA"), ("KOROR", "PW", "96940", ""),
    # the military post offices, by their own ZIPs
    ("APO", "AE", "09126-0210", "USA"), ("FPO", "AP", "963491234", ""), ("DPO", "AA", "34038", "US"),
    ("APO", "AE", "09094", "US"),
])
def test_a_us_address_of_a_territory_a_freely_associated_state_or_a_military_post_is_served(n4):
    """A partner we ship to the United States for is served in its territories, whatever N404 names them by (the
    territory's ISO code, alpha-2 or alpha-3: X12's RFI 1686 says no N404 at all, buyers' systems write one), with
    no N402 where N404 names the territory; FM, MH and PW are USPS states (were ADDRESS_IMPLAUSIBLE "'FM' is not a
    US state/province code"); a military ZIP of its own state passes."""
    assert _checked(*n4) == []


@pytest.mark.parametrize("n4", [("HONG KONG", "", "", "HK"), ("KOWLOON", "", "", "HKG"), ("DOHA", "", "", "QA"),
                                ("DUBLIN", "", "", "IE"), ("MACAU", "", "", "MO")])
def test_an_address_in_a_country_without_postal_codes_is_complete_without_one(n4):
    """N4 with the city and the country alone, in a country that has no postal codes (or none in general use):
    was ADDRESS_INCOMPLETE "The ship-to address has no postal code." and the order held."""
    assert _checked(*n4, served=("US", "HK", "QA", "IE", "MO")) == []


@pytest.mark.parametrize(("n4", "found"), [
    (("APO", "AE", "96301", "US"), ("N403", "ZIP '96301' is not one of AE: its ZIP codes start 090 to 098; USPS "
                                            "cannot route it to the state's post offices.")),
    (("APO", "AA", "09045", ""), ("N403", "ZIP '09045' is not one of AA: its ZIP codes start 340; USPS cannot route it "
                                          "to the state's post offices.")),
    (("SAN JUAN", "PR", "10907", "PR"), ("N403", "ZIP '10907' is not one of PR: its ZIP codes start 006, 007 or 009; "
                                                 "USPS cannot route it to the state's post offices.")),
    (("PAGO PAGO", "AS", "96701", "US"), ("N403", "ZIP '96701' is not one of AS: its ZIP codes start 96799; USPS "
                                                  "cannot route it to the state's post offices.")),
    (("SAN JUAN", "GU", "00907", "PR"), ("N402", "'GU' is not the state of 'PR': a U.S. territory's N402 is its own "
                                                 "code, PR.")),
    (("SAN JUAN", "PR", "0090", "PRI"), ("N403", "'0090' is not a valid US postal code.")),
    (("WAKE ISLAND", "", "96898", "UM"), ("N404", "Country 'UM' is not one we ship to (US, CA).")),
    (("OTTAWA", "ON", "K1A0B", "CA"), ("N403", "'K1A0B' is not a valid CA postal code.")),
    (("LONDON", "", "SW1A 1AA", "GB"), ("N404", "Country 'GB' is not one we ship to (US, CA).")),
    (("APO", "AE", "09126", "DE"), ("N404", "Country 'DE' is not one we ship to (US, CA). N402 'AE' is a U.S. military "
                                            "post office's (APO / FPO / DPO): such an address is in the United States "
                                            "(N404 US, or none) whatever country the post is in.")),
])
def test_an_address_that_cannot_be_delivered_is_a_clear_finding(n4, found):
    """A military or territory ZIP of another state (an AP ZIP in an APO AE address, the example of AA some
    shipping guides print with an AE ZIP), a territory named in N404 with another's state, a ZIP too short, a
    country not served (an APO address with the host country in N404: told that it is a U.S. one): each one
    ADDRESS_IMPLAUSIBLE at the element, saying why (the order is held for a person)."""
    assert _checked(*n4) == [("ADDRESS_IMPLAUSIBLE", *found)]


def test_a_postal_code_is_still_required_where_the_country_has_them():
    none = [("ADDRESS_INCOMPLETE", "N403", "The ship-to address has no postal code.")]
    assert _checked("MONTERREY", "NL", "", "MX", served=("US", "MX")) == none
    assert _checked("ALBANY", "NY", "", "") == none


# --- an 860 moving a drop ship's consumer ------------------------------------------------------------------------
CONSUMER = "SGT MARIA MUÑOZ"
OLD_PER = ["PER", "IC", "MARIA MUNOZ", "TE", "3145550101", "EM", "MARIA.MUNOZ@EXAMPLE.COM"]


def _changed(tmp_path, heading: list[str], pocs: list[str] = ()):
    """ShopDirect's SD7000201 taken at NIGHT, its 860 (``heading`` segments before ``pocs``) taken two nights later,
    then shipped at SHIP_DAY and delivered: (ws, findings as (code, message), states)."""
    from tests.retailer_support import findings_and_states
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"shopdirect": ["SD850_20261124.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    body = ["ST*860*71021", "BCH*04*DS*SD7000201**1*20261126", *heading, *pocs, f"CTT*{len(pocs)}"]
    body.append(f"SE*{len(body) + 1}*71021")
    text = "~".join([
        "ISA*00*          *00*          *ZZ*SHOPDIRECT     *ZZ*ORDERBRIDGE    *261126*0200*^*00501*000007102*0*P*>",
        "GS*PC*SHOPDIRECT*ORDERBRIDGE*20261126*0200*7102*X*005010", *body, "GE*1*7102", "IEA*1*000007102"]) + "~"
    (ws.drop_root / "shopdirect" / "inbox" / "SD860_20261126.x12").write_text(text, encoding="utf-8")
    run_stages(ws, datetime(2026, 11, 27, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(True)
    (inbox / "east-shipments-20261201.csv").write_text(
        "".join(r for r in rows if r.startswith("Shipment ID") or ",SD7000201," in r), encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    found, states = findings_and_states(ws)
    return ws, [f for f in found if f[0] != "ASN_LATE"], states


def test_an_860_moving_the_consumer_to_another_apo_ships_and_bills_there_with_its_own_n2_and_per(tmp_path):
    """The consumer moves (another unit, another APO ZIP), the 860's N1 ST loop with its N2 care-of line and PER:
    the revised 855 (change_ack = "855"), the 856 and the 810 name the new address, its N2 as an N2. The 860's N2
    used to be run into N102 ("SGT MARIA MUÑOZ C/O 31ST FIGHTER WING": cut at 60 characters where longer), and the
    856 carried the old address's PER (the consumer's old phone and e-mail) under the new address: the 860's PER was
    not read, the order's was kept. Now the party is replaced whole: its N2s and its PER (none sent: none written)."""
    new = [["N1", "ST", CONSUMER], ["N2", "C/O 31ST FIGHTER WING"], ["N3", "UNIT 6140 BOX 105"],
           ["N4", "APO", "AE", "09604-0105", "USA"]]
    per = ["PER", "IC", "MARIA MUNOZ", "TE", "3145550199"]
    ws, found, states = _changed(tmp_path, ["*".join(s) for s in [*new, per]])
    assert [code for code, _message in found] == ["CHANGE_HEADER_APPLIED"]
    assert states[("shopdirect", "SD7000201")] == "invoiced"
    revised = _parties(next(d for d in _sets(segments(ws, "shopdirect", "855")) if d[0][1:4] == ["05", "AD",
                                                                                                   "SD7000201"]))
    assert revised == new
    asn = _parties(po_segments(segments(ws, "shopdirect", "856"), "SD-SHP-01", "BSN"))
    assert asn[3:] == [*new, per]
    assert _parties(po_segments(segments(ws, "shopdirect", "810"), "SD7000201", "BIG"))[1:] == new


def test_an_860_moving_the_consumer_without_a_per_leaves_the_old_one_out(tmp_path):
    new = [["N1", "ST", CONSUMER], ["N3", "UNIT 6140 BOX 105"], ["N4", "APO", "AE", "09604-0105"]]
    ws, found, _states = _changed(tmp_path, ["*".join(s) for s in new])
    assert [code for code, _message in found] == ["CHANGE_HEADER_APPLIED"]
    asn = _parties(po_segments(segments(ws, "shopdirect", "856"), "SD-SHP-01", "BSN"))
    assert asn[3:] == new and OLD_PER not in asn


def test_an_860_restating_the_ship_to_with_its_n2_and_two_n3s_changes_nothing(tmp_path):
    """The 850's party sent again as it was (a partner restates the ship-to on every 860: N2 and a second N3 too):
    nothing moves. It used to read as another party (the 860 joined N2 to the name with a space and the second N3's
    street with a space, the 850 with ", "): CHANGE_HEADER_APPLIED "ship-to SGT MARIA MUÑOZ, C/O 52ND FIGHTER WING
    APO -> SGT MARIA MUÑOZ C/O 52ND FIGHTER WING APO", the order decided again, and the 856 and 810 wrote
    "SGT MARIA MUÑOZ C/O 52ND FIGHTER WING" in N102 without its N2."""
    sent = ["N1*ST*SGT MARIA MUÑOZ", "N2*C/O 52ND FIGHTER WING", "N3*UNIT 3640 BOX 210", "N3*BLDG 125 ROOM 4",
            "N4*APO*AE*09126-0210*USA"]
    ws, found, states = _changed(tmp_path, sent)
    assert found == [] and states[("shopdirect", "SD7000201")] == "invoiced"
    assert [d[0][1] for d in _sets(segments(ws, "shopdirect", "855"))] == ["00"] * 3  # no revision: nothing changed
    asn = _parties(po_segments(segments(ws, "shopdirect", "856"), "SD-SHP-01", "BSN"))
    assert asn[3:] == [["N1", "ST", CONSUMER], ["N2", "C/O 52ND FIGHTER WING"],
                       ["N3", "UNIT 3640 BOX 210", "BLDG 125 ROOM 4"], ["N4", "APO", "AE", "09126-0210", "USA"],
                       OLD_PER]


def test_an_860_naming_a_line_s_own_new_ship_to_is_taken_and_decided_as_an_850_line_s(tmp_path):
    """A POC loop's N1*ST (the line's goods to another address) is the line's new ship-to, as an 850's PO1 loop N1*ST
    is the line's: the quantity change and the address are taken, the order decided again and held, as the 850 would
    be, for a person (LINE_SHIP_TO_DIFFERS: the line no longer goes to the order's consumer). It used to be told
    (CHANGE_LINE_SHIP_TO_NOT_APPLIED) and the line shipped to the order's address."""
    ws, found, states = _changed(tmp_path, [], ["POC*1*QI*2*1*EA*19.99**UP*614141570133*VN*RG70-03",
                                                "N1*ST*SGT MARIA MUNOZ", "N3*UNIT 6140 BOX 105",
                                                "N4*APO*AE*09604-0105"])
    codes = [code for code, _m in found]
    assert "CHANGE_LINE_SHIP_TO_NOT_APPLIED" not in codes and "LINE_SHIP_TO_DIFFERS" in codes, found
    [told] = [m for code, m in found if code == "LINE_SHIP_TO_DIFFERS"]
    assert "SGT MARIA MUNOZ" in told and states[("shopdirect", "SD7000201")] == "held"
    # its new APO address passes the checks an 850 line's would (no ADDRESS_* finding)
    assert not [c for c in codes if c.startswith("ADDRESS_")]


def _sets(segs: list[list[str]]) -> list[list[list[str]]]:
    """Each set of ``segs`` from its heading segment (after ST) to SE."""
    out: list[list[list[str]]] = []
    for s in segs:
        if s[0] == "ST":
            out.append([])
        elif out and s[0] != "SE":
            out[-1].append(s)
    return out


def test_an_860_restating_the_buyer_or_bill_to_with_its_n2_is_no_other_party():
    """An 860 repeating the order's own N1*BY or N1*BT loop sent by name (no id) with its N2 and a second N3, as the
    850 did: nothing to name. The 860 joined the N2 to the name and the second N3's street to address2 with a space
    (the 850 with ", "), so the same party read as another: CHANGE_HEADER_NOT_APPLIED "an 860 does not change the
    order's parties ... check it by hand" on every such 860."""
    from engine.changes import apply_changes
    from parsers.orders_860 import read_changes
    from tests.changes.builders import change_body, live_order, parse_860, sets_860, x12_860

    order, lines = live_order()
    order = {**order, "buyer_name": "NORDMART BUYING OFFICE, ATTN J TREMBLAY", "buyer_id_qualifier": None,
             "buyer_id": None, "bill_to_name": "NORDMART INC, ACCOUNTS PAYABLE", "bill_to_id_qualifier": None,
             "bill_to_id": None, "bill_to_address1": "500 RUE SAINT-JACQUES", "bill_to_address2": "BUREAU 4, ETAGE 2"}

    def named(heading: list[str]) -> list[str]:
        body = change_body(["POC*1*QI*20**EA"])
        result = parse_860(x12_860([body[0], *heading, *body[1:]]))
        headers, changes = read_changes(result, sets_860(result), partner="acme")
        return [f.message for f in apply_changes(order, lines, headers.to_pylist()[0], changes, shipped=False).findings
                if f.code == "CHANGE_HEADER_NOT_APPLIED"]

    assert named(["N1*BY*NORDMART BUYING OFFICE", "N2*ATTN J TREMBLAY"]) == []
    assert named(["N1*BT*NORDMART INC", "N2*ACCOUNTS PAYABLE", "N3*500 RUE SAINT-JACQUES*BUREAU 4",
                  "N3*ETAGE 2"]) == []
    # another attention line is another party still: named
    assert len(named(["N1*BY*NORDMART BUYING OFFICE", "N2*ATTN M GAGNON"])) == 1
