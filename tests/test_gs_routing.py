"""Answering each buyer at the address it wrote from. An e-procurement network (SAP Ariba, Coupa, GHX) or a
retailer's VAN sends many buyers' POs under ONE interchange sender id (ISA06) and tells the buyers apart by GS02
(Ariba: the buyer's ANID); it routes what we send by GS03. tests/fixtures/gsroute: two such networks (``network``
one interchange per document, ``netrun`` one per document type and run), each sending one file with a group from
buyer A (the profile's their_gs_id, AN01000012345: PO -100) and a group from buyer B (AN01000067890: POs -200 and
-201) under one ISA06; the east DC ships -100, -200 and (netrun) -201."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from parsers.x12_reader import read_interchanges
from tests.retailer_support import on_demo, shipped_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "gsroute"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)
A, B = "AN01000012345", "AN01000067890"
US = "123456789"  # our GS id (the networks' profiles' our_gs_id, the GS03 they write to)
HEADS = {"AK1": 2, "BAK": 3, "BSN": 2, "BIG": 4}  # the element naming what a set answers: GS06, PO, shipment, PO


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("gsroute") / "ws"
    return shipped_night(on_demo(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def sent(ws, partner: str, kind: str) -> list[tuple[str, str, str, str, str, str]]:
    """Every transaction set of ``partner``'s ``kind`` documents in its outbox (each file read back by our
    reader without an error): (ISA08, ISA13, GS03, GS06, ST02, what it answers: AK102 / BAK03 / BSN02 / BIG04)."""
    out = []
    for p in sorted((ws.drop_root / partner / "outbox").glob(f"{partner}-{kind}-*.x12")):
        parsed = read_interchanges(p.read_bytes())
        assert parsed.interchanges and not [f for f in parsed.findings if f.severity == "error"], p.name
        isa = gs = st = None
        for seg in (s.split("*") for s in p.read_text().replace("\n", "").split("~") if s):
            if seg[0] == "ISA":
                isa = seg
            elif seg[0] == "GS":
                assert seg[2] == "123456789", p.name
                gs = seg
            elif seg[0] == "ST":
                st = seg
            elif seg[0] in HEADS:
                key = seg[HEADS[seg[0]]]
                out.append((isa[8].strip(), isa[13], gs[3], gs[6], st[2], key))
    return out


@pytest.mark.parametrize("partner", ["network", "netrun"])
def test_each_997_answers_its_group_at_the_groups_gs02(night, partner):
    """X12: a functional acknowledgment is addressed to the sender of the group it acknowledges (its GS03 is
    that group's GS02). The file's two groups, one per buyer, are answered each to its own buyer."""
    ws, _found, _states = night
    acks = sent(ws, partner, "997")
    assert {isa08 for isa08, *_ in acks} == {"NETWORKEDI" if partner == "network" else "NETRUNEDI"}
    assert sorted((ak102, gs03) for _i, _n, gs03, _g, _s, ak102 in acks) == [("4411", A), ("4412", B)]


def _profile(pid: str):
    from schemas.profile import load_profiles

    return load_profiles(FIXTURES / "partners")[pid]


def test_a_file_read_in_batches_addresses_its_997s_as_the_whole_file_does():
    """A large interchange is read a few sets at a time (engine.process_batches): its 997s go to the same
    buyers as when it is read whole, TA1 to the interchange's sender (the profile's ISA06: None)."""
    from tests.test_intake_batches import _batched_file, _whole_file

    data = (FIXTURES / "drops" / "network" / "network-850-4412.x12").read_bytes()
    profile = _profile("network")
    whole = [(d.doc_type, d.to) for o in _whole_file(data, profile) for d in o.documents]
    batched = [(d.doc_type, d.to) for o in _batched_file(data, profile, max_sets=1)[0] for d in o.documents]
    assert whole == batched
    assert [(t, to and to.gs_id) for t, to in whole] == [("TA1", None), ("997", None), ("997", B)]
    mismatch = [[(f.location.isa13, f.location.gs06, f.location.file_segment, f.location.value) for o in outs
                 for f in o.findings if f.code == "GS_ID_MISMATCH"]
                for outs in (_whole_file(data, profile), _batched_file(data, profile)[0])]
    assert [m for outs in mismatch for m in outs] == [("000004412", "4412", 12, B)] * 2


def test_a_held_document_keeps_the_buyer_it_goes_to():
    """A document no delimiter set fits is stored held (unnumbered) and rendered by a later delivery: it is
    rendered then to the buyer it answers, not to the profile's GS id."""
    from connectors.state import _held_content, _held_document
    from schemas.lifecycle import PlannedDocument, PlannedSet
    from schemas.x12 import Address

    doc = PlannedDocument("network", "997", "FA", (PlannedSet("997:s:1:2:0", (("AK1", "PO", "2"),)),),
                          to=Address(gs_id=B))
    assert _held_document("network", _held_content(doc)) == doc
    plain = PlannedDocument("network", "997", "FA", (PlannedSet("997:s:1:2:0", (("AK1", "PO", "2"),)),))
    assert _held_content(plain) == _held_content(plain).replace(b', "to"', b"")  # no key when the profile's
    assert _held_document("network", _held_content(plain)) == plain


def test_the_renderer_writes_the_buyers_gs03_and_isa08():
    from flows.documents import renderer
    from schemas.lifecycle import PlannedDocument, PlannedSet
    from schemas.x12 import Address

    profile = _profile("network")
    body = (("AK1", "PO", "4412"), ("AK9", "A", "2", "2", "2"))
    render = renderer({"network": profile}, NIGHT)
    for to, isa08, gs03 in ((None, "NETWORKEDI     ", A), (Address(gs_id=B), "NETWORKEDI     ", B),
                            (Address("ZZ", "OTHERNET", B), "OTHERNET       ", B)):
        _name, content = render(PlannedDocument("network", "997", "FA", (PlannedSet("k", body),), to=to), 7, 7, [1])
        isa, gs = content.decode().split("~")[:2]
        assert isa.split("*")[8] == isa08 and gs.split("*")[3] == gs03


WHO = {"network": {"855": {"NW-100": A, "NW-200": B, "NW-201": B}, "856": {"NW-SHP-01": A, "NW-SHP-02": B},
                   "810": {"NW-100": A, "NW-200": B}},
       "netrun": {"855": {"NR-100": A, "NR-200": B, "NR-201": B},
                  "856": {"NR-SHP-01": A, "NR-SHP-02": B, "NR-SHP-03": B},
                  "810": {"NR-100": A, "NR-200": B, "NR-201": B}}}


def test_orders_keep_the_gs02_they_came_from_and_move_as_usual(night):
    from connectors.state import StateStore

    ws, found, states = night
    assert not [f for f in found if f[1] == "error"]
    assert {k: v for k, v in states.items() if k[0] in WHO} == {
        **{("network", po): "invoiced" for po in ("NW-100", "NW-200")}, ("network", "NW-201"): "acknowledged",
        **{("netrun", po): "invoiced" for po in ("NR-100", "NR-200", "NR-201")}}
    state = StateStore(ws.state_path)
    try:
        kept = {o.key: o.gs02 for o in state.orders() if o.partner in WHO}
        assert state.buyer_gs_ids({"network": (A, US), "netrun": (A, US)}) == {
            k: (B, US) for k, v in kept.items() if v == B}
    finally:
        state.close()
    assert kept == {("network", "NW-100"): A, ("network", "NW-200"): B, ("network", "NW-201"): B,
                    ("netrun", "NR-100"): A, ("netrun", "NR-200"): B, ("netrun", "NR-201"): B}


@pytest.mark.parametrize("partner", ["network", "netrun"])
@pytest.mark.parametrize("kind", ["855", "856", "810"])
def test_each_orders_855_856_and_810_go_to_its_own_buyer(night, partner, kind):
    """The 855, 856 and 810 of buyer B's orders carry GS03 AN01000067890 (before: the profile's their_gs_id, buyer
    A's: the network delivered B's documents to A); ISA08 stays the network's id. Each file is read back by our
    reader; no interchange (ISA13) holds documents for two buyers."""
    ws, _found, _states = night
    got = sent(ws, partner, kind)
    assert {key: gs03 for _isa08, _n, gs03, _g, _s, key in got} == WHO[partner][kind]
    assert {isa08 for isa08, *_ in got} == {"NETWORKEDI" if partner == "network" else "NETRUNEDI"}
    by_interchange: dict[str, set[str]] = {}
    for _isa08, isa13, gs03, *_ in got:
        by_interchange.setdefault(isa13, set()).add(gs03)
    assert all(len(v) == 1 for v in by_interchange.values())
    if partner == "netrun" and kind != "856":  # one interchange per type and run: one per buyer
        assert sorted(map(sorted, by_interchange.values())) == [[A], [B]]
    if partner == "network":  # one interchange per set, as before
        assert len(by_interchange) == len(got)


@pytest.mark.parametrize("partner", ["network", "netrun"])
def test_control_numbers_stay_unique_across_buyers(night, partner):
    ws, _found, _states = night
    isa13s = [isa13 for kind in ("997", "855", "856", "810") for isa13 in
              {n for _i, n, *_ in sent(ws, partner, kind)}]
    files = list((ws.drop_root / partner / "outbox").glob("*.x12"))
    assert len(isa13s) == len(set(isa13s)) == len(files) - sum(f.name.startswith(f"{partner}-TA1") for f in files)


def test_a_version_14_store_keeps_its_orders_and_gets_their_gs02(store_target):
    """On both back ends: a store before BUYER_GS_IDS (orders without gs02) gets the column; an order recorded
    before has none (its documents go to the profile's GS id, as before), an order recorded after keeps its own."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import (
        BILLED_WEIGHTS,
        BUYER_GS_IDS,
        LATEST,
        ORDER_TYPES,
        OUR_GS_IDS,
        RETAKES,
        RETURNED_SERIALS,
        SERIALS,
        SHIPMENT_METHODS,
        SUBSTITUTES,
    )

    target = store_target()
    store = StateStore(target)
    insert = ("INSERT INTO orders (partner, po_number, state, revision, answered_revision{}) VALUES"
              " ('network', ?, 'received', 1, 0{})")
    with store.transaction():  # what a version 14 store looks like, with an order it took
        for index in ("orders_contract", "orders_agreement"):  # version 36's, on a column version 21 added
            store._q(f"DROP INDEX {index}")
        for table, column, _ in (COLUMNS_ADDED_IN[BUYER_GS_IDS] + COLUMNS_ADDED_IN[OUR_GS_IDS]
                                  + COLUMNS_ADDED_IN[ORDER_TYPES] + COLUMNS_ADDED_IN[SHIPMENT_METHODS]):
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("DROP TABLE shipped_serials")
        store._q("DROP TABLE returned_serials")
        store._q("DROP TABLE file_takes")
        store._q(insert.format("", ""), ("NW-1",))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(BILLED_WEIGHTS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == ORDER_TYPES + 19 == RETAKES + 20 == OUR_GS_IDS + 21 \
            == RETURNED_SERIALS + 22 == SUBSTITUTES + 23 == SERIALS + 24 == BUYER_GS_IDS + 25 == BILLED_WEIGHTS + 26
        assert "gs02" in store._columns("orders")
        with store.transaction():
            store._q(insert.format(", gs02", ", ?"), ("NW-2", B))
        assert store.order("network", "NW-1").gs02 == ""
        assert store.order("network", "NW-2").gs02 == B
        assert store.buyer_gs_ids({"network": (A, US)}) == {("network", "NW-2"): (B, "")}
        assert store.buyer_gs_ids({"network": (B, US)}) == {}
    finally:
        store.close()


def test_a_document_whose_buyer_gs_id_holds_its_delimiter_is_held_not_written_broken():
    """A planner renders an 855/856/810 with the first delimiter set the profile's envelope leaves free; a buyer's
    GS02 holding one of that set's characters (read from an interchange with other delimiters) would break the
    GS segment: the document is held with OUTBOUND_DELIMITERS_EXHAUSTED instead (as a value that collides)."""
    from engine.envelope import envelope_for
    from flows.documents import holder
    from schemas.lifecycle import PlannedDocument, PlannedSet
    from schemas.x12 import Address

    profile = _profile("network")
    d = envelope_for(profile).candidates[0]
    text = f"BAK{d.element}00{d.element}AD{d.element}NW-1{d.element}20261125{d.segment}"
    doc = PlannedDocument("network", "855", "PR", (PlannedSet("855:NW-1:1", po_number="NW-1", text=text, segments=1),),
                          delimiters=d)
    hold = holder({"network": profile}, stage="decide")
    assert hold(doc) is None and hold(replace(doc, to=Address(gs_id=B))) is None
    held = hold(replace(doc, to=Address(gs_id=f"AN{d.element}0100")))
    assert held is not None and held.finding.code == "OUTBOUND_DELIMITERS_EXHAUSTED"


def test_a_gs02_the_profile_does_not_list_is_taken_with_a_warning_and_answered_to_itself(night):
    """[x12] their_gs_ids lists a network's other buyers: a group from a GS02 on neither list is taken (X12 leaves
    GS02 to the trading partners: refusing it would lose a valid order) with GS_ID_MISMATCH, a warning naming the
    GS02, and answered to that GS02 as any other (the 997 and documents tests above). A listed GS02 gets none."""
    from connectors.state import StateStore

    ws, found, _states = night
    assert {(c, s, p) for c, s, p in found if c == "GS_ID_MISMATCH"} == {("GS_ID_MISMATCH", "warning", "")}
    state = StateStore(ws.state_path)
    try:
        [f] = [f for f in state.findings() if f["code"] == "GS_ID_MISMATCH"]
    finally:
        state.close()
    assert f["partner"] == "network" and f["gs06"] == "4412" and f["element"] == "GS02" and f["value"] == B
    assert B in f["message"] and "their_gs_ids" in f["message"]


def test_a_profile_without_their_gs_ids_does_not_compare_gs02():
    from engine.process import partner_checks

    parsed = read_interchanges((FIXTURES / "drops" / "network" / "network-850-4412.x12").read_bytes())
    profile = _profile("network")
    [ic] = parsed.interchanges
    assert [(f.code, f.location.gs06) for f in partner_checks(ic, profile)] == [("GS_ID_MISMATCH", "4412")]
    assert partner_checks(ic, profile.model_copy(update={"x12": profile.x12.model_copy(
        update={"their_gs_ids": ()})})) == []
    assert partner_checks(ic, profile.model_copy(update={"x12": profile.x12.model_copy(
        update={"their_gs_ids": (B,)})})) == []


def test_a_packed_855_interchange_is_cut_per_buyer_and_865s_are_addressed_too():
    """The decide planner packs a partner's rendered 855s itself (delivery.batch = "run"): addressed_documents
    cuts such a document into one per buyer (each keeps its delimiters and its sets' order; the first buyer's
    stays in place), and addresses segment-form 865s, which batch_documents then packs per buyer."""
    from engine.envelope import envelope_for
    from engine.lifecycle import batch_documents
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
    from schemas.x12 import Address

    profile = _profile("netrun")
    d = envelope_for(profile).candidates[0]

    def rendered(po: str) -> PlannedSet:
        return PlannedSet(f"855:{po}:1", po_number=po, text=f"BAK{d.element}00{d.segment}", segments=1)

    def change(po: str) -> PlannedDocument:
        return PlannedDocument("netrun", "865", "CA", (PlannedSet(f"865:{po}:1", (("BCA", "01", "AC", po),), po),))

    packed = PlannedDocument("netrun", "855", "PR", tuple(map(rendered, ["NR-100", "NR-200", "NR-101", "NR-201"])),
                             delimiters=d)
    plan = Plan(documents=(packed, change("NR-200"), change("NR-100"), change("NR-201")))
    buyers = {("netrun", "NR-200"): (B, US), ("netrun", "NR-201"): (B, US)}
    out = batch_documents(plan, {"netrun": profile}, buyers)
    assert [(doc.doc_type, doc.to and doc.to.gs_id, [s.po_number for s in doc.sets], doc.delimiters == d)
            for doc in out.documents] == [
        ("855", None, ["NR-100", "NR-101"], True), ("855", B, ["NR-200", "NR-201"], True),
        ("865", B, ["NR-200", "NR-201"], False), ("865", None, ["NR-100"], False)]
    assert out.documents[1].to == Address(gs_id=B)
    alone = batch_documents(plan, {"netrun": profile})  # every order from the profile's GS id: as before
    assert alone == batch_documents(plan, {"netrun": profile}, {})
    assert [(doc.doc_type, doc.to, len(doc.sets)) for doc in alone.documents] == [("855", None, 4), ("865", None, 3)]


FOODS, HOME = "ACMEFOODS", "ACMEHOME"  # our two application ids the divisions partner writes to (GS03)


def sent_from(ws, partner: str, kind: str) -> list[tuple[str, str, str, str]]:
    """(ISA13, GS02, GS03, what it answers) of every transaction set of ``partner``'s ``kind`` documents."""
    out = []
    for p in sorted((ws.drop_root / partner / "outbox").glob(f"{partner}-{kind}-*.x12")):
        assert not [f for f in read_interchanges(p.read_bytes()).findings if f.severity == "error"], p.name
        isa = gs = None
        for seg in (s.split("*") for s in p.read_text().replace("\n", "").split("~") if s):
            if seg[0] in ("ISA", "GS"):
                isa, gs = (seg, gs) if seg[0] == "ISA" else (isa, seg)
            elif seg[0] in HEADS:
                out.append((isa[13], gs[2], gs[3], seg[HEADS[seg[0]]]))
    return out


def test_each_997_is_sent_from_the_gs03_its_group_was_sent_to(night):
    """X12 997 note: the acknowledgment's GS takes the acknowledged group's application sender and receiver codes
    exchanged. A buyer writing to two of our divisions (GS03 ACMEFOODS, the profile's our_gs_id, and ACMEHOME) gets
    each group's 997 from the id it wrote to (before: both from ACMEFOODS, the profile's)."""
    ws, found, _states = night
    acks = sent_from(ws, "divisions", "997")
    assert sorted((ak102, gs02, gs03) for _n, gs02, gs03, ak102 in acks) == [
        ("5501", FOODS, "DIVBUYER"), ("5502", HOME, "DIVBUYER")]
    assert not [f for f in found if f[0] == "GS_ID_MISMATCH" and f[2].startswith("DV-")]


def test_a_gs03_the_profile_does_not_list_is_taken_with_a_warning_only_with_our_gs_ids():
    """[x12] our_gs_ids lists our other application ids: a group to a GS03 on neither is taken (X12 leaves the
    application codes to the trading partners) with GS_ID_MISMATCH on GS03; without the list GS03 is not compared."""
    from engine.process import partner_checks

    data = (FIXTURES / "drops" / "divisions" / "divisions-850-5501.x12").read_bytes()
    [ic] = read_interchanges(data).interchanges
    profile = _profile("divisions")
    assert partner_checks(ic, profile) == []

    def listing(ours):
        return profile.model_copy(update={"x12": profile.x12.model_copy(update={"our_gs_ids": ours})})

    found = partner_checks(ic, listing(("ACMEGARDEN",)))
    assert [(f.code, f.location.gs06, f.location.element, f.location.value) for f in found] == [
        ("GS_ID_MISMATCH", "5502", "GS03", HOME)]
    assert "our_gs_ids" in found[0].message and HOME in found[0].message
    assert partner_checks(ic, listing(())) == []


def test_a_997_keeps_our_gs_id_when_read_in_batches_and_when_held():
    """The batched-intake path sends each 997 from the same GS03 as the whole-file path; a held 997 keeps it; the
    renderer writes it as GS02 (and ISA06 stays ours)."""
    from connectors.state import _held_content, _held_document
    from flows.documents import renderer
    from schemas.lifecycle import PlannedDocument, PlannedSet
    from schemas.x12 import Address
    from tests.test_intake_batches import _batched_file, _whole_file

    data = (FIXTURES / "drops" / "divisions" / "divisions-850-5501.x12").read_bytes()
    profile = _profile("divisions")
    whole = [(d.doc_type, d.to) for o in _whole_file(data, profile) for d in o.documents]
    assert whole == [(d.doc_type, d.to) for o in _batched_file(data, profile, max_sets=1)[0] for d in o.documents]
    assert whole == [("TA1", None), ("997", None), ("997", Address(gs_sender=HOME))]
    doc = PlannedDocument("divisions", "997", "FA", (PlannedSet("k", (("AK1", "PO", "5502"),
                                                                      ("AK9", "A", "2", "2", "2"))),),
                          to=Address(gs_sender=HOME))
    assert _held_document("divisions", _held_content(doc)) == doc
    _name, content = renderer({"divisions": profile}, NIGHT)(doc, 7, 7, [1])
    isa, gs = (s.split("*") for s in content.decode().split("~")[:2])
    assert (isa[6].strip(), isa[8].strip(), gs[2], gs[3]) == ("123456789", "DIVBUYER", HOME, "DIVBUYER")


DIVISION = {"855": {"DV-100": FOODS, "DV-101": FOODS, "DV-200": HOME, "DV-201": HOME},
            "856": {"DV-SHP-01": FOODS, "DV-SHP-02": HOME}, "810": {"DV-100": FOODS, "DV-200": HOME}}


@pytest.mark.parametrize("kind", ["855", "856", "810"])
def test_each_orders_855_856_and_810_are_sent_from_the_gs03_it_was_sent_to(night, kind):
    """A PO the buyer sent to our division ACMEHOME (GS03) is answered from ACMEHOME (GS02): its 855, 856 and 810
    (before: all from the profile's our_gs_id ACMEFOODS, the other division; the buyer's system files them under the
    division it did not write to). Each goes to the buyer's GS02 as before; with delivery.batch = "run" each id of
    ours gets its own interchange, none mixes them."""
    ws, _found, _states = night
    got = sent_from(ws, "divisions", kind)
    assert {key: gs02 for _n, gs02, _gs03, key in got} == DIVISION[kind]
    assert {gs03 for _n, _gs02, gs03, _k in got} == {"DIVBUYER"}
    by_interchange: dict[str, set[str]] = {}
    for isa13, gs02, *_ in got:
        by_interchange.setdefault(isa13, set()).add(gs02)
    assert sorted(map(sorted, by_interchange.values())) == [[FOODS], [HOME]]


def test_orders_keep_the_gs03_they_were_sent_to(night):
    from connectors.state import StateStore

    ws, found, states = night
    assert not [f for f in found if f[1] == "error" and f[2].startswith("DV-")]
    assert {k: v for k, v in states.items() if k[0] == "divisions"} == {
        ("divisions", "DV-100"): "invoiced", ("divisions", "DV-200"): "invoiced",
        ("divisions", "DV-101"): "acknowledged", ("divisions", "DV-201"): "acknowledged"}
    state = StateStore(ws.state_path)
    try:
        kept = {o.po_number: (o.gs02, o.gs03) for o in state.orders() if o.partner == "divisions"}
        assert state.buyer_gs_ids({"divisions": ("DIVBUYER", FOODS)}) == {
            ("divisions", "DV-200"): ("DIVBUYER", HOME), ("divisions", "DV-201"): ("DIVBUYER", HOME)}
        assert {o.po_number: o.gs03 for o in state.orders() if o.partner == "network"} == dict.fromkeys(
            ("NW-100", "NW-200", "NW-201"), US)
    finally:
        state.close()
    assert kept == {"DV-100": ("DIVBUYER", FOODS), "DV-101": ("DIVBUYER", FOODS), "DV-200": ("DIVBUYER", HOME),
                    "DV-201": ("DIVBUYER", HOME)}


def test_a_version_18_store_keeps_its_orders_and_gets_their_gs03(store_target):
    """On both back ends: a store before OUR_GS_IDS (orders without gs03) gets the column; an order recorded before
    has none (its documents are sent from the profile's our_gs_id, as before), one recorded after keeps its own."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import LATEST, ORDER_TYPES, OUR_GS_IDS, RETAKES, RETURNED_SERIALS, SHIPMENT_METHODS

    target = store_target()
    store = StateStore(target)
    insert = ("INSERT INTO orders (partner, po_number, state, revision, answered_revision, gs02{}) VALUES"
              " ('divisions', ?, 'received', 1, 0, 'DIVBUYER'{})")
    with store.transaction():  # what a version 18 store looks like, with an order it took
        for index in ("orders_contract", "orders_agreement"):  # version 36's, on a column version 21 added
            store._q(f"DROP INDEX {index}")
        for table, column, _ in (COLUMNS_ADDED_IN[OUR_GS_IDS] + COLUMNS_ADDED_IN[ORDER_TYPES]
                                 + COLUMNS_ADDED_IN[SHIPMENT_METHODS]):
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._q("DROP TABLE file_takes")
        store._q(insert.format("", ""), ("DV-1",))
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(RETURNED_SERIALS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == ORDER_TYPES + 19 == RETAKES + 20 == OUR_GS_IDS + 21 \
            == RETURNED_SERIALS + 22
        assert "gs03" in store._columns("orders")
        with store.transaction():
            store._q(insert.format(", gs03", ", ?"), ("DV-2", HOME))
        assert (store.order("divisions", "DV-1").gs03, store.order("divisions", "DV-2").gs03) == ("", HOME)
        assert store.buyer_gs_ids({"divisions": ("DIVBUYER", FOODS)}) == {("divisions", "DV-2"): ("DIVBUYER", HOME)}
    finally:
        store.close()


def test_a_shipment_for_pos_of_two_addresses_is_held_not_sent_to_the_first(tmp_path):
    """One 856 goes to one GS03 from one GS02. A shipment holding POs of two of a network's buyers (NW-100 from A,
    NW-200 from B), or of POs sent to two of our divisions (DV-101 to ACMEFOODS, DV-201 to ACMEHOME), is held with
    SHIPMENT_BUYERS_MIXED (before: its 856 went to the first PO's buyer, from its division, and the network
    delivered B's ASN to A). The file's other shipment (DV-200 alone) goes as usual."""
    import shutil

    from connectors.state import StateStore
    from tests.retailer_support import on_demo
    from tests.support import deliver_all, run_stages, ship_stages

    ws = on_demo(FIXTURES, tmp_path / "ws", drops={"network": ["network-850-4412.x12"],
                                                    "divisions": ["divisions-850-5501.x12"]})
    run_stages(ws, NIGHT)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    head = (FIXTURES / "shipments" / "east-shipments-20261127.csv").read_text().splitlines()[0]
    rows = ["NW-MIX,2026-11-27,10:40,FDEG,GND,612999000105601,,NW-100,1,SKU-1001,10,EA,NW-M1,52,LB,",
            "NW-MIX,2026-11-27,10:40,FDEG,GND,612999000105601,,NW-200,1,SKU-1002,6,EA,NW-M2,30,LB,",
            "DV-MIX,2026-11-27,11:20,FDEG,GND,612999000105602,,DV-101,1,SKU-1002,6,EA,DV-M1,30,LB,",
            "DV-MIX,2026-11-27,11:20,FDEG,GND,612999000105602,,DV-201,1,SKU-1002,6,EA,DV-M2,30,LB,",
            "DV-SHP-02,2026-11-27,11:25,FDEG,GND,612999000105522,,DV-200,1,SKU-1001,10,EA,DV-C2,52,LB,"]
    (tmp_path / "east-shipments-20261127.csv").write_text("\n".join([head, *rows]) + "\n")
    shutil.copy2(tmp_path / "east-shipments-20261127.csv", inbox)
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    state = StateStore(ws.state_path)
    try:
        mixed = [(f["po_number"], f["severity"], f["message"]) for f in state.findings()
                 if f["code"] == "SHIPMENT_BUYERS_MIXED"]
        states = {o.po_number: o.state.value for o in state.orders()}
    finally:
        state.close()
    assert [(po, sev) for po, sev, _m in mixed] == [("NW-100", "error"), ("DV-101", "error")]
    assert "NW-MIX" in mixed[0][2] and B in mixed[0][2] and "DV-MIX" in mixed[1][2] and HOME in mixed[1][2]
    assert [key for *_x, key in sent(ws, "network", "856")] == []
    assert [(gs02, key) for _n, gs02, _gs03, key in sent_from(ws, "divisions", "856")] == [(HOME, "DV-SHP-02")]
    assert {po: states[po] for po in ("NW-100", "NW-200", "DV-101", "DV-201", "DV-200")} == {
        "NW-100": "acknowledged", "NW-200": "acknowledged", "DV-101": "acknowledged", "DV-201": "acknowledged",
        "DV-200": "invoiced"}


def test_the_buyers_of_named_orders_only_are_read(store_target):
    """On both back ends: a stage asks for the buyers of the orders its documents name (asked_pos), not of every
    order of the partner ever stored (the ship stage read them all again for each confirmation file); an order
    from the profile's buyer and to its id of ours is not named, as without ``pos``."""
    from connectors.state import StateStore
    from engine.lifecycle import asked_buyers, asked_pos
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet

    store = StateStore(store_target())
    try:
        with store.transaction():
            for po, gs02, gs03 in (("NW-1", A, US), ("NW-2", B, US), ("NW-3", B, US), ("NW-4", A, "OTHERID")):
                store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision, gs02, gs03)"
                         " VALUES ('network', ?, 'received', 1, 0, ?, ?)", (po, gs02, gs03))
        everyone = store.buyer_gs_ids({"network": (A, US)})
        assert everyone == {("network", "NW-2"): (B, US), ("network", "NW-3"): (B, US),
                            ("network", "NW-4"): (A, "OTHERID")}
        assert store.buyer_gs_ids({"network": (A, US)}, {"network": ["NW-1", "NW-2", "NW-4", "NW-9"]}) == {
            ("network", "NW-2"): (B, US), ("network", "NW-4"): (A, "OTHERID")}
        assert store.buyer_gs_ids({"network": (A, US)}, {"network": []}) == {}
        assert store.buyer_gs_ids({"network": (A, US)}, {}) == {}
    finally:
        store.close()
    sets = (PlannedSet(doc_key="856:east:S1", po_number="NW-2,NW-5", body=()),
            PlannedSet(doc_key="856:east:S2", po_number="NW-3", body=()))
    plan = Plan(documents=(PlannedDocument(partner="network", doc_type="856", functional_id="SH", sets=sets),
                           PlannedDocument(partner="acme", doc_type="997", functional_id="FA", sets=(
                               PlannedSet(doc_key="997:x", po_number="P-1", body=()),))))
    assert asked_pos(plan, {"network": (A, US)}) == {"network": {"NW-2", "NW-3"}}
    assert asked_pos(plan, asked_buyers(plan, {})) == {}
