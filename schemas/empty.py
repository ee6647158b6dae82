"""Empty tables of the canonical schemas, each made once. ``schema.empty_table()`` builds an array per
column on every call (~10 us a column: 0.5 ms for ORDERS' 53); every file's outcome starts with five
empty tables and most files hold no 860, so intake made ~150 columns of nothing per file (1.4-1.8 ms of
a one-PO file's ~30 ms). An Arrow table never changes: one per schema is shared. Owns no schema.
"""

from __future__ import annotations

import pyarrow as pa

# id(schema) -> (the schema, its empty table): looked up by identity (hashing a pa.Schema costs more than
# building a small empty table), the schema kept so an id is never taken for another schema's
_EMPTY: dict[int, tuple[pa.Schema, pa.Table]] = {}


def empty_table(schema: pa.Schema) -> pa.Table:
    """``schema.empty_table()``, made on the first call for this schema object and shared after."""
    hit = _EMPTY.get(id(schema))
    if hit is None or hit[0] is not schema:
        hit = _EMPTY[id(schema)] = (schema, schema.empty_table())
    return hit[1]
