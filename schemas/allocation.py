"""Allocation policy of one trading partner (pydantic v2, frozen, extra=forbid).

A policy is plain validated data; engine.allocate interprets it. Two settings rank lines *across*
partners (priority_order, fair_share), so allocate() requires every partner in a run to agree on them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PriorityKey = Literal["tier", "requested_ship_date", "po_date", "arrival"]


class AllocationPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: int = Field(default=10, ge=0, le=1_000_000)  # lower = served first
    # Keys compared in this order (earlier date / lower value first; null dates last). Ties always fall
    # back to arrival, then partner, order_ref, line_number, so the ranking is total.
    priority_order: tuple[PriorityKey, ...] = ("tier", "requested_ship_date", "po_date", "arrival")
    # the whole order ships complete: a short order waits for its receipts (held); units nothing can bring are
    # rejected, out of the order, and units in stock no receipt replaces are kept for it (engine.allocate)
    ship_complete: bool = False
    partial_allowed: bool = True  # a line may be allocated in part; False = all of the line or none
    preferred_warehouse: str | None = None  # tried first
    warehouse_order: tuple[str, ...] = ()  # then these, in order; then the rest by name
    single_warehouse_first: bool = True  # fill a line from one warehouse if any can, before splitting
    case_pack_rounding: Literal["none", "up", "down"] = "none"  # round the line to whole cases
    backorder: Literal["allow", "reject"] = "allow"  # what happens to the unfilled part
    # a backorder whose first possible date is after the PO's cancel-after (DTM 001) / do-not-deliver-after
    # (DTM 063): "reject" it (855 IR: the buyer would refuse it), or "promise" it all the same
    late_backorder: Literal["reject", "promise"] = "reject"
    # the PO's ship no later date (DTM 038, the ship window's end) is its cancel date too: a last date as 001 / 063
    # are, for late_backorder (allocation's IR or IB, a later run's cancelling). Many home and furniture retailers'
    # guides say so (Williams-Sonoma's window, no DTM 001); off (X12's 038 is a ship date, not a cancellation), a
    # backorder was promised past the window's end (855 IB) and shipped after it (SHIPPED_OUTSIDE_WINDOW)
    ship_no_later_is_cancel: bool = False
    # with late_backorder "reject": the days an order nothing of which shipped keeps its reserved units after its last
    # date (001 / 063 less transit / 038 as above) before it is cancelled whole and its stock released (the invoice
    # stage: engine.lifecycle.balance); meanwhile a buyer's 860 may move the date (its expired backorders come back)
    # and a warehouse's confirmation of a shipment on the last day may still come. One shipped short waits for none
    unshipped_grace_days: int = Field(default=7, ge=0, le=366)
    fair_share: bool = False  # short SKUs are shared across partners in proportion to demand

    @field_validator("priority_order", "warehouse_order")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"entries must be distinct: {list(value)}")
        return value

    @model_validator(mode="after")
    def _names(self) -> AllocationPolicy:
        names = list(self.warehouse_order) + ([self.preferred_warehouse] if self.preferred_warehouse else [])
        if any(not name or name != name.strip() for name in names):
            raise ValueError("warehouse names must be non-empty and carry no surrounding spaces")
        return self

    def warehouse_preference(self, warehouses: list[str]) -> list[str]:
        """This partner's order of `warehouses` (preferred, then warehouse_order, then by name)."""
        head = [w for w in (self.preferred_warehouse, *self.warehouse_order) if w in warehouses]
        head = list(dict.fromkeys(head))
        return head + sorted(w for w in warehouses if w not in head)
