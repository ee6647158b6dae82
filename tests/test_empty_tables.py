"""schemas.empty.empty_table: a schema's empty table made once and shared (an outcome starts with five),
the same table schema.empty_table() makes; a schema equal to another but not the same object gets its own."""

from __future__ import annotations

import pyarrow as pa

from engine.process import Outcome
from schemas.changes import CHANGE_HEADERS, ORDER_CHANGES
from schemas.empty import empty_table
from schemas.functional_acks import FUNCTIONAL_ACKS
from schemas.orders import ORDER_LINES, ORDERS


def test_an_empty_table_is_the_schemas_own_and_made_once():
    for schema in (ORDERS, ORDER_LINES, CHANGE_HEADERS, ORDER_CHANGES, FUNCTIONAL_ACKS):
        table = empty_table(schema)
        assert table.num_rows == 0 and table.equals(schema.empty_table())
        assert table.schema.equals(schema, check_metadata=True)
        assert empty_table(schema) is table


def test_an_equal_schema_object_gets_its_own_table():
    a = pa.schema([pa.field("x", pa.string())], metadata={"k": "1"})
    b = pa.schema([pa.field("x", pa.string())], metadata={"k": "2"})
    assert empty_table(a).schema.metadata == {b"k": b"1"} and empty_table(b).schema.metadata == {b"k": b"2"}


def test_an_outcome_starts_with_the_shared_empty_tables():
    one, two = Outcome(file="a", sha256="s", parse=None), Outcome(file="b", sha256="t", parse=None)
    for name, schema in (("orders", ORDERS), ("lines", ORDER_LINES), ("change_headers", CHANGE_HEADERS),
                         ("changes", ORDER_CHANGES), ("functional_acks", FUNCTIONAL_ACKS)):
        assert getattr(one, name) is getattr(two, name) is empty_table(schema)
