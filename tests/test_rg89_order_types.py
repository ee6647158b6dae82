"""Purchase order purposes (BEG01) and types (BEG02) as buyers send them, and what a supplier must do with each, in
the shapes of the buyers' public 850 guides and X12's code lists 353 and 92 (facts carried over, the files written
here): tests/fixtures/rg89/ holds each one's profile, reference rows, stock, 850s and the east DC's confirmation of
what shipped (the rg2 DC). The Home Depot (a stand-alone store order, BEG02 SA, its department REF*DP, lines by UPC
and Home Depot SKU, a case line with PO4; and the same PO resent by its translator as a duplicate, BEG01 07: one
order, answered and shipped once); Lowe's (a direct-ship order to a consumer, BEG02 DS, the customer's order in
REF*CO and the customer by name and address: one fan, not rounded up to the case of 4); Grainger (a rush order for
a branch, BEG02 RO, wanted in two days, DTM*002, next-day air: acknowledged to ship the night it came); Fastenal (a
blanket order for a year of fasteners, BEG02 BK with its end in DTM*036, held for a person, nothing reserved; its
first release, BEG02 RL, BEG04 0001, answered, shipped and billed as its own order under the blanket's PO number).
One night takes them all: inspect, the 997s and 855s, the 856s and 810s, checked by our validator, Bots and pyx12.
Variants: an information copy (BEG01 22) is never shipped; a duplicate sent after the order shipped is not shipped
again; the same consumer's fan sent as a stand-alone (SA) order is rounded to the case, the drop ship is not; HD
Supply's confirmation (BEG01 06) of an order phoned in to our desk, which we never received as an 850, used to be
created, acknowledged and shipped as a new order (the phoned-in order twice): held for a person now
(ORDER_CONFIRMATION_UNKNOWN); a sample order (BEG02 SP) at PO104 0 was held as a discount of 100 % (an error of
price): it waits as free goods do (PRICE_NO_CHARGE) and, approved, is answered and billed at 0; a release drawing
more than its blanket holds, or sent after the blanket's end, was acknowledged and shipped without a word: held for
a person now (RELEASE_PAST_BLANKET, RELEASE_AFTER_BLANKET_END: tests/test_rg89b.py); a change sent as an 850
(BEG01 04) was read as a copy that differs: it changes the order now."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    all_sent_accepted,
    findings_and_states,
    inspected,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    recounted,
    segments,
    shipped_night,
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg89"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
RELEASE = "FAS8900401\x1e0001"  # the release's order key: the blanket's PO number and its BEG04 (schemas.order_keys)

# (the Home Depot's resent copy names the same PO: one order, two 997 AK2s)
POS = {"homedepot": {"HD8900101": 2}, "lowes": {"LW89000303": 1}, "grainger": {"GR8900202": 2}}
# Fastenal's blanket note and Grainger's rush note (N9/MSG) go to a person (the blanket's end, DTM 036, is kept);
# the copy is named; every 856 is built on the ship day, after the DC's 06:30 departure
NOTED = {"NOTES_NOT_KEPT", "HEADING_DATES_NOT_APPLIED", "ORDER_DUPLICATE", "ASN_LATE", "ORDER_TYPE_UNSUPPORTED"}


def _variant(partner, po, tmp_path, swaps=(), **kw):
    return variant_night(FIXTURES, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY, **kw)


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_with_its_purpose_and_type(path):
    """inspect reads each file without an error, its BEG01 and BEG02 as sent, every line."""
    seen = inspected(path, {"NOTES_NOT_KEPT", "HEADING_DATES_NOT_APPLIED"})
    assert {f["severity"] for f in seen["findings"]} <= {"warning"}
    [order] = seen["orders"]
    expected = {"HD850_HD8900101.x12": ("HD8900101", "00", "SA", 2),
                "HD850_HD8900101_resent.x12": ("HD8900101", "07", "SA", 2),
                "LOWES850_LW89000303.x12": ("LW89000303", "00", "DS", 1),
                "GWW850_GR8900202.x12": ("GR8900202", "00", "RO", 2),
                "FAS850_FAS8900401.x12": ("FAS8900401", "00", "BK", 2),
                "FAS850_FAS8900401_0001.x12": ("FAS8900401", "00", "RL", 2)}[path.name]
    assert (order["po_number"], order["purpose"], order["order_type"], order["line_count"]) == expected


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg89") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_order_is_answered_by_its_kind(night):
    """Every set accepted by its 997 (the Home Depot's copy too: valid X12); the stand-alone, drop-ship, rush orders
    and the release acknowledged as ordered, shipped and invoiced; the blanket held for a person, nothing reserved
    for it, no 855; the copy named (ORDER_DUPLICATE, a warning), not answered again."""
    from connectors.state import StateStore

    ws, found, states = night
    accepted_as_ordered(ws, {p: pos for p, pos in POS.items() if p != "homedepot"})
    # the Home Depot: two sets accepted (the PO and its copy), one 855 acknowledging the PO as ordered
    assert [s[1] for s in segments(ws, "homedepot", "997") if s[0] == "AK5"] == ["A", "A"]
    answers = segments(ws, "homedepot", "855")
    assert [s[:4] for s in answers if s[0] == "BAK"] == [["BAK", "00", "AD", "HD8900101"]]
    assert [s[1:4] for s in answers if s[0] == "ACK"] == [["IA", "24", "EA"], ["IA", "4", "CA"]]
    assert states == {("homedepot", "HD8900101"): "invoiced", ("lowes", "LW89000303"): "invoiced",
                      ("grainger", "GR8900202"): "invoiced", ("fastenal", "FAS8900401"): "held",
                      ("fastenal", RELEASE): "invoiced"}
    assert {c for c, *_ in found} <= NOTED
    assert [(c, s, po) for c, s, po, _m in found if s == "error"] == [
        ("ORDER_TYPE_UNSUPPORTED", "error", "FAS8900401")]
    [copy] = [m for c, _s, po, m in found if c == "ORDER_DUPLICATE"]
    assert copy.startswith("PO HD8900101 was already received from homedepot") and "not processed" in copy
    assert [s[1] for s in segments(ws, "fastenal", "997") if s[0] == "AK5"] == ["A", "A"]
    state = StateStore(ws.state_path)
    try:
        held = state.order("fastenal", "FAS8900401")
        assert held.hold_codes == ("ORDER_TYPE_UNSUPPORTED",)
        assert not [r for r in state.reservations() if r["po_number"] == "FAS8900401" and r["quantity"]]
    finally:
        state.close()
    # one 855 for Fastenal: its release's, which names the release (BAK08), at the blanket's prices
    [bak] = [s for s in segments(ws, "fastenal", "855") if s[0] == "BAK"]
    assert bak[:4] == ["BAK", "00", "AD", "FAS8900401"] and bak[5] == "0001"


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # four 856s and 810s (the Home Depot's PO shipped once), four 855s (none for the blanket)
    all_sent_accepted(night[0], [*POS, "fastenal"], tmp_path, maps, shipments=4, answers=4)


def test_each_order_type_answered_shipped_and_billed_as_its_guide_says(night):
    ws, _found, _states = night
    # the Home Depot: its requested ship day (DTM 010) promised, the case line by the case, its department back
    ack = po_segments(segments(ws, "homedepot", "855"), "HD8900101", "BAK")
    assert ["ACK", "IA", "24", "EA", "068", "20261201"] in ack and ["ACK", "IA", "4", "CA", "068", "20261201"] in ack
    inv = po_segments(segments(ws, "homedepot", "810"), "HD8900101", "BIG")
    assert ["IT1", "1", "24", "EA", "5.48", "", "UP", "614141890101", "SK", "1001234567"] in inv
    assert ["IT1", "2", "4", "CA", "85.5", "", "UP", "614141890200", "SK", "1001234568"] in inv
    assert ["REF", "DP", "021"] in inv and ["TDS", "47352"] in inv  # 24 x 5.48 + 4 x 85.50
    assert ["N1", "ST", "THE HOME DEPOT 6557", "92", "6557"] in inv
    # Lowe's: one fan to the consumer, by name and address, the customer's order on neither (REF*CO kept for us)
    ack = po_segments(segments(ws, "lowes", "855"), "LW89000303", "BAK")
    assert ["ACK", "IA", "1", "EA", "068", "20261125"] in ack
    asn = po_segments(segments(ws, "lowes", "856"), "LW-SHP-01", "BSN")
    assert ["N1", "ST", "ALEX MORGAN"] in asn and ["SN1", "", "1", "EA", "", "1", "EA"] in asn
    inv = po_segments(segments(ws, "lowes", "810"), "LW89000303", "BIG")
    assert ["N1", "ST", "ALEX MORGAN"] in inv and ["N3", "418 MAPLE RIDGE DR"] in inv
    assert ["N4", "MOORESVILLE", "NC", "28117", "US"] in inv
    assert ["IT1", "1", "1", "EA", "89", "", "IN", "1234890", "VN", "RG89-03", "UP", "614141890309"] in inv
    assert ["TDS", "8900"] in inv
    # Grainger: wanted by the 26th, acknowledged to ship the night it came (the 25th), by the dozen as ordered
    ack = po_segments(segments(ws, "grainger", "855"), "GR8900202", "BAK")
    assert [s for s in ack if s[0] == "ACK"] == [["ACK", "IA", "10", "DZ", "068", "20261125"],
                                                  ["ACK", "IA", "36", "EA", "068", "20261125"]]
    asn = po_segments(segments(ws, "grainger", "856"), "GR-SHP-01", "BSN")
    assert ["TD5", "B", "2", "FDEN", "A"] in asn and ["SN1", "", "10", "DZ", "", "10", "DZ"] in asn
    inv = po_segments(segments(ws, "grainger", "810"), "GR8900202", "BIG")
    assert ["IT1", "1", "10", "DZ", "25.2", "", "BP", "5YE89", "VP", "RG89-04"] in inv and ["TDS", "49500"] in inv
    # Fastenal: the release named on the 856's PRF and the 810's BIG, at the blanket's prices
    asn = po_segments(segments(ws, "fastenal", "856"), "FA-SHP-01", "BSN")
    assert ["PRF", "FAS8900401", "0001", "", "20261124"] in asn
    assert ["SN1", "", "1000", "EA", "", "1000", "EA"] in asn and ["SN1", "", "2000", "EA", "", "2000", "EA"] in asn
    inv = po_segments(segments(ws, "fastenal", "810"), "FAS8900401", "BIG")
    assert inv[0][4:6] == ["FAS8900401", "0001"]
    assert ["IT1", "1", "1000", "EA", "0.42", "", "BP", "11128906", "VP", "RG89-06"] in inv
    assert ["IT1", "2", "2000", "EA", "0.18", "", "BP", "11128907", "VP", "RG89-07"] in inv and ["TDS", "78000"] in inv


def test_an_information_copy_is_held_and_never_shipped(tmp_path):
    """The Home Depot's PO sent as an information copy (BEG01 22: a copy for the record, e.g. to a second supplier
    office): accepted by its 997, held for a person with the purpose named, no 855, nothing reserved; the DC's
    confirmation never reaches it (its rows name another PO)."""
    from connectors.state import StateStore

    ws, found, states = _variant("homedepot", "HD8900101", tmp_path, [("BEG*00*SA", "BEG*22*SA")],
                                 shipped_swaps=[("HD8900101", "HD8900199")])
    assert [s[1] for s in segments(ws, "homedepot", "997") if s[0] == "AK5"] == ["A"]
    assert states == {("homedepot", "HD8900101"): "held"}
    [told] = [m for c, _s, _po, m in found if c == "ORDER_PURPOSE_UNSUPPORTED"]
    assert told.startswith("BEG01 22 is a valid purpose, but not one we act on")
    assert not list((ws.drop_root / "homedepot" / "outbox").glob("homedepot-8[15][56]-*"))
    state = StateStore(ws.state_path)
    try:
        assert not [r for r in state.reservations() if r["quantity"]]
    finally:
        state.close()


def test_a_duplicate_sent_after_the_order_shipped_is_not_shipped_again(tmp_path):
    """The Home Depot's translator resends the PO (BEG01 07) the day after it shipped and was billed: its 997
    accepts it, the copy is named and not processed; no second 855, 856 or 810, the order still invoiced."""
    from tests.support import deliver_all, run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"homedepot": ["HD850_HD8900101.x12"]}, warehouses=WAREHOUSES)
    ws, _found, states = shipped_night(ws, FIXTURES, NIGHT, SHIP_DAY)
    assert states == {("homedepot", "HD8900101"): "invoiced"}
    outbox = ws.drop_root / "homedepot" / "outbox"
    sent = sorted(p.name for p in outbox.glob("homedepot-8[15][056]-*"))
    copy = FIXTURES / "drops" / "homedepot" / "HD850_HD8900101_resent.x12"
    shutil.copy2(copy, ws.drop_root / "homedepot" / "inbox" / copy.name)
    later = datetime(2026, 12, 2, 2)
    run_stages(ws, later)
    deliver_all(ws, later)
    assert sorted(p.name for p in outbox.glob("homedepot-8[15][056]-*")) == sent
    assert [s[1] for s in segments(ws, "homedepot", "997") if s[0] == "AK5"] == ["A", "A"]
    found, states = findings_and_states(ws)
    assert states == {("homedepot", "HD8900101"): "closed"}  # (its 810s went: closed by the next run)
    assert [m for c, m in found if c == "ORDER_DUPLICATE"] == [
        "PO HD8900101 was already received from homedepot (state invoiced); this copy is not processed."]


@pytest.mark.parametrize("kind, acked", [("DS", ["ACK", "IA", "1", "EA"]), ("SA", ["ACK", "IQ", "4", "EA"])])
def test_a_drop_ship_is_acknowledged_as_ordered_a_stand_alone_order_by_the_case(kind, acked, tmp_path):
    """The consumer's one fan: as a drop ship (BEG02 DS) one fan is acknowledged and shipped; the same line on a
    stand-alone store order (SA) is rounded up to the case of 4 (IQ), the wholesale rule."""
    ws, _found, _states = _variant("lowes", "LW89000303", tmp_path, [("BEG*00*DS", f"BEG*00*{kind}")],
                                   shipped_swaps=[("LW89000303", "LW89000399")])
    ack = po_segments(segments(ws, "lowes", "855"), "LW89000303", "BAK")
    assert [s[:5] for s in ack if s[0] == "ACK"] == [[*acked, "068"]]


CONFIRMATION = FIXTURES / "variants" / "HDS850_HDS8900505.x12"


def test_a_confirmation_of_an_order_phoned_in_is_not_a_second_order(tmp_path):
    """HD Supply phoned an order in to our desk and confirms it afterwards by an 850 BEG01 06 ("confirming order
    placed by phone, do not duplicate"). We never received it as an 850: the confirmation was created, allocated,
    acknowledged and shipped as a new order (the phoned-in order twice once the desk had entered it). Now it is
    accepted by its 997 and held for a person (ORDER_CONFIRMATION_UNKNOWN): no 855, nothing reserved."""
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    inbox = ws.drop_root / "hdsupply" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy2(CONFIRMATION, inbox / CONFIRMATION.name)
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    assert [s[1] for s in segments(ws, "hdsupply", "997") if s[0] == "AK5"] == ["A"]
    found, states = findings_and_states(ws)
    assert states == {("hdsupply", "HDS8900505"): "held"}
    [told] = [m for c, m in found if c == "ORDER_CONFIRMATION_UNKNOWN"]
    assert "confirmation (BEG01 06) of an order we never received" in told
    assert not list((ws.drop_root / "hdsupply" / "outbox").glob("hdsupply-855-*"))
    state = StateStore(ws.state_path)
    try:
        assert state.order("hdsupply", "HDS8900505").hold_codes == ("ORDER_CONFIRMATION_UNKNOWN",)
        assert not [r for r in state.reservations() if r["quantity"]]
    finally:
        state.close()


def test_a_confirmation_is_an_order_for_a_partner_whose_profile_says_so(tmp_path):
    """A partner whose 06s are its orders (a VMI buyer echoing our proposal) accepts the code in its profile's
    [rules.outcomes]: the confirmation is acknowledged as ordered and nothing is said."""
    from tests.support import deliver_all, run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    profile = ws.root / "partners" / "hdsupply.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        '[drop]', '[rules.outcomes]\nORDER_CONFIRMATION_UNKNOWN = "accept"\n\n[drop]'), encoding="utf-8")
    inbox = ws.drop_root / "hdsupply" / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy2(CONFIRMATION, inbox / CONFIRMATION.name)
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert states == {("hdsupply", "HDS8900505"): "acknowledged"}
    assert "ORDER_CONFIRMATION_UNKNOWN" not in {c for c, _m in found}
    ack = po_segments(segments(ws, "hdsupply", "855"), "HDS8900505", "BAK")
    assert [s[:4] for s in ack if s[0] == "ACK"] == [["ACK", "IA", "60", "EA"]]


def _second_release(tmp_path, quantity: str, day: str, night: datetime, wanted: str = "20261203"):
    """Fastenal's blanket and its release 0001 the first night, then release 0002 (``quantity`` of the screws,
    dated ``day``, wanted on ``wanted``, its DTM 002) at ``night``: the second night's findings and states."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"fastenal": ["FAS850_FAS8900401.x12", "FAS850_FAS8900401_0001.x12"]},
                    warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    first = (FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401_0001.x12").read_bytes()
    second = first.replace(b"*0001*20261124", f"*0002*{day}".encode()).replace(
        b"000089014", b"000089024").replace(b"*89014*", b"*89024*").replace(b"GE*1*89014", b"GE*1*89024").replace(
        b"PO1*1*1000*", f"PO1*1*{quantity}*".encode()).replace(b"PO1*2*2000*EA*0.18**BP*11128907*VP*RG89-07~\n", b"")
    second = recounted(second.replace(b"CTT*2*3000", f"CTT*1*{quantity}".encode()).replace(
        b"DTM*002*20261203", f"DTM*002*{wanted}".encode()))
    (ws.drop_root / "fastenal" / "inbox" / "FAS850_FAS8900401_0002.x12").write_bytes(second)
    run_stages(ws, night)
    return findings_and_states(ws)


def test_a_release_within_its_blanket_is_acknowledged_as_its_own_order(tmp_path):
    found, states = _second_release(tmp_path, "3000", "20261126", datetime(2026, 11, 26, 2))
    assert states[("fastenal", "FAS8900401\x1e0002")] == "acknowledged"
    assert states[("fastenal", "FAS8900401")] == "held"


def test_a_release_past_its_blanket_s_quantity_is_named(tmp_path):
    """The blanket holds 5,000 screws; release 0001 drew 1,000; release 0002 asks 4,500 (5,500 in all): a release
    drawing past its blanket is a finding naming both figures, not acknowledged without a word."""
    found, states = _second_release(tmp_path, "4500", "20261126", datetime(2026, 11, 26, 2))
    assert states[("fastenal", "FAS8900401\x1e0002")] != "acknowledged"
    assert any("5000" in m and "5500" in m for _c, m in found)


def test_a_release_after_its_blanket_s_end_is_named(tmp_path):
    """The blanket ends on 31 May 2027 (DTM*036); release 0002 dated 15 June 2027 calls off a blanket that is over."""
    found, states = _second_release(tmp_path, "500", "20270615", datetime(2027, 6, 16, 2), "20270625")
    assert states[("fastenal", "FAS8900401\x1e0002")] != "acknowledged"
    assert any("20270531" in m and "FAS8900401" in m for _c, m in found)


def test_a_sample_order_at_no_charge_waits_as_free_goods_and_is_billed_free_once_approved(tmp_path):
    """Grainger's branch asks for sample glasses (BEG02 SP, a sample order) at PO104 0, with a priced line of
    gloves. The free line was DISCOUNT_OVER_THRESHOLD ("100% below our price", an error of price): a sample at no
    charge is what the guide says, no discount. It waits for a person as free goods do (PRICE_NO_CHARGE, as PO105 NC
    says it); approved, the 855 acknowledges it at 0 as sent, and the 810 bills it at 0, the gloves at theirs."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    po = (FIXTURES / "drops" / "grainger" / "GWW850_GR8900202.x12").read_bytes()
    po = po.replace(b"BEG*00*RO", b"BEG*00*SP").replace(b"PO1*1*10*DZ*25.2**", b"PO1*1*1*DZ*0**")
    inbox = ws.drop_root / "grainger" / "inbox"  # (of_its_own made it, empty)
    (inbox / "GWW850_GR8900202.x12").write_bytes(recounted(po.replace(b"CTT*2*46", b"CTT*2*37")))
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws)
    assert states == {("grainger", "GR8900202"): "held"}
    [told] = [m for c, m in found if c == "PRICE_NO_CHARGE"]
    assert told.startswith("A sample order (BEG02) at PO104 0: the buyer's guide prices samples at no charge")
    assert "against our price 25.20 per DZ" in told
    assert "DISCOUNT_OVER_THRESHOLD" not in {c for c, _m in found}
    res = CliRunner().invoke(app, ["approve", "GR8900202", "--partner", "grainger", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 26, 2))
    ack = po_segments(segments(ws, "grainger", "855"), "GR8900202", "BAK")
    assert [s for s in ack if s[0] in ("PO1", "ACK")] == [
        ["PO1", "1", "1", "DZ", "0", "", "BP", "5YE89", "VP", "RG89-04"], ["ACK", "IA", "1", "DZ", "068", "20261126"],
        ["PO1", "2", "36", "EA", "6.75", "", "BP", "5YE90", "VP", "RG89-05"],
        ["ACK", "IA", "36", "EA", "068", "20261126"]]
    dc = ws.warehouse_drop_root / "east" / "inbox"
    dc.mkdir(parents=True, exist_ok=True)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(True)
    (dc / "east-shipments-20261201.csv").write_text("".join(
        r.replace(",RG89-04,10,DZ,", ",RG89-04,1,DZ,") for r in rows
        if r.startswith("Shipment") or ",GR8900202," in r), encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    inv = po_segments(segments(ws, "grainger", "810"), "GR8900202", "BIG")
    assert ["IT1", "1", "1", "DZ", "0", "", "BP", "5YE89", "VP", "RG89-04"] in inv
    assert ["TDS", "24300"] in inv  # the gloves alone: 36 x 6.75


def changed_by_850(tmp_path):
    """Home Depot's PO HD8900101 taken at NIGHT, then its 850 BEG01 04 raising the screws 24 -> 48 (before it
    shipped) taken the next night: (ws, findings as (code, message), states)."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"homedepot": ["HD850_HD8900101.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    change = (FIXTURES / "drops" / "homedepot" / "HD850_HD8900101_resent.x12").read_bytes()
    change = change.replace(b"BEG*07*SA", b"BEG*04*SA").replace(b"PO1*1*24*EA", b"PO1*1*48*EA").replace(
        b"CTT*2*28", b"CTT*2*52")
    (ws.drop_root / "homedepot" / "inbox" / "HD850_HD8900101_change.x12").write_bytes(change)
    run_stages(ws, datetime(2026, 11, 26, 2))
    found, states = findings_and_states(ws)
    return ws, found, states


def test_a_change_sent_as_an_850_holds_the_order_it_changes(tmp_path):
    """The Home Depot's store raises the screws from 24 to 48 by an 850 BEG01 04 (a change, code list 353) the day
    after the PO was acknowledged, before it shipped: the order must not ship 24 as if nothing came."""
    ws, found, states = changed_by_850(tmp_path)
    assert states == {("homedepot", "HD8900101"): "held"}
    assert any("BEG01 04" in m for _c, m in found)
