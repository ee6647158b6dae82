"""The 865 answering an 860 states the allowances of that 860 a deal agreed, where X12's 865 has them (004010 and
005010: LOOP SAC at the heading, after BCA/CUR/REF ... CSH and before ITD/DTM; LOOP SAC in the POC loop, after its
POC ... REF/PER and before the ACK loop), for a partner whose answers state them ([acks.po_ack] allowances =
"agreed"). It used to state none while the revised 855 of an 855-answered partner did: the buyer was told the change
was accepted without being told its promotion was.

ACME (004010; answered by 865s here) orders 2 CA of SKU-1003 at 470.40 night 1; night 2 its 860 raises line 1 to 3 CA
and sends a 12 % heading allowance and a 3 % one in the POC loop, both of deal FALL26 (deals.csv: up to 12 %)."""

from __future__ import annotations

import pytest

from tests.retailer_support import maps, segments  # noqa: F401 - maps: a fixture
from tests.support import run_stages, shipping_workspace, x12_850
from tests.test_change_units_860 import NIGHT1
from tests.test_deal_acks import FALL, HEADING, LINE_SAC, ON, RAISE, SAC_HEADING, SAC_LINE, _checked
from tests.test_promotions_860 import DEALS, HEAD, LINE, REST, _changed, _state


def _ordered(tmp_path, *, profile=ON, deals=FALL):
    """ACME's PO-1 (no allowance) decided night 1, the partner answering changes by 865s."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    (ws.reference_dir / "deals.csv").write_text(DEALS + deals, encoding="utf-8")
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text().replace('change_ack = "855"', 'change_ack = "865"') + profile)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, *REST, LINE, "CTT*1"]))
    run_stages(ws, NIGHT1)
    assert _state(ws)[0] == "acknowledged"
    return ws


def _865(ws) -> list[list[str]]:
    """The one 865 set in ACME's outbox, ST to SE."""
    segs = segments(ws, "acme", "865")
    start = [i for i, s in enumerate(segs) if s[0] == "ST"]
    assert len(start) == 1, segs
    end = next(i for i, s in enumerate(segs) if s[0] == "SE")
    return segs[start[0]:end + 1]


def test_the_865_states_the_860_s_agreed_allowances_at_the_heading_and_in_the_poc_loop(tmp_path, maps):  # noqa: F811
    """The change is agreed (FALL26) and answered that night by an 865 (BCA AD): the heading 12 % right after BCA,
    the POC's 3 % between its POC and its ACK, each with SAC13 FALL26; SE01 counts them; our validator, Bots and
    pyx12 accept it, and its body in a 005010 envelope. No 855 restates the order (the partner is answered by 865s)."""
    ws = _ordered(tmp_path)
    _changed(ws, [HEADING, RAISE, LINE_SAC])
    state, found = _state(ws)
    assert state == "acknowledged", found
    body = _865(ws)
    assert [s[0] for s in body] == ["ST", "BCA", "SAC", "POC", "SAC", "ACK", "CTT", "SE"], body
    assert body[1][2] == "AD"
    assert body[2] == SAC_HEADING
    assert body[4] == SAC_LINE
    assert body[-1][1] == str(len(body))
    _checked(ws, tmp_path, maps, "865")
    # the same body in 005010 (Globex's envelope): our reader, pyx12 and Bots accept it too
    from parsers.x12_reader import read_interchanges
    from rules.outbound import validate_outbound
    from tests.shipping_support import PROFILES, bots_check, wrap_for
    from tests.test_pyx12_outbound import pyx12_accepts

    content = wrap_for(PROFILES["globex"], "CA", "865", [body[1:-1]])
    assert b"005010" in content
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    assert [r[0] for r in read_interchanges(content).segments.elements.to_pylist()].count("SAC") == 2
    ok, ack = pyx12_accepts(content.decode(), maps)
    assert ok, ack[:800]
    (tmp_path / "globex").mkdir()
    ok, errors = bots_check(content, tmp_path / "globex")
    assert ok, errors


@pytest.mark.parametrize("profile", ["", '\n[acks.po_ack]\nallowances = "none"\n'], ids=["default", "none"])
def test_without_the_setting_the_865_states_no_allowance(tmp_path, profile):
    """The same change, the profile not asking: the 865 carries no SAC (the deal still agrees the change)."""
    ws = _ordered(tmp_path, profile=profile)
    _changed(ws, [HEADING, RAISE, LINE_SAC])
    assert _state(ws)[0] == "acknowledged"
    assert [s[0] for s in _865(ws)] == ["ST", "BCA", "POC", "ACK", "CTT", "SE"]


def test_an_allowance_no_deal_agreed_is_not_stated(tmp_path):
    """The POC's 3 % of deal FALL26, the heading's 12 % naming no deal but within nothing (held for a person);
    approved, the 865 states the agreed 3 % in its POC loop and not the heading 12 % a person let through."""
    from datetime import datetime

    from typer.testing import CliRunner

    from flows.cli import app

    ws = _ordered(tmp_path)
    _changed(ws, ["SAC*A*C310****1*12*****02", RAISE, LINE_SAC])
    assert _state(ws)[0] == "held"
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 9))
    body = _865(ws)
    assert [s[0] for s in body] == ["ST", "BCA", "POC", "SAC", "ACK", "CTT", "SE"], body
    assert body[3] == SAC_LINE
