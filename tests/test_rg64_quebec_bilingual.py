"""French-language and bilingual Canadian buyers, in the shapes their public EDI material shows (Metro's supplier
invoicing rules: a UPC or case code on every line, the taxes on each taxable line and in total; the Canadian tax
type codes of the SPS-style guides: GS the GST, PG or SP Quebec's QST, BE the HST; Jean Coutu's, BMR's and Simons'
shapes are the Quebec retail trade's common ones, no public guide of theirs was found): tests/fixtures/rg64/ holds
each one's profile, reference rows, stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). Metro
(UTF-8, a GLN in ISA 14, accented mixed-case names, each line described in English and French, PID09 EN / FR;
cheese by the kilogram, syrup by the case GTIN-14, bulk soap by the litre, bulk pepper by the kilogram of an item
we count in grams; GST and QST per taxable line and in
total, basic groceries zero-rated); Jean Coutu (Windows-1252 from a Windows translator: "’", "–", "œ" in a store's
name of 60 characters and a description of 80; answered in Windows-1252, its names as it sent them; GST and QST in
the summary); BMR (a legacy translator in X12's basic character set: upper case, no accents, a postal code without
its space; lines by our part with no description: ours, in French, go back to it in ASCII, "½ po" and "2×4"
spelled as they read); Simons (ISO-8859-1, its profile says so; a store order to Ottawa, HST; our French
descriptions, one of 80 characters with an "œ", reach it in Latin-1 within PID05's maximum). One night takes them
all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg64"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"metro": {"M64000123": 4}, "jeancoutu": {"JC0064207": 2}, "bmr": {"B64003310": 3},
       "simons": {"S64051200": 2}}
# Jean Coutu's Windows-1252 and Simons' Latin-1 files are read so, with a warning saying so; in the night Simons'
# profile says it sends Latin-1 (no warning), Jean Coutu's is "auto" (the warning stays)
NOTED = {"X12_NOT_UTF8"}
ENCODINGS = {"metro": "utf-8", "jeancoutu": "cp1252", "bmr": "ascii", "simons": "latin-1"}  # what each is answered in
NIGHT_NOTED = {"X12_NOT_UTF8", "ASN_LATE"}  # the confirmations arrive hours after the trucks left
STORE = "Jean Coutu nº 142 – Carrefour des Sœurs-Grises, Montréal-Est"  # N102: 60 characters, its maximum
CREAM = "Crème hydratante visage « Sœurs de l’Île », peaux sèches et sensibles, pot 50 mL"  # PID05: 80, its maximum


def _as_read(path) -> bytes:
    """A document of ours as the checkers (UTF-8 readers) take it: in UTF-8, from the encoding it was sent in."""
    return path.read_bytes().decode(ENCODINGS[path.name.split("-")[0]]).encode("utf-8")


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    seen = inspected_clean(path, NOTED if path.parent.name in ("jeancoutu", "simons") else set(), POS)
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
    accepted_as_ordered(ws, POS, encodings=ENCODINGS)
    # metric units as ordered, never converted: kilograms, cases, litres, metres
    ack = po_segments(segments(ws, "metro", "855"), "M64000123", "BAK")
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "120", "KG"], ["IA", "40", "CA"], ["IA", "300", "LT"],
                                                     ["IA", "12.5", "KG"]]
    assert ["ACK", "IA", "150", "MR", "068", "20261201"] in segments(ws, "bmr", "855")


def test_every_sent_document_is_accepted_by_our_reader_validator_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    """Every 855, 856 and 810 of the night, accented names and all (Jean Coutu's and Simons' single-byte files as
    the text they are), is taken by our reader, our outbound validator (each element's length counted in
    characters) and Bots' grammars; pyx12 holds AN values to X12's basic and extended character sets and refuses
    accents (AK4 code 6, tests/test_rg9_cross_border.py): it takes each as an ASCII partner gets it, every element
    within its maximum."""
    all_sent_accepted_as_text(night[0], POS, tmp_path, maps, sent=12, as_read=_as_read)


def test_each_buyer_is_answered_in_its_own_encoding(night):
    """Metro's UTF-8 answered in UTF-8, Jean Coutu's Windows-1252 in Windows-1252, Simons' ISO-8859-1 in ISO-8859-1
    (no byte of 0x80-0x9F: control characters there), BMR's ASCII in ASCII."""
    ws, _found, _states = night
    for partner, kind in ENCODINGS.items():
        for path in (ws.drop_root / partner / "outbox").glob("*-8[15][056]-*.x12"):
            data = path.read_bytes()
            if kind == "ascii":
                assert data.isascii(), path.name
                continue
            if data.isascii():  # (Simons' 855: nothing accented in it)
                assert path.name == "simons-855-000000002.x12"
                continue
            if kind == "utf-8":
                assert "Centre de distribution Metro – Laval".encode() in data, path.name
                continue
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert any(0x80 <= b < 0xA0 for b in data) is (kind == "cp1252"), path.name


def test_metro_taxes_on_each_taxable_line_and_in_total_groceries_zero_rated(night):
    ws, _found, _states = night
    inv = po_segments(segments(ws, "metro", "810"), "M64000123", "BIG")
    assert inv[1] == ["CUR", "SE", "CAD"]
    # the cheese, the syrup and the pepper (basic groceries) at 0 % on their lines; the soap's GST and QST (645.00 x
    # 5 % and 9.975 %); the summary their sum; 1782.00 + 1536.00 + 645.00 + 300.00 + 32.25 + 64.34
    gst, qst = ["123456789RT0001"], ["1234567890TQ0001"]
    zero = [["TXI", "GS", "0", "0", "", "", "", "", "", *gst], ["TXI", "PG", "0", "0", "", "", "", "", "", *qst]]
    taxed = [["TXI", "GS", "32.25", "5", "", "", "", "", "", *gst],
             ["TXI", "PG", "64.34", "9.975", "", "", "", "", "", *qst]]
    assert [s for s in inv if s[0] == "TXI"] == zero + zero + taxed + zero + taxed
    assert ["TDS", "435959"] in inv
    assert [s[1:8] for s in inv if s[0] == "IT1"] == [["1", "120", "KG", "14.85", "", "UP", "614141564019"],
                                                     ["2", "40", "CA", "38.4", "", "UK", "10614141564023"],
                                                     ["3", "300", "LT", "2.15", "", "UP", "614141564033"],
                                                     ["4", "12.5", "KG", "24", "", "UP", "614141564118"]]
    for doc in (inv, po_segments(segments(ws, "metro", "856"), "MT-SHP-01", "BSN")):
        assert ["N1", "ST", "Centre de distribution Metro – Laval", "92", "0415"] in doc
        assert ["N4", "Laval", "QC", "H7G 4S7", "CA"] in doc


def test_a_kilogram_of_an_item_counted_in_grams_is_a_thousand_grams(night):
    """Metro orders ground pepper in bulk by the kilogram, PO1*4*12.5*KG; we count the spice in grams (items.csv
    unit GR, priced 0.024 per GR), as a bulk-food scale does. A kilogram is 1,000 grams by the unit's definition,
    yet the line was rejected (ACK IR, UNIT_NOT_CONVERTIBLE: "KG is a measure, not a pack: items.csv gives item
    RG64-11 no average_weight"): MEASURE_MULTIPLES knew a metre of centimetres, no other metric multiple. Now the
    SI multiples (schemas.units.METRIC_MULTIPLES: KG of GR, LT of ML, MR of MM, CM of MM, KM) are so many of the
    smaller: 12,500 GR reserved, acknowledged IA 12.5 KG, shipped SN1 12.5 KG, billed IT1 12.5 KG at the PO's 24.00
    (300.00), zero-rated as a basic grocery."""
    ws, _found, _states = night
    assert ["ACK", "IA", "12.5", "KG", "068", "20261125"] in segments(ws, "metro", "855")
    assert ["SN1", "", "12.5", "KG", "", "12.5", "KG"] in segments(ws, "metro", "856")
    assert ["IT1", "4", "12.5", "KG", "24", "", "UP", "614141564118", "VN", "RG64-11"] in segments(ws, "metro", "810")


def test_pepper_confirmed_in_grams_is_recorded_in_the_line_s_kilograms(tmp_path):
    """The DC weighs what it packed in grams (12500 GR of the 12.5 KG line): recorded as 12.5 KG
    (SHIPMENT_UNIT_CONVERTED), shipped and billed in the line's unit, the order invoiced."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "metro", "M64000123", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                      ship_day=SHIP_DAY, shipped_swaps=[(",12.5,KG,MT-C4", ",12500,GR,MT-C4")])
    assert {f[0] for f in found} <= {"ASN_LATE", "SHIPMENT_UNIT_CONVERTED"}, found
    assert [f[3] for f in found if f[0] == "SHIPMENT_UNIT_CONVERTED"] == [
        "Shipped 12500 GR of RG64-11; line 4 is in KG: 12500 GR, recorded as 12.5 KG."]
    assert states == {("metro", "M64000123"): "invoiced"}
    assert ["SN1", "", "12.5", "KG", "", "12.5", "KG"] in segments(ws, "metro", "856")
    assert ["IT1", "4", "12.5", "KG", "24", "", "UP", "614141564118", "VN", "RG64-11"] in segments(ws, "metro", "810")


def test_the_si_multiples_are_so_many_of_the_smaller_unit_and_no_other_measure():
    from rules.business.quantities import eaches_per_unit
    from schemas.rule_settings import RuleSettings

    for unit, item_unit, many in (("KG", "GR", 1000), ("LT", "ML", 1000), ("MR", "MM", 1000), ("LM", "MM", 1000),
                                  ("CM", "MM", 10), ("KM", "MR", 1000), ("KM", "LM", 1000), ("KM", "CM", 100_000),
                                  ("MR", "CM", 100)):
        assert eaches_per_unit(unit, "X", None, {("X", item_unit): 1}, RuleSettings()) == many, (unit, item_unit)
    # a gram is no whole number of kilograms, a kilogram none of pounds, a litre none of gallons: not convertible
    for unit, item_unit in (("GR", "KG"), ("KG", "LB"), ("LT", "GA"), ("ML", "LT")):
        assert eaches_per_unit(unit, "X", None, {("X", item_unit): 1}, RuleSettings()) is None, (unit, item_unit)


def test_jean_coutu_is_answered_in_windows_1252_its_names_as_it_sent_them(night):
    """Jean Coutu's Windows translator writes "’", "–" and "œ" in Windows-1252's 0x80-0x9F (0x92, 0x96, 0x9C). Its
    files were answered in ISO-8859-1, which has none of them: its store came back "... 142 - Carrefour des
    Soeurs-Grises ..." (and, with the "oe" a letter longer, 61 characters: past N102's 60) and its cream "« Soeurs
    de l'Île »" in 81 (PID05's maximum 80). Now a file using those letters shows charset "cp1252"
    (parsers.x12_reader.charset) and is answered in Windows-1252 ([x12] encoding "auto"): its names and
    descriptions are the bytes it sent, on the 855, 856 and 810."""
    ws, _found, _states = night
    sent = (FIXTURES / "drops" / "jeancoutu" / "jeancoutu-850-JC0064207.x12").read_bytes()
    for text in (f"N1*ST*{STORE}*92*0142~", "N3*455, rue des Sœurs-Grises~", f"PID*F****{CREAM}~"):
        assert text.encode("cp1252") in sent
    ack = po_segments(segments(ws, "jeancoutu", "855", "cp1252"), "JC0064207", "BAK")
    asn = po_segments(segments(ws, "jeancoutu", "856", "cp1252"), "JC-SHP-01", "BSN")
    inv = po_segments(segments(ws, "jeancoutu", "810", "cp1252"), "JC0064207", "BIG")
    for doc in (ack, asn, inv):
        assert ["N1", "ST", STORE, "92", "0142"] in doc
        assert ["N3", "455, rue des Sœurs-Grises"] in doc and ["N4", "Montréal-Est", "QC", "H1B 2X1", "CA"] in doc
    for doc in (asn, inv):
        assert ["PID", "F", "", "", "", CREAM] in doc
        assert ["PID", "F", "", "", "", "Comprimés d’acétaminophène 500 mg, flacon de 100"] in doc
    # GST and QST in the summary: 1586.40 x 5 % = 79.32, x 9.975 % = 158.24
    assert [s for s in inv if s[0] == "TXI"] == [["TXI", "GS", "79.32", "5", "", "", "", "", "", "123456789RT0001"],
                                                 ["TXI", "SP", "158.24", "9.975", "", "", "", "", "",
                                                  "1234567890TQ0001"]]
    assert ["TDS", "182396"] in inv


def test_simons_descriptions_at_their_maximum_stay_within_it_in_latin_1(night):
    """Simons reads ISO-8859-1 (its profile says so); our description of its coat is 80 characters (PID05's
    maximum) with an "œ", which ISO-8859-1 has no code for: written "oe", it became 81 characters on the 856 and
    810 (parsers.x12_writer.transcode spelled each character on its own, blind to the element it was in), and a
    translator checking lengths refuses the document (an 810 refused is an invoice unpaid). Now an element a
    spelling lengthens past its maximum is cut to it, as our own too-long texts are; "’" and "…" spelled too."""
    ws, _found, _states = night
    coat = "Manteau laine bouillie « Coeur du Nord » femme, coupe ajustée, taille moyenne (M"
    assert len(coat) == 80
    asn = po_segments(segments(ws, "simons", "856", "latin-1"), "SM-SHP-01", "BSN")
    inv = po_segments(segments(ws, "simons", "810", "latin-1"), "S64051200", "BIG")
    for doc in (asn, inv):
        assert [s[5] for s in doc if s[0] == "PID"] == [coat, "Tuque en tricot côtelé d'alpaga... unisexe"]
        assert ["N1", "BY", "La Maison Simons inc., Québec", "92", "0001"] in doc
    # Ontario's HST (BE): 3552.00 x 13 %
    assert [s[1:4] for s in inv if s[0] == "TXI"] == [["BE", "461.76", "13"]] and ["TDS", "401376"] in inv


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
    # Windows-1252 writes "œ", "–" and "…" as they are: nothing lengthened; what it has not, spelled
    text = transcode(doc, "cp1252").decode("cp1252")
    assert f"N1*ST*{name}*92*2060~" in text and "N3*Œuvre*Cœur~" in text
    assert "PID*F****Sœur s?~" in transcode((isa + "PID*F****Sœur ŝ\u0085~").encode(), "cp1252").decode("cp1252")


def test_a_file_using_windows_1252_letters_shows_it_and_is_answered_so():
    from parsers.x12_reader import charset, read_interchanges
    from parsers.x12_writer import answer_encoding

    head = ("ISA*00*          *00*          *ZZ*JEANCOUTU      *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000000004*0*P*>~"
            "GS*PO*JEANCOUTU*ORDERBRIDGE*20261126*0200*4*X*004010~ST*850*0001~")
    assert charset(read_interchanges((head + "N1*ST*Sœurs-Grises*92*1~").encode("cp1252"))) == "cp1252"
    assert charset(read_interchanges((head + "N1*ST*L’Île – Québec*92*1~").encode("cp1252"))) == "cp1252"
    assert charset(read_interchanges((head + "N1*ST*Québec*92*1~").encode("cp1252"))) == "latin-1"
    assert charset(read_interchanges((head + "N1*ST*Sœurs*92*1~").encode())) == "utf-8"
    assert answer_encoding("auto", ["cp1252"], "") == "cp1252"
    assert answer_encoding("auto", ["latin-1", "cp1252"], "") == "cp1252"
    assert answer_encoding("auto", ["ascii"], "cp1252") == "cp1252"  # its latest file with accents
    assert answer_encoding("auto", ["latin-1"], "cp1252") == "latin-1"  # the file answered says
    assert answer_encoding("cp1252", ["utf-8"], "") == "cp1252"


def test_a_profile_may_say_its_partner_reads_windows_1252(tmp_path):
    """[x12] encoding = "cp1252": Jean Coutu's files are what it always sends (no X12_NOT_UTF8 on each), and every
    document reaches it in Windows-1252, its store named as it names it."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "jeancoutu", "JC0064207", tmp_path, warehouses=WAREHOUSES,
                                      night=NIGHT, ship_day=SHIP_DAY,
                                      profile_swaps=[('usage = "P"\n', 'usage = "P"\nencoding = "cp1252"\n')])
    assert {f[0] for f in found} == {"ASN_LATE"}
    assert states == {("jeancoutu", "JC0064207"): "invoiced"}
    for kind in ("855", "856", "810"):
        assert ["N1", "ST", STORE, "92", "0142"] in segments(ws, "jeancoutu", kind, "cp1252")


# Metro's ship-to, 60 characters (N102's maximum) written with its accents apart (NFD: "e" and U+0301, as macOS
# writes them): 69 code points
DEPOT = "Entrepôt réfrigéré Métro – Côte-des-Neiges, allée Élie-Gérin"
METRO_ST = "N1*ST*Centre de distribution Metro – Laval*"


def _decomposed(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFD", name)
    assert text != name
    return text


def test_a_name_written_with_its_accents_apart_counts_its_letters():
    """X12 counts an element's characters: Metro's 60-character ship-to name is 60 long whichever way its bytes spell
    an "é". Written decomposed it counted 69 code points: ELEMENT_TOO_LONG (an error, 997 AK4 N102 code 5, AK5 R),
    the whole PO refused. Now a UTF-8 file is read composed (NFC: parsers.x12_reader.composed): no finding, the name
    the 60 characters it reads; one letter more is still too long (a name, not what the order is made of: noted, the
    set accepted with errors, [x12] element_errors "accept" by default: rules.lenient)."""
    from flows.inspect_view import read_checked

    assert len(DEPOT) == 60 and len(_decomposed(DEPOT)) == 69
    sent = (FIXTURES / "drops" / "metro" / "metro-850-M64000123.x12").read_bytes()
    for name, found in ((DEPOT, []), (DEPOT + "e", [("ELEMENT_TOO_LONG_ACCEPTED", "warning", "N102")])):
        data = sent.replace(METRO_ST.encode(), f"N1*ST*{_decomposed(name)}*".encode())
        _result, findings, orders, _changes = read_checked(data, "metro-850-M64000123.x12")
        assert [(f.code, f.severity, f.location.element) for f in findings] == found, findings
        assert orders["ship_to_name"].to_pylist() == [name]


def test_a_po_naming_its_store_with_accents_apart_is_taken_and_echoed_composed(tmp_path):
    """The night of Metro's PO with its decomposed 60-character ship-to: accepted (997 AK5 A), answered, shipped and
    invoiced; our 855, 856 and 810 echo the name composed, 60 code points (decomposed, 69 would be refused by a
    receiver counting code points, as pyx12 does), the same text the partner sent (canonically equivalent)."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "metro", "M64000123", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                      ship_day=SHIP_DAY,
                                      swaps=[(METRO_ST.encode(), f"N1*ST*{_decomposed(DEPOT)}*".encode())])
    assert {f[0] for f in found} <= {"ASN_LATE"}, found
    assert states == {("metro", "M64000123"): "invoiced"}
    assert [s[1] for s in segments(ws, "metro", "997") if s[0] == "AK5"] == ["A"]
    for kind in ("855", "856", "810"):
        assert ["N1", "ST", DEPOT, "92", "0415"] in segments(ws, "metro", kind), kind
        for path in (ws.drop_root / "metro" / "outbox").glob(f"metro-{kind}-*.x12"):
            assert _decomposed(DEPOT).encode() not in path.read_bytes()


def test_our_documents_go_composed_whatever_our_reference_rows_spell():
    """A name of ours written decomposed (a reference row saved on a Mac) reaches a UTF-8 partner composed, the 60
    characters our outbound check counted (it reads composed), never 69 code points; ASCII documents byte for byte."""
    from parsers.x12_writer import transcode

    isa = ("ISA*00*          *00*          *14*0201234560000  *ZZ*ORDERBRIDGE    *261126*1430*U*00401*000000004"
           "*0*P*>~GS*IN*ORDERBRIDGE*0201234560000*20261126*1430*4*X*004010~")
    doc = (isa + f"ST*810*0001~N1*ST*{_decomposed(DEPOT)}*92*0415~SE*3*0001~GE*1*4~IEA*1*000000004~").encode()
    assert transcode(doc, "utf-8") == doc.decode().replace(_decomposed(DEPOT), DEPOT).encode()
    composed = (isa + f"ST*810*0001~N1*ST*{DEPOT}*92*0415~SE*3*0001~GE*1*4~IEA*1*000000004~").encode()
    assert transcode(composed, "utf-8") is composed and transcode(isa.encode(), "utf-8") == isa.encode()


@pytest.mark.parametrize(("partner", "po", "swaps", "shipped"), [
    ("metro", "M64000123", [(",300,LT,MT-C3", ",300000,ML,MT-C3"), (",120,KG,MT-C1", ",120000,GR,MT-C1")],
     {"Shipped 300000 ML of RG64-03; line 3 is in LT: 300 LT (1000 ML to the LT), recorded as 300 LT.",
      "Shipped 120000 GR of RG64-01; line 1 is in KG: 120 KG (1000 GR to the KG), recorded as 120 KG."}),
    ("bmr", "B64003310", [(",150,MR,BM-C2", ",15000,CM,BM-C2")],
     {"Shipped 15000 CM of RG64-07; line 2 is in MR: 150 MR (100 CM to the MR), recorded as 150 MR."}),
], ids=["ml-and-grams", "centimetres"])
def test_a_dc_confirming_a_smaller_metric_unit_of_what_we_count_converts_by_definition(tmp_path, partner, po, swaps,
                                                                                         shipped):
    """The DC weighs Metro's cheese (counted in KG) in grams and meters its soap (counted in LT) in millilitres, and
    measures BMR's rope (counted in metres) in centimetres: 300000 ML is 300 LT by the unit's definition, whatever
    the item master says. It was SHIPMENT_UNIT_MISMATCH ("Shipped in ML; the line is in LT"), the shipment held and
    the order stuck acknowledged: only a larger unit of the item's (a KG of one counted in GR) converted. Now
    recorded in the line's unit (SHIPMENT_UNIT_CONVERTED), shipped and billed as ordered."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, partner, po, tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                      ship_day=SHIP_DAY, shipped_swaps=swaps)
    assert {f[0] for f in found} <= {"ASN_LATE", "SHIPMENT_UNIT_CONVERTED"}, found
    assert {f[3] for f in found if f[0] == "SHIPMENT_UNIT_CONVERTED"} == shipped
    assert states == {(partner, po): "invoiced"}
    sent = {"metro": [["SN1", "", "120", "KG", "", "120", "KG"], ["SN1", "", "300", "LT", "", "300", "LT"]],
            "bmr": [["SN1", "", "150", "MR", "", "150", "MR"]]}[partner]
    assert all(s in segments(ws, partner, "856") for s in sent)
    billed = {"metro": [["IT1", "1", "120", "KG"], ["IT1", "3", "300", "LT"]], "bmr": [["IT1", "2", "150", "MR"]]}
    assert all(s in [s[:4] for s in segments(ws, partner, "810")] for s in billed[partner])


def test_millilitres_short_of_the_litres_ordered_ship_the_fraction_and_leave_the_rest_open(tmp_path):
    """299,500 ML of the 300 LT soap line is 299.5 LT exactly: shipped (SN1 299.5 of 300 LT), the line open for the
    0.5 LT left, as a DC confirming 299.5 LT leaves it."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "metro", "M64000123", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                      ship_day=SHIP_DAY, shipped_swaps=[(",300,LT,MT-C3", ",299500,ML,MT-C3")])
    assert [f[3] for f in found if f[0] == "SHIPMENT_UNIT_CONVERTED"] == [
        "Shipped 299500 ML of RG64-03; line 3 is in LT: 299.5 LT (1000 ML to the LT), recorded as 299.5 LT."]
    assert not [f for f in found if f[1] == "error"]
    assert states == {("metro", "M64000123"): "partially_shipped"}
    assert ["SN1", "", "299.5", "LT", "", "300", "LT"] in segments(ws, "metro", "856")


def test_a_smaller_unit_past_the_places_a_quantity_holds_is_refused_saying_so_never_rounded(tmp_path):
    """299,999.95 ML is 299.99995 LT: five decimal places, one more than our quantities hold (decimal128(18, 4)).
    Rounded, the 856 would state what did not leave; it holds the shipment (SHIPMENT_UNIT_MISMATCH, an error, as
    any confirmation no exact quantity of the line's unit does), its message saying the exact quantity and why."""
    from tests.retailer_support import variant_night

    _ws, found, states = variant_night(FIXTURES, "metro", "M64000123", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                       ship_day=SHIP_DAY, shipped_swaps=[(",300,LT,MT-C3", ",299999.95,ML,MT-C3")])
    assert [(f[0], f[1], f[3]) for f in found if f[1] == "error"] == [(
        "SHIPMENT_UNIT_MISMATCH", "error",
        "Shipped in ML; the line is in LT (299999.95 ML is 299.99995 LT: more decimal places than the 4 a quantity "
        "holds, not rounded; ask the warehouse to confirm it in LT).")]
    assert states == {("metro", "M64000123"): "acknowledged"}


def test_a_smaller_unit_is_a_part_of_the_item_s_own_only_by_the_units_definitions():
    from rules.shipment_units import ShipmentUnits
    from schemas.rule_settings import RuleSettings
    from schemas.units import defined_multiple

    for larger, smaller, many in (("LT", "ML", 1000), ("KG", "GR", 1000), ("MR", "CM", 100), ("MR", "MM", 1000),
                                  ("LM", "CM", 100), ("MR", "LC", 100), ("CM", "MM", 10), ("KM", "MM", 1_000_000),
                                  ("YD", "FT", 3)):
        assert defined_multiple(larger, smaller) == many, (larger, smaller)
    for larger, smaller in (("ML", "LT"), ("LT", "GA"), ("KG", "LB"), ("EA", "ML"), ("CA", "EA"), ("", "ML")):
        assert defined_multiple(larger, smaller) is None, (larger, smaller)
    import pyarrow as pa

    items = pa.table({"sku": ["SOAP", "BOTTLE"], "unit": ["LT", "EA"], "case_pack": [1, 12]})
    units = ShipmentUnits(items, pa.table({"sku": ["BOTTLE"], "unit": ["LT"], "eaches": [1]}), RuleSettings())
    # millilitres are a part of the soap we count in litres; of the bottle we sell by the each, none by definition
    assert (units.in_own_unit("SOAP", "ML"), units.in_own_unit("BOTTLE", "ML")) == (1000, None)


def test_inspect_names_the_encoding_a_single_byte_file_shows(tmp_path):
    """`inspect` of Jean Coutu's Windows-1252 file and Simons' ISO-8859-1 one says what ends X12_NOT_UTF8 (a profile
    by default, [x12] encoding "auto", gets it on every file): the [x12] encoding to set, each its own."""
    from tests.retailer_support import inspected

    for partner, value in (("jeancoutu", "cp1252"), ("simons", "latin-1")):
        [path] = (FIXTURES / "drops" / partner).iterdir()
        [warning] = inspected(path)["findings"]
        assert warning["code"] == "X12_NOT_UTF8"
        assert f'set encoding = "{value}" in the [x12] table of its profile' in warning["message"], warning
