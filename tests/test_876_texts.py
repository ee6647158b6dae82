"""What a person reads about a grocer's 876 says 876, and what an approval of held releases says is what happens.

Session 65 read the X12 876 (a grocer's change, parsers.orders_876) through the 860's tables, and several texts kept
saying "860" for it: the order's history ("860 change received in staterbros-876-....x12"), `approvals` ("860 in
... waits on this decision"), `status` (the changes table "changed by 860s", a change waiting on the hold), the
console's order page ("860s waiting on the hold"), `approve` ("answers the 1 860(s) that waited on it") and the
history event of the person's decision answering it. Each now names the set the change came as (CHANGE_HEADERS
set_id), through real nights of Stater Bros. (rg33's 875, then an 876). An 860 is still said as one (the existing
tests of those texts).

And `approve --all-held` said "the next run sends their 855s" for releases held since the buyer cancelled their
blanket, which resume with no new 855 (blankets5): it now says they stand and ship as answered.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlencode

from connectors.state import StateStore
from tests.retailer_support import findings_and_states, of_its_own
from tests.support import run_stages
from tests.test_blankets3 import DAY2, DAY3, _cancel_blanket, _cli
from tests.test_blankets5 import ONE, TWO, _855s, _two_releases
from tests.test_grocery_876 import CHANGE, NIGHT2, _fixtures, _two_nights
from tests.test_rg33_regional_grocers_boscovs import NIGHT, WAREHOUSES
from tests.test_rg89e import _put

PO = "SB4410027"
NIGHT3 = datetime(2026, 11, 27, 2)


def _history(ws, po: str = PO) -> list[dict]:
    state = StateStore(ws.state_path)
    try:
        return state.order_history("staterbros", po)
    finally:
        state.close()


def _restating_876() -> str:
    """The fixture's 876 with one G68 restating GRC-301 as the 875 ordered it (40 CA at 18): it changes no line."""
    segs = [s.strip() for s in CHANGE.read_text(encoding="utf-8").split("~") if s.strip()]
    kept = segs[:7] + ["G68*40*CA*18**UA*061414150301", "G69*DICED TOMATOES 14.5 OZ", "G76*40*CA"]
    return "~\n".join([*kept, f"SE*{len(kept) - 1}*0001", *segs[-2:]]) + "~\n"


def test_an_applied_876_is_named_876_in_the_history_and_the_status_changes_table(tmp_path):
    ws, _fixtures_dir = _two_nights(tmp_path, CHANGE)
    notes = [h["note"] for h in _history(ws)]
    assert f"876 change received in {CHANGE.name}" in notes, notes
    assert not [n for n in notes if "860" in n], notes
    code, text = _cli(ws, "status", PO, "--partner", "staterbros", "--asked")
    assert code == 0, text
    assert "changed by 876s (old -> new" in text and "876 file" in text and "860" not in text, text
    code, out = _cli(ws, "status", PO, "--partner", "staterbros", "--asked", "--json")
    changes = json.loads(out)["changes"]
    assert changes and {c["set"] for c in changes} == {"876"} and {c["file"] for c in changes} == {CHANGE.name}


def test_an_876_waiting_on_a_held_order_is_named_876_by_approvals_status_the_console_approve_and_the_history(
        tmp_path):
    """The 875 held for credit (the limit lowered to 8,100.00 against 8,000.00 open), the partner answering changes
    by a revised 855; the 876 restates a line as ordered (touching none): it waits on the hold. Every text naming
    it says 876; approved, the next night's 855 answers it and its history event says 876."""
    from tests.support_console import Client, ConsoleServer, add_users

    fixtures = _fixtures(tmp_path, "855")
    customers = fixtures / "reference" / "customers.csv"
    customers.write_text(customers.read_text(encoding="utf-8").replace("staterbros,400000.00", "staterbros,8100.00"),
                         encoding="utf-8")
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    (ws.drop_root / "staterbros" / "inbox" / CHANGE.name).write_text(_restating_876(), encoding="utf-8")
    run_stages(ws, NIGHT2)
    _found, states = findings_and_states(ws)
    assert states[("staterbros", PO)] == "held", states
    notes = [h["note"] for h in _history(ws)]
    assert f"876 change received in {CHANGE.name}" in notes, notes

    code, text = _cli(ws, "approvals")
    assert code == 0 and f"876 in {CHANGE.name} waits on this decision" in text, text
    code, text = _cli(ws, "status", PO, "--partner", "staterbros")
    assert code == 0 and f"876 in {CHANGE.name} (2026-11-26T02:00:00, changed no line) waits on the hold" \
        in text, text
    code, out = _cli(ws, "status", PO, "--partner", "staterbros", "--json")
    [waiting] = json.loads(out)["changes_on_hold"]
    assert waiting["set"] == "876" and waiting["file"] == CHANGE.name, waiting

    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-26T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        body = c.get("/order?" + urlencode({"partner": "staterbros", "po": PO}))[1]
    assert "<h2>876s waiting on the hold</h2>" in body, body
    section = body.split('id="changes-on-hold"')[1].split("</table>")[0]
    assert f"<td>{CHANGE.name}</td><td>876</td>" in section, section

    code, text = _cli(ws, "approve", PO, "--partner", "staterbros", "--by", "Dana", "--note", "credit raised")
    assert code == 0 and "the next run sends the 855 and answers the 1 876(s) that waited on it" in text, text
    run_stages(ws, NIGHT3)
    [answered] = [h for h in _history(ws) if h["event"] == "change_answered" and h["document_id"]]
    assert answered["note"].startswith(f"876 in {CHANGE.name} (found touching no line while the order waited for a "
                                       "person) answered"), answered


def test_approving_held_releases_in_bulk_says_they_ship_as_answered_with_no_new_855(tmp_path):
    """Releases 0001 and 0002 acknowledged, their blanket cancelled: both held. `approve --all-held` used to say
    "the next run sends their 855s"; they resume with none (the buyer has them), and it says so, per row and in
    its count. The next night sends no 855."""
    ws = _two_releases(tmp_path, "bulk")
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    _found, states = findings_and_states(ws)
    assert states[ONE] == states[TWO] == "held", states
    held = [k for k, s in states.items() if s == "held"]
    before = _855s(ws)
    code, text = _cli(ws, "approve", "--all-held", "--partner", "fastenal", "--by", "Kim", "--dry-run")
    assert code == 0 and "would stand and ship as answered (no new 855)" in text, text
    code, text = _cli(ws, "approve", "--all-held", "--partner", "fastenal", "--by", "Kim", "--note", "they stand")
    assert code == 0, text
    assert "the next run sends their 855s" not in text, text
    assert "stands and ships as answered (no new 855)" in text, text
    if len(held) == 2:  # the two releases alone
        assert "2 order(s) approved by Kim, 0 skipped; 2 release(s) stand and ship as answered (no new 855: the " \
               "buyer has one)." in text, text
    else:
        assert f"the next run sends the 855s of {len(held) - 2}; 2 release(s) stand and ship as answered" in text, text
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    assert states[ONE] == states[TWO] == "acknowledged", states
    assert len(_855s(ws)) == len(before) + len(held) - 2, _855s(ws)



def _ordered_evidence(ws) -> set[tuple[str, int, str]]:
    """The reconciliation of 2026-12-05 (nothing shipped by the promised 12-01): the ordered side of its exceptions'
    evidence, as (exception type, line, the set it names)."""
    from flows.night import reconcile_stage

    reconcile_stage(str(ws.root), datetime(2026, 12, 5, 3).isoformat(), "20261205")
    state = StateStore(ws.state_path)
    try:
        found = {r["exception_id"]: (r["type"], r["line_number"]) for r in state.exceptions_of_order("staterbros", PO)}
        rows = state.exception_evidence(list(found)).to_pylist()
    finally:
        state.close()
    return {(*found[r["exception_id"]], r["doc_type"]) for r in rows if r["role"] == "ordered"}


def test_the_reconciliation_names_the_ordered_side_875_and_876(tmp_path):
    """The evidence of an exception named the order's side "850", or "860" once changed, for a grocer's 875 and
    876 too: it names the set each line's revision came as."""
    fixtures = _fixtures(tmp_path / "a")
    ws = of_its_own(fixtures, tmp_path / "a" / "ws", warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    assert _ordered_evidence(ws) == {("NOT_SHIPPED_BY_PROMISED_DATE", 1, "875"),
                                     ("NOT_SHIPPED_BY_PROMISED_DATE", 2, "875")}
    ws, _fixtures_dir = _two_nights(tmp_path / "b", CHANGE)
    evidence = _ordered_evidence(ws)
    assert evidence and {d for _t, _n, d in evidence} == {"876"}, evidence


def test_an_876_before_its_875_waits_saying_so(tmp_path):
    """An 876 whose 875 has not come (early_change_days: kept pending): the warning and `status` said "the 860 waits
    for its 850"; they say the 876 waits for its 875. The 875 the next night: the change is applied."""
    fixtures = _fixtures(tmp_path)
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    inbox = ws.drop_root / "staterbros" / "inbox"
    order = next(inbox.glob("staterbros-875-*"))
    held_back = tmp_path / order.name
    order.rename(held_back)
    (inbox / CHANGE.name).write_bytes(CHANGE.read_bytes())
    run_stages(ws, NIGHT)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["message"], f["consequence"]))
    [(said, consequence)] = [(m, c) for code, m, c in found if code == "CHANGE_AWAITING_ORDER"]
    assert said.startswith(f"We hold no order of PO {PO} yet: the 876 waits for its 875 (a buyer's 875 and 876 may "
                           "come out of order)"), said
    assert consequence == "876 kept pending for its 875; nothing sent yet", consequence
    code, text = _cli(ws, "status", PO, "--partner", "staterbros")
    assert f"its 876 waits for its 875 (staterbros's 876 in {CHANGE.name}, received 2026-11-25): applied the " \
           "night the 875 comes" in text, text
    held_back.rename(inbox / order.name)
    run_stages(ws, NIGHT2)
    notes = [h["note"] for h in _history(ws)]
    assert f"changed by 876 in {CHANGE.name}: lines [1, 2, 3]" in notes, notes
    _found, states = findings_and_states(ws)
    assert states[("staterbros", PO)] == "acknowledged", states
