"""A grocer that orders by the X12 875 changes its orders by the 876 Grocery Products Purchase Order Change (GS OG, as
the 875's; G92 in place of the 875's G50; its G68 lines restate what changes, a quantity of zero deletes the item, an
item the order does not have is added; G92*CF cancels the order). Stater Bros. (rg33's grocery_875 fixtures) sends
its 875 on night 1, its 876 on night 2 (tests/fixtures/rg33/grocery_876): the 876 is acknowledged by a 997 (AK1 OG),
read into the 860's change tables (parsers.orders_876), applied (a quantity cut, an item deleted, one added), answered
by the 865 its profile takes for changes, and what is left ships and is invoiced; another 876 cancels the order; a
broken one is refused by the 876's set table."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tests.retailer_support import of_its_own, po_segments, segments, shipped_day
from tests.support import REPO, run_stages
from tests.test_rg33_regional_grocers_boscovs import NIGHT, WAREHOUSES, grocery_fixtures

FIXTURES_876 = REPO / "tests" / "fixtures" / "rg33" / "grocery_876"
CHANGE = FIXTURES_876 / "change" / "staterbros-876-SB4410027.x12"
CANCEL = FIXTURES_876 / "cancel" / "staterbros-876-SB4410027-cancel.x12"
BROKEN = FIXTURES_876 / "broken" / "staterbros-876-SB4410027-broken.x12"
NIGHT2 = datetime(2026, 11, 26, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)


def _fixtures(tmp, change_ack: str = "865"):
    """grocery_fixtures with the 876's shipment (what is left of the changed order) in place of the 875's, a price
    for the item the 876 adds (GRC-303, 1.80 an each: 21.60 a case of 12), and the profile answering changes by
    ``change_ack``: the 865 (received beside the 855), or "855", a revised 855."""
    fixtures = grocery_fixtures(tmp)
    profile = fixtures / "partners" / "staterbros.toml"
    text = profile.read_text(encoding="utf-8")
    if change_ack == "865":
        text = text.replace('receives = ["997", "855", "856", "810"]', 'receives = ["997", "855", "865", "856", "810"]')
    else:
        text = text.replace('rule_suites = ["standard"]', f'rule_suites = ["standard"]\nchange_ack = "{change_ack}"')
    profile.write_text(text, encoding="utf-8")
    shutil.rmtree(fixtures / "shipments")
    shutil.copytree(FIXTURES_876 / "shipments", fixtures / "shipments")
    with open(fixtures / "reference" / "prices.csv", "a", encoding="utf-8") as out:
        out.write("staterbros,GRC-303,1.8000,USD,2026-01-01,\n")
    return fixtures


def _two_nights(tmp, change, change_ack: str = "865"):
    """Night 1 takes the 875; night 2 the 876 ``change``: (ws, fixtures)."""
    fixtures = _fixtures(tmp, change_ack)
    ws = of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(change, ws.drop_root / "staterbros" / "inbox" / change.name)
    run_stages(ws, NIGHT2)
    return ws, fixtures


def _outbox(ws, kind):
    return sorted((ws.drop_root / "staterbros" / "outbox").glob(f"staterbros-{kind}-*"))


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("g876")
    ws, fixtures = _two_nights(tmp, CHANGE)
    return shipped_day(ws, fixtures, SHIP_DAY, messages=True)


def test_the_876_is_acknowledged_by_a_997_naming_its_og_group(changed):
    ws, _found, _states = changed
    acks = segments(ws, "staterbros", "997")
    # night 1's 997 for the 875, night 2's for the 876: each AK1 names the group's GS01 (OG) and GS06
    assert ["AK1", "OG", "44101"] in acks and ["AK2", "876", "0001"] in acks
    assert [s for s in acks if s[0] == "AK5"] == [["AK5", "A"], ["AK5", "A"]]


def test_the_876_cuts_a_quantity_deletes_an_item_and_adds_one_answered_by_an_865(changed):
    ws, found, states = changed
    assert not [f for f in found if f[1] == "error"], found
    (answer,) = _outbox(ws, "865")
    doc = segments(ws, "staterbros", "865")
    assert ["GS", "CA"] == doc[1][:2] and doc[3][:4] == ["BCA", "00", "AD", "SB4410027"], doc
    # each G68 echoed as the POC it was read as (no line number: named by its item), with its line's status: GRC-301
    # restated 40 -> 30 (IQ), GRC-302 restated to 0 (ID), GRC-303, on no line of the order, added (AI: IA)
    assert [s for s in doc if s[0] in ("POC", "ACK")] == [
        ["POC", "", "CA", "30", "", "CA", "18", "", "UA", "061414150301"], ["ACK", "IQ", "30", "CA"],
        ["POC", "", "DI", "0", "", "CA", "27.6", "", "UP", "614141503025"], ["ACK", "ID", "0", "CA"],
        ["POC", "", "AI", "20", "", "CA", "21.6", "", "UP", "614141503032"], ["ACK", "IA", "20", "CA"]]
    assert states == {("staterbros", "SB4410027"): "invoiced"}
    assert answer.name.startswith("staterbros-865-")


def test_what_is_left_of_the_changed_order_ships_and_is_invoiced(changed):
    ws, _found, _states = changed
    asn = po_segments(segments(ws, "staterbros", "856"), "SB-SHP-02", "BSN")
    assert [s[1:4] for s in asn if s[0] == "SN1"] == [["", "30", "CA"], ["", "20", "CA"]]
    inv = po_segments(segments(ws, "staterbros", "810"), "SB4410027", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "30", "CA", "18"], ["3", "20", "CA", "21.6"]]
    assert ["TDS", "97200"] in inv  # 30 x 18.00 + 20 x 21.60


def test_a_profile_answering_changes_by_a_revised_855_gets_one_for_the_876(tmp_path):
    ws, _fixtures_dir = _two_nights(tmp_path, CHANGE, change_ack="855")
    assert not _outbox(ws, "865")
    answers = [p for p in _outbox(ws, "855")]
    assert len(answers) == 2  # night 1's 855, night 2's revised one
    revised = answers[-1].read_text(encoding="utf-8").split("~")
    bak = [s.strip().split("*") for s in revised if s.strip().startswith("BAK")][0]
    assert bak[1:4] == ["05", "AD", "SB4410027"], bak  # the order restated as it now stands
    po1 = [s.strip().split("*")[1:4] for s in revised if s.strip().startswith("PO1")]
    assert po1 == [["1", "30", "CA"], ["3", "20", "CA"]], po1


def test_an_876_with_g92_cf_cancels_the_order_and_nothing_ships(tmp_path):
    ws, fixtures = _two_nights(tmp_path, CANCEL)
    ws, found, states = shipped_day(ws, fixtures, SHIP_DAY)
    assert states == {("staterbros", "SB4410027"): "cancelled"}
    doc = segments(ws, "staterbros", "865")
    assert [s[:4] for s in doc if s[0] == "BCA"] == [["BCA", "00", "AK", "SB4410027"]]
    # the DC's confirmation of the cancelled order is held with its findings, never an 856 or 810
    assert not _outbox(ws, "856") and not _outbox(ws, "810")
    assert {f[0] for f in found if f[1] == "error"} == {"SHIPMENT_LINE_CLOSED", "SHIPMENT_OVER_RESERVED",
                                                        "SHIPMENT_LINE_UNKNOWN"}, found


def test_a_broken_876_is_refused_by_its_set_table_and_the_order_stands(tmp_path):
    ws, _fixtures = _two_nights(tmp_path, BROKEN)
    acks = segments(ws, "staterbros", "997")
    assert ["AK1", "OG", "44103"] in acks and ["AK2", "876", "0001"] in acks
    # the 876's table: its N1 loop is mandatory (a G68 came where the N1 was due): AK3 code 3 at the set's position 3
    assert ["AK3", "N1", "3", "", "3"] in acks and ["AK5", "R", "5"] in acks and ["AK9", "R", "1", "1", "0"] in acks
    assert not _outbox(ws, "865")
    assert list((ws.drop_root / "staterbros" / "quarantine").glob("*876*"))


def test_a_profile_without_876_refuses_it_loudly(tmp_path):
    """A grocer's profile that accepts the 875 alone: its 876 is refused by the 997 (the set not supported), never
    taken silently; `partner check` says so before."""
    from engine.process import acceptance_for
    from parsers.x12_reader import read_interchanges
    from rules.envelope import check_envelopes
    from rules.partner_check import check_profile
    from schemas.profile import load_profile

    profile = load_profile(REPO / "tests" / "fixtures" / "rg33" / "grocery_875" / "partners" / "staterbros.toml")
    result = read_interchanges(CHANGE.read_bytes(), file=CHANGE.name)
    assert [f.code for f in check_envelopes(result, acceptance_for(profile))] == []
    assert not [line for line in check_profile(profile) if "876" in line]
    only_875 = profile.model_copy(update={"accepts": ("875", "997")})
    assert [(f.code, f.severity) for f in check_envelopes(result, acceptance_for(only_875))][0][1] == "error"
    assert [line for line in check_profile(only_875) if "876" in line]


def test_a_profile_that_takes_no_change_answer_gets_the_876_s_997_alone(tmp_path):
    """Stater Bros.' own profile receives no 865 (UCS grocers commonly take the 876's 997 as its answer): the change is
    applied (what ships is what the 876 left) and answered by nothing but its 997, no 865 nor revised 855."""
    fixtures = grocery_fixtures(tmp_path)
    shutil.rmtree(fixtures / "shipments")
    shutil.copytree(FIXTURES_876 / "shipments", fixtures / "shipments")
    with open(fixtures / "reference" / "prices.csv", "a", encoding="utf-8") as out:
        out.write("staterbros,GRC-303,1.8000,USD,2026-01-01,\n")
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(CHANGE, ws.drop_root / "staterbros" / "inbox" / CHANGE.name)
    run_stages(ws, NIGHT2)
    ws, _found, states = shipped_day(ws, fixtures, SHIP_DAY)
    assert len(_outbox(ws, "997")) == 2 and len(_outbox(ws, "855")) == 1 and not _outbox(ws, "865")
    inv = po_segments(segments(ws, "staterbros", "810"), "SB4410027", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "30"], ["3", "20"]]
    assert states == {("staterbros", "SB4410027"): "invoiced"}


def test_the_876_reads_as_the_860_it_says_and_names_what_it_does_not_carry():
    """Each G68 a POC with no POC01 (named by its item), CA restating quantity and price, DI for a quantity restated to
    zero; G92*CF the cancel purpose; a G72, a G68's price bracket, a store's N1/QTY in a G68 loop and a G62 of another
    qualifier are ORDER_876_NOT_CARRIED at their segment and element; the parse itself is the 876's."""
    from parsers.orders_860 import read_changes
    from parsers.orders_876 import as_860
    from parsers.x12_reader import read_interchanges

    text = CHANGE.read_text(encoding="utf-8")
    text = text.replace("G62*10*20261201~", "G62*10*20261201~\nG62*04*20261130~")
    text = text.replace("G68*30*CA*18**UA*061414150301~", "G68*30*CA*18**UA*061414150301***B2~\nN1*ST**92*0412~\n"
                        "QTY*01*10~")
    text = text.replace("G76*50*CA~", "G72*A*01**1.5~\nG76*50*CA~").replace("SE*13*", "SE*18*")
    result = read_interchanges(text.encode(), file="c.x12")
    rewritten, sets, not_carried = as_860(result, list(result.transaction_sets()))
    assert result.segments.row(3)[0] == "G92" and [ts.set_id for _ic, _g, ts in sets] == ["860"]
    assert [(f.code, f.location.segment_id, f.location.element, f.location.value, f.location.segment_position)
            for f in not_carried] == [
        ("ORDER_876_NOT_CARRIED", "G62", "G6201", "04", 5), ("ORDER_876_NOT_CARRIED", "G68", "G6809", "B2", 7),
        ("ORDER_876_NOT_CARRIED", "N1", "", None, 8), ("ORDER_876_NOT_CARRIED", "QTY", "", None, 9),
        ("ORDER_876_NOT_CARRIED", "G72", "G7201", "A", 15)]
    headers, changes = read_changes(rewritten, sets, partner="staterbros")
    assert headers.select(["po_number", "purpose", "po_date", "line_count", "ctt_line_count"]).to_pylist() == [
        {"po_number": "SB4410027", "purpose": "04", "po_date": NIGHT.date().replace(day=24), "line_count": 3,
         "ctt_line_count": 3}]
    assert [(r["line_id"], r["change_type"], str(r["quantity_ordered"]), r["unit"], str(r["unit_price"]),
             [(p["qualifier"], p["id"]) for p in r["product_ids"]]) for r in changes.to_pylist()] == [
        (None, "CA", "30.0000", "CA", "18.0000", [("UA", "061414150301")]),
        (None, "DI", "0.0000", "CA", "27.6000", [("UP", "614141503025")]),
        (None, "CA", "20.0000", "CA", "21.6000", [("UP", "614141503032")])]
    # G92*DI (delete items): each G68 an item deleted, whatever quantity it restates; the heading a change (04)
    deleted = read_interchanges(CHANGE.read_bytes().replace(b"G92*CA*", b"G92*DI*"), file="d.x12")
    rewritten, sets, _ = as_860(deleted, list(deleted.transaction_sets()))
    headers, changes = read_changes(rewritten, sets, partner="staterbros")
    assert headers["purpose"].to_pylist() == ["04"] and set(changes["change_type"].to_pylist()) == {"DI"}
    cancel = read_interchanges(CANCEL.read_bytes(), file="x.x12")
    rewritten, sets, not_carried = as_860(cancel, list(cancel.transaction_sets()))
    assert not not_carried and read_changes(rewritten, sets, partner="s")[0]["purpose"].to_pylist() == ["01"]


def test_an_876_restating_an_item_several_lines_carry_is_no_guess():
    """engine.changes.restated_items: a restated item on no line is an added one (AI); on one line it stays CA (the
    line restated); on two lines it stays CA and is refused for naming both (CHANGE_LINE_UNKNOWN), never added."""
    from engine.changes import restated_items

    line = {"line_number": 1, "line_id": "1", "product_ids": [{"qualifier": "UA", "id": "061414150301"}]}
    twin = dict(line, line_number=2, line_id="2")
    poc = {"line_id": None, "change_type": "CA", "product_ids": [{"qualifier": "UA", "id": "061414150301"}]}
    new = dict(poc, product_ids=[{"qualifier": "UP", "id": "614141503032"}])
    gone = dict(new, change_type="DI")
    assert [p["change_type"] for p in restated_items([line], [poc, new, gone])] == ["CA", "AI", "DI"]
    assert [p["change_type"] for p in restated_items([line, twin], [poc])] == ["CA"]


def test_an_005010_876_is_checked_by_its_own_table_and_bots_takes_ours(tmp_path):
    """The fixture 876s are valid 876s to Bots' 004010 grammar (GS08 without the UCS suffix), the 005010 876 reads
    alike and its broken form is found so by the 005010 table as by the 004010 one."""
    from parsers.x12_reader import read_interchanges
    from rules.structure import check_structure
    from tests.shipping_support import bots_check

    for path in (CHANGE, CANCEL):
        ok, errors = bots_check(path.read_bytes().replace(b"*X*004010UCS~", b"*X*004010~"), tmp_path)
        assert ok, (path.name, errors)

    def found(content: bytes) -> list[tuple]:
        r = read_interchanges(content, file="x.x12")
        return [(f.code, f.location.segment_id, f.location.segment_position) for f in
                check_structure(r, list(r.transaction_sets()))]

    def as_5010(data: bytes) -> bytes:
        return data.replace(b"*U*00401*", b"*^*00501*").replace(b"*X*004010UCS~", b"*X*005010UCS~")

    assert found(CHANGE.read_bytes()) == [] and found(as_5010(CHANGE.read_bytes())) == []
    expected = [("SEGMENT_MANDATORY_MISSING", "N1", 3)]
    assert found(BROKEN.read_bytes()) == expected and found(as_5010(BROKEN.read_bytes())) == expected


def test_an_876_file_read_in_batches_gives_the_changes_read_whole():
    """A large file is read a batch of sets at a time (engine.process_batches): its 876s land in the same change
    tables as the whole file's, each header's set_id "876"."""
    from datetime import date

    from engine.process import Known, process_file
    from engine.process_batches import process_in_batches
    from parsers.x12_batches import scan_interchange
    from schemas.profile import load_profile

    profile = load_profile(REPO / "tests" / "fixtures" / "rg33" / "grocery_875" / "partners" / "staterbros.toml")
    text = CHANGE.read_text(encoding="utf-8")
    second = text[text.index("ST*876"):text.index("\nGE*") + 1].replace("0001~", "0002~").replace(
        "SB4410027", "SB4410028")
    data = text.replace("\nGE*1*", "\n" + second + "GE*2*").encode()
    whole = process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 26))
    sk = scan_interchange(iter([data]), max_bytes=10**9, max_sets=1, max_set_bytes=10**9)
    outs = [o for _, o in process_in_batches(sk, lambda a, b: data[a:b], file="f.x12", sha256="s", profile=profile,
                                             known=Known(), today=date(2026, 11, 26))]
    assert whole.change_headers.select(["po_number", "set_id"]).to_pylist() == [
        {"po_number": "SB4410027", "set_id": "876"}, {"po_number": "SB4410028", "set_id": "876"}]
    cols = ["po_number", "change_type", "quantity_ordered", "file_segment"]
    assert [r for o in outs for r in o.changes.select(cols).to_pylist()] == whole.changes.select(cols).to_pylist()
    assert [h for o in outs for h in o.change_headers["set_id"].to_pylist()] == ["876", "876"]
    assert not whole.findings and whole.disposition == "processed"


def test_an_876_restating_an_item_by_another_of_its_ids_restates_the_line_of_that_sku():
    """restated_items with the item master (ItemOf): a POC whose ids name no line as sent but resolve to the sku of
    one line restates that line (its line id taken); a DI so deletes it; resolving to no line's sku, a CA is added;
    to two lines' sku, it stays as sent (refused, never a guess)."""
    from engine.changes import restated_items

    lines = [{"line_number": 1, "line_id": "1", "product_ids": [{"qualifier": "UP", "id": "614141503025"}]},
             {"line_number": 2, "line_id": "2", "product_ids": [{"qualifier": "UP", "id": "614141503018"}]}]
    skus = {1: "GRC-302", 2: "GRC-301"}
    by_id = {"10614141503022": "GRC-302", "10614141503015": "GRC-301", "614141503032": "GRC-303"}

    def item_of(n, row):
        return skus.get(n), by_id.get(row["product_ids"][0]["id"])

    case = {"line_id": None, "change_type": "DI", "product_ids": [{"qualifier": "UK", "id": "10614141503022"}]}
    more = dict(case, change_type="CA", product_ids=[{"qualifier": "UK", "id": "10614141503015"}])
    new = dict(case, change_type="CA", product_ids=[{"qualifier": "UP", "id": "614141503032"}])
    got = restated_items(lines, [case, more, new], item_of)
    assert [(p["line_id"], p["change_type"]) for p in got] == [
        ("1", "DI"), ("2", "CA"), (None, "AI")]
    skus[2] = "GRC-302"  # both lines the same sku: no guess
    assert [(p["line_id"], p["change_type"]) for p in restated_items(lines, [case], item_of)] == [(None, "DI")]


def test_an_876_deleting_by_the_case_gtin_what_the_875_ordered_by_the_consumer_upc(tmp_path):
    """The 875 ordered GRC-302 by its consumer UPC (UP 614141503025); the 876 deletes it by its case GTIN-14 (UK
    10614141503022, the item master's gtin of GRC-302): the line of that sku is deleted (ID), not a new line added."""
    change = tmp_path / "staterbros-876-by-gtin.x12"
    change.write_bytes(CHANGE.read_bytes().replace(b"G68*0*CA*27.6**UP*614141503025~",
                                                   b"G68*0*CA*27.6**UK*10614141503022~"))
    ws, fixtures = _two_nights(tmp_path, change)
    doc = segments(ws, "staterbros", "865")
    assert [s for s in doc if s[0] in ("POC", "ACK")][2:4] == [
        ["POC", "2", "DI", "0", "", "CA", "27.6", "", "UK", "10614141503022"], ["ACK", "ID", "0", "CA"]], doc
    ws, _found, states = shipped_day(ws, fixtures, SHIP_DAY)
    inv = po_segments(segments(ws, "staterbros", "810"), "SB4410027", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "30"], ["3", "20"]]


def test_an_875_and_its_876_the_same_night_ship_what_the_876_left(tmp_path):
    """The grocer's 875 and its 876 arrive in the same drop (a PO changed within the hour): the order is taken, the
    change applied to it, and what the DC ships and bills is the changed order."""
    fixtures = _fixtures(tmp_path)
    shutil.copy2(CHANGE, fixtures / "drops" / "staterbros" / CHANGE.name)
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    acks = segments(ws, "staterbros", "997")
    assert ["AK2", "875", "0001"] in acks and ["AK2", "876", "0001"] in acks
    assert {s[1] for s in acks if s[0] == "AK5"} == {"A"}
    ws, found, states = shipped_day(ws, fixtures, SHIP_DAY)
    assert not [f for f in found if f[1] == "error"], found
    inv = po_segments(segments(ws, "staterbros", "810"), "SB4410027", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "30", "CA", "18"], ["3", "20", "CA", "21.6"]]
    assert states == {("staterbros", "SB4410027"): "invoiced"}


def test_inspect_names_an_876_as_sent_and_reads_its_changes():
    """`orderbridge inspect --json` reads an 876 as it reads an 860 (no finding for a good one), its change named
    "876" (set_id), and the broken one's table finding."""
    import json

    from typer.testing import CliRunner

    from flows.cli import app

    out = CliRunner().invoke(app, ["inspect", "--json", str(CHANGE)])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["findings"] == []
    assert [(c["po_number"], c["set_id"], c["purpose"], c["line_count"]) for c in doc["changes"]] == [
        ("SB4410027", "876", "04", 3)]
    out = CliRunner().invoke(app, ["inspect", str(BROKEN)])
    assert "SEGMENT_MANDATORY_MISSING" in out.output and "876 for PO SB4410027" in out.output


def test_the_order_s_lines_say_the_876_changed_them(changed):
    """The stored lines' reasons (what `orderbridge status` shows) name the 876 and its file, not an 860."""
    from connectors.state import StateStore

    ws, _found, _states = changed
    state = StateStore(ws.state_path)
    try:
        lines = {ln.line_number: ln for ln in state.order_lines("staterbros", "SB4410027")}
    finally:
        state.close()
    assert lines[2].reason == f"deleted by 876 in {CHANGE.name}" and lines[2].ack == "ID"
    assert lines[3].ordered == 20 and lines[1].ordered == 30
