"""860 change orders through the pipeline: applied to the live order, answered (865 or a revised
855 per partner), rules re-run, only changed lines re-allocated, reservations released."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from flows.workspace import open_workspace
from parsers.x12_reader import read_interchanges
from schemas.lifecycle import OrderState, OrderTransition, Plan
from tests.support import REPO, from_template, make_workspace, run_stages

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


def globex_night1(root):
    """make_workspace(root, partners=("globex",)) after run_stages(ws, NIGHT1): a copy of that night, run once per
    test session (tests.support.from_template: a workspace the stages ran is the same workspace copied)."""

    def build(folder) -> None:
        run_stages(make_workspace(folder, partners=("globex",)), NIGHT1)

    from_template("change-orders-globex-night1", root, build)
    return open_workspace(root)


def docs(ws, kind):
    out = {}
    for path in sorted(ws.drop_root.glob(f"*/outbox/*-{kind}-*.x12")):
        rows = read_interchanges(path.read_bytes()).segments.elements.to_pylist()
        head = next(r for r in rows if r[0] in ("BAK", "BCA"))
        acks = [r[1:] for r in rows if r[0] == "ACK"]
        out.setdefault(head[3], []).append((head[1], head[2], acks))
    return out


@pytest.fixture(scope="module")
def night2(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("changes") / "ws")
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    before = {(r["warehouse"], r["sku"]): r["quantity"] for r in state.reservations()}
    status_before = state.order_lines("globex", "GLOBEX-2000")
    for folder in (REPO / "sample_files" / "drops-day2").iterdir():
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)
    results, run = run_stages(ws, NIGHT2)
    return ws, before, status_before, results, run


def test_globex_gets_an_865_per_change(night2):
    ws, *_ = night2
    ca = docs(ws, "865")
    # line 4 (a new price) is still partly backordered (855: BP 24 on 12-10, IB 12 by 12-04): its ACK says when the
    # whole line ships
    assert ca["GLOBEX-2000"] == [("00", "AD", [["ID", "0", "EA"], ["IQ", "24", "EA"],
                                               ["IP", "36", "EA", "068", "20261210"], ["IA", "24", "EA"]])]
    assert ca["GLOBEX-2999"][0][1] == "RD"  # no such order: rejected, nothing changed
    assert ca["INITECH-3000"][0][1] == "AK"  # a whole-PO cancel without lines


def test_acme_gets_a_revised_855(night2):
    ws, *_ = night2
    revised = [d for d in docs(ws, "855")["ACME-1000"] if d[0] == "05"]
    assert len(revised) == 1
    purpose, ack_type, acks = revised[0]
    assert ack_type == "AD" and [a[:2] for a in acks] == [["IA", "20"], ["IA", "24"]]


def test_reservations_follow_the_changes(night2):
    ws, before, *_ = night2
    after = {(r["warehouse"], r["sku"]): r["quantity"] for r in StateStore(ws.state_path).reservations()}
    assert before[("WEST", "SKU-1001")] == 12 and ("WEST", "SKU-1001") not in after  # GLOBEX line 1 deleted
    assert (before[("WEST", "SKU-1004")], after[("WEST", "SKU-1004")]) == (48, 24)  # 48 -> 24
    assert after[("WEST", "SKU-1011")] == 24  # the added line
    assert (before[("EAST", "SKU-1001")], after[("EAST", "SKU-1001")]) == (10, 20)  # ACME line 1 doubled
    assert before[("EAST", "SKU-1009")] - after[("EAST", "SKU-1009")] == 24  # INITECH-3000 cancelled


def test_only_changed_lines_are_reallocated(night2):
    ws, _, status_before, *_ = night2
    state = StateStore(ws.state_path)
    after = {r.line_number: r for r in state.order_lines("globex", "GLOBEX-2000")}
    before = {r.line_number: r for r in status_before}
    # deleted: kept on the order's story (before the lifecycle the row disappeared), nothing reserved
    assert (after[1].state, after[1].ack, after[1].allocated) == ("deleted", "ID", 0)
    for n in (3, 4):  # untouched by quantity: same allocation as night 1
        assert (after[n].ack, after[n].allocated, after[n].backordered) == \
            (before[n].ack, before[n].allocated, before[n].backordered)
    assert (after[2].ordered, after[2].allocated) == (Decimal(24), 24)
    assert after[5].ack == "IA" and after[5].allocated == 24
    assert state.order("initech", "INITECH-3000").state == "cancelled"
    assert {r.ack for r in state.order_lines("initech", "INITECH-3000")} == {"ID"}
    assert {r.state for r in state.order_lines("initech", "INITECH-3000")} == {"cancelled"}


def test_change_after_shipment_adds_the_line_and_changes_only_what_did_not_ship(tmp_path):
    """An order moved to "shipped" by hand (no units recorded shipped): Globex's 860 deletes line 1, lowers
    line 2, re-prices line 4 (nothing of them shipped or invoiced: applied) and adds line 5, which is no
    longer refused (it used to be IR, CHANGE_AFTER_SHIPMENT): the rules decide it as an 850's line and the
    865 answers it from that decision; the order has units left to ship again."""
    ws = globex_night1(tmp_path / "ws")
    state = StateStore(ws.state_path)
    order = state.order("globex", "GLOBEX-2000")
    state.apply(Plan(transitions=(OrderTransition(replace(order, state=OrderState.SHIPPED), order.state,
                                                  order.revision),)))
    shutil.copy2(REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12",
                 ws.drop_root / "globex" / "inbox")
    results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_AFTER_SHIPMENT" not in {f.code for f in run.findings}
    (answer,) = docs(ws, "865")["GLOBEX-2000"]
    assert [a[0] for a in answer[2]][:3] == ["ID", "IQ", "IP"] and answer[2][3][0] in ("IA", "IB"), answer
    # nothing was recorded shipped: decided as any revision of an answered order
    assert state.order("globex", "GLOBEX-2000").state in ("acknowledged", "partially_shipped")
    after = {ln.line_number: ln for ln in state.order_lines("globex", "GLOBEX-2000")}
    assert after[1].state == "deleted" and after[2].ordered == Decimal(24) and after[4].unit_price == Decimal(38)
    assert after[5].state in ("allocated", "backordered"), after[5]


def test_865_partner_gets_a_revised_855_when_a_changed_line_is_not_simply_accepted(tmp_path):
    ws = globex_night1(tmp_path / "ws")
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    # raise line 3 (gel pens, out of stock) from 30 to 60: the 865 accepts the change, the stock
    # situation is a backorder, so a revised 855 follows with IB and the promised date
    data = src.replace(b"POC|2|QD|24|24|EA|4.58|PE|BP|GX770033~", b"POC|3|QI|60|60|EA|31.37|PE|VN|VP-1005~")
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(data)
    run_stages(ws, NIGHT2)
    revised = [d for d in docs(ws, "855")["GLOBEX-2000"] if d[0] == "05"]
    assert len(revised) == 1 and ["IB", "60", "EA", "068", "20261215"] in revised[0][2]
    assert docs(ws, "865")["GLOBEX-2000"][0][1] == "AD"


def test_865_partner_gets_no_855_when_changes_are_accepted_as_asked(night2):
    ws, *_ = night2
    assert [d[0] for d in docs(ws, "855")["GLOBEX-2000"]] == ["00"]  # only night 1's 855


def test_the_865_answers_the_rules_decision_on_the_changed_lines(tmp_path):
    """An added line whose item we do not know: before the lifecycle the 865 said IA (accepted as
    asked) and a revised 855 then said IR; now the rules decide first and the 865 says IR."""
    ws = globex_night1(tmp_path / "ws")
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    data = src.replace(b"POC|5|AI|24|24|EA|4.42|PE|VN|VP-1011~", b"POC|5|AI|24|24|EA|4.42|PE|VN|VP-NOSUCH~")
    assert data != src
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(data)
    _, run = run_stages(ws, NIGHT2)
    [(purpose, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
    assert acks[-1][0] == "IR" and bca02 == "AC"  # the added line is refused in the 865 itself
    assert [a[0] for a in acks[:3]] == ["ID", "IQ", "IP"]  # the other changes as asked
    revised = [d for d in docs(ws, "855")["GLOBEX-2000"] if d[0] == "05"]
    assert revised and revised[0][2][-1][0] == "IR"  # the revised 855 agrees with the 865
    assert "ITEM_UNKNOWN" in {f.code for f in run.findings}
    state = StateStore(ws.state_path)
    line5 = {ln.line_number: ln for ln in state.order_lines("globex", "GLOBEX-2000")}[5]
    assert (line5.state, line5.ack) == ("rejected", "IR")


def test_a_change_the_rules_hold_is_answered_once_a_person_decides(tmp_path):
    """A price cut past the partner's approval threshold holds the changed order: no 865 yet (it would
    answer a decision not taken); once approved, the next run answers the change."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = globex_night1(tmp_path / "ws")
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    data = src.replace(b"POC|4|PC|36|36|EA|38.00|PE|VN|VP-1003~", b"POC|4|PC|36|36|EA|20.00|PE|VN|VP-1003~")
    assert data != src
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(data)
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    order = state.order("globex", "GLOBEX-2000")
    assert (order.state, order.revision) == ("held", 2) and "DISCOUNT_OVER_THRESHOLD" in order.hold_codes
    assert "GLOBEX-2000" not in docs(ws, "865") and docs(ws, "865")["GLOBEX-2999"][0][1] == "RD"
    res = CliRunner().invoke(app, ["approve", "GLOBEX-2000", "--partner", "globex", "--by", "Kim", "-w",
                                   str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 29, 2))
    [(purpose, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
    assert bca02 == "AD" and [a[0] for a in acks] == ["ID", "IQ", "IP", "IA"]
    order = state.order("globex", "GLOBEX-2000")
    assert (order.state, order.answered_revision, order.answered_with) == ("acknowledged", 2, "865")
    assert {c.status for c in state.pending_changes(statuses=None)} == {"answered", "refused"}


def test_a_cancel_to_be_reissued_cancels_and_the_reissued_850_is_answered_again(tmp_path):
    """860 BCH01 17 ("cancel, to be reissued") cancels the order as 01 does (865 AK, every line
    cancelled, its stock released; it used to be refused, 865 RD, the stock kept for a withdrawn order);
    the reissue, an 850 BEG01 18 with the same PO number, replaces the cancelled order and is decided
    and answered again (it used to be a duplicate copy, never answered)."""
    ws = make_workspace(tmp_path / "ws", partners=("initech",))
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    held = {(r["warehouse"], r["sku"]): r["quantity"] for r in state.reservations()}
    cancel = (REPO / "sample_files" / "drops-day2" / "initech" / "initech-change-01.x12").read_bytes()
    (ws.drop_root / "initech" / "inbox" / "cancel.x12").write_bytes(cancel.replace(b"BCH^01^", b"BCH^17^"))
    run_stages(ws, NIGHT2)
    assert docs(ws, "865")["INITECH-3000"][0][1] == "AK"
    assert state.order("initech", "INITECH-3000").state == "cancelled"
    assert {r.state for r in state.order_lines("initech", "INITECH-3000")} == {"cancelled"}
    left = {(r["warehouse"], r["sku"]): r["quantity"] for r in state.reservations()}
    assert held[("EAST", "SKU-1009")] - left.get(("EAST", "SKU-1009"), 0) == 24
    po = (REPO / "sample_files" / "drops" / "initech" / "initech-po-01.x12").read_bytes()
    reissue = po.replace(b"000003001", b"000003201").replace(b"^3001", b"^3201").replace(
        b"BEG^00^SA^INITECH-3000", b"BEG^18^SA^INITECH-3000")
    (ws.drop_root / "initech" / "inbox" / "reissue.x12").write_bytes(reissue)
    results, _ = run_stages(ws, datetime(2026, 11, 29, 2))
    duplicates = [f["message"] for r in results for f in r.findings if f["code"] == "ORDER_DUPLICATE"]
    assert duplicates and not [m for m in duplicates if "INITECH-3000" in m]  # INITECH-3001 is one
    order = state.order("initech", "INITECH-3000")
    assert (order.state, order.revision) == ("acknowledged", 2)
    assert len(docs(ws, "855")["INITECH-3000"]) == 2  # night 1's and the reissue's
    assert {r.state for r in state.order_lines("initech", "INITECH-3000")} == {"allocated"}


# --- an 860 whose heading changes the order (DTM dates, N1 ST ship-to) ------------------------------
_HEAD_860 = ("ISA|00|          |00|          |01|123456789      |ZZ|ORDERBRIDGE    |261127|0200|^|00501|000002301|0|P"
             "|:~"
             "GS|PC|GLOBEXWHS|ORDERBRIDGE|20261127|0200|2301|X|005010~ST|860|0001~"
             "BCH|04|SA|GLOBEX-2000||{seq}|20261126~{heading}{pocs}CTT|{n}~SE|{count}|0001~GE|1|2301~IEA|1|000002301~")


def _heading_change(ws, heading: list[str], pocs: list[str] = (), *, seq: str = "1", name: str = "head.x12"):
    body = "".join(s + "~" for s in heading)
    text = _HEAD_860.format(seq=seq, heading=body, pocs="".join(p + "~" for p in pocs), n=len(pocs),
                            count=4 + len(heading) + len(pocs))
    (ws.drop_root / "globex" / "inbox" / name).write_bytes(text.encode())


def _all_findings(results, run) -> dict[str, str]:
    """code -> value (the element's as located) of the intake's and the decide stage's findings."""
    out = {f["code"]: f["location"].get("value") or "" for r in results for f in r.findings}
    out.update({f.code: f.location.value or "" for f in run.findings})
    return out


def _current_order(ws, partner: str, po: str) -> dict:
    from connectors.order_store import OrderStore
    record = StateStore(ws.state_path).order(partner, po)
    orders = OrderStore(ws.orders_dir).load_orders(partner, record.lines_key)
    return next(r for r in orders.to_pylist() if r["po_number"] == po)


def test_a_heading_date_change_is_applied_and_answered(tmp_path):
    ws = globex_night1(tmp_path / "ws")
    _heading_change(ws, ["DTM|010|20261220"])
    results, run = run_stages(ws, NIGHT2)
    codes = _all_findings(results, run)
    assert "CHANGE_HEADER_APPLIED" in codes and "CHANGE_HEADER_NOT_APPLIED" not in codes
    assert _current_order(ws, "globex", "GLOBEX-2000")["requested_ship_date"].isoformat() == "2026-12-20"
    assert docs(ws, "865")["GLOBEX-2000"] == [("00", "AK", [])]
    record = StateStore(ws.state_path).order("globex", "GLOBEX-2000")
    assert record.revision == 2 and record.state == "acknowledged"


def test_a_heading_date_in_the_past_is_rescheduled_like_an_850s(tmp_path):
    ws = globex_night1(tmp_path / "ws")
    _heading_change(ws, ["DTM|010|20261101"])
    results, run = run_stages(ws, NIGHT2)
    assert "DATE_IN_PAST" in {f.code for f in run.findings}
    assert _current_order(ws, "globex", "GLOBEX-2000")["requested_ship_date"].isoformat() == "2026-11-01"


def test_a_heading_ship_to_we_do_not_know_holds_the_order(tmp_path):
    ws = globex_night1(tmp_path / "ws")
    _heading_change(ws, ["TD5|B|2|UPSN", "N1|ST|Somewhere New|UL|0000000000000"])
    results, run = run_stages(ws, NIGHT2)
    found = _all_findings(results, run)
    assert "SHIP_TO_UNKNOWN" in found and found["CHANGE_HEADER_NOT_APPLIED"] == "TD5"  # N1 ST is applied
    assert StateStore(ws.state_path).order("globex", "GLOBEX-2000").state == "held"
    assert _current_order(ws, "globex", "GLOBEX-2000")["ship_to_id"] == "0000000000000"
    assert "GLOBEX-2000" not in docs(ws, "865")  # answered once a person decides the held order


def test_an_855_partner_gets_a_revised_855_with_the_new_heading_date(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_stages(ws, NIGHT1)
    src = (REPO / "sample_files" / "drops-day2" / "acme" / "acme-change-01.x12").read_bytes()
    data = src.replace(b"POC*1*QI*20*20*EA*19.70*PE*UP*614141100101~", b"DTM*010*20261222~")
    data = data.replace(b"POC*3*DI***EA***UK*00614141100804~", b"").replace(b"CTT*2~", b"CTT*0~")
    data = data.replace(b"SE*6*", b"SE*5*")
    (ws.drop_root / "acme" / "inbox" / "change.x12").write_bytes(data)
    results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_HEADER_APPLIED" in _all_findings(results, run)
    revised = [d for d in docs(ws, "855")["ACME-1000"] if d[0] == "05"]
    acks = revised[0][2] if len(revised) == 1 else []
    assert acks and [a[0] for a in acks] == ["IA"] * len(acks) and {a[-1] for a in acks} == {"20261222"}


# --- BCH01 06 (confirmation) and 07 (duplicate) --------------------------------------------------------
NIGHT3 = datetime(2026, 11, 29, 2)


def _as_purpose(data: bytes, purpose: bytes, control: bytes) -> bytes:
    """The 860 with BCH01 ``purpose``, its ISA13 and GS06 control numbers ending in ``control``."""
    return data.replace(b"BCH|04|", b"BCH|" + purpose + b"|").replace(b"2101", control)


def test_a_duplicate_of_an_applied_change_changes_and_sends_nothing(tmp_path):
    ws = globex_night1(tmp_path / "ws")
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(src)
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    lines, record = state.order_lines("globex", "GLOBEX-2000"), state.order("globex", "GLOBEX-2000")
    (ws.drop_root / "globex" / "inbox" / "again.x12").write_bytes(_as_purpose(src, b"07", b"2901"))
    results, run = run_stages(ws, NIGHT3)
    assert "CHANGE_REPEAT" in _all_findings(results, run)
    assert state.order_lines("globex", "GLOBEX-2000") == lines  # the change is not applied twice
    assert state.order("globex", "GLOBEX-2000").revision == record.revision
    # answered once, with the original (the file's second set, for a PO we never had, is refused again: RD)
    assert len(docs(ws, "865")["GLOBEX-2000"]) == 1 and len(docs(ws, "865")["GLOBEX-2999"]) == 2
    assert [d[0] for d in docs(ws, "855")["GLOBEX-2000"]] == ["00"]


@pytest.mark.parametrize("purpose", [b"06", b"07"])
def test_a_confirmation_or_duplicate_whose_original_never_came_is_applied(tmp_path, purpose):
    ws = globex_night1(tmp_path / "ws")
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(_as_purpose(src, purpose, b"2101"))
    results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_REPEAT" in _all_findings(results, run)
    assert docs(ws, "865")["GLOBEX-2000"] == [("00", "AD", [["ID", "0", "EA"], ["IQ", "24", "EA"],
                                                            ["IP", "36", "EA"], ["IA", "24", "EA"]])]


def test_two_changes_in_one_file_are_applied_in_bch05_order(tmp_path):
    ws = globex_night1(tmp_path / "ws")
    sets = [("0001", "2", "60"), ("0002", "1", "40")]  # change 2 is read first: line 3 is 30, then 40, then 60
    body = "".join(f"ST|860|{st}~BCH|04|SA|GLOBEX-2000||{seq}|20261126~POC|3|QC|{qty}|{qty}|EA|31.37|PE|VN|VP-1005~"
                   f"CTT|1~SE|5|{st}~" for st, seq, qty in sets)
    text = ("ISA|00|          |00|          |01|123456789      |ZZ|ORDERBRIDGE    |261127|0200|^|00501|000002401|0|P"
            f"|:~GS|PC|GLOBEXWHS|ORDERBRIDGE|20261127|0200|2401|X|005010~{body}GE|2|2401~IEA|1|000002401~")
    (ws.drop_root / "globex" / "inbox" / "two.x12").write_bytes(text.encode())
    run_stages(ws, NIGHT2)
    line3 = next(ln for ln in StateStore(ws.state_path).order_lines("globex", "GLOBEX-2000") if ln.line_number == 3)
    assert line3.ordered == Decimal(60)  # change 1 (40) then change 2 (60), not 60 then 40


def test_a_heading_cur_restating_the_order_s_own_currency_is_no_change(tmp_path):
    """Home Depot restates CUR*BY*USD on every 860: GLOBEX-2000's 850 said CUR BY USD, so an 860 restating it
    (with a new DTM 010) changes nothing there, and no CHANGE_HEADER_NOT_APPLIED is raised (it used to be, naming
    CUR); an 860 naming another currency is still named, for a person."""
    for currency in ("USD", "CAD"):
        ws = globex_night1(tmp_path / currency)
        _heading_change(ws, [f"CUR|BY|{currency}", "DTM|010|20261220"])
        results, run = run_stages(ws, NIGHT2)
        codes = _all_findings(results, run)
        assert "CHANGE_HEADER_APPLIED" in codes
        named = [f.message for f in run.findings if f.code == "CHANGE_HEADER_NOT_APPLIED"] + [
            f["message"] for r in results for f in r.findings if f["code"] == "CHANGE_HEADER_NOT_APPLIED"]
        if currency == "USD":
            assert named == []
        else:
            assert len(named) == 1 and "CUR CAD; PO GLOBEX-2000 is in USD" in named[0], named
