"""A line's own REF that is a note or a term rather than an id (REF*ZZ*NCNR: non-cancellable, non-returnable, the
electronics trade's commercial term; REF*ZZ / REF*L1 notes; a REF sent with its REF03 words alone) is quoted by
NOTES_NOT_KEPT for ops, as the line's N9/MSG notes are: nothing of ours acts on it. An 850's PO1 loop REFs are kept on
the line (ORDER_LINES line_refs: REF01 and REF02) as they were; an 860's POC loop REFs are now read as the 850's
(ORDER_CHANGES line_refs) and taken by the line they change, or kept by a line the 860 adds, so an 855 or 810 echoing
the partner's line REFs echoes the new ones. Both used to pass without a word: the 860's REFs were read by
nothing, and an NCNR line was answered and shipped with no person told of the term."""

from __future__ import annotations

from datetime import datetime

from engine.changes import apply_changes
from rules.structure import check_structure
from tests.changes.builders import change_body, live_order, parse_860, read_change, sets_860, x12_860
from tests.support import GOOD_PO, x12_850


def _notes(found) -> list:
    return [f for f in found if f.code == "NOTES_NOT_KEPT"]


def test_a_po1_loop_s_note_refs_are_quoted_for_ops_and_its_ids_are_kept_silently():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(x12_850(GOOD_PO[:6] + [
        "PO1*1*12*EA*2.50*PE*UP*073000040482", "REF*ZZ*NCNR", "REF*PR*Q-7781",  # a term; a quote number (an id)
        "PO1*2*6*EA*10*PE*VN*SKU-2", "REF*ZZ**NON-CANCELLABLE NON-RETURNABLE", "REF*L1*DATE CODE 2024+",
        "N1*ST*DC 8*92*DC08", "REF*ZZ*DOCK 4",  # the N1 loop's REF names its party: not the line's
        "CTT*2"]), file="po.x12")
    [f] = _notes(check_structure(result, list(result.transaction_sets())))
    assert (f.severity, f.location.segment_id, f.location.element, f.location.segment_position) == (
        "warning", "REF", "REF02", 9)
    assert ("(line 1) 'REF ZZ NCNR'; (line 2) 'REF ZZ NON-CANCELLABLE NON-RETURNABLE'; (line 2) 'REF L1 DATE CODE "
            "2024+'") in f.message
    assert "Q-7781" not in f.message and "DOCK 4" not in f.message
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    assert lines.column("line_refs").to_pylist()[0] == [{"qualifier": "ZZ", "id": "NCNR", "description": None},
                                                      {"qualifier": "PR", "id": "Q-7781", "description": None}]
    # a line REF that is an id alone raises nothing
    result = read_interchanges(x12_850(GOOD_PO[:6] + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "REF*PR*Q-7781",
                                                      "CTT*1"]), file="po.x12")
    assert _notes(check_structure(result, list(result.transaction_sets()))) == []


def test_a_poc_loop_s_note_refs_are_quoted_as_a_po1_loop_s():
    result = parse_860(x12_860(change_body(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "REF*ZZ*NCNR", "REF*LT*V2022",
                                            "REF*PR*Q-7781", "N1*ST*DC 8*92*DC08", "REF*ZZ*DOCK 4"])))
    [f] = _notes(check_structure(result, sets_860(result)))
    assert "The 860 carries notes" in f.message and f.location.segment_position == 4
    assert "(line 1) 'REF ZZ NCNR'; (line 1) 'REF LT V2022'" in f.message
    assert "Q-7781" not in f.message and "DOCK 4" not in f.message
    result = parse_860(x12_860(change_body(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "REF*PR*Q-7781"])))
    assert _notes(check_structure(result, sets_860(result))) == []


def test_a_poc_loop_s_refs_are_read_and_taken_by_the_line():
    header, changes = read_change(["POC*2*NC", "REF*ZZ*NCNR", "REF*PR*Q-9", "POC*3*AI*4**EA*1*PE*VN*SKU-3",
                                   "REF*ZZ*NCNR", "POC*1*QI*20**EA*2.5*PE*UP*073000040482"])
    assert changes.column("line_refs").to_pylist() == [
        [{"qualifier": "ZZ", "id": "NCNR", "description": None}, {"qualifier": "PR", "id": "Q-9", "description": None}],
        [{"qualifier": "ZZ", "id": "NCNR", "description": None}], None]
    order, lines = live_order()
    result = apply_changes(order, lines, header, changes, shipped=False)
    refs = {r["line_id"]: r["line_refs"] for r in result.new_lines.to_pylist()}
    assert refs == {"1": None, "2": [{"qualifier": "ZZ", "id": "NCNR", "description": None},
                                     {"qualifier": "PR", "id": "Q-9", "description": None}],
                    "3": [{"qualifier": "ZZ", "id": "NCNR", "description": None}]}
    # line 2's REFs alone changed: stored, not decided again; line 1 (its quantity) and the added line 3 are
    assert result.referenced_line_numbers == frozenset({2}) and result.changed_line_numbers == frozenset({1, 3})
    # a repeat with other REFs is another change, not the same one
    from engine.changes import change_fingerprint

    other_header, other = read_change(["POC*2*NC", "REF*ZZ*CANCELLABLE", "REF*PR*Q-9",
                                       "POC*3*AI*4**EA*1*PE*VN*SKU-3", "REF*ZZ*NCNR",
                                       "POC*1*QI*20**EA*2.5*PE*UP*073000040482"])
    assert change_fingerprint(header, changes) != change_fingerprint(other_header, other)


def test_a_note_ref_the_partner_s_documents_echo_is_kept_not_quoted():
    """A partner whose 855, 856 or 810 echoes its lines' REF*ZZ ([acks.po_ack], [fulfilment.asn] or
    [fulfilment.invoice] line_refs: ``refs_echoed``) has its REF*ZZ*NCNR kept on the line and carried back: it is
    not quoted as a note nothing of ours carries (that finding was false, and ops learn to ignore warnings). One with
    its REF03 words alone (no REF02: nothing echoes it), a REF*L1 the partner does not echo, and a lot (REF*LT: the
    warehouse still picks by SKU) are quoted as before; so is every one for a partner echoing none."""
    from parsers.x12_reader import read_interchanges
    from rules.set_checks import line_refs_echoed_by
    from schemas.profile import load_profiles
    from tests.support import REPO

    po = x12_850(GOOD_PO[:6] + ["PO1*1*12*EA*2.50*PE*UP*073000040482", "REF*ZZ*NCNR",
                                "PO1*2*6*EA*10*PE*VN*SKU-2", "REF*ZZ**NON-CANCELLABLE NON-RETURNABLE",
                                "REF*L1*DATE CODE 2024+", "REF*LT*V2022", "CTT*2"])
    result = read_interchanges(po, file="po.x12")
    [f] = _notes(check_structure(result, list(result.transaction_sets()), refs_echoed=frozenset({"ZZ"})))
    assert "NCNR" not in f.message
    assert ("(line 2) 'REF ZZ NON-CANCELLABLE NON-RETURNABLE'; (line 2) 'REF L1 DATE CODE 2024+'; (line 2) 'REF LT "
            "V2022'") in f.message
    [f] = _notes(check_structure(result, list(result.transaction_sets())))
    assert "(line 1) 'REF ZZ NCNR'" in f.message
    result = parse_860(x12_860(change_body(["POC*1*CA*12**EA*2.5*PE*UP*073000040482", "REF*ZZ*NCNR"])))
    assert _notes(check_structure(result, sets_860(result), refs_echoed=frozenset({"ZZ"}))) == []
    # which qualifiers a profile's documents echo: those of the documents it receives
    acme = load_profiles(REPO / "partners")["acme"]
    assert line_refs_echoed_by(acme) == frozenset()
    echoing = acme.model_copy(update={"acks": acme.acks.model_copy(update={"po_ack": acme.acks.po_ack.model_copy(
        update={"line_refs": ("ZZ",)})})})
    assert line_refs_echoed_by(echoing) == ({"ZZ"} if "855" in acme.receives else set())


def test_an_860_giving_a_line_its_ncnr_term_is_stored_and_echoed_on_the_revised_855(tmp_path):
    """Ace (revised 855s) echoing its lines' REF*ZZ: an 860 whose POC*2*NC carries REF*ZZ*NCNR changes nothing else:
    the order is not decided again, the line keeps the REF (its revised 855 echoes it under ACK line 2). The term
    is carried back, so no NOTES_NOT_KEPT says nothing of ours carries it (it used to: a false warning)."""
    from tests.retailer_support import segments
    from tests.test_change_line_ship_to import _change, _order, _workspace

    ws = _workspace(tmp_path / "ws", "004010", line_refs=("ZZ",))
    _change(ws, "004010", ["POC*2*NC**1*EA*58.58*PE*VN*VP-1021", "REF*ZZ*NCNR"], datetime(2026, 11, 27, 4), 60102)
    order, found = _order(ws)
    assert order.state == "acknowledged", found
    assert not [m for c, m in found if c == "NOTES_NOT_KEPT" and "NCNR" in m]
    segs = segments(ws, "acehardware", "855")
    revised = segs[max(k for k, s in enumerate(segs) if s[:2] == ["BAK", "05"]):]
    line2 = revised[next(k for k, s in enumerate(revised) if s[:2] == ["PO1", "2"]):]
    assert ["REF", "ZZ", "NCNR"] in line2[:next(k for k, s in enumerate(line2[1:], 1) if s[0] in ("PO1", "CTT"))]
