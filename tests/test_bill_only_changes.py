"""An 860 to a bill-only order (tests/test_bill_only_orders.py: implants a surgery used from the buyer's consigned
stock, acknowledged, recorded used at the invoice stage with no 856 and billed from the PO). Mayo Clinic's bill-only
PO of the rg73 sweep (MC7300406: line 1 two bone screws at 412, line 2 one spinal rod at 1250), Mayo answered by
revised 855s (change_ack = "855": it takes no 865), one variant receiving 865s.

Before it is billed (its 860 in the PO's drop, or the next night while its 810 waits: the invoice stage did not run),
the change is taken as on any order not shipped: the order decided again, still bill-only (nothing reserved), its
one usage record and one 810 of the order as changed; a cancel cancels it, nothing recorded used nor billed.

After it is billed (its 810 went; the order invoiced, not yet closed): a raise or an added line is billed once, by a
usage record and an 810 of the new units alone, never reserved nor waiting for a shipment; a decrease or a cancel
cannot unbill what the 810 billed: the change is refused for those units (IR, the order as it stands), a
CHANGE_BELOW_SHIPPED says so and BILL_ONLY_CREDIT_DUE tells finance a credit memo is theirs to issue (OrderBridge
sends none), the order stays billed and closes (that night's invoice stage: its 810 was delivered). A closed
order takes no change (CHANGE_AFTER_SHIPMENT); its cancel is a BILL_ONLY_CREDIT_DUE too. The reconciliation
finds every such order's lines matched (its only exceptions: no 997 came back for our documents, which these tests
do not send)."""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import pytest

from tests.retailer_support import of_its_own, segments
from tests.support import REPO, deliver_all, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg73"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
PO = FIXTURES / "billonly" / "GHX_850_MC7300406.x12"
KEY = ("mayo", "MC7300406")
NIGHTS = [datetime(2026, 11, d, 2) for d in (25, 26, 27, 28)]
RAISE = ["POC*1*QI*3**EA*412**VN*RG73-05*UP*614141730506"]  # the surgery used 3 screws, not 2
LOWER = ["POC*1*QD*1**EA*412**VN*RG73-05*UP*614141730506"]  # ... 1, not 2
ADD = ["POC*3*AI*1**EA*1250**VN*RG73-06*UP*614141730605"]  # and a second rod
RECEIVES_865 = ('receives = ["997", "855", "856", "810"]', 'receives = ["997", "855", "865", "856", "810"]')


def _860(pocs: list[str], *, purpose: str = "04") -> bytes:
    """Mayo's 860 (GHX, 004010) for the bill-only PO: BCH, the POCs, CTT."""
    body = [f"BCH*{purpose}*SA*MC7300406**1*20261124", *pocs, f"CTT*{sum(p.startswith('POC*') for p in pocs)}"]
    return ("ISA*00*          *00*          *ZZ*GHXMAYO        *ZZ*ORDERBRIDGE    *261124*0230*U*00401*000073008*0*P"
            "*>~\nGS*PC*MAYOSCM*ORDERBRIDGE*20261124*0230*73008*X*004010~\nST*860*73008~\n"
            + "".join(s + "~\n" for s in body)
            + f"SE*{len(body) + 2}*73008~\nGE*1*73008~\nIEA*1*000073008~\n").encode()


def _workspace(tmp_path, *, swaps=()):
    copy = tmp_path / "rg73"
    shutil.copytree(FIXTURES, copy)
    for f in (copy / "drops" / "mayo").iterdir():
        f.unlink()
    shutil.copy2(PO, copy / "drops" / "mayo" / PO.name)
    profile = copy / "partners" / "mayo.toml"
    text = profile.read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    profile.write_text(text, encoding="utf-8")
    return of_its_own(copy, tmp_path / "ws", {"mayo": [PO.name]}, warehouses=WAREHOUSES)


def _drop(ws, pocs, *, purpose="04"):
    (ws.drop_root / "mayo" / "inbox" / "GHX_860_MC7300406.x12").write_bytes(_860(pocs, purpose=purpose))


def _night(ws, now, *, invoice: bool = True):
    """A night: every stage (``invoice`` False: intake and decide alone, as a night whose ship and invoice stage
    did not run: the 810 waits), then every document delivered."""
    if invoice:
        run_stages(ws, now)
    else:
        from connectors.local import LocalDrop
        from connectors.reference import load_reference
        from connectors.state import StateStore
        from flows import steps

        state = StateStore(ws.state_url)
        try:
            profiles = ws.partners()
            for pid, p in sorted(profiles.items()):
                steps.intake_partner(ws, p, state, LocalDrop(ws.drop_root / pid), now=now, run_id="intake")
            steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir),
                             steps.load_inventory(ws, now.date()), now=now, run_id="intake")
        finally:
            state.close()
    deliver_all(ws, now)


def _facts(ws) -> dict:
    """The order as stored: state, lines (number, ordered, shipped, invoiced, reason's mark), reservations, usage
    records (id, lines), invoices, findings (code, severity, message) and history events."""
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        order = {o.key: o for o in state.orders()}[KEY]
        return {
            "state": order.state.value,
            "lines": [(ln.line_number, ln.ordered, ln.shipped, ln.invoiced, ln.reason.startswith("bill_only"))
                      for ln in state.order_lines(*KEY)],
            "reserved": state.order_reservations(*KEY),
            "usage": [(s.warehouse, s.shipment_id, sorted((ln.line_number, ln.quantity) for ln in s.lines))
                      for s in state.shipments_for_order(*KEY)],
            "invoices": [v.invoice_number for v in state.invoices()],
            "findings": [(f["code"], f["severity"], f["message"]) for f in state.findings()
                         if f["po_number"] == KEY[1] and f["code"] not in ("NOTES_NOT_KEPT", "LINE_DATES_NOT_APPLIED")],
            "events": [e["event"] for e in state.order_history(*KEY)],
        }
    finally:
        state.close()


def _invoices(ws) -> list[list[list[str]]]:
    """Each 810 sent for the PO: its IT1 and TDS segments, in the order sent."""
    sent, current = [], None
    for s in segments(ws, "mayo", "810"):
        if s[0] == "BIG":
            current = [] if s[4] == KEY[1] else None
            if current is not None:
                sent.append(current)
        elif current is not None and s[0] in ("IT1", "TDS"):
            current.append(s[:4] if s[0] == "IT1" else s)
    return sent


def _answers(ws, kind: str = "855") -> list[list[list[str]]]:
    """Each 855 (or 865) sent for the PO: its BAK/BCA, PO1/POC (first four elements) and ACK (first three)."""
    out, current = [], None
    for s in segments(ws, "mayo", kind):
        if s[0] in ("BAK", "BCA"):
            current = [s[:3]] if s[3] == KEY[1] else None
            if current is not None:
                out.append(current)
        elif current is not None and s[0] in ("PO1", "POC"):
            current.append(s[:4])
        elif current is not None and s[0] == "ACK":
            current.append(s[:3])
    return out


def _reconciled_clean(ws, now) -> None:
    """The reconciliation's exceptions for the PO are only DOCUMENT_UNACKNOWLEDGED (no 997 came back for our
    855/865/810: the tests send none) and its lines are matched: each line's ordered = shipped (used) = invoiced."""
    import pyarrow.csv as pv

    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=now, run_id="rec")
        found = {e["type"] for e in state.stored_exceptions(po_number=KEY[1]).to_pylist()}
    finally:
        state.close()
    assert found <= {"DOCUMENT_UNACKNOWLEDGED"}, found
    [matched] = list((ws.reports_dir / "rec").rglob("lines.csv"))
    rows = [r for r in pv.read_csv(matched).to_pylist() if r["po_number"] == KEY[1]]
    assert rows and all(r["exceptions"] == 0 for r in rows), rows
    assert all(r["ordered_quantity"] == r["shipped_quantity"] == r["invoiced_quantity"] for r in rows), rows


def _no_856(ws) -> bool:
    return not list((ws.drop_root / "mayo" / "outbox").glob("mayo-856-*"))


# --- before it is billed -------------------------------------------------------------------------------------------

def test_a_raise_in_the_pos_own_drop_is_acknowledged_as_changed_and_billed_once(tmp_path):
    ws = _workspace(tmp_path)
    _drop(ws, RAISE)
    _night(ws, NIGHTS[0])
    got = _facts(ws)
    # one 855 answers both (BAK01 00): the order as the change left it
    assert _answers(ws) == [[["BAK", "00", "AD"], ["PO1", "1", "3", "EA"], ["ACK", "IA", "3"],
                             ["PO1", "2", "1", "EA"], ["ACK", "IA", "1"]]]
    assert got["state"] == "invoiced" and got["reserved"] == [] and _no_856(ws)
    assert got["lines"] == [(1, 3, 3, 3, True), (2, 1, 1, 1, True)]
    assert got["usage"] == [("bill_only", "USE-MC7300406-2", [(1, 3), (2, 1)])]
    assert _invoices(ws) == [[["IT1", "1", "3", "EA"], ["IT1", "2", "1", "EA"], ["TDS", "248600"]]]


def test_an_added_line_in_the_pos_own_drop_is_billed_with_the_others(tmp_path):
    ws = _workspace(tmp_path)
    _drop(ws, ADD)
    _night(ws, NIGHTS[0])
    got = _facts(ws)
    assert got["lines"] == [(1, 2, 2, 2, True), (2, 1, 1, 1, True), (3, 1, 1, 1, True)] and got["reserved"] == []
    assert _invoices(ws) == [[["IT1", "1", "2", "EA"], ["IT1", "2", "1", "EA"], ["IT1", "3", "1", "EA"],
                              ["TDS", "332400"]]]


def test_a_cancel_in_the_pos_own_drop_cancels_it_nothing_used_nor_billed(tmp_path):
    ws = _workspace(tmp_path)
    _drop(ws, [], purpose="01")
    _night(ws, NIGHTS[0])
    got = _facts(ws)
    assert got["state"] == "cancelled" and got["usage"] == [] and got["invoices"] == [] and got["reserved"] == []
    assert _answers(ws) == [[["BAK", "05", "RD"], ["PO1", "1", "2", "EA"], ["ACK", "IR", "2"],
                             ["PO1", "2", "1", "EA"], ["ACK", "IR", "1"]]]
    assert not _invoices(ws) and _no_856(ws)


@pytest.mark.parametrize("pocs, lines, total", [
    (RAISE, [(1, 3, 3, 3, True), (2, 1, 1, 1, True)], "248600"),
    (LOWER, [(1, 1, 1, 1, True), (2, 1, 1, 1, True)], "166200")])
def test_a_change_the_next_night_while_its_810_waits_is_billed_as_changed_once(tmp_path, pocs, lines, total):
    """The PO's night ran no invoice stage (the 855 went, the usage not recorded, no 810): the next night's 860
    decides it again (a revised 855, BAK01 05, states it as changed), then its one usage record and one 810 bill it
    as changed; nothing reserved either night."""
    ws = _workspace(tmp_path)
    _night(ws, NIGHTS[0], invoice=False)
    assert _facts(ws)["state"] == "acknowledged" and _facts(ws)["reserved"] == [] and not _invoices(ws)
    _drop(ws, pocs)
    _night(ws, NIGHTS[1])
    got = _facts(ws)
    first, revised = _answers(ws)
    assert first[0] == ["BAK", "00", "AD"] and revised[0][:2] == ["BAK", "05"]
    assert revised[1:3] == [["PO1", "1", str(lines[0][1]), "EA"], ["ACK", "IA", str(lines[0][1])]]
    assert got["state"] == "invoiced" and got["lines"] == lines and got["reserved"] == []
    assert [u[1] for u in got["usage"]] == ["USE-MC7300406-2"] and got["invoices"] == ["INV0000001"]
    assert [inv[-1] for inv in _invoices(ws)] == [["TDS", total]] and _no_856(ws)
    assert not [f for f in got["findings"] if f[1] == "error"]


def test_a_cancel_the_next_night_while_its_810_waits_cancels_it_nothing_used_nor_billed(tmp_path):
    ws = _workspace(tmp_path)
    _night(ws, NIGHTS[0], invoice=False)
    _drop(ws, [], purpose="01")
    _night(ws, NIGHTS[1])
    got = _facts(ws)
    assert got["state"] == "cancelled" and got["usage"] == [] and got["invoices"] == [] and got["reserved"] == []
    assert _answers(ws)[-1][0] == ["BAK", "05", "RD"] and not _invoices(ws)


# --- after it is billed --------------------------------------------------------------------------------------------

def _billed_then(tmp_path, pocs, *, purpose="04", swaps=(), closed=False):
    """The PO's night (usage recorded, 810 INV0000001 for 2 screws and a rod, 2074.00), then the 860 the next night
    (the order invoiced: its 810 went, not yet closed) or, ``closed``, the night after (the 810 delivered: closed),
    then one more night."""
    ws = _workspace(tmp_path, swaps=swaps)
    _night(ws, NIGHTS[0])
    if closed:
        _night(ws, NIGHTS[1])
        assert _facts(ws)["state"] == "closed"
    _drop(ws, pocs, purpose=purpose)
    _night(ws, NIGHTS[2 if closed else 1])
    return ws


def test_a_raise_after_it_was_billed_bills_the_new_units_once_nothing_reserved_nor_waiting(tmp_path):
    """Used to backorder the new screw, reserve it at the east DC the same night and wait, partially shipped, for a
    shipment that never comes (the line's reason lost the bill-only mark): the raised units are placed as the first
    were, recorded used (USE-<PO>-2) and billed by a second 810 of them alone."""
    ws = _billed_then(tmp_path, RAISE)
    got = _facts(ws)
    assert got["reserved"] == [] and got["state"] == "invoiced", got
    assert got["lines"] == [(1, 3, 3, 3, True), (2, 1, 1, 1, True)]
    assert got["usage"] == [("bill_only", "USE-MC7300406", [(1, 2), (2, 1)]),
                            ("bill_only", "USE-MC7300406-2", [(1, 1)])]
    assert _invoices(ws) == [[["IT1", "1", "2", "EA"], ["IT1", "2", "1", "EA"], ["TDS", "207400"]],
                             [["IT1", "1", "1", "EA"], ["TDS", "41200"]]]
    # the revised 855 says the line is now 3
    assert _answers(ws)[-1][:3] == [["BAK", "05", "AD"], ["PO1", "1", "3", "EA"], ["ACK", "IA", "3"]]
    assert "change_reopened" in got["events"] and "backorder_allocated" not in got["events"] and _no_856(ws)
    _night(ws, NIGHTS[2])
    assert _facts(ws)["state"] == "closed" and len(_invoices(ws)) == 2  # nothing billed twice
    _reconciled_clean(ws, NIGHTS[2])


def test_a_line_added_after_it_was_billed_is_billed_once_by_an_810_of_its_own(tmp_path):
    ws = _billed_then(tmp_path, ADD)
    got = _facts(ws)
    assert got["lines"] == [(1, 2, 2, 2, True), (2, 1, 1, 1, True), (3, 1, 1, 1, True)] and got["reserved"] == []
    assert _invoices(ws) == [[["IT1", "1", "2", "EA"], ["IT1", "2", "1", "EA"], ["TDS", "207400"]],
                             [["IT1", "3", "1", "EA"], ["TDS", "125000"]]]
    _night(ws, NIGHTS[2])
    assert _facts(ws)["state"] == "closed" and len(_invoices(ws)) == 2
    _reconciled_clean(ws, NIGHTS[2])


@pytest.mark.parametrize(("pocs", "units", "total"), [
    (RAISE, "line 1: 1 EA at 412 (412.00), beyond the 2 billed before", "412.00"),
    (ADD, "line 3: 1 EA at 1250 (1250.00), a line new on the order", "1250.00")])
def test_a_second_810_of_units_added_after_the_first_is_a_finding_naming_it_and_what_it_bills(tmp_path, pocs, units,
                                                                                                total):
    """A raise (3 screws, not 2) or an added rod after the 810 went is billed by a second 810 of the new units alone,
    automatically (billonly's design, kept). Finance used to learn of that supplementary invoice only from `status`:
    a BILL_ONLY_INVOICED_AGAIN warning in the night's findings (the failure report) now names the 810 (its BIG02),
    the units of each line it bills at their price, its total, and that the units of the earlier 810s are not billed
    again. The first 810 raises none (nothing was billed before it)."""
    ws = _billed_then(tmp_path, pocs)
    got = _facts(ws)
    assert got["invoices"] == ["INV0000001", "INV0000002"], got
    [said] = [m for c, s, m in got["findings"] if c == "BILL_ONLY_INVOICED_AGAIN" and s == "warning"]
    assert said.startswith("PO MC7300406 is bill-only and its 810 INV0000001 billed it before; 810 INV0000002 "), said
    assert f": {units}; total {total}." in said, said
    assert "not billed again" in said, said


def _credit(got) -> list[str]:
    return [m for c, s, m in got["findings"] if c == "BILL_ONLY_CREDIT_DUE" and s == "warning"]


def test_a_decrease_after_it_was_billed_cannot_unbill_it_and_tells_finance_a_credit_is_theirs(tmp_path):
    ws = _billed_then(tmp_path, LOWER)
    got = _facts(ws)
    # answered, then closed by the same night's invoice stage (its 810 delivered): still billed as it was
    assert got["lines"] == [(1, 2, 2, 2, True), (2, 1, 1, 1, True)] and got["state"] == "closed"
    assert got["events"][-2:] == ["change_answered", "closed"]
    assert got["reserved"] == [] and got["invoices"] == ["INV0000001"] and len(_invoices(ws)) == 1
    # the revised 855 restates the order as it stands: line 1 still 2
    assert _answers(ws)[-1][:3] == [["BAK", "05", "AD"], ["PO1", "1", "2", "EA"], ["ACK", "IA", "2"]]
    assert [c for c, s, _m in got["findings"] if s == "error"] == ["CHANGE_BELOW_SHIPPED"]
    [credit] = _credit(got)
    assert "line 1: 1 of 2 billed unit(s) at 412 (412.00)" in credit and "credit memo is finance's" in credit
    assert "OrderBridge sends no credit memo" in credit
    _reconciled_clean(ws, NIGHTS[1])


def test_a_partner_taking_865s_is_told_the_decrease_was_refused_for_the_billed_units(tmp_path):
    ws = _billed_then(tmp_path, LOWER, swaps=[RECEIVES_865])
    assert _answers(ws, "865") == [[["BCA", "00", "RD"], ["POC", "1", "QD", "1"], ["ACK", "IR", "2"]]]
    assert len(_answers(ws)) == 1  # the order's 855 alone
    assert len(_credit(_facts(ws))) == 1


def test_a_cancel_after_it_was_billed_is_a_finding_for_finance_never_a_silent_state_change(tmp_path):
    ws = _billed_then(tmp_path, [], purpose="01", swaps=[RECEIVES_865])
    got = _facts(ws)
    assert got["events"][-2:] == ["change_answered", "closed"] and "change_cancelled" not in got["events"]
    assert got["lines"] == [(1, 2, 2, 2, True), (2, 1, 1, 1, True)] and got["reserved"] == []
    assert _answers(ws, "865") == [[["BCA", "00", "RD"], ["POC", "1", "DI", ""], ["ACK", "IR", "2"],
                                    ["POC", "2", "DI", ""], ["ACK", "IR", "1"]]]
    [credit] = _credit(got)
    assert "line 1: 2 of 2 billed unit(s) at 412 (824.00); line 2: 1 of 1 billed unit(s) at 1250 (1250.00); " \
           "2074.00 in all" in credit
    assert len(_invoices(ws)) == 1 and _no_856(ws)
    _reconciled_clean(ws, NIGHTS[1])


def test_a_closed_order_takes_no_change_and_its_cancel_is_a_finding_for_finance(tmp_path):
    ws = _billed_then(tmp_path, [], purpose="01", closed=True)
    got = _facts(ws)
    assert got["state"] == "closed" and got["events"][-1] == "change_refused"
    assert [c for c, s, _m in got["findings"] if s == "error"] == ["CHANGE_AFTER_SHIPMENT"]
    assert len(_credit(got)) == 1 and len(_invoices(ws)) == 1 and got["reserved"] == []
    # the revised 855 restates the order as it stands
    assert _answers(ws)[-1][0] == ["BAK", "05", "AD"]


def test_a_raise_of_a_closed_order_is_refused_whole_and_owes_no_credit(tmp_path):
    """Refused (the order is closed), nothing billed again nor credited; the buyer says one more screw was used, so
    finance is told a supplementary invoice is theirs to issue (it used to be said nowhere: the screw never billed)."""
    ws = _billed_then(tmp_path, RAISE, closed=True)
    got = _facts(ws)
    assert got["state"] == "closed" and [c for c, _s, _m in got["findings"]] == [
        "CHANGE_AFTER_SHIPMENT", "BILL_ONLY_INVOICE_DUE"]
    assert got["lines"] == [(1, 2, 2, 2, True), (2, 1, 1, 1, True)] and got["reserved"] == []
    assert len(_invoices(ws)) == 1 and _credit(got) == []
    [due] = _invoice_due(got)
    assert "line 1: 1 unit(s) more than the 2 billed, at 412 (412.00); 412.00 in all" in due


def _invoice_due(got) -> list[str]:
    return [m for c, s, m in got["findings"] if c == "BILL_ONLY_INVOICE_DUE" and s == "warning"]


def test_a_line_added_to_a_closed_order_is_refused_and_tells_finance_a_supplementary_invoice_is_due(tmp_path):
    """A second rod the buyer says it used, in an 860 after the order closed: refused (CHANGE_AFTER_SHIPMENT), no 810
    (nothing billed twice, nothing billed without an order line), and BILL_ONLY_INVOICE_DUE names the units and their
    value for finance, who bills them apart (OrderBridge sends no 810 for a closed order)."""
    ws = _billed_then(tmp_path, ADD, closed=True)
    got = _facts(ws)
    assert got["state"] == "closed" and got["lines"] == [(1, 2, 2, 2, True), (2, 1, 1, 1, True)]
    assert [c for c, s, _m in got["findings"] if s == "error"] == ["CHANGE_AFTER_SHIPMENT"]
    assert len(_invoices(ws)) == 1 and got["invoices"] == ["INV0000001"] and got["reserved"] == [] and _no_856(ws)
    [due] = _invoice_due(got)
    assert "PO MC7300406 is bill-only and closed" in due
    assert "line 3 (added): 1 unit(s) at 1250 (1250.00); 1250.00 in all" in due
    assert "supplementary invoice is finance's" in due and "OrderBridge sends no 810" in due
    assert _credit(got) == []
    _night(ws, NIGHTS[3])  # a night more: nothing billed, nothing said again
    assert len(_invoices(ws)) == 1 and len(_invoice_due(_facts(ws))) == 1


def test_a_cut_of_a_closed_order_is_refused_and_tells_finance_a_credit_is_due(tmp_path):
    ws = _billed_then(tmp_path, LOWER, closed=True)
    got = _facts(ws)
    assert got["state"] == "closed" and got["lines"] == [(1, 2, 2, 2, True), (2, 1, 1, 1, True)]
    assert [c for c, s, _m in got["findings"] if s == "error"] == ["CHANGE_AFTER_SHIPMENT"]
    [credit] = _credit(got)
    assert "line 1: 1 of 2 billed unit(s) at 412 (412.00); 412.00 in all" in credit
    assert len(_invoices(ws)) == 1 and _invoice_due(got) == []


def test_a_change_after_it_was_billed_never_rebills_and_says_what_finance_owes_for_each_shape(tmp_path):
    """Each shape once the 810 went and the order is still invoiced (a cut, a cancel: a credit; a raise, a line
    added: billed by an 810 of the new units alone, nothing owed: BILL_ONLY_INVOICED_AGAIN names that 810) never
    bills the first units again."""
    for pocs, purpose, credit, bills in ((LOWER, "04", True, 1), ([], "01", True, 1), (RAISE, "04", False, 2),
                                         (ADD, "04", False, 2)):
        ws = _billed_then(tmp_path / f"{purpose}-{len(pocs)}-{pocs[0][:8] if pocs else 'cancel'}", pocs,
                          purpose=purpose)
        got = _facts(ws)
        sent = _invoices(ws)
        assert len(sent) == bills and sent[0] == [["IT1", "1", "2", "EA"], ["IT1", "2", "1", "EA"], ["TDS", "207400"]]
        assert all(inv[:2] != sent[0][:2] for inv in sent[1:])  # a second 810 bills the new units alone
        assert bool(_credit(got)) is credit and _invoice_due(got) == []


# --- credit_due alone ------------------------------------------------------------------------------------------------

def test_credit_due_names_only_billed_units_of_a_bill_only_order_taken_back():
    from engine.bill_only import credit_due
    from engine.changes import ChangeResult, LineResult
    from schemas.lifecycle import LineRecord, LineState

    def line(n, reason="bill_only", invoiced=2):
        return LineRecord("mayo", "P1", n, LineState.INVOICED, ordered=Decimal(2), shipped=Decimal(2),
                          invoiced=Decimal(invoiced), unit="EA", unit_price=Decimal("412"), reason=reason)

    def result(*pocs):
        return ChangeResult(new_lines=None, changed_line_numbers=frozenset(), deleted_line_numbers=frozenset(),
                            released=None, cancelled=False, rejected=False, findings=[],
                            line_results=[LineResult(p, "IR", n) for n, p in pocs])

    head = {"po_number": "P1", "purpose": "04"}
    lower = (1, {"change_type": "QD", "quantity_ordered": Decimal(1), "unit": "EA"})
    assert "line 1: 1 of 2 billed unit(s) at 412 (412.00)" in credit_due(head, result(lower), [line(1)]).message
    assert credit_due(head, result(lower), [line(1, reason="allocated")]) is None  # not bill-only
    assert credit_due(head, result(lower), [line(1, invoiced=0)]) is None  # nothing billed yet
    assert credit_due(head, result((1, {"change_type": "QI", "quantity_ordered": Decimal(3)})), [line(1)]) is None
    assert credit_due(head, result((1, {"change_type": "QD", "quantity_ordered": Decimal(12), "unit": "CA"})),
                      [line(1)]) is None  # another unit: not compared
    gone = credit_due(head, result((1, {"change_type": "DI"})), [line(1), line(2)])
    assert "line 1: 2 of 2" in gone.message and "line 2" not in gone.message and gone.location.line_number == 1
    cancel = credit_due({**head, "purpose": "01"}, result(), [line(1), line(2)])
    assert "1648.00 in all" in cancel.message and cancel.code == "BILL_ONLY_CREDIT_DUE"
