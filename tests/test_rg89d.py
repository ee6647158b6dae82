"""What the rg89b and rg89c rounds (releases drawn against their blanket, engine.blankets) left, closed:

1. a release (BEG02 RL) of a blanket PO we never received, or hold nothing of (cancelled, rejected), is said
   (RELEASE_BLANKET_UNKNOWN at BEG03, naming the blanket PO): a warning by default, held for a partner whose
   outcomes say so, and nothing for a partner whose blankets are agreed outside EDI ([rules] blankets_outside_edi);
   it used to be taken silently as an order of its own;
2. `orderbridge recheck` runs the blanket check: a release held past its blanket stays held, and once an 860 raised
   the blanket (BCH02 BK naming no release: the blanket, not one of its releases) it is decided against the new
   blanket and cleared; it used to be cleared unchecked (and the 860 refused as naming no release of several);
3. a release deciding in the same run as a later one draws on the blanket as it was decided, by the partner's
   outcomes (held: counted and named held; answered: counted; rejected: nothing), not as held whenever the check
   found something of it;
4. an 860 lowering a blanket's line below what its releases drew is named on the 860 (BLANKET_BELOW_RELEASES, at
   its POC), with the releases and what each drew.
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
    """Fastenal's 860 of the blanket (BCH02 BK, no release): its screws (line 1) set to ``quantity`` (POC02 QI, or
    QD below 5,000)."""
    first = (FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401.x12").read_text()
    isa = first.split("~", 1)[0].replace("000089004", "000089200").replace("*261120*", "*261127*")
    body = ["GS*PC*FASTENAL*ORDERBRIDGE*20261127*0215*89200*X*004010", "ST*860*0001",
            "BCH*04*BK*FAS8900401**1*20261127",
            f"POC*1*{'QI' if quantity > 5000 else 'QD'}*{quantity}*{abs(quantity - 5000)}*EA*0.42**BP*11128906"
            "*VP*RG89-06",
            "CTT*1", "SE*5*0001", "GE*1*89200", "IEA*1*000089200"]
    data = "".join(f"{s}~\n" for s in [isa, *body])
    (ws.drop_root / "fastenal" / "inbox" / "FAS860_FAS8900401.x12").write_text(data)


# --- 3. a release decided in the same run draws as it was decided ---------------------------------------------------


def test_a_release_deciding_now_draws_as_the_run_decided_it():
    """Release 2 (4,500 of 5,000, with an item off the blanket) and release 3 (1,000) decide in one run. Before the
    run decided, release 2 draws and is named held by nothing (the store holds it received); decided held, it is named
    held; decided accepted (a partner accepting RELEASE_ITEM_NOT_ON_BLANKET), counted and not named held; decided
    rejected, it draws nothing and release 3 is within. It used to be named held whenever the check found something
    of it, and counted even when the partner's outcomes rejected it."""
    from engine.blankets import release_findings

    blanket, blanket_lines = _blanket(5000)
    second, second_lines = _release("2", {"quantity": Decimal(4500)}, {"quantity": Decimal(5), "buyer_part": "B9"})
    third, third_lines = _release("3", {"quantity": Decimal(1000)})
    both, both_lines = _concat(second, third), _concat(second_lines, third_lines)
    states = {("fa", "P\x1e2"): "received", ("fa", "P\x1e3"): "received"}

    def past(decided: dict | None) -> list[str]:
        return [f.message for f in release_findings(both, both_lines, blanket, blanket_lines, states=states,
                                                    decided=decided) if f.code == "RELEASE_PAST_BLANKET"]

    counted = ("Release 3 of blanket PO P calls off 1000 EA of B1 (line 1), with 4500 EA called off by release 2 "
               "before it")
    [before] = past(None)
    assert before.startswith(counted + ": 5500 EA in all")
    [held] = past({("fa", "P\x1e2"): "held", ("fa", "P\x1e3"): "held"})
    assert held.startswith(counted + " (of them, release 2 held, waiting for a person, counted until rejected): "
                                     "5500 EA in all")
    [answered] = past({("fa", "P\x1e2"): "accepted", ("fa", "P\x1e3"): "held"})
    assert answered == before
    assert past({("fa", "P\x1e2"): "rejected", ("fa", "P\x1e3"): "held"}) == []
    # release 2's own finding stays, whatever it was decided
    assert [f.code for f in release_findings(both, both_lines, blanket, blanket_lines, states=states,
                                             decided={("fa", "P\x1e2"): "rejected"})] == ["RELEASE_ITEM_NOT_ON_BLANKET"]


def test_releases_of_one_night_draw_as_the_partner_s_outcomes_decided_them(tmp_path):
    """Release 0002 (100 screws and 24 deck screws the blanket does not list, priced for Fastenal) and 0003 (4,000
    screws) arrive in one night, 0001 having drawn 1,000 of 5,000: 0003 is within unless 0002 draws.
    - Fastenal rejecting a release of an item off its blanket ([rules.outcomes] RELEASE_ITEM_NOT_ON_BLANKET =
      "reject_order"): 0002 is rejected and draws nothing; 0003 (5,000) is acknowledged.
    - Accepting it: 0002 is acknowledged and draws; 0003 (5,100) is held, its finding naming 0002 as counted, not
      held.
    - Holding it (the default): 0002 is held, counted and named held.
    The first two used to hold 0003 naming 0002 "held, waiting for a person"."""
    from tests.support import run_stages

    second, third = (("fastenal", f"{BLANKET}\x1e{n}") for n in ("0002", "0003"))
    past = ("Release 0003 of blanket PO FAS8900401 calls off 4000 EA of 11128906 (line 1), with 1100 EA called off by "
            "releases 0001, 0002 before it{}: 5100 EA in all, past the blanket's 5000 EA.")
    for outcome, states, told in (
            ("reject_order", ("rejected", "acknowledged"), []),
            ("accept", ("acknowledged", "held"), [past.format("")]),
            ("hold_order", ("held", "held"), [past.format(
                " (of them, release 0002 held, waiting for a person, counted until rejected)")])):
        ws = _workspace(tmp_path / outcome)
        profile = ws.root / "partners" / "fastenal.toml"
        profile.write_text(profile.read_text() + f'\n[rules.outcomes]\nRELEASE_ITEM_NOT_ON_BLANKET = "{outcome}"\n')
        prices = ws.root / "reference" / "prices.csv"
        prices.write_text(prices.read_text() + "fastenal,RG89-01,1.1000,USD,2026-01-01,\n")
        _drop(ws, "0002", ["PO1*1*100*EA*0.42**BP*11128906*VP*RG89-06", "PO1*2*24*EA*1.10**VP*RG89-01"], "20261126")
        _drop(ws, "0003", ["PO1*1*4000*EA*0.42**BP*11128906*VP*RG89-06"], "20261126")
        run_stages(ws, datetime(2026, 11, 26, 2))
        found, got = findings_and_states(ws)
        assert (got[second], got[third]) == states, (outcome, got, found)
        assert [m.split(" The release")[0] for c, m in found if c == "RELEASE_PAST_BLANKET"] == told, found


# --- 4. an 860 lowering a blanket below what its releases drew ------------------------------------------------------


def test_an_860_lowering_a_blanket_below_its_releases_is_named_on_the_860(tmp_path):
    """Release 0001 drew 1,000 of the blanket's 5,000 screws and release 0002 (held: 4,500 past it) 4,500 more;
    Fastenal's 860 lowers the screws to 800: BLANKET_BELOW_RELEASES at the 860's POC (its file, POC03 800), naming
    the line, the releases and what each drew. An 860 lowering them to 5,500 (not below) says nothing. It used to
    be applied without a word."""
    from tests.support import run_stages

    for quantity, told in ((800, ["The 860 lowers line 1 (11128906) of blanket PO FAS8900401 to 800 EA, below the "
                                  "5500 EA its releases called off: release 0001 1000 EA, release 0002 4500 EA "
                                  "(held, waiting for a person)."]),
                           (5500, [])):
        ws = _workspace(tmp_path / str(quantity))
        _drop(ws, "0002", ["PO1*1*4500*EA*0.42**BP*11128906*VP*RG89-06"], "20261126")
        run_stages(ws, datetime(2026, 11, 26, 2))
        _raise_blanket(ws, quantity)
        run_stages(ws, datetime(2026, 11, 27, 2))
        found, _states = findings_and_states(ws, row=lambda f: (f["code"], f))
        below = [f for c, f in found if c == "BLANKET_BELOW_RELEASES"]
        assert [f["message"].split(" Those releases")[0] for f in below] == told, found
        if below:
            [f] = below
            assert f["severity"] == "warning" and f["file"].endswith("FAS860_FAS8900401.x12")
            assert (f["segment_id"], f["element"], f["value"]) == ("POC", "POC03", "800")
