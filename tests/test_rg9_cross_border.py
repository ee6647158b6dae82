"""Cross-border retailers (Canadian Tire, Loblaw, Hudson's Bay, Sobeys Québec, Walmart de México) as their guides
describe them: tests/fixtures/rg9/ holds each one's profile, reference rows (CAD and MXN prices, Canadian and
Mexican ship-tos), stock, 850s written in its shapes (a DUNS+4, an 08 and an 01 ISA id; CUR*BY*CAD / MXN;
bilingual PID with PID09 EN / FR; accented names and addresses in UTF-8 and, from Sobeys, in ISO-8859-1; postal
codes A1A 1A1; N404 CA / MX; lines in KG and LT; TXI IVA per line; Hudson's Bay's EBCDIC-translated delimiters,
BEL between elements and a bare line feed after each segment) and the east DC's confirmation of what shipped
(carton weights in KG). Each night runs as the partners would see it: inspect, the 997s and 855s, the 856s and
810s (CUR*SE with the PO's currency: Canadian Tire's and Hudson's Bay's 810 guides require CUR), and what Sobeys
reads: its translator is ISO-8859-1, so our documents reach it in Latin-1 ([x12] encoding), never as UTF-8
bytes that its system shows as "QuÃ©bec"."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.retailer_support import (
    accepted_as_ordered,
    inspected,
    line_counts,
    of_its_own,
    po_segments,
    pos_in,
    segments,
    sent_856s_and_810s,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg9"
NIGHT = datetime(2026, 11, 26, 2)
SHIP_DAY = datetime(2026, 11, 26, 14, 30)
POS = {"canadiantire": {"4500098871": 2, "4500098872": 1}, "loblaw": {"7012345678": 2, "7012345679": 1},
       "hbc": {"0087731": 1}, "sobeys": {"6200456789": 2, "6200456790": 1}, "walmex": {"8800112233": 2}}


def workspace(root: Path):
    """The rg9 workspace: profiles, reference data, the east DC, the stock; every retailer's 850s in its inbox."""
    return of_its_own(FIXTURES, root)


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_cross_border_po_as_sent(path):
    seen = inspected(path)
    # Sobeys' ISO-8859-1 / Windows-1252 files are read so, with a warning saying so; nothing else is noted
    expected = {"X12_NOT_UTF8"} if path.parent.name == "sobeys" else set()
    assert {f["code"] for f in seen["findings"]} == expected
    assert line_counts(seen) == pos_in(path, POS[path.parent.name])
    for order in seen["orders"]:
        assert order["currency"] == ("MXN" if path.parent.name == "walmex" else "CAD")
    if path.name == "sobeys-850-6200456789.x12":  # accents read as meant, mixed case and the comma kept
        [order] = seen["orders"]
        assert (order["ship_to_name"], order["ship_to_address1"], order["ship_to_city"], order["ship_to_postal_code"]) \
            == ("Entrepôt Sobeys Québec", "11281, boul. Albert-Hudon", "Montréal-Nord", "H1G 3J5")


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """Every fixture 850 taken at 02:00, the DC's confirmation shipped and invoiced at 14:30, delivered."""
    return shipped_night(workspace(tmp_path_factory.mktemp("rg9") / "ws"), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_in_the_997_and_acknowledged_as_ordered(night):
    ws, found, states = night
    # nothing noted: Sobeys' Latin-1 files are what its profile says it sends (X12_NOT_UTF8 was noted on each)
    assert {c for c, _s, _po in found} == set()
    accepted_as_ordered(ws, POS, encodings={"sobeys": "latin-1"})
    # Hudson's Bay's BEL-separated, line-feed-ended group is answered in our delimiters, its GS06 echoed
    assert ["AK1", "PO", "773"] in segments(ws, "hbc", "997")
    # metric units as ordered: kilograms and litres, never converted
    assert ["ACK", "IA", "400", "KG", "068", "20261126"] in po_segments(segments(ws, "loblaw", "855"), "7012345678",
                                                                        "BAK")
    assert ["ACK", "IA", "250", "KG", "068", "20261204"] in segments(ws, "walmex", "855")
    assert {k for k, v in states.items() if v == "invoiced"} == {
        ("canadiantire", "4500098871"), ("canadiantire", "4500098872"), ("loblaw", "7012345678"),
        ("hbc", "0087731"), ("sobeys", "6200456789")}
    # Walmart de México bills with CFDI, not 810s: its PO ships and stays shipped, no 810 written
    assert states[("walmex", "8800112233")] == "shipped" and segments(ws, "walmex", "810") == []


def test_sobeys_reads_its_own_characters_in_latin1(night):
    """Sobeys sends ISO-8859-1 and its translator reads it: the 855, 856 and 810 echo "Entrepôt Sobeys Québec"
    and "Montréal-Nord" one byte per letter (0xF4, 0xE9), not UTF-8's two (its system would show "QuÃ©bec")."""
    ws, _found, _states = night
    for kind in ("855", "856", "810"):
        [data] = [d for p in (ws.drop_root / "sobeys" / "outbox").glob(f"sobeys-{kind}-*.x12")
                  if b"6200456789" in (d := p.read_bytes())]
        assert b"N1*ST*Entrep\xf4t Sobeys Qu\xe9bec*92*2060~" in data and b"Montr\xe9al-Nord*QC*H1G 3J5*CA" in data
        assert b"\xc3" not in data
    inv = po_segments(segments(ws, "sobeys", "810", "latin-1"), "6200456789", "BIG")
    assert ["PID", "F", "", "", "", "Sirop d'érable ambré 1 L"] in inv
    # 10 CA x 52.80 + 160 LT x 2.35 = 528.00 + 376.00
    assert ["CUR", "SE", "CAD"] in inv and ["IT1", "2", "160", "LT", "2.35", "PE", "UP", "062800100236", "VN",
                                            "CA-204"] in inv and ["TDS", "90400"] in inv


def test_a_ship_to_in_quebec_s_former_code_pq_is_shipped_and_echoed_as_sent(tmp_path):
    """Sobeys' PO with its ship-to by address alone and N402 PQ (Quebec's code before QC, still sent by legacy
    systems): taken, shipped and invoiced like QC (it was held ADDRESS_IMPLAUSIBLE: a valid ship-to, the order
    delayed), and the 855, 856 and 810 echo the address as sent, PQ and all."""
    ws = workspace(tmp_path / "ws")
    sent = ws.drop_root / "sobeys" / "inbox" / "sobeys-850-6200456789.x12"
    data = sent.read_bytes()
    assert b"N1*ST*Entrep\xf4t Sobeys Qu\xe9bec*92*2060~" in data and b"*QC*H1G 3J5*CA~" in data
    sent.write_bytes(data.replace(b"*92*2060~", b"~").replace(b"*QC*H1G 3J5*CA~", b"*PQ*H1G 3J5*CA~"))
    ws, found, _states = shipped_night(ws, FIXTURES, NIGHT, SHIP_DAY)
    assert [f for f in found if f[2] == "6200456789" and f[1] != "info"] == []
    for kind in ("855", "856", "810"):  # (its other PO, to the same DC by id, says QC)
        segs = segments(ws, "sobeys", kind, "latin-1")
        assert ["N4", "Montréal-Nord", "PQ", "H1G 3J5", "CA"] in segs, kind


def test_a_windows_1252_file_keeps_its_apostrophes_and_dashes(night):
    """Sobeys' second translator writes "ISO-8859-1" on Windows: Windows-1252, whose curly apostrophe (0x92), dash
    (0x96) and "œ" (0x9C) ISO-8859-1 reads as control characters. Read as Windows-1252 they are the name sent
    ("IGA L’Île-Perrot – Entrepôt"), and the 855 written back in Latin-1 spells the three with the characters
    Latin-1 has ("'", "-", "oe"), never a control character."""
    from flows.cli import app

    path = FIXTURES / "drops" / "sobeys" / "sobeys-850-6200456790-cp1252.x12"
    [order] = json.loads(CliRunner().invoke(app, ["inspect", "--json", str(path)]).output)["orders"]
    assert order["ship_to_name"] == "IGA L’Île-Perrot – Entrepôt"
    ws, _found, states = night
    assert states[("sobeys", "6200456790")] == "acknowledged"
    answer = po_segments(segments(ws, "sobeys", "855", "latin-1"), "6200456790", "BAK")
    assert ["N1", "ST", "IGA L'Île-Perrot - Entrepôt", "92", "2060"] in answer
    assert not any(0x80 <= ord(ch) < 0xA0 for seg in answer for value in seg for ch in value)


def test_canadian_tire_856_and_810_carry_the_store_currency_and_vendor_id(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "canadiantire", "856"), "CT-SHP-02", "BSN")
    at = next(k for k, s in enumerate(asn) if s[0] == "PRF")
    assert asn[at + 1] == ["N1", "Z7", "CANADIAN TIRE L'ÎLE-PERROT", "92", "0412"]  # the cross-dock's store
    assert ["N4", "COTEAU-DU-LAC", "QC", "J0P 1B0", "CA"] in asn
    big = po_segments(segments(ws, "canadiantire", "856"), "CT-SHP-01", "BSN")
    assert ["TD1", "CTN25", "3", "", "", "", "G", "103.2", "KG"] in big  # carton weights as weighed, in kilograms
    inv = po_segments(segments(ws, "canadiantire", "810"), "4500098871", "BIG")
    assert inv[1] == ["CUR", "SE", "CAD"] and ["REF", "VR", "112233"] in inv
    assert ["N1", "RE", "OrderBridge Supply Canada ULC"] in inv and ["ITD", "01", "3", "2", "", "30", "", "60"] in inv
    # the first PID (English) describes the line; 24 x 11.49 + 36 x 24.95 = 275.76 + 898.20
    assert ["PID", "F", "", "", "", "WINDSHIELD WASHER FLUID -40C 3.78L"] in inv and ["TDS", "117396"] in inv
    xdock = po_segments(segments(ws, "canadiantire", "810"), "4500098872", "BIG")
    assert ["N1", "Z7", "CANADIAN TIRE L'ÎLE-PERROT", "92", "0412"] in xdock
    assert ["PID", "F", "", "", "", "LAVE-GLACE -40 °C 3,78 L"] in xdock


def test_loblaw_and_hudsons_bay_invoices_bill_the_po_s_units_and_references(night):
    ws, _found, _states = night
    inv = po_segments(segments(ws, "loblaw", "810"), "7012345678", "BIG")
    assert ["REF", "IA", "54321"] in inv and ["REF", "DP", "06"] in inv and ["CUR", "SE", "CAD"] in inv
    # 50 CA x 47.40 + 400 KG x 3.15 = 2370.00 + 1260.00
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "50", "CA", "47.4"], ["2", "400", "KG", "3.15"]]
    assert ["TDS", "363000"] in inv
    asn = po_segments(segments(ws, "loblaw", "856"), "LB-SHP-01", "BSN")
    assert [s[2:6] for s in asn if s[0] == "SN1"] == [["50", "CA", "", "50"], ["200", "KG", "", "400"],
                                                      ["200", "KG", "", "400"]]
    bay = po_segments(segments(ws, "hbc", "810"), "0087731", "BIG")
    assert [s[0] for s in bay[:3]] == ["BIG", "CUR", "N1"] and not any(s[0] == "REF" for s in bay)  # REF: not used
    assert ["CUR", "SE", "CAD"] in bay and ["N1", "BY", "LA BAIE MONTRÉAL CENTRE-VILLE", "92", "1003"] in bay
    assert ["TDS", "59880"] in bay
    # the agreed terms (05, net 60) run from receipt of goods, as the PO's ITD*05*15 says: not from the invoice date
    assert ["ITD", "05", "15", "", "", "", "", "60"] in bay


def test_walmex_855_and_856_name_the_cedis_in_spanish_as_sent(night):
    """The CEDIS as Walmart de México names it, N1 and its N2 (the dock), in the 855 (its profile echoes the ship-to)
    and the 856: the N2 after the N1 as sent, never run into N102 ("CEDIS CUAUTITLÁN, ANDÉN 14 ..."), which the 855
    wrote: a ship-to name the PO never sent, its N2 lost."""
    ws, _found, _states = night
    answer = po_segments(segments(ws, "walmex", "855"), "8800112233", "BAK")
    at = answer.index(["N1", "ST", "CEDIS CUAUTITLÁN", "92", "7482"])
    assert answer[at + 1] == ["N2", "ANDÉN 14 – RECEPCIÓN"]
    asn = po_segments(segments(ws, "walmex", "856"), "WM-SHP-01", "BSN")
    at = asn.index(["N1", "ST", "CEDIS CUAUTITLÁN", "92", "7482"])
    assert asn[at + 1] == ["N2", "ANDÉN 14 – RECEPCIÓN"] and ["REF", "IA", "998877"] in asn
    assert [s[2:4] for s in asn if s[0] == "SN1"] == [["48", "EA"], ["250", "KG"]]
    [path] = (ws.drop_root / "walmex" / "outbox").glob("walmex-856-*.x12")
    assert "CUAUTITLÁN".encode() in path.read_bytes()  # UTF-8, as it sends


def test_documents_are_written_in_the_partner_s_encoding():
    from parsers.x12_writer import transcode

    isa = ("ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*SOBEYSQC       *261126*1430*U*00401*000000004"
           "*0*P*>~")
    doc = (isa + "N1*ST*Entrepôt Québec*92*2060~PID*F****Sœur L’Île -40 °C Ünited~").encode()
    assert transcode(doc, "utf-8") == doc
    assert transcode(doc, "latin-1") == (isa + "N1*ST*Entrepôt Québec*92*2060~PID*F****Soeur L'Île -40 °C Ünited~"
                                         ).encode("latin-1")
    assert transcode(doc, "ascii") == (isa + "N1*ST*Entrepot Quebec*92*2060~PID*F****Soeur L'Ile -40 oC United~"
                                       ).encode()
    ascii_doc = (isa + "N1*ST*DC*92*1~").encode()
    assert transcode(ascii_doc, "latin-1") is ascii_doc  # an ASCII document: the same bytes
    # a character spelled as one of the interchange's delimiters is a blank instead (here the element separator)
    assert transcode((isa.replace("*", "+") + "N1+ST+A\uff0bB~").encode(), "ascii").endswith(b"N1+ST+A B~")


def test_hudsons_bay_860_in_its_own_delimiters_raises_a_line_and_gets_a_revised_855(tmp_path):
    """Hudson's Bay's 4010VICS 860 (BEL between elements, a bare line feed after each segment, as its 850) raises
    line 1 from 24 to 36 (POC QI): its profile asks a revised 855 for changes (BAK01 05), the line acknowledged for
    36; the 997 accepts the PC group. The unchanged N1*BY it repeats is the order's own buyer: nothing is noted
    (it was CHANGE_HEADER_NOT_APPLIED, a false warning on each 860)."""
    from connectors.state import StateStore
    from tests.support import run_stages

    ws = workspace(tmp_path / "ws")
    run_stages(ws, NIGHT)
    shutil.copy2(FIXTURES / "changes" / "hbc" / "hbc-860-0087731.x12", ws.drop_root / "hbc" / "inbox" / "chg.x12")
    run_stages(ws, datetime(2026, 11, 26, 9))
    answers = segments(ws, "hbc", "855")
    revised = answers[max(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    revised = revised[:next(k for k, s in enumerate(revised) if s[0] == "SE")]
    assert revised[0][3] == "0087731"
    assert [s[1:4] for s in revised if s[0] == "ACK"] == [["IA", "36", "EA"]]
    assert ["AK1", "PC", "774"] in segments(ws, "hbc", "997")
    state = StateStore(ws.state_path)
    try:
        assert {f["code"] for f in state.findings() if f["po_number"] == "0087731"} == set()
    finally:
        state.close()


def test_every_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):
    """Every 856 and 810 of the night, accented names and all (Sobeys' Latin-1 bytes as the text they are), is taken
    by our reader, our outbound validator and Bots' grammars. pyx12 holds AN values to X12's basic and extended
    character sets and refuses "L'ÎLE-PERROT" (AK4 code 6), as a translator as strict would: what such a partner
    gets with [x12] encoding = "ascii" ("L'ILE-PERROT") it takes, as every validator does."""
    from parsers.x12_writer import transcode
    from tests.shipping_support import bots_check, read_back
    from tests.test_mark_for import accepted
    from tests.test_pyx12_outbound import pyx12_accepts

    ws, _found, _states = night
    sent = sent_856s_and_810s(ws, POS)
    assert len(sent) == 6 + 5  # 856s (Walmart de México's too), 810s
    strict = []
    for path in sent:
        data = path.read_bytes()
        text = data.decode("latin-1").encode() if path.name.startswith("sobeys") else data
        read_back(text)
        assert bots_check(text, tmp_path)[0], path.name
        if not text.isascii():
            strict.append(pyx12_accepts(text.decode(), maps)[0])
        accepted(transcode(text, "ascii"), tmp_path, maps)
    assert strict and not any(strict)  # accented: refused by pyx12's character set, every one
