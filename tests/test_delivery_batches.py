"""Delivery batching is the partner's choice (delivery.batch): one interchange per transaction set, one
per document type and run (856s: per confirmation file), or at most N sets each - for the answers
(855s, 865s), the ship notices (856s) and the invoices (810s). Every choice numbers and stores the
documents in the plan's transaction before a file is written, sends the same transaction sets, and
survives a crash between numbering and writing (the rerun delivers the same bytes, no new numbers).
A set of a packed interchange the outbound check refuses is held alone; `status` and the
reconciliation read each set of a shared interchange as its own."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from connectors.local import LocalDrop
from connectors.state import StateStore
from parsers.x12_reader import read_interchanges
from schemas.profile import load_profiles
from tests.support import SAMPLES, drop_confirmations, make_workspace, run_stages, shipping_workspace

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
CHOICES = ["document", "run", 2]


def workspace(root: Path, batch, make=make_workspace):
    ws = make(root)
    for profile in (ws.root / "partners").glob("*.toml"):
        value = f'"{batch}"' if isinstance(batch, str) else str(batch)
        profile.write_text(profile.read_text() + f"\n[delivery]\nbatch = {value}\n")
    assert {p.delivery.batch for p in load_profiles(ws.root / "partners").values()} == {batch}
    return ws


def second_night(ws) -> None:
    for pid in ("acme", "globex", "initech"):
        for f in (SAMPLES.parent / "drops-day2" / pid).iterdir():
            shutil.copy2(f, ws.drop_root / pid / "inbox" / f.name)


def outbox(ws) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(ws.drop_root.glob("*/outbox/*.x12"))}


def answer_sets(files: dict[str, bytes], types=("855", "865")) -> dict[tuple[str, str], list[str]]:
    """(partner, set id) -> every 855/865 (``types``) transaction set's segments between ST and SE, in
    file order."""
    out: dict[tuple[str, str], list[str]] = {}
    for name, data in files.items():
        partner, doc_type = name.split("-")[:2]
        if doc_type not in types:
            continue
        result = read_interchanges(data)
        assert [f for f in result.findings if f.severity == "error"] == []
        rows = result.segments.elements.to_pylist()
        for _, _, ts in result.transaction_sets():
            out.setdefault((partner, doc_type), []).append("|".join(
                "*".join(r) for r in rows[ts.start + 1:ts.end]))
    return out


def interchanges(files: dict[str, bytes], doc_type: str) -> list[tuple[str, int, list[str]]]:
    """Per interchange of ``doc_type``: (file, sets in its group, their ST02s)."""
    out = []
    for name, data in files.items():
        if name.split("-")[1] != doc_type:
            continue
        result = read_interchanges(data)
        [ic] = result.interchanges
        [group] = ic.groups
        out.append((name, len(group.transactions), [ts.control_number for ts in group.transactions]))
    return out


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    """Two nights (850s, then 860s) for each choice, and each choice's outbox after its first night."""
    out, first = {}, {}
    for batch in CHOICES:
        ws = workspace(tmp_path_factory.mktemp(f"batch-{batch}") / "ws", batch)
        run_stages(ws, NIGHT1)
        first[batch] = outbox(ws)
        second_night(ws)
        run_stages(ws, NIGHT2)
        out[batch] = ws
    return out, first


@pytest.fixture(scope="module")
def nights(two_nights):
    """Two nights (850s, then 860s) for each choice."""
    return two_nights[0]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """Night 1 with the day's confirmations in the warehouses' inboxes (shipped and invoiced by the
    same run), for each choice."""
    out = {}
    for batch in CHOICES:
        ws = shipping(tmp_path_factory.mktemp(f"ship-{batch}") / "ws", batch)
        run_stages(ws, NIGHT1)
        out[batch] = ws
    return out


EXTRA = ("Shipment ID,Ship Date,Ship Time,Carrier,PO Number,PO Line,SKU,Quantity,Unit,Carton ID\n"
         "S1,2026-11-27,14:10,UPSN,ACME-1000,1,SKU-1001,2,EA,C-1\n"
         "S2,2026-11-27,14:10,UPSN,ACME-1000,2,SKU-1003,3,EA,C-2\n")  # two more of acme's shipments, one file


def shipping(root: Path, batch):
    """The demo's confirmations and EXTRA in the warehouses' inboxes."""
    ws = workspace(root, batch, shipping_workspace)
    drop_confirmations(ws)
    (ws.warehouse_drop_root / "east" / "inbox" / "extra.csv").write_text(EXTRA)
    return ws


def strip_st(bodies: list[str]) -> list[str]:
    """Set bodies without their ST segment (ST02 is numbered per interchange), sorted."""
    return sorted(re.sub(r"^ST\*\d+\*\d+\|", "", b) for b in bodies)


def test_every_choice_sends_the_same_transaction_sets(nights):
    sets = {batch: answer_sets(outbox(ws)) for batch, ws in nights.items()}
    base = sets["document"]
    assert sum(len(v) for v in base.values()) >= 8
    for batch in ("run", 2):
        assert set(sets[batch]) == set(base)
        for key, bodies in base.items():
            # the same BAK..CTT / BCA..CTT bodies; ST02 and envelopes are numbered per interchange
            assert strip_st(sets[batch][key]) == strip_st(bodies), (batch, key)


# per fixture: the document types, and those of which a "run" sends one interchange per partner and run
# holding several sets (855s: several POs; 810s: acme's three shipments; 856s: extra.csv's two)
KINDS = {"nights": (("855", "865"), ("855",)), "shipped": (("856", "810"), ("810",))}


@pytest.mark.parametrize("fixture", sorted(KINDS))
def test_interchanges_hold_one_set_per_run_or_at_most_n(fixture, request):
    types, once = KINDS[fixture]
    for batch, ws in request.getfixturevalue(fixture).items():
        files = outbox(ws)
        for doc_type in types:
            found = interchanges(files, doc_type)
            assert found, (batch, doc_type)
            for name, count, st02s in found:
                assert count == len(st02s) >= 1
                if batch == "document":
                    assert count == 1, name
                elif batch == 2:
                    assert count <= 2, name
            if batch == 2 and fixture == "shipped":  # acme's sets fill interchanges of two
                assert max(count for _n, count, _s in found) == 2, doc_type
        if batch == "run":
            state = StateStore(ws.state_path)
            docs = [d for d in state.documents() if d.doc_type in once]
            state.close()
            assert len({(d.partner, d.doc_type, d.run_id) for d in docs}) == len(docs)
            assert any(len(d.st02.split(",")) > 1 for d in docs)  # several sets in one interchange
            if fixture == "shipped":
                assert any(count == 2 for _n, count, _s in interchanges(files, "856"))  # extra.csv's S1 and S2


def test_every_choice_sends_the_same_856s_and_810s(shipped):
    sets = {batch: answer_sets(outbox(ws), ("856", "810")) for batch, ws in shipped.items()}
    base = sets["document"]
    assert {t for _p, t in base} == {"856", "810"} and sum(len(v) for v in base.values()) >= 6
    for batch in ("run", 2):
        assert set(sets[batch]) == set(base)
        for key, bodies in base.items():
            assert strip_st(sets[batch][key]) == strip_st(bodies), (batch, key)


@pytest.mark.parametrize("fixture", sorted(KINDS))
def test_numbers_are_consecutive_and_never_reused(fixture, request):
    for batch, ws in request.getfixturevalue(fixture).items():
        state = StateStore(ws.state_path)
        docs = state.documents()
        used = state.numbers_used()
        state.close()
        for partner in {d.partner for d in docs}:
            mine = [d for d in docs if d.partner == partner and d.isa13]  # X12: a CSV acknowledgment has none
            isa = sorted(int(d.isa13) for d in mine)
            assert isa == list(range(1, len(isa) + 1)) and used[(partner, "ISA")] == len(isa), batch
            st = sorted(int(s) for d in mine for s in d.st02.split(",") if s)
            assert len(st) == len(set(st)) and used[(partner, "ST")] == len(st)


def test_a_choice_gives_the_same_bytes_every_time(tmp_path):
    a, b = workspace(tmp_path / "a", "run"), workspace(tmp_path / "b", "run")
    run_stages(a, NIGHT1)
    run_stages(b, NIGHT1)
    assert outbox(a) == outbox(b) and outbox(a)


@pytest.mark.parametrize("batch,doc_type", [*((b, "855") for b in CHOICES), ("run", "856"), ("run", "810"),
                                             (2, "856"), (2, "810")])
def test_a_crash_between_numbering_and_writing_delivers_the_same_bytes(tmp_path, batch, doc_type, monkeypatch,
                                                                      request):
    """The run dies writing an interchange of ``doc_type`` after another file (856s and 810s: acme's
    packed sets when the choice packs)."""
    make = (lambda root, b: workspace(root, b)) if doc_type == "855" else shipping
    # the uninterrupted night 1 of the same workspace: the module's (two_nights: its outbox before night 2)
    expected = (request.getfixturevalue("two_nights")[1][batch] if doc_type == "855"
                else outbox(request.getfixturevalue("shipped")[batch]))
    if batch != "document" and doc_type != "855":
        assert any(count > 1 for _n, count, _s in interchanges(expected, doc_type))  # packed sets at stake
    ws = make(tmp_path / "ws", batch)
    written = []
    real = LocalDrop.write_many

    def dies(self, folder, files, **kw):  # delivery writes the outbox through write_many, a chunk at a time
        for i, (name, _data) in enumerate(files):
            if folder == "outbox" and f"-{doc_type}-" in name and (written or i):  # after another file
                real(self, folder, files[:i], **kw)
                written.extend(n for n, _d in files[:i])
                raise OSError("power lost while writing the outbox")
        real(self, folder, files, **kw)
        if folder == "outbox":
            written.extend(n for n, _d in files)

    monkeypatch.setattr(LocalDrop, "write_many", dies)
    with pytest.raises(OSError):
        run_stages(ws, NIGHT1)  # numbered and stored, then the run dies part-way through delivery
    state = StateStore(ws.state_path)
    numbers = state.numbers_used()
    pending = [d.file_name for d in state.pending_documents("acme")]
    state.close()
    assert any(f"-{doc_type}-" in name for name in set(pending) - set(written))  # numbered, never written
    monkeypatch.undo()
    run_stages(ws, NIGHT1)  # the rerun: nothing new to read, the pending documents are delivered
    assert outbox(ws) == expected
    state = StateStore(ws.state_path)
    assert state.numbers_used() == numbers  # no number taken twice
    assert [d for p in ws.partners() for d in state.pending_documents(p)] == []
    state.close()
    run_stages(ws, NIGHT1)  # and once more: nothing sent again
    assert outbox(ws) == expected


@pytest.mark.parametrize("located", [True, False])
def test_a_refused_set_of_a_packed_856_is_held_and_the_other_sets_sent(tmp_path, located, shipped):
    """The outbound check refuses S1's 856 inside acme's packed interchange (extra.csv's S1 and S2): by
    (ISA13, ST02) when its finding names them, else found by checking the interchange's sets one by
    one. S1 is held (ASN_NOT_BUILT, nothing shipped); S2 goes out, and SHP-1001 of the other file."""
    from flows import shipments
    from schemas.findings import finding
    from tests.support import ship_stages

    ws = shipping(tmp_path / "ws", "run")
    real = shipments.outbound_check

    def check(data: bytes):
        found = real(data)
        if b"BSN*00*S1*" not in data:
            return found
        if not located:
            return [*found, finding("ASN_NOT_BUILT", "refused by the validator", severity="error")]
        result = read_interchanges(data)
        rows = result.segments.elements.to_pylist()
        for ic, _g, ts in result.transaction_sets():
            if any(r[:3] == ["BSN", "00", "S1"] for r in rows[ts.start:ts.end]):
                found.append(finding("ASN_NOT_BUILT", "refused by the validator", severity="error",
                                     isa13=ic.control_number, st02=ts.control_number))
        return found

    clean = shipped["run"]  # the same workspace's night 1, no set refused
    real_ship = ship_stages
    import tests.support as support

    def ship_checked(ws_, now, *, state=None, ref=None, run_id="s"):
        from connectors.reference import load_reference

        profiles = ws_.partners()
        ref = ref or load_reference(ws_.reference_dir)
        out = [shipments.ship_warehouse(ws_, w, profiles, state, LocalDrop(ws_.warehouse_drop_root / wid), ref,
                                        now=now, run_id=run_id, check=check)
               for wid, w in sorted(ws_.warehouses().items())]
        out.append(shipments.invoice_run(ws_, profiles, state, ref, now=now, run_id=run_id))
        return out

    support.ship_stages = ship_checked
    try:
        run_stages(ws, NIGHT1)
    finally:
        support.ship_stages = real_ship
    state = StateStore(ws.state_path)
    try:
        held = [f for f in state.findings() if f["code"] == "ASN_NOT_BUILT"]
        assert [f["partner"] for f in held] == ["acme"] and "S1" in held[0]["message"]
        assert {"SHP-1001", "S2"} <= {s.shipment_id for s in state.shipments()} and "S1" not in {
            s.shipment_id for s in state.shipments()}
        sent = answer_sets(outbox(ws), ("856",))[("acme", "856")]
        before = answer_sets(outbox(clean), ("856",))[("acme", "856")]
        bsn02 = lambda bodies: sorted(b.split("|")[0].split("*")[2] for b in bodies)  # noqa: E731
        assert bsn02(before) == ["S1", "S2", "SHP-1001"] and bsn02(sent) == ["S2", "SHP-1001"]
        assert any(count == 2 for _n, count, _s in interchanges(outbox(clean), "856"))  # S1 and S2 packed
    finally:
        state.close()


def test_status_and_the_reconciliation_read_each_set_of_a_shared_interchange(shipped):
    from flows.reconcile import load_inputs
    from flows.status import story

    ws = shipped["run"]
    state = StateStore(ws.state_path)
    try:
        docs = {d.id: d for d in state.documents() if d.doc_type in ("856", "810")}
        shared = {i for i, d in docs.items() if "," in d.st02}
        assert {docs[i].doc_type for i in shared} == {"856", "810"}
        # per set: its document, ST02 and key
        sets = {k: (doc_id, st02) for doc_id, k, st02 in state._q(
            "SELECT document_id, doc_key, st02 FROM document_sets WHERE document_id IN"
            f" ({','.join('?' * len(shared))})", tuple(shared))}
        seen = set()
        for order in state.orders():
            told = story(state, order)
            for doc in [s["asn"] for s in told["shipments"]] + [v["document"] for v in told["invoices"]]:
                if doc is None or doc["document_id"] not in shared:
                    continue
                keys = [k for k, (i, st02) in sets.items() if i == doc["document_id"] and st02 == doc["st02"]]
                assert len(keys) == 1 and doc["isa13"] == docs[doc["document_id"]].isa13, doc
                seen.add(keys[0])
        assert seen == set(sets)  # every set of a shared interchange shown as its own
        sent = load_inputs(ws, state, ws.partners()).sent.to_pylist()
        mine = {(r["partner"], r["isa13"], r["st02"]): r["document_ref"] for r in sent
                if r["doc_type"] in ("856", "810")}
        for i in shared:
            d = docs[i]
            refs = [mine.get((d.partner, d.isa13, st02)) for st02 in d.st02.split(",")]
            assert all(refs) and len(set(refs)) == len(refs), (d.file_name, refs)
        shipments_sent = {s.shipment_id for s in state.shipments() if s.asn_doc_key}
        assert shipments_sent <= set(mine.values())
        invoices = {v.invoice_number for pid in ws.partners() for v in state.invoices(pid)}
        assert invoices and invoices <= set(mine.values())
    finally:
        state.close()


def test_the_outbound_check_of_a_packed_interchange_refuses_the_sets_at_fault():
    """CheckedRender.verify: an error naming (ISA13, ST02) refuses that set; one naming only a packed
    interchange's ISA13 has its sets checked alone (rendered alone with their numbers): the sets that
    fail alone are refused, or every set when none does (the interchange itself is at fault); an
    error naming no interchange has every interchange's sets checked alone."""
    from flows.shipments import CheckedRender, OutboundRefused
    from schemas.findings import finding
    from schemas.lifecycle import PlannedDocument, PlannedSet

    rendered = []

    def render(doc, isa13, gs06, st02s):
        rendered.append([s.doc_key for s in doc.sets])
        return "f", "|".join(f"{isa13}:{st02}:{s.text}" for s, st02 in zip(doc.sets, st02s, strict=True)).encode()

    def doc(*texts):
        return PlannedDocument("acme", "856", "SH", tuple(PlannedSet(f"856:east:{t}", text=t) for t in texts))

    def refused(check, docs):
        rendered.clear()
        made = CheckedRender(render, check)
        for i, d in enumerate(docs, start=7):
            made(d, i, i, list(range(1, len(d.sets) + 1)))
        try:
            made.verify()
        except OutboundRefused as exc:
            return sorted(exc.refused)
        return []

    def err(**at):
        return finding("ASN_NOT_BUILT", "refused", severity="error", **at)

    packed = doc("A", "BAD", "C")
    located = refused(lambda data: [err(isa13="000000007", st02="0002")] if b"BAD" in data else [], [packed])
    assert located == ["856:east:BAD"] and rendered == [["856:east:A", "856:east:BAD", "856:east:C"]]
    assert refused(lambda data: [err(isa13="000000007")] if b"BAD" in data else [], [packed]) == ["856:east:BAD"]
    together = refused(lambda data: [err(isa13="000000007")] if b"A" in data and b"C" in data else [], [packed])
    assert together == ["856:east:A", "856:east:BAD", "856:east:C"]  # no set fails alone: the interchange does
    nowhere = refused(lambda data: [err()] if b"BAD" in data else [], [doc("X"), packed])
    assert nowhere == ["856:east:BAD"]
    assert refused(lambda data: [err(isa13="000000007")] if b"X" in data else [], [doc("X"), packed]) == ["856:east:X"]


@pytest.mark.parametrize("batch,expected", [
    ("run", [["A", "B"], ["C"], ["D", "E", "F"]]),
    (2, [["A", "B"], ["C"], ["D"], ["E", "F"]]),  # group() pairs C and D (in C's set): cut in two
    ("document", [["A"], ["B"], ["C"], ["D"], ["E"], ["F"]]),
])
def test_856s_rendered_with_different_delimiter_sets_never_share_an_interchange(batch, expected):
    """batch_documents on 856s as their planner renders them: C's value holds "*", so C was rendered
    with acme's second set ("|"); group() would put A..F in one interchange written with that set,
    but the sets are rendered already: the group is cut where the set changes, never rendered again.
    An 810 of another partner, between them, keeps its place."""
    from engine.envelope import envelope_for
    from engine.lifecycle import batch_documents
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
    from schemas.profile import DeliverySettings
    from tests.support import REPO

    profiles = {pid: p.model_copy(update={"delivery": DeliverySettings(batch=batch)})
                for pid, p in load_profiles(REPO / "partners").items()}
    first, second = envelope_for(profiles["acme"]).candidates[:2]

    def doc(name, d, partner="acme", doc_type="856"):
        e = d.element
        text = f"BSN{e}00{e}{name}{e}X*Y{d.segment}{d.suffix}" if name == "C" else f"BSN{e}00{e}{name}{d.segment}"
        return PlannedDocument(partner, doc_type, "SH", (PlannedSet(f"856:east:{name}", text=text, segments=1),),
                               delimiters=d)

    docs = [doc("A", first), doc("B", first), doc("C", second), doc("G", first, "globex", "810"), doc("D", first),
            doc("E", first), doc("F", first)]
    packed = batch_documents(Plan(documents=tuple(docs)), profiles).documents
    mine = [[s.doc_key.rsplit(":", 1)[1] for s in d.sets] for d in packed if d.partner == "acme"]
    assert mine == expected
    assert all(d.delimiters == (second if d.sets[0].doc_key.endswith("C") else first) for d in packed)
    assert [d.partner for d in packed].index("globex") == (3 if batch == "document" else 2)


def test_orders_invoiced_by_packed_810s_close_as_with_one_810_per_interchange(tmp_path, shipped):
    from flows.workspace import Workspace

    states = {}
    for batch in ("document", "run"):
        # a copy of the module's night 1 (a copy of a workspace the stages ran is that workspace: from_template)
        shutil.copytree(shipped[batch].root, tmp_path / str(batch), symlinks=True)
        ws = Workspace(tmp_path / str(batch))
        run_stages(ws, NIGHT2)  # closes what night 1 invoiced and delivered
        state = StateStore(ws.state_path)
        states[batch] = {o.key: o.state.value for o in state.orders()}
        state.close()
    assert "closed" in states["document"].values() and states["run"] == states["document"]
