"""Checked shipment confirmation lines -> typed Shipments (schemas.shipments) for the 856 builder,
and the SSCC-18s their cartons and pallets still need.

Pure: the confirmation lines (rules.shipments.resolve output: every row has its partner and order
line), the live orders' canonical tables, our ship-from party and the SSCCs the caller numbered
(from the state store's serial sequence) come in. Order is deterministic: shipments, orders,
pallets, cartons and items in the order they first appear in the lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import objects
from engine.sscc import build_sscc, checked_sscc, serial_capacity
from schemas.grouping import Groups, encode
from schemas.orders import ORDERS
from schemas.shipments import Pack, Party, ProductId, Shipment, ShippedItem, ShippedOrder, Tare

CartonKey = tuple[str, str]  # (shipment id, carton id)
PalletKey = tuple[str, str]  # (shipment id, pallet id)

# what assemble_shipments reads of each confirmation line, and of a shipment's first line (its header)
_PER_ROW = ("shipment_id", "partner", "po_number", "carton_id", "pallet_id", "line_id", "quantity", "item_sku", "sku",
            "unit", "carton_sscc", "carton_weight", "weight_unit", "pallet_sscc")
_HEADER = ("ship_date", "ship_time", "carrier_scac", "service_level", "tracking_number", "bill_of_lading")


# what assemble_shipments reads of the canonical ORDERS and ORDER_LINES (and the ship stage of a line: its
# UPC), with the columns that pick an order's current rows (engine.lifecycle.current_tables)
CANONICAL_COLUMNS = (["partner", "order_ref", "po_number", "po_date", "release_number",
                      *(f.name for f in ORDERS if f.name.startswith("ship_to_"))],
                     ["partner", "order_ref", "po_number", "line_number", "line_id", "quantity", "unit", "product_ids",
                      "description", "upc"])


@dataclass(frozen=True, slots=True)
class SsccNeeds:
    """Cartons and pallets without an SSCC from the warehouse, in first-seen order."""

    cartons: tuple[CartonKey, ...]
    pallets: tuple[PalletKey, ...]

    def __len__(self) -> int:
        return len(self.cartons) + len(self.pallets)


def sscc_needs(lines: pa.Table) -> SsccNeeds:
    """What the caller must number before assembling: every (shipment, carton) whose rows carry no
    valid SSCC (and whose carton id is not one), and the same for pallets."""
    return SsccNeeds(_unnumbered(lines["shipment_id"], lines["carton_id"], lines["carton_sscc"]),
                     _unnumbered(lines["shipment_id"], lines["pallet_id"], lines["pallet_sscc"]))


def _unnumbered(shipment_id, label, sscc) -> tuple[tuple[str, str], ...]:
    """(shipment, label) of the rows with a label, in first-seen order, when none of the rows of that
    shipment and label carries an SSCC of its own (in its sscc column or as the label): each distinct
    label and SSCC looked at once, the rest in columns."""
    if not len(label):
        return ()
    own = _has_own_sscc(label) | _has_own_sscc(sscc)
    key, count = encode(shipment_id, label)
    groups = Groups(key, count)
    first = groups.first()
    rows = np.sort(first[~groups.any(own) & pc.is_valid(label).to_numpy(zero_copy_only=False)[first]])
    taken = pa.array(rows, pa.int64())
    return tuple(zip(shipment_id.take(taken).to_pylist(), label.take(taken).to_pylist(), strict=True))


def _has_own_sscc(values) -> np.ndarray:
    """For each row, whether ``values`` holds a valid SSCC there (_own_sscc of one value)."""
    encoded = pc.dictionary_encode(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
    valid = np.array([_own_sscc(None, v) is not None for v in encoded.dictionary.to_pylist()] + [False], dtype=bool)
    return valid[pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)]


def number_ssccs(keys: tuple, company_prefix: str, extension_digit: int, first_serial: int) -> dict:
    """keys[i] -> the SSCC of serial first_serial + i (the caller took len(keys) serials in one go)."""
    if first_serial + len(keys) > serial_capacity(company_prefix):
        raise ValueError("the SSCC serial sequence of this company prefix is exhausted")
    return {key: build_sscc(company_prefix, extension_digit, first_serial + i) for i, key in enumerate(keys)}


@dataclass(slots=True)
class _Draft:
    header: int  # the shipment's first line (a row of the lines)
    partner: str
    orders: dict[str, dict] = field(default_factory=dict)  # po -> {"tares": {pid: [ckeys]}, "packs": [ckeys], ...}
    # (PO, carton id) -> {"items": {line id: [qty, first row]}, "row": first row}; a carton holding two
    # POs' items becomes a pack under each order, and the 856 self-check refuses the repeated SSCC
    cartons: dict[tuple[str, str], dict] = field(default_factory=dict)


def assemble_shipments(lines: pa.Table, orders: pa.Table, order_lines: pa.Table, *, ship_from: Party,
                       ssccs: Mapping[tuple, str] | None = None, items: pa.Table | None = None) -> list[Shipment]:
    """One Shipment per shipment id. ``lines``: confirmation lines whose partner and line_id are
    resolved (rules.shipments.resolve) and that passed the checks; ``orders``/``order_lines``: the
    canonical tables (schemas.orders; CANONICAL_COLUMNS at least) of their orders; ``ssccs``:
    (shipment, carton or pallet id) -> SSCC for what sscc_needs named; ``items``
    (schemas.reference.ITEMS, optional): each item's case pack for PO4. Items of one order line in
    one carton are summed. The lines are read as columns (a row is its index into them); the
    header columns only at each shipment's first row."""
    ssccs = ssccs or {}
    packs = dict(zip(items["sku"].to_pylist(), items["case_pack"].to_pylist(), strict=True)) if items is not None \
        else {}
    order_rows = {(r["partner"], r["po_number"]): r for r in orders.select(
        [c for c in orders.column_names if c.startswith("ship_to_")] + ["partner", "po_number", "po_date",
                                                                         "release_number"]).to_pylist()}
    line_rows = _order_lines(order_lines)
    col = {c: objects(lines.column(c)) if c in ("quantity", "carton_weight") else lines.column(c).to_pylist()
           for c in _PER_ROW}
    drafts: dict[str, _Draft] = {}
    for i, (sid, partner, po, cid, pid, line_id, qty) in enumerate(zip(*(col[c] for c in _PER_ROW[:7]),
                                                                       strict=True)):
        draft = drafts.get(sid)
        if draft is None:
            draft = drafts[sid] = _Draft(header=i, partner=partner or "")
        order = draft.orders.get(po)
        if order is None:
            order = draft.orders[po] = {"tares": {}, "packs": [], "loose": {}}
        if cid is None:
            _add_item(order["loose"], line_id, qty, i)
            continue
        carton = draft.cartons.get((po, cid))
        if carton is None:
            carton = draft.cartons[(po, cid)] = {"items": {}, "row": i}
            if pid is None:
                order["packs"].append(cid)
            else:
                order["tares"].setdefault(pid, {"row": i, "cartons": []})["cartons"].append(cid)
        _add_item(carton["items"], line_id, qty, i)
    headers = lines.select(_HEADER).take(pa.array([d.header for d in drafts.values()], pa.int64())).to_pylist()
    out = []
    for (sid, draft), h in zip(drafts.items(), headers, strict=True):
        shipped_orders = []
        ship_to = None
        for po, o in draft.orders.items():
            head = order_rows.get((draft.partner, po), {})
            if ship_to is None:
                ship_to = _ship_to(head)
            lines_of = _LinesOf(draft.partner, po, line_rows, packs, col)
            tares = tuple(Tare(sscc=_sscc(sid, pid, col["pallet_sscc"][t["row"]], ssccs), pallet_id=pid,
                               packs=tuple(_pack(sid, cid, draft.cartons[(po, cid)], lines_of, ssccs)
                                           for cid in t["cartons"]))
                          for pid, t in o["tares"].items())
            shipped_orders.append(ShippedOrder(
                po_number=po, po_date=head.get("po_date"), release_number=head.get("release_number") or "",
                tares=tares, packs=tuple(_pack(sid, cid, draft.cartons[(po, cid)], lines_of, ssccs)
                                         for cid in o["packs"]),
                partner=draft.partner, loose_items=lines_of.items(o["loose"])))
        out.append(Shipment(
            shipment_id=sid, ship_date=h["ship_date"], ship_time=h["ship_time"], ship_from=ship_from,
            ship_to=ship_to or Party("ST", ""), orders=tuple(shipped_orders), carrier_scac=h["carrier_scac"] or "",
            service_level=h["service_level"] or "", tracking_number=h["tracking_number"] or "",
            bill_of_lading=h["bill_of_lading"] or "", partner=draft.partner))
    return out


class _OrderLine(NamedTuple):
    """What an 856 item reads of a canonical ORDER_LINES row (SN105, SN103 by default, PID05, LIN pairs)."""

    unit: str | None
    quantity: Decimal | None
    description: str | None
    product_ids: tuple[ProductId, ...]


_NO_LINE = _OrderLine(None, None, None, ())


def _order_lines(order_lines: pa.Table) -> dict[tuple[str, str, str], _OrderLine]:
    """(partner, PO, line id: PO101, else the line number) -> the line's _OrderLine (a later row of the
    same id wins), read from columns: product ids with an id flattened once, each distinct list of them
    made into ProductIds once."""
    ids = order_lines["product_ids"].combine_chunks()
    flat = pc.list_flatten(ids)
    pairs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row, qualifier, value in zip(pc.list_parent_indices(ids).to_pylist(),
                                     pc.struct_field(flat, "qualifier").to_pylist(),
                                     pc.struct_field(flat, "id").to_pylist(), strict=True):
        if value:
            pairs[row].append((qualifier, value))
    made: dict[tuple, tuple[ProductId, ...]] = {}
    product_ids: list[tuple[ProductId, ...]] = [()] * order_lines.num_rows
    for row, found in pairs.items():
        key = tuple(found)
        made_ids = made.get(key)
        if made_ids is None:
            made_ids = made[key] = tuple(ProductId(q, v) for q, v in key)
        product_ids[row] = made_ids
    col = {c: order_lines[c].to_pylist() for c in ("partner", "po_number", "line_number", "line_id", "unit",
                                                   "description")}
    col["quantity"] = objects(order_lines["quantity"])
    keys = zip(col["partner"], col["po_number"], [line_id or str(number) for line_id, number in zip(
        col["line_id"], col["line_number"], strict=True)], strict=True)
    return dict(zip(keys, map(tuple.__new__, repeat(_OrderLine), zip(col["unit"], col["quantity"], col["description"],
                                                                     product_ids, strict=True)), strict=True))


@dataclass(frozen=True, slots=True)
class _LinesOf:
    """What an order's 856 items read: its order lines (by line id), the case packs, the lines' columns."""

    partner: str
    po: str
    lines: Mapping[tuple[str, str, str], _OrderLine]
    packs: Mapping[str, int]
    col: Mapping[str, list]

    def items(self, items: dict[str, list]) -> tuple[ShippedItem, ...]:
        """The ShippedItems of ``items`` (line id -> [quantity, first row]), in their order."""
        partner, po, lines, packs = self.partner, self.po, self.lines, self.packs
        item_sku, sku_of, unit_of = self.col["item_sku"], self.col["sku"], self.col["unit"]
        out = []
        for line_id, (qty, row) in items.items():
            line = lines.get((partner, po, line_id)) or _NO_LINE
            sku = item_sku[row] or sku_of[row] or ""
            out.append(ShippedItem(line_id, qty, unit_of[row] or line.unit or "EA", line.product_ids, sku,
                                   line.quantity, line.description or "", packs.get(sku)))
        return tuple(out)


def _pack(sid: str, cid: str, carton: dict, lines_of: _LinesOf, ssccs: Mapping[tuple, str]) -> Pack:
    row, col = carton["row"], lines_of.col
    return Pack(sscc=_sscc(sid, cid, col["carton_sscc"][row], ssccs), carton_id=cid,
                items=lines_of.items(carton["items"]), weight=col["carton_weight"][row],
                weight_unit=col["weight_unit"][row] or "")


def confirmed_quantities(lines: pa.Table, shipment_id: str) -> dict[tuple[str, str], Decimal]:
    """(PO, line id) -> units the confirmation says shipped under ``shipment_id``: what the 856's
    self-check holds its SN1s against (build_856's ``expected``)."""
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for sid, po, line, qty in zip(*(lines.column(c).to_pylist() for c in ("shipment_id", "po_number", "line_id",
                                                                           "quantity")), strict=True):
        if sid == shipment_id and qty is not None:
            out[(po, line)] += qty
    return dict(out)


def _add_item(items: dict[str, list], line_id: str, quantity: Decimal, row: int) -> None:
    if line_id in items:
        items[line_id][0] += quantity
    else:
        items[line_id] = [quantity, row]


def _ship_to(order: dict) -> Party | None:
    if not order:
        return None
    return Party(code="ST", name=order.get("ship_to_name") or "", id_qualifier=order.get("ship_to_id_qualifier") or "",
                 id=order.get("ship_to_id") or "", address1=order.get("ship_to_address1") or "",
                 address2=order.get("ship_to_address2") or "", city=order.get("ship_to_city") or "",
                 state=order.get("ship_to_state") or "", postal_code=order.get("ship_to_postal_code") or "",
                 country=order.get("ship_to_country") or "")


def _own_sscc(label: str | None, sscc: str | None) -> str | None:
    """The SSCC the warehouse gave a carton/pallet: its sscc column, or its label when that is one."""
    for code in (sscc, label):
        digits = checked_sscc(code)
        if digits is not None:
            return digits
    return None


def _sscc(shipment_id: str, label: str, given: str | None, numbered: Mapping[tuple, str]) -> str:
    return _own_sscc(label, given) or numbered.get((shipment_id, label), "")
