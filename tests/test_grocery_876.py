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
