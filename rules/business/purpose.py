"""BEG01 purposes and BEG02 order types we act on: an 850 whose purpose is valid X12 but not one we act
on (e.g. 22 information copy, 04 change), or whose order type asks for no delivery as it stands (a blanket
order called off by releases, an information copy, an order already shipped), is held for a person with a
clear finding, never rejected in the 997."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import _ORDER_LOCATION, _PerPartner, _rows, business_finding, pair_key, usable_keys
from schemas.findings import Finding
from schemas.rule_settings import RuleSettings


def check_purpose(orders: pa.Table, settings: RuleSettings) -> list[Finding]:
    """ORDER_PURPOSE_UNSUPPORTED for each order whose BEG01 is not in settings.acted_purposes."""
    by_partner, out = _PerPartner(settings), []
    acted = [(p, purpose) for p in orders["partner"].unique().to_pylist() if p is not None
             for purpose in by_partner[p].acted_purposes]  # the orders with one of these raise nothing
    other = pc.invert(pc.is_in(pair_key(orders["partner"], pc.fill_null(orders["purpose"], "")),
                               value_set=pair_key(pa.array([p for p, _ in acted], pa.string()),
                                                  pa.array([a for _, a in acted], pa.string()))))
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "purpose"], other):
        purpose = order["purpose"] or ""
        acted = by_partner[order["partner"]].acted_purposes
        if purpose == "04" and purpose not in acted:  # (engine.lifecycle.intake.CHANGE)
            said = (f"BEG01 04 is a change sent as an 850: PO {order['po_number']} is read as the buyer now states it "
                    "(of an order we hold and have not shipped, its lines replace the order's, as an 860's change "
                    "would), and waits for a person before it is answered.")
        else:
            said = (f"BEG01 {purpose or '(empty)'} is a valid purpose, but not one we act on ({', '.join(acted)}); "
                    f"PO {order['po_number']} waits for a person.")
        if purpose not in acted:
            out.append(business_finding(
                "ORDER_PURPOSE_UNSUPPORTED", said, order, seg="BEG", element="BEG01", value=purpose,
                line=False))
    return out


def check_confirmation(orders: pa.Table, settings: RuleSettings) -> list[Finding]:
    """ORDER_CONFIRMATION_UNKNOWN for each order decided from a confirmation (BEG01 06): one that confirms an order
    we hold is compared with it at intake and never decided again (engine.lifecycle.intake), so one that reaches the
    rules confirms an order we never received as an 850: placed by phone, fax or e-mail and entered (and maybe
    shipped) by hand. Created, allocated and shipped as a new order it was that order twice; it waits for a person,
    who approves it if nobody entered the order, or rejects it. A partner whose every order comes as 06 accepts the
    code ([rules.outcomes]): its 06s raise nothing (RuleSettings.confirmations_are_orders)."""
    by_partner = _PerPartner(settings)
    ours = [p for p in orders["partner"].unique().to_pylist() if p is not None
            and not by_partner[p].confirmations_are_orders]
    hit = pc.and_(pc.is_in(orders["partner"], value_set=pa.array(ours, pa.string())),
                  pc.fill_null(pc.equal(orders["purpose"], "06"), False))
    return [business_finding(
        "ORDER_CONFIRMATION_UNKNOWN",
        f"PO {order['po_number']} is a confirmation (BEG01 06) of an order we never received as an 850 (placed by "
        "phone, fax or e-mail): it is not allocated or shipped as a new order and waits for a person, who approves "
        "it if nobody entered the order by hand, else rejects it.", order, seg="BEG", element="BEG01", value="06",
        line=False)
        for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number"], hit)]


_TYPES = {"BE": "a blanket order with estimated quantities (not a firm commitment)",
          "BK": "a blanket order: its quantities are called off by releases",
          "KB": "a blanket purchase agreement", "LB": "a lease (blanket agreement)", "IN": "an information copy",
          "SO": "an order already shipped", "BD": "a request for bids", "BQ": "a budgetary quote"}


def check_order_type(orders: pa.Table, settings: RuleSettings) -> list[Finding]:
    """ORDER_TYPE_UNSUPPORTED for each order whose BEG02 is one of settings.held_order_types (a blanket
    order, an information copy, an order already shipped ...): allocated and shipped whole it would send
    goods nobody called off; a person decides. A cancellation (BEG01 01) is acted on as it is."""
    by_partner = _PerPartner(settings)
    out: list[Finding] = []
    held = [(p, kind) for p in orders["partner"].unique().to_pylist() if p is not None
            for kind in by_partner[p].held_order_types]
    if not held:
        return out
    hit = pc.and_(pc.is_in(pair_key(orders["partner"], pc.fill_null(orders["order_type"], "")),
                           value_set=pair_key(pa.array([p for p, _ in held], pa.string()),
                                              pa.array([k for _, k in held], pa.string()))),
                  pc.not_equal(pc.fill_null(orders["purpose"], ""), "01"))
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "order_type"], hit):
        kind = order["order_type"]
        out.append(business_finding(
            "ORDER_TYPE_UNSUPPORTED",
            f"BEG02 {kind} is {_TYPES.get(kind, 'an order type we do not ship as it stands')}; PO "
            f"{order['po_number']} is not allocated or shipped as an order and waits for a person.", order,
            seg="BEG", element="BEG02", value=kind, line=False))
    return out


def check_test_data(orders: pa.Table, settings: RuleSettings) -> list[Finding]:
    """ORDER_TEST_DATA for each order sent in test data (its interchange's ISA15 is T) to a partner we trade
    with in production (settings.usage P): a retailer's test PO (its EDI coordinator's, sent over the
    production connection to see that we translate it) must not be allocated or shipped; the 997 still
    answers it. A person approves it (if the partner says it is real) or rejects it."""
    if "interchange_usage" not in orders.column_names:  # orders stored before the column was read
        return []
    by_partner = _PerPartner(settings)
    live = [p for p in orders["partner"].unique().to_pylist() if p is not None and by_partner[p].usage == "P"]
    if not live:
        return []
    hit = pc.and_(pc.is_in(orders["partner"], value_set=pa.array(live, pa.string())),
                  pc.fill_null(pc.equal(orders["interchange_usage"], "T"), False))
    return [business_finding(
        "ORDER_TEST_DATA",
        f"PO {order['po_number']} came in test data (ISA15 T) while we trade with the partner in production: it is "
        "not allocated or shipped and waits for a person.", order, seg="ISA", element="ISA15", value="T", line=False)
        for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number"], hit)]


def drop_ship_orders(orders: pa.Table, settings: RuleSettings) -> pa.ChunkedArray:
    """One (partner, po_number) key (pair_key) per drop-ship (consumer-direct) order whose lines are
    acknowledged as ordered (settings.drop_ship_as_ordered): its BEG02 is one of the partner's
    drop_ship_order_types (DS "Dropship"), or it carries one of the partner's drop_ship_marks (every order;
    REF*CO, the end customer's own order number; a ship-to named by address only, no N104)."""
    by_partner = _PerPartner(settings)
    partners = [p for p in orders["partner"].unique().to_pylist() if p is not None
                and by_partner[p].drop_ship_as_ordered]
    if not partners:
        return pa.chunked_array([], pa.string())
    types = [(p, kind) for p in partners for kind in by_partner[p].drop_ship_order_types]
    hit = pc.is_in(pair_key(orders["partner"], pc.fill_null(orders["order_type"], "")),
                   value_set=pair_key(pa.array([p for p, _ in types], pa.string()),
                                      pa.array([k for _, k in types], pa.string())))

    def marked(mark: str, column: str | None = None) -> pa.ChunkedArray | pa.Array:
        who = pc.is_in(orders["partner"], value_set=pa.array(
            [p for p in partners if mark in by_partner[p].drop_ship_marks], pa.string()))
        if column is None:
            return who
        if column not in orders.column_names:  # orders stored before the column was read
            return pa.array([False] * orders.num_rows, pa.bool_())
        present = pc.is_valid(usable_keys(orders[column]))  # blank is none
        return pc.and_(who, present if mark == "customer_order" else pc.invert(present))

    hit = pc.or_(pc.or_(pc.fill_null(hit, False), marked("every_order")),
                 pc.or_(marked("customer_order", "customer_order"), marked("ship_to_without_id", "ship_to_id")))
    chosen = orders.filter(pc.fill_null(hit, False))
    return pair_key(chosen["partner"], chosen["po_number"])
