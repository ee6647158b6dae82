"""What the rg89b round (releases drawn against their blanket, engine.blankets) left, closed:

1. a release line in another unit than its blanket's line (CA against EA) draws its blanket down converted by the
   item's pack (rules.shipment_units: items.unit, case_pack, item_units), exactly; a unit no pack converts is a
   finding (RELEASE_UNIT_UNCONVERTED), never compared unit-blind;
2. a release line for an item the blanket does not list is a finding naming the blanket and the item
   (RELEASE_ITEM_NOT_ON_BLANKET, held for a person), not taken as an order of its own;
3. a release held for a person draws its blanket until a person rejects it, and the finding names the held releases
   it counted; one a person rejected (even one answered 855 RD in the same run) draws nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from rules.shipment_units import ShipmentUnits
from schemas.orders import ORDER_LINES, ORDERS
from schemas.reference import ITEM_UNITS, ITEMS, PARTNER_ITEMS
from schemas.rule_settings import RuleSettings
from tests.retailer_support import findings_and_states, of_its_own, recounted
from tests.test_rg89_order_types import FIXTURES, NIGHT, WAREHOUSES

BLANKET = "FAS8900401"


def _orders(rows: list[dict]) -> pa.Table:
    base = {"source_file": "f.x12", "isa13": "1", "gs06": "1", "st02": "0001", "partner": "fa", "purpose": "00",
            "release_number": None, "po_date": date(2026, 11, 20), "expires_on": None}
    return pa.Table.from_pylist([{**base, "order_ref": r["po_number"], **r} for r in rows], schema=ORDERS)


def _lines(rows: list[dict]) -> pa.Table:
    base = {"source_file": "f.x12", "isa13": "1", "gs06": "1", "st02": "0001", "partner": "fa", "order_ref": "r",
            "line_number": 1, "unit": "EA", "buyer_part": "B1"}
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=ORDER_LINES)


def _units(unit_rows: list[dict] | None = None) -> ShipmentUnits:
    """An item master: S1 sold by the each in cases of 12 (B1 the buyer's part, UPC 614141000012), S2 by the each
    in cases of 7; ``unit_rows`` its item_units rows."""
    item = {"description": "", "min_order_qty": 1, "status": "active"}
    items = pa.Table.from_pylist([
        {**item, "sku": "S1", "gtin": "00614141000012", "upc": "614141000012", "vendor_part": "S1", "unit": "EA",
         "case_pack": 12},
        {**item, "sku": "S2", "gtin": None, "upc": None, "vendor_part": "S2", "unit": "EA", "case_pack": 7}],
        schema=ITEMS)
    xref = pa.Table.from_pylist([{"partner": "fa", "qualifier": "BP", "buyer_part": "B1", "sku": "S1"}],
                                schema=PARTNER_ITEMS)
    return ShipmentUnits(items, pa.Table.from_pylist(unit_rows or [], schema=ITEM_UNITS), RuleSettings(), xref)


def _blanket(quantity: int, unit: str = "EA", **ids) -> tuple[pa.Table, pa.Table]:
    return (_orders([{"po_number": "P", "order_type": "BK"}]),
            _lines([{"po_number": "P", "quantity": Decimal(quantity), "unit": unit, **ids}]))


def _release(number: str, *lines: dict) -> tuple[pa.Table, pa.Table]:
    po = f"P\x1e{number}"
    return (_orders([{"po_number": po, "order_type": "RL", "release_number": number}]),
            _lines([{"po_number": po, "line_number": k, **line} for k, line in enumerate(lines, 1)]))


def _concat(*tables: pa.Table) -> pa.Table:
    return pa.concat_tables(tables)


# --- 1. another unit: converted by the item's pack ------------------------------------------------------------------

def test_a_release_in_cases_draws_its_blanket_in_eaches_by_the_item_s_pack():
    """The blanket holds 100 EA of B1 (a case of 12): release 1 drew 60 EA; release 2's 4 CA are 48 EA (108: past,
    said in both units); 3 CA (96) are within. Unit-blind, 4 "CA" were 4 of 100 and passed."""
    from engine.blankets import release_findings

    blanket, blanket_lines = _blanket(100)
    first, first_lines = _release("1", {"quantity": Decimal(60)})
    held, held_lines = _concat(blanket, first), _concat(blanket_lines, first_lines)
    now, now_lines = _release("2", {"quantity": Decimal(4), "unit": "CA"})
    [f] = release_findings(now, now_lines, held, held_lines, units=_units())
    assert f.code == "RELEASE_PAST_BLANKET"
    assert f.message.startswith("Release 2 of blanket PO P calls off 4 CA (48 EA) of B1 (line 1), with 60 EA called "
                                "off by release 1 before it: 108 EA in all, past the blanket's 100 EA.")
    within, within_lines = _release("2", {"quantity": Decimal(3), "unit": "CA"})
    assert release_findings(within, within_lines, held, held_lines, units=_units()) == []


def test_a_blanket_in_cases_is_drawn_by_eaches_exactly():
    """The blanket holds 10 CA of S2 (7 a case, our part S2 on both): 30 EA are 30/7 CA, and 42 more (6 CA) bring it
    to 72/7 CA, past 10: said as about that, the figures never rounded to pass or fail. An item_units row counts
    too (a PK of 3 of S1 against a blanket in EA)."""
    from engine.blankets import release_findings

    blanket, blanket_lines = _blanket(10, "CA", buyer_part=None, vendor_part="S2")
    first, first_lines = _release("1", {"quantity": Decimal(30), "buyer_part": None, "vendor_part": "S2"})
    held, held_lines = _concat(blanket, first), _concat(blanket_lines, first_lines)
    now, now_lines = _release("2", {"quantity": Decimal(42), "buyer_part": None, "vendor_part": "S2"})
    [f] = release_findings(now, now_lines, held, held_lines, units=_units())
    assert "calls off 42 EA (6 CA) of S2 (line 1), with about 4.286 CA called off by release 1 before it: about " \
           "10.286 CA in all, past the blanket's 10 CA." in f.message
    exact, exact_lines = _release("2", {"quantity": Decimal(40), "buyer_part": None, "vendor_part": "S2"})
    assert release_findings(exact, exact_lines, held, held_lines, units=_units()) == []  # 70 EA: 10 CA exactly

    blanket, blanket_lines = _blanket(30)
    packs, pack_lines = _release("1", {"quantity": Decimal(11), "unit": "PK"})
    [f] = release_findings(packs, pack_lines, blanket, blanket_lines,
                           units=_units([{"sku": "S1", "unit": "PK", "eaches": 3}]))
    assert "calls off 11 PK (33 EA) of B1" in f.message


def test_a_unit_no_pack_converts_is_named_not_compared_unit_blind():
    """A release in BX of an item with no BX pack (nor an item master at all): RELEASE_UNIT_UNCONVERTED naming
    both units and where a pack is kept; it is held, and draws nothing that later releases would count."""
    from engine.blankets import release_findings

    blanket, blanket_lines = _blanket(100)
    now, now_lines = _release("1", {"quantity": Decimal(2), "unit": "BX"})
    for units in (_units(), None):
        [f] = release_findings(now, now_lines, blanket, blanket_lines, units=units)
        assert f.code == "RELEASE_UNIT_UNCONVERTED" and f.severity == "error"
        assert f.location.segment_id == "PO1" and f.location.element == "PO103" and f.location.value == "BX"
        assert f.message.startswith("Release 1 of blanket PO P calls off 2 BX of B1 (line 1), the blanket's line 1 "
                                    "holding 100 EA: we know no pack of the item saying how many EA one BX is")
    from schemas.outcomes import HOLD_ORDER, outcome_for

    assert outcome_for("RELEASE_UNIT_UNCONVERTED") == HOLD_ORDER


def test_a_release_in_cases_is_held_past_its_blanket_at_decide(tmp_path):
    """Fastenal's blanket holds 5,000 screws (EA, a case of 100); release 0001 drew 1,000; release 0002 asks 45 CA
    (4,500 EA): held, named in both units. It used to be acknowledged (45 "CA" against 5,000 EA passed)."""
    found, states = _night_two(tmp_path, {"0002": ["PO1*1*45*CA*42**BP*11128906*VP*RG89-06"]})
    assert states[("fastenal", f"{BLANKET}\x1e0002")] == "held"
    [told] = [m for c, m in found if c == "RELEASE_PAST_BLANKET"]
    assert told.startswith("Release 0002 of blanket PO FAS8900401 calls off 45 CA (4500 EA) of 11128906 (line 1), "
                           "with 1000 EA called off by release 0001 before it: 5500 EA in all, past the blanket's "
                           "5000 EA.")


def test_a_release_in_cases_within_its_blanket_is_acknowledged(tmp_path):
    found, states = _night_two(tmp_path, {"0002": ["PO1*1*40*CA*42**BP*11128906*VP*RG89-06"]})
    assert states[("fastenal", f"{BLANKET}\x1e0002")] == "acknowledged"
    assert not [c for c, _m in found if c.startswith("RELEASE_")]


# --- 2. an item the blanket does not list --------------------------------------------------------------------------

def test_an_item_the_blanket_does_not_list_is_named():
    """Release 1 asks B1 (listed) and B9 (not): RELEASE_ITEM_NOT_ON_BLANKET naming the blanket, the item and its
    line. The same item sent by another id (our UPC, the blanket naming the buyer's part) is the blanket's item."""
    from engine.blankets import release_findings

    blanket, blanket_lines = _blanket(100)
    now, now_lines = _release("1", {"quantity": Decimal(10)}, {"quantity": Decimal(5), "buyer_part": "B9"})
    [f] = release_findings(now, now_lines, blanket, blanket_lines, units=_units())
    assert f.code == "RELEASE_ITEM_NOT_ON_BLANKET" and f.severity == "error"
    assert f.location.line_number == 2 and f.location.value == "B9"
    assert f.message.startswith("Release 1 of blanket PO P calls off item B9 (the buyer's part, line 2), which the "
                                "blanket does not list")
    by_upc, upc_lines = _release("1", {"quantity": Decimal(120), "buyer_part": None, "upc": "614141000012"})
    [f] = release_findings(by_upc, upc_lines, blanket, blanket_lines, units=_units())
    assert f.code == "RELEASE_PAST_BLANKET" and "calls off 120 EA of 614141000012 (line 1)" in f.message


def test_a_release_of_an_item_off_its_blanket_is_held_at_decide(tmp_path):
    """Release 0002 asks 100 screws (on the blanket) and 24 deck screws (RG89-01, not on it): held, named. It used
    to be acknowledged, the deck screws taken as an order of their own."""
    found, states = _night_two(tmp_path, {"0002": ["PO1*1*100*EA*0.42**BP*11128906*VP*RG89-06",
                                                   "PO1*2*24*EA*1.10**VP*RG89-01"]})
    assert states[("fastenal", f"{BLANKET}\x1e0002")] == "held"
    [told] = [m for c, m in found if c == "RELEASE_ITEM_NOT_ON_BLANKET"]
    assert told.startswith("Release 0002 of blanket PO FAS8900401 calls off item RG89-01 (our item, line 2), "
                           "which the blanket does not list")


# --- 3. held releases draw until a person rejects them --------------------------------------------------------------

def test_held_releases_are_counted_and_named_rejected_ones_draw_nothing():
    """Release 2 (4,500 of 5,000) waits for a person; release 3 asks 1,000: past, the finding naming release 2 as
    held and counted. Once a person rejected release 2, answered in the same run as release 3 arrives or before,
    it draws nothing: release 3 is within."""
    from engine.blankets import release_findings

    blanket, blanket_lines = _blanket(5000)
    second, second_lines = _release("2", {"quantity": Decimal(4500)})
    third, third_lines = _release("3", {"quantity": Decimal(1000)})
    held, held_lines = _concat(blanket, second), _concat(blanket_lines, second_lines)
    [f] = release_findings(third, third_lines, held, held_lines, units=_units(),
                           states={("fa", "P\x1e2"): "held", ("fa", "P\x1e3"): "received"})
    assert "with 4500 EA called off by release 2 before it (of them, release 2 held, waiting for a person, counted " \
           "until rejected): 5500 EA in all" in f.message
    # an acknowledged release is counted and not called held
    [f] = release_findings(third, third_lines, held, held_lines, states={("fa", "P\x1e2"): "acknowledged"})
    assert "release 2 before it: 5500 EA" in f.message
    # a person rejected it: deciding in this run (to be answered 855 RD), or answered already
    both, both_lines = _concat(second, third), _concat(second_lines, third_lines)
    assert release_findings(both, both_lines, blanket, blanket_lines,
                            states={("fa", "P\x1e2"): "rejected_by_person", ("fa", "P\x1e3"): "received"}) == []
    assert release_findings(third, third_lines, held, held_lines, states={("fa", "P\x1e2"): "rejected"}) == []


def test_a_release_a_person_rejected_frees_its_quantity_for_the_next(tmp_path):
    """Release 0002 (4,500 past 5,000 with 0001's 1,000) is held; a person rejects it; release 0003 (3,000: 4,000
    with 0001) arrives the next night, decided with 0002's 855 RD: acknowledged. It used to be held, the rejected
    release still counted (it was deciding in the same run)."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support import run_stages

    ws = _workspace(tmp_path)
    _drop(ws, "0002", ["PO1*1*4500*EA*0.42**BP*11128906*VP*RG89-06"], "20261126")
    run_stages(ws, datetime(2026, 11, 26, 2))
    res = CliRunner().invoke(app, ["reject", BLANKET, "--release", "0002", "--partner", "fastenal", "--by", "Kim",
                                   "--reason", "past the blanket", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    _drop(ws, "0003", ["PO1*1*3000*EA*0.42**BP*11128906*VP*RG89-06"], "20261127")
    run_stages(ws, datetime(2026, 11, 27, 2))
    found, states = findings_and_states(ws)
    assert states[("fastenal", f"{BLANKET}\x1e0002")] == "rejected"
    assert states[("fastenal", f"{BLANKET}\x1e0003")] == "acknowledged"
    assert [m for c, m in found if c == "RELEASE_PAST_BLANKET" and "Release 0003" in m] == []


# --- helpers: Fastenal's blanket and release 0001 the first night, more releases after ------------------------------

def _workspace(tmp_path):
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"fastenal": ["FAS850_FAS8900401.x12", "FAS850_FAS8900401_0001.x12"]},
                    warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    return ws


def _drop(ws, number: str, po1s: list[str], day: str) -> None:
    """Release ``number`` of the blanket, dated ``day``, with the PO1 segments ``po1s``, in Fastenal's inbox."""
    control = 89004 + 10 * int(number)
    first = (FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401_0001.x12").read_text()
    head, _lines, tail = first.partition("PO1*1*1000*")
    head = head.replace("*0001*20261124", f"*{number}*{day}").replace("000089014", f"{control:09d}").replace(
        "*89014*", f"*{control}*")
    tail = tail.split("CTT*", 1)[1].split("~", 1)[1].replace("GE*1*89014", f"GE*1*{control}").replace(
        "000089014", f"{control:09d}")
    total = sum(int(p.split("*")[2]) for p in po1s)
    body = "".join(f"{p}~\n" for p in po1s) + f"CTT*{len(po1s)}*{total}~"
    data = recounted((head + body + tail).encode())
    (ws.drop_root / "fastenal" / "inbox" / f"FAS850_FAS8900401_{number}.x12").write_bytes(data)


def _night_two(tmp_path, releases: dict[str, list[str]]):
    from tests.support import run_stages

    ws = _workspace(tmp_path)
    for number, po1s in releases.items():
        _drop(ws, number, po1s, "20261126")
    run_stages(ws, datetime(2026, 11, 26, 2))
    return findings_and_states(ws)
