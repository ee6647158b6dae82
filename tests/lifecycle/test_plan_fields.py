"""Plan is built by position from PLAN_FIELDS (``+`` and ``combine``): the two must agree."""

from dataclasses import fields

from schemas.lifecycle import PLAN_FIELDS, Plan


def test_plan_fields_follow_the_declaration_order():
    assert PLAN_FIELDS == tuple(f.name for f in fields(Plan))


def test_adding_plans_keeps_every_field_in_its_place():
    a = Plan(billed=(("east", "S1"),), findings=())
    b = Plan(billed=(("east", "S2"),))
    assert (a + b).billed == (("east", "S1"), ("east", "S2")) and (a + b).shipments == ()
    assert Plan.combine([a, b]).billed == (a + b).billed and Plan.combine([a, b]).reservation_tables == ()
