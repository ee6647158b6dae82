"""860 purposes left by round 101 (X12 code list 353 on BCH01): 19 (seller initiated change: the 860's second use in
X12, the buyer confirming a change the seller made) is applied and answered as a 04; 26 (replace - specified buyer's
parts only) restates the lines it names, as a 05 does, and leaves the others standing (a 05 cancels them); the rest
(08 status, 16 proposed, 28 query ...) are refused whole with a message saying what the code is. 19 and 26 used to be
refused whole (865 RD, "not a change we apply"). Real nights on GLOBEX's profile (865s answer its changes); GLOBEX-2000
holds lines 1-4 (12, 48, 30, 36 EA)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.state import StateStore
from tests.support import REPO, run_stages
from tests.test_change_orders import NIGHT2, docs, globex_night1
from tests.test_rg100_partner_answers import _860, _line3
from tests.test_rg101_purposes import _lines, _night


def test_a_seller_initiated_change_is_applied_and_answered_as_a_change(tmp_path):
    """BCH01 19: the buyer confirms a change the seller initiated; its POC states it (line 3 to 60): applied, 865 AD."""
    ws, state, found = _night(tmp_path, "19")
    assert found == [] and _line3(state) == Decimal(60)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "AD")]
    state.close()


def test_a_replace_of_the_parts_named_leaves_the_other_lines_standing(tmp_path):
    """BCH01 26 restates line 3 (to 60) and names no other line: lines 1, 2 and 4 stand as they were."""
    ws, state, found = _night(tmp_path, "26")
    assert found == []
    lines = _lines(state)
    assert lines[3][0] == Decimal(60), lines
    assert {n: lines[n][0] for n in (1, 2, 4)} == {1: Decimal(12), 2: Decimal(48), 4: Decimal(36)}, lines
    assert all(lines[n][1] not in ("cancelled", "deleted") for n in (1, 2, 4)), lines
    [(_p, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
    assert bca02 != "RD" and [a[0] for a in acks] == ["IQ"], (bca02, acks)
    state.close()


def test_a_replace_of_the_whole_po_still_cancels_the_lines_it_leaves_out(tmp_path):
    """The control: BCH01 05 with the same POC replaces the PO, so lines 1, 2 and 4 go."""
    ws, state, found = _night(tmp_path, "05")
    lines = _lines(state)
    assert found == [] and lines[3][0] == Decimal(60)
    assert all(lines[n][1] in ("cancelled", "deleted") for n in (1, 2, 4)), lines
    state.close()


@pytest.mark.parametrize("purpose,said", [
    ("28", "BCH01 28 (query: the buyer asks a question, not a change to the order)"),
    ("16", "BCH01 16 (proposed: a change the buyer proposes"),
    ("08", "BCH01 08 (status: the buyer reports where its PO stands"),
    ("25", "BCH01 25 (incremental: whether its POC quantities add to the line"),
])
def test_a_purpose_naming_no_change_is_refused_saying_what_it_is(tmp_path, purpose, said):
    ws, state, found = _night(tmp_path, purpose)
    assert _line3(state) == Decimal(30)
    assert [(d[0], d[1]) for d in docs(ws, "865")["GLOBEX-2000"]] == [("00", "RD")]
    [f] = found
    assert f["message"].startswith(said), f["message"]
    assert "nothing was changed" in f["message"] and "BCH01 04" in f["message"], f["message"]
    state.close()


def _held_49(tmp_path):
    """tests.test_allowance_decision_told._held with the 860 sent as BCH01 49: PO-1 ordered (4 CA), 2 CA shipped and
    invoiced, then the 860 adding 12 % (no deal): held."""
    from tests.test_allowance_decision_told import _held

    return _held(tmp_path, "49")


def test_the_allowance_decision_is_not_told_for_a_change_that_asked_no_answer(tmp_path):
    """ACME (receives 865s) ships 2 CA of PO-1 and invoices them; an 860 with BCH01 49 (original, no response
    necessary) adds a heading 12 % no deal agrees: held; a person approves. The night of the 860 sent no 865 (rg101),
    and now the decision is not told by one either (allowance_hold.answers_asked): it used to send BCA*00*AD with the
    SAC. The 810 still takes the 12 % off (the change was applied)."""
    from tests.test_allowance_after_shipment_held import _decide
    from tests.test_allowance_decision_told import DAY3, DAY4, _bcas
    from tests.test_deal_after_shipment import DAY2, _invoices, _ship

    ws = _held_49(tmp_path)
    assert _bcas(ws) == []  # the 860's night: nothing answers a 49
    _decide(ws, "approved")
    run_stages(ws, DAY3)
    _ship(ws, DAY2, "SHP-9002")
    run_stages(ws, DAY4)
    assert _bcas(ws) == [], _bcas(ws)
    assert _invoices(ws)[-1][2] == "82790"



def test_approving_it_says_no_865_tells_the_buyer(tmp_path):
    """`orderbridge approve` said "the next run tells the buyer by an 865 stating it (BCA02 AD)" for a 49 change too;
    it says none goes now (tests/test_allowance_decision_told.py keeps the words for a 04)."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = _held_49(tmp_path)
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "finance", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "its next 810 takes the allowance off; no 865 tells the buyer: its 860 asked for no answer (BCH01 49)" \
        in out, out

# --- early cancels (engine/early_cancel.py): only a real early cancel holds an 850 ------------------------------------
def test_a_new_850_reusing_a_rejected_po_is_not_held_for_a_cancel_of_the_old_one(tmp_path):
    """McLane's cancel of MC7900501 comes 11-25 before any 850 (refused 11-27); the 850 comes 11-28 and is held
    (PO_CANCELLED_BEFORE_RECEIVED: a real early cancel); a person rejects it (855 RD 11-29). The buyer cancels it
    again on 11-30 (refused: the PO was rejected before), then sends a new 850 under the same number on 12-01 (BEG01
    05). Neither cancel is about that 850: the first was dealt with (the person's rejection), the second came after
    an 850 of the PO. It used to be held again as "cancelled before this 850 arrived"; it is decided as any 850 now."""
    from datetime import datetime

    from tests.retailer_support import findings_and_states
    from tests.test_early_cancel import CODE, PO, _cancel_860, _drop_850, _night, _order, _person, _workspace

    ws = _workspace(tmp_path)
    for day in (25, 26, 27):
        run_stages(ws, _night(day))
    _drop_850(ws)
    run_stages(ws, _night(28))
    assert _order(ws)[0].state.value == "held"  # the real early cancel holds the first 850
    _person(ws, "reject", "--reason", "the buyer cancelled it by 860 on 11-25")
    run_stages(ws, _night(29))
    assert _order(ws)[0].state.value == "rejected"
    inbox = ws.drop_root / "mclane" / "inbox"
    again = _cancel_860().replace("7942", "9942")  # its own ISA13, GS06 and ST02
    (inbox / "mclane-c-860-MC7900501.x12").write_text(again, encoding="utf-8")
    run_stages(ws, _night(30))
    found, _ = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["file"]))
    assert ("CHANGE_ORDER_UNKNOWN", PO, "mclane-c-860-MC7900501.x12") in found, found  # refused: rejected before
    src = (REPO / "tests" / "fixtures" / "rg79" / "drops" / "mclane" / "mclane-b-850-MC7900501.x12").read_text()
    # its own ISA13, GS06 and ST02, BEG01 05: a new 850 replacing the rejected one under the same PO number
    new = src.replace("7941", "9941").replace("BEG*00*", "BEG*05*", 1)
    assert "BEG*05*SA*MC7900501" in new
    (inbox / "mclane-d-850-MC7900501.x12").write_text(new, encoding="utf-8")
    run_stages(ws, datetime(2026, 12, 1, 2))
    order, _reservations = _order(ws)
    assert order.revision == 2 and order.state.value not in ("held", "rejected"), (order.state, order.hold_codes)
    held, _ = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["run_id"]))
    assert sum(1 for c, p, _r in held if c == CODE and p == PO) == 1, held  # the first 850's, no other


def test_a_cancel_under_the_continuing_profile_before_its_effective_day_holds_nothing(tmp_path):
    """meijer2 carries on meijer's orders from 2026-11-26 ([continues]). Its cancel of MJ9000102 comes on 11-24, before
    that day: it waits as meijer2's and is refused. meijer's 850 of MJ9000102 on 11-29 is not held for it (the chain
    matched whatever the day: tests/test_rg101_continued_cancel.py holds one that came from the day on)."""
    from datetime import datetime

    from tests.retailer_support import findings_and_states
    from tests.test_continued_profile import A_850, BEFORE, SWITCH, _night, _workspace
    from tests.test_rg101_continued_cancel import CODE, PO, _cancel_860

    ws = _workspace(tmp_path / "ws")
    (ws.drop_root / "meijer2" / "inbox").mkdir(parents=True, exist_ok=True)
    (ws.drop_root / "meijer2" / "inbox" / f"MEIJER_860_{PO}.x12").write_text(_cancel_860())
    for night in (BEFORE, datetime(2026, 11, 25, 2), SWITCH, datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)):
        assert not _night(ws, night)["failure"]
    found, _states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"]))
    assert ("meijer2", "CHANGE_ORDER_UNKNOWN", PO) in found, found
    (ws.drop_root / "meijer" / "inbox").mkdir(parents=True, exist_ok=True)
    (ws.drop_root / "meijer" / "inbox" / A_850.name).write_bytes(A_850.read_bytes())
    assert not _night(ws, datetime(2026, 11, 29, 2))["failure"]
    found, states = findings_and_states(ws, lambda f: (f["partner"], f["code"], f["po_number"]))
    assert states[("meijer", PO)] != "held", states
    assert ("meijer", CODE, PO) not in found, found


def test_the_continuing_profiles_day_bounds_the_match_pure():
    from engine.early_cancel import cancels_before, kin_of
    from schemas.lifecycle import OrderRecord, OrderState, StoredChange

    record = OrderRecord("meijer", "MJ1", OrderState.RECEIVED, received_at="2026-11-29T02:00:00")
    kin = kin_of({"meijer2": "meijer"})
    continues = {"meijer2": ("meijer", "2026-11-26")}

    def change(partner: str, at: str) -> StoredChange:
        return StoredChange(7, partner, "MJ1", "000005001-5001-0001", "sha", "c.x12", at, "refused")

    early, on_day = change("meijer2", "2026-11-25T02:00:00"), change("meijer2", "2026-11-26T02:00:00")
    assert cancels_before([record], [early, on_day], kin, continues=continues) == [on_day]
    own = change("meijer", "2026-11-20T02:00:00")  # the first profile's own cancel: no day bounds it
    assert cancels_before([record], [own], kin, continues=continues) == [own]
    # an 850 of the PO came before the cancel (11-27): the cancel was about that one (refused as rejected before)
    late = change("meijer", "2026-11-28T02:00:00")
    assert cancels_before([record], [late], kin, history={("meijer", "MJ1"): [("po_received", "2026-11-27T02:00:00")]}
                          ) == []
    # answered since it came (the 850 that followed held for it and rejected): dealt with
    assert cancels_before([record], [own], kin, history={("meijer", "MJ1"): [
        ("po_received", "2026-11-22T02:00:00"), ("rejected_by_person", "2026-11-23T09:00:00")]}) == []
    assert cancels_before([record], [own], kin, history={("meijer", "MJ1"): [
        ("po_received", "2026-11-29T02:00:00")]}) == [own]


# --- a follow-up (BCH01 45) of a change answered before: our answer sent again ---------------------------------------
def _865_sets(ws) -> list[tuple[str, str, list[list[str]]]]:
    """Each 865 in GLOBEX's outbox: (ISA13, ST02, its segments from BCA to the one before SE)."""
    from parsers.x12_reader import read_interchanges

    out = []
    for path in sorted(ws.drop_root.glob("globex/outbox/*-865-*.x12")):
        rows = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
        isa13 = next(r[13] for r in rows if r[0] == "ISA")
        st = next(i for i, r in enumerate(rows) if r[0] == "ST")
        se = next(i for i, r in enumerate(rows) if r[0] == "SE")
        out.append((isa13, rows[st][2], rows[st + 1:se]))
    return out


def _repeat_found(state) -> list[str]:
    return [f["message"] for f in state.findings(partner="globex", po_number="GLOBEX-2000")
            if f["code"] == "CHANGE_REPEAT"]


def test_a_follow_up_of_an_answered_change_has_our_865_sent_again_under_new_numbers(tmp_path):
    """GLOBEX's 04 raises line 3 to 60 (865 AD); the next night its 45 (follow-up: "sent again when an expected
    response has not yet been received", code list 353) of the same change comes: the buyer says our 865 never reached
    it. The 865 we sent goes again, its content as sent (the same BCA, POC and ACK), under a new ISA13 and ST02; the
    order is not changed again. It used to send nothing (a warning asking ops to see that the answer reached it)."""
    from tests.test_rg100_partner_answers import NIGHT3

    ws = globex_night1(tmp_path / "ws")
    _860(ws, "04")
    run_stages(ws, NIGHT2)
    [(isa13, st02, body)] = _865_sets(ws)
    _860(ws, "45", control=2602, name="again.x12")
    run_stages(ws, NIGHT3)
    sets = _865_sets(ws)
    assert len(sets) == 2, sets
    isa13_again, st02_again, body_again = sets[1]
    assert body_again == body and body[0][:3] == ["BCA", "00", "AD"], (body, body_again)
    assert isa13_again != isa13 and st02_again != st02
    state = StateStore(ws.state_path)
    assert _line3(state) == Decimal(60) and state.order("globex", "GLOBEX-2000").revision == 2
    [said] = _repeat_found(state)
    assert "change.x12" in said and f"865 ISA13 {isa13} ST02 {st02}" in said and "sent again as it was" in said, said
    state.close()
    from datetime import datetime

    run_stages(ws, datetime(2026, 11, 30, 2))  # once: the follow-up's own answer is not sent again
    assert len(_865_sets(ws)) == 2


def test_a_follow_up_of_a_change_that_asked_no_answer_sends_nothing_saying_why(tmp_path):
    """The change came as a 49 (no response necessary): no 865 went, so its follow-up has none to send again; the
    warning says so (nothing on record to send, tell the buyer the change stands)."""
    from tests.test_rg100_partner_answers import NIGHT3

    ws = globex_night1(tmp_path / "ws")
    _860(ws, "49")
    run_stages(ws, NIGHT2)
    _860(ws, "45", control=2602, name="again.x12")
    run_stages(ws, NIGHT3)
    assert _865_sets(ws) == []
    state = StateStore(ws.state_path)
    [said] = _repeat_found(state)
    assert "no answer of ours to that change is on record" in said and "the change stands" in said, said
    state.close()
