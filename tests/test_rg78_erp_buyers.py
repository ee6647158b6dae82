"""Purchase orders written by buyers' ERPs rather than by retail translators, in the shapes their public EDI and
IDoc documentation describes (SAP's ORDERS05 and ORDCHG through SAP PI and Integration Suite: EKPO's item numbers
EBELP, NUMC 5, 00010/00020; material numbers MATNR, 18 characters zero-padded in ECC, 40 in S/4HANA; quantities
MENGE with three decimals; the price unit PEINH, a price per 100; plant and storage location WERKS/LGORT; Oracle
E-Business Suite's e-Commerce Gateway POO and its blanket releases; JD Edwards' line numbers LNID with three
decimals; Dynamics 365's number sequences per legal entity. Facts carried over, the files written here):
tests/fixtures/rg78/ holds each buyer's profile, reference rows, stock, 850s, 860s and the east DC's confirmation (the
rg2 DC). Brenner Pumpen (SAP ECC through SAP PI: BEG02 SA, REF*VR our ten-digit vendor number, PER*BD the purchasing
group, the header text over three MSG, N1*BY the company code and N1*ST the plant 92 1000 with its storage location
in N2; PO1 00010/00020/00030, 10.000 EA, BP the 18-digit material number, one line by BP alone; washers at 46.00 per
100, PO105 HP; the O-rings' delivery schedule in two SCH; its ORDCHG 860 resending every item as POC*CA); Vantor
(S/4HANA through Integration Suite, 005010 from its DUNS: a release order against a contract, BEG02 RL with no BEG04,
the contract in REF*CT and each PO1 CT; the units SAP's ISO table gives, CT and EA; its 860 sending the changed item
alone, answered by an 865); Halvorsen Foods (Oracle EBS: a blanket release, BEG03 the agreement and BEG04 the release
number; prices to five decimals; the buyer as Oracle names people, LAST, FIRST; N1*BT the operating unit); Corliss
Equipment (JD Edwards: PO1 1.000/2.000/3.000, the order type and company in REF*ZZ with REF03 saying which, the
branch/plant M30); Ostrander Supply (Dynamics 365 F&O through an EDI add-on: PO-000418 from the legal entity USMF,
N1*BY 92 USMF, the warehouse N1*ST 92 WH-CHI, quantities 24.00, a delivery date per line). One night takes them all:
inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12; each ERP's line number
and material number echoed as sent, as it matches its confirmations, goods receipts and invoices on them.

Fixed: a buyer's number kept in the cross-reference without the leading zeros its ERP pads it with (the 123458 of
SAP's screens and printed POs for the 000000000000123458 of its IDoc) matched nothing: the line was rejected (ACK IR,
ITEM_UNKNOWN). A PO number a Dynamics 365 legal entity (or an SAP company code on a number range of its own) reuses
for another order, its lines other than the order held, was a resend's warning (ORDER_DUPLICATE, "this copy is not
processed"): the second company's order lost in silence; so was one of the same lines, told apart by its N1*BY and
N1*ST alone (the order now keeps them). Two heading REF*ZZ (JD Edwards' order type and company) were written back
as the first alone (every heading REF is now kept with its REF03). A unit code in small letters (PO103 ea) passed
the 997 and was rejected on the 855 (UNIT_UNKNOWN): it is read as its code (EA), with a warning."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    findings_and_states,
    inspected,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
    variant_night,
)
from tests.support import REPO, deliver_all, run_stages, ship_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg78"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
SHIPMENTS = FIXTURES / "shipments" / "east-shipments-20261201.csv"

POS = {"brenner": {"4500081234": 3}, "vantor": {"4500312001": 2}, "oracle": {"6012": 2}, "jde": {"20145": 3},
       "dynamics": {"PO-000418": 2}}
# Brenner's header text (N9*L1/MSG) and Halvorsen's attachment go to a person; Brenner's O-ring schedule (SCH) is
# named for the warehouse; its washers' price per 100 is restated per each and told
NOTED = {"NOTES_NOT_KEPT", "SCH_NOT_APPLIED", "PRICE_BASIS_CONVERTED"}
# Vantor's and Oracle's releases (4500312001, 6012 release 3) name blankets they never sent us (tests/test_rg89d.py)
NIGHT_NOTED = NOTED | {"ASN_LATE", "RELEASE_BLANKET_UNKNOWN"}


def _variant(partner, po, tmp_path, swaps=(), **kw):
    return variant_night(FIXTURES, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, **kw)


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg78") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)
    told = {(f[0], f[2]): f[3] for f in found if f[0] in NOTED}
    assert set(told) == {("NOTES_NOT_KEPT", "4500081234"), ("NOTES_NOT_KEPT", "6012"),
                         ("SCH_NOT_APPLIED", "4500081234"), ("PRICE_BASIS_CONVERTED", "4500081234")}
    # SAP's header text over three MSG and Oracle's attachment, each said as sent
    assert ("(N9 L1 HEADER TEXT) 'PACKAGE MUST SHOW OUR PO NUMBER AND ITEM NUMBER. MATERIAL CERTIFICATES'; (N9 L1 "
            "HEADER TEXT) '3.1 PER EN 10204 TO BE SENT WITH THE GOODS.'") in told["NOTES_NOT_KEPT", "4500081234"]
    assert "'SHIP COMPLETE. PALLETS NO HIGHER THAN 60 IN. CALL RECEIVING 24 HRS AHEAD.'" in told[
        "NOTES_NOT_KEPT", "6012"]
    assert "line 00030: 200.000 EA 002 20261208, 200.000 EA 002 20261222" in told["SCH_NOT_APPLIED", "4500081234"]
    assert told["PRICE_BASIS_CONVERTED", "4500081234"].startswith(
        "PO104 46 with PO105 HP is the price of 100 EA: taken as 0.46")


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def test_sap_item_and_material_numbers_are_echoed_as_sent(night):
    """SAP matches its order confirmations, inbound deliveries and invoices on the PO item (EBELP, 00010) and the
    material: PO101 and BP come back exactly as sent, leading zeros and all, on the 855, the 856's LIN and the 810's
    IT1; the quantities sent with SAP's three decimals (10.000) are answered as the numbers they are; the washers
    sent at 46.00 per 100 (PEINH 100, PO105 HP) are acknowledged and billed at 0.46 per each, PE."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "brenner", "855"), "4500081234", "BAK")
    assert [s for s in ack if s[0] in ("PO1", "ACK")] == [
        ["PO1", "00010", "10", "EA", "12.5", "PE", "BP", "000000000000123456", "VP", "RG78-01"],
        ["ACK", "IA", "10", "EA", "068", "20261125"],
        ["PO1", "00020", "250", "EA", "0.46", "PE", "BP", "000000000000123457", "VP", "RG78-02"],
        ["ACK", "IA", "250", "EA", "068", "20261125"],
        ["PO1", "00030", "400", "EA", "0.38", "PE", "BP", "000000000000123458"],
        ["ACK", "IA", "400", "EA", "068", "20261125"]]
    assert ["REF", "IA", "0000104522"] in ack
    asn = po_segments(segments(ws, "brenner", "856"), "BR-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "LIN"] == [["LIN", "00010", "BP", "000000000000123456", "VP", "RG78-01"],
                                                 ["LIN", "00020", "BP", "000000000000123457", "VP", "RG78-02"],
                                                 ["LIN", "00030", "BP", "000000000000123458"]]
    inv = po_segments(segments(ws, "brenner", "810"), "4500081234", "BIG")
    assert [s for s in inv if s[0] == "IT1"] == [
        ["IT1", "00010", "10", "EA", "12.5", "PE", "BP", "000000000000123456", "VP", "RG78-01"],
        ["IT1", "00020", "250", "EA", "0.46", "PE", "BP", "000000000000123457", "VP", "RG78-02"],
        ["IT1", "00030", "400", "EA", "0.38", "PE", "BP", "000000000000123458"]]
    assert ["TDS", "39200"] in inv  # 125.00 + 115.00 + 152.00
    # the plant and its storage location, the company code, as sent
    for doc in (asn, inv):
        assert ["N1", "ST", "BRENNER PUMPEN PLANT ROCKFORD", "92", "1000"] in doc
        assert ["N2", "SLOC 0001 MAIN STORES"] in doc and ["N1", "BY", "BRENNER PUMPEN INC", "92", "1000"] in doc


def test_an_s4_release_order_against_a_contract_quotes_the_contract_back(night):
    """Vantor's S/4HANA release order (BEG02 RL, no BEG04: SAP's release order is a PO of its own) names its contract
    in REF*CT and on each line (PO1 CT): taken as an order, answered and shipped in 005010 to its DUNS, the contract
    quoted back on the 855, 856 and 810 and on each line; the carton sent with SAP's contract price basis (PO105
    CT) echoed."""
    ws, _found, _states = night
    for kind in ("997", "855", "856", "810"):
        segs = segments(ws, "vantor", kind)
        assert all(s[7:9] == ["01", "079412556      "] for s in segs if s[0] == "ISA"), kind
        assert all(s[3] == "VANTORCPI" and s[8] == "005010" for s in segs if s[0] == "GS"), kind
    ack = po_segments(segments(ws, "vantor", "855"), "4500312001", "BAK")
    assert ack[0][:6] == ["BAK", "00", "AD", "4500312001", "20261124", ""] and ["REF", "CT", "4600001188"] in ack
    assert ["PO1", "00010", "12", "CT", "38.4", "CT", "BP", "HYD-OIL-ISO46-20L", "VP", "RG78-05", "CT",
            "4600001188"] in ack
    asn = po_segments(segments(ws, "vantor", "856"), "VA-SHP-01", "BSN")
    assert ["PRF", "4500312001", "", "", "20261124"] in asn and ["REF", "CT", "4600001188"] in asn
    assert ["N1", "ST", "VANTOR MILWAUKEE PLANT", "92", "1710"] in asn and ["N2", "STORAGE LOCATION 171A"] in asn
    inv = po_segments(segments(ws, "vantor", "810"), "4500312001", "BIG")
    assert ["REF", "CT", "4600001188"] in inv and ["ITD", "01", "3", "", "", "", "", "45"] in inv
    assert ["IT1", "00020", "40", "EA", "21.75", "", "BP", "BRG-6205-2RS", "VP", "RG78-04", "CT", "4600001188"] in inv
    assert ["TDS", "133080"] in inv  # 12 cartons at 38.40 + 40 at 21.75


def test_an_oracle_blanket_release_is_answered_by_agreement_and_release(night):
    """Oracle EBS sends a release of a blanket agreement as BEG03 the agreement (6012) and BEG04 the release (3): the
    855 names both (BAK03, BAK05), the 856 (PRF01, PRF02) and the 810 (BIG04, BIG05) too; the film bags' price to five
    decimals (0.04125) is kept to the last digit on the 855 and 810 and in the total."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "oracle", "855"), "6012", "BAK")
    assert ack[0] == ["BAK", "00", "AD", "6012", "20261124", "3", "", "", "", "20261125"]
    assert ["PO1", "1", "5000", "EA", "0.04125", "PE", "BP", "FB-1108", "VP", "RG78-06"] in ack
    asn = po_segments(segments(ws, "oracle", "856"), "HF-SHP-01", "BSN")
    assert ["PRF", "6012", "3", "", "20261124"] in asn
    inv = po_segments(segments(ws, "oracle", "810"), "6012", "BIG")
    assert inv[0][:6] == ["BIG", "20261201", inv[0][2], "20261124", "6012", "3"]
    assert ["IT1", "1", "5000", "EA", "0.04125", "PE", "BP", "FB-1108", "VP", "RG78-06"] in inv
    assert ["IT1", "2", "24", "BX", "9.86", "", "BP", "LB-4471", "VP", "RG78-07"] in inv
    assert ["TDS", "44289"] in inv  # 206.25 + 236.64
    assert ["N1", "BT", "HALVORSEN FOODS OU US", "92", "204"] in inv


def test_jd_edwards_line_numbers_with_their_decimals_are_echoed(night):
    """JD Edwards numbers its lines 1.000, 2.000 (LNID): every document names each line as sent, never 1 or 1.0."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "jde", "855"), "20145", "BAK")
    assert [s[1] for s in ack if s[0] == "PO1"] == ["1.000", "2.000", "3.000"]
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "6", "EA"], ["IA", "30", "BX"], ["IA", "2", "EA"]]
    asn = po_segments(segments(ws, "jde", "856"), "CE-SHP-01", "BSN")
    assert [s[1] for s in asn if s[0] == "LIN"] == ["1.000", "2.000", "3.000"]
    inv = po_segments(segments(ws, "jde", "810"), "20145", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1.000", "6", "EA", "48.2"], ["2.000", "30", "BX", "7.4"],
                                                      ["3.000", "2", "EA", "312"]]
    assert ["TDS", "113520"] in inv and ["N1", "ST", "CORLISS EQUIPMENT CEDAR RAPIDS", "92", "M30"] in inv


def test_a_dynamics_legal_entity_and_warehouse_are_named_back(night):
    """Dynamics 365 names the legal entity that buys (N1*BY 92 USMF) and its warehouse (N1*ST 92 WH-CHI): both come
    back on the 856 and 810; 24.00 EA answered as 24."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "dynamics", "855"), "PO-000418", "BAK")
    assert ["PO1", "1", "24", "EA", "14.95", "", "VP", "RG78-01", "BP", "D0001"] in ack
    inv = po_segments(segments(ws, "dynamics", "810"), "PO-000418", "BIG")
    asn = po_segments(segments(ws, "dynamics", "856"), "OS-SHP-01", "BSN")
    for doc in (asn, inv):
        assert ["N1", "BY", "OSTRANDER SUPPLY USMF", "92", "USMF"] in doc
        assert ["N1", "ST", "OSTRANDER CHICAGO WAREHOUSE", "92", "WH-CHI"] in doc
    assert ["TDS", "49380"] in inv


def _changed(tmp_path, partner, change, shipped_swaps):
    """The partner's 850 taken on the night of 11-25, its 860 (changes/) on 11-26, the DC's confirmation of its PO
    (``shipped_swaps`` made in it) on 12-01: the workspace."""
    drop = next((FIXTURES / "drops" / partner).iterdir())
    ws = of_its_own(FIXTURES, tmp_path / "ws", {partner: [drop.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(FIXTURES / "changes" / change, ws.drop_root / partner / "inbox" / change)
    run_stages(ws, datetime(2026, 11, 26, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    po = next(iter(POS[partner]))
    rows = SHIPMENTS.read_text(encoding="utf-8").splitlines(True)
    text = "".join(r for r in rows if r.startswith("Shipment") or f",{po}," in r)
    for old, new in shipped_swaps:
        assert old in text
        text = text.replace(old, new)
    (inbox / SHIPMENTS.name).write_text(text, encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    return ws


def test_an_sap_change_resending_every_item_as_ca_changes_only_the_one_that_changed(tmp_path):
    """SAP's ORDCHG sends the whole order again, every item as POC*CA (quantities 10.000, the washers again at 46.00
    per 100): only the washers changed, 250 -> 300. Brenner is answered by a revised 855 (BAK01 05): every item as
    sent, the washers at 300, the others as acknowledged before; 300 ship and are billed."""
    ws = _changed(tmp_path, "brenner", "SAPPI_ORDCHG_4500081234.x12",
                  [(",00020,RG78-02,250,", ",00020,RG78-02,300,")])
    assert ["AK2", "860", "0001"] in segments(ws, "brenner", "997")
    assert [s[1] for s in segments(ws, "brenner", "997") if s[0] == "AK5"] == ["A", "A"]
    answers = segments(ws, "brenner", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    revised = revised[:next(k for k, s in enumerate(revised) if s[0] == "SE")]
    assert [s for s in revised if s[0] in ("PO1", "ACK")] == [
        ["PO1", "00010", "10", "EA", "12.5", "PE", "BP", "000000000000123456", "VP", "RG78-01"],
        ["ACK", "IA", "10", "EA", "068", "20261126"],
        ["PO1", "00020", "300", "EA", "0.46", "PE", "BP", "000000000000123457", "VP", "RG78-02"],
        ["ACK", "IA", "300", "EA", "068", "20261126"],
        ["PO1", "00030", "400", "EA", "0.38", "PE", "BP", "000000000000123458"],
        ["ACK", "IA", "400", "EA", "068", "20261126"]]
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"]))
    assert states == {("brenner", "4500081234"): "invoiced"}
    assert not [f for f in found if f[1] == "error"]
    inv = segments(ws, "brenner", "810")
    assert ["IT1", "00020", "300", "EA", "0.46", "PE", "BP", "000000000000123457", "VP", "RG78-02"] in inv
    assert ["TDS", "41500"] in inv


def test_an_s4_change_of_one_item_is_answered_by_an_865_for_that_item(tmp_path):
    """Vantor's 860 (005010, BCH02 RL) sends the bearings alone, raised 40 -> 60 (POC*00020*QI*60*20): its 865
    answers that item, echoed as sent with the contract; 60 ship and are billed, the oil as before."""
    ws = _changed(tmp_path, "vantor", "CPI_860_4500312001.x12", [(",00020,RG78-04,40,", ",00020,RG78-04,60,")])
    answer = segments(ws, "vantor", "865")
    assert [s[0] for s in answer if s[0] in ("BCA", "POC", "ACK")] == ["BCA", "POC", "ACK"]
    assert ["POC", "00020", "QI", "60", "20", "EA", "21.75", "", "BP", "BRG-6205-2RS", "VP", "RG78-04", "CT",
            "4600001188"] in answer
    assert [s[:4] for s in answer if s[0] == "ACK"] == [["ACK", "IQ", "60", "EA"]]
    _found, states = findings_and_states(ws)
    assert states == {("vantor", "4500312001"): "invoiced"}
    inv = segments(ws, "vantor", "810")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["00010", "12"], ["00020", "60"]]
    assert ["TDS", "176580"] in inv  # 460.80 + 60 x 21.75


def _with_reference(tmp_path, swaps, rows=(), name="partner_items.csv"):
    """A copy of the sweep's fixtures whose reference/``name`` has ``swaps`` made and ``rows`` added: its folder."""
    copy = tmp_path / "src" / "rg78"
    shutil.copytree(FIXTURES, copy)
    table = copy / "reference" / name
    text = table.read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    table.write_text(text + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return copy


def _o_rings_as(tmp_path, sent, kept, rows=()):
    """Brenner's PO alone, its O-rings' material number sent as ``sent`` and kept in the cross-reference as
    ``kept`` (``rows`` added to it): shipped_night's (ws, findings with messages, states)."""
    fixtures = _with_reference(tmp_path, [("brenner,BP,000000000000123458,", f"brenner,BP,{kept},")], rows)
    return variant_night(fixtures, "brenner", "4500081234", tmp_path, [(b"BP*000000000000123458~",
                                                                       f"BP*{sent}~".encode())],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)


@pytest.mark.parametrize("kept, sent", [("123458", "000000000000123458"),
                                        ("000000000000123458", "123458"),
                                        ("123458", "0000000000000000000000000000000000123458")],
                         ids=["padded-in-the-po", "padded-in-the-cross-reference", "s4-40-digits"])
def test_a_material_number_with_or_without_sap_s_leading_zeros_finds_the_buyer_s_item(kept, sent, tmp_path):
    """SAP pads a material number of digits alone with leading zeros (18 in ECC, 40 in S/4HANA) in its IDocs, and
    shows it without them on its screens and printed POs, whence a supplier's cross-reference is often kept. The
    O-ring line names its material by BP alone: kept one way and sent the other, it matched nothing, the line
    rejected (ACK IR, ITEM_UNKNOWN) and never shipped. Now a buyer's number of digits alone matches without its
    leading zeros, after every exact match, when it names one item alone; the number is echoed as sent."""
    ws, found, states = _o_rings_as(tmp_path, sent, kept)
    assert "ITEM_UNKNOWN" not in {f[0] for f in found} and not [f for f in found if f[1] == "error"]
    assert states == {("brenner", "4500081234"): "invoiced"}
    ack = po_segments(segments(ws, "brenner", "855"), "4500081234", "BAK")
    assert ack[-3:-1] == [["PO1", "00030", "400", "EA", "0.38", "PE", "BP", sent],
                          ["ACK", "IA", "400", "EA", "068", "20261125"]]
    assert ["LIN", "00030", "BP", sent] in segments(ws, "brenner", "856")
    assert ["IT1", "00030", "400", "EA", "0.38", "PE", "BP", sent] in segments(ws, "brenner", "810")


@pytest.mark.parametrize("kept, sent, rows", [
    # two of the buyer's numbers that differ only in their leading zeros name two items: neither is guessed
    ("123458", "000000000000123458", ["brenner,BP,0123458,RG78-01"]),
    # a number of other characters than digits: its zeros may be part of it
    ("A123458", "0A123458", []),
    # the zeros of another partner's number, or of a number under another qualifier, say nothing of this one's
    ("999999", "000000000000123458", ["vantor,BP,123458,RG78-03", "brenner,VP,123458,RG78-03"]),
], ids=["two-items", "not-digits-alone", "another-partner-or-qualifier"])
def test_a_number_whose_zeros_could_name_another_item_is_never_guessed(kept, sent, rows, tmp_path):
    ws, found, _states = _o_rings_as(tmp_path, sent, kept, rows)
    assert [f[3] for f in found if f[0] == "ITEM_UNKNOWN"] == [
        f"No item matches BP {sent} (brenner's cross-reference)."]
    ack = po_segments(segments(ws, "brenner", "855"), "4500081234", "BAK")
    assert ack[-2][:2] == ["ACK", "IR"]


def test_a_price_per_thousand_not_exact_per_each_is_answered_and_billed_per_thousand(tmp_path):
    """SAP's price unit 1000 (PEINH): the O-rings at 381.25 per 1000 (PO105 TP), 0.38125 each, our price. A price per
    many is restated per each only where that is exact at 4 decimals; this one is acknowledged and billed as sent,
    381.25 TP, and the 810's total counts 400 of them at 0.38125: 152.50."""
    fixtures = _with_reference(tmp_path, [("brenner,RG78-03,0.3800,", "brenner,RG78-03,0.38125,")], name="prices.csv")
    ws, found, states = variant_night(fixtures, "brenner", "4500081234", tmp_path, [
        (b"PO1*00030*400.000*EA*0.38*PE*", b"PO1*00030*400.000*EA*381.25*TP*")], warehouses=WAREHOUSES, night=NIGHT,
        ship_day=SHIP_DAY)
    assert states == {("brenner", "4500081234"): "invoiced"} and not [f for f in found if f[1] == "error"]
    assert not [f for f in found if f[0].startswith("PRICE") and "381.25" in f[3]]
    ack = po_segments(segments(ws, "brenner", "855"), "4500081234", "BAK")
    assert ["PO1", "00030", "400", "EA", "381.25", "TP", "BP", "000000000000123458"] in ack
    assert ["ACK", "IA", "400", "EA", "068", "20261125"] in ack
    inv = po_segments(segments(ws, "brenner", "810"), "4500081234", "BIG")
    assert ["IT1", "00030", "400", "EA", "381.25", "TP", "BP", "000000000000123458"] in inv
    assert ["TDS", "39250"] in inv  # 125.00 + 115.00 + 152.50


def test_a_confirmation_naming_sap_items_without_their_zeros_ships_them(tmp_path):
    """A confirmation kept in a spreadsheet loses the leading zeros of SAP's item numbers (10 for 00010): each line
    is found, and the 856 and 810 name it as the PO did, 00010."""
    ws, found, states = _variant("brenner", "4500081234", tmp_path, shipped_swaps=[
        (",00010,", ",10,"), (",00020,", ",20,"), (",00030,", ",30,")])
    assert states == {("brenner", "4500081234"): "invoiced"} and not [f for f in found if f[1] == "error"]
    assert [s[1] for s in segments(ws, "brenner", "856") if s[0] == "LIN"] == ["00010", "00020", "00030"]
    assert [s[1:3] for s in segments(ws, "brenner", "810") if s[0] == "IT1"] == [["00010", "10"], ["00020", "250"],
                                                                                 ["00030", "400"]]


def test_an_oracle_change_of_a_release_is_answered_by_a_revised_855_of_that_release(tmp_path):
    """Oracle's change order (POCO) names the release (BCH03 6012, BCH04 3) and sends every line: the film bags cut
    5000 -> 4000 (QD), the labels as they were (NC, concurrent item, no change). Halvorsen takes no 865: a revised
    855 (BAK01 05) names agreement and release, 4000 bags; 4000 ship and are billed under BIG04 6012, BIG05 3."""
    ws = _changed(tmp_path, "oracle", "POCO_860_6012_3.x12", [(",6012,1,RG78-06,5000,", ",6012,1,RG78-06,4000,")])
    answers = segments(ws, "oracle", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    revised = revised[:next(k for k, s in enumerate(revised) if s[0] == "SE")]
    assert revised[0] == ["BAK", "05", "AD", "6012", "20261124", "3", "", "", "", "20261126"]
    assert [s for s in revised if s[0] in ("PO1", "ACK")] == [
        ["PO1", "1", "4000", "EA", "0.04125", "PE", "BP", "FB-1108", "VP", "RG78-06"],
        ["ACK", "IA", "4000", "EA", "068", "20261126"],
        ["PO1", "2", "24", "BX", "9.86", "", "BP", "LB-4471", "VP", "RG78-07"],
        ["ACK", "IA", "24", "BX", "068", "20261126"]]
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"]))
    assert states == {("oracle", "6012"): "invoiced"} and not [f for f in found if f[1] == "error"]
    inv = segments(ws, "oracle", "810")
    assert [s[4:6] for s in inv if s[0] == "BIG"] == [["6012", "3"]]
    assert ["IT1", "1", "4000", "EA", "0.04125", "PE", "BP", "FB-1108", "VP", "RG78-06"] in inv
    assert ["TDS", "40164"] in inv  # 165.00 + 236.64


def test_an_item_an_sap_change_adds_as_ca_is_named_not_added(tmp_path):
    """An ORDCHG mapping that writes every item as POC*CA, a new item 00040 too (X12's code for an added item is
    AI): a CA names a line to change, and one we do not hold may be a mistyped item number as well as a new item, so
    it is not added on a guess; the error names the item for a person, the washers' change beside it is applied."""
    copy = tmp_path / "src" / "rg78"
    shutil.copytree(FIXTURES, copy)
    change = copy / "changes" / "SAPPI_ORDCHG_4500081234.x12"
    change.write_bytes(change.read_bytes().replace(b"CTT*3*710~", (
        b"POC*00040*CA*20.000*20.000*EA*21.75*PE*BP*000000000000123460*VP*RG78-04~\n"
        b"PID*F****BALL BEARING 6205 2RS~\nCTT*4*730~")).replace(b"SE*19*0001~", b"SE*21*0001~"))
    ws = of_its_own(copy, tmp_path / "ws", {"brenner": ["SAPPI_ORDERS_4500081234.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(change, ws.drop_root / "brenner" / "inbox" / change.name)
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, _states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    assert [f for f in found if f[0] == "CHANGE_LINE_UNKNOWN"] == [
        ("CHANGE_LINE_UNKNOWN", "error", "PO 4500081234 has no line '00040'; the CA change was not applied.")]
    answers = segments(ws, "brenner", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    assert [s[1:3] for s in revised if s[0] == "PO1"] == [["00010", "10"], ["00020", "300"], ["00030", "400"]]


REUSED = FIXTURES / "reused" / "D365_PO-000418_USSI.x12"


def _reused_night(tmp_path, second: bytes):
    """Ostrander's PO-000418 of its legal entity USMF taken on the night of 11-25, then ``second`` (an 850 of that
    number) on 11-26: (ws, findings (code, severity, message), states)."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", {"dynamics": ["D365_PO-000418.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    (ws.drop_root / "dynamics" / "inbox" / REUSED.name).write_bytes(second)
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["message"]))
    return ws, found, states


def test_a_po_number_another_legal_entity_reuses_for_another_order_is_an_error_naming_it(tmp_path):
    """Dynamics 365 numbers each legal entity's POs on its own sequence: USSI's PO-000418 (10 bolts for its Denver
    warehouse) after USMF's (24 bolts for Chicago), both through the one EDI add-on and profile. It was the warning of
    a resend ("this copy is not processed"): USSI's order lost in silence. Its lines differ from the order held, so it
    is no resend: now an error for a person, naming what differs and the parties it names; its 997 accepts it, no
    855 goes for it, and USMF's order is left as it was."""
    ws, found, states = _reused_night(tmp_path, REUSED.read_bytes())
    assert states == {("dynamics", "PO-000418"): "acknowledged"}
    [(severity, told)] = [f[1:] for f in found if f[0] == "ORDER_DUPLICATE"]
    assert severity == "error"
    assert ("line PO101 1: 10 EA at 14.95, the order's PO101 1: 24 EA at 14.95); it names N1*BY OSTRANDER SUPPLY "
            "SERVICES USSI 92 USSI, N1*ST OSTRANDER SERVICES DENVER 92 WH-DEN: not a resend") in told
    assert "enter it by hand" in told
    assert [s[1] for s in segments(ws, "dynamics", "997") if s[0] == "AK5"] == ["A", "A"]
    assert [s[3] for s in segments(ws, "dynamics", "855") if s[0] == "BAK"] == ["PO-000418"]


def test_a_resend_of_the_po_as_it_was_is_still_the_warning_of_a_copy(tmp_path):
    original = (FIXTURES / "drops" / "dynamics" / "D365_PO-000418.x12").read_bytes()
    ws, found, _states = _reused_night(tmp_path, original.replace(b"000078401", b"000078409").replace(
        b"*78401*", b"*78409*").replace(b"*78401~", b"*78409~"))
    assert [f for f in found if f[0] == "ORDER_DUPLICATE"] == [
        ("ORDER_DUPLICATE", "warning", "PO PO-000418 was already received from dynamics (state acknowledged); this "
                                       "copy is not processed.")]


def test_a_po_number_reused_by_another_legal_entity_for_the_same_lines_is_named(tmp_path):
    """USSI's PO-000418 for the very lines of USMF's (24 bolts, 6 belts), told apart by its N1*BY and N1*ST alone:
    the order keeps the parties its 850 named (OrderRecord buyer_*, ship_to_*: store version ORDER_PARTIES), so the
    copy is no resend but an error naming both companies' parties; USMF's order is left as it was, nothing answers
    the copy but its 997."""
    second = REUSED.read_bytes().replace(b"PO1*1*10.00*EA*", b"PO1*1*24.00*EA*").replace(b"CTT*2*16", b"CTT*2*30")
    ws, found, states = _reused_night(tmp_path, second)
    [(severity, told)] = [f[1:] for f in found if f[0] == "ORDER_DUPLICATE"]
    assert severity == "error"
    assert ("this copy differs from that order (N1*BY OSTRANDER SUPPLY SERVICES USSI 92 USSI, the order's N1*BY "
            "OSTRANDER SUPPLY USMF 92 USMF; N1*ST OSTRANDER SERVICES DENVER 92 WH-DEN, the order's N1*ST "
            "OSTRANDER CHICAGO WAREHOUSE 92 WH-CHI): not a resend") in told
    assert states == {("dynamics", "PO-000418"): "acknowledged"}
    assert [s[1] for s in segments(ws, "dynamics", "997") if s[0] == "AK5"] == ["A", "A"]
    assert [s[3] for s in segments(ws, "dynamics", "855") if s[0] == "BAK"] == ["PO-000418"]


def test_a_copy_is_told_from_the_order_by_its_parties_ids_else_their_names():
    """engine.lifecycle.intake.party_differences: N103/N104 where both name one (a name written otherwise is the same
    party), else N102 (letter case and spacing aside); an order stored before its parties were kept (or naming
    none) is never told apart by them."""
    from engine.lifecycle.intake import party_differences
    from schemas.lifecycle import OrderRecord, OrderState

    held = OrderRecord("dynamics", "PO-1", OrderState.ACKNOWLEDGED, buyer_name="OSTRANDER USMF",
                       buyer_id_qualifier="92", buyer_id="USMF", ship_to_name="CHICAGO DC")
    copy = {"buyer_name": "Ostrander  USMF", "buyer_id_qualifier": "92", "buyer_id": "USMF",
            "ship_to_name": "chicago  dc"}
    assert party_differences(copy, held) == []
    assert party_differences({**copy, "buyer_id": "USSI"}, held) == [
        "N1*BY Ostrander  USMF 92 USSI, the order's N1*BY OSTRANDER USMF 92 USMF"]
    assert party_differences({**copy, "ship_to_name": "DENVER DC"}, held) == [
        "N1*ST DENVER DC, the order's N1*ST CHICAGO DC"]
    assert party_differences({**copy, "ship_to_name": "DENVER DC", "ship_to_id": "WH-DEN"}, held) == [
        "N1*ST DENVER DC WH-DEN, the order's N1*ST CHICAGO DC"]  # an id on one side alone: the names
    assert party_differences({"buyer_id": "USSI", "ship_to_name": "DENVER"},
                             OrderRecord("dynamics", "PO-1", OrderState.ACKNOWLEDGED)) == []
    assert party_differences({}, held) == []


def test_a_version_24_store_keeps_its_orders_and_gets_their_parties(store_target):
    """On both back ends: a store before ORDER_PARTIES (orders without buyer_* and ship_to_*) gets the columns; an
    order recorded before has none (never told from a copy by its parties), one recorded after keeps them."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import ISA_IDS, LATEST, ORDER_PARTIES
    from schemas.lifecycle import ORDER_PARTY_FIELDS

    target = store_target()
    store = StateStore(target)
    insert = ("INSERT INTO orders (partner, po_number, state, revision, answered_revision{}) VALUES"
              " ('dynamics', ?, 'acknowledged', 1, 1{})")
    with store.transaction():  # what a version 24 store looks like, with an order it took
        store._q("DROP INDEX orders_ship_to")  # version 31's, on a column version 25 added
        for table, column, _ in COLUMNS_ADDED_IN[ORDER_PARTIES]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q(insert.format("", ""), ("PO-000417",))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(ISA_IDS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == ORDER_PARTIES + 15 == ISA_IDS + 16
        assert set(ORDER_PARTY_FIELDS) <= set(store._columns("orders"))
        parties = ("OSTRANDER SUPPLY USMF", "92", "USMF", "OSTRANDER CHICAGO WAREHOUSE", "92", "WH-CHI")
        with store.transaction():
            store._q(insert.format(", " + ", ".join(ORDER_PARTY_FIELDS), ", ?" * 6), ("PO-000418", *parties))
        old, new = store.order("dynamics", "PO-000417"), store.order("dynamics", "PO-000418")
        assert tuple(getattr(old, f) for f in ORDER_PARTY_FIELDS) == ("",) * 6
        assert tuple(getattr(new, f) for f in ORDER_PARTY_FIELDS) == parties
    finally:
        store.close()


@pytest.mark.parametrize("iso", ["PCE", "H87", "KGM"])
def test_an_iso_unit_code_leaking_through_is_refused_in_the_997_naming_it(iso, tmp_path):
    """An SAP mapping that passes the ISO unit code of SAP's unit table (PCE, H87 piece, KGM kilogram) instead of
    the X12 unit (PO103, element 355: two characters) sends an invalid set: its 997 refuses it (AK5 R) and names the
    element and the value (AK4 3 355 5 PCE), so the buyer's EDI team can correct its unit conversion; nothing is
    taken or answered by an 855, the error said for ops. No unit code is guessed (H87 and PCE are the each, C62
    'one' too; KGM a kilogram, never an each)."""
    ws, found, states = _variant("vantor", "4500312001", tmp_path, [("PO1*00020*40*EA*", f"PO1*00020*40*{iso}*")],
                                 shipped_swaps=[("4500312001", "4500312099")])
    assert states == {}
    assert [f[:2] for f in found if f[0] == "ELEMENT_TOO_LONG"] == [("ELEMENT_TOO_LONG", "error")]
    acks = segments(ws, "vantor", "997")
    assert [s for s in acks if s[0] in ("AK3", "AK4", "AK5")] == [["AK3", "PO1", "15", "", "8"],
                                                                  ["AK4", "3", "355", "5", iso], ["AK5", "R", "5"]]
    assert not list((ws.drop_root / "vantor" / "outbox").glob("vantor-855-*"))


def test_a_unit_code_in_small_letters_is_read_as_the_code_told_and_answered_in_capitals(tmp_path):
    """An ERP writing its own unit table's case (Infor SX.e's "ea") sends PO103 ea and Ct: X12's unit codes are
    capitals, but the 997 accepts the set (element 355 is an ID of 2 characters), and the line used to be rejected
    on the 855 (ACK IR, UNIT_UNKNOWN) and its shipment in EA refused: an order lost over letter case. Each is read
    as its code with a warning naming the element and what was sent, and the 855, 856 and 810 state the code."""
    ws, found, states = _variant("vantor", "4500312001", tmp_path, [("PO1*00020*40*EA*", "PO1*00020*40*ea*"),
                                                                    ("PO1*00010*12*CT*", "PO1*00010*12*Ct*")])
    assert states == {("vantor", "4500312001"): "invoiced"}
    assert sorted((f[1], f[3]) for f in found if f[0] == "UNIT_CASE_CONVERTED") == [
        ("warning", f"PO103 {sent!r} is no unit code as sent (X12's unit codes, element 355, are capitals): read as "
                    f"{code}; our 855, 856 and 810 state {code}.") for sent, code in (("Ct", "CT"), ("ea", "EA"))]
    assert not [f for f in found if f[1] == "error"]
    assert [s[1] for s in segments(ws, "vantor", "997") if s[0] == "AK5"] == ["A"]
    ack = po_segments(segments(ws, "vantor", "855"), "4500312001", "BAK")
    assert [s[1:4] for s in ack if s[0] == "PO1"] == [["00010", "12", "CT"], ["00020", "40", "EA"]]
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "12", "CT"], ["IA", "40", "EA"]]
    assert [s[2:4] for s in segments(ws, "vantor", "856") if s[0] == "SN1"] == [["12", "CT"], ["40", "EA"]]
    invoice = po_segments(segments(ws, "vantor", "810"), "4500312001", "BIG")
    assert [s[1:4] for s in invoice if s[0] == "IT1"] == [["00010", "12", "CT"], ["00020", "40", "EA"]]


def test_an_860_of_an_erp_writing_its_units_in_small_letters_changes_the_order_in_its_code(tmp_path):
    """The same ERP's ORDCHG writes POC05 ea too: read as EA (UNIT_CASE_CONVERTED at POC05), the washers' change
    applied to the line held in EA, never refused for letter case, and the revised 855 states
    EA."""
    copy = tmp_path / "src" / "rg78"
    shutil.copytree(FIXTURES, copy)
    for path in (copy / "drops" / "brenner" / "SAPPI_ORDERS_4500081234.x12",
                 copy / "changes" / "SAPPI_ORDCHG_4500081234.x12"):
        path.write_bytes(path.read_bytes().replace(b"*EA*", b"*ea*"))
    change = copy / "changes" / "SAPPI_ORDCHG_4500081234.x12"
    ws = of_its_own(copy, tmp_path / "ws", {"brenner": ["SAPPI_ORDERS_4500081234.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(change, ws.drop_root / "brenner" / "inbox" / change.name)
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f.get("element")))
    assert states == {("brenner", "4500081234"): "acknowledged"}
    assert not [f for f in found if f[1] == "error"]
    assert sorted(f[2] for f in found if f[0] == "UNIT_CASE_CONVERTED") == ["PO103"] * 3 + ["POC05"] * 3
    answers = segments(ws, "brenner", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    assert [s[1:4] for s in revised if s[0] == "PO1"] == [["00010", "10", "EA"], ["00020", "300", "EA"],
                                                          ["00030", "400", "EA"]]


def test_only_a_value_whose_capitals_are_a_unit_code_is_read_as_that_code():
    """schemas.units.capital_units: ea, Cs, ct read as EA, CS, CT; a value in capitals, one whose capitals are no
    unit code (xx, pce: PCE is ISO's, not X12's) and an empty PO103 as sent (UNIT_UNKNOWN where none is a unit)."""
    import pyarrow as pa

    from schemas.units import capital_units

    read, sent = capital_units(pa.array(["ea", "Cs", "EA", "xx", "pce", None, "ct"], pa.string()))
    assert read.to_pylist() == ["EA", "CS", "EA", "xx", "pce", None, "CT"]
    assert sent.to_pylist() == ["ea", "Cs", None, None, None, None, "ct"]
    read, sent = capital_units(pa.array(["EA", "CA"], pa.string()))  # every usual set: as sent, nothing said
    assert read.to_pylist() == ["EA", "CA"] and sent.null_count == 2


def test_an_erp_s_po_reads_its_references_and_parties_as_sent():
    """inspect of the JD Edwards PO: its order type and company (two REF*ZZ, REF03 saying which), the branch/plant."""
    seen = inspected(FIXTURES / "drops" / "jde" / "JDE_F4311_20145.x12", NOTED)
    [order] = seen["orders"]
    assert order["po_number"] == "20145" and order["line_count"] == 3
    assert order["refs_sent"] == [{"qualifier": "ZZ", "id": "OP", "description": "ORDER TYPE"},
                                  {"qualifier": "ZZ", "id": "00200", "description": "COMPANY"}]
    assert (order["ship_to_id_qualifier"], order["ship_to_id"]) == ("92", "M30")


_ECHO_ZZ = 'order_refs = ["ZZ"]\norder_ref_descriptions = ["ZZ"]\n'
_JDE_REFS = [(head, head + _ECHO_ZZ) for head in ('vendor_number = "CE-3310"\nship_date = true\n',
                                                 'per = "order"\nvendor_number = "CE-3310"\n')]


def test_two_references_of_one_qualifier_are_both_written_back(tmp_path):
    """Corliss's profile asks for its REF*ZZ back with their descriptions (order_refs and order_ref_descriptions
    ["ZZ"], on the 855 and the 810): JDE matches an invoice on order number, order type and company."""
    ws, _found, states = _variant("jde", "20145", tmp_path, profile_swaps=_JDE_REFS)
    assert states == {("jde", "20145"): "invoiced"}
    for kind, head in (("855", "BAK"), ("810", "BIG")):
        doc = po_segments(segments(ws, "jde", kind), "20145", head)
        assert [s for s in doc if s[:2] == ["REF", "ZZ"]] == [["REF", "ZZ", "OP", "ORDER TYPE"],
                                                              ["REF", "ZZ", "00200", "COMPANY"]], kind


def test_a_product_id_qualifier_and_price_basis_in_small_letters_are_read_as_their_codes(tmp_path):
    """The same ERPs write their product id qualifiers (PO106/PO108, element 235) and price basis (PO105, element
    639) in their own tables' case: bp, vp, hp. The 997 accepts the set (IDs of 2 characters), but a line whose only
    id was bp was rejected on the 855 (ACK IR, ITEM_UNKNOWN), and the washers at 46.00 per hundred (hp) were taken
    as 46.00 each and answered as a price change. Each qualifier whose capitals are a product id qualifier we read
    is read as that code, and so is a basis whose capitals are one we act on (hp: HP, restated per each as HP is),
    each with a warning naming the element and what was sent (CODE_CASE_CONVERTED). The 855 and 810 state the
    codes."""
    ws, found, states = _variant("brenner", "4500081234", tmp_path, [
        ("*PE*BP*000000000000123456*VP*RG78-01~", "*PE*bp*000000000000123456*vp*RG78-01~"),
        ("*46.00*HP*BP*000000000000123457*", "*46.00*hp*Bp*000000000000123457*"),
        ("*0.38*PE*BP*000000000000123458~", "*0.38*PE*bp*000000000000123458~")])
    assert states == {("brenner", "4500081234"): "invoiced"}
    assert not [f for f in found if f[1] == "error"]
    assert not [f for f in found if f[0] == "PRICE_OUT_OF_TOLERANCE"]
    said = "No code as sent (X12's codes are capitals), read as the one its capitals are: "
    assert sorted(f[1:] for f in found if f[0] == "CODE_CASE_CONVERTED") == sorted(
        ("warning", "4500081234", said + line) for line in (
            "PO106 'bp' as BP, the product id qualifier; PO108 'vp' as VP, the product id qualifier.",
            "PO105 'hp' as HP, the price basis; PO106 'Bp' as BP, the product id qualifier.",
            "PO106 'bp' as BP, the product id qualifier."))
    assert [f[3] for f in found if f[0] == "PRICE_BASIS_CONVERTED" and "PO105 HP" in f[3]]
    assert [s[1] for s in segments(ws, "brenner", "997") if s[0] == "AK5"] == ["A"]
    ack = po_segments(segments(ws, "brenner", "855"), "4500081234", "BAK")
    assert [s[1:2] + s[6:] for s in ack if s[0] == "PO1"] == [
        ["00010", "BP", "000000000000123456", "VP", "RG78-01"], ["00020", "BP", "000000000000123457", "VP", "RG78-02"],
        ["00030", "BP", "000000000000123458"]]
    assert [s[1] for s in ack if s[0] == "ACK"] == ["IA"] * 3
    invoice = po_segments(segments(ws, "brenner", "810"), "4500081234", "BIG")
    assert [s[6:] for s in invoice if s[0] == "IT1"] == [
        ["BP", "000000000000123456", "VP", "RG78-01"], ["BP", "000000000000123457", "VP", "RG78-02"],
        ["BP", "000000000000123458"]]


def test_an_860_of_an_erp_writing_its_qualifiers_in_small_letters_changes_the_order_by_its_codes(tmp_path):
    """The same ERP's ORDCHG writes POC07 hp and POC08 bp, vp too: read as HP, BP, VP (CODE_CASE_CONVERTED at the
    POC), the washers' change applied at 0.46 each (46.00 per hundred), never an unknown item, and the revised 855
    states the codes."""
    copy = tmp_path / "src" / "rg78"
    shutil.copytree(FIXTURES, copy)
    for path in (copy / "drops" / "brenner" / "SAPPI_ORDERS_4500081234.x12",
                 copy / "changes" / "SAPPI_ORDCHG_4500081234.x12"):
        path.write_bytes(path.read_bytes().replace(b"*BP*", b"*bp*").replace(b"*VP*", b"*vp*")
                         .replace(b"*HP*", b"*hp*"))
    change = copy / "changes" / "SAPPI_ORDCHG_4500081234.x12"
    ws = of_its_own(copy, tmp_path / "ws", {"brenner": ["SAPPI_ORDERS_4500081234.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(change, ws.drop_root / "brenner" / "inbox" / change.name)
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f.get("element")))
    assert states == {("brenner", "4500081234"): "acknowledged"}
    assert not [f for f in found if f[1] == "error"]
    assert sorted(f[2] for f in found if f[0] == "CODE_CASE_CONVERTED") == [
        "PO105", "PO106", "PO106", "POC07", "POC08", "POC08"]
    answers = segments(ws, "brenner", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    assert [s[1:3] + s[4:] for s in revised if s[0] == "PO1"] == [
        ["00010", "10", "12.5", "PE", "BP", "000000000000123456", "VP", "RG78-01"],
        ["00020", "300", "0.46", "PE", "BP", "000000000000123457", "VP", "RG78-02"],
        ["00030", "400", "0.38", "PE", "BP", "000000000000123458"]]


def test_only_a_qualifier_whose_capitals_are_a_product_id_qualifier_we_read_is_read_as_it():
    """parsers.orders_850.capital_qualifiers: bp, Vp, up, mg read as BP, VP, UP, MG; one in capitals, one whose
    capitals are no qualifier we read or match by (zz, sk) and an empty one as sent. QUALIFIERS_READ holds every
    qualifier the item join matches by."""
    import pyarrow as pa

    from parsers.orders_850 import capital_qualifiers
    from rules.business import items
    from schemas.orders import PRODUCT_QUALIFIERS, QUALIFIERS_READ
    from schemas.reference import NDC_QUALIFIERS

    read, sent = capital_qualifiers(pa.array(["bp", "Vp", "BP", "zz", "sk", None, "up", "mg"], pa.string()))
    assert read.to_pylist() == ["BP", "VP", "BP", "zz", "sk", None, "UP", "MG"]
    assert sent.to_pylist() == ["bp", "Vp", None, None, None, None, "up", "mg"]
    assert QUALIFIERS_READ >= {*PRODUCT_QUALIFIERS, *items.GS1_QUALIFIERS, *items.GS1_WITHOUT_CHECK_DIGIT,
                               *items.ISBN_QUALIFIERS, *items.VENDOR_QUALIFIERS, *items.MAKER_QUALIFIERS,
                               *NDC_QUALIFIERS, *items.REVISION_QUALIFIERS, *items.STYLE_QUALIFIERS}
    read, sent = capital_qualifiers(pa.array(["BP", "VN"], pa.string()))
    assert read.to_pylist() == ["BP", "VN"] and sent.null_count == 2


def test_a_price_basis_in_small_letters_is_read_as_its_code():
    """parsers.orders_850.per_unit_prices: hp (46.00 per hundred) is read as HP: 0.46 PE, the basis converted HP;
    pe and nc are read as PE and NC; a basis whose capitals are none we act on (zz) is left as sent."""
    from decimal import Decimal

    import pyarrow as pa

    from parsers.orders_850 import per_unit_prices
    from schemas.orders import MONEY

    prices = pa.array([Decimal("46.00"), Decimal("1.00"), Decimal("0"), Decimal("2.00")], MONEY)
    price, basis, sent = per_unit_prices(prices, pa.array(["hp", "pe", "nc", "zz"]), pa.array([True] * 4))
    assert price.to_pylist() == [Decimal("0.46"), Decimal("1.00"), Decimal("0"), Decimal("2.00")]
    assert basis.to_pylist() == ["PE", "PE", "NC", "zz"]
    assert sent.to_pylist() == ["HP", None, None, None]
