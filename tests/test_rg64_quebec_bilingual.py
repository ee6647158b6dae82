"""French-language and bilingual Canadian buyers, in the shapes their public EDI material shows (Metro's supplier
invoicing rules: a UPC or case code on every line, the taxes on each taxable line and in total; the Canadian tax
type codes of the SPS-style guides: GS the GST, PG or SP Quebec's QST; Jean Coutu's and BMR's shapes are the
Quebec retail trade's common ones, no public guide of theirs was found): tests/fixtures/rg64/ holds each one's
profile, reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). Metro (UTF-8, a
GLN in ISA 14, accented mixed-case names, each line described in English and French, PID09 EN / FR; cheese by the
kilogram, syrup by the case GTIN-14, bulk soap by the litre; GST and QST per taxable line and in total, basic
groceries zero-rated); Jean Coutu (Windows-1252 from a Windows translator: "’", "–", "œ"; a store's name of 60
characters, a description of 80; answered in its own single-byte encoding, each element within its maximum in
characters; GST and QST in the summary); BMR (a legacy translator in X12's basic character set: upper case, no
accents, a postal code without its space; lines by our part with no description: ours, in French, go back to it
in ASCII, "½ po" and "2×4" spelled as they read). One night takes them all: inspect, the 997s and 855s, then the
856s and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg64"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"metro": {"M64000123": 3}, "jeancoutu": {"JC0064207": 2}, "bmr": {"B64003310": 3}}
# Jean Coutu's Windows-1252 file is read so, with a warning saying so (its profile's encoding is "auto")
NOTED = {"X12_NOT_UTF8"}
NIGHT_NOTED = {"X12_NOT_UTF8", "ASN_LATE"}  # the confirmations arrive hours after the trucks left
STORE = "Jean Coutu nº 142 – Carrefour des Sœurs-Grises, Montréal-Est"  # N102: 60 characters, its maximum
CREAM = "Crème hydratante visage « Sœurs de l’Île », peaux sèches et sensibles, pot 50 mL"  # PID05: 80, its maximum


def _as_read(content: bytes) -> bytes:
    """A document as the checkers (UTF-8 readers) take it: Jean Coutu's, in Latin-1, read as Latin-1."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1").encode("utf-8")
    return content


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    seen = inspected_clean(path, NOTED if path.parent.name == "jeancoutu" else set(), POS)
    [order] = seen["orders"]
    assert order["currency"] == "CAD"
    if path.parent.name == "jeancoutu":  # Windows-1252's "–" and "œ" read as sent, 60 characters
        assert order["ship_to_name"] == STORE and len(STORE) == 60
    if path.parent.name == "metro":
        assert (order["ship_to_name"], order["ship_to_city"], order["ship_to_postal_code"]) == (
            "Centre de distribution Metro – Laval", "Laval", "H7G 4S7")


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg64") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    assert {code for code, _severity, _po in found} <= NIGHT_NOTED
    assert states == {(p, po): "invoiced" for p, pos in POS.items() for po in pos}
    accepted_as_ordered(ws, POS, encodings={"jeancoutu": "latin-1"})
    # metric units as ordered, never converted: kilograms, cases, litres, metres
    ack = po_segments(segments(ws, "metro", "855"), "M64000123", "BAK")
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "120", "KG"], ["IA", "40", "CA"], ["IA", "300", "LT"]]
    assert ["ACK", "IA", "150", "MR", "068", "20261201"] in segments(ws, "bmr", "855")


def test_every_sent_document_is_accepted_by_our_reader_validator_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    """Every 855, 856 and 810 of the night, accented names and all (Jean Coutu's Latin-1 bytes as the text they
    are), is taken by our reader, our outbound validator (each element's length counted in characters) and Bots'
    grammars; pyx12 holds AN values to X12's basic and extended character sets and refuses accents (AK4 code 6,
    tests/test_rg9_cross_border.py): it takes each as an ASCII partner gets it, every element within its maximum."""
    from parsers.x12_writer import transcode
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check, read_back
    from tests.test_mark_for import accepted
    from tests.test_pyx12_outbound import pyx12_accepts

    ws = night[0]
    sent = sorted(p for partner in POS for p in (ws.drop_root / partner / "outbox").glob("*-8[15][056]-*.x12"))
    assert len(sent) == 9
    for path in sent:
        text = _as_read(path.read_bytes())
        assert [f for f in validate_outbound(text) if f.severity == "error"] == [], path.name
        ok, errors = bots_check(text, tmp_path)
        assert ok, (path.name, errors)
        if "-855-" in path.name:  # (our reader takes 850s, 856s and 810s)
            ok, ack = pyx12_accepts(transcode(text, "ascii").decode(), maps)
            assert ok, ack[:800]
        else:
            read_back(text)
            accepted(transcode(text, "ascii"), tmp_path, maps)


def test_each_buyer_is_answered_in_its_own_encoding(night):
    """Metro's UTF-8 answered in UTF-8, Jean Coutu's Windows-1252 in Latin-1 (one byte a letter, no byte of
    0x80-0x9F: what ISO-8859-1 reads as control characters), BMR's ASCII in ASCII."""
    ws, _found, _states = night
    for partner, kind in (("metro", "utf-8"), ("jeancoutu", "latin-1"), ("bmr", "ascii")):
        for path in (ws.drop_root / partner / "outbox").glob("*-8[15][056]-*.x12"):
            data = path.read_bytes()
            if kind == "ascii":
                assert data.isascii(), path.name
            elif kind == "latin-1":
                assert not data.isascii() and not any(0x80 <= b < 0xA0 for b in data), path.name
                with pytest.raises(UnicodeDecodeError):
                    data.decode("utf-8")
            else:
                data.decode("utf-8")
                assert "Centre de distribution Metro – Laval".encode() in data, path.name


def test_metro_taxes_on_each_taxable_line_and_in_total_groceries_zero_rated(night):
    ws, _found, _states = night
    inv = po_segments(segments(ws, "metro", "810"), "M64000123", "BIG")
    assert inv[1] == ["CUR", "SE", "CAD"]
    # the cheese and the syrup (basic groceries) at 0 % on their lines; the soap's GST and QST (645.00 x 5 % and
    # 9.975 %); the summary their sum; 1782.00 + 1536.00 + 645.00 + 32.25 + 64.34
    gst, qst = ["123456789RT0001"], ["1234567890TQ0001"]
    zero = [["TXI", "GS", "0", "0", "", "", "", "", "", *gst], ["TXI", "PG", "0", "0", "", "", "", "", "", *qst]]
    taxed = [["TXI", "GS", "32.25", "5", "", "", "", "", "", *gst],
             ["TXI", "PG", "64.34", "9.975", "", "", "", "", "", *qst]]
    assert [s for s in inv if s[0] == "TXI"] == zero + zero + taxed + taxed
    assert ["TDS", "405959"] in inv
    assert [s[1:8] for s in inv if s[0] == "IT1"] == [["1", "120", "KG", "14.85", "", "UP", "614141564019"],
                                                     ["2", "40", "CA", "38.4", "", "UK", "10614141564023"],
                                                     ["3", "300", "LT", "2.15", "", "UP", "614141564033"]]
    for doc in (inv, po_segments(segments(ws, "metro", "856"), "MT-SHP-01", "BSN")):
        assert ["N1", "ST", "Centre de distribution Metro – Laval", "92", "0415"] in doc
        assert ["N4", "Laval", "QC", "H7G 4S7", "CA"] in doc


def test_jean_coutu_names_and_descriptions_at_their_maximum_stay_within_it_in_latin_1(night):
    """Jean Coutu's store is named in 60 characters (N102's maximum) and its cream described in 80 (PID05's), each
    with an "œ", which ISO-8859-1 has no code for: written "oe", the name became 61 characters and the description
    81 on the 855, 856 and 810 (parsers.x12_writer.transcode spelled each character on its own, blind to the
    element it was in): a translator checking lengths refuses the document (an 810 refused is an invoice unpaid).
    Now an element a spelling lengthens past its maximum is cut to it, as our own too-long texts are."""
    ws, _found, _states = night
    name = "Jean Coutu nº 142 - Carrefour des Soeurs-Grises, Montréal-Es"
    desc = "Crème hydratante visage « Soeurs de l'Île », peaux sèches et sensibles, pot 50 m"
    assert len(name) == 60 and len(desc) == 80
    ack = po_segments(segments(ws, "jeancoutu", "855", "latin-1"), "JC0064207", "BAK")
    asn = po_segments(segments(ws, "jeancoutu", "856", "latin-1"), "JC-SHP-01", "BSN")
    inv = po_segments(segments(ws, "jeancoutu", "810", "latin-1"), "JC0064207", "BIG")
    for doc in (ack, asn, inv):
        assert ["N1", "ST", name, "92", "0142"] in doc
        assert ["N3", "455, rue des Soeurs-Grises"] in doc and ["N4", "Montréal-Est", "QC", "H1B 2X1", "CA"] in doc
    for doc in (asn, inv):
        assert ["PID", "F", "", "", "", desc] in doc
        assert ["PID", "F", "", "", "", "Comprimés d'acétaminophène 500 mg, flacon de 100"] in doc
    # GST and QST in the summary: 1586.40 x 5 % = 79.32, x 9.975 % = 158.24
    assert [s for s in inv if s[0] == "TXI"] == [["TXI", "GS", "79.32", "5", "", "", "", "", "", "123456789RT0001"],
                                                 ["TXI", "SP", "158.24", "9.975", "", "", "", "", "",
                                                  "1234567890TQ0001"]]
    assert ["TDS", "182396"] in inv


def test_bmr_reads_our_french_descriptions_in_ascii_as_they_mean(night):
    """BMR sends X12's basic character set only, so our documents reach it in ASCII; its lines carry no
    description and our 856 and 810 write our items.csv ones, in French. "½ po" (a half inch) was written "12 po",
    "⅜ po" "38 po" (NFKD's "1⁄2" with its fraction slash dropped: a 12-inch elbow), "« Pro »" "? Pro ?" and "2×4"
    "2?4". Now a fraction keeps its slash, the guillemets are quotation marks and the multiplication sign an x."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "bmr", "856"), "BM-SHP-01", "BSN")
    inv = po_segments(segments(ws, "bmr", "810"), "B64003310", "BIG")
    for doc in (asn, inv):
        assert [s[5] for s in doc if s[0] == "PID"] == [
            "Coude en cuivre 90o 1/2 po", "Corde de nylon tressee 3/8 po (m)", 'Equerre de charpente " Pro " 2x4']
        assert ["N4", "BOUCHERVILLE", "QC", "J4B5Z5", "CA"] in doc  # its postal code as sent
    assert [s[1:4] for s in inv if s[0] == "TXI"] == [["GS", "30.95", "5"], ["PG", "61.75", "9.975"]]
    assert ["TDS", "71170"] in inv  # 619.00 + 30.95 + 61.75


def test_transcoding_keeps_every_element_within_its_maximum_and_spells_what_it_cannot_write():
    from parsers.x12_writer import transcode

    isa = ("ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*JEANCOUTU      *261126*1430*U*00401*000000004"
           "*0*P*>~GS*IN*ORDERBRIDGE*JEANCOUTU*20261126*1430*4*X*004010~")
    name = "Cœur du Québec – Épicerie fine & Boucherie Saint-Hyacinthe…"  # 59 characters: 62 spelled
    doc = (isa + f"ST*810*0001~N1*ST*{name}*92*2060~N3*Œuvre*Cœur~SE*4*0001~GE*1*4~IEA*1*000000004~").encode()
    for encoding in ("latin-1", "ascii"):
        text = transcode(doc, encoding).decode(encoding)
        n1 = next(s for s in text.split("~") if s.startswith("N1*")).split("*")
        assert len(n1[2]) == 60 and n1[2].startswith("Coeur du Qu") and n1[2].endswith("Saint-Hyacinthe.")
        # elements far from their maximum keep every letter
        assert "N3*OEuvre*Coeur~" in text
    # decomposed accents (NFD: "e" and U+0301, as macOS writes them) are the letters they make, never "?"
    nfd = (isa + "ST*810*0001~N1*ST*Que\u0301bec*92*1~SE*3*0001~GE*1*4~IEA*1*000000004~").encode()
    assert "N1*ST*Québec*92*1~" in transcode(nfd, "latin-1").decode("latin-1")
    assert "N1*ST*Quebec*92*1~" in transcode(nfd, "ascii").decode()
    # what ASCII has no letter for, spelled as it reads
    spelled = (isa + "ST*810*0001~PID*F****¼ ½ ¾ ⅛ « a » ‹b› 2×4 ±1 µm ©®~SE*3*0001~GE*1*4~IEA*1*000000004~").encode()
    assert "PID*F****1/4 1/2 3/4 1/8 \" a \" 'b' 2x4 +/-1 um (C)(R)~" in transcode(spelled, "ascii").decode()
