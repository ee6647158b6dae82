"""Asian-owned retailers and importers in North America, in the shapes the 850 4010 retail guides use (no public
EDI guide of Daiso, H Mart or 99 Ranch Market was found: the shapes are the trade's common ones, GS1's JAN and EAN
codes, ISO 4217 currencies and X12's own rules): tests/fixtures/rg66/ holds each one's profile, reference rows,
stock, 850s and the east DC's confirmation of what shipped (the rg2 DC). Daiso (its Japanese head office billed,
N1 BT with a Japanese name and an address in Japan, N4 country JP and no state; the US DC the ship-to; priced in
yen, CUR BY JPY, a currency with no minor unit: PO104 330, no decimals; JAN codes, PO1 EN 13 digits our items.csv
holds as GTIN-14 with a leading zero, and a JAN-8, PO1 EO 8 digits; sizes in centimetres, MEA PD LN 21 CM; each
line described in Japanese and English, PID09 JA / EN, one Japanese description of 80 characters, PID05's maximum,
212 bytes in UTF-8); H Mart (billed to its Seoul buying office, N4 KR; priced in won, CUR BY KRW: the 810's TDS
is N2 whatever the currency, 2,300,000 won is TDS 230000000; Hangul and English descriptions, PID09 KO / EN);
99 Ranch Market (Tawa Supermarket: USD; names in Chinese, N1 BT 大華超級市場, N1 ST 大華 99 RANCH MARKET DC; English and
Chinese descriptions; its translator reads ISO-8859-1, [x12] encoding "latin-1": a Chinese character has no code
there nor any spelling in Latin letters). One night takes them all: inspect, the 997s and 855s, then the 856s and
810s, checked by our validator, Bots and pyx12 (pyx12 takes X12's basic and extended character sets only: it
checks each document as an ASCII partner gets it)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted_as_text,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg66"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"daiso": {"DA6600101": 3}, "hmart": {"HM6600202": 2}, "ranch99": {"NR6600303": 2}}
ENCODINGS = {"daiso": "utf-8", "hmart": "utf-8", "ranch99": "latin-1"}  # what each is answered in
NIGHT_NOTED = {"ASN_LATE", "TEXT_NOT_IN_ENCODING"}  # the confirmations arrive hours after the trucks left
SCISSORS = ("ステンレス製キッチンバサミ 全長21cm 刃渡り8cm 食洗機対応 分解して洗えるタイプ 左右兼用 日本製 "
            "岐阜県関市の刃物職人が仕上げた切れ味の良い万能はさみ")  # PID05: 80 characters, its maximum (212 bytes)


def _as_read(path) -> bytes:
    """A document of ours as the checkers (UTF-8 readers) take it: in UTF-8, from the encoding it was sent in."""
    return path.read_bytes().decode(ENCODINGS[path.name.split("-")[0]]).encode("utf-8")


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    seen = inspected_clean(path, set(), POS)
    [order] = seen["orders"]
    assert order["currency"] == {"daiso": "JPY", "hmart": "KRW", "ranch99": "USD"}[path.parent.name]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg66") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)
    # 99 Ranch's ISO-8859-1 answers alone say they could not spell a text (test_..._is_said_not_garbled_quietly)
    assert {f[3].split("-")[0] for f in found if f[0] == "TEXT_NOT_IN_ENCODING"} == {"ranch99"}


def test_every_sent_document_is_accepted_by_our_reader_validator_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    """Every 855, 856 and 810 of the night, Japanese, Korean and Chinese text and all, is taken by our reader, our
    outbound validator (each element's length counted in characters: the 80-character Japanese PID05 is 212 bytes)
    and Bots' grammars; pyx12 refuses what is not X12's basic or extended character set (AK4 code 6): it takes
    each as an ASCII partner gets it (parsers.x12_writer.transcode), every element within its maximum."""
    all_sent_accepted_as_text(night[0], POS, tmp_path, maps, sent=9, as_read=_as_read)


def test_yen_and_won_are_priced_whole_and_totalled_in_x12_s_implied_decimals(night):
    """Yen and won have no minor unit (ISO 4217: 0 decimals): a unit price is sent as a whole number (PO104 330,
    R type: a decimal point only where there is a fraction) and answered so (855 PO104, 810 IT104); the 810's
    total is TDS01, type N2, two implied decimals whatever the currency (X12 says so of the type, not of the
    money): ¥42,240 is TDS*4224000, ₩2,300,000 is TDS*230000000. The 810 names its currency, CUR SE JPY / KRW."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "daiso", "855"), "DA6600101", "BAK")
    assert [s[1:5] for s in ack if s[0] == "PO1"] == [["1", "48", "EA", "330"], ["2", "24", "EA", "550"],
                                                      ["3", "120", "EA", "110"]]
    inv = po_segments(segments(ws, "daiso", "810"), "DA6600101", "BIG")
    assert ["CUR", "SE", "JPY"] in inv and ["TDS", "4224000"] in inv
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "48", "EA", "330"], ["2", "24", "EA", "550"],
                                                      ["3", "120", "EA", "110"]]
    inv = po_segments(segments(ws, "hmart", "810"), "HM6600202", "BIG")
    assert ["CUR", "SE", "KRW"] in inv and ["TDS", "230000000"] in inv
    assert ["IT1", "2", "40", "EA", "38000", "", "EN", "8801000660056", "VN", "RG66-05"] in inv


def test_jan_codes_and_the_overseas_head_office_are_answered_as_sent(night):
    """A JAN-13 (PO1 EN 4549131660012) is our GTIN-14 04549131660012; a JAN-8 (PO1 EO 49010664) our
    00000049010664: each echoed as sent on the 855, the 856 (LIN02, a GS1 id first: AsnSettings.lin_qualifiers) and
    the 810. The head office billed in Japan and in
    Korea is named on the 810 as the PO sent it, its name in Japanese or Hangul, its address with no state and
    its country code (N4 JP, KR); the 856 and 810 describe each line in the PO's own words, 80 Japanese
    characters whole."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "daiso", "856"), "DA-SHP-01", "BSN")
    inv = po_segments(segments(ws, "daiso", "810"), "DA6600101", "BIG")
    assert ["LIN", "1", "EN", "4549131660012", "VN", "RG66-01"] in asn
    assert ["IT1", "3", "120", "EA", "110", "", "EO", "49010664", "VN", "RG66-03"] in inv
    # the JAN-8 first, as the PO sent it and as the JAN-13s are: a GS1 id before ours (it followed our VN)
    assert ["LIN", "3", "EO", "49010664", "VN", "RG66-03"] in asn
    for doc in (asn, inv):
        assert ["PID", "F", "08", "", "", SCISSORS, "", "", "", "JA"] in doc and len(SCISSORS) == 80
    assert inv[inv.index(["N1", "BT", "株式会社大創産業", "92", "DAISOJP"]) + 2] == [
        "N4", "HIGASHIHIROSHIMA", "", "739-8501", "JP"]
    inv = po_segments(segments(ws, "hmart", "810"), "HM6600202", "BIG")
    assert inv[inv.index(["N1", "BT", "에이치마트 서울 구매사무소", "92", "HMSEOUL"]) + 2] == [
        "N4", "SEOUL", "", "06236", "KR"]


def test_a_bilingual_line_s_descriptions_keep_their_language_codes(night):
    """Each line is described twice, PID*F*08 in Japanese (PID09 JA) and in English (PID09 EN), and H Mart's in
    Korean (KO) and English: the 856 item loop and the 810 IT1 loop echo each description with its language as sent
    (ORDER_LINES pids_sent keeps PID09); they were echoed without it, which said nothing of which was which."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "daiso", "810"), "DA6600101", "BIG")
    asn = po_segments(segments(ws, "daiso", "856"), "DA-SHP-01", "BSN")
    for doc in (asn, inv):
        assert [s for s in doc if s[0] == "PID"][2:4] == [
            ["PID", "F", "08", "", "", "ふた付き収納ボックス 38cm", "", "", "", "JA"],
            ["PID", "F", "08", "", "", "LIDDED STORAGE BOX 38 CM", "", "", "", "EN"]]
    inv = po_segments(segments(ws, "hmart", "810"), "HM6600202", "BIG")
    assert [s[5:] for s in inv if s[0] == "PID"] == [
        ["고추장 500g 태양초 찹쌀 고추장", "", "", "", "KO"], ["RED PEPPER PASTE GOCHUJANG 500 G", "", "", "", "EN"],
        ["이천쌀 10kg", "", "", "", "KO"], ["ICHEON RICE 10 KG", "", "", "", "EN"]]


def test_chinese_text_sent_to_a_latin_1_translator_is_said_not_garbled_quietly(night):
    """99 Ranch's translator reads ISO-8859-1 (its profile's [x12] encoding): 大華超級市場 has no code there and no
    spelling in Latin letters. Its identifiers are all ASCII (N104 TAWA, the EAN, our VN, the PO number) and
    reach it whole; a text of Chinese characters is written with "?" for each, as every ISO-8859-1 writer does
    (N1*BT*??????*92*TAWA: the partner still has its N104), and English text beside them stays. That was quiet:
    the partner's people saw "??????" with nothing on our side saying so. Now each such document has a warning,
    TEXT_NOT_IN_ENCODING, naming the document, the encoding and each element as we had it."""
    ws, found, _states = night
    inv = po_segments(segments(ws, "ranch99", "810", "latin-1"), "NR6600303", "BIG")
    assert ["N1", "BT", "??????", "92", "TAWA"] in inv and ["N1", "ST", "?? 99 RANCH MARKET DC", "92", "DC3"] in inv
    assert ["PID", "F", "08", "", "", "10-CUP RICE COOKER 1.8 L", "", "", "", "EN"] in inv
    assert ["IT1", "1", "6", "EA", "49.99", "", "EN", "4710010660076", "VN", "RG66-07"] in inv
    said = sorted(f[3] for f in found if f[0] == "TEXT_NOT_IN_ENCODING")
    assert len(said) == 2, said  # its 856 and its 810 (its 855 is ASCII)
    [invoice] = [m for m in said if m.startswith("ranch99-810-")]
    assert "latin-1" in invoice and "N102 '大華超級市場'" in invoice and "PID05 '凍頂烏龍茶 300克'" in invoice
    assert "TAWA" not in invoice  # (an identifier that is ASCII is no concern)
    # Daiso's and H Mart's UTF-8 answers carry their text as sent: nothing to say
    assert all(m.startswith("ranch99-8") for m in said)


def test_a_jan_8_alone_finds_its_item(tmp_path):
    """A PO line naming its item by its JAN-8 alone (PO1 EO 49010664, no VN) is our RG66-03 (GTIN-14
    00000049010664): taken, shipped and billed as sent."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "daiso", "DA6600101", tmp_path, [(b"*EO*49010664*VN*RG66-03~",
                                                                                   b"*EO*49010664~")],
                                      warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY)
    assert {f[0] for f in found} <= {"ASN_LATE"}, found
    assert states == {("daiso", "DA6600101"): "invoiced"}
    inv = segments(ws, "daiso", "810")
    assert [s for s in inv if s[0] == "IT1" and s[1] == "3"][0][6:8] == ["EO", "49010664"]


def test_only_text_with_no_code_nor_spelling_is_said():
    """unspelled names the elements transcode writes with a "?": a Chinese name in ISO-8859-1 or ASCII; never an
    accented letter Latin-1 has, nor one ASCII spells ("Œ" OE, "é" e), nor anything in UTF-8."""
    from parsers.x12_writer import transcode, unspelled

    isa = "ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*TAWA99RANCH    *261201*1500*U*00401*000000004*0*P*>~"
    doc = (isa + "N1*BT*大華超級市場*92*TAWA~N1*ST*Œuvre Québec*92*1~PID*F*08***凍頂烏龍茶 300克~"
           "PID*F*08***凍頂烏龍茶 300克~").encode()
    for encoding in ("latin-1", "ascii", "cp1252"):
        assert unspelled(doc, encoding) == ["N102 '大華超級市場'", "PID05 '凍頂烏龍茶 300克'"]
        assert "N1*BT*??????*92*TAWA~" in transcode(doc, encoding).decode(encoding)
    assert unspelled(doc, "utf-8") == [] and unspelled((isa + "N1*ST*Œuvre Québec*92*1~").encode(), "ascii") == []


def test_our_bilingual_item_descriptions_to_a_partner_writing_ascii_are_said(tmp_path):
    """An importer's item master is bilingual (items.csv: "電子鍋 1.8L / Rice cooker 1.8 L"). 99 Ranch's legacy
    translator sends ASCII only, lines by EAN with no description (its profile's encoding "auto": ASCII answers);
    our 856 describes each item by its items.csv description ([fulfilment.asn] item_pid_catalog): the English half
    as written, each Chinese character "?", and the 856 said (TEXT_NOT_IN_ENCODING, in ASCII); the 855 and the
    810, all ASCII, nothing."""
    from tests.retailer_support import variant_night

    swaps = [("N1*BT*大華超級市場*92*TAWA~".encode(), b"N1*BT*TAWA SUPERMARKET*92*TAWA~"),
             ("N1*ST*大華 99 RANCH MARKET DC*92*DC3~".encode(), b"N1*ST*99 RANCH MARKET DC*92*DC3~"),
             *((pid.encode() + b"~\n", b"") for pid in ("PID*F*08***10-CUP RICE COOKER 1.8 L****EN",
                                                        "PID*F*08***十人份電子鍋 1.8公升****ZH",
                                                        "PID*F*08***OOLONG TEA 300 G****EN",
                                                        "PID*F*08***凍頂烏龍茶 300克****ZH"))]
    profile = [('encoding = "latin-1"\n', ""),
               ('vendor_number = "TW3301"\n\n[fulfilment.invoice]',
                'vendor_number = "TW3301"\nitem_pid_catalog = true\n\n[fulfilment.invoice]')]
    ws, found, states = variant_night(FIXTURES, "ranch99", "NR6600303", tmp_path, swaps, warehouses=WAREHOUSES,
                                      night=NIGHT, ship_day=SHIP_DAY, profile_swaps=profile)
    assert states == {("ranch99", "NR6600303"): "invoiced"}
    assert all(p.read_bytes().isascii() for p in (ws.drop_root / "ranch99" / "outbox").iterdir())
    asn = segments(ws, "ranch99", "856")
    assert [s[5] for s in asn if s[0] == "PID"] == ["??? 1.8L / Rice cooker 1.8 L", "????? 300g / Oolong tea 300 g"]
    assert [f[3] for f in found if f[0] == "TEXT_NOT_IN_ENCODING"] == [
        "ranch99-856-000000003.x12 (856) is written in ascii, which has no code nor spelling for some characters of "
        "PID05 '電子鍋 1.8L / Rice cooker 1.8 L', PID05 '凍頂烏龍茶 300g / Oolong tea 300 g': each is sent as '?'."]


def test_an_810_asking_for_a_jan_8_gets_it_on_a_line_ordered_by_our_part_alone(tmp_path):
    """[fulfilment.invoice] item_ids takes EO (EAN-8, a JAN-8) as it takes EN: Daiso's 810 asking for a JAN on every
    IT1 (item_ids = ["EO", "EN"]) has line 3, ordered by our VN RG66-03 alone, named by its JAN-8 too (items.csv
    GTIN-14 00000049010664) after the PO's pair; lines 1 and 2 sent their JAN-13 (EN) and keep their pairs. The
    profile used to be refused (EO was no item_ids value) though the 856 and the intake take EO."""
    from tests.retailer_support import variant_night

    ws, found, states = variant_night(FIXTURES, "daiso", "DA6600101", tmp_path, [(b"*EO*49010664*VN*RG66-03~",
                                                                                   b"*VN*RG66-03~")],
                                      warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
                                      profile_swaps=[('vendor_number = "DA5501"\n\n[drop]',
                                                      'vendor_number = "DA5501"\nitem_ids = ["EO", "EN"]\n\n[drop]')])
    assert {f[0] for f in found} <= {"ASN_LATE"}, found
    assert states == {("daiso", "DA6600101"): "invoiced"}
    inv = segments(ws, "daiso", "810")
    assert [s[1:] for s in inv if s[0] == "IT1"] == [
        ["1", "48", "EA", "330", "", "EN", "4549131660012", "VN", "RG66-01"],
        ["2", "24", "EA", "550", "", "EN", "4549131660029", "VN", "RG66-02"],
        ["3", "120", "EA", "110", "", "VN", "RG66-03", "EO", "49010664"]]


def test_the_810_s_item_ids_are_the_ids_our_intake_reads():
    """The ids [fulfilment.invoice] item_ids accepts are the ones an 850's line is matched by and part_id gives
    (rules.business.items.OUR_QUALIFIERS: code list 235's GS1 numbers UK, UP, EN, EO, and UI, UD, UA, U2 without
    their check digit, and our vendor part VN, VP, VC, VA): one list, so a qualifier the intake learns is one an 810
    may ask for, and none the 810 may ask for is one part_id cannot give."""
    from typing import get_args

    from rules.business.items import GS1_QUALIFIERS, GS1_WITHOUT_CHECK_DIGIT, OUR_QUALIFIERS, part_id
    from schemas.fulfilment import InvoiceSettings

    literal = get_args(InvoiceSettings.model_fields["item_ids"].annotation)[0]  # tuple[Literal[...], ...]
    accepted = set(get_args(literal))
    assert accepted == set(OUR_QUALIFIERS) and {"EO", "EN", "UP", "UK", "UA", "U2"} <= accepted
    assert set(GS1_QUALIFIERS) | set(GS1_WITHOUT_CHECK_DIGIT) <= accepted
    item = {"sku": "RG66-03", "gtin": "00000049010664", "upc": "000049010664", "vendor_part": "RG66-03"}
    assert all(part_id(q, item) for q in accepted)
    assert InvoiceSettings(item_ids=("EO", "U2")).item_ids == ("EO", "U2")
