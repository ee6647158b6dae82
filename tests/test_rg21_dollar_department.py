"""Dollar stores and department/specialty apparel, as their guides and vendor manuals describe them:
tests/fixtures/rg21/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped. Dollar Tree (its 4030 850 from ZZ DLTR: REF DP, MR and IA, FOB, a bill-to, DTM 061
cancel if not delivered by, 037 ship not before and 038 ship no later; a DC order in cases with PO4 inner packs;
its 810 requires REF IA, PER, ITD, DTM and FOB); Belk (VICS 4030 from ISA 08 with ISA11 "^", PER and ITD, a
store-allocated order, SDQ by store, the NRF colour and size of each PO1 in PID*F*73 and PID*F*74 beside BO/IZ);
Saks Fifth Avenue / OFF 5TH (pack by store with a size prepack, PO103 AS with SLN I components; its 855 requires REF
DP and IA, DTM and N1; an 856 with pallets, S-O-T-P-I, an order loop per store marked for, N1*Z7); Neiman Marcus
(ISA 08 6125310421, every document back under it; store-level orders, one 856 and one 810 per PO); Boscov's (VICS
4010 from a phone-number ISA id, pre-distributed with 3-digit stores, the ticket's retail price in CTP*RS*RES,
store-labelled cartons: the store in each carton's pack loop); URBN (no UPC: its short SKU, IN, cross-referenced;
three leading zeros in the PO number; DTM 037/001 the first and last day at its DC). One night takes them all:
inspect, the 997s and 855s, then the 856s and 810s."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

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

FIXTURES = REPO / "tests" / "fixtures" / "rg21"
NIGHT = datetime(2026, 11, 30, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"dollartree": {"5512004471": 2}, "belk": {"4471120": 3, "4471138": 1}, "saks": {"SK80012": 2},
       "neiman": {"NM330118": 2}, "boscovs": {"B0047731": 2}, "urbn": {"0001234567": 2}}
# without a profile inspect does not know a partner splits its lines per store
NOTED = {"SDQ_NOT_APPLIED"}
# the confirmations arrive after the trucks left
NIGHT_NOTED = {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_dollar_and_department_store_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg21") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)
    ws = night[0]
    # Neiman Marcus: "any returned documents must have the same qualifier ID as was on the original purchase order"
    for kind in ("997", "855", "856", "810"):
        isa = segments(ws, "neiman", kind)[0]
        assert isa[7:9] == ["08", "6125310421     "], kind
    # Dollar Tree's and Belk's 4030 groups are answered in 4030, each 997 labelled as the group was sent (Belk's
    # 004030VICS: its profile's gs_version, which a group of that release keeps)
    assert segments(ws, "dollartree", "997")[1][8] == "004030" and segments(ws, "belk", "997")[1][8] == "004030VICS"
    assert ["AK1", "PO", "30551"] in segments(ws, "belk", "997")


def test_an_nrf_colour_or_size_pid_is_not_the_items_description(night):
    """Belk's 850 sends the NRF colour and size of each line as PID*F*73 (vendor colour description) and PID*F*74
    (vendor size description). The first PID of a line was taken as its description whatever its PID02, so the
    856 and 810 described the navy hoodie M and the navy hoodie L alike as 'PID*F****NAVY' (a colour stated as the
    item, its size lost). A colour or size PID (PID02 35, 73, 74, 75, 91) is not the line's description; a line
    with one PID*F*08 (or unqualified) beside them keeps that one."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "belk", "856"), "BK-SHP-01", "BSN")
    assert not [s for s in asn if s[0] == "PID"]
    inv = po_segments(segments(ws, "belk", "810"), "4471120", "BIG")
    assert not [s for s in inv if s[0] == "PID"]
    # the colour and size went back as the PO sent them in PO1: BO (its NRF colour) and IZ (its NRF size)
    assert [s[1:] for s in asn if s[0] == "LIN"][:3] == [
        ["001", "UP", "614141200115", "VA", "HOOD-NVY", "BO", "410", "IZ", "00004"],
        ["002", "UP", "614141200122", "VA", "HOOD-NVY", "BO", "410", "IZ", "00005"],
        ["003", "UP", "614141200306", "VA", "JEAN-SLIM", "BO", "420", "IZ", "32X30"]]


def test_a_described_pid_beside_colour_and_size_pids_is_the_description():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    path = FIXTURES / "drops" / "belk" / "belk-850-4471120.x12"
    data = path.read_bytes()

    def descriptions(content: bytes) -> list:
        result = read_interchanges(content, file=path.name)
        return read_orders(result, list(result.transaction_sets()), partner="belk")[1]["description"].to_pylist()

    assert descriptions(data) == [None, None, None]
    described = data.replace(b"PID*F*74***MEDIUM~", b"PID*F*74***MEDIUM~\nPID*F*08***HOODIE FLEECE~").replace(
        b"PID*F*73***INDIGO~", b"PID*F****SLIM JEAN~\nPID*F*73***INDIGO~").replace(b"SE*24*", b"SE*26*")
    assert described != data
    assert descriptions(described) == ["HOODIE FLEECE", None, "SLIM JEAN"]


def test_a_subline_pid_or_cost_is_not_the_prepacks():
    """A prepack's SLN sublines carry their own loop (SLN 370: SLN, PID, CTP ... of that size): VICS department
    store 850s send 'PO1 CTP PO4 SDQ SLN PID CTP', the PID and CTP after an SLN the component's. The first PID after
    the PO1 was its description wherever it stood, and so was the first cost CTP its price where PO104 is left
    out: Saks' white tee prepack (2 S, 2 M, 2 L at 36.00 the pack) was described on the 856 and 810 as 'WHITE TEE
    SMALL', and without PO104 priced at its small tee's 6.00. Only the PO1 loop's own PID and CTP (before any SLN,
    N9, N1 ...) are the line's; a subline's never."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    path = FIXTURES / "drops" / "saks" / "saks-850-SK80012.x12"
    data = path.read_bytes()

    def lines(content: bytes) -> list:
        result = read_interchanges(content, file=path.name)
        table = read_orders(result, list(result.transaction_sets()), partner="saks")[1]
        return table.select(["line_id", "description", "unit_price"]).to_pylist()

    sizes = data.replace(b"IZ*S~", b"IZ*S~\nPID*F****WHITE TEE SMALL~\nCTP**UCP*6~").replace(
        b"IZ*M~", b"IZ*M~\nPID*F****WHITE TEE MEDIUM~").replace(b"SE*18*", b"SE*21*")
    assert sizes != data
    assert [(r["description"], r["unit_price"]) for r in lines(sizes)] == [(None, Decimal(36)), (None, Decimal(21))]
    unpriced = sizes.replace(b"PO1*1*6*AS*36*WE*", b"PO1*1*6*AS***")
    assert lines(unpriced)[0]["unit_price"] is None
    # the PO1's own PID and cost CTP, before its sublines, still are the line's
    own = unpriced.replace(b"PO4*6*1*EA~", b"CTP**UCP*36~\nPID*F****WHITE TEE PREPACK~\nPO4*6*1*EA~").replace(
        b"SE*21*", b"SE*23*")
    assert [(r["description"], r["unit_price"]) for r in lines(own)][0] == ("WHITE TEE PREPACK", Decimal(36))


def test_an_860s_colour_or_subline_pid_is_not_the_changed_lines_description():
    from parsers.orders_860 import read_changes
    from parsers.x12_reader import read_interchanges

    text = (FIXTURES / "drops" / "dollartree" / "dollartree-850-5512004471.x12").read_text()
    head = text[:text.index("ST*850")].replace("GS*PO*", "GS*PC*")
    body = ("ST*860*0001~\nBCH*04*SA*5512004471***20261129~\nPOC*1*CI*4*2*CA*12*PE*UP*614141300013~\n"
            "PID*F*75***VANILLA~\nPID*F****JAR CANDLE VANILLA 8OZ~\nPOC*2*CI*2*1*CA*15.12*PE*UP*614141300020~\n"
            "PID*F*73***WHITE~\nSLN*2-1**I*20*EA*0.42*PE**UP*614141300037~\nPID*F****PLATE 9IN~\nCTT*2~\n"
            "SE*11*0001~\n")
    data = (head + body + "GE*1*88101~\nIEA*1*000088101~\n").encode()
    result = read_interchanges(data, file="dt-860.x12")
    changes = read_changes(result, list(result.transaction_sets()), partner="dollartree")
    lines = next(t for t in changes if "description" in t.column_names)
    assert lines["description"].to_pylist() == ["JAR CANDLE VANILLA 8OZ", None]


def test_dollar_tree_cases_terms_fob_and_contact(night):
    ws, _found, _states = night
    # a DC order in cases (PO4: 24 and 36 a case) acknowledged and invoiced in cases at the case price
    ack = po_segments(segments(ws, "dollartree", "855"), "5512004471", "BAK")
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "4", "CA"], ["IA", "2", "CA"]]
    inv = po_segments(segments(ws, "dollartree", "810"), "5512004471", "BIG")
    assert [s[1:6] for s in inv if s[0] == "IT1"] == [["1", "4", "CA", "12", "PE"], ["2", "2", "CA", "15.12", "PE"]]
    assert ["TDS", "7824"] in inv  # 4 x 12.00 + 2 x 15.12
    # its 810's required heading: REF IA, PER, ITD, DTM, FOB (the PO's), the bill-to it named
    heads = [s[0] for s in inv]
    assert ["REF", "IA", "778812"] in inv and heads.index("PER") < heads.index("ITD") < heads.index("DTM") \
        < heads.index("FOB") < heads.index("IT1")
    assert ["FOB", "CC", "OR"] in inv and ["N1", "BT", "DOLLAR TREE STORES INC", "92", "0001"] in inv
    at = inv.index(["N1", "RI", "ORDERBRIDGE SUPPLY", "92", "778812"])  # its remit-to, after PER
    assert heads.index("PER") < at and inv[at + 1:at + 3] == [["N3", "PO BOX 4410"], ["N4", "Newark", "NJ", "07101",
                                                                                       "US"]]
    assert ["PER", "AR", "ACCOUNTS RECEIVABLE", "TE", "9735550142", "EM", "ar@orderbridge.example"] in inv
    # the 856 with the pallet level: six cases on one pallet
    asn = po_segments(segments(ws, "dollartree", "856"), "DT-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T"] + ["P", "I"] * 6
    assert ["TD1", "PLT94", "1"] in asn and ["REF", "DP", "045"] in asn


def test_store_level_856s_have_an_order_loop_per_store(night):
    ws, _found, _states = night
    # Belk's two POs of one truck in one 856 (consolidated): the store-allocated PO's three stores, then the bulk
    # PO's order loop (no SDQ: no store), each 810 its PO's
    asn = po_segments(segments(ws, "belk", "856"), "BK-SHP-01", "BSN")
    assert [s[1] for s in asn if s[0] == "PRF"] == ["4471120"] * 3 + ["4471138"]
    assert ["TDS", "25200"] in po_segments(segments(ws, "belk", "810"), "4471138", "BIG")  # 12 x 21.00
    # Belk: three stores, each its order loop with N1*BY, REF IA and DP; SN1 the store's quantities
    asn = po_segments(segments(ws, "belk", "856"), "BK-SHP-01", "BSN")
    assert [s for s in asn if s[:2] == ["N1", "BY"]] == [["N1", "BY", "", "92", store] for store in
                                                          ("0112", "0215", "0330")]
    assert [s[2] for s in asn if s[0] == "SN1"] == ["6", "4", "2"] * 3 + ["12"] and ["CTT", "19", "48"] in asn
    # Saks: a pallet per store under its order loop (S-O-T-P-I), the store marked for (N1*Z7), the prepack by its
    # sizes; its 855 with REF IA and DP, DTM and the ship-to
    asn = po_segments(segments(ws, "saks", "856"), "SA-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", "P", "I", "P", "I", "O", "T", "P", "I", "P", "I"]
    assert [s for s in asn if s[:2] == ["N1", "Z7"]] == [["N1", "Z7", "", "92", "0601"], ["N1", "Z7", "", "92", "0633"]]
    assert [s[1] for s in asn if s[0] == "SLN"] == ["1-1", "1-2", "1-3"] * 2
    ack = po_segments(segments(ws, "saks", "855"), "SK80012", "BAK")
    assert ack[1:5] == [["REF", "IA", "20551"], ["REF", "DP", "510"], ["DTM", "068", "20261130"],
                        ["N1", "ST", "SAKS DC ABERDEEN", "92", "0385"]]
    # Neiman Marcus: its stores under one 856 of the PO (per order), its 810 the PO's
    asn = po_segments(segments(ws, "neiman", "856"), "NM-SHP-01", "BSN")
    assert [s for s in asn if s[:2] == ["N1", "BY"]] == [["N1", "BY", "", "92", "0001"], ["N1", "BY", "", "92", "0022"]]
    assert ["TDS", "21000"] in po_segments(segments(ws, "neiman", "810"), "NM330118", "BIG")
    # Boscov's: one order loop per store, the store's label on its carton (N1*Z7 in the pack loop after MAN)
    asn = po_segments(segments(ws, "boscovs", "856"), "BO-SHP-01", "BSN")
    packs = [k for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "P"]
    assert [asn[k + 2] for k in packs] == [["N1", "Z7", "", "92", "012"], ["N1", "Z7", "", "92", "037"]]


def test_urbn_short_skus_are_cross_referenced_and_echoed(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "urbn", "856"), "UO-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "VN", "TEE-BLK-S", "IN", "5512301"],
                                                    ["2", "VN", "TEE-BLK-M", "IN", "5512302"]]
    inv = po_segments(segments(ws, "urbn", "810"), "0001234567", "BIG")
    assert [s[6:] for s in inv if s[0] == "IT1"] == [["IN", "5512301", "VN", "TEE-BLK-S"],
                                                    ["IN", "5512302", "VN", "TEE-BLK-M"]]
    assert ["TDS", "28800"] in inv


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    # Belk's consolidated shipment: one 856 of its two POs, an 810 per PO
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=6, invoices=7, answers=7,
                      as_read=lambda b: b.replace(b"*X*004010VICS~", b"*X*004010~").replace(
                          b"*X*004030VICS~", b"*X*004030~"))


@pytest.mark.parametrize("mark_for", ["order", "pack"])
def test_a_pallet_of_two_stores_under_a_store_level_sotpi_856_is_held_with_a_reason(tmp_path, mark_for):
    """Saks' 856 has an order loop per store, each with its pallets (S-O-T-P-I), the store named in it (or, mark_for
    "pack", on each carton). A pallet holding the cartons of two stores of one PO cannot sit under both loops: the
    shipment was held by the 856's self-check as 'SSCC ... is listed twice' (no 856, a reason nobody could act on).
    It is held before, with the pallet, the PO and the stores named and what to do: build one pallet per store."""
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"saks": ["saks-850-SK80012.x12"]})
    profile = ws.partners_dir / "saks.toml"
    profile.write_text(profile.read_text().replace('prepacks = "components"\n',
                                                   f'prepacks = "components"\nmark_for = "{mark_for}"\n'))
    run_stages(ws, NIGHT)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text().splitlines()
    (inbox / "east-saks.csv").write_text("\n".join([rows[0]] + [r.replace("SA-P2", "SA-P1") for r in rows
                                                               if r.startswith("SA-")]) + "\n")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    state = StateStore(ws.state_path)
    try:
        held = [(f["code"], f["po_number"], f["message"]) for f in state.findings() if f["severity"] == "error"]
        assert state.shipments() == []
    finally:
        state.close()
    assert held == [("ASN_NOT_BUILT", "SK80012", "Shipment SA-SHP-01: pallet SA-P1 holds cartons of PO SK80012 for "
                     "stores 0601, 0633, and saks's 856 (SOTPI) has an order loop per PO and store (fulfilment.asn."
                     "store_level) and lists each pallet under one: the pallet's label cannot be under two stores; "
                     "it is held (no 856, nothing consumed).")]
    assert not list((ws.drop_root / "saks" / "outbox").glob("saks-856-*"))
    shutil.rmtree(ws.root)


def test_belk_and_dollar_tree_get_their_855_856_and_810_in_4030(night):
    """Belk's 855 guide is 'Belk Guidelines for 4030VICS 855' and its 850 'VICS 850 Version 4030'; Dollar Tree's
    850 and 810 are X12 release 4030. Their 997s answer in 4030 (as the group was sent), but a profile can state
    004010 or 005010 only, so their 855s, 856s and 810s go out in 004010 (ISA12 00401, GS08 004010)."""
    ws, _found, _states = night
    for partner, gs08 in (("belk", "004030VICS"), ("dollartree", "004030")):
        for kind in ("855", "856", "810"):
            segs = segments(ws, partner, kind)
            assert {s[8] for s in segs if s[0] == "GS"} == {gs08} and {s[12] for s in segs if s[0] == "ISA"} == \
                {"00403"}, (partner, kind)


def test_their_4030_documents_are_checked_in_4030(night, maps, tmp_path):  # noqa: F811
    """Dollar Tree's 856 labelled 004030 is held to 004030 by Bots (its 004030 grammar, picked by GS08) and pyx12
    (maps for 004030, made from the dictionary it was built by: engine.pyx12_maps): a REF02 of 40 characters is
    valid in 004030 (REF02 1/50) and refused under 004010 (1/30), so Bots read the 4030 grammar; pyx12 refuses an
    SN1 without its quantity. Our own validator judges the 4030 document by 004010's dictionary, the one it was
    built by: stricter than 004030 for the lengths 4030 widened, never laxer for what we write."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    ws, _found, _states = night
    sent = sorted((ws.drop_root / "dollartree" / "outbox").glob("dollartree-856-*.x12"))[0].read_bytes()
    assert b"*00403*" in sent and b"*X*004030~" in sent
    assert bots_check(sent, tmp_path)[0] and pyx12_accepts(sent.decode(), maps)[0]
    long_ref = sent.replace(b"REF*BM*BOL-DT-4471~", b"REF*BM*" + b"B" * 40 + b"~")
    assert long_ref != sent
    assert bots_check(long_ref, tmp_path)[0]
    assert not bots_check(long_ref.replace(b"*X*004030~", b"*X*004010~"), tmp_path)[0]
    assert [f.code for f in validate_outbound(long_ref) if f.severity == "error"]
    no_quantity = sent.replace(b"SN1**1*CA", b"SN1***CA", 1)
    assert no_quantity != sent and not pyx12_accepts(no_quantity.decode(), maps)[0]
    # Belk's 855 (004030VICS, read by Bots as 004030): 004020 took MSG out of the 855 (MTX instead), so a note in
    # an N9 loop's MSG, valid in 004010, is refused in 004030. Our 855 writes no MSG
    ack = sorted((ws.drop_root / "belk" / "outbox").glob("belk-855-*.x12"))[0].read_bytes().replace(
        b"*X*004030VICS~", b"*X*004030~")
    assert bots_check(ack, tmp_path)[0] and b"MSG*" not in ack
    segs = ack.count(b"~") - 4  # less ISA, GS, GE, IEA
    noted = ack.replace(b"REF*DP*310~", b"REF*DP*310~\nN9*L1*NOTE~\nMSG*SHIP COMPLETE~").replace(
        f"SE*{segs}*".encode(), f"SE*{segs + 2}*".encode())
    assert noted.count(b"SE*") == 1 and f"SE*{segs + 2}*".encode() in noted
    assert bots_check(noted.replace(b"*X*004030~", b"*X*004010~"), tmp_path)[0]
    assert not bots_check(noted, tmp_path)[0]


@pytest.mark.parametrize("release", ["004020", "004030", "004040", "004050", "004060"])
def test_their_855_856_and_810_are_valid_in_each_later_release_of_004010(night, maps, tmp_path, release):  # noqa: F811
    """The releases a profile's gs_version (with isa_version) may name after 004010 where all three checks can be
    made: our validator (004010's dictionary), Bots' grammar of that release and pyx12 with that release's maps
    (tests.shipping_support.LATER_RELEASES). Dollar Tree's 855, 856 and 810, labelled so, pass all three."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    ws, _found, _states = night
    for kind in ("855", "856", "810"):
        path = sorted((ws.drop_root / "dollartree" / "outbox").glob(f"dollartree-{kind}-*.x12"))[0]
        relabelled = path.read_bytes().replace(b"*00403*", f"*00{release[2:5]}*".encode(), 1).replace(
            b"*X*004030~", f"*X*{release}~".encode())
        assert relabelled.count(release.encode()) == 1, kind
        assert [f for f in validate_outbound(relabelled) if f.severity == "error"] == [], kind
        ok, errors = bots_check(relabelled, tmp_path)
        assert ok, (kind, errors)
        ok, ack = pyx12_accepts(relabelled.decode(), maps)
        assert ok, (kind, ack[:800])


def test_a_urbn_replacement_850_replaces_the_order(tmp_path):
    """URBN 'does not transmit 860s in the event of PO revision': the vendor receives an 850 replacement
    transmission (the same PO number, BEG01 00) and must take the new PO in (profile resent_po "replace"). Line 2
    raised from 24 to 36 is acknowledged again, whole, with 36, by URBN's short SKU as sent."""
    from connectors.state import StateStore
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"urbn": ["urbn-850-0001234567.x12"]})
    run_stages(ws, NIGHT)
    text = (FIXTURES / "drops" / "urbn" / "urbn-850-0001234567.x12").read_text()
    revised = text.replace("000900123", "000900124").replace("*900123*", "*900124*").replace(
        "GE*1*900123", "GE*1*900124").replace("PO1*2*24*EA", "PO1*2*36*EA").replace("CTT*2*48", "CTT*2*60")
    (ws.drop_root / "urbn" / "inbox" / "urbn-850-0001234567-rev.x12").write_text(revised)
    run_stages(ws, datetime(2026, 12, 1, 2))
    state = StateStore(ws.state_path)
    try:
        assert [f["code"] for f in state.findings() if f["code"] == "ORDER_DUPLICATE"] == []
    finally:
        state.close()
    answers = segments(ws, "urbn", "855")
    assert [s[1:3] for s in answers if s[0] == "BAK"] == [["00", "AD"]] * 2
    assert [s[1:3] for s in answers if s[0] == "ACK"] == [["IA", "24"], ["IA", "24"], ["IA", "24"], ["IA", "36"]]
    assert [s[6:8] for s in answers if s[0] == "PO1"][-2:] == [["IN", "5512301"], ["IN", "5512302"]]
