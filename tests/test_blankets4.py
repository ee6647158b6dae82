"""What blankets3 left of blankets and their releases, closed (each through a night):

1. a blanket the buyer cancels (850 BEG01 01) while releases of it may still ship: the cancellation used to say
   nothing of them (they kept shipping, unseen); a warning at the cancellation now names each open release and its
   state (BLANKET_CANCELLED_RELEASES_OPEN), shown in `status` and the failures report;
2. `orders --json` gives a release's PO number and release as fields, not the store's key with its separator.
"""

from __future__ import annotations

import json

from schemas.order_keys import SEP, release_key
from tests.retailer_support import findings_and_states
from tests.test_blankets3 import DAY2, FIRST, _cancel_blanket
from tests.test_rg89c import BLANKET, _drop
from tests.test_rg89e import NIGHT, RELEASE_FILE, _blanket_850, _night, _put


def _blanket_and_two_releases(tmp_path, name: str):
    """The blanket and release 0001 (answered), and release 0002 (answered) the same night."""
    from tests.support import run_stages

    ws = _night(tmp_path, name, {"FAS850_FAS8900401_0000.x12": _blanket_850(), RELEASE_FILE: _release_0001()})
    _drop(ws, "0002", ["PO1*1*500*EA*0.42**BP*11128906*VP*RG89-06"], "20261127")
    run_stages(ws, NIGHT)
    return ws


def _release_0001():
    from tests.test_rg89e import _release_0001 as first

    return first()


def test_cancelling_a_blanket_names_its_open_releases(tmp_path):
    """The blanket, releases 0001 and 0002 (both acknowledged), then the blanket cancelled (BEG01 01): the blanket is
    cancelled, and a warning at the cancellation's BEG01 names both releases with their states. It used to say
    nothing: the releases shipped with no one told. (Since blankets5 the releases, answered and unshipped, are held
    for a person: tests/test_blankets5.py.)"""
    from tests.support import run_stages

    ws = _blanket_and_two_releases(tmp_path, "open")
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws)
    one, two = ("fastenal", release_key(BLANKET, "0001")), ("fastenal", release_key(BLANKET, "0002"))
    assert states == {FIRST: "cancelled", one: "held", two: "held"}, states
    [told] = [m for c, m in found if c == "BLANKET_CANCELLED_RELEASES_OPEN"]
    assert told.startswith(f"Blanket PO {BLANKET} is cancelled (BEG01 01) with 2 releases of it still open: "
                           f"{BLANKET} release 0001 (acknowledged: held now), {BLANKET} release 0002 (acknowledged: "
                           "held now)."), told
    assert SEP not in told


def _cancel_860(ws) -> None:
    """Fastenal's 860 cancelling the blanket (BCH01 01, BCH02 BK, no release)."""
    from tests.test_rg89d import FIXTURES

    first = (FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401.x12").read_text()
    isa = first.split("~", 1)[0].replace("000089004", "000089201").replace("*261120*", "*261127*")
    body = ["GS*PC*FASTENAL*ORDERBRIDGE*20261127*0215*89201*X*004010", "ST*860*0001",
            f"BCH*01*BK*{BLANKET}**1*20261127", "SE*3*0001", "GE*1*89201", "IEA*1*000089201"]
    (ws.drop_root / "fastenal" / "inbox" / "FAS860_FAS8900401.x12").write_text("".join(f"{s}~\n" for s in [isa, *body]))


def test_cancelling_a_blanket_by_an_860_names_its_open_releases(tmp_path):
    """The same by an 860 (BCH01 01 of the blanket): the blanket cancelled, the releases named at BCH01 (and held,
    answered and unshipped, since blankets5)."""
    from tests.support import run_stages

    ws = _blanket_and_two_releases(tmp_path, "by860")
    _cancel_860(ws)
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws)
    one, two = ("fastenal", release_key(BLANKET, "0001")), ("fastenal", release_key(BLANKET, "0002"))
    assert states == {FIRST: "cancelled", one: "held", two: "held"}, (states, found)
    [told] = [m for c, m in found if c == "BLANKET_CANCELLED_RELEASES_OPEN"]
    assert told.startswith(f"Blanket PO {BLANKET} is cancelled (BCH01 01) with 2 releases of it still open: "
                           f"{BLANKET} release 0001 (acknowledged: held now), {BLANKET} release 0002 (acknowledged: "
                           "held now)."), told
    held = [m for c, m in found if c == "RELEASE_HELD_BLANKET_CANCELLED"]
    assert len(held) == 2 and all(f"cancelled its blanket PO {BLANKET} (BCH01 01)" in m for m in held), held


def test_cancelling_a_blanket_whose_releases_are_over_says_nothing_more(tmp_path):
    """A blanket with no release, cancelled: no warning (nothing is open under it)."""
    from tests.support import run_stages

    ws = _night(tmp_path, "alone", {"FAS850_FAS8900401_0000.x12": _blanket_850()})
    run_stages(ws, NIGHT)
    _put(ws, {"FAS850_FAS8900401_cancel.x12": _cancel_blanket()})
    run_stages(ws, DAY2)
    found, states = findings_and_states(ws)
    assert states == {FIRST: "cancelled"}, states
    assert "BLANKET_CANCELLED_RELEASES_OPEN" not in [c for c, _m in found]


# --- 2. orders --json -------------------------------------------------------------------------------------------------


def _orders_json(ws) -> list[dict]:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["orders", "--json", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    return sorted(({k: o[k] for k in ("po_number", "release", "order", "state")}
                   for o in json.loads(result.stdout)["orders"]), key=lambda o: (o["release"], o["order"]))


def test_orders_json_gives_the_po_number_and_the_release_as_fields(tmp_path):
    """The blanket first (holding the PO number), releases 0001 and 0002 keyed apart: each order's po_number is
    BEG03 and its release the --release value naming it. It used to give a release's store key ("FAS8900401\\x1e0001")
    as po_number, and no release field. Then a release first (holding the PO number) and its blanket the next night
    (kept apart): "0001" and "blanket" as the release."""
    from tests.test_blankets3 import _release_then_blanket

    ws = _blanket_and_two_releases(tmp_path, "json")
    got = _orders_json(ws)
    assert got == [
        {"po_number": BLANKET, "release": "0001", "order": f"{BLANKET} release 0001", "state": "acknowledged"},
        {"po_number": BLANKET, "release": "0002", "order": f"{BLANKET} release 0002", "state": "acknowledged"},
        {"po_number": BLANKET, "release": "blanket", "order": f"{BLANKET} blanket", "state": "held"},
    ], got
    got = _orders_json(_release_then_blanket(tmp_path, "apart"))
    assert [(o["po_number"], o["release"], o["order"]) for o in got] == [
        (BLANKET, "0001", f"{BLANKET} release 0001"), (BLANKET, "blanket", f"{BLANKET} blanket")], got
    assert not any(SEP in json.dumps(o) or "\\u001e" in json.dumps(o) for o in got)
