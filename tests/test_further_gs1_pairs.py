"""GTIN_CHECK_DIGIT_INVALID for a line's further UP/UK/EN pairs (rules.business.items.further_gs1_findings) reads
only the columns it needs and filters only when some line has no pairs: the findings name the same lines, elements
and values whether the lines' pairs are all there or some lines have none (hand-built tables, CSV orders), and
whatever other columns the table carries."""

from __future__ import annotations

import pyarrow as pa

from rules.business.items import further_gs1_findings
from schemas.orders import ORDER_LINES

BAD = "614141999980"  # 12 digits, a wrong check digit
GOOD = "614141999996"


def _lines(pairs: list[list[tuple[str, str]] | None]) -> pa.Table:
    n = len(pairs)
    columns = {
        "product_ids": pa.array([None if p is None else [{"qualifier": q, "id": i} for q, i in p] for p in pairs],
                                ORDER_LINES.field("product_ids").type),
        "upc": pa.array([next((i for q, i in p or () if q == "UP"), None) for p in pairs], pa.string()),
        "gtin": pa.array([next((i for q, i in p or () if q == "UK"), None) for p in pairs], pa.string()),
        "ean": pa.array([next((i for q, i in p or () if q == "EN"), None) for p in pairs], pa.string()),
        "source_file": pa.array(["po.x12"] * n), "isa13": pa.array(["000000001"] * n),
        "gs06": pa.array(["1"] * n), "st02": pa.array(["0001"] * n),
        "segment_position": pa.array([10 + k for k in range(n)], pa.int32()),
        "file_segment": pa.array([20 + k for k in range(n)], pa.int32()),
        "line_number": pa.array([k + 1 for k in range(n)], pa.int32()),
        "po_number": pa.array(["PO-1"] * n), "note": pa.array([f"wide {k}" for k in range(n)]),
    }
    return pa.table(columns)


def _told(findings) -> list[tuple]:
    return [(f.location.line_number, f.location.segment_position, f.location.element, f.location.value)
            for f in findings]


def test_a_second_bad_upc_is_told_at_its_line_with_or_without_lines_lacking_pairs():
    every = [[("UP", GOOD)], [("UP", GOOD), ("UP", BAD)], [("VN", "X1")], [("UP", GOOD), ("UK", "0" + GOOD),
                                                                          ("UK", "0" + BAD)]]
    told = _told(further_gs1_findings(_lines(every)))
    assert told == [(2, 11, "PO109", BAD), (4, 13, "PO111", "0" + BAD)]
    some_without = [None, every[0], every[1], None, every[2], every[3], None]
    assert _told(further_gs1_findings(_lines(some_without))) == [(3, 12, "PO109", BAD), (6, 15, "PO111", "0" + BAD)]
    assert further_gs1_findings(_lines([None, None])) == []
