"""Round 101: an 860 with BCH01 49 ("original - no response necessary", X12 code list 353): the buyer sends a change
and asks for no answer. It is applied as a 04 is and no 865 (nor a revised 855 answering the change) goes; the 997
still acknowledges the set; the order's story says why nothing answered it. Real nights (tests.support.run_stages):
before shipment (GLOBEX, 865s answer its changes: the decide stage answers), a change the rules hold until a
person approves it, after shipment (the change step answers at once), and a partner answered by revised 855s."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from tests.support import REPO, run_stages
from tests.test_change_after_shipment import NIGHT2 as SHIP_NIGHT2
from tests.test_change_after_shipment import answer, lines, outbox, send_860
from tests.test_change_after_shipment import shipped_base as shipped_base  # noqa: F401
from tests.test_change_after_shipment import ws as ws  # noqa: F401 - the fixture (shipped night 1 and day 1)
from tests.test_change_after_shipment_855 import answered_by_855s
from tests.test_change_orders import NIGHT2, docs, globex_night1
from tests.test_rg100_partner_answers import _860, _997s, _line3

NIGHT3 = datetime(2026, 11, 29, 2)


def _story(state, partner: str, po: str) -> list[str]:
    return [e.get("note") or "" for e in state.order_history(partner, po)]


def test_a_change_asking_no_response_is_applied_and_not_answered(tmp_path):
    """GLOBEX's 49 raises line 3 from 30 to 60: the line is 60 and decided again (reserved), no 865 goes (a 04 gets
    865 AD: test_rg100_partner_answers), the 997 accepts the set, the change is settled and the story says why no
    865 answered it. It used to be refused whole: 865 RD with POC 3 IR, CHANGE_PURPOSE_UNSUPPORTED, line 3 left 30."""
    ws = globex_night1(tmp_path / "ws")
    state = StateStore(ws.state_path)
    revision = state.order("globex", "GLOBEX-2000").revision
    _860(ws, "49")
    run_stages(ws, NIGHT2)
    assert _line3(state) == Decimal(60)
    order = state.order("globex", "GLOBEX-2000")
    assert order.revision == revision + 1 and order.state.value == "acknowledged", order
    assert "GLOBEX-2000" not in docs(ws, "865")
    ak = [r for r in _997s(ws)[-1] if r[0] in ("AK1", "AK5", "AK9")]
    assert ak[0][1] == "PC" and ak[1][1] == "A" and ak[2][1] == "A", ak
    codes = [f["code"] for f in state.findings(partner="globex", po_number="GLOBEX-2000")]
    assert "CHANGE_PURPOSE_UNSUPPORTED" not in codes, codes
    assert [c.status for c in state.pending_changes(statuses=None) if c.po_number == "GLOBEX-2000"] == ["answered"]
    story = _story(state, "globex", "GLOBEX-2000")
    assert any("BCH01 49" in n and "no response" in n and "change.x12" in n for n in story), story
    run_stages(ws, NIGHT3)  # and nothing answers it the night after either
    assert "GLOBEX-2000" not in docs(ws, "865")
    state.close()


def test_a_change_asking_no_response_that_the_rules_hold_is_not_answered_once_approved(tmp_path):
    """A 49 cutting line 4's price past GLOBEX's approval threshold holds the order; a person approves it; the next
    night acknowledges the order and sends no 865 for the change (a 04 gets 865 AD then: test_change_orders)."""
    ws = globex_night1(tmp_path / "ws")
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    data = src.replace(b"POC|4|PC|36|36|EA|38.00|PE|VN|VP-1003~", b"POC|4|PC|36|36|EA|20.00|PE|VN|VP-1003~")
    assert data != src and b"BCH|04|" in data
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(data.replace(b"BCH|04|", b"BCH|49|", 1))
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    order = state.order("globex", "GLOBEX-2000")
    assert (order.state, order.revision) == ("held", 2) and "DISCOUNT_OVER_THRESHOLD" in order.hold_codes
    res = CliRunner().invoke(app, ["approve", "GLOBEX-2000", "--partner", "globex", "--by", "Kim", "-w",
                                   str(ws.root)])
    assert res.exit_code == 0, res.output
    # (a 04 says "the next run answers its 1 860(s) with an 865"; nothing goes, so nothing is promised)
    assert "the next run sends nothing: its 860(s) asked for no answer (BCH01 49)" in res.output, res.output
    run_stages(ws, NIGHT3)
    assert "GLOBEX-2000" not in docs(ws, "865")
    order = state.order("globex", "GLOBEX-2000")
    assert order.state == "acknowledged" and order.answered_with != "865", order
    assert [d[0] for d in docs(ws, "855")["GLOBEX-2000"]] == ["00"]  # the order's own 855 of night 1 alone
    assert all(c.status in ("answered", "refused") for c in state.pending_changes(statuses=None))
    story = _story(state, "globex", "GLOBEX-2000")
    assert any("865 not sent for the change in change.x12" in n and "BCH01 49" in n for n in story), story
    state.close()


def test_a_change_after_shipment_asking_no_response_is_applied_and_not_answered(ws):  # noqa: F811
    """ACME lowers line 4 (12, 10 shipped and invoiced) to 8 after shipment with a 49: the 2 unshipped units are
    cancelled as for a 04 (which gets an 865 IQ 10: test_change_after_shipment), and no 865 goes."""
    send_860(ws, "acme", "ACME-1001", [["4", "QD", "8", "", "EA"]], purpose="49")
    run_stages(ws, SHIP_NIGHT2)
    assert outbox(ws, "acme", "865") == []
    state = StateStore(ws.state_path)
    four = lines(state, "acme", "ACME-1001")[4]
    assert (four.ordered, four.shipped) == (Decimal(10), Decimal(10)), four
    story = _story(state, "acme", "ACME-1001")
    assert any("BCH01 49" in n for n in story), story
    state.close()


def test_the_same_change_as_a_04_after_shipment_is_answered(ws):  # noqa: F811
    """The control for the test above: the same 860 with BCH01 04 gets its 865 (IQ 10)."""
    send_860(ws, "acme", "ACME-1001", [["4", "QD", "8", "", "EA"]], purpose="04")
    run_stages(ws, SHIP_NIGHT2)
    assert answer(ws, "acme")[1] == [("4", "QD", "IQ", "10")]


def test_a_change_asking_no_response_gets_no_revised_855_after_shipment(ws):  # noqa: F811
    """A partner answered by revised 855s (no 865): a 04 after shipment gets a revised 855 (BAK01 05:
    test_change_after_shipment_855); a 49 gets none, the change applied all the same."""
    answered_by_855s(ws, "acme")
    before = len(outbox(ws, "acme", "855"))
    send_860(ws, "acme", "ACME-1001", [["4", "QD", "8", "", "EA"]], purpose="49")
    run_stages(ws, SHIP_NIGHT2)
    assert len(outbox(ws, "acme", "855")) == before
    state = StateStore(ws.state_path)
    assert lines(state, "acme", "ACME-1001")[4].ordered == Decimal(10)
    state.close()
