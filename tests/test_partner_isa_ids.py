"""A partner sending from several interchange ids, or to several of ours ([x12] their_ids / our_ids). Before, a
profile held one ISA05/ISA06 of theirs and one ISA07/ISA08 of ours: an interchange from any other pair was
PARTNER_SENDER_MISMATCH (the file quarantined, a valid PO lost) and one to another pair of ours ISA_RECEIVER_UNKNOWN.
Real partners send from several (a VAN move, a retailer's divisions each with its own ISA id, a DUNS and a DUNS+4)
and write to our DUNS one day and our ZZ id the next.

tests/fixtures/isaids: partner ``multi`` (ZZ/MULTIBUY; their_ids 14/0614141000001 and 08/9254110000; ours 01/123456789
and our_ids ZZ/ORDERBRIDGE; one GS pair MULTIBUY -> ACMEFOODS throughout). Night 1: MS-100 and MS-101 from its main
id, MS-200 from its DUNS+4, MS-300 to our ZZ id, MS-400 from an id it does not list (quarantined), MS-500 to an id
not ours (TA1 R). Night 2: an 860 for MS-101 from its new VAN id 08/9254110000. Ship day: the east DC ships all
four orders taken; everything is delivered."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from pydantic import ValidationError

from parsers.x12_reader import read_interchanges
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "isaids"
NIGHT, NIGHT2, SHIP_DAY = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2), datetime(2026, 11, 28, 14, 30)
MAIN, DIVISION, VAN = ("ZZ", "MULTIBUY"), ("14", "0614141000001"), ("08", "9254110000")
OURS, OUR_ZZ = ("01", "123456789"), ("ZZ", "ORDERBRIDGE")
GS = ("ACMEFOODS", "MULTIBUY")  # GS02, GS03 of everything we send them: the profile's our_gs_id, their_gs_id
HEADS = {"AK1": 2, "BAK": 3, "BCA": 3, "BSN": 2, "BIG": 4, "TA1": 1}  # what a set answers: GS06, PO, shipment, ISA13


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    from tests.retailer_support import on_demo, shipped_day
    from tests.support import run_stages

    ws = on_demo(FIXTURES, tmp_path_factory.mktemp("isaids") / "ws")
    run_stages(ws, NIGHT)
    for f in (FIXTURES / "changes" / "multi").iterdir():
        shutil.copy2(f, ws.drop_root / "multi" / "inbox" / f.name)
    run_stages(ws, NIGHT2)
    return shipped_day(ws, FIXTURES, SHIP_DAY, messages=True)


def sent(ws, kind: str) -> list[tuple[tuple[str, str], tuple[str, str], tuple[str, str], str, str]]:
    """Every set (a TA1: the interchange) of ``multi``'s ``kind`` documents in its outbox, each file read back by our
    reader without an error: (ISA05/ISA06, ISA07/ISA08, (GS02, GS03), ISA13, what it answers)."""
    out = []
    for p in sorted((ws.drop_root / "multi" / "outbox").glob(f"multi-{kind}-*.x12")):
        parsed = read_interchanges(p.read_bytes())
        assert parsed.interchanges and not [f for f in parsed.findings if f.severity == "error"], p.name
        isa = gs = None
        for seg in (s.split("*") for s in p.read_text().replace("\n", "").split("~") if s):
            if seg[0] == "ISA":
                isa, gs = seg, ["GS", "", "", ""]
            elif seg[0] == "GS":
                gs = seg
            if seg[0] in HEADS:
                out.append(((isa[5], isa[6].strip()), (isa[7], isa[8].strip()), (gs[2], gs[3]), isa[13],
                            seg[HEADS[seg[0]]]))
    return out


def addresses(ws, kind: str) -> dict[str, tuple[tuple[str, str], tuple[str, str]]]:
    """What each set of ``kind`` answers -> (our ISA05/ISA06 it is sent from, their ISA07/ISA08 it goes to)."""
    return {key: (ours, theirs) for ours, theirs, _gs, _n, key in sent(ws, kind)}


def profile(**x12):
    from schemas.profile import load_profiles

    loaded = load_profiles(FIXTURES / "partners")["multi"]
    return loaded.model_copy(update={"x12": loaded.x12.model_copy(update=x12)}) if x12 else loaded


# --- the profile ---------------------------------------------------------------------------------------------------
def test_the_profile_takes_other_ids_as_qq_id_or_pairs_validated_like_the_single_ones():
    from schemas.profile import X12Settings

    base = dict(their_qualifier="ZZ", their_id="MULTIBUY", our_qualifier="01", our_id="123456789",
                their_gs_id="MULTIBUY", our_gs_id="ACMEFOODS")
    x = X12Settings(**base, their_ids=["14:0614141000001", ["08", "9254110000"], "ZZ:A:B"], our_ids=["ZZ:ORDERBRIDGE"])
    assert x.their_ids == (DIVISION, VAN, ("ZZ", "A:B")) and x.our_ids == (OUR_ZZ,)
    assert X12Settings(**base).their_ids == () == X12Settings(**base).our_ids  # the default: one pair each
    assert X12Settings.model_validate(x.model_dump()) == x  # written back (a list of pairs), it loads alike
    assert x.sends_from(*MAIN) and x.sends_from(*DIVISION) and x.sends_from(*VAN) and not x.sends_from("ZZ", "OTHER")
    assert x.writes_to(*OURS) and x.writes_to(*OUR_ZZ) and not x.writes_to("14", "123456789")
    for bad in (["Z:MULTIBUY"], ["ZZMULTIBUY"], ["ZZ:"], ["zz:MULTI"], ["ZZ: MULTI"], ["ZZ:" + "X" * 16],
                [["ZZ"]], [["ZZ", "A", "B"]], [12], "ZZ:MULTIBUY"):
        with pytest.raises(ValidationError, match="their_ids"):
            X12Settings(**base, their_ids=bad)
    with pytest.raises(ValidationError, match="our_ids"):
        X12Settings(**base, our_ids=["01:123456789 "])


def test_partner_check_holds_each_other_id_to_the_interchange_rules():
    """`orderbridge partner check`: a listed qualifier that is no ISA05/ISA07 code, an id holding a delimiter."""
    from rules.partner_check import check_profile

    assert check_profile(profile()) == []
    found = check_profile(profile(their_ids=(("QQ", "MULTI"), ("14", "06*14"))))
    assert [m for m in found if "their_ids QQ:MULTI 'QQ' is not an interchange id qualifier" in m]
    assert [m for m in found if "their_ids 14:06*14 '06*14' contains a delimiter" in m]
    assert [m for m in check_profile(profile(our_ids=(("QQ", "US"),))) if "our_ids QQ:US" in m]


# --- intake --------------------------------------------------------------------------------------------------------
def _interchange(name: str):
    [ic] = read_interchanges((FIXTURES / "drops" / "multi" / name).read_bytes()).interchanges
    return ic


def test_an_interchange_from_a_listed_id_or_to_one_of_ours_is_the_partners():
    from engine.process import partner_checks

    division, to_our_zz = _interchange("multi-850-7002.x12"), _interchange("multi-850-7003.x12")
    assert partner_checks(division, profile()) == [] == partner_checks(to_our_zz, profile())
    # without the lists, as before: the other sender is refused, the other id of ours unknown
    assert [f.code for f in partner_checks(division, profile(their_ids=()))] == ["PARTNER_SENDER_MISMATCH"]
    assert [f.code for f in partner_checks(to_our_zz, profile(our_ids=()))] == ["ISA_RECEIVER_UNKNOWN"]
    [stranger] = partner_checks(_interchange("multi-850-7004.x12"), profile())
    assert (stranger.code, stranger.location.element, stranger.location.value) == (
        "PARTNER_SENDER_MISMATCH", "ISA06", "STRANGER")
    [unknown] = partner_checks(_interchange("multi-850-7005.x12"), profile())
    assert (unknown.code, unknown.location.value) == ("ISA_RECEIVER_UNKNOWN", "NOTUS")


def test_every_po_from_a_listed_id_is_taken_and_an_unlisted_sender_is_still_quarantined(night):
    from connectors.state import StateStore

    ws, found, states = night
    assert states == {("multi", po): "invoiced" for po in ("MS-100", "MS-101", "MS-200", "MS-300")}
    errors = sorted((code, message) for code, severity, _po, message in found if severity == "error")
    assert errors == [
        ("ISA_RECEIVER_UNKNOWN", "ISA07/08 ZZ/NOTUS is not us (01/123456789, ZZ/ORDERBRIDGE)."),
        ("PARTNER_SENDER_MISMATCH", "ISA05/06 ZZ/STRANGER is not partner multi (ZZ/MULTIBUY, 14/0614141000001, "
                                    "08/9254110000).")]
    state = StateStore(ws.state_path)
    try:
        files = {f["name"]: f["status"] for f in state.files("multi")}
    finally:
        state.close()
    assert files["multi-850-7004.x12"] == "quarantined"
    assert {files[f"multi-850-700{n}.x12"] for n in (1, 2, 3)} | {files["multi-860-7101.x12"]} == {"processed"}
    # the stranger is answered nothing; the interchange to an id not ours gets its TA1 R from our own id
    assert not [s for kind in ("TA1", "997") for s in sent(ws, kind) if s[1] == ("ZZ", "STRANGER")]
    assert addresses(ws, "TA1")["000007005"] == (OURS, MAIN)


def test_a_file_read_in_batches_addresses_its_ta1_and_997_as_the_whole_file_does():
    from schemas.x12 import Address
    from tests.test_intake_batches import _batched_file, _whole_file

    for name, to in (("multi-850-7002.x12", Address(*DIVISION)),
                     ("multi-850-7003.x12", Address(isa_sender_qualifier="ZZ", isa_sender_id="ORDERBRIDGE"))):
        data = (FIXTURES / "drops" / "multi" / name).read_bytes()
        whole = [(d.doc_type, d.to) for o in _whole_file(data, profile()) for d in o.documents]
        assert whole == [(d.doc_type, d.to) for o in _batched_file(data, profile(), max_sets=1)[0] for d in o.documents]
        assert whole == [("TA1", to), ("997", to)]


# --- answers -------------------------------------------------------------------------------------------------------
def test_each_interchanges_ta1_and_997_go_to_the_id_that_wrote_from_the_id_it_wrote_to(night):
    ws, _found, _states = night
    assert addresses(ws, "997") == {"7001": (OURS, MAIN), "7002": (OURS, DIVISION), "7003": (OUR_ZZ, MAIN),
                                    "7101": (OURS, VAN)}
    assert addresses(ws, "TA1") == {"000007001": (OURS, MAIN), "000007002": (OURS, DIVISION),
                                    "000007003": (OUR_ZZ, MAIN), "000007005": (OURS, MAIN),
                                    "000007101": (OURS, VAN)}
    assert {gs for kind in ("997",) for _o, _t, gs, _n, _k in sent(ws, kind)} == {GS}  # GS ids unchanged


@pytest.mark.parametrize("kind, expected", [
    ("855", {"MS-100": (OURS, MAIN), "MS-101": (OURS, MAIN), "MS-200": (OURS, DIVISION), "MS-300": (OUR_ZZ, MAIN)}),
    # MS-101's 860 came from the partner's new VAN id: its 865, and its 856 and 810 after it, go there
    ("865", {"MS-101": (OURS, VAN)}),
    ("856", {"MS-SHP-100": (OURS, MAIN), "MS-SHP-101": (OURS, VAN), "MS-SHP-200": (OURS, DIVISION),
             "MS-SHP-300": (OUR_ZZ, MAIN)}),
    ("810", {"MS-100": (OURS, MAIN), "MS-101": (OURS, VAN), "MS-200": (OURS, DIVISION), "MS-300": (OUR_ZZ, MAIN)}),
])
def test_each_orders_855_865_856_and_810_go_to_the_id_its_po_came_from_from_the_id_it_was_sent_to(
        night, kind, expected):
    """Before: every document to ZZ/MULTIBUY from 01/123456789 (the profile's pair), so the division's PO was
    answered to the main id and the PO written to our ZZ id from our DUNS. The GS ids stay the profile's; with
    delivery.batch = "run" no interchange holds documents for two addresses (MS-100 and MS-101 share one)."""
    ws, _found, _states = night
    got = sent(ws, kind)
    assert addresses(ws, kind) == expected
    assert {gs for _o, _t, gs, _n, _k in got} == {GS}
    by_interchange: dict[str, set] = {}
    for ours, theirs, _gs, isa13, _key in got:
        by_interchange.setdefault(isa13, set()).add((ours, theirs))
    assert all(len(v) == 1 for v in by_interchange.values())


def test_orders_keep_the_interchange_ids_they_came_from_and_an_860_moves_them_to_its_own(night):
    from connectors.state import StateStore

    ws, _found, _states = night
    state = StateStore(ws.state_path)
    try:
        kept = {o.po_number: ((o.isa05, o.isa06), (o.isa07, o.isa08)) for o in state.orders()}
        asked = ("MULTIBUY", "ACMEFOODS", *MAIN, *OURS)
        assert state.buyer_gs_ids({"multi": asked}) == {
            ("multi", "MS-101"): (*GS[::-1], *VAN, *OURS), ("multi", "MS-200"): (*GS[::-1], *DIVISION, *OURS),
            ("multi", "MS-300"): (*GS[::-1], *MAIN, *OUR_ZZ)}
        assert state.buyer_gs_ids({"multi": asked[:2]}) == {}  # asked by GS ids alone: as before
        events = [(e["event"], e["note"]) for e in state.order_history("multi", "MS-101")]
    finally:
        state.close()
    assert kept == {"MS-100": (MAIN, OURS), "MS-101": (VAN, OURS), "MS-200": (DIVISION, OURS),
                    "MS-300": (MAIN, OUR_ZZ)}
    assert ("change_received", "860 change received in multi-860-7101.x12") in events


def test_an_order_from_an_id_taken_out_of_the_profile_is_answered_at_the_profiles_own():
    """After a VAN move ops take the old id out of their_ids: the open orders it sent are answered at
    their_qualifier/their_id from then on, not at a mailbox the partner left; an id of ours taken out of our_ids
    is written from no more either. The GS ids an order keeps are answered as before."""
    from engine.envelope import order_address
    from engine.lifecycle import batch_documents
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
    from schemas.x12 import Address

    kept = (*GS[::-1], *DIVISION, *OUR_ZZ)
    assert order_address(profile(), kept) == Address(*DIVISION, isa_sender_qualifier="ZZ",
                                                     isa_sender_id="ORDERBRIDGE")
    assert order_address(profile(their_ids=(VAN,)), kept) == Address(isa_sender_qualifier="ZZ",
                                                                     isa_sender_id="ORDERBRIDGE")
    assert order_address(profile(their_ids=(VAN,), our_ids=()), kept) is None
    assert order_address(profile(their_ids=(), our_ids=()), ("OTHERBUYER", "ACMEFOODS", *DIVISION, *OURS)) == \
        Address(gs_id="OTHERBUYER")
    assert order_address(profile(), (*GS[::-1], *MAIN, *OURS)) is None and order_address(profile(), GS[::-1]) is None

    def ack(po: str) -> PlannedDocument:
        return PlannedDocument("multi", "855", "PR", (PlannedSet(f"855:{po}:1", (("BAK", "00", "AD", po),), po),))

    plan = Plan(documents=(ack("MS-100"), ack("MS-200"), ack("MS-201")))
    out = batch_documents(plan, {"multi": profile()}, {("multi", "MS-200"): kept, ("multi", "MS-201"): kept})
    assert [(d.to, [s.po_number for s in d.sets]) for d in out.documents] == [
        (None, ["MS-100"]), (Address(*DIVISION, isa_sender_qualifier="ZZ", isa_sender_id="ORDERBRIDGE"),
                             ["MS-200", "MS-201"])]


def test_a_shipment_for_pos_from_two_interchange_ids_is_held_not_sent_to_the_first():
    """One 856 goes to one ISA08 from one ISA06: a shipment holding MS-100 (from the main id) and MS-200 (from the
    division's) is SHIPMENT_BUYERS_MIXED, as one for two GS addresses is."""
    import pyarrow as pa

    from engine.lifecycle.ship_checks import buyers_mixed, order_addresses
    from schemas.lifecycle import OrderRecord, OrderState

    records = {("multi", po): OrderRecord("multi", po, OrderState.ACKNOWLEDGED, gs02="MULTIBUY", gs03="ACMEFOODS",
                                          isa05=q, isa06=i, isa07="01", isa08="123456789")
               for po, (q, i) in (("MS-100", MAIN), ("MS-200", DIVISION))}
    found = order_addresses(records, {"multi": profile()})
    assert found == {("multi", "MS-200"): ("MULTIBUY", "ACMEFOODS", *DIVISION, *OURS)}
    assert order_addresses(records, {"multi": profile(their_ids=(), our_ids=())}) == {}
    lines = pa.table({"shipment_id": ["S1", "S1"], "partner": ["multi"] * 2, "po_number": ["MS-100", "MS-200"],
                      "source_file": ["f.csv"] * 2, "isa13": [None] * 2, "gs06": [None] * 2, "st02": [None] * 2})
    [(row, f)] = buyers_mixed(lines, found, {"multi": profile()})
    assert (row, f.code) == (0, "SHIPMENT_BUYERS_MIXED") and "interchange to 14/0614141000001" in f.message


def test_a_held_document_keeps_the_id_of_ours_it_is_sent_from_and_the_renderer_writes_it():
    from connectors.state import _held_content, _held_document
    from flows.documents import renderer
    from schemas.lifecycle import PlannedDocument, PlannedSet
    from schemas.x12 import Address

    body = (("AK1", "PO", "7003"), ("AK9", "A", "1", "1", "1"))
    for to in (Address(isa_sender_qualifier="ZZ", isa_sender_id="ORDERBRIDGE"),
               Address(*DIVISION, "B", "C", "004010", "00401", "ZZ", "ORDERBRIDGE"), Address(*VAN)):
        doc = PlannedDocument("multi", "997", "FA", (PlannedSet("k", body),), to=to)
        assert _held_document("multi", _held_content(doc)) == doc
    doc = PlannedDocument("multi", "997", "FA", (PlannedSet("k", body),), to=Address(
        *DIVISION, isa_sender_qualifier="ZZ", isa_sender_id="ORDERBRIDGE"))
    _name, content = renderer({"multi": profile()}, NIGHT)(doc, 7, 7, [1])
    isa, gs = (s.split("*") for s in content.decode().split("~")[:2])
    assert (isa[5], isa[6], isa[7], isa[8], gs[2], gs[3]) == ("ZZ", "ORDERBRIDGE    ", "14", "0614141000001  ", *GS)


# --- the store -----------------------------------------------------------------------------------------------------
def test_a_version_23_store_keeps_its_orders_and_gets_their_interchange_ids(store_target):
    """On both back ends: a store before ISA_IDS (orders without isa05-isa08) gets the columns; an order recorded
    before has none (its documents go to the profile's pair, from ours, as before), one recorded after keeps its
    own, which buyer_gs_ids names when asked with the profile's interchange ids."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import ISA_IDS, LATEST, WRITE_VERSIONS

    target = store_target()
    store = StateStore(target)
    insert = ("INSERT INTO orders (partner, po_number, state, revision, answered_revision, gs02, gs03{}) VALUES"
              " ('multi', ?, 'received', 1, 0, 'MULTIBUY', 'ACMEFOODS'{})")
    with store.transaction():  # what a version 23 store looks like, with an order it took
        for table, column, _ in COLUMNS_ADDED_IN[ISA_IDS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q(insert.format("", ""), ("MS-1",))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(WRITE_VERSIONS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == ISA_IDS + 16 == WRITE_VERSIONS + 17
        assert {"isa05", "isa06", "isa07", "isa08"} <= set(store._columns("orders"))
        with store.transaction():
            store._q(insert.format(", isa05, isa06, isa07, isa08", ", ?, ?, ?, ?"), ("MS-2", *DIVISION, *OURS))
            store._q(insert.format(", isa05, isa06, isa07, isa08", ", ?, ?, ?, ?"), ("MS-3", *MAIN, *OURS))
        old, new = store.order("multi", "MS-1"), store.order("multi", "MS-2")
        assert (old.isa05, old.isa06, old.isa07, old.isa08) == ("", "", "", "")
        assert (new.isa05, new.isa06, new.isa07, new.isa08) == (*DIVISION, *OURS)
        asked = {"multi": ("MULTIBUY", "ACMEFOODS", *MAIN, *OURS)}
        assert store.buyer_gs_ids(asked) == {("multi", "MS-2"): ("MULTIBUY", "ACMEFOODS", *DIVISION, *OURS)}
        assert store.buyer_gs_ids(asked, {"multi": ["MS-1", "MS-3"]}) == {}
        assert store.buyer_gs_ids({"multi": ("MULTIBUY", "ACMEFOODS")}) == {}
    finally:
        store.close()
