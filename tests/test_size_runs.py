"""A size run ordered as one style line (rules.business.size_runs): a PO1 naming no item of ours whose SLN I sublines
each name one of ours with its own quantity, adding up to PO102, is taken in as one line per size; anything else
(a prepack whose pack is ours, a prepack's per-pack components, a size not ours, another unit, one subline, subline
ids missing, repeated or naming another line) is left exactly as sent. The night through 855, 856 and 810:
tests/test_rg53_team_uniform_buyers.py::test_a_size_run_of_one_style_is_taken_size_by_size."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.reference import load_reference
from parsers.orders_850 import read_orders_with_sacs
from parsers.x12_reader import read_interchanges
from rules.business.size_runs import as_sizes, has_sublines
from tests.support import GOOD_PO, REPO, x12_850

REF = REPO / "tests" / "fixtures" / "rg53" / "reference"
HEAD = GOOD_PO[:6]
STYLE = ["PO1*1*120*EA*11.2**VA*WS-GRY*CL*GRY", "PID*F*08***WORK SHIRT", "SAC*C*H000***500"]
SIZES = ["SLN*1-1**I*40*EA*11.2***UP*614141553051*SZ*M", "SLN*1-2**I*60*EA*12.5*PE**UP*614141553068*SZ*L",
         "SLN*1-3**I*20*EA****UP*614141553075*SZ*XL"]
BUNDLE = ["PO1*4*12*PK*142**BP*CT-WP-NVY-3432", "SAC*A*C310***700"]


def read(body: list[str]):
    result = read_interchanges(x12_850(HEAD + body + [f"CTT*{sum(s.startswith('PO1') for s in body)}"]))
    return read_orders_with_sacs(result, list(result.transaction_sets()), partner="cintas")


@pytest.fixture(scope="module")
def ref():
    return load_reference(REF)


def test_a_style_line_with_its_sizes_is_a_line_per_size(ref):
    orders, lines, sacs = read(STYLE + SIZES + BUNDLE)
    assert has_sublines(lines) and orders["line_count"].to_pylist() == [2]
    got, moved, counted = as_sizes(lines, ref, sacs, orders)
    rows = got.to_pylist()
    assert [(r["line_number"], r["line_id"], r["style_line_id"], r["quantity"], r["unit"], r["unit_price"],
             r["price_basis"], r["upc"]) for r in rows] == [
        (1, "1-1", "1", Decimal(40), "EA", Decimal("11.2"), None, "614141553051"),
        (2, "1-2", "1", Decimal(60), "EA", Decimal("12.5"), "PE", "614141553068"),  # SLN06/07: its own price
        (3, "1-3", "1", Decimal(20), "EA", Decimal("11.2"), None, "614141553075"),  # none: the PO1's
        (4, "4", None, Decimal(12), "PK", Decimal(142), None, None)]
    assert rows[0]["product_ids"] == [{"qualifier": q, "id": i} for q, i in (
        ("UP", "614141553051"), ("SZ", "M"), ("VA", "WS-GRY"), ("CL", "GRY"))]
    assert {r["description"] for r in rows[:3]} == {"WORK SHIRT"} and not any(r["prepack_components"] for r in rows)
    # lineage: each size keeps the style's PO1 position and lineage; the bundle its own
    assert [r["segment_position"] for r in rows] == [8, 8, 8, 14]  # ST is 1
    assert len({(r["source_file"], r["isa13"], r["st02"]) for r in rows}) == 1
    # the style's charge goes with its first size; the bundle's allowance with the bundle's new number
    assert [(r["kind"], r["line_number"], r["line_id"]) for r in moved.to_pylist()] == [("C", 1, "1-1"),
                                                                                        ("A", 4, "4")]
    assert counted["line_count"].to_pylist() == [4]


@pytest.mark.parametrize("body", [
    pytest.param(["PO1*1*120*EA*11.2**UP*614141553051", *SIZES], id="the PO1 names an item of ours: a prepack"),
    pytest.param(["PO1*1*10*EA*11.2**VA*WS-GRY", "SLN*1-1**I*1*EA***UP*614141553051",
                  "SLN*1-2**I*1*EA***UP*614141553068"], id="per-pack quantities not adding up to PO102"),
    pytest.param(["PO1*1*120*EA*11.2**VA*WS-GRY", *SIZES[:2], "SLN*1-3**I*20*EA****UP*614141559999"],
                 id="a size none of ours"),
    pytest.param(["PO1*1*120*EA*11.2**VA*WS-GRY", *SIZES[:2], "SLN*1-3**I*20*PC****UP*614141553075"],
                 id="a size in another unit"),
    pytest.param(["PO1*1*40*EA*11.2**VA*WS-GRY", SIZES[0]], id="one subline"),
    pytest.param(["PO1*1*120*EA*11.2**VA*WS-GRY", *SIZES[:2], "SLN*1-2**I*20*EA****UP*614141553075"],
                 id="a subline id twice"),
    pytest.param(["PO1*1*120*EA*11.2**VA*WS-GRY", *SIZES[:2], "SLN*4**I*20*EA****UP*614141553075", *BUNDLE],
                 id="a subline id naming another line"),
])
def test_anything_else_is_left_as_sent(ref, body):
    orders, lines, sacs = read(body)
    assert as_sizes(lines, ref, sacs, orders) == (lines, sacs, orders)


def test_lines_without_sublines_are_not_looked_at(ref):
    orders, lines, sacs = read(BUNDLE)
    assert not has_sublines(lines)
    got = as_sizes(lines, ref, sacs, orders)
    assert got[0] is lines and got[1] is sacs and got[2] is orders
