"""Answering each buyer at the address it wrote from. An e-procurement network (SAP Ariba, Coupa, GHX) or a
retailer's VAN sends many buyers' POs under ONE interchange sender id (ISA06) and tells the buyers apart by GS02
(Ariba: the buyer's ANID); it routes what we send by GS03. tests/fixtures/gsroute: two such networks (``network``
one interchange per document, ``netrun`` one per document type and run), each sending one file with a group from
buyer A (the profile's their_gs_id, AN01000012345: PO -100) and a group from buyer B (AN01000067890: POs -200 and
-201) under one ISA06; the east DC ships -100, -200 and (netrun) -201."""

from __future__ import annotations

from datetime import datetime

import pytest

from parsers.x12_reader import read_interchanges
from tests.retailer_support import on_demo, shipped_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "gsroute"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)
A, B = "AN01000012345", "AN01000067890"
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
