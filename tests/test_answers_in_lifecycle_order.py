"""One run's documents of an order go out in lifecycle order (engine.lifecycle.doc_order): the order's first answer
(its 855, BAK01 00) before the answers to its changes (an 865; a revised 855, BAK01 05), in control numbers (ISA13,
GS06, ST02) and in the order delivery writes them (by document id), packed by delivery.batch or not; and an
order's 856 before its 810. A buyer's system may refuse a change acknowledgment for an order it has not seen
acknowledged: the 865 answering an 860 that came with its 850 (or was replayed once a person decided the held
order) used to be numbered before the order's 855."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from engine.lifecycle import in_lifecycle_order
from parsers.x12_reader import read_interchanges
from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
from tests.support import REPO, make_workspace, run_stages, shipping_demo

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)
GLOBEX_CHANGE = REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12"
ACME_CHANGE = REPO / "sample_files" / "drops-day2" / "acme" / "acme-change-01.x12"
# ACME-1000's 860 with one POC, for a line the order does not have: refused (CHANGE_LINE_UNKNOWN), nothing touched
ACME_REFUSED = (b"POC*1*QI*20*20*EA*19.70*PE*UP*614141100101~\nPOC*3*DI***EA***UK*00614141100804~\nCTT*2~\nSE*6*",
                b"POC*9*QI*5*5*EA*1.00*PE*UP*614141100101~\nCTT*1~\nSE*5*")


def sent(ws, partner: str, run_id: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The partner's 855s and 865s (of ``run_id``) in the order they were written: each document's type and its
    sets' (PO, BAK01/BCA01 purpose). Asserts the control numbers ascend in that order: ISA13, GS06, and ST02 set
    after set."""
    state = StateStore(ws.state_path)
    docs = [d for d in sorted(state.documents(partner), key=lambda d: d.id)
            if d.doc_type in ("855", "865") and (run_id is None or d.run_id == run_id)]
    state.close()
    out, numbers = [], []
    for d in docs:
        rows = read_interchanges(d.content).segments.elements.to_pylist()
        gs06 = next(r[6] for r in rows if r[0] == "GS")
        sets = [(r[3], r[1]) for r in rows if r[0] in ("BAK", "BCA")]
        numbers += [(int(d.isa13), int(gs06), int(r[2])) for r in rows if r[0] == "ST"]
        out.append((d.doc_type, sets))
    assert numbers == sorted(numbers) and len({n[2] for n in numbers}) == len(numbers)
    return out


def _globex_with_its_change(root, batch: str = ""):
    """The demo's globex night 1 with day 2's 860 (GLOBEX-2000 cut, raised and repriced; GLOBEX-2999 unknown) in
    the same inbox: the change applied before the order is answered."""
    ws = make_workspace(root, partners=("globex",))
    (ws.drop_root / "globex" / "inbox" / "zz-change.x12").write_bytes(GLOBEX_CHANGE.read_bytes())
    if batch:
        profile = ws.partners_dir / "globex.toml"
        profile.write_text(profile.read_text() + f"\n[delivery]\nbatch = {batch}\n")
    return ws


def test_an_865_for_a_change_before_the_first_answer_follows_the_orders_855(tmp_path):
    ws = _globex_with_its_change(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    assert sent(ws, "globex") == [
        ("865", [("GLOBEX-2999", "00")]),  # no such order: answered where it stands
        ("855", [("GLOBEX-2000", "00")]), ("865", [("GLOBEX-2000", "00")]),  # it used to be 865, then 855
        ("855", [("GLOBEX-2001", "00")]), ("855", [("GLOBEX-2011", "00")])]


def test_packed_by_delivery_batch_the_865s_follow_the_855s_they_answer_changes_of(tmp_path):
    ws = _globex_with_its_change(tmp_path / "ws", batch='"run"')
    run_stages(ws, NIGHT1)
    assert sent(ws, "globex") == [  # the 865 interchange used to come first (ISA13 7, the 855s' 8)
        ("855", [("GLOBEX-2000", "00"), ("GLOBEX-2001", "00"), ("GLOBEX-2011", "00")]),
        ("865", [("GLOBEX-2000", "00"), ("GLOBEX-2999", "00")])]


def test_an_865_replayed_once_a_person_decides_follows_the_orders_first_855(tmp_path):
    """An 860 cutting GLOBEX-2000's price past the approval threshold in the 850's night: the order is held; the
    night after the person's approval answers the order (855) and the change (865), in that order."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = make_workspace(tmp_path / "ws", partners=("globex",))
    data = GLOBEX_CHANGE.read_bytes().replace(b"POC|4|PC|36|36|EA|38.00|PE|VN|VP-1003~",
                                              b"POC|4|PC|36|36|EA|20.00|PE|VN|VP-1003~")
    (ws.drop_root / "globex" / "inbox" / "zz-change.x12").write_bytes(data)
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    assert state.order("globex", "GLOBEX-2000").state == "held"
    state.close()
    res = CliRunner().invoke(app, ["approve", "GLOBEX-2000", "--partner", "globex", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, NIGHT2)
    assert sent(ws, "globex", run_id="20261128") == [("855", [("GLOBEX-2000", "00")]),
                                                     ("865", [("GLOBEX-2000", "00")])]


def _acme_with_a_refused_change(root, *, receives_865: bool = True, batch: str = ""):
    ws = make_workspace(root, partners=("acme",))
    data = ACME_CHANGE.read_bytes().replace(*ACME_REFUSED)
    assert data != ACME_CHANGE.read_bytes()
    (ws.drop_root / "acme" / "inbox" / "zz-change.x12").write_bytes(data)
    profile = ws.partners_dir / "acme.toml"
    text = profile.read_text()
    if not receives_865:
        text = text.replace('"855", "865"', '"855"')
    profile.write_text(text + (f"\n[delivery]\nbatch = {batch}\n" if batch else ""))
    return ws


def test_an_855_partners_865_refusing_a_change_follows_the_orders_855(tmp_path):
    """ACME answers changes by revised 855s but receives 865s: a change refused before its order is answered
    gets an 865 (IR/RD) at once, which used to be numbered before the order's 855."""
    ws = _acme_with_a_refused_change(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    assert sent(ws, "acme") == [("855", [("ACME-1000", "00")]), ("865", [("ACME-1000", "00")]),
                                ("855", [("ACME-1001", "00")])]


def test_a_revised_855_for_a_change_before_the_first_answer_follows_the_orders_855(tmp_path):
    """A partner answered by revised 855s alone: the change refused before ACME-1000 is answered gets a revised
    855 (BAK01 05) of the night's decision, after the decision's 855 (BAK01 00). This order held before
    (answer_ranks leaves those 855s out of the answers numbered first); in_lifecycle_order keeps it."""
    ws = _acme_with_a_refused_change(tmp_path / "ws", receives_865=False)
    run_stages(ws, NIGHT1)
    assert sent(ws, "acme") == [("855", [("ACME-1000", "00")]), ("855", [("ACME-1001", "00")]),
                                ("855", [("ACME-1000", "05")])]


def test_a_revised_855_packed_by_delivery_batch_follows_the_855s(tmp_path):
    ws = _acme_with_a_refused_change(tmp_path / "ws", receives_865=False, batch='"run"')
    run_stages(ws, NIGHT1)
    assert sent(ws, "acme") == [("855", [("ACME-1000", "00"), ("ACME-1001", "00")]), ("855", [("ACME-1000", "05")])]


def test_an_orders_856_goes_before_its_810(tmp_path):
    """The 856s of a run's shipments are numbered in the ship stage, the 810s billing them in the invoice stage
    after it: in the demo's runs that ship and bill an order, its 856 comes first."""
    ws = shipping_demo(tmp_path / "ws")["ws"]
    state = StateStore(ws.state_path)
    docs = sorted((d for d in state.documents() if d.doc_type in ("856", "810")), key=lambda d: d.id)
    state.close()
    both = 0
    for d in docs:
        if d.doc_type == "810":
            shipped = [s for s in docs if s.doc_type == "856" and (s.partner, s.po_number, s.run_id) ==
                       (d.partner, d.po_number, d.run_id)]
            assert shipped and all(int(s.isa13) < int(d.isa13) and s.id < d.id for s in shipped)
            both += 1
    assert both >= 4


# --- the planner, pure ------------------------------------------------------------------------------------
def _doc(doc_type: str, *sets: tuple[str, str]) -> PlannedDocument:
    return PlannedDocument("p", doc_type, {"855": "PR", "865": "CA"}[doc_type],
                           tuple(PlannedSet(key, po_number=po) for key, po in sets))


def _keys(plan: Plan) -> list[list[str]]:
    return [[s.doc_key for s in d.sets] for d in plan.documents]


def test_a_plan_already_in_lifecycle_order_is_returned_as_it_is():
    plan = Plan(documents=(_doc("865", ("865:c1", "OLD")), _doc("855", ("855:A", "A")), _doc("865", ("865:c2", "A"))))
    assert in_lifecycle_order(plan, {("p", "A")}, {"865:c1", "865:c2"}) is plan
    assert in_lifecycle_order(plan, set(), set()) is plan


def test_answers_wait_for_the_orders_first_answer_and_keep_their_order():
    plan = Plan(documents=(
        _doc("865", ("865:c1", "A")),  # waits for A's 855
        _doc("865", ("865:c2", "OLD")),  # an order answered before: where it stands
        _doc("855", ("855:c3", "B")),  # a revised 855 under a change's key: waits for B's
        _doc("855", ("855:A", "A")),
        _doc("865", ("865:c4", "A"), ("865:c5", "B")),  # packed: waits for both
        _doc("855", ("855:B", "B"))))
    ordered = in_lifecycle_order(plan, {("p", "A"), ("p", "B")}, {"865:c1", "865:c2", "855:c3", "865:c4", "865:c5"})
    assert _keys(ordered) == [["865:c2"], ["855:A"], ["865:c1"], ["855:B"], ["855:c3"], ["865:c4", "865:c5"]]
    # B answered before this plan: its 855 is a revision, the answers to its changes keep their places
    assert _keys(in_lifecycle_order(plan, {("p", "A")}, {"865:c1", "865:c2", "855:c3", "865:c4", "865:c5"})) == [
        ["865:c2"], ["855:c3"], ["855:A"], ["865:c1"], ["865:c4", "865:c5"], ["855:B"]]


def test_inside_one_interchange_a_revised_855_follows_the_first_one():
    plan = Plan(documents=(_doc("855", ("855:c1", "A"), ("855:B", "B"), ("855:A", "A")),))
    ordered = in_lifecycle_order(plan, {("p", "A"), ("p", "B")}, {"855:c1"})
    assert _keys(ordered) == [["855:B", "855:A", "855:c1"]]


def test_an_855_partners_change_before_the_first_answer_gets_no_855_of_its_own(tmp_path):
    """docs/lifecycle.md's example: ACME-1000's 860 (line 1 raised 10 -> 20, line 3 deleted) in its 850's night,
    change_answer "always" or "on_change": the order's one 855 (BAK01 00) states the order as changed; the change
    is answered by it, no revised 855."""
    for answer in ("always", "on_change"):
        ws = make_workspace(tmp_path / answer, partners=("acme",))
        (ws.drop_root / "acme" / "inbox" / "zz-change.x12").write_bytes(ACME_CHANGE.read_bytes())
        profile = ws.partners_dir / "acme.toml"
        profile.write_text(profile.read_text().replace('change_ack = "855"',
                                                       f'change_ack = "855"\nchange_answer = "{answer}"'))
        run_stages(ws, NIGHT1)
        assert [d for d in sent(ws, "acme") if d[1][0][0] == "ACME-1000"] == [("855", [("ACME-1000", "00")])]
        state = StateStore(ws.state_path)
        [doc] = [d for d in state.documents("acme") if d.po_number == "ACME-1000"]
        assert [c.status for c in state.pending_changes(statuses=None)] == ["answered"]
        state.close()
        lines = [r[1:3] for r in read_interchanges(doc.content).segments.elements.to_pylist() if r[0] == "PO1"]
        assert lines == [["1", "20"], ["2", "24"]]
