"""What rg89e left of blankets and their releases, closed (each through a night):

1. a release naming no BEG04 after a numbered release and the blanket keyed apart from it (the blanket sent after the
   release) names the blanket by its PO number alone, as it does when the blanket came first: it used to be taken as
   a copy of the first release (ORDER_DUPLICATE);
2. an approved blanket keyed apart is answered by an 855 naming BEG03 alone (the blanket sent no BEG04: BAK05 empty,
   as it should be), and that 855 is read back as the blanket's: it used to be read as the first release's (the
   four-way match saw release 0001 acknowledged 5,000 screws it never asked for);
3. the command line and the console name the first release of a PO (keyed by the PO number alone) by its release,
   "FAS8900401 release 0001", beside "FAS8900401 blanket": it used to be the bare PO number.
"""

from __future__ import annotations

from datetime import datetime

from schemas.order_keys import blanket_key, release_key
from tests.retailer_support import findings_and_states
from tests.test_rg89c import BLANKET, _drop
from tests.test_rg89e import BLANKET_FILE, NIGHT, RELEASE_FILE, _blanket_850, _night, _put, _release_0001

FIRST = ("fastenal", BLANKET)
APART = ("fastenal", blanket_key(BLANKET))
DAY2, DAY3, DAY4 = datetime(2026, 11, 26, 2), datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


def _codes(found) -> list[str]:
    return [c for c, _m in found]


def _unnumbered(ws, quantity: int = 500) -> None:
    """A release of the blanket naming no release (BEG02 RL, BEG04 empty) asking ``quantity`` screws."""
    _drop(ws, "0009", [f"PO1*1*{quantity}*EA*0.42**BP*11128906*VP*RG89-06"], "20261127")
    path = ws.drop_root / "fastenal" / "inbox" / "FAS850_FAS8900401_0009.x12"
    path.write_text(path.read_text().replace(f"BEG*00*RL*{BLANKET}*0009*", f"BEG*00*RL*{BLANKET}**"))


def _release_then_blanket(tmp_path, name: str):
    from tests.support import run_stages

    ws = _night(tmp_path, name, {RELEASE_FILE: _release_0001()})
    run_stages(ws, NIGHT)
    _put(ws, {BLANKET_FILE: _blanket_850()})
    run_stages(ws, DAY2)
    return ws


def _approve(ws, key: tuple[str, str]) -> None:
    from connectors.state import StateStore
    from engine import lifecycle

    state = StateStore(ws.state_url)
    try:
        order = state.orders_for({key})[key]
        state.apply(lifecycle.plan_person_decision(order, lifecycle.VERDICT_APPROVED, by="Kim", note="",
                                                   at="2026-11-26T09:00:00"))
    finally:
        state.close()


# --- 1. a release naming no BEG04 -------------------------------------------------------------------------------------


def test_a_release_naming_no_release_means_the_blanket_held_apart():
    """Release 0001 holds PO P, the blanket is keyed P blanket: a release naming no BEG04 means the blanket (the PO
    number alone), as it does when the blanket holds P; an order of another type naming none still means P."""
    from engine.lifecycle.releases import Held, key_orders, order_key
    from schemas.lifecycle import OrderState

    held = Held(by_po={"P": {"P": ("0001", OrderState.ACKNOWLEDGED), blanket_key("P"): ("", OrderState.HELD)}})
    assert order_key("P", "", held, calls_off=True) == blanket_key("P")
    assert order_key("P", "", held) == "P"
    assert order_key("P", "0002", held, calls_off=True) == release_key("P", "0002")
    first = Held(by_po={"P": {"P": ("", OrderState.HELD), release_key("P", "0001"): ("0001", OrderState.HELD)}})
    assert order_key("P", "", first, calls_off=True) == "P"  # the blanket first: its PO number, as before
    alone = Held(by_po={"P": {"P": ("0001", OrderState.ACKNOWLEDGED)}})
    assert order_key("P", "", alone, calls_off=True) == "P"  # no blanket held: as before
    import pyarrow as pa

    orders = pa.table({"po_number": ["P", "P"], "release_number": [None, None], "order_type": ["RL", "RL"],
                       "purpose": ["00", "01"]})
    # a cancellation naming no release is not guessed to be the blanket's: the order holding P, as before
    assert key_orders(orders, held) == [blanket_key("P"), "P"]


def test_a_release_naming_no_release_after_a_numbered_one_calls_off_the_blanket_whichever_came_first(tmp_path):
    """Release 0001 (acknowledged), its blanket the next night (held apart), then a release naming no BEG04: it calls
    off the held blanket as it does when the blanket came first (the release replaces it and is decided: Kohl's
    way, docs/lifecycle.md), not refused as release 0001's copy differing from it (ORDER_DUPLICATE). The blanket
    first, then release 0001, then the same release: the same outcome."""
    from tests.support import run_stages

    ws = _release_then_blanket(tmp_path, "after")
    _unnumbered(ws)
    run_stages(ws, DAY3)
    found, states = findings_and_states(ws)
    assert "ORDER_DUPLICATE" not in _codes(found), found
    assert states == {FIRST: "acknowledged", APART: "acknowledged"}, states
    # the blanket first
    ws = _night(tmp_path, "before", {"FAS850_FAS8900401_0000.x12": _blanket_850(), RELEASE_FILE: _release_0001()})
    run_stages(ws, NIGHT)
    _unnumbered(ws)
    run_stages(ws, DAY3)
    found, before = findings_and_states(ws)
    assert "ORDER_DUPLICATE" not in _codes(found), found
    assert before == {FIRST: "acknowledged", ("fastenal", release_key(BLANKET, "0001")): "acknowledged"}


# --- 2. an approved blanket keyed apart, answered ---------------------------------------------------------------------


def _acknowledged(ws) -> dict[tuple[str, int], int]:
    from connectors.state import StateStore
    from flows.reconcile import load_inputs

    state = StateStore(ws.state_path)
    try:
        inputs = load_inputs(ws, state, ws.partners())
    finally:
        state.close()
    got: dict[tuple[str, int], int] = {}
    for r in inputs.acknowledged.to_pylist():
        got[(r["po_number"], r["line_number"])] = got.get((r["po_number"], r["line_number"]), 0) + int(r["quantity"])
    return got


def test_an_approved_blanket_kept_apart_is_answered_and_read_back_as_its_own(tmp_path):
    """Release 0001 (1,000 screws, 2,000 nuts), then its blanket (5,000 and 10,000), approved by a person: the next
    night answers the blanket by an 855 naming BEG03 alone (BAK05 empty: the blanket sent no BEG04), and the
    reconciliation reads that 855 as the blanket's, release 0001 keeping what its own 855 said. The blanket's 855
    used to be read as release 0001's (BAK03 alone names the order keyed by the PO number): release 0001
    acknowledged 6,000 screws and 12,000 nuts, the blanket nothing."""
    from tests.retailer_support import segments
    from tests.support import run_stages

    ws = _release_then_blanket(tmp_path, "approved")
    _approve(ws, APART)
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    assert states == {FIRST: "acknowledged", APART: "acknowledged"}
    baks = [s for s in segments(ws, "fastenal", "855") if s[0] == "BAK"]
    assert [b[3:6] for b in baks] == [[BLANKET, "20261124", "0001"], [BLANKET, "20261120", ""]]
    assert _acknowledged(ws) == {(BLANKET, 1): 1000, (BLANKET, 2): 2000, (APART[1], 1): 5000, (APART[1], 2): 10000}


# --- 3. each order of a PO named as people read it --------------------------------------------------------------------


def _cli(ws, *args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from flows.cli import app

    res = CliRunner().invoke(app, [*args, "-w", str(ws.root)], env={"COLUMNS": "250"})
    return res.exit_code, " ".join(res.output.replace("│", " ").replace("┃", " ").split())


def test_the_command_line_names_the_first_release_and_the_blanket(tmp_path):
    """Release 0001 (keyed by the PO number), its blanket kept apart, release 0002 held past it: `orders`, `approvals`
    and `status` name them "FAS8900401 release 0001", "FAS8900401 blanket", "FAS8900401 release 0002" (the first
    used to be the bare PO number, the blanket "release (none)"); `approve --release blanket` names the blanket (no
    --release value could: it sent no BEG04), and a PO named alone lists what --release takes."""
    from tests.support import run_stages

    ws = _release_then_blanket(tmp_path, "cli")
    _drop(ws, "0002", ["PO1*1*4500*EA*0.42**BP*11128906*VP*RG89-06"], "20261127")
    run_stages(ws, DAY3)
    _found, states = findings_and_states(ws)
    assert states == {FIRST: "acknowledged", APART: "held", ("fastenal", release_key(BLANKET, "0002")): "held"}
    code, text = _cli(ws, "orders")
    assert code == 0, text
    assert f"{BLANKET} release 0001 acknowledged" in text and f"{BLANKET} blanket held" in text, text
    assert f"{BLANKET} release 0002 held" in text and f"{BLANKET} acknowledged" not in text, text
    code, text = _cli(ws, "approvals")
    assert code == 0 and f"{BLANKET} blanket" in text and f"{BLANKET} release 0002" in text, text
    code, text = _cli(ws, "status", BLANKET)
    assert code == 0 and f"fastenal / {BLANKET} release 0001: acknowledged" in text, text
    assert f"fastenal / {BLANKET} blanket: held" in text and f"fastenal / {BLANKET} release 0002: held" in text, text
    assert "(none)" not in text, text
    assert f"PO {BLANKET} is a blanket and 2 releases (850 BEG04: 0001, 0002), each below" in text, text
    code, text = _cli(ws, "approve", BLANKET, "--partner", "fastenal", "--by", "Kim")
    assert code == 2 and "(0001, blanket, 0002): use --release" in text, text
    code, text = _cli(ws, "status", BLANKET, "--release", "blanket")
    assert code == 0 and f"fastenal / {BLANKET} blanket: held" in text and "release 0001" not in text, text
    code, text = _cli(ws, "approve", BLANKET, "--partner", "fastenal", "--by", "Kim", "--release", "blanket")
    assert code == 0, text
    _found, states = findings_and_states(ws)
    assert states[APART] == "approved"


def test_the_console_names_the_first_release_and_the_blanket(tmp_path):
    """The web console's orders and approvals pages, and each order's page, name the first release "FAS8900401
    release 0001" and the blanket "FAS8900401 blanket" (the first release used to be the bare PO number)."""
    import re

    from schemas.order_keys import SEP
    from tests.support_console import Client, ConsoleServer, add_users

    ws = _release_then_blanket(tmp_path, "console")
    add_users(ws.root)
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-28T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, body = c.get(f"/orders?po={BLANKET}")
        assert status == 200 and SEP not in body
        names = re.findall(r'<a class="po" href="(/order\?[^"]+)">([^<]+)</a>', body)
        assert sorted(n for _h, n in names) == [f"{BLANKET} blanket", f"{BLANKET} release 0001"], names
        link = next(h for h, n in names if n.endswith("0001")).replace("&amp;", "&")
        status, page = c.get(link)
        assert status == 200 and f"fastenal / {BLANKET} release 0001" in page
        status, body = c.get("/approvals")
        assert status == 200 and f"{BLANKET} blanket</a>" in body
        link = next(h for h, n in names if n.endswith("blanket")).replace("&amp;", "&")
        status, page = c.get(link)  # the blanket's page: what release 0001 called off of it, what is left
        assert status == 200 and 'id="drawdown"' in page
        rows = re.findall(r"<tr><td class=\"num\">(\d+)</td><td>([^<]*)</td><td class=\"num\">([^<]*)</td><td>EA</td>"
                          r"<td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td><td>([^<]*)</td></tr>", page)
        assert rows == [("1", "11128906", "5000", "1000", "4000", "0001: 1000"),
                        ("2", "11128907", "10000", "2000", "8000", "0001: 2000")], rows


# --- beyond the notes -------------------------------------------------------------------------------------------------


def test_no_finding_names_a_blanket_or_release_by_its_key(tmp_path):
    """The blanket kept apart is held for a person (ORDER_TYPE_UNSUPPORTED) saying "PO FAS8900401 blanket", not the
    key's control characters ("PO FAS8900401\\x1e\\x1c", shown to ops in approvals, status and the console); so
    does any business finding naming the order it is about (a release key: "PO P release 2")."""
    from rules.business.common import business_finding
    from schemas.order_keys import SEP

    ws = _release_then_blanket(tmp_path, "keys")
    found, _states = findings_and_states(ws)
    assert not [m for _c, m in found if SEP in m], found
    [held] = [m for c, m in found if c == "ORDER_TYPE_UNSUPPORTED"]
    assert f"PO {BLANKET} blanket is not allocated or shipped" in held
    row = {"po_number": release_key("P", "2"), "source_file": "f.x12"}
    f = business_finding("ORDER_TEST_DATA", f"PO {release_key('P', '2')} came in test data", row, seg="ISA",
                         element="ISA15", line=False)
    assert f.message == "PO P release 2 came in test data"


def _cancel_blanket() -> str:
    """The blanket's 850 again as a cancellation (BEG01 01), in an interchange of its own."""
    return _blanket_850().replace("BEG*00*BK*", "BEG*01*BK*").replace("000089004", "000089104").replace(
        "*89004*", "*89104*").replace("GE*1*89004", "GE*1*89104")


def test_a_release_of_a_blanket_the_buyer_cancelled_waits_for_a_person(tmp_path):
    """The blanket and release 0001 (acknowledged), then the blanket cancelled (BEG01 01), then release 0002: it
    calls off a blanket the buyer ended, so it waits for a person naming the cancellation
    (RELEASE_BLANKET_CANCELLED), even for a partner whose blankets are agreed outside EDI (release 0001 is held by the
    cancellation since blankets5). It
    used to be acknowledged as an order of its own with a warning that we hold no blanket "(never received, or
    cancelled or rejected)" and shipped."""
    from tests.support import run_stages

    for outside in ("", "\n[rules]\nblankets_outside_edi = true\n"):
        ws = _night(tmp_path, f"cancelled{bool(outside)}", {"FAS850_FAS8900401_0000.x12": _blanket_850(),
                                                           RELEASE_FILE: _release_0001()}, outcomes=outside)
        run_stages(ws, NIGHT)
        _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
        run_stages(ws, DAY2)
        _drop(ws, "0002", ["PO1*1*500*EA*0.42**BP*11128906*VP*RG89-06"], "20261127")
        run_stages(ws, DAY3)
        found, states = findings_and_states(ws)
        # (release 0001, answered and not shipped when the blanket was cancelled, is held for a person since
        # blankets5: RELEASE_HELD_BLANKET_CANCELLED, tests/test_blankets5.py)
        assert states == {FIRST: "cancelled", ("fastenal", release_key(BLANKET, "0001")): "held",
                          ("fastenal", release_key(BLANKET, "0002")): "held"}, found
        assert "RELEASE_BLANKET_UNKNOWN" not in _codes(found)
        [told] = [m for c, m in found if c == "RELEASE_BLANKET_CANCELLED"]
        assert told.startswith(f"Release 0002 (BEG02 RL) calls off blanket PO {BLANKET} (BEG03), which the buyer "
                               "cancelled"), told


def test_status_shows_what_the_releases_called_off_of_the_blanket_and_what_is_left(tmp_path, capsys):
    """The blanket (5,000 screws, 10,000 nuts) and release 0001 (1,000 screws, 2,000 nuts), then release 0002 (500
    screws), both acknowledged: `status FAS8900401` shows the blanket's lines with what each release called off
    (as engine.blankets counts it for RELEASE_PAST_BLANKET: what we acknowledged, in the line's unit) and what is
    left, and its JSON says the same (the blanket's blanket_drawdown). Nothing said how much of a blanket was left:
    ops added up the releases' stories by hand."""
    import json

    from flows.status_view import run_status
    from tests.support import run_stages

    ws = _night(tmp_path, "left", {"FAS850_FAS8900401_0000.x12": _blanket_850(), RELEASE_FILE: _release_0001()})
    run_stages(ws, NIGHT)
    _drop(ws, "0002", ["PO1*1*500*EA*0.42**BP*11128906*VP*RG89-06"], "20261126")
    run_stages(ws, DAY2)
    _found, states = findings_and_states(ws)
    assert states[("fastenal", release_key(BLANKET, "0002"))] == "acknowledged"
    assert run_status(BLANKET, None, True, ws.root) == 0
    doc = json.loads(capsys.readouterr().out)
    [blanket] = [r for r in doc["releases"] if r.get("blanket")]
    assert blanket["blanket_drawdown"] == [
        {"line_number": 1, "item": "11128906", "unit": "EA", "holds": "5000", "called_off": "1500", "left": "3500",
         "releases": [{"release": "0001", "quantity": "1000"}, {"release": "0002", "quantity": "500"}]},
        {"line_number": 2, "item": "11128907", "unit": "EA", "holds": "10000", "called_off": "2000", "left": "8000",
         "releases": [{"release": "0001", "quantity": "2000"}]}]
    code, text = _cli(ws, "status", BLANKET)
    assert code == 0 and "the blanket: called off by its releases" in text, text
    assert "1 11128906 5000 EA 1500 3500 0001: 1000; 0002: 500" in text, text


def test_a_release_naming_its_contract_by_ref_is_told_as_such():
    """An ERP's release order (SAP S/4HANA: BEG02 RL, BEG03 its own PO number, no BEG04) names its contract in REF*CT
    (or an agreement, REF*AH), not by BEG03: RELEASE_BLANKET_UNKNOWN names that reference when we hold no blanket
    under it. It used to say the release "refers to blanket PO 4500312001 (BEG03)": its own number. (Since
    blankets5 a release naming a blanket we hold so is drawn against it: tests/test_blankets5.py.)"""
    from decimal import Decimal

    from engine.blankets import release_findings, release_pos
    from tests.test_rg89c import _lines, _orders

    release = _orders([{"po_number": "4500312001", "order_type": "RL", "contract_number": "4600001188"}])
    lines = _lines([{"po_number": "4500312001", "quantity": Decimal(120)}])
    assert release_pos(release) == {("fa", "4500312001"), ("fa", "4600001188")}
    [told] = [f.message for f in release_findings(release, lines, _orders([]), _lines([]))]
    assert told.startswith("Release (no BEG04) (BEG02 RL) of PO 4500312001 names contract 4600001188 (REF*CT), and "
                           "we hold no blanket order under PO 4500312001 (BEG03) or 4600001188 (never received, or "
                           "rejected): "), told
    # a blanket held under the contract's number: the release calls it off (it used to be "not checked against it")
    held = _orders([{"po_number": "4600001188", "order_type": "KB"}])
    [told] = [(f.code, f.message) for f in release_findings(release, lines, held, _lines([
        {"po_number": "4600001188", "quantity": Decimal(100)}]))]
    assert told == ("RELEASE_PAST_BLANKET", "Release (no BEG04) (PO 4500312001) of blanket contract 4600001188 "
                    "(REF*CT) calls off 120 EA of B1 (line 1), with nothing called off before it: 120 EA in all, past "
                    "the blanket's 100 EA. The release is not allocated or shipped and waits for a person."), told
    agreed = _orders([{"po_number": "4500312001", "order_type": "RL", "agreement_number": "4600001188"}])
    assert [f.code for f in release_findings(agreed, _lines([{"po_number": "4500312001", "quantity": Decimal(12)}]),
                                             held, _lines([{"po_number": "4600001188", "quantity": Decimal(100)}]))
            ] == []  # REF*AH: drawn, within the blanket
    plain = _orders([{"po_number": "P", "order_type": "RL", "release_number": "2"}])
    [told] = [f.message for f in release_findings(plain, _lines([{"po_number": "P", "quantity": Decimal(1)}]),
                                                  _orders([]), _lines([]))]
    assert told.startswith("Release 2 (BEG02 RL) refers to blanket PO P (BEG03), and we hold no blanket order under "
                           "that PO number"), told
