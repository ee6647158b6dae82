"""What a run's reports are built from: the stored findings as an Arrow table (FINDING_ROWS, read by
connectors.state.StateStore.findings_table) and the columns of the failures CSV/Parquet
(FAILURE_COLUMNS). Definitions only; engine.report_failures and engine.run_summary render them.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.parties import WAREHOUSE_PARTY, party_label, warehouse_party  # re-exported

FINDING_ROWS = pa.schema([
    ("id", pa.int64()),
    ("run_id", pa.string()),
    ("stage", pa.string()),  # intake | decide | recheck
    ("partner", pa.string()),
    ("po_number", pa.string()),
    ("code", pa.string()),
    ("severity", pa.string()),  # error | warning
    ("message", pa.string()),
    ("file", pa.string()),
    ("isa13", pa.string()),
    ("gs06", pa.string()),
    ("st02", pa.string()),
    ("segment_id", pa.string()),
    ("segment_position", pa.int64()),
    ("file_segment", pa.int64()),
    ("element", pa.string()),
    ("value", pa.string()),
    ("line_number", pa.int64()),
    ("loop_id", pa.string()),
    ("consequence", pa.string()),  # what happened because of it: "line 2: IR", "order held for a person" ...
    ("row_number", pa.int64()),  # a CSV file's finding: the row (header = 1), where X12 has the segment
    ("column_name", pa.string()),  # and the column's header text, where X12 has the element
])

# The failures report's rows (CSV and Parquet), in this order. `decided_by` names the person whose
# approval or rejection of the held order the finding concerns (such a finding is not an open error).
FAILURE_COLUMNS = ("partner", "file", "isa13", "gs06", "st02", "po_number", "line_number", "segment", "element",
                   "value", "code", "severity", "message", "consequence", "decided_by", "hint", "stage", "run_id")

# The run folder's failures.csv: every row, without the hint, which is the code's (the same text on each of 10,000
# rows of one code was 6 MB of a 12 MB file); failures-hints.csv beside it holds it once per code (FAILURE_HINT_COLUMNS:
# the code, how many rows of failures.csv have it, what to do), joined on `code`. failures.parquet keeps every column.
FAILURE_CSV_COLUMNS = tuple(c for c in FAILURE_COLUMNS if c != "hint")
FAILURE_HINT_COLUMNS = ("code", "findings", "hint")

__all__ = ["FAILURE_COLUMNS", "FAILURE_CSV_COLUMNS", "FAILURE_HINT_COLUMNS", "FINDING_ROWS", "WAREHOUSE_PARTY",
           "party_label", "warehouse_party"]
