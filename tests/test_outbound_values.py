"""Outbound values are never changed: a PO number `A*B>C` comes back as `A*B>C`. Delimiters are chosen
per document from the partner's candidate sets (deterministically, the first that fits); when none
fits, the document is held with a finding and sent once the profile offers a set that fits."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from datetime import datetime

import pytest

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.envelope import delimiters_for, envelope_for, wrap
from flows.documents import deliver_partner, holder, renderer
from flows.status import story
from parsers.x12_reader import read_interchanges
from parsers.x12_writer import DelimiterCollision, collisions, render_segment
from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
from schemas.profile import FALLBACK_DELIMITERS, load_profiles
from schemas.x12 import Delimiters
from tests.support import REPO, SAMPLES, make_workspace, run_stages

PROFILES = load_profiles(REPO / "partners")
NOW = datetime(2026, 11, 27, 2)
HOSTILE_PO = "A*B>C"


def _855(po: str) -> list[list]:
    return [["BAK", "00", "AC", po, "20261126", "", "", "", "", "20261127"],
            ["PO1", "1", "10", "EA", "19.70", "PE", "UP", "614141100101"], ["ACK", "IA", "10", "EA"],
            ["CTT", "1", "10"]]


def _bak03(content: bytes) -> str:
    parsed = read_interchanges(content)
    assert [f.code for f in parsed.findings] == []
    return next(row for row in parsed.segments.elements.to_pylist() if row[0] == "BAK")[3]


def test_the_writer_never_alters_a_value():
    d = Delimiters()
    assert collisions([["BAK", "00", "AC", HOSTILE_PO]], d) == {"*", ">"}
    with pytest.raises(DelimiterCollision):
        render_segment(["BAK", "00", "AC", HOSTILE_PO], d)
    with pytest.raises(DelimiterCollision):
        render_segment(["PO1", "1", ("A", "B~C")], d)


def test_a_value_with_delimiters_is_sent_as_is_with_the_first_set_that_fits():
    env = envelope_for(PROFILES["acme"])
    out = wrap(env, "PR", "855", [_855(HOSTILE_PO)], isa13=1, gs06=1, st02s=[1], now=NOW)
    assert _bak03(out) == HOSTILE_PO
    assert out[3:4] == FALLBACK_DELIMITERS[0].element.encode()
    assert wrap(env, "PR", "855", [_855(HOSTILE_PO)], isa13=1, gs06=1, st02s=[1], now=NOW) == out  # deterministic


def test_the_profile_set_is_kept_when_nothing_collides():
    env = envelope_for(PROFILES["acme"])
    out = wrap(env, "PR", "855", [_855("ACME-1000")], isa13=1, gs06=1, st02s=[1], now=NOW)
    assert out.startswith(b"ISA*") and b"BAK*00*AC*ACME-1000*" in out


def test_a_caret_is_data_when_isa11_is_u():
    # 004010: ISA11 is "U", so '^' is no delimiter and must not be touched
    env = envelope_for(PROFILES["acme"])
    assert env.version == "004010"
    out = wrap(env, "PR", "855", [_855("A^B")], isa13=1, gs06=1, st02s=[1], now=NOW)
    assert out.startswith(b"ISA*") and _bak03(out) == "A^B"
    isa = read_interchanges(out).interchanges[0]
    assert isa.elements[10] == "U"


def test_a_caret_is_the_repetition_separator_from_00402_on():
    env = replace(envelope_for(PROFILES["acme"]), version="005010")
    out = wrap(env, "PR", "855", [_855("A^B")], isa13=1, gs06=1, st02s=[1], now=NOW)
    assert not out.startswith(b"ISA*") and _bak03(out) == "A^B"


def test_a_pipe_delimited_po_number_with_stars_comes_back_unchanged(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    # ISA16 '^' (the PID texts hold ':', and a simple element holding the component separator is invalid)
    data = (SAMPLES / "acme" / "acme-po-01.x12").read_bytes().replace(b"*", b"|").replace(b">", b"^")
    (inbox / "pipes.x12").write_bytes(data.replace(b"ACME-1000", HOSTILE_PO.encode()))
    run_stages(ws, NOW)
    sent = sorted((ws.drop_root / "acme" / "outbox").iterdir())
    assert {p.name.split("-")[1] for p in sent} == {"997", "855"}
    assert sorted(_bak03(p.read_bytes()) for p in sent if "-855-" in p.name) == [HOSTILE_PO, "ACME-1001"]


def _held_setup(tmp_path):
    profile = PROFILES["acme"].model_copy(update={"x12": PROFILES["acme"].x12.model_copy(
        update={"fallback_delimiters": ()})})
    state = StateStore(tmp_path / "state.sqlite")
    drop = LocalDrop(tmp_path / "drop")
    body = tuple(tuple(seg) for seg in _855(HOSTILE_PO))
    doc = PlannedDocument("acme", "855", "PR", (PlannedSet("855:held", body, HOSTILE_PO, "s"),))
    return profile, state, drop, doc


def _apply(state, profile, doc):
    """The document's plan applied as the decide stage does: rendered, or held when no set fits."""
    profiles = {"acme": profile}
    return state.apply(Plan(documents=(doc,)), render=renderer(profiles, NOW),
                       hold=holder(profiles, stage="decide", files={"s": "po.x12"}), at=NOW.isoformat(), run_id="r")


def test_a_document_no_set_fits_is_held_with_a_finding_and_no_number(tmp_path):
    profile, state, drop, doc = _held_setup(tmp_path)
    assert delimiters_for(envelope_for(profile), [[list(seg) for seg in doc.sets[0].body]]) is None
    applied = _apply(state, profile, doc)
    assert not applied.documents  # nothing numbered or rendered
    held = [fr.finding for fr in applied.held]
    assert [(f.code, f.location.file) for f in held] == [("OUTBOUND_DELIMITERS_EXHAUSTED", "po.x12")]
    assert HOSTILE_PO in held[0].message
    assert [(f["code"], f["po_number"], f["consequence"]) for f in state.findings(run_id="r")] == [
        ("OUTBOUND_DELIMITERS_EXHAUSTED", HOSTILE_PO, "document held, not sent")]  # on record
    assert state.last_number("acme", "ISA") == 0  # no control number used for it
    [stored] = state.documents("acme")
    assert (stored.status, stored.isa13, stored.doc_key) == ("held", "", "855:held")
    assert deliver_partner(profile, state, drop, now=NOW) == 0
    assert list((tmp_path / "drop" / "outbox").iterdir()) == []
    again = _apply(state, profile, doc)  # not built twice
    assert (again.documents, again.held) == ({}, [])
    assert len(state.findings()) == 1 and len(state.documents("acme")) == 1


def test_a_held_document_is_sent_once_the_profile_offers_a_set_that_fits(tmp_path):
    profile, state, drop, doc = _held_setup(tmp_path)
    _apply(state, profile, doc)
    fixed = PROFILES["acme"]  # the default fallbacks include a set without '*' and '>'
    assert deliver_partner(fixed, state, drop, now=NOW) == 1
    [sent] = list((tmp_path / "drop" / "outbox").iterdir())
    assert _bak03(sent.read_bytes()) == HOSTILE_PO
    assert sent.name == "acme-855-000000001.x12"
    [stored] = state.documents("acme")
    assert (stored.status, stored.isa13, stored.gs06, stored.st02, stored.file_name) == (
        "delivered", "000000001", "1", "0001", sent.name)
    assert deliver_partner(fixed, state, drop, now=NOW) == 0


def test_a_held_855_shows_in_the_orders_status_and_is_sent_by_the_next_run(tmp_path):
    # the whole path: a PO number that uses ACME's delimiters, and a profile without fallback sets:
    # decide holds the 855 (a finding on record, status shows it held); once the profile offers a
    # set that fits again, the next run's delivery numbers and sends it
    ws = make_workspace(tmp_path / "ws", partners=())
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text().replace("[x12]\n", "[x12]\nfallback_delimiters = []\n", 1))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    data = (SAMPLES / "acme" / "acme-po-01.x12").read_bytes().replace(b"*", b"|").replace(b">", b"^")
    (inbox / "po.x12").write_bytes(data.replace(b"ACME-1000", HOSTILE_PO.encode()))
    _, run = run_stages(ws, NOW)
    outbox = ws.drop_root / "acme" / "outbox"
    assert sorted(_bak03(p.read_bytes()) for p in outbox.iterdir() if "-855-" in p.name) == ["ACME-1001"]
    assert [f.code for f in run.findings if f.code == "OUTBOUND_DELIMITERS_EXHAUSTED"] == [
        "OUTBOUND_DELIMITERS_EXHAUSTED"]
    state = StateStore(ws.state_path)
    [fr] = [f for f in state.findings() if f["code"] == "OUTBOUND_DELIMITERS_EXHAUSTED"]
    assert (fr["po_number"], fr["file"], fr["stage"]) == (HOSTILE_PO, "po.x12", "decide")
    order = state.order("acme", HOSTILE_PO)
    assert [d["status"] for d in story(state, order)["documents"] if d["type"] == "855"] == ["held"]
    toml.write_text(toml.read_text().replace("fallback_delimiters = []\n", "", 1))
    run_stages(ws, NOW.replace(day=28))
    assert sorted(_bak03(p.read_bytes()) for p in outbox.iterdir() if "-855-" in p.name) == [HOSTILE_PO, "ACME-1001"]
    assert [d["status"] for d in story(state, order)["documents"] if d["type"] == "855"] == ["delivered"]
    assert [f["code"] for f in state.findings()].count("OUTBOUND_DELIMITERS_EXHAUSTED") == 1  # said once


@pytest.mark.parametrize("po", [HOSTILE_PO, "A*B>C|D\\E~F"])
def test_documents_with_fallback_delimiters_pass_the_bots_grammars(tmp_path, po):
    edi_parser = pytest.importorskip("edi_parser")
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    env = envelope_for(PROFILES["acme"])
    out = wrap(env, "PR", "855", [_855(po)], isa13=1, gs06=1, st02s=[1], now=NOW)
    assert _bak03(out) == po
    path = tmp_path / "855.x12"
    path.write_bytes(out)
    result = edi_parser.parse_edi_file_path(str(path), editype="x12", messagetype="x12")
    assert result.get("success"), result.get("errors")


def test_demo_profiles_copy_unchanged(tmp_path):
    # the demo profiles need no fallback list of their own: the defaults apply
    shutil.copytree(REPO / "partners", tmp_path / "p")
    assert all(p.x12.fallback_delimiters == FALLBACK_DELIMITERS for p in load_profiles(tmp_path / "p").values())


def test_the_envelopes_body_renderer_writes_what_the_writer_writes_and_refuses_what_it_refuses():
    """engine.envelope renders 856 and 810 bodies on a fast path: byte for byte the writer's text, with
    composites, None, numbers and trailing empty elements; a value holding any delimiter (element,
    component, segment or repetition) raises DelimiterCollision as render_segment does."""
    from engine.envelope import body_chars, render_body
    from parsers.x12_writer import render_segments, used_chars

    d = Delimiters(element="*", component=">", segment="~", repetition="^", suffix="\n")
    body = [["BSN", "00", "SHP-1", "20261127", "0145", "0001"], ["HL", "1", "", "S", "1"],
            ["TD1", "CTN25", "5", "", "", "", "G", "27.5", "LB"], ["LIN", "1", "UP", "614141100101", "", ""],
            ["SN1", "", 12, "EA", None, ""], ["REF", "ZZ", ("A", "", "B", ""), ""], ["PID", "F", "", "", "", "Pen"],
            ["CTT", "2"], ["N1", "ST", "", "", ""], ["DTM", "", ""], ["SE"], ["N3", "", "Suite 5", ""]]
    assert render_body(body, d) == render_segments(body, d)
    assert body_chars([body]) == used_chars(body)
    for bad in ("A*B", "A>B", "A~B", "A^B"):
        for seg in (["REF", "BM", bad], ["REF", "ZZ", ("X", bad)]):
            with pytest.raises(DelimiterCollision):
                render_segment(seg, d)
            with pytest.raises(DelimiterCollision):
                render_body([["BSN", "00"], seg], d)


@pytest.mark.parametrize("d", [Delimiters(), Delimiters(element="|", component="^", segment="\\", suffix=""),
                               Delimiters(element="*", component=">", segment="~", repetition="^", suffix="\r\n"),
                               Delimiters(element="*", component="9", segment="~")])  # a digit: rendered each time
@pytest.mark.parametrize("version", ["004010", "005010"])
def test_the_envelope_rendered_once_per_run_is_the_writers_envelope_byte_for_byte(d, version):
    """wrap renders ISA/GS once per envelope, clock and delimiters and fills in ISA13 and GS06: the same
    bytes as render_x12 of the whole interchange, for any number (ISA13 past nine digits too), empty GS
    ids, and an envelope value holding a delimiter still raises DelimiterCollision."""
    from engine.envelope import isa_segment
    from parsers.x12_writer import render_x12

    d = d if version >= "005010" or not d.repetition else replace(d, repetition="")
    body = [["BAK", "00", "AC", "PO-7", "20261126"], ["CTT", "1"]]
    for env in (replace(envelope_for(PROFILES["acme"]), version=version, delimiters=d, fallbacks=()),
                replace(envelope_for(PROFILES["acme"]), version=version, delimiters=d, fallbacks=(), gs_sender="")):
        for isa13, gs06 in ((1, 1), (123456789, 42), (1234567890, 987654321)):
            segs = [isa_segment(env, isa13, NOW, d=d), ["GS", "PR", env.gs_sender, env.gs_receiver, "20261127", "0200",
                                                        str(gs06), "X", env.version],
                    ["ST", "855", "0001"], *body, ["SE", "4", "0001"], ["GE", "1", str(gs06)],
                    ["IEA", "1", f"{isa13:09d}"]]
            try:
                expected = render_x12(segs, d)
            except DelimiterCollision:  # a digit delimiter meets the numbers: refused on both paths
                with pytest.raises(DelimiterCollision):
                    wrap(env, "PR", "855", [body], isa13=isa13, gs06=gs06, st02s=[1], now=NOW, delimiters=d)
                continue
            assert wrap(env, "PR", "855", [body], isa13=isa13, gs06=gs06, st02s=[1], now=NOW, delimiters=d) == expected
        bad = replace(env, gs_receiver=f"RECV{d.element}X")
        with pytest.raises(DelimiterCollision):
            wrap(bad, "PR", "855", [body], isa13=1, gs06=1, st02s=[1], now=NOW, delimiters=d)


def test_the_holder_answers_a_planners_rendered_documents_as_fits_does():
    """hold() remembers fits() of documents rendered by their planner (text sets: only the partner's
    envelope and the set chosen count): a set the profile offers passes each time, one it does not
    offer is held each time, and a document with segments is still looked at itself."""
    from flows.documents import fits

    profile = PROFILES["acme"]
    hold = holder({"acme": profile}, stage="invoicing")
    offered, other = envelope_for(profile).candidates[0], Delimiters(element="!", component="@", segment="#")
    for _ in range(2):
        for n, d in enumerate((offered, other, offered)):
            doc = PlannedDocument("acme", "810", "IN", (PlannedSet(f"810:{n}", text="BIG*1~", segments=1),),
                                  delimiters=d)
            assert (hold(doc) is None) is fits(profile, doc) is (d == offered)
    hostile = PlannedDocument("acme", "855", "PR", (PlannedSet("855:x", tuple(tuple(s) for s in _855("A*B>C|D\\E~F")),
                                                              "A"),))
    assert (hold(hostile) is None) is fits(profile, hostile)
