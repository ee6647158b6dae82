"""Home Depot and Wayfair as partners (tests/fixtures/rg1: their 850s in the shapes their 004010 guides
describe, a profile each, their reference rows, the east DC's confirmations): inspect reads each PO as sent,
a night acknowledges every line, the day's shipments give 856s and 810s with what the guides require.

Home Depot: RDC and direct-to-store POs (REF*AGL in the ship-to loop, REF DP/IA, N9/MSG, a line in cases
with PO4 and a line SAC), 855 with REF IA/DP, DTM 068 and N1 ST; 856 S-O-I-P as its 4010 guide's sample, the
S level without TD1 and with one REF (max use 1: the bill of lading), REF IA and DP per order, the store as
N1 BY; 810 per shipment with REF IA/DP. Wayfair drop ship: BEG02 DS, a consumer's address without
an id (N2, two N3 lines, a Canadian one), TD5 carrier with TD512 service level, a packing-slip N9/MSG, CTP in
the heading; 855 echoing the TD5; 856 with each parcel's tracking number in its carton loop (REF*CN, the
package_tracking option) and one at the shipment level, as its guide lists (REF tracking number, max use 1)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.support import REPO, deliver_all, run_stages, ship_stages

FIX = REPO / "tests" / "fixtures" / "rg1"
NIGHT, DAY, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 16, 30), datetime(2026, 11, 28, 2)


def _segments(path: Path) -> list[list[str]]:
    return [s.strip().split("*") for s in path.read_text().split("~") if s.strip()]


def _workspace(root: Path):
    """The demo's reference data, inventory and warehouses, with Home Depot's and Wayfair's profiles and
    reference rows added and their 850s in their inboxes."""
    from flows.workspace import open_workspace

    ws = open_workspace(root)
    shutil.copytree(FIX / "partners", ws.root / "partners")
    shutil.copytree(REPO / "sample_files" / "reference", ws.root / "reference")
    for f in (FIX / "reference").iterdir():
        with open(ws.root / "reference" / f.name, "a", encoding="utf-8") as out:
            out.write(f.read_text(encoding="utf-8"))
    shutil.copytree(REPO / "sample_files" / "inventory", ws.root / "inventory")
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    for pid in ("homedepot", "wayfair"):
        inbox = ws.drop_root / pid / "inbox"
        inbox.mkdir(parents=True)
        for f in (FIX / pid).glob("*.x12"):
            shutil.copy2(f, inbox / f.name)
    return ws


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """Night 1 (997s, 855s), the east DC's confirmations shipped and invoiced at 16:30, then night 2 with Home
    Depot's 860 (a line cut, one deleted, one added) and Wayfair's cancellation of the PO not shipped."""
    ws = _workspace(tmp_path_factory.mktemp("rg1"))
    run_stages(ws, NIGHT)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy2(FIX / "warehouse" / "east-shipments-20261127.csv", inbox)
    ship_stages(ws, DAY, run_id="day1")
    deliver_all(ws, DAY)
    for f in (FIX / "night2").glob("*/*.x12"):
        shutil.copy2(f, ws.drop_root / f.parent.name / "inbox" / f.name)
    run_stages(ws, NIGHT2)
    return ws


def _outbox(ws, partner: str, doc: str) -> dict[str, list[list[str]]]:
    """The partner's documents of one type, keyed by the PO (BAK03, PRF01, BIG04) or AK1's group number."""
    out = {}
    for path in sorted((ws.drop_root / partner / "outbox").glob(f"{partner}-{doc}-*.x12")):
        segs = _segments(path)
        key = next(s for s in segs if s[0] in ("BAK", "PRF", "BIG", "AK1"))
        out[{"BAK": lambda s: s[3], "PRF": lambda s: s[1], "BIG": lambda s: s[4], "AK1": lambda s: s[2]}[key[0]](key)] \
            = segs
    return out


@pytest.mark.parametrize("path", sorted(FIX.glob("*/*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    got = CliRunner().invoke(app, ["inspect", "--json", str(path)])
    report = json.loads(got.stdout)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert report["orders"]


def test_inspect_reads_the_values_meant():
    report = json.loads(CliRunner().invoke(app, ["inspect", "--json", str(FIX / "homedepot" /
                                                                       "hd-850-rdc-and-dts-20261126.x12")]).stdout)
    dts = next(o for o in report["orders"] if o["po_number"] == "36510077")
    assert (dts["ship_to_id"], dts["ship_to_city"], dts["buyer_id"], dts["department"]) == ("0121", "MARIETTA",
                                                                                            "0121", "021")
    assert (dts["requested_ship_date"], dts["requested_delivery_date"]) == ("2026-12-03", "2026-12-09")
    assert (dts["terms_discount_percent"], dts["terms_discount_days"], dts["terms_net_days"]) == ("2.0000", 30, 60)
    report = json.loads(CliRunner().invoke(app, ["inspect", "--json", str(FIX / "wayfair" /
                                                                       "wf-850-dropship-20261126.x12")]).stdout)
    consumer = {o["po_number"]: o for o in report["orders"]}
    maria, jp = consumer["CS448812077"], consumer["CS448812101"]
    assert (maria["order_type"], maria["ship_to_id"], maria["ship_to_address1"], maria["ship_to_address2"],
            maria["ship_to_postal_code"]) == ("DS", None, "4410 W ELM STREET", "APT 3B", "627041855")
    assert (jp["ship_to_state"], jp["ship_to_postal_code"], jp["ship_to_country"]) == ("QC", "H2Y 1G6", "CA")


def test_every_group_is_accepted_in_the_997(shipped):
    for partner, groups in (("homedepot", {"4711": 2, "4712": 1, "4790": 1}),
                            ("wayfair", {"800311": 2, "800312": 1, "800390": 1})):
        acks = _outbox(shipped, partner, "997")
        assert set(acks) == set(groups)
        for gs06, n in groups.items():
            segs = acks[gs06]
            assert [s for s in segs if s[0] == "AK5"] == [["AK5", "A"]] * n
            assert next(s for s in segs if s[0] == "AK9") == ["AK9", "A", str(n), str(n), str(n)]


def test_every_line_is_acknowledged_as_ordered(shipped):
    hd = _outbox(shipped, "homedepot", "855")
    assert set(hd) == {"35710042", "36510077", "35710043"}
    dts = hd["36510077"]
    assert dts[3][:3] == ["BAK", "00", "AD"]
    assert [s for s in dts if s[0] in ("REF", "DTM", "N1")] == [
        ["REF", "IA", "0098765"], ["REF", "DP", "021"], ["DTM", "068", "20261203"],
        ["N1", "ST", "THE HOME DEPOT #0121", "92", "0121"]]
    assert [s for s in dts if s[0] == "ACK"] == [["ACK", "IA", "4", "CA", "068", "20261203"],
                                                 ["ACK", "IA", "24", "EA", "068", "20261203"]]
    wf = _outbox(shipped, "wayfair", "855")
    # a consumer's 1 or 2 units are acknowledged as bought: a drop ship (BEG02 DS) is never raised to a minimum
    assert {po: [s[1:3] for s in segs if s[0] == "ACK"] for po, segs in wf.items()} == {
        "CS448812077": [["IA", "1"], ["IA", "2"]], "CS448812101": [["IA", "2"]],
        "CS448812355": [["IA", "4"], ["IA", "2"], ["IA", "3"]]}
    assert ["TD5", "O", "2", "UPSN", "U", "UPS GROUND RESIDENTIAL", "", "", "", "", "", "", "SG"] in wf["CS448812077"]


def test_home_depot_856_and_810_carry_vendor_number_department_and_store(shipped):
    asn = _outbox(shipped, "homedepot", "856")
    store = asn["36510077"]
    order = store.index(["HL", "2", "1", "O", "1"])
    assert store[order + 1:order + 5] == [["PRF", "36510077", "", "", "20261126"], ["REF", "IA", "0098765"],
                                         ["REF", "DP", "021"], ["N1", "BY", "THE HOME DEPOT #0121", "92", "0121"]]
    assert ["SN1", "", "4", "CA", "", "4", "CA"] in store
    # its 4010 856: S-O-I-P (BSN05 0002, each item's carton under it), the S level TD5, one REF (the bill of
    # lading), DTM, N1: no TD1, no second REF
    assert ["BSN", "00", "SHP-HD-02", "20261127", "1630", "0002"] in store
    assert [s[0] for s in store[store.index(["HL", "1", "", "S", "1"]) + 1:order]] == [
        "TD5", "REF", "DTM", "N1", "N3", "N4", "N1", "N3", "N4"]
    assert ["REF", "BM", "BOL-HD-8802"] in store and not [s for s in store if s[:2] == ["REF", "CN"]]
    assert [s[3] for s in store if s[0] == "HL"] == ["S", "O", "I", "P", "I", "P"]
    invoice = _outbox(shipped, "homedepot", "810")["36510077"]
    assert ["REF", "IA", "0098765"] in invoice and ["REF", "DP", "021"] in invoice
    assert ["IT1", "001", "4", "CA", "111.6", "CP", "BP", "1001234574", "VN", "VP-1002", "UP", "614141100170"] \
        in invoice
    # 4 x 111.60 + 24 x 4.25 = 548.40, less the line's off-invoice new store allowance (SAC12 02), carried after
    # its IT1 (po_allowances' default; it was billed in full, the allowance left for Home Depot to deduct)
    at = invoice.index(["IT1", "001", "4", "CA", "111.6", "CP", "BP", "1001234574", "VN", "VP-1002", "UP",
                        "614141100170"])
    assert [s for s in invoice[at + 1:] if s[0] in ("SAC", "IT1")][:2] == [
        ["SAC", "A", "C310", "", "", "1116", "", "", "", "", "", "", "02", "", "", "NEW STORE ALLOWANCE"],
        ["IT1", "002", "24", "EA", "4.25", "", "BP", "1001234575", "VN", "VP-1016", "UP", "614141101153"]]
    assert ["TDS", "53724"] in invoice


def test_wayfair_856_has_each_parcel_tracking_number_in_its_carton(shipped):
    asn = _outbox(shipped, "wayfair", "856")["CS448812077"]
    shipment_level = asn[:asn.index(["HL", "2", "1", "O", "1"])]
    assert [s for s in shipment_level if s[:2] == ["REF", "CN"]] == [["REF", "CN", "1Z4R9W830312345671"]]
    cartons = [k for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "P"]
    assert [asn[k + 1] for k in cartons] == [["REF", "CN", "1Z4R9W830312345671"],
                                              ["REF", "CN", "1Z4R9W830312345682"]]
    assert [asn[k + 2][:2] for k in cartons] == [["MAN", "GM"]] * 2
    # the 850's N2 (additional name) is written as N2 after the N1, as sent (it used to be folded into N102:
    # "MARIA GONZALEZ, C/O BRIGHTSIDE APARTMENTS")
    at = asn.index(["N1", "ST", "MARIA GONZALEZ"])
    assert asn[at + 1] == ["N2", "C/O BRIGHTSIDE APARTMENTS"]
    assert ["N3", "4410 W ELM STREET", "APT 3B"] in asn
    invoice = _outbox(shipped, "wayfair", "810")["CS448812077"]
    # its 810 guide: REF Vendor ID Number (VR) and PER required, before the N1 loops
    assert [s for s in invoice if s[0] in ("REF", "PER", "N1")][:4] == [
        ["REF", "SI", "SHP-WF-01"], ["REF", "VR", "33120"],
        ["PER", "IC", "Accounts Receivable", "TE", "973-555-0142", "EM", "ar@orderbridge.example"],
        ["N1", "RE", "OrderBridge Supply Inc"]]
    assert [s for s in invoice if s[0] == "IT1"] == [
        ["IT1", "1", "1", "EA", "11.2", "", "VN", "VP-1021", "SK", "WFS21013344", "UP", "614141101504"],
        ["IT1", "2", "2", "EA", "3.1", "", "VN", "VP-1011", "SK", "WFS11019901"]]
    assert ["TDS", "1740"] in invoice
    at = invoice.index(["N1", "ST", "MARIA GONZALEZ"])
    assert invoice[at + 1] == ["N2", "C/O BRIGHTSIDE APARTMENTS"]


def test_package_tracking_puts_each_carton_number_before_its_man(tmp_path):
    """build_856 alone: with package_tracking each carton's REF*CN opens its P loop (REF 150 before MAN 190)
    and the S level keeps the header's number only; without it, nothing changes. The document reads back
    clean and passes Bots' 004010 grammar."""
    from dataclasses import replace

    from engine.asn import build_856
    from schemas.fulfilment import AsnSettings
    from tests.shipping_support import NOW, PROFILES, bots_check, read_back, sample_shipment, wrap_for

    base = sample_shipment()
    numbers = iter(("1Z999", "1Z998", "1Z997"))
    orders = tuple(replace(o, packs=tuple(replace(p, tracking_number=next(numbers)) for p in o.packs))
                   for o in base.orders)
    shipment = replace(base, orders=orders, extra_refs=(("CN", "1Z998"), ("CN", "1Z997")))
    plain = build_856(shipment, AsnSettings(structure="SOPI"), created=NOW)
    assert [s for s in plain if s[:2] == ["REF", "CN"]] == [["REF", "CN", n] for n in ("1Z999", "1Z998", "1Z997")]
    body = build_856(shipment, AsnSettings(structure="SOPI", package_tracking=True), created=NOW)
    cartons = [k for k, s in enumerate(body) if s[0] == "HL" and s[3] == "P"]
    assert [body[k + 1] for k in cartons] == [["REF", "CN", n] for n in ("1Z999", "1Z998", "1Z997")]
    assert [body[k + 2][:2] for k in cartons] == [["MAN", "GM"]] * 3
    first_order = next(k for k, s in enumerate(body) if s[0] == "HL" and s[3] == "O")
    assert [s for s in body[:first_order] if s[0] == "REF"] == [["REF", "BM", "BOL-77"], ["REF", "CN", "1Z999"]]
    content = wrap_for(PROFILES["acme"], "SH", "856", [body])
    read_back(content)
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_night_2_changes_home_depot_po_and_cancels_wayfair_po(shipped):
    from connectors.state import StateStore

    revised = [segs for path in sorted((shipped.drop_root / "homedepot" / "outbox").glob("homedepot-855-*.x12"))
               if (segs := _segments(path))[3][:4] == ["BAK", "05", "AD", "35710043"]]
    assert len(revised) == 1  # the revised 855 Home Depot's profile asks for (change_ack = "855")
    assert [s for s in revised[0] if s[0] in ("PO1", "ACK")] == [
        ["PO1", "1", "24", "EA", "19.7", "", "BP", "1001234567", "VN", "VP-1001"],  # POC QD: 36 -> 24 (POC03)
        ["ACK", "IA", "24", "EA", "068", "20261209"],  # the 860's new DTM 010
        ["PO1", "3", "120", "EA", "3.1", "", "BP", "1001234570", "VN", "VP-1011"],  # POC AI; line 2 deleted (DI)
        ["ACK", "IA", "120", "EA", "068", "20261209"]]
    state = StateStore(shipped.state_path)
    try:
        states = {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()
    assert {k: v for k, v in states.items() if "CS448812355" in str(k)} and \
        all(v == "cancelled" for k, v in states.items() if "CS448812355" in str(k))


def test_810_vendor_number_qualifier_and_contact_one_invoice_at_a_time(tmp_path):
    """build_810 (one invoice at a time, as a PO without agreed terms is billed): REF*VR and PER after the
    heading's REFs, before N1; Bots' 004010 grammar accepts it. Default: REF*IA, no PER."""
    from engine.invoice import build_810
    from schemas.fulfilment import InvoiceSettings, PoAckContact
    from tests.shipping_support import PROFILES, bots_check, read_back, wrap_for
    from tests.test_invoice_810 import invoice, line, shipped_for

    inv = invoice(line("1"))
    settings = InvoiceSettings(vendor_number="33120", vendor_number_qualifier="VR",
                               contact=PoAckContact(name="AR", phone="973-555-0142"))
    body = build_810(inv, settings, shipped=shipped_for(inv))
    assert [s[:2] for s in body[:7]] == [["BIG", "20261128"], ["CUR", "SE"], ["REF", "SI"], ["REF", "BM"],
                                        ["REF", "VR"], ["PER", "IC"], ["N1", "BT"]]
    assert body[5] == ["PER", "IC", "AR", "TE", "973-555-0142"]
    plain = build_810(inv, InvoiceSettings(vendor_number="33120"), shipped=shipped_for(inv))
    assert ["REF", "IA", "33120"] in plain and not [s for s in plain if s[0] == "PER"]
    content = wrap_for(PROFILES["acme"], "IN", "810", [body])
    read_back(content)
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_shipment_refs_and_td1_shape_the_shipment_level():
    """build_856 alone: shipment_refs keeps the S level's REFs the guide lists (in our order), shipment_td1 = false
    leaves TD1 out; the defaults write TD1, REF BM and every REF CN as before."""
    from dataclasses import replace

    from engine.asn import build_856
    from schemas.fulfilment import AsnSettings
    from tests.shipping_support import NOW, sample_shipment

    shipment = replace(sample_shipment(), extra_refs=(("CN", "1Z998"),))

    def s_level(asn):
        body = build_856(shipment, asn, created=NOW)
        return [s[:2] for s in body[2:next(k for k, s in enumerate(body) if s[:4] == ["HL", "2", "1", "O"])]]

    assert s_level(AsnSettings()) == [["TD1", "CTN25"], ["TD5", "B"], ["REF", "BM"], ["REF", "CN"], ["REF", "CN"],
                                      ["DTM", "011"], ["N1", "SF"], ["N3", "1 Dock Road"], ["N4", "Newark"],
                                      ["N1", "ST"], ["N3", "1 Way"], ["N4", "Columbus"]]
    assert s_level(AsnSettings(shipment_refs=("BM",), shipment_td1=False))[:3] == [["TD5", "B"], ["REF", "BM"],
                                                                                  ["DTM", "011"]]
    assert s_level(AsnSettings(shipment_refs=("CN",)))[2:5] == [["REF", "CN"], ["REF", "CN"], ["DTM", "011"]]
    assert s_level(AsnSettings(shipment_refs=()))[2] == ["DTM", "011"]


@pytest.fixture(scope="module")
def demo_night(tmp_path_factory):
    """The demo's night 1 with the warehouses (as tests/test_945_shapes.py's template): GLOBEX-2001 waits for North."""
    from tests.support import demo_night_with_warehouses

    return demo_night_with_warehouses(tmp_path_factory.mktemp("945") / "ws")


def test_a_3pl_945s_carton_tracking_numbers_go_to_their_cartons(demo_night, tmp_path):
    """package_tracking on a 945 (North 3PL, Globex's S-O-T-P-I with the option on): each LX carton's MAN*CP is
    the REF*CN of that carton's P loop, the S level has the first only."""
    from tests.test_945_shapes import CARTON1, CARTON2, HEAD, body_of, carton, codes, segments, w945
    from tests.test_shipment_findings_flow import ship

    body = HEAD + carton(CARTON1, 24, "MAN*CP*1Z4R9W830300000011") + carton(CARTON2, 24, "MAN*CP*1Z4R9W830300000022")
    on = ("globex", 'structure = "SOTPI"', 'structure = "SOTPI"\npackage_tracking = true')
    ws, state, res = ship(demo_night, tmp_path, "north", "n.x12", w945(body), profile_edit=on)
    assert res.shipments == 1, codes(state)
    text = body_of(state)
    e = text[3]
    segs = [s.strip().split(e) for s in text.split("~") if s.strip()]
    first_order = next(k for k, s in enumerate(segs) if s[0] == "HL" and s[3] == "O")
    assert [s for s in segs[:first_order] if s[:2] == ["REF", "CN"]] == [["REF", "CN", "1Z4R9W830300000011"]]
    cartons = [k for k, s in enumerate(segs) if s[0] == "HL" and s[3] == "P"]
    assert [segs[k + 1] for k in cartons] == [["REF", "CN", "1Z4R9W830300000011"], ["REF", "CN", "1Z4R9W830300000022"]]
    assert [m[2] for m in segments(text, "MAN")] == [CARTON1, CARTON2]
