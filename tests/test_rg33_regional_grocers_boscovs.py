"""Regional grocers, as their public vendor material and grocery EDI practice describe them: tests/fixtures/rg33/
holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what
shipped (the rg2 DC, whose CSV carries net weights). Ingles Markets (004010 from its DUNS, qualifier 01; its Black
Mountain DC by DUNS+4, N1*ST*9, and our vendor party N1*VN; cases by case GTIN-14, UK, beside our item, VN, PO4 pack
and size; 2 % 10 net 30, ITD 08); Southeastern Grocers / Winn-Dixie (its Jacksonville DC with its address, a ship
window DTM 037/038, its routing TD5, Winn-Dixie item numbers IN beside the consumer UPC, REF VR its vendor number);
Schnuck Markets (a phone-number ISA id, qualifier 12; a line ordered by the each in case multiples, PO103 EA, beside
a line in cases); Weis Markets (005010 from DUNS plus suffix, qualifier 14; 1 % 15 net 30; the PO's total in AMT*TT);
Raley's (lines by case GTIN-14, consumer UPC and our item together). Boscov's was swept by rg21; Stater Bros. orders
grocery by the 875 (grocery_875/: read into the 850's tables, a night of its own: 997, 855, 856, 810; and a night
with its profile receiving the 880 Grocery Products Invoice in place of the 810, reconciled and shown as the
invoice). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator,
Bots and pyx12."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected,
    inspected_clean,
    line_counts,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg33"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"ingles": {"7710042": 2}, "winndixie": {"4300178812": 2}, "schnucks": {"0118842": 2},
       "weis": {"WM50088120": 2}, "raleys": {"R8841207": 2}}
NOTED: set[str] = set()
# the confirmations arrive hours after the trucks left
NIGHT_NOTED = {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_grocer_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg33") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def test_each_grocer_answered_to_its_own_envelope_and_its_dc_named_as_sent(night):
    ws, _found, _states = night
    # Ingles's DUNS (01), Schnucks's phone number (12), Weis's DUNS plus suffix (14, in 005010) answered as sent
    assert segments(ws, "ingles", "997")[0][7:9] == ["01", "096837210      "]
    assert segments(ws, "schnucks", "997")[0][7:9] == ["12", "3149945900     "]
    weis = segments(ws, "weis", "997")
    assert weis[0][7:9] == ["14", "0069512340001  "] and weis[0][11:13] == ["^", "00501"]
    # the DC by DUNS+4 (N1*ST*9) on the 856 and 810, as the PO named it
    for doc in ("856", "810"):
        assert ["N1", "ST", "INGLES BLACK MOUNTAIN DC", "9", "0968372100017"] in segments(ws, "ingles", doc)
        assert ["N1", "ST", "WEIS MARKETS MILTON DC", "9", "0069512340025"] in segments(ws, "weis", doc)


def test_terms_ship_window_items_and_units_as_ordered(night):
    ws, _found, _states = night
    # Ingles's 2 % 10 net 30 (ITD 08) and Weis's 1 % 15 net 30 billed on the PO's own terms; 40 x 18.00 + 25 x 27.60
    inv = po_segments(segments(ws, "ingles", "810"), "7710042", "BIG")
    assert ["ITD", "08", "3", "2", "", "10", "", "30"] in inv and ["TDS", "141000"] in inv
    inv = po_segments(segments(ws, "weis", "810"), "WM50088120", "BIG")
    assert ["ITD", "01", "3", "1", "", "15", "", "30"] in inv and ["TDS", "226800"] in inv  # the PO's AMT*TT 2268
    # Winn-Dixie's ship window: acknowledged for its ship-not-before day (DTM 037); its item numbers (IN) echoed
    ack = po_segments(segments(ws, "winndixie", "855"), "4300178812", "BAK")
    assert ["DTM", "068", "20261130"] in ack
    assert ["PO1", "1", "30", "CA", "21.6", "", "IN", "118827", "UP", "614141503032"] in ack
    asn = po_segments(segments(ws, "winndixie", "856"), "WD-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "UP", "614141503032", "IN", "118827"],
                                                    ["2", "UP", "614141503049", "IN", "118835"]]
    # Schnucks's line by the each in case multiples shipped and billed in eaches, its case line in cases
    inv = po_segments(segments(ws, "schnucks", "810"), "0118842", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "144", "EA", "1.75"], ["2", "20", "CA", "15"]]
    assert ["TDS", "55200"] in inv
    # Raley's three ids of each line kept on the 810 as sent
    inv = po_segments(segments(ws, "raleys", "810"), "R8841207", "BIG")
    assert ["IT1", "1", "30", "CA", "31.2", "", "UK", "10614141503084", "UP", "614141503087", "VN", "GRC-308"] in inv


GROCERY_875 = FIXTURES / "grocery_875"
STATER_875 = GROCERY_875 / "drops" / "staterbros" / "staterbros-875-SB4410027.x12"
POS_875 = {"staterbros": {"SB4410027": 2}}


def test_a_grocery_875_is_read_as_an_order_of_two_lines(tmp_path):
    """Stater Bros. orders grocery by the X12 875 (004010UCS, functional group OG: G50, N9, G62, N1, G68, G69, G76):
    read into the 850's order tables (parsers.orders_875), nothing found, its lineage the 875's own. The file is a
    valid 875 to Bots' 004010 grammar too (named by GS08 without the UCS industry suffix; pyx12 has no 875 map)."""
    from tests.shipping_support import bots_check

    ok, errors = bots_check(STATER_875.read_bytes().replace(b"*X*004010UCS~", b"*X*004010~"), tmp_path)
    assert ok, errors
    seen = inspected(STATER_875, set())
    assert line_counts(seen) == {"SB4410027": 2}
    (order,) = seen["orders"]
    assert {k: order[k] for k in ("purpose", "order_type", "po_date", "requested_ship_date", "department",
                                  "ship_to_name", "ship_to_id_qualifier", "ship_to_id", "version", "ctt_line_count",
                                  "isa13", "gs06", "st02", "st_file_segment")} == {
        "purpose": "00", "order_type": "SA", "po_date": "2026-11-24", "requested_ship_date": "2026-12-01",
        "department": "GROC", "ship_to_name": "STATER BROS SAN BERNARDINO DC", "ship_to_id_qualifier": "92",
        "ship_to_id": "0301", "version": "004010UCS", "ctt_line_count": 2, "isa13": "000044100", "gs06": "44100",
        "st02": "0001", "st_file_segment": 3}


def test_the_875s_lines_keep_quantities_units_prices_ids_and_positions():
    from decimal import Decimal

    from parsers.orders_850 import read_orders
    from parsers.orders_875 import as_850
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(STATER_875.read_bytes(), file=STATER_875.name)
    rewritten, sets, not_carried = as_850(result, list(result.transaction_sets()))
    assert not_carried == [] and [ts.set_id for _ic, _g, ts in sets] == ["850"]
    assert result.segments.row(7)[0] == "G68"  # the parse itself is the 875's, untouched
    _orders, lines = read_orders(rewritten, sets, partner="staterbros")
    got = [{k: r[k] for k in ("po_number", "line_id", "quantity", "unit", "unit_price", "upc", "product_ids",
                              "description", "segment_position", "file_segment", "st02")} for r in lines.to_pylist()]
    assert got == [
        {"po_number": "SB4410027", "line_id": "1", "quantity": Decimal("40"), "unit": "CA",
         "unit_price": Decimal("18"), "upc": None, "product_ids": [{"qualifier": "UA", "id": "061414150301"}],
         "description": "DICED TOMATOES 14.5 OZ", "segment_position": 6, "file_segment": 8, "st02": "0001"},
        {"po_number": "SB4410027", "line_id": "2", "quantity": Decimal("25"), "unit": "CA",
         "unit_price": Decimal("27.6"), "upc": "614141503025",
         "product_ids": [{"qualifier": "UP", "id": "614141503025"}],
         "description": "APPLE JUICE 64 FL OZ", "segment_position": 8, "file_segment": 10, "st02": "0001"}]


def test_what_an_875_says_that_no_column_takes_is_named_where_it_stands():
    """G66, G23, G72 and a G62 of another qualifier: ORDER_875_NOT_CARRIED warnings at the segment (its position in
    the set and the file); a G7601 that is not the sum of the lines: at G7601; a G68 price bracket at G6809."""
    from parsers.orders_875 import as_850
    from parsers.x12_reader import read_interchanges

    data = STATER_875.read_bytes().replace(b"G62*10*20261201~", b"G62*10*20261201~\nG62*15*20261120~\nG66*PP*M~\n"
                                           b"G23*01*3****30~")
    data = data.replace(b"G76*65*CA~", b"G76*66*CA~\nG72*A*02*DEAL1~")
    data = data.replace(b"G68*25*CA*27.6**UP*614141503025~", b"G68*25*CA*27.6**UP*614141503025***B1~")
    result = read_interchanges(data, file="x.x12")
    _rewritten, _sets, found = as_850(result, list(result.transaction_sets()))
    assert [(f.code, f.severity, f.location.segment_id, f.location.element, f.location.value,
             f.location.segment_position, f.location.file_segment, f.location.st02) for f in found] == [
        ("ORDER_875_NOT_CARRIED", "warning", "G62", "G6201", "15", 5, 7, "0001"),
        ("ORDER_875_NOT_CARRIED", "warning", "G66", "", None, 6, 8, "0001"),
        ("ORDER_875_NOT_CARRIED", "warning", "G23", "", None, 7, 9, "0001"),
        ("ORDER_875_NOT_CARRIED", "warning", "G68", "G6809", "B1", 11, 13, "0001"),
        ("ORDER_875_NOT_CARRIED", "warning", "G76", "G7601", "66", 13, 15, "0001"),
        ("ORDER_875_NOT_CARRIED", "warning", "G72", "G7201", "A", 14, 16, "0001")]


@pytest.mark.parametrize(("status", "purpose", "order_type"), [("N", "00", "SA"), ("F", "01", "SA"), ("R", "R", "SA"),
                                                             ("N*****RO", "00", "RO")])
def test_an_875_order_status_is_read_as_the_850_purpose_that_says_the_same(status, purpose, order_type):
    """G5001 N (original) is BEG01 00, F (cancel) 01; another status (R change ...) is kept as sent, so the purpose rule
    holds the order for a person; G5007 is the order type (SA when not sent)."""
    from parsers.orders_850 import read_orders
    from parsers.orders_875 import as_850
    from parsers.x12_reader import read_interchanges

    data = STATER_875.read_bytes().replace(b"G50*N*20261124*SB4410027~",
                                           f"G50*{status.split('*')[0]}*20261124*SB4410027".encode()
                                           + (b"****RO~" if "RO" in status else b"~"))
    result = read_interchanges(data, file="x.x12")
    rewritten, sets, _ = as_850(result, list(result.transaction_sets()))
    orders, _ = read_orders(rewritten, sets, partner="staterbros", lines=False)
    assert orders.select(["purpose", "order_type", "po_number"]).to_pylist() == [
        {"purpose": purpose, "order_type": order_type, "po_number": "SB4410027"}]


def test_a_grocery_875_is_refused_loudly_by_a_profile_that_does_not_accept_it():
    """A partner whose profile does not accept "875" (the default list): its OG group is refused with an error the
    997 names (AK9 R), never dropped without a word."""
    from engine.process import acceptance_for
    from parsers.x12_reader import read_interchanges
    from rules.envelope import check_envelopes
    from schemas.profile import load_profile

    profile = load_profile(GROCERY_875 / "partners" / "staterbros.toml")
    result = read_interchanges(STATER_875.read_bytes(), file=STATER_875.name)
    assert [f.code for f in check_envelopes(result, acceptance_for(profile))] == []
    other = profile.model_copy(update={"accepts": ("850", "860", "997")})
    assert [(f.code, f.severity) for f in check_envelopes(result, acceptance_for(other))] == [
        ("GS_FUNCTIONAL_ID_UNSUPPORTED", "error")]


def grocery_fixtures(tmp_path):
    """rg33's fixtures with Stater Bros.' 875 alone in the drops, its profile, reference rows and shipment."""
    import shutil

    copy = tmp_path / "rg33"
    shutil.copytree(FIXTURES, copy, ignore=shutil.ignore_patterns("grocery_875"))
    shutil.rmtree(copy / "drops")
    shutil.rmtree(copy / "shipments")
    shutil.copytree(GROCERY_875 / "drops", copy / "drops")
    shutil.copytree(GROCERY_875 / "shipments", copy / "shipments")
    shutil.copy2(GROCERY_875 / "partners" / "staterbros.toml", copy / "partners" / "staterbros.toml")
    for rows in (GROCERY_875 / "reference").iterdir():
        with open(copy / "reference" / rows.name, "a", encoding="utf-8") as out:
            out.write("".join(rows.read_text(encoding="utf-8").splitlines(keepends=True)[1:]))
    return copy


@pytest.fixture(scope="module")
def grocery_night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rg33-875")
    fixtures = grocery_fixtures(tmp)
    return shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)


def test_the_875_is_acknowledged_answered_shipped_and_invoiced(grocery_night):
    night_all_invoiced(grocery_night, POS_875, NIGHT_NOTED)
    ws, _found, _states = grocery_night
    ack = segments(ws, "staterbros", "997")
    assert ["AK1", "OG", "44100"] in ack and ["AK2", "875", "0001"] in ack and ["AK5", "A"] in ack
    assert ["AK9", "A", "1", "1", "1"] in ack
    # the 855 echoes each G68 as the PO1 it was read as: its place in the set, quantity, unit, price and ids as sent
    bak = po_segments(segments(ws, "staterbros", "855"), "SB4410027", "BAK")
    assert [s[1:] for s in bak if s[0] == "PO1"] == [["1", "40", "CA", "18", "", "UA", "061414150301"],
                                                    ["2", "25", "CA", "27.6", "", "UP", "614141503025"]]
    asn = po_segments(segments(ws, "staterbros", "856"), "SB-SHP-01", "BSN")
    assert ["PRF", "SB4410027", "", "", "20261124"] in asn
    inv = po_segments(segments(ws, "staterbros", "810"), "SB4410027", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "40", "CA", "18"], ["2", "25", "CA", "27.6"]]
    assert ["TDS", "141000"] in inv


def test_the_875_nights_documents_pass_our_validator_bots_and_pyx12(grocery_night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(grocery_night[0], POS_875, tmp_path, maps, shipments=1, answers=1)


@pytest.fixture(scope="module")
def grocery_880_night(tmp_path_factory):
    """The 875's night with Stater Bros.' profile receiving the 880 in place of the 810."""
    from schemas.profile import load_profile

    tmp = tmp_path_factory.mktemp("rg33-880")
    fixtures = grocery_fixtures(tmp)
    path = fixtures / "partners" / "staterbros.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"856", "810"]', '"856", "880"]'), encoding="utf-8")
    assert "880" in load_profile(path).receives and load_profile(path).invoice_set == "880"
    return shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)


def test_a_grocery_875_is_invoiced_by_an_880(grocery_880_night, tmp_path, maps):  # noqa: F811
    """A grocer that orders by the 875 is invoiced by the 880 (Grocery Products Invoice, group GP) when its profile
    receives "880" (engine.invoice_880): G01 (invoice date and number, PO date and number), the heading's N9s, the
    ship date G62*11, the N1s, a G17 per line (quantity shipped, unit, price agreed, the item ids as the 875 sent
    them: UA, UP) with its G69, G31 (the units) and G33 (the total: the lines' extensions); numbered from the one
    invoice sequence, recorded as the order's invoice, and accepted by our validator, Bots and pyx12."""
    from connectors.state import StateStore
    from rules.outbound import validate_outbound
    from tests.test_mark_for import accepted

    night = grocery_880_night
    night_all_invoiced(night, POS_875, NIGHT_NOTED)  # every PO invoiced: the 880 is its invoice
    ws = night[0]
    outbox = ws.drop_root / "staterbros" / "outbox"
    assert not list(outbox.glob("*-810-*.x12"))  # the 880 instead, never both
    (sent,) = sorted(outbox.glob("staterbros-880-*.x12"))
    content = sent.read_bytes()
    accepted(content, tmp_path, maps)  # our reader, our validator, Bots' 880 grammar, pyx12 with our 880 map
    assert [f.code for f in validate_outbound(content)] == []
    invoice = segments(ws, "staterbros", "880")
    assert invoice[1][:2] == ["GS", "GP"] and invoice[2][:2] == ["ST", "880"]
    body = invoice[3:invoice.index(next(s for s in invoice if s[0] == "SE"))]
    g01 = body[0]
    state = StateStore(ws.state_path)
    try:
        (record,) = [i for i in state.invoices() if i.po_number == "SB4410027"]
    finally:
        state.close()
    # invoice date (the ship day), our number from the one sequence, the 875's G5002 date and PO number
    assert g01 == ["G01", "20261201", record.invoice_number, "20261124", "SB4410027"]
    assert ["N9", "IA", "SB20417"] in body and ["N9", "DP", "GROC"] in body
    assert ["N1", "ST", "STATER BROS SAN BERNARDINO DC", "92", "0301"] in body
    lines = [s[1:] for s in body if s[0] == "G17"]
    assert lines == [["40", "CA", "18", "", "UA", "061414150301"], ["25", "CA", "27.6", "", "UP", "614141503025"]]
    assert [s[1] for s in body if s[0] == "G69"] == ["DICED TOMATOES 14.5 OZ", "APPLE JUICE 64 FL OZ"]
    assert body[-2:] == [["G31", "65", "CA"], ["G33", "141000"]]  # 40 x 18 + 25 x 27.60 = 1410.00
    assert record.total == Decimal("1410.00") and record.merchandise == record.total
    assert [(ln.quantity, ln.unit_price) for ln in record.lines] == [(Decimal("40"), Decimal("18")),
                                                                (Decimal("25"), Decimal("27.6"))]


ALLOWANCES_880 = """
[[fulfilment.invoice.charges]]
kind = "A"
code = "A260"
description = "AD ALLOWANCE"
amount = "25.00"
per = "order"

[[fulfilment.invoice.charges]]
kind = "C"
code = "D240"
amount = "12.50"
per = "order"

"""


@pytest.fixture(scope="module")
def grocery_880_allowance_night(tmp_path_factory):
    """The 880 night with Stater Bros.' profile billing an advertising allowance (SAC A A260, 25.00) and a freight
    charge (SAC C D240, 12.50) per order: the 810 would carry them as summary SACs."""
    tmp = tmp_path_factory.mktemp("rg33-880-sac")
    fixtures = grocery_fixtures(tmp)
    path = fixtures / "partners" / "staterbros.toml"
    text = path.read_text(encoding="utf-8").replace('"856", "810"]', '"856", "880"]')
    path.write_text(text.replace("\n[drop]\n", "\n" + ALLOWANCES_880 + "[drop]\n", 1), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)


def test_an_880_carries_the_invoices_allowance_and_charge_as_heading_g72s(grocery_880_allowance_night, tmp_path,
                                                                            maps):  # noqa: F811
    """The 810's summary SACs are the 880's heading G72s (engine.invoice_880.SAC_TO_G7201: A260 advertising ->
    100, D240 freight -> 504; G7202 02 off invoice / 06 paid by the customer, as the SACs send no SAC12; SAC15 ->
    G73), after the N1 loop and before the G17s, and G33 is the lines less the allowance plus the charge, as the
    810's TDS: accepted by our validator, Bots' 880 grammar and pyx12."""
    from rules.outbound import validate_outbound
    from tests.test_mark_for import accepted

    body, record, content = _sent_880(grocery_880_allowance_night, tmp_path, maps)
    tags = [s[0] for s in body]
    g72s = [s for s in body if s[0] in ("G72", "G73")]
    assert g72s == [["G72", "100", "02", "", "", "", "", "", "2500"], ["G73", "AD ALLOWANCE"],
                    ["G72", "504", "06", "", "", "", "", "", "1250"]]
    assert tags.index("N1") < tags.index("G72") < tags.index("G17")  # the heading's G72 loop
    assert body[-2:] == [["G31", "65", "CA"], ["G33", "139750"]]  # 1410.00 - 25.00 + 12.50
    assert record.total == Decimal("1397.50") and record.merchandise == Decimal("1410.00")
    # a line's G72 (a line SAC of the 810: engine.invoice_880._g72) stands in its G17 loop, after the G69: the
    # grammars take it there too (the same 880 with one, its SE count and G33 made to agree)
    text = content.decode()
    term = re.search(r"ST\*880\*\d+(\W+)", text).group(1)  # the segment terminator (and its line break)
    first = text.index("G17*25*")  # after the first G17 loop (G17, G69)
    se = re.search(r"SE\*(\d+)\*", text).group(0).split("*")
    lined = (text[:first] + "G72*100*01*AD-77**0.1*40*CA*400" + term + text[first:]).replace(
        "G33*139750" + term, "G33*139350" + term).replace(f"SE*{se[1]}*", f"SE*{int(se[1]) + 1}*")
    assert lined.count("G72*") == 3 and "G33*139350" in lined and f"SE*{int(se[1]) + 1}*" in lined
    (tmp_path / "lined").mkdir()
    accepted(lined.encode(), tmp_path / "lined", maps)
    assert [f.code for f in validate_outbound(lined.encode())] == []


def test_an_880_whose_sac_code_has_no_g72_code_is_not_built_and_says_which(tmp_path):
    """A SAC02 with no 340 code of the same meaning (C310 discount) is not guessed: the 880 is not built
    (INVOICE_NOT_BUILT, retried), its message naming the SAC, and nothing is sent in its place."""
    fixtures = grocery_fixtures(tmp_path)
    path = fixtures / "partners" / "staterbros.toml"
    text = path.read_text(encoding="utf-8").replace('"856", "810"]', '"856", "880"]')
    discount = '[[fulfilment.invoice.charges]]\nkind = "A"\ncode = "C310"\npercent = "2"\n\n'
    path.write_text(text.replace("\n[drop]\n", "\n" + discount + "[drop]\n", 1), encoding="utf-8")
    ws, found, _states = shipped_night(of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES), fixtures,
                                       NIGHT, SHIP_DAY, messages=True)
    (refused,) = [f for f in found if f[0] == "INVOICE_NOT_BUILT"]
    assert refused[2] == "SB4410027" and "mapped for SAC A C310" in refused[3]
    assert '[fulfilment.invoice] g72_codes maps it to the 340 code its guide assigns, "A:C310" = ' in refused[3]
    outbox = ws.drop_root / "staterbros" / "outbox"
    assert not list(outbox.glob("*-880-*.x12")) and not list(outbox.glob("*-810-*.x12"))


def _reconciled(night, run_id: str):
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    ws = night[0]
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 3, 3), run_id=run_id)
        return state.exception_snapshot(run_id).to_pylist()
    finally:
        state.close()


def test_the_880_is_reconciled_as_the_orders_invoice(grocery_night, grocery_880_night):
    """The reconciliation (PO vs ack vs ASN vs invoice) takes the 880 as the order's invoice, as it takes the 810 of
    the same night: the same exceptions (the fixture's partner sends no 997s back: a day after the invoice, the 880
    is awaited as the 810 is, by its invoice number), never SHIPPED_NOT_INVOICED, and the 880's own total (G33) read
    and held against its lines (no INVOICE_TOTAL_MISMATCH)."""
    as_810 = _reconciled(grocery_night, "rec-810")
    as_880 = _reconciled(grocery_880_night, "rec-880")

    def kinds(seen):
        return sorted((e["type"], e["po_number"] or "", e["line_number"] or 0) for e in seen)

    assert kinds(as_880) == kinds(as_810)
    assert not {"SHIPPED_NOT_INVOICED", "INVOICE_TOTAL_MISMATCH"} & {e["type"] for e in as_880}
    unacked = sorted(e["message"].split(" sent ")[0] for e in as_880 if e["type"] == "DOCUMENT_UNACKNOWLEDGED")
    assert unacked == ["no 997 for our 855 SB4410027", "no 997 for our 856 SB-SHP-01",
                       "no 997 for our 880 INV0000001"]


def test_finance_reads_the_880s_total_and_status_shows_it(grocery_880_night):
    """The invoice totals finance holds against the lines read the 880 as delivered (G01, G33), and `status` lists it
    among the order's invoices as the 880 it is."""
    import io

    from rich.console import Console

    from connectors.state import StateStore
    from engine.finance_inputs import invoice_totals
    from flows.status import story
    from flows.status_view import print_shipping

    state = StateStore(grocery_880_night[0].state_path)
    try:
        (total,) = invoice_totals(state.sent_documents(("810", "880"))).to_pylist()
        (order,) = [o for o in state.orders() if o.po_number == "SB4410027"]
        doc = story(state, order)
    finally:
        state.close()
    assert (total["po_number"], total["invoice_number"], total["total"]) == ("SB4410027", "INV0000001",
                                                                             Decimal("1410.00"))
    (inv,) = doc["invoices"]
    assert inv["document"]["type"] == "880" and inv["document"]["file_name"].startswith("staterbros-880-")
    out = io.StringIO()
    print_shipping(doc, out=Console(file=out, width=200))
    assert "invoices (880)" in out.getvalue() and "INV0000001" in out.getvalue()


def test_a_po_naming_another_vendor_number_of_ours_is_flagged(tmp_path):
    """A grocer numbers its vendors per DC or division: Ingles's PO names us IN55107 (REF*IA) where our profile
    writes back IN44120 on every 855, 856 and 810."""
    import shutil

    fixtures = tmp_path / "rg33"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "ingles" / "ingles-850-7710042.x12"
    po.write_bytes(po.read_bytes().replace(b"REF*IA*IN44120~", b"REF*IA*IN55107~"))
    ws, found, _states = shipped_night(of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES), fixtures,
                                       NIGHT, SHIP_DAY)
    # answered and shipped as ordered, our documents still carry the profile's number: ops is told the PO named
    # another (it used to go unflagged, the PO's own number dropped without a word)
    assert ["REF", "IA", "IN44120"] in po_segments(segments(ws, "ingles", "855"), "7710042", "BAK")
    assert ["REF", "IA", "IN44120"] in po_segments(segments(ws, "ingles", "810"), "7710042", "BIG")
    assert [f for f in found if f[2] == "7710042" and f[0] != "ASN_LATE"] == [
        ("VENDOR_NUMBER_MISMATCH", "warning", "7710042")]
    # a PO naming us by the profile's own number raises nothing (the sweep's night: NIGHT_NOTED)


def test_an_875_file_read_in_batches_gives_the_orders_read_whole():
    """A large file is read a batch of sets at a time (engine.process_batches): its 875s land in the same order tables,
    lines and findings as the whole file's (two sets, the second with a G66 not carried)."""
    from datetime import date

    from engine.process import Known, process_file
    from engine.process_batches import process_in_batches
    from parsers.x12_batches import scan_interchange
    from schemas.profile import load_profile

    profile = load_profile(GROCERY_875 / "partners" / "staterbros.toml")
    text = STATER_875.read_text(encoding="utf-8")
    second = text[text.index("ST*875"):text.index("\nGE*") + 1].replace("0001~", "0002~").replace(
        "SB4410027", "SB4410028").replace("G62*10*20261201~", "G62*10*20261201~\nG66*PP*M~").replace("SE*11*", "SE*12*")
    data = text.replace("\nGE*1*", "\n" + second + "GE*2*").encode()
    whole = process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 25))
    sk = scan_interchange(iter([data]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    outs = [o for _, o in process_in_batches(sk, lambda a, b: data[a:b], file="f.x12", sha256="s", profile=profile,
                                             known=Known(), today=date(2026, 11, 25))]
    assert whole.orders["po_number"].to_pylist() == ["SB4410027", "SB4410028"]
    assert [po for o in outs for po in o.orders["po_number"].to_pylist()] == ["SB4410027", "SB4410028"]
    cols = ["po_number", "line_id", "quantity", "unit_price", "file_segment"]
    assert [r for o in outs for r in o.lines.select(cols).to_pylist()] == whole.lines.select(cols).to_pylist()
    assert [(f.code, f.location.segment_id, f.location.file_segment) for f in whole.findings] == [
        ("ORDER_875_NOT_CARRIED", "G66", 18)]
    assert [(f.code, f.location.segment_id, f.location.file_segment) for o in outs for f in o.findings] == [
        ("ORDER_875_NOT_CARRIED", "G66", 18)]


def test_the_880s_allowance_and_charge_reconcile_as_the_810s_sacs(grocery_880_allowance_night, tmp_path_factory):
    """The same night invoiced by an 810 with the same allowance and charge (summary SACs) and by the 880 (heading
    G72s): the reconciliation finds the same exceptions, never an INVOICE_TOTAL_MISMATCH."""
    tmp = tmp_path_factory.mktemp("rg33-810-sac")
    fixtures = grocery_fixtures(tmp)
    path = fixtures / "partners" / "staterbros.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n[drop]\n", "\n" + ALLOWANCES_880 + "[drop]\n", 1), encoding="utf-8")
    as_810 = _reconciled(shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT,
                                       SHIP_DAY), "rec-810-sac")
    as_880 = _reconciled(grocery_880_allowance_night, "rec-880-sac")

    def kinds(seen):
        return sorted((e["type"], e["po_number"] or "", e["line_number"] or 0) for e in seen)

    assert kinds(as_880) == kinds(as_810)
    assert "INVOICE_TOTAL_MISMATCH" not in {e["type"] for e in as_880}


def test_finance_reads_the_880s_g72s_as_the_810s_sacs(grocery_880_allowance_night):
    """engine.finance_inputs reads an 880's G72s as an 810's SACs: the charges and allowances added up (G7208),
    the allowance's SAC02 (A260, from its G7201 100 by SAC_TO_G7201), and one INVOICE_CHARGES row each."""
    from connectors.state import StateStore
    from engine.finance_inputs import invoice_totals_and_charges

    state = StateStore(grocery_880_allowance_night[0].state_path)
    try:
        totals, charges = invoice_totals_and_charges(state.sent_documents(("810", "880")))
    finally:
        state.close()
    (total,) = totals.to_pylist()
    assert (total["total"], total["charges"], total["allowances"], total["allowance_codes"]) == (
        Decimal("1397.50"), Decimal("12.50"), Decimal("25.00"), "A260")
    assert sorted((c["kind"], c["code"], c["amount"], c["line_id"]) for c in charges.to_pylist()) == [
        ("A", "A260", Decimal("25.00"), None), ("C", "D240", Decimal("12.50"), None)]


DISCOUNT_880 = '[[fulfilment.invoice.charges]]\nkind = "A"\ncode = "C310"\npercent = "2"\n\n'
TAX_880 = '[[fulfilment.invoice.taxes]]\nkind = "sales"\ncode = "ST"\npercent = 7.25\nregions = ["CA"]\n\n'


def _grocer_night(tmp, *, extra: str, g72_codes: str = "", receives: str = "880"):
    """The 875 night with Stater Bros.' profile receiving ``receives`` (the 880, or the 810 to compare), with
    ``extra`` (its charges or taxes) and ``g72_codes`` (a TOML inline table) in [fulfilment.invoice]."""
    fixtures = grocery_fixtures(tmp)
    path = fixtures / "partners" / "staterbros.toml"
    text = path.read_text(encoding="utf-8").replace('"856", "810"]', f'"856", "{receives}"]')
    if g72_codes:
        text = text.replace("[fulfilment.invoice]\n", f"[fulfilment.invoice]\ng72_codes = {g72_codes}\n", 1)
    path.write_text(text.replace("\n[drop]\n", "\n" + extra + "[drop]\n", 1), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)


def _sent_880(night, tmp_path, maps):  # noqa: F811
    """The night's one 880 for SB4410027, checked by our reader, our validator, Bots' 880 grammar and pyx12: its
    body (G01 .. G33), the order's invoice record and the file."""
    from connectors.state import StateStore
    from rules.outbound import validate_outbound
    from tests.test_mark_for import accepted

    night_all_invoiced(night, POS_875, NIGHT_NOTED)
    ws = night[0]
    outbox = ws.drop_root / "staterbros" / "outbox"
    assert not list(outbox.glob("*-810-*.x12"))
    (sent,) = sorted(outbox.glob("staterbros-880-*.x12"))
    content = sent.read_bytes()
    accepted(content, tmp_path, maps)
    assert [f.code for f in validate_outbound(content)] == []
    invoice = segments(ws, "staterbros", "880")
    state = StateStore(ws.state_path)
    try:
        (record,) = [i for i in state.invoices() if i.po_number == "SB4410027"]
    finally:
        state.close()
    return invoice[3:invoice.index(next(s for s in invoice if s[0] == "SE"))], record, content


@pytest.fixture(scope="module")
def grocery_880_discount_night(tmp_path_factory):
    """The 880 night with a 2 % discount (SAC A C310) per order, which Stater Bros.' guide (as this profile says)
    bills as a trade discount: [fulfilment.invoice] g72_codes = {"A:C310" = "51"}."""
    return _grocer_night(tmp_path_factory.mktemp("rg33-880-disc"), extra=DISCOUNT_880, g72_codes='{"A:C310" = "51"}')


def test_an_880_carries_a_discount_by_the_code_the_profile_maps_it_to(grocery_880_discount_night, tmp_path,
                                                                      maps):  # noqa: F811
    """C310 (discount) has no 340 code of the same meaning; the profile's g72_codes assigns 51 (trade discount), as
    a grocer's guide does: the 880 carries it as a heading G72 (02 off invoice, its amount and percent), G33 the
    lines less it (1410.00 - 2 % = 1381.80), accepted by our validator, Bots' 880 grammar and pyx12."""
    body, record, _content = _sent_880(grocery_880_discount_night, tmp_path, maps)
    (g72,) = [s for s in body if s[0] == "G72"]
    assert g72[:3] == ["G72", "51", "02"] and g72[8:] == ["2820", "2"]
    tags = [s[0] for s in body]
    assert tags.index("N1") < tags.index("G72") < tags.index("G17")
    assert body[-1] == ["G33", "138180"]
    assert record.total == Decimal("1381.80") and record.merchandise == Decimal("1410.00")


@pytest.fixture(scope="module")
def grocery_880_tax_night(tmp_path_factory):
    """The 880 night with California's sales tax (TXI01 ST, 7.25 %) on Stater Bros.' San Bernardino DC (N4 CA)."""
    return _grocer_night(tmp_path_factory.mktemp("rg33-880-tax"), extra=TAX_880)


def test_an_880_carries_the_invoices_tax_as_a_heading_g72_tax_charge(grocery_880_tax_night, tmp_path,
                                                                     maps):  # noqa: F811
    """The 810's summary TXI (ST 102.23 at 7.25 %: 1410.00 x 7.25 % half up) is the 880's heading G72 537 State or
    Province Tax (a state sales tax; 06 paid by the customer, G7208 the amount, G7209 the rate) and G33 holds it as
    TDS01 does (1512.23): accepted by our validator, Bots' 880 grammar and pyx12."""
    body, record, _content = _sent_880(grocery_880_tax_night, tmp_path, maps)
    assert [s for s in body if s[0] == "G72"] == [["G72", "537", "06", "", "", "", "", "", "10223", "7.25"]]
    tags = [s[0] for s in body]
    assert tags.index("N1") < tags.index("G72") < tags.index("G17")
    assert body[-2:] == [["G31", "65", "CA"], ["G33", "151223"]]
    assert record.total == Decimal("1512.23") and record.merchandise == Decimal("1410.00")


def test_the_880s_tax_reconciles_and_is_read_as_the_810s_txi(grocery_880_tax_night, tmp_path_factory):
    """The same night invoiced by an 810 with the same tax (TXI after TDS) and by the 880 (a G72 537): finance reads
    the same taxes and total, no charge row for the tax, and the reconciliation finds the same exceptions, never an
    INVOICE_TOTAL_MISMATCH."""
    from connectors.state import StateStore
    from engine.finance_inputs import invoice_totals_and_charges

    as_810_night = _grocer_night(tmp_path_factory.mktemp("rg33-810-tax"), extra=TAX_880, receives="810")
    read = {}
    for kind, night in (("810", as_810_night), ("880", grocery_880_tax_night)):
        state = StateStore(night[0].state_path)
        try:
            totals, charges = invoice_totals_and_charges(state.sent_documents(("810", "880")))
        finally:
            state.close()
        (total,) = totals.to_pylist()
        read[kind] = (total["total"], total["taxes"], total["charges"], total["allowances"], charges.num_rows)
    assert read["880"] == read["810"] == (Decimal("1512.23"), Decimal("102.23"), Decimal(0), Decimal(0), 0)

    def kinds(seen):
        return sorted((e["type"], e["po_number"] or "", e["line_number"] or 0) for e in seen)

    as_810, as_880 = _reconciled(as_810_night, "rec-810-tax"), _reconciled(grocery_880_tax_night, "rec-880-tax")
    assert kinds(as_880) == kinds(as_810)
    assert "INVOICE_TOTAL_MISMATCH" not in {e["type"] for e in as_880}


def test_the_880s_mapped_discount_reconciles_as_the_810s_sac(grocery_880_discount_night, tmp_path_factory):
    """The discount night invoiced by an 810 (SAC A C310) and by the 880 (G72 51 by the profile's g72_codes): the
    same allowance read (28.20) and the same exceptions, never an INVOICE_TOTAL_MISMATCH."""
    from connectors.state import StateStore
    from engine.finance_inputs import invoice_totals_and_charges

    as_810_night = _grocer_night(tmp_path_factory.mktemp("rg33-810-disc"), extra=DISCOUNT_880, receives="810")
    read = {}
    for kind, night in (("810", as_810_night), ("880", grocery_880_discount_night)):
        state = StateStore(night[0].state_path)
        try:
            totals, _charges = invoice_totals_and_charges(state.sent_documents(("810", "880")))
        finally:
            state.close()
        (total,) = totals.to_pylist()
        read[kind] = (total["total"], total["allowances"], total["charges"])
    assert read["880"] == read["810"] == (Decimal("1381.80"), Decimal("28.20"), Decimal(0))

    def kinds(seen):
        return sorted((e["type"], e["po_number"] or "", e["line_number"] or 0) for e in seen)

    as_810, as_880 = _reconciled(as_810_night, "rec-810-disc"), _reconciled(grocery_880_discount_night, "rec-880-disc")
    assert kinds(as_880) == kinds(as_810)
    assert "INVOICE_TOTAL_MISMATCH" not in {e["type"] for e in as_880}


def test_finance_reads_the_880s_mapped_discount_as_the_sac02_it_was_written_from(grocery_880_discount_night):
    """The reconciliation's inputs read the 880's G72*51 back through the profile's g72_codes ({"A:C310" = "51"}):
    the invoice's allowance is SAC02 C310 (the code the PO's SAC and the agreement name), so the charge
    reconciliation matches it by code; it was read with no code (an allowance matched to nothing). Read again when
    the map changes: the rows kept per document are kept per map."""
    from connectors.state import StateStore
    from flows.reconcile import load_inputs

    ws = grocery_880_discount_night[0]
    state = StateStore(ws.state_path)
    try:
        inputs = load_inputs(ws, state, ws.partners())
        assert [(r["kind"], r["code"], r["amount"]) for r in inputs.invoice_charges.to_pylist()] == [
            ("A", "C310", Decimal("28.20"))]
        assert inputs.invoice_totals["allowance_codes"].to_pylist() == ["C310"]
        profiles = ws.partners()
        settings = profiles["staterbros"].fulfilment.invoice
        remapped = {**profiles, "staterbros": profiles["staterbros"].model_copy(update={"fulfilment": profiles[
            "staterbros"].fulfilment.model_copy(update={"invoice": settings.model_copy(update={"g72_codes": {}})})})}
        assert [r["code"] for r in load_inputs(ws, state, remapped).invoice_charges.to_pylist()] == [None]
    finally:
        state.close()
