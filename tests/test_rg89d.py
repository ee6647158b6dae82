"""What the rg89b and rg89c rounds (releases drawn against their blanket, engine.blankets) left, closed:

1. a release (BEG02 RL) of a blanket PO we never received, or hold nothing of (cancelled, rejected), is said
   (RELEASE_BLANKET_UNKNOWN at BEG03, naming the blanket PO): a warning by default, held for a partner whose
   outcomes say so, and nothing for a partner whose blankets are agreed outside EDI ([rules] blankets_outside_edi);
   it used to be taken silently as an order of its own;
2. `orderbridge recheck` runs the blanket check: a release held past its blanket stays held, and once an 860 raised
   the blanket (BCH02 BK naming no release: the blanket, not one of its releases) it is decided against the new
   blanket and cleared; it used to be cleared unchecked (and the 860 refused as naming no release of several).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tests.retailer_support import findings_and_states, of_its_own
from tests.test_rg89_order_types import FIXTURES, NIGHT, WAREHOUSES
from tests.test_rg89c import BLANKET, _blanket, _concat, _drop, _release, _units, _workspace

# --- 1. a release of a blanket we do not hold -------------------------------------------------------------------------


def test_a_release_of_a_blanket_we_do_not_hold_names_the_blanket():
    """Release 1 of PO P with no blanket held (none received; or only a cancelled one): RELEASE_BLANKET_UNKNOWN, a
    warning at BEG03 naming P; one cancelled (BEG01 01) or rejected by a person says nothing. With the blanket held,
    nothing is said of it."""
    from engine.blankets import release_findings
    from schemas.outcomes import ACCEPT, HOLD_ORDER, outcome_for

    now, now_lines = _release("1", {"quantity": Decimal(10)})
    empty, empty_lines = now.slice(0, 0), now_lines.slice(0, 0)
    [f] = release_findings(now, now_lines, empty, empty_lines, units=_units())
    assert f.code == "RELEASE_BLANKET_UNKNOWN" and f.severity == "warning"
    assert f.location.segment_id == "BEG" and f.location.element == "BEG03" and f.location.value == "P"
    assert f.location.line_number is None
    assert f.message.startswith("Release 1 (BEG02 RL) refers to blanket PO P (BEG03), and we hold no blanket order "
                                "under that PO number")
    cancelled_blanket, blanket_lines = _blanket(100)
    cancelled_blanket = cancelled_blanket.set_column(
        cancelled_blanket.schema.get_field_index("purpose"), "purpose", [["01"]])
    [g] = release_findings(now, now_lines, cancelled_blanket, blanket_lines)
    assert g == f
    # a release cancelled, or one a person rejected, calls off nothing: nothing said
    cancel = now.set_column(now.schema.get_field_index("purpose"), "purpose", [["01"]])
    assert release_findings(cancel, now_lines, empty, empty_lines) == []
    assert release_findings(now, now_lines, empty, empty_lines, states={("fa", "P\x1e1"): "rejected_by_person"}) == []
    blanket, blanket_lines = _blanket(100)
    assert release_findings(now, now_lines, blanket, blanket_lines) == []
    assert release_findings(_concat(blanket, now), _concat(blanket_lines, now_lines), empty, empty_lines) == []
    # a partner whose blankets are agreed outside EDI ([rules] blankets_outside_edi): its releases say nothing of it
    assert release_findings(now, now_lines, empty, empty_lines, outside={"fa"}) == []
    assert outcome_for("RELEASE_BLANKET_UNKNOWN") == ACCEPT
    assert outcome_for("RELEASE_BLANKET_UNKNOWN", {"RELEASE_BLANKET_UNKNOWN": "hold_order"}) == HOLD_ORDER


def test_a_release_with_no_blanket_is_answered_with_a_warning_or_held_by_the_profile(tmp_path):
    """Fastenal's release 0001 arrives without its blanket: acknowledged (its 855 as before), the warning naming
    blanket PO FAS8900401; a Fastenal whose outcomes hold it ([rules.outcomes] RELEASE_BLANKET_UNKNOWN = "hold_order")
    waits for a person; one whose blankets are agreed outside EDI ([rules] blankets_outside_edi = true) answers it and
    says nothing. It used to be taken silently as an order of its own, whatever the partner."""
    from tests.support import run_stages

    key = ("fastenal", BLANKET)  # the PO number's only order: keyed by it alone
    for name, outcomes, state in (("warned", "", "acknowledged"),
                                  ("held", '\n[rules.outcomes]\nRELEASE_BLANKET_UNKNOWN = "hold_order"\n', "held"),
                                  ("outside", "\n[rules]\nblankets_outside_edi = true\n", "acknowledged")):
        ws = of_its_own(FIXTURES, tmp_path / name, {"fastenal": ["FAS850_FAS8900401_0001.x12"]},
                        warehouses=WAREHOUSES)
        profile = ws.root / "partners" / "fastenal.toml"
        profile.write_text(profile.read_text() + outcomes)
        run_stages(ws, NIGHT)
        found, states = findings_and_states(ws)
        assert states[key] == state, (states, found)
        told = [m for c, m in found if c == "RELEASE_BLANKET_UNKNOWN"]
        if name == "outside":
            assert told == []
            continue
        assert len(told) == 1 and told[0].startswith(
            "Release 0001 (BEG02 RL) refers to blanket PO FAS8900401 (BEG03), and we hold no blanket order under that "
            "PO number")


# --- 2. recheck decides a release against its blanket as it is now -----------------------------------------------


def test_a_release_held_past_its_blanket_is_rechecked_against_the_blanket_an_860_raised(tmp_path):
    """Release 0002 asks 4,500 screws, 5,500 with release 0001's 1,000: past the blanket's 5,000, held. Rechecked as
    it is, it stays held (it used to be cleared: recheck ran no blanket check). Fastenal's 860 (BCH02 BK, no BCH04:
    the blanket itself, not one of its releases) raises the screws to 6,000; rechecked, release 0002 is cleared and
    the next run acknowledges it."""
    from connectors.state import StateStore
    from flows.recheck import recheck_held
    from tests.support import run_stages

    ws = _workspace(tmp_path)
    _drop(ws, "0002", ["PO1*1*4500*EA*0.42**BP*11128906*VP*RG89-06"], "20261126")
    run_stages(ws, datetime(2026, 11, 26, 2))
    key = ("fastenal", f"{BLANKET}\x1e0002")

    def recheck(at: datetime) -> str:
        state = StateStore(ws.state_path)
        try:
            [done] = recheck_held(ws, state, po=key[1], partner="fastenal", by="Kim", at=at)
            return done.after.state.value
        finally:
            state.close()

    assert recheck(datetime(2026, 11, 26, 9)) == "held"
    found, _states = findings_and_states(ws)
    assert [m for c, m in found if c == "RELEASE_PAST_BLANKET" and "Release 0002" in m]
    _raise_blanket(ws, 6000)
    run_stages(ws, datetime(2026, 11, 27, 2))
    found, states = findings_and_states(ws)
    assert states[key] == "held"
    assert not [c for c, _m in found if c in ("CHANGE_RELEASE_AMBIGUOUS", "CHANGE_ORDER_UNKNOWN")], found
    assert recheck(datetime(2026, 11, 27, 9)) == "received"
    run_stages(ws, datetime(2026, 11, 28, 2))
    _found, states = findings_and_states(ws)
    assert states[key] == "acknowledged"


def _raise_blanket(ws, quantity: int) -> None:
    """Fastenal's 860 of the blanket (BCH02 BK, no release): its screws (line 1) raised to ``quantity``."""
    first = (FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401.x12").read_text()
    isa = first.split("~", 1)[0].replace("000089004", "000089200").replace("*261120*", "*261127*")
    body = ["GS*PC*FASTENAL*ORDERBRIDGE*20261127*0215*89200*X*004010", "ST*860*0001",
            "BCH*04*BK*FAS8900401**1*20261127",
            f"POC*1*QI*{quantity}*{quantity - 5000}*EA*0.42**BP*11128906*VP*RG89-06",
            "CTT*1", "SE*5*0001", "GE*1*89200", "IEA*1*000089200"]
    data = "".join(f"{s}~\n" for s in [isa, *body])
    (ws.drop_root / "fastenal" / "inbox" / "FAS860_FAS8900401.x12").write_text(data)
