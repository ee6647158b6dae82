"""850 shapes real partners' translators send that we used to lose or refuse, each run through the real
night (intake, rules, 855): the shape, what a partner's guide says of it, and what we now do."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from tests.support import make_workspace, run_stages
from tests.test_x12_standard_layer import interchange

NIGHT = datetime(2026, 11, 27, 2, 0)


def _night(tmp_path, body: list[str], *, rules: str = "", **envelope) -> tuple[set[str], dict, str]:
    """ACME's night over one PO: the findings' codes (intake's and the rules'), each order's state, ACME's
    855 (empty: none).
    ``rules``: lines added to the [rules] of ACME's profile."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    if rules:
        profile = ws.root / "partners" / "acme.toml"
        profile.write_text(profile.read_text().replace("[rules]\n", "[rules]\n" + rules + "\n"))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_bytes(interchange(body, **envelope))
    results, night = run_stages(ws, NIGHT)
    state = StateStore(ws.state_url)
    try:
        states = {o.key[1]: o.state.value for o in state.orders()}
    finally:
        state.close()
    acks = sorted((ws.drop_root / "acme" / "outbox").glob("*855*"))
    codes = {f.code for f in night.findings} | {f["code"] for r in results for f in r.findings}
    return codes, states, "".join(p.read_text() for p in acks)


HEAD = ["CUR*BY*USD", "DTM*002*20261215", "N1*ST*Acme Store 2*92*0002"]


def test_a_line_identified_by_our_catalog_number_under_vc_is_acknowledged(tmp_path):
    """VC is code list 235's "Vendor's (Seller's) Catalog Number": the seller's own number, as VN and VP
    are. Distributors' and DIY chains' guides send the supplier's catalogue number under VC; a line with
    only VC*VP-1001 (our number) was ITEM_UNKNOWN and rejected (855 IR): an order lost."""
    body = ["BEG*00*SA*PO-VC**20261126", *HEAD, "PO1*1*12*EA*19.70**VC*VP-1001*SK*778812", "CTT*1"]
    codes, states, ack = _night(tmp_path, body)
    assert "ITEM_UNKNOWN" not in codes, codes
    assert states == {"PO-VC": "acknowledged"}
    assert "BAK*00*AD*PO-VC" in ack and "PO1*1*12*EA*19.7**VC*VP-1001*SK*778812~" in ack and "ACK*IA*12*EA" in ack


def test_a_british_partners_store_without_a_county_is_acknowledged(tmp_path):
    """A UK retailer's ship-to (N4*London**SW1A 1AA*GB: no state, a postcode with letters) of a partner whose
    profile says its domestic country is GB. X12 needs N402 only in the U.S. and Canada; the order was held
    (ADDRESS_INCOMPLETE for the state, ADDRESS_IMPLAUSIBLE for GB, the partner's own country)."""
    body = ["BEG*00*SA*PO-UK**20261126", "CUR*BY*USD", "DTM*002*20261215", "N1*ST*Acme High Street*92*UK01",
            "N3*10 High Street", "N4*London**SW1A 1AA*GB", "PO1*1*12*EA*19.70**UP*614141100101", "CTT*1"]
    codes, states, ack = _night(tmp_path, body, rules='domestic_country = "GB"')
    assert not codes & {"ADDRESS_INCOMPLETE", "ADDRESS_IMPLAUSIBLE", "SHIP_TO_UNKNOWN"}, codes
    assert states == {"PO-UK": "acknowledged"} and "BAK*00*AD*PO-UK" in ack


def test_a_grocery_po_with_upc_codes_without_check_digits_is_acknowledged(tmp_path):
    """A grocery wholesaler's lines identified by the U.P.C. codes code list 235 defines without a check
    digit: UI 1-5-5 (11 digits), UD and UA 2-5-5 (12). Each names one of our GTINs once its check digit is
    computed; the lines were ITEM_UNKNOWN and the order rejected (855 RD, every line IR)."""
    body = ["BEG*00*SA*PO-GROC**20261126", *HEAD, "PO1*1*12*EA*19.70**UI*61414110010",
            "PO1*2*6*EA*19.70**UD*061414110010*IN*4471", "PO1*3*12*EA***UA*061414110017", "CTT*3"]
    codes, states, ack = _night(tmp_path, body)
    assert "ITEM_UNKNOWN" not in codes, codes
    assert states == {"PO-GROC": "acknowledged"}
    assert "PO1*1*12*EA*19.7**UI*61414110010~" in ack and "PO1*2*6*EA*19.7**UD*061414110010*IN*4471~" in ack
    assert "ACK*IR" not in ack and ack.count("ACK*I") == 3


# --- notes ------------------------------------------------------------------------------------------

NOTED = ["BEG*00*SA*PO-N**20261126", "CUR*BY*USD", "DTM*002*20261215", "N9*L1*SPECIAL INSTRUCTIONS",
         "MSG*DELIVER TO DOCK 4 ONLY", "MSG*CALL 24 HOURS BEFORE DELIVERY 614-555-0100", "N9*ZZ*TERMS",
         "MSG*   ", "N1*ST*Acme Store 2*92*0002", "PO1*1*12*EA*19.70**UP*614141100101",
         "N9*L1*LINE NOTE", "MSG*GIFT WRAP EACH UNIT", "PO1*2*6*EA*19.70**UP*614141100101", "CTT*2"]
# 003040's 850 has NTE (note/special instruction) in the heading and the PO1 loop; 004010 has N9/MSG instead
NOTED_3040 = ["BEG*00*SA*PO-N**261126", "NTE*GEN*KEEP FROZEN", "DTM*002*261215", "N1*ST*Acme Store 2*92*0002",
              "PO1*1*12*EA*19.70**UP*614141100101", "NTE**FRAGILE", "CTT*1"]


def _structure(body: list[str], **envelope):
    from parsers.x12_reader import read_interchanges
    from rules.structure import check_structure

    result = read_interchanges(interchange(body, **envelope))
    return check_structure(result, list(result.transaction_sets()), common=True)  # as intake checks a file


def test_notes_are_quoted_once_per_po_for_a_person():
    """N9/MSG notes (heading or line, as department stores' and DIY chains' guides send delivery instructions)
    and NTE notes (003040's 850, as older translators send them) are kept by nothing of ours: no order, 855,
    856 or warehouse order carries them. They used to be dropped without a word; now one warning per PO
    quotes each, its line and N9, and the 997 still accepts the set."""
    [f] = [f for f in _structure(NOTED) if f.code == "NOTES_NOT_KEPT"]
    assert (f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "warning", "MSG", "MSG01", "DELIVER TO DOCK 4 ONLY")
    assert f.location.segment_position == 6  # ST 1, BEG, CUR, DTM, N9, the first MSG
    assert ("(N9 L1 SPECIAL INSTRUCTIONS) 'DELIVER TO DOCK 4 ONLY'; (N9 L1 SPECIAL INSTRUCTIONS) 'CALL 24 HOURS "
            "BEFORE DELIVERY 614-555-0100'; (line 1, N9 L1 LINE NOTE) 'GIFT WRAP EACH UNIT'. Pass") in f.message
    assert "TERMS" not in f.message  # an N9 without a note of its own is no note
    [f] = [f for f in _structure(NOTED_3040, version="003040", isa12="00304", gs04="261127")
           if f.code == "NOTES_NOT_KEPT"]
    assert (f.location.segment_id, f.location.element, f.location.value) == ("NTE", "NTE02", "KEEP FROZEN")
    assert "carries: 'KEEP FROZEN'; (line 1) 'FRAGILE'. Pass" in f.message


def test_a_po_without_notes_raises_nothing_and_notes_change_no_order(tmp_path):
    assert [f for f in _structure([s for s in NOTED if s[:3] not in ("MSG", "NTE")]) if f.code == "NOTES_NOT_KEPT"] \
        == []
    codes, states, ack = _night(tmp_path, NOTED)
    assert "NOTES_NOT_KEPT" in codes
    assert states == {"PO-N": "acknowledged"} and "BAK*00*AD*PO-N" in ack and ack.count("ACK*IA") == 2
    assert [f for f in _structure(NOTED) if f.severity == "error"] == []


# --- versions we hold no dictionary for -------------------------------------------------------------

def test_a_003040_po_gets_the_warnings_of_what_we_do_not_apply():
    """A set of a version we hold no dictionary for (003040, 003060, 007030 ...) was judged only by what every
    version agrees on, and that left out the set's own warnings but its counts: a 003040 PO's SAC allowance,
    SDQ store split, SLN subline or note was dropped without a word (its 004010 twin named each)."""
    from tests.test_x12_standard_layer import run

    body = ["BEG*00*SA*PO-3040**261126", "SAC*A*C000***112500*6*.5", "NTE*GEN*KEEP FROZEN", "DTM*002*261215",
            "N1*ST*Acme Store 2*92*0002", "PO1*1*12*EA*19.70**UP*614141100101", "SDQ*EA*92*0001*6*0002*6",
            "PO1*2*6*EA*19.70**UP*614141100101", "SLN*1**A*1*EA", "CTT*2*18"]
    out = run(interchange(body, version="003040", isa12="00304", gs04="261127"))
    assert out.error_count == 0 and out.orders.num_rows == 1
    assert [f.code for f in out.findings] == ["SAC_NOT_APPLIED", "NOTES_NOT_KEPT", "SDQ_NOT_APPLIED",
                                              "SLN_NOT_APPLIED"]


def test_every_code_the_set_checks_emit_is_one_every_version_gets():
    import ast
    from pathlib import Path

    import rules.set_checks
    from rules.set_checks import SET_CHECK_CODES
    from schemas.codes import CATALOGUE

    tree = ast.parse(Path(rules.set_checks.__file__).read_text(encoding="utf-8"))
    listing = [n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") ==
               "SET_CHECK_CODES"]
    assert len(listing) == 1
    tree.body.remove(listing[0])  # the codes the checks hand on, not the list of them
    emitted = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in CATALOGUE}
    assert emitted == SET_CHECK_CODES


# --- units --------------------------------------------------------------------------------------------

def test_a_line_ordered_in_units_un_is_answered_shipped_and_billed_as_eaches(tmp_path):
    """UN is code list 355's "Unit": one of the item as it is sold, as industrial and automotive partners
    order (PO1*1*12*UN). It was UNIT_NOT_CONVERTIBLE and the line rejected (855 IR): an order lost. It is
    the item's each: allocated, answered, shipped (a warehouse confirming eaches) and billed in UN."""
    from decimal import Decimal

    from parsers.x12_reader import read_interchanges
    from tests.support import GOOD_PO, deliver_all, ship_stages, shipping_workspace, x12_850
    from tests.test_po4_pack_units import DAY1, HEADER, NIGHT1

    ws = shipping_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*12*UN*39.20*PE*UP*614141100248", "CTT*1*12"]))
    results, _night = run_stages(ws, NIGHT1)
    assert not {f["code"] for r in results for f in r.findings} & {"UNIT_NOT_CONVERTIBLE", "UNIT_UNKNOWN"}
    out = ws.drop_root / "acme" / "outbox"
    [ack] = [read_interchanges(p.read_bytes()).segments.elements.to_pylist() for p in sorted(out.glob("*-855-*"))]
    assert [r[:4] for r in ack if r[0] in ("BAK", "ACK")] == [["BAK", "00", "AD", "PO-1"], ["ACK", "IA", "12", "UN"]]
    wh = ws.warehouse_drop_root / "east" / "inbox"
    wh.mkdir(parents=True, exist_ok=True)
    (wh / "east-shipments-20261127.csv").write_text(
        HEADER + "SHP-9,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,1,SKU-1003,12,EA,C-9,4,LB,\n")
    [east, *_] = ship_stages(ws, DAY1, run_id="day1")
    deliver_all(ws, DAY1)
    assert not [f for f in east.findings if f["severity"] == "error"], east.findings
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
        assert line.shipped == Decimal(12)
    finally:
        state.close()
    [asn] = [read_interchanges(p.read_bytes()).segments.elements.to_pylist() for p in sorted(out.glob("*-856-*"))]
    assert [r[1:4] for r in asn if r[0] == "SN1"] == [["", "12", "UN"]]
    [inv] = [read_interchanges(p.read_bytes()).segments.elements.to_pylist() for p in sorted(out.glob("*-810-*"))]
    assert [r[1:5] for r in inv if r[0] == "IT1"] == [["1", "12", "UN", "39.2"]]


def test_a_unit_we_do_not_sell_names_the_each_once():
    """UN is an each unit as EA is, but an item's units are named as before: "sold in EA", not "EA, UN"."""
    from decimal import Decimal

    from rules.business import check_quantities
    from schemas.rule_settings import RuleSettings
    from tests.business.tables import line, lines_table, reference

    [f] = check_quantities(lines_table(line(upc="614141100101", unit="BX", quantity=Decimal(2))), reference(),
                           RuleSettings())
    assert f.code == "UNIT_NOT_CONVERTIBLE" and "it is sold in EA (item_units.csv" in f.message, f.message


def test_ita_allowances_of_an_003010_po_are_named_as_sac_ones_are():
    """003010/003020 850s carry allowances and charges in ITA (Allowance, Charge or Service), as a
    manufacturer's 003010 guide sends them in the heading and the PO1 loops; 004010 replaced it with SAC. They
    were dropped without a word; now they are named in SAC_NOT_APPLIED as SAC ones are (ITA03 code, ITA07
    amount in N2, ITA09 percent, ITA06 rate), and the finance reconciliation reads them alike."""
    from schemas.sac_words import sacs_in_words

    def _allowances_named(message):  # the allowances asking something its words name (as migrated)
        sacs, more = sacs_in_words(message)
        return [(s.code, s.line_id, s.amount, s.percent, s.words) for s in sacs
                if s.kind == "A" and s.handling not in ("12", "15")], more
    from tests.test_x12_standard_layer import run

    body = ["BEG*00*SA*PO-ITA**261126", "ITA*A*VI*D240*06***2500", "ITA*C**H850*06*****",
            "DTM*002*261215", "N1*ST*Acme Store 2*92*0002", "PO1*1*12*EA*19.70**UP*614141100101",
            "ITA*A*VI*C000*02****1*2", "CTT*1*12"]
    out = run(interchange(body, version="003010", isa12="00301", gs04="261127"))
    assert out.error_count == 0 and out.orders.num_rows == 1
    [f] = [f for f in out.findings if f.code == "SAC_NOT_APPLIED"]
    assert (f.location.segment_id, f.location.element, f.location.value) == ("ITA", "ITA03", "D240")
    assert ("bill): allowance D240 25.00, handling 06 charge to be paid by customer, not on our 810s; charge H850 "
            "handling 06 charge to be paid by customer, not on our 810s; allowance C000 2 % of basis 1, handling 02 "
            "off invoice, on our 810s (line 1). Agree"
            in f.message)  # ITA04 is the method of handling (SAC12's), ITA08 the percent's basis (SAC06's)
    named, more = _allowances_named(f.message)
    assert [(code, line, str(amount), str(percent)) for code, line, amount, percent, _words in named] == [
        ("D240", None, "25.00", "None"), ("C000", "1", "None", "2")] and more == 0


def test_ita_allowances_of_an_003010_po_are_stored_with_the_order_as_sac_ones_are():
    """The order's stored allowances (ORDER_SACS, what the charge reconciliation reads) hold an 003010 PO's ITA
    ones as they hold SAC ones: indicator, ITA03 code, ITA07 amount (N2), ITA08 basis, ITA09 percent, ITA04
    handling, the PO1 loop; a SAC and an ITA of one set in file order."""
    from parsers.orders_850 import read_orders_with_sacs
    from parsers.x12_reader import read_interchanges

    body = ["BEG*00*SA*PO-ITA**261126", "ITA*A*VI*D240*06***2500", "SAC*C*H850***1500",
            "DTM*002*261215", "N1*ST*Acme Store 2*92*0002", "PO1*1*12*EA*19.70**UP*614141100101",
            "ITA*A*VI*C000*02****1*2", "CTT*1*12"]
    result = read_interchanges(interchange(body, version="003010", isa12="00301", gs04="261127"),
                               file="ita.x12")
    sets = list(result.transaction_sets())
    _orders, _lines, sacs = read_orders_with_sacs(result, sets, partner="acme", source_sha256="x")
    rows = sacs.select(["po_number", "line_id", "kind", "code", "amount", "basis", "percent", "handling"]).to_pylist()
    assert [(r["line_id"], r["kind"], r["code"], None if r["amount"] is None else str(r["amount"]), r["basis"],
             None if r["percent"] is None else str(r["percent"]), r["handling"]) for r in rows] == [
        (None, "A", "D240", "25.0000", None, None, "06"), (None, "C", "H850", "15.0000", None, None, None),
        ("1", "A", "C000", None, "1", "2.0000", "02")]
    assert {r["po_number"] for r in rows} == {"PO-ITA"}
