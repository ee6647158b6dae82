"""Automotive OEM service-parts and heavy-truck / equipment parts buyers by X12 850, in the shapes their public EDI
material describes (tests/fixtures/rg54/ holds each one's profile, reference rows, stock, 850s and the east DC's
confirmation of what shipped; the rg2 DC). Ford Customer Service Division's Supplier Direct Ship orders in X12
002001 (ISA12 00200, every date YYMMDD): service parts shipped to a dealer (BEG02 DS, N1*ST by its P&A code, 92,
Ford Field Accounting as N1*BT B82AA), the supplier's GSDB code in REF IA, Ford part numbers with spaces (BP) and
ours (VP), a line schedule (SCH). Navistar Parts' Service Parts Direct Ship orders in 003040 (ISA 01 DUNS): a
vehicle-off-road emergency told in NTE, next-day air (TD5 A), marks for the packages (MAN), Navistar's buying
location (N1*BY 92) and the dealer (N1*ST 92, PER IC), Navistar part numbers (BP), a returnable tote (PKG). John
Deere Parts' 004010 orders to its distribution centre: a heading TAX, freight collect, its routing (TD5) inside
the ship-to's N1 loop, Deere part numbers (BP) with their engineering change level (EC), an exempt line TXI, line
schedules (SCH). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our
validator, Bots and pyx12; Navistar's 856 and 810 in the releases of its guides, X12 003050 and 003040 (its profile's
gs_versions)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg54"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 11, 26, 15)

POS = {"fordsds": {"FD5401120": 2}, "navistar": {"NV5402120": 2}, "deere": {"JD5403120": 2}}
NOTED = {"SCH_NOT_APPLIED", "NOTES_NOT_KEPT"}
NIGHT_NOTED = {"ASN_LATE", *NOTED}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg54") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, found, _states = night
    # Ford (002001, dates YYMMDD): the dealer by its P&A code (leading zero kept) as the 856's and 810's ship-to,
    # Ford Field Accounting billed; Ford's part numbers, spaces and all, carried back beside ours (VP)
    asn = po_segments(segments(ws, "fordsds", "856"), "FD-SHP-01", "BSN")
    assert ["N1", "ST", "BEACH FORD", "92", "07384"] in asn and ["TD5", "B", "2", "UPSN", "U"] in asn
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "BP", "F81Z 9A543 AA", "VP", "RG54-01"],
                                                       ["2", "BP", "JL3Z 8005 A", "VP", "RG54-02"]]
    inv = po_segments(segments(ws, "fordsds", "810"), "FD5401120", "BIG")
    assert inv[0][1:5] == ["20261126", inv[0][2], "20261124", "FD5401120"]  # BEG05 261124 read as 2026-11-24
    assert ["N1", "BT", "FORD FIELD ACCOUNTING", "92", "B82AA"] in inv and ["TDS", "38100"] in inv
    ack = po_segments(segments(ws, "fordsds", "855"), "FD5401120", "BAK")
    assert ["DTM", "068", "20261127"] in ack  # DTM*010*261127, the requested ship date
    # Navistar (003040): its 997 in its own release; the dealer shipped to next-day air; the VOR note, the marks
    # for the packages (MAN) and the returnable tote told to ops
    ak = segments(ws, "navistar", "997")
    assert ["GS", "FA", "ORDERBRIDGE", "005050136", "261125", "0200", "1", "X", "003040"] in ak
    asn = po_segments(segments(ws, "navistar", "856"), "NV-SHP-01", "BSN")
    assert ["N1", "ST", "RUSH TRUCK CENTER DALLAS", "92", "05123"] in asn and ["TD5", "B", "2", "FDEN", "A"] in asn
    assert ["N1", "BY", "NAVISTAR PARTS", "92", "MDC"] in asn
    [note] = [f[3] for f in found if f[0] == "NOTES_NOT_KEPT" and f[2] == "NV5402120"]
    assert "'VOR UNIT DOWN - SHIP SAME DAY NEXT DAY AIR'; 'MAN ZZ VOR 88417'; (line 2) 'RETURNABLE TOTE'" in note
    # Deere: its part numbers with their engineering change level (EC) carried back on the 855, 856 and 810; its
    # distribution centre by location code (92)
    for kind, head, key in (("855", "BAK", "JD5403120"), ("856", "BSN", "JD-SHP-01"), ("810", "BIG", "JD5403120")):
        doc = po_segments(segments(ws, "deere", kind), key, head)
        ids = [s[-6:] for s in doc if s[0] in ("PO1", "LIN", "IT1")]
        assert ids == [["BP", "RE504836", "EC", "C", "VP", "RG54-05"], ["BP", "AH215325", "EC", "B", "VP", "RG54-06"]]
    assert ["N1", "ST", "JOHN DEERE PARTS DISTRIBUTION", "92", "J5"] in doc
    [sched] = [f[3] for f in found if f[0] == "SCH_NOT_APPLIED" and f[2] == "JD5403120"]
    assert "line 1: 50 EA 002 20261203; line 2: 4 EA 002 20261203" in sched


def _variant(tmp_path, partner, swaps):
    """A copy of ``partner``'s 850 with ``swaps`` (bytes) made, SE01 counted again."""
    from tests.retailer_support import _swapped, recounted

    path = next((FIXTURES / "drops" / partner).iterdir())
    copy = tmp_path / path.name
    copy.write_bytes(recounted(_swapped(path.read_bytes(), swaps)))
    return copy


def test_marks_and_a_packaging_asked_by_code_are_told_to_ops(tmp_path):
    """Navistar's service-parts 850 may carry MAN, the marks the buyer asks to be put on the packages (a dealer's
    vehicle-off-road unit: MAN*ZZ*VOR 88417), in its heading, and a PKG asking for a returnable container; Deere's
    a MAN in a PO1 loop. No order, 855, 856 or warehouse order of ours carries the buyer's marks (our 856's MAN are
    our own SSCC labels), and a PKG by code alone, with no PKG05 words, was not quoted either: both were dropped
    without a word. Each is now quoted in NOTES_NOT_KEPT with its line."""
    seen = inspected(next((FIXTURES / "drops" / "navistar").iterdir()), NOTED)
    [words] = [f["message"] for f in seen["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert "'MAN ZZ VOR 88417'" in words
    coded = _variant(tmp_path, "navistar", [(b"PKG*F*68*ZZ*RET*RETURNABLE TOTE~", b"PKG*S*68*ZZ*RET~"),
                                            (b"NTE*GEN*VOR UNIT DOWN - SHIP SAME DAY NEXT DAY AIR~\n", b""),
                                            (b"MAN*ZZ*VOR 88417~\n", b"")])
    [told] = [f for f in inspected(coded, NOTED)["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert "carries: (line 2) 'PKG S 68 ZZ RET'." in told["message"] and told["location"]["element"] == "PKG02"
    line = _variant(tmp_path, "deere", [(b"PID*F****HYDRAULIC PUMP~", b"PID*F****HYDRAULIC PUMP~\nMAN*CP*JD-BIN-44~")])
    [told] = [f for f in inspected(line, NOTED)["findings"] if f["code"] == "NOTES_NOT_KEPT"]
    assert "(line 2) 'MAN CP JD-BIN-44'" in told["message"] and told["location"]["element"] == "MAN02"



def test_a_superseded_part_is_not_shipped_under_the_ordered_part_s_revision(tmp_path):
    """Deere orders its part AH215325 at engineering change level B (PO1 ... BP AH215325 EC B VP RG54-06); our
    RG54-06 is discontinued and superseded by RG54-07, and Deere takes substitutes. The 855 answers ACK*IS naming
    RG54-07, and the 856 and 810 keep Deere's BP (its reference for the line) and name the part shipped; but they
    kept the EC pair as sent, telling Deere that what shipped is AH215325 at revision B. An engineering change level
    (or drawing revision, DR) is the ordered part's, not the substitute's: it is left out of a substituted line's
    LIN and IT1. The line not substituted keeps its EC as sent."""
    import shutil

    copy = tmp_path / "rg54"
    shutil.copytree(FIXTURES, copy, ignore=shutil.ignore_patterns("fordsds", "navistar"))
    items = copy / "reference" / "items.csv"
    rows = items.read_text(encoding="utf-8").splitlines()
    items.write_text("\n".join([rows[0] + ",replaced_by"] + [
        r.replace(",active,", ",discontinued,") + ",RG54-07" if r.startswith("RG54-06,") else r + "," for r in rows[1:]]
        + ["RG54-07,00614141554072,614141554072,RG54-07,Hydraulic pump revised,EA,1,1,active,,,"]) + "\n",
        encoding="utf-8")
    for name, row in (("reference/prices.csv", "deere,RG54-07,389.0000,USD,2026-01-01,"),
                      ("stock.csv", "2026-11-23,EAST,RG54-07,500,0")):
        with open(copy / name, "a", encoding="utf-8") as out:
            out.write(row + "\n")
    profile = copy / "partners" / "deere.toml"
    accepting = profile.read_text(encoding="utf-8").replace("[drop]", '[rules]\nsubstitutes = "accept"\n\n[drop]')
    profile.write_text(accepting, encoding="utf-8")
    shipped = copy / "shipments" / "east-shipments-20261201.csv"
    shipped.write_text("".join(r.replace(",RG54-06,", ",RG54-07,") for r in shipped.read_text(encoding="utf-8")
                               .splitlines(keepends=True) if r.startswith("Shipment ID") or ",JD5403120," in r),
                       encoding="utf-8")
    ws, found, states = shipped_night(of_its_own(copy, tmp_path / "ws", warehouses=WAREHOUSES), copy, NIGHT, SHIP_DAY)
    assert states == {("deere", "JD5403120"): "invoiced"} and ("ITEM_SUBSTITUTED", "warning", "JD5403120") in found
    ack = po_segments(segments(ws, "deere", "855"), "JD5403120", "BAK")
    assert ["ACK", "IS", "4", "EA", "068", "20261125", "", "VP", "RG54-07"] in ack
    for kind, head, key in (("856", "BSN", "JD-SHP-01"), ("810", "BIG", "JD5403120")):
        doc = po_segments(segments(ws, "deere", kind), key, head)
        assert [s[2:] if s[0] == "LIN" else s[6:] for s in doc if s[0] in ("LIN", "IT1")] == [
            ["BP", "RE504836", "EC", "C", "VP", "RG54-05"], ["BP", "AH215325", "VP", "RG54-07"]], kind

def test_an_856_and_810_go_in_the_buyer_s_own_older_release(night, tmp_path, maps):  # noqa: F811
    """Navistar's 856 guide is X12 003050 and its 810 guide 003040; its profile names them (gs_versions), and the
    night's 856 and 810 are written in them: the interchange's ISA12 the release's (00305, 00304; ISA11 U), GS04
    YYMMDD and GS08 the release, every date YYMMDD, nothing 004010 added; our validator judges each by the
    release's own dictionary (schemas.x12dict.EARLY_RELEASES), Bots by its 856003050 / 810003040 grammars, pyx12 by
    maps generated from that dictionary. The 855 stays 004010 (the profile's), the 997 answers in the 850's 003040.
    Before, a profile could name no release before 004010 (gs_versions refused 003050) and both went as 004010."""
    from rules.outbound import _built_by
    from schemas.profile import X12Settings
    from schemas.x12dict import release_dictionary
    from tests.test_mark_for import accepted

    ws = night[0]
    outbox = ws.drop_root / "navistar" / "outbox"
    heads = {p.name.split("-")[1]: p.read_bytes().decode().split("~\n")[:2] for p in outbox.glob("*.x12")}
    assert {k: (isa.split("*")[11:13], gs.split("*")[4], gs.split("*")[8]) for k, (isa, gs) in heads.items()} == {
        "856": (["U", "00305"], "261126", "003050"), "810": (["U", "00304"], "261126", "003040"),
        "997": (["U", "00304"], "261125", "003040"), "855": (["U", "00401"], "20261125", "004010")}
    asn = po_segments(segments(ws, "navistar", "856"), "NV-SHP-01", "BSN")
    assert [s for s in asn if s[0] not in ("ST", "HL", "MAN", "LIN", "SN1", "PID")] == [
        ["BSN", "00", "NV-SHP-01", "261126", "1500", "0001"], ["TD1", "CTN25", "2", "", "", "", "G", "57", "LB"],
        ["TD5", "B", "2", "FDEN", "A"], ["REF", "BM", "BOL-NV"], ["REF", "CN", "7794054020"],
        ["DTM", "011", "261126", "0700"], ["N1", "SF", "OrderBridge Supply DC East", "UL", "0614141000104"],
        ["N3", "1 Dock Road"], ["N4", "Newark", "NJ", "07101", "US"],
        ["N1", "ST", "RUSH TRUCK CENTER DALLAS", "92", "05123"], ["N3", "4200 IRVING BLVD"],
        ["N4", "DALLAS", "TX", "75247", "US"], ["PRF", "NV5402120", "", "", "261124"],
        ["REF", "IA", "NV30417"], ["N1", "BY", "NAVISTAR PARTS", "92", "MDC"], ["CTT", "6", "7"]]
    inv = po_segments(segments(ws, "navistar", "810"), "NV5402120", "BIG")
    assert inv[0] == ["BIG", "261126", inv[0][2], "261124", "NV5402120", "", "", "DI"]
    assert ["DTM", "011", "261126"] in inv and ["TDS", "134496"] in inv and inv[-1] == ["CTT", "2"]
    assert [s[:5] for s in inv if s[0] == "IT1"] == [["IT1", "1", "1", "EA", "1234.56"],
                                                      ["IT1", "2", "6", "EA", "18.4"]]
    # judged by the release's own dictionary (a 003050 856 table, 003040's TDS of Total Invoice Amount), not 004010's
    assert _built_by("003050") is release_dictionary("003050") and _built_by("003040").set_table("810") is not None
    assert release_dictionary("003040").segment("TDS").elements[0].ref == "361"
    for kind in ("856", "810"):
        [path] = outbox.glob(f"navistar-{kind}-*.x12")
        accepted(path.read_bytes(), tmp_path, maps)  # our reader and validator, Bots and pyx12
    # a release is named only for a set we write in it (the 855, 856, 810 and 865 in 003040-003070): no 870 in
    # 003050, no 856 in 003030, nor in Ford's 002002FORD
    ids = dict(their_qualifier="01", their_id="005050136", our_qualifier="ZZ", our_id="ORDERBRIDGE",
               their_gs_id="005050136", our_gs_id="ORDERBRIDGE")
    assert X12Settings(**ids, gs_versions={"856": "003050", "810": "003040"}).gs_versions == (
        ("810", "003040"), ("856", "003050"))
    for wrong in ({"870": "003050"}, {"856": "003030"}, {"856": "002002FORD"}):
        with pytest.raises(ValueError, match="must start with the version"):
            X12Settings(**ids, gs_versions=wrong)


def test_a_name_and_street_its_older_release_cannot_hold_are_cut_to_it(tmp_path, maps):  # noqa: F811
    """A dealer name of 40 characters is valid in a 004010 N102 (1/60) and too long for 003050's and 003040's (1/35),
    and so is a street of 43 in N301 (1/55; 1/35): Navistar's 856 (003050) and 810 (003040) write the name cut to 35,
    as every name we write is cut to its element, and the street packed into N301/N302 at a blank
    (engine.early_release). Both go that night and pass our validator, Bots and pyx12; the dealer is invoiced. They
    used to be held (ASN_NOT_BUILT naming N102): a partner in an early release could not be shipped to a dealer whose
    name 004010 holds."""
    import shutil

    from rules.outbound import validate_outbound
    from tests.retailer_support import _swapped, recounted
    from tests.test_mark_for import accepted

    copy = tmp_path / "rg54"
    shutil.copytree(FIXTURES, copy, ignore=shutil.ignore_patterns("fordsds", "deere"))
    po = copy / "drops" / "navistar" / "navistar-850-NV5402120.x12"
    long_name = b"RUSH TRUCK CENTER DALLAS NORTH TEXAS REG"  # 40 characters
    street = b"4200 IRVING BLVD INDUSTRIAL PARK BUILDING 7"  # 43
    po.write_bytes(recounted(_swapped(po.read_bytes(), [
        (b"N1*ST*RUSH TRUCK CENTER DALLAS*", b"N1*ST*" + long_name + b"*"),
        (b"N3*4200 IRVING BLVD~", b"N3*" + street + b"~")])))
    ws, found, states = shipped_night(of_its_own(copy, tmp_path / "ws", warehouses=WAREHOUSES), copy, NIGHT, SHIP_DAY,
                                      messages=True)
    outbox = ws.drop_root / "navistar" / "outbox"
    assert sorted(p.name.split("-")[1] for p in outbox.glob("*.x12")) == ["810", "855", "856", "997"]
    assert not [f for f in found if f[1] == "error" and f[2] == "NV5402120"], found  # (the others' POs are left out)
    assert states[("navistar", "NV5402120")] == "invoiced"
    dealer = [["N1", "ST", "RUSH TRUCK CENTER DALLAS NORTH TEXA", "92", "05123"],
              ["N3", "4200 IRVING BLVD INDUSTRIAL PARK", "BUILDING 7"], ["N4", "DALLAS", "TX", "75247", "US"]]
    asn = po_segments(segments(ws, "navistar", "856"), "NV-SHP-01", "BSN")
    k = asn.index(dealer[0])
    assert asn[k:k + 3] == dealer
    inv = po_segments(segments(ws, "navistar", "810"), "NV5402120", "BIG")
    assert dealer[0] in inv and dealer[1] in inv
    for kind in ("856", "810"):
        [path] = outbox.glob(f"navistar-{kind}-*.x12")
        content = path.read_bytes()
        assert content.decode().split("~\n")[1].split("*")[8] == {"856": "003050", "810": "003040"}[kind]
        assert [f for f in validate_outbound(content) if f.severity == "error"] == []
        accepted(content, tmp_path, maps)  # our reader and validator, Bots and pyx12


def test_a_003040_856_sends_the_dealer_s_contact_as_its_per_holds_it(tmp_path, maps):  # noqa: F811
    """003040's PER holds two communication numbers and no PER09 (004010: three and PER09) and a name of 35: an 856
    in 003040 that sends the dealer's contact back ([fulfilment.asn] ship_to_contact) writes the name cut, the first
    two numbers and no PER09 (engine.asn.contact_fit by the 856's own release, the profile's gs_versions). It used to
    fit the PER to the profile's version (004010) and the 856 was held: the third number had no place in 003040's
    PER."""
    import shutil

    from rules.outbound import validate_outbound
    from tests.retailer_support import _swapped, recounted
    from tests.test_mark_for import accepted

    copy = tmp_path / "rg54"
    shutil.copytree(FIXTURES, copy, ignore=shutil.ignore_patterns("fordsds", "deere"))
    profile = copy / "partners" / "navistar.toml"
    text = profile.read_text(encoding="utf-8")
    assert 'gs_versions = { "856" = "003050", "810" = "003040" }' in text and "[fulfilment.asn]\n" in text
    profile.write_text(text.replace('"856" = "003050"', '"856" = "003040"')
                       .replace("[fulfilment.asn]\n", "[fulfilment.asn]\nship_to_contact = true\n"), encoding="utf-8")
    po = copy / "drops" / "navistar" / "navistar-850-NV5402120.x12"
    contact = b"PER*IC*PARTS MANAGER RUSH TRUCK CENTER DALLAS*TE*2145550170*FX*2145550171*EM*PARTS@RUSH.EXAMPLE*Q1~"
    po.write_bytes(recounted(_swapped(po.read_bytes(), [(b"PER*IC*PARTS MANAGER*TE*2145550170~", contact)])))
    ws, found, states = shipped_night(of_its_own(copy, tmp_path / "ws", warehouses=WAREHOUSES), copy, NIGHT, SHIP_DAY,
                                      messages=True)
    assert not [f for f in found if f[1] == "error" and f[2] == "NV5402120"], found
    assert states[("navistar", "NV5402120")] == "invoiced"
    [path] = (ws.drop_root / "navistar" / "outbox").glob("navistar-856-*.x12")
    content = path.read_bytes()
    assert content.decode().split("~\n")[1].split("*")[8] == "003040"
    asn = po_segments(segments(ws, "navistar", "856"), "NV-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "PER"] == [
        ["PER", "IC", "PARTS MANAGER RUSH TRUCK CENTER DAL", "TE", "2145550170", "FX", "2145550171"]]
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    accepted(content, tmp_path, maps)  # our reader and validator, Bots and pyx12
