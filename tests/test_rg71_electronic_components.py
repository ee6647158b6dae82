"""Electronic-component buyers of a component maker (rg71): EMS plants and distributors, in the shapes of the
electronics trade's 850 4010 and 5010 guides (EIDX's recommendations; the EMS companies' public 855/865/830 guides,
Flex's and Sanmina's: their 850s' segment detail was not readable in the public corpus, so the shapes are the
trade's common ones). tests/fixtures/rg71/ holds each one's profile, reference rows, stock, 850s and the east DC's
confirmation of what shipped (the rg2 DC). Our part numbers are the maker's, with the trade's symbols: #
(RG71-2057HMS8#TRPBF), + (RG71-3232ECAE+T), / (RG71-317T/NOPB) and lower case (RG71mega328P-AU); reel items' case
pack and minimum are a full reel. Jabil (004010 from its DUNS: its part BP beside ours VP and the maker's MG, a
price quote REF PR, an op amp in two drops SCH, a transceiver by the reel RE, a tray of microcontrollers NCNR by REF
ZZ, each other line its own delivery date DTM 002, date-code and country-of-origin rules in N9/MSG); Digi-Key
(005010 stock order: quoted prices PO105 QT with the quote REF Q1, full reels, its -ND numbers BP, a microcontroller
by our part in capitals, the rules in N9/MTX, 5010 having no MSG there); Avnet (004010 drop ship, BEG02 DS, to its
customer's EMS plant, N1 ST with the address, the plant's PO in REF CO, reels RE priced per reel, its catalog number
CB, ours sent once in lower case, the maker by name MF); Celestica (005010: an op amp in three weekly drops, SCH,
the other lines each with its own DTM 002; its 860s reschedule by date alone). One night takes them all: inspect,
the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12. Then the 860s: push-outs and
pull-ins by DTM 002 under POC CT (answered by 865s, or revised 855s for Jabil), and a drop moved by SCH."""

from __future__ import annotations

from datetime import date, datetime

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

FIXTURES = REPO / "tests" / "fixtures" / "rg71"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"jabil": {"4500718821": 4}, "digikey": {"DK7102931": 4}, "avnet": {"AV71-0388120": 2},
       "celestica": {"CL71002211": 3}}
# the date-code, country-of-origin and full-reel rules (no document of ours carries them) and the drop schedules
# (lines ship whole on their dates) are told to a person
NOTED = {"NOTES_NOT_KEPT", "SCH_NOT_APPLIED"}
NIGHT_NOTED = NOTED | {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg71") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=4, answers=4)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Jabil: its price quote (REF PR) on every answer; the part numbers with # and + echoed as sent, the reels
    # billed by the reel as ordered, each line promised for its own delivery date less the 2 days in transit
    ack = po_segments(segments(ws, "jabil", "855"), "4500718821", "BAK")
    asn = po_segments(segments(ws, "jabil", "856"), "JB-SHP-01", "BSN")
    inv = po_segments(segments(ws, "jabil", "810"), "4500718821", "BIG")
    for doc in (ack, asn, inv):
        assert ["REF", "PR", "Q-JB-26-0457"] in doc
    assert [s[1:6] for s in ack if s[0] == "ACK"] == [["IA", "5000", "EA", "068", "20261125"],
                                                      ["IA", "2", "RE", "068", "20261208"],
                                                      ["IA", "1600", "EA", "068", "20261213"],
                                                      ["IA", "500", "EA", "068", "20261213"]]
    assert ["IT1", "1", "5000", "EA", "2.85", "", "BP", "311-0457-01", "VP", "RG71-2057HMS8#TRPBF", "MG",
            "RG71-2057HMS8#TRPBF"] in inv
    assert ["IT1", "2", "2", "RE", "1150", "", "BP", "311-0513-00", "VP", "RG71-3232ECAE+T"] in inv
    assert ["TDS", "1992700"] in inv  # 5000 x 2.85 + 2 x 1150 + 1600 x 1.92 + 500 x 0.61
    assert ["LIN", "3", "BP", "311-0620-02", "VP", "RG71mega328P-AU"] in asn and ["SN1", "", "2", "RE", "", "2",
                                                                                  "RE"] in asn
    # Digi-Key (005010): its quote (REF Q1) and quoted prices (PO105 QT) as sent; the microcontroller it names in
    # capitals (RG71MEGA328P-AU: our RG71mega328P-AU, a new item its cross-reference lacks) echoed as it sent it
    inv = po_segments(segments(ws, "digikey", "810"), "DK7102931", "BIG")
    assert ["REF", "Q1", "DKQ-2611-0088"] in inv and ["TDS", "647200"] in inv
    assert ["IT1", "4", "1600", "EA", "1.9", "QT", "VP", "RG71MEGA328P-AU", "BP", "RG71MEGA328P-AU-ND"] in inv
    assert ["REF", "Q1", "DKQ-2611-0088"] in po_segments(segments(ws, "digikey", "855"), "DK7102931", "BAK")
    # Avnet: dropped at the EMS plant, named with its address on the 856 and 810, Avnet the buyer, the plant's PO
    # (REF CO) carried; reels by the reel with the maker named (MF) and our part as sent in lower case
    asn = po_segments(segments(ws, "avnet", "856"), "AV-SHP-01", "BSN")
    inv = po_segments(segments(ws, "avnet", "810"), "AV71-0388120", "BIG")
    for doc in (asn, inv):
        assert ["N1", "ST", "SANMINA PLANT 3", "92", "SAN-HSV3"] in doc and ["N4", "HUNTSVILLE", "AL", "35803", "US"] \
            in doc and ["N1", "BY", "AVNET INC", "92", "AVT"] in doc and ["REF", "CO", "SAN-4410087"] in doc
    assert ["IT1", "2", "3", "RE", "21", "", "CB", "AV-RC0603-10K", "VP", "rg71-rc0603fr-0710kl", "MF",
            "ORDERBRIDGE SEMI"] in inv and ["TDS", "466300"] in inv
    # Celestica (005010): the op amp's three drops shipped at once (SCH_NOT_APPLIED told), billed whole
    inv = po_segments(segments(ws, "celestica", "810"), "CL71002211", "BIG")
    assert ["IT1", "1", "7500", "EA", "2.79", "", "BP", "C-100-2057-A", "VP", "RG71-2057HMS8#TRPBF"] in inv
    assert ["REF", "PR", "CQ-7788-R2"] in inv and ["TDS", "2214900"] in inv


def test_our_part_number_as_the_maker_s_or_in_other_capitals_is_ours():
    """We make the parts: an EMS plant names them by its approved-manufacturer list, the maker's part number (MG)
    beside its own (BP), often with no VP; a distributor keeps makers' part numbers in capitals (Digi-Key's
    RG71MEGA328P-AU for our RG71mega328P-AU), a buyer's system may send them in lower case (Avnet's
    rg71-rc0603fr-0710kl). Each line was refused (ACK IR, ITEM_UNKNOWN "No item matches ..."). Now an MG is tried
    among our vendor part numbers after every exact match and the cross-reference (whose MG rows still map a
    maker's number that is not ours), and a vendor part (VN/VP/VC/VA) or MG no item matches exactly matches
    ignoring case, after those, when one item alone matches so."""
    import pyarrow as pa

    from rules.business.items import resolve_items

    def resolved(vendor_parts: list[str], sent: list[tuple[str, str]], xref: tuple = ()) -> list:
        items = pa.table({"sku": [f"SKU-{k}" for k in range(len(vendor_parts))], "gtin": [None] * len(vendor_parts),
                          "upc": [None] * len(vendor_parts), "vendor_part": vendor_parts,
                          "case_pack": [1] * len(vendor_parts), "min_order_qty": [1] * len(vendor_parts),
                          "status": ["active"] * len(vendor_parts)})
        partner_items = pa.table({"partner": ["dk"] * len(xref), "qualifier": [q for q, _i, _s in xref],
                                  "buyer_part": [i for _q, i, _s in xref], "sku": [s for _q, _i, s in xref]},
                                 schema=pa.schema([(c, pa.string()) for c in ("partner", "qualifier", "buyer_part",
                                                                              "sku")]))
        lines = pa.table({"partner": ["dk"] * len(sent), "product_ids": [[{"qualifier": q, "id": i}] for q, i in sent]})
        return resolve_items(lines, items, partner_items)["sku"].to_pylist()

    ours = ["RG71mega328P-AU", "RG71-RC0603FR-0710KL"]
    assert resolved(ours, [("VP", "RG71MEGA328P-AU"), ("VN", "rg71-rc0603fr-0710kl"), ("BP", "rg71mega328p-au")]) \
        == ["SKU-0", "SKU-1", None]  # (BP: the buyer's number, matched by its cross-reference alone)
    # an exact match wins: ours in either case, or the partner's cross-reference of the id as sent
    assert resolved(["ABC-1", "abc-1"], [("VP", "abc-1"), ("VP", "ABC-1"), ("VP", "Abc-1")]) == ["SKU-1", "SKU-0",
                                                                                                  None]
    assert resolved(ours, [("VP", "RG71MEGA328P-AU")], xref=(("VP", "RG71MEGA328P-AU", "SKU-1"),)) == ["SKU-1"]
    # MG: ours, exactly or in other capitals; a cross-reference of the MG wins
    assert resolved(ours, [("MG", "RG71mega328P-AU"), ("MG", "rg71-RC0603FR-0710KL"), ("MG", "LM317T")]) == [
        "SKU-0", "SKU-1", None]
    assert resolved(ours, [("MG", "RG71mega328P-AU")], xref=(("MG", "RG71mega328P-AU", "SKU-1"),)) == ["SKU-1"]


def test_jabil_s_line_named_by_its_part_and_our_maker_s_number_alone_is_taken(tmp_path):
    """Jabil's regulator line names a part number of its own that is new (311-0702-99, in no cross-reference) and
    ours as the maker's (MG RG71-317T/NOPB), no VP: taken, acknowledged, shipped and billed as sent."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "jabil", "4500718821", tmp_path,
                                      [(b"BP*311-0702-00*VP*RG71-317T/NOPB", b"BP*311-0702-99*MG*RG71-317T/NOPB")],
                                      warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    assert states == {("jabil", "4500718821"): "invoiced"}
    line = ["4", "500", "EA", "0.61", "", "BP", "311-0702-99", "MG", "RG71-317T/NOPB"]
    assert ["PO1", *line] in segments(ws, "jabil", "855") and ["IT1", *line] in segments(ws, "jabil", "810")


# the partners' ISA qualifier and id (their GS02 too), ISA12 and GS08, for the 860s the tests below drop
_SENDERS = {"celestica": ("ZZ", "CELESTICAUS", "00501", "005010"), "jabil": ("01", "061234071", "00401", "004010")}


def _changed(tmp_path, partner: str, pocs: list[str], control: int):
    """``partner``'s PO taken on NIGHT, then its 860 of ``pocs`` (each POC with the segments of its loop, in order;
    BCH 04, control number ``control``) taken the next morning: the workspace, the PO's findings (code, message)
    and its orders' states."""
    from tests.retailer_support import findings_and_states
    from tests.support import run_stages

    [po_file] = [p.name for p in (FIXTURES / "drops" / partner).iterdir()]
    ws = of_its_own(FIXTURES, tmp_path / "ws", {partner: [po_file]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    qualifier, sender, isa12, gs08 = _SENDERS[partner]
    [po_number] = POS[partner]
    body = ["ST*860*0001", f"BCH*04*SA*{po_number}**1*20261124", *pocs,
            f"CTT*{sum(s.startswith('POC*') for s in pocs)}"]
    body.append(f"SE*{len(body) + 1}*0001")
    repetition = "^" if isa12 >= "00402" else "U"
    (ws.drop_root / partner / "inbox" / "change.x12").write_text(
        f"ISA*00*          *00*          *{qualifier}*{sender:<15}*ZZ*ORDERBRIDGE    *261126*0800*{repetition}*{isa12}*"
        f"{control:09d}*0*P*>~GS*PC*{sender}*ORDERBRIDGE*20261126*0800*{control}*X*{gs08}~"
        + "".join(seg + "~" for seg in body) + f"GE*1*{control}~IEA*1*{control:09d}~")
    run_stages(ws, datetime(2026, 11, 26, 9))
    found, states = findings_and_states(ws)
    return ws, found, states


def _line_dates(ws, partner: str) -> dict[str, object]:
    """PO line id -> its stored requested delivery date (ORDER_LINES requested_delivery_date) of ``partner``'s PO."""
    from connectors.order_store import OrderStore
    from connectors.state import StateStore

    [po_number] = POS[partner]
    state = StateStore(ws.state_path)
    try:
        record = state.order(partner, po_number)
    finally:
        state.close()
    _orders, lines = OrderStore(ws.orders_dir).load(partner, record.lines_key)
    return dict(zip(lines["line_id"].to_pylist(), lines["requested_delivery_date"].to_pylist(), strict=True))


_PUSH_OUT = ["POC*2*CT*320*320*EA*1.95**BP*C-100-0328-B*VP*RG71mega328P-AU", "DTM*002*20261223"]
_PULL_IN = ["POC*3*CT*1000*1000*EA*0.6**BP*C-100-0317-C*VP*RG71-317T/NOPB", "DTM*002*20261204"]


def test_celestica_s_acknowledgment_promises_each_line_for_its_delivery_date_less_the_transit(night):
    """Celestica (3 days in transit, [fulfilment.asn] transit_days) asks each line for a delivery date of its own
    (PO1 loop DTM 002) and no ship date: each line is promised (855 ACK 068) for its date less the transit; the
    op amp, scheduled by SCH alone, for the night's day (SCH_NOT_APPLIED told)."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "celestica", "855"), "CL71002211", "BAK")
    assert [s[1:6] for s in ack if s[0] == "ACK"] == [["IA", "7500", "EA", "068", "20261125"],
                                                      ["IA", "320", "EA", "068", "20261206"],
                                                      ["IA", "1000", "EA", "068", "20261213"]]


def _answers_accepted(ws, partner: str, tmp_path, maps) -> int:  # noqa: F811
    """Every 855 and 865 in ``partner``'s outbox passes our outbound validator, Bots and pyx12: how many."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    sent = sorted((ws.drop_root / partner / "outbox").glob("*-8[56]5-*.x12"))
    for path in sent:
        content = path.read_bytes()
        assert [f for f in validate_outbound(content) if f.severity == "error"] == [], path.name
        ok, errors = bots_check(content, tmp_path)
        assert ok, (path.name, errors)
        ok, ack = pyx12_accepts(content.decode(), maps)
        assert ok, (path.name, ack[:800])
    return len(sent)


def test_a_reschedule_by_delivery_date_moves_the_line_s_promise_push_out_and_pull_in(tmp_path, maps):  # noqa: F811
    """Celestica's 860 (005010) reschedules two lines by date alone, as the electronics trade does: POC02 CT with
    the line's new delivery date in its loop (DTM 002, the date its PO1 loop was taken with), line 2 pushed out
    from 12-09 to 12-23, line 3 pulled in from 12-16 to 12-04. The 865 answered IA without a date and each line
    kept its old date and promise (CHANGE_DATES_NOT_STORED: "we keep ... DTM 001/063/064, 010, 037/038 only"),
    though an 850's PO1 loop DTM 002 is kept and promises the line (its date less the transit): the push-out would
    ship two weeks early, the pull-in a week and a half late. Now a POC loop's DTM 002 is the line's new delivery
    date, kept, and the line decided again: the 865 promises line 2 for 12-20 and line 3 for 12-01 (ACK 068)."""
    ws, found, states = _changed(tmp_path, "celestica", [*_PUSH_OUT, *_PULL_IN], 7111)
    assert {c for c, _m in found} <= {"SCH_NOT_APPLIED"}, found
    assert states == {("celestica", "CL71002211"): "acknowledged"}
    answer = segments(ws, "celestica", "865")
    assert [s[1:6] for s in answer if s[0] == "ACK"] == [["IA", "320", "EA", "068", "20261220"],
                                                         ["IA", "1000", "EA", "068", "20261201"]]
    assert _line_dates(ws, "celestica") == {"1": None, "2": date(2026, 12, 23), "3": date(2026, 12, 4)}
    assert _answers_accepted(ws, "celestica", tmp_path, maps) == 2  # (005010: the 855 and the 865)


def test_jabil_s_push_out_is_answered_by_a_revised_855_with_the_new_promise(tmp_path, maps):  # noqa: F811
    """Jabil (004010, 2 days in transit, its changes answered by revised 855s) pushes the transceiver reels out from
    12-10 to 12-28 (POC CT, DTM 002 in its loop): the revised 855 (BAK01 05) promises line 2 for 12-26, the other
    lines as before (the op amp's drops, SCH, on the night's day; the tray and the tubes 12-13, their 12-15 less the
    transit). The pushed-out line used to keep 12-08 (a dates-only change, CHANGE_DATES_NOT_STORED, its answer an
    865 Jabil does not take). And the revised 855 of a change restated every line it left alone on the order's
    day (11-26): the tray and the tubes, told 12-13 from their own delivery dates, were said to ship two weeks
    early (engine.lifecycle.decisions _revise: an untouched line keeps the day it was told, its own)."""
    ws, found, _states = _changed(tmp_path, "jabil", [
        "POC*2*CT*2*2*RE*1150**BP*311-0513-00*VP*RG71-3232ECAE+T", "DTM*002*20261228"], 7112)
    assert {c for c, _m in found} <= NOTED, found
    answers = segments(ws, "jabil", "855")
    first, revised = (po_segments(answers[k:], "4500718821", "BAK") for k in
                      (0, next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"])))
    dated = [["068", "20261125"], ["068", "20261208"], ["068", "20261213"], ["068", "20261213"]]
    assert [s[4:6] for s in first if s[0] == "ACK"] == dated
    # (the op amp, of no date of its own, on the order's day: the change's, 11-26)
    assert [s[4:6] for s in revised if s[0] == "ACK"] == [["068", "20261126"], ["068", "20261226"], *dated[2:]]
    assert not list((ws.drop_root / "jabil" / "outbox").glob("*-865-*"))
    assert _line_dates(ws, "jabil") == {"1": None, "2": date(2026, 12, 28), "3": date(2026, 12, 15),
                                        "4": date(2026, 12, 15)}
    assert _answers_accepted(ws, "jabil", tmp_path, maps) == 2  # (004010: the 855 and its revision)


def test_a_reschedule_of_the_drops_we_do_not_keep_restates_each_line_on_the_day_it_was_told(tmp_path):
    """Jabil moves the op amp's second drop (SCH 2500 EA 002, 12-22 to 01-12) by a CT whose loop carries the line's
    new schedule, SCH alone: a schedule we keep nowhere (CHANGE_DATES_NOT_STORED tells a person), answered by a
    revised 855 of the order as it stands. That 855 restated every line on the order's day (11-26), the lines its
    first 855 promised for their own delivery dates less the transit (12-08, 12-13) said to ship at once
    (engine.lifecycle.changes revised_855). Now each keeps its own day; the op amp, of no date of its own, the
    order's."""
    ws, found, _states = _changed(tmp_path, "jabil", [
        "POC*1*CT*5000*5000*EA*2.85**BP*311-0457-01*VP*RG71-2057HMS8#TRPBF", "SCH*2500*EA***002*20261208",
        "SCH*2500*EA***002*20270112"], 7113)
    assert {c for c, _m in found} <= NOTED | {"CHANGE_DATES_NOT_STORED"}, found
    [message] = [m for c, m in found if c == "CHANGE_DATES_NOT_STORED"]
    assert "line 1" in message
    answers = segments(ws, "jabil", "855")
    revised = po_segments(answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):], "4500718821",
                          "BAK")
    assert [s[1:6] for s in revised if s[0] == "ACK"] == [["IA", "5000", "EA", "068", "20261126"],
                                                          ["IA", "2", "RE", "068", "20261208"],
                                                          ["IA", "1600", "EA", "068", "20261213"],
                                                          ["IA", "500", "EA", "068", "20261213"]]


def test_a_passive_s_price_in_fractions_of_a_cent_is_taken_and_billed_as_quoted(tmp_path):
    """Digi-Key's quote prices the 10K resistor at 0.00418 each (PO104 0.00418 QT: distributors quote passives to
    five or six places; X12's R type allows any): the order should be taken, answered and billed at 0.00418, the
    line 41.80 (TDS 6471.80). It was held for a person (PRICE_DECIMALS_UNSUPPORTED: our tables carried 4 decimals),
    whose approval billed 0.0042; a price of up to 6 decimals is now the line's (schemas.orders.exact_prices)."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "digikey", "DK7102931", tmp_path,
                                      [(b"PO1*2*10000*EA*0.0042*QT", b"PO1*2*10000*EA*0.00418*QT")],
                                      warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)
    assert {f[0] for f in found} <= NIGHT_NOTED, found
    assert states == {("digikey", "DK7102931"): "invoiced"}
    inv = segments(ws, "digikey", "810")
    assert ["IT1", "2", "10000", "EA", "0.00418", "QT", "VP", "RG71-RC0603FR-0710KL", "BP",
            "RG71-RC0603FR-0710KLTR-ND"] in inv and ["TDS", "647180"] in inv
