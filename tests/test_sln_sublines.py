"""SLN sublines under a PO1 (X12 code list 662 in SLN03): I (included: a prepack's components) and O
(information only) describe the item ordered and ask nothing; A (add), D (delete) and S (substituted) ask
for a component added to, taken from or swapped in the item. We allocate, acknowledge and ship each PO1
item as ordered, so those are named once per order (SLN_NOT_APPLIED, a warning, never in the 997) instead
of being dropped without a word; the order is taken as sent."""

from __future__ import annotations

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import render, run, segments

HEAD = GOOD_PO[:6]
# a prepack of two colours (included components), as Macy's- and Kohl's-style guides send it
PREPACK = ["PO1*1*2*CA*30*PE*VN*PACK-1*UP*073000040482", "PO4*12*1*EA", "SLN*1**I*6*EA*2.50***UP*073000040483",
           "SLN*2**I*6*EA*2.50***UP*073000040484"]
ASKING = ["PO1*2*6*EA*10*PE*VN*SKU-2", "SLN*2.1**A*1*EA*3***VN*SKU-3", "SLN*2.2**S*2*EA****VN*SKU-4",
          "SLN*2.3**D*1*EA", "SLN*2.4**O*1*EA****VN*SKU-5"]


def found(body: list[str]) -> list:
    result = read_interchanges(x12_850(body))
    return check_structure(result, list(result.transaction_sets()))


def test_sublines_that_add_delete_or_substitute_are_named_once():
    [f] = found(HEAD + PREPACK + ASKING + ["CTT*2*8"])
    assert (f.code, f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "SLN_NOT_APPLIED", "warning", "SLN", "SLN03", "A")
    assert f.location.segment_position == 13  # the first asking SLN
    assert ("(line 2 subline 2.1 adds 1 EA VN SKU-3; line 2 subline 2.2 substitutes 2 EA VN SKU-4; line 2 "
            "subline 2.3 deletes 1 EA)") in f.message
    assert "SKU-5" not in f.message and "073000040483" not in f.message


def test_a_prepack_with_included_components_raises_nothing_and_sublines_change_no_order():
    assert found(HEAD + PREPACK + ["CTT*1*2"]) == []
    out = run(x12_850(HEAD + PREPACK + ASKING + ["CTT*2*8"]))
    assert [f.code for f in out.findings] == ["SLN_NOT_APPLIED"] and out.error_count == 0
    assert out.lines.num_rows == 2 and [str(q) for q in out.lines["quantity"].to_pylist()] == ["2.0000", "6.0000"]
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and not [s for s in segs if s[0] in ("AK3", "AK4")]
