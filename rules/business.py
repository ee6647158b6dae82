"""Business rules over the canonical ORDERS / ORDER_LINES tables and the reference tables: item
identification (GS1 check digits), units and case packs, prices, money, ship-to, dates, duplicates
and credit. Pure functions returning findings located to the PO1 line and element; no I/O, no
clock (``today`` is an argument), no outcome decisions (schemas.outcomes owns those).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Set
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.findings import Finding, finding
from schemas.reference import ReferenceData, gs1_valid, normalise_gtin
from schemas.rule_settings import RuleSettings

_LINE_LOCATION = ["source_file", "isa13", "gs06", "st02", "segment_position", "file_segment", "line_number"]
_ORDER_LOCATION = ["source_file", "isa13", "gs06", "st02"]
_GS1_COLUMNS = {"upc": ("UP",), "gtin": ("UK",), "ean": ("EN",)}
_ID_COLUMNS = {
    "gtin": ("UK",),
    "upc": ("UP",),
    "ean": ("EN",),
    "vendor_part": ("VN",),
    "buyer_part": ("BP", "IN"),
}  # also the order of precedence when resolving
_HUNDRED = Decimal(100)


# --- small helpers ----------------------------------------------------------------------------


def _text(value: object) -> str:
    """A value as it would appear in the X12 element: decimals without trailing zeros, CCYYMMDD dates."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0E-4") else text
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    return str(value)


def business_finding(
    code: str, message: str, row: Mapping, *, seg: str, element: str, value: object = None, line: bool = True
) -> Finding:
    """A business finding at the row's lineage; line rows also carry the PO1 position and line number."""
    extra = {}
    if line:
        extra = {
            "segment_position": row.get("segment_position"),
            "file_segment": row.get("file_segment"),
            "line_number": row.get("line_number"),
        }
    return finding(
        code,
        message,
        severity=BUSINESS_CATALOGUE[code].severity,
        seg=seg,
        element=element,
        value=None if value is None else _text(value),
        file=row.get("source_file") or "",
        isa13=row.get("isa13") or "",
        gs06=row.get("gs06") or "",
        st02=row.get("st02") or "",
        **extra,
    )


def _rows(table: pa.Table, columns: Iterable[str], mask: pa.Array | None = None) -> list[dict]:
    wanted = list(dict.fromkeys(c for c in columns if c in table.column_names))
    table = table.select(wanted)
    if mask is not None:
        table = table.filter(pc.fill_null(mask, False))
    return table.to_pylist()


def _id_element(
    product_ids: list[dict] | None, qualifiers: tuple[str, ...], value: str | None, default: str = "PO107"
) -> str:
    """PO1 element holding ``value``: pairs start at PO106/PO107, then PO108/PO109, ..."""
    for i, pair in enumerate(product_ids or []):
        if pair.get("qualifier") in qualifiers and (value is None or pair.get("id") == value):
            return f"PO1{7 + 2 * i:02d}"
    return default


def _first_id(row: Mapping) -> tuple[str, str | None]:
    pairs = row.get("product_ids") or []
    if pairs:
        return "PO107", pairs[0].get("id")
    for column, qualifiers in _ID_COLUMNS.items():
        if row.get(column):
            return _id_element(None, qualifiers, None), row[column]
    return "PO107", None


def _order_key(row: Mapping) -> tuple[str, str]:
    return row["source_file"], row["order_ref"]


class _PerPartner(dict):
    """partner -> settings.for_partner(partner), computed once per partner."""

    def __init__(self, settings: RuleSettings) -> None:
        super().__init__()
        self.settings = settings

    def __missing__(self, partner: str) -> RuleSettings:
        self[partner] = value = self.settings.for_partner(partner)
        return value


def _map_column(keys: pa.Array, ref_keys: pa.Array, ref_values: pa.Array) -> pa.Array:
    """Look ``keys`` up in a reference key column (first match), order preserving; null when absent."""
    return pc.take(ref_values, pc.index_in(keys, value_set=ref_keys))


def _pair_key(a: pa.Array, b: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(a, b, "\x1f")


# --- item identification --------------------------------------------------------------------


def _gs1_keys(column: pa.ChunkedArray) -> pa.Array:
    """Each value normalised to GTIN-14, null where empty or not a valid GS1 number."""
    uniques = pc.unique(column).drop_null().to_pylist()
    valid = {u: normalise_gtin(u) for u in uniques}
    keys = [k for k in valid if valid[k] is not None]
    return _map_column(column, pa.array(keys, pa.string()), pa.array([valid[k] for k in keys], pa.string()))


def resolve_items(lines: pa.Table, items: pa.Table, partner_items: pa.Table) -> pa.Table:
    """``lines`` plus sku, matched_by (the column that matched), case_pack, min_order_qty and
    item_status. Identifiers are tried in the order GTIN, UPC, EAN, vendor part, buyer part (through
    the partner's cross-reference); a UPC/GTIN/EAN with a bad check digit never matches."""
    n = lines.num_rows
    sku = pa.nulls(n, pa.string())
    matched_by = pa.nulls(n, pa.string())
    item_gtin = items.column("gtin").combine_chunks()
    item_sku = items.column("sku").combine_chunks()
    for column in _ID_COLUMNS:
        if column in _GS1_COLUMNS:
            found = _map_column(_gs1_keys(lines.column(column)), item_gtin, item_sku)
        elif column == "vendor_part":
            found = _map_column(lines.column(column), items.column("vendor_part").combine_chunks(), item_sku)
        else:
            found = _map_column(
                _pair_key(lines.column("partner"), lines.column(column)),
                _pair_key(partner_items.column("partner"), partner_items.column("buyer_part")),
                partner_items.column("sku").combine_chunks(),
            )
            # a cross-reference to a sku we do not have is no match
            found = pc.if_else(pc.is_in(found, value_set=item_sku), found, pa.scalar(None, pa.string()))
        newly = pc.and_(pc.is_null(sku), pc.is_valid(found))
        matched_by = pc.if_else(newly, pa.scalar(column), matched_by)
        sku = pc.coalesce(sku, found)
    out = lines
    for name, values in (("sku", sku), ("matched_by", matched_by)):
        out = (
            out.set_column(out.schema.get_field_index(name), name, values)
            if name in out.column_names
            else out.append_column(name, values)
        )
    for name, source in (
        ("case_pack", "case_pack"),
        ("min_order_qty", "min_order_qty"),
        ("item_status", "status"),
    ):
        values = _map_column(sku, item_sku, items.column(source).combine_chunks())
        if name in out.column_names:
            out = out.set_column(out.schema.get_field_index(name), name, values)
        else:
            out = out.append_column(name, values)
    return out


def _resolved(lines: pa.Table, ref: ReferenceData) -> pa.Table:
    return lines if "sku" in lines.column_names else resolve_items(lines, ref.items, ref.partner_items)


def check_gtin_check_digits(lines: pa.Table) -> list[Finding]:
    """GTIN_CHECK_DIGIT_INVALID for every UP/UK/EN identifier that is not a valid GS1 number."""
    out: list[Finding] = []
    for column, qualifiers in _GS1_COLUMNS.items():
        values = lines.column(column)
        bad = [u for u in pc.unique(values).drop_null().to_pylist() if u != "" and not gs1_valid(u.strip())]
        if not bad:
            continue
        mask = pc.is_in(values, value_set=pa.array(bad, pa.string()))
        for row in _rows(lines, [*_LINE_LOCATION, column, "product_ids"], mask):
            value = row[column]
            out.append(
                business_finding(
                    "GTIN_CHECK_DIGIT_INVALID",
                    f"{qualifiers[0]} {value!r} is not a valid UPC/GTIN/EAN: wrong length or check digit.",
                    row,
                    seg="PO1",
                    element=_id_element(row["product_ids"], qualifiers, value),
                    value=value,
                )
            )
    return out


def check_items(lines: pa.Table, ref: ReferenceData) -> list[Finding]:
    """ITEM_ID_MISSING, ITEM_UNKNOWN (no identifier matched) and ITEM_DISCONTINUED."""
    resolved = _resolved(lines, ref)
    columns = [*_LINE_LOCATION, "product_ids", *_ID_COLUMNS, "sku", "item_status"]
    out: list[Finding] = []
    has_id = pa.repeat(pa.scalar(False), resolved.num_rows)
    for c in _ID_COLUMNS:
        has_id = pc.or_(has_id, pc.fill_null(pc.not_equal(resolved.column(c), ""), False))
    for row in _rows(resolved, columns, pc.invert(has_id)):
        out.append(
            business_finding(
                "ITEM_ID_MISSING",
                "The line has no UP/UK/EN/VN/BP product identifier.",
                row,
                seg="PO1",
                element="PO107",
            )
        )
    unknown = pc.and_(has_id, pc.is_null(resolved.column("sku")))
    for row in _rows(resolved, columns, unknown):
        element, value = _first_id(row)
        sent = ", ".join(f"{p['qualifier']} {p['id']}" for p in row.get("product_ids") or []) or value
        out.append(
            business_finding(
                "ITEM_UNKNOWN", f"No item matches {sent}.", row, seg="PO1", element=element, value=value
            )
        )
    for row in _rows(resolved, columns, pc.equal(resolved.column("item_status"), "discontinued")):
        element, value = _first_id(row)
        out.append(
            business_finding(
                "ITEM_DISCONTINUED",
                f"Item {row['sku']} ({value}) is discontinued.",
                row,
                seg="PO1",
                element=element,
                value=value,
            )
        )
    return out


# --- units and quantities ------------------------------------------------------------------


def quantity_in_eaches(
    quantity: Decimal, unit: str, case_pack: int, settings: RuleSettings
) -> Decimal | None:
    """PO102 in eaches, or None when the unit is unknown or not convertible."""
    if unit in settings.each_units:
        return quantity
    if unit in settings.case_units and case_pack and case_pack > 1:
        return quantity * case_pack
    return None


def adjusted_quantity(
    quantity: Decimal, unit: str, case_pack: int, min_order_qty: int, settings: RuleSettings
) -> Decimal | None:
    """The quantity (in the PO103 unit) we acknowledge after case-pack rounding and raising to the
    minimum, or None when the line must be rejected (unknown unit, reject policy, rounds to zero)."""
    eaches = quantity_in_eaches(quantity, unit, case_pack, settings)
    if eaches is None or eaches <= 0:
        return None
    pack = Decimal(case_pack or 1)
    if eaches % pack:
        if settings.case_pack_policy == "reject":
            return None
        rounding = ROUND_CEILING if settings.case_pack_policy == "round_up" else ROUND_FLOOR
        eaches = (eaches / pack).to_integral_value(rounding) * pack
        if eaches <= 0:
            return None
    if min_order_qty and eaches < min_order_qty:
        eaches = (Decimal(min_order_qty) / pack).to_integral_value(ROUND_CEILING) * pack
    return eaches if unit in settings.each_units else eaches / pack


def check_quantities(lines: pa.Table, ref: ReferenceData, settings: RuleSettings) -> list[Finding]:
    """QTY_NOT_POSITIVE, UNIT_UNKNOWN, UNIT_NOT_CONVERTIBLE, CASE_PACK_ROUNDED/CASE_PACK_NOT_MULTIPLE
    (per the case-pack policy) and QTY_BELOW_MINIMUM, for lines whose item is known."""
    resolved = _resolved(lines, ref)
    by_partner = _PerPartner(settings)
    out: list[Finding] = []
    cols = [*_LINE_LOCATION, "partner", "quantity", "unit", "sku", "case_pack", "min_order_qty"]
    for row in _rows(resolved, cols):
        s = by_partner[row["partner"]]
        qty, unit = row["quantity"], row["unit"] or ""
        if qty is None or qty <= 0:
            out.append(
                business_finding(
                    "QTY_NOT_POSITIVE",
                    f"PO102 must be a positive quantity, got {_text(qty) or 'nothing'}.",
                    row,
                    seg="PO1",
                    element="PO102",
                    value=qty,
                )
            )
            continue
        if unit not in s.each_units and unit not in s.case_units:
            out.append(
                business_finding(
                    "UNIT_UNKNOWN",
                    f"Unit {unit!r} is not one we sell in ({', '.join(s.each_units + s.case_units)}).",
                    row,
                    seg="PO1",
                    element="PO103",
                    value=unit,
                )
            )
            continue
        if row["sku"] is None:
            continue  # ITEM_UNKNOWN covers it
        pack = row["case_pack"] or 1
        eaches = quantity_in_eaches(qty, unit, pack, s)
        if eaches is None:
            out.append(
                business_finding(
                    "UNIT_NOT_CONVERTIBLE",
                    f"Ordered in {unit} but item {row['sku']} has no case pack.",
                    row,
                    seg="PO1",
                    element="PO103",
                    value=unit,
                )
            )
            continue
        if eaches % pack:
            new = adjusted_quantity(qty, unit, pack, 0, s)
            if new is None:
                out.append(
                    business_finding(
                        "CASE_PACK_NOT_MULTIPLE",
                        f"{_text(eaches)} eaches is not a multiple of the "
                        f"case pack {pack} of item {row['sku']}.",
                        row,
                        seg="PO1",
                        element="PO102",
                        value=qty,
                    )
                )
                continue
            out.append(
                business_finding(
                    "CASE_PACK_ROUNDED",
                    f"{_text(eaches)} eaches is not a multiple of the case pack "
                    f"{pack} of item {row['sku']}; acknowledged as {_text(new)} {unit}.",
                    row,
                    seg="PO1",
                    element="PO102",
                    value=qty,
                )
            )
        moq = row["min_order_qty"] or 0
        if moq and eaches < moq:
            new = adjusted_quantity(qty, unit, pack, moq, s)
            out.append(
                business_finding(
                    "QTY_BELOW_MINIMUM",
                    f"{_text(eaches)} eaches is below the minimum order quantity "
                    f"{moq} of item {row['sku']}; raise to {_text(new)} {unit}.",
                    row,
                    seg="PO1",
                    element="PO102",
                    value=qty,
                )
            )
    return out


# --- prices, currency, terms ------------------------------------------------------------------


def _orders_by_key(orders: pa.Table) -> dict[tuple[str, str], dict]:
    return {_order_key(o): o for o in orders.to_pylist()}


def _customers(customers: pa.Table) -> dict[str, dict]:
    return {c["partner"]: c for c in customers.to_pylist()}


def _price_index(prices: pa.Table) -> dict[tuple[str, str], list[dict]]:
    index: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in prices.to_pylist():
        index[p["partner"], p["sku"]].append(p)
    for rows in index.values():
        rows.sort(key=lambda p: p["valid_from"], reverse=True)
    return index


def _order_currency(order: Mapping, customer: Mapping | None) -> str | None:
    return order.get("currency") or (customer or {}).get("currency")


def list_price(
    price_index: Mapping[tuple[str, str], list[dict]],
    partner: str,
    sku: str,
    on: date | None,
    currency: str | None,
) -> Decimal | None:
    """Our per-each price for ``partner``/``sku`` valid on ``on`` in ``currency`` (latest valid_from wins)."""
    for p in price_index.get((partner, sku), ()):
        if currency and p["currency"] != currency:
            continue
        if on is None or (p["valid_from"] <= on and (p["valid_to"] is None or on <= p["valid_to"])):
            return p["unit_price"]
    return None


def check_prices(
    orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings
) -> list[Finding]:
    """PRICE_MISSING, PRICE_NOT_ON_FILE, DISCOUNT_OVER_THRESHOLD (below our price by more than the
    partner's approval threshold) or else PRICE_OUT_OF_TOLERANCE. PO104 for a case unit is per case."""
    resolved = _resolved(lines, ref)
    by_order, customers, index = _orders_by_key(orders), _customers(ref.customers), _price_index(ref.prices)
    by_partner = _PerPartner(settings)
    out: list[Finding] = []
    cols = [*_LINE_LOCATION, "partner", "order_ref", "unit", "unit_price", "sku", "case_pack"]
    for row in _rows(resolved, cols, pc.is_valid(resolved.column("sku"))):
        s, order = by_partner[row["partner"]], by_order.get(_order_key(row), {})
        customer = customers.get(row["partner"])
        po_date, currency = order.get("po_date"), _order_currency(order, customer)
        ours = list_price(index, row["partner"], row["sku"], po_date, currency)
        if ours is None:
            out.append(
                business_finding(
                    "PRICE_NOT_ON_FILE",
                    f"No price for item {row['sku']} valid on {_text(po_date) or '?'} in {currency or '?'}.",
                    row,
                    seg="PO1",
                    element="PO104",
                    value=row["unit_price"],
                )
            )
            continue
        if row["unit"] in s.case_units and (row["case_pack"] or 0) > 1:
            ours = ours * row["case_pack"]
        theirs = row["unit_price"]
        if theirs is None:
            out.append(
                business_finding(
                    "PRICE_MISSING",
                    f"No PO104 price; our price {_text(ours)} applies.",
                    row,
                    seg="PO1",
                    element="PO104",
                )
            )
            continue
        if ours == 0:
            continue
        deviation = (theirs - ours) / ours * _HUNDRED
        threshold = (customer or {}).get("discount_approval_threshold_percent")
        if threshold is not None and -deviation > threshold:
            out.append(
                business_finding(
                    "DISCOUNT_OVER_THRESHOLD",
                    f"PO104 {_text(theirs)} is {_text(round(-deviation, 2))}% "
                    f"below our price {_text(ours)}; more than the {_text(threshold)}% that needs "
                    "approval.",
                    row,
                    seg="PO1",
                    element="PO104",
                    value=theirs,
                )
            )
        elif abs(deviation) > s.price_tolerance_percent:
            out.append(
                business_finding(
                    "PRICE_OUT_OF_TOLERANCE",
                    f"PO104 {_text(theirs)} differs from our price {_text(ours)} "
                    f"by {_text(round(deviation, 2))}% (tolerance {_text(s.price_tolerance_percent)}%).",
                    row,
                    seg="PO1",
                    element="PO104",
                    value=theirs,
                )
            )
    return out


def check_currency(orders: pa.Table, customers: pa.Table) -> list[Finding]:
    """CUSTOMER_UNKNOWN (no customer record) and CURRENCY_MISMATCH (CUR02 vs the agreed currency)."""
    by_partner, out = _customers(customers), []
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "currency"]):
        customer = by_partner.get(order["partner"])
        if customer is None:
            out.append(
                business_finding(
                    "CUSTOMER_UNKNOWN",
                    f"No customer record for partner {order['partner']!r}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        elif order["currency"] and order["currency"] != customer["currency"]:
            out.append(
                business_finding(
                    "CURRENCY_MISMATCH",
                    f"PO {order['po_number']} is in {order['currency']}, the agreed "
                    f"currency is {customer['currency']}.",
                    order,
                    seg="CUR",
                    element="CUR02",
                    value=order["currency"],
                    line=False,
                )
            )
    return out


_TERMS_FIELDS = (
    ("terms_type", "ITD01", "terms type"),
    ("terms_discount_percent", "ITD03", "discount percent"),
    ("terms_discount_days", "ITD05", "discount days"),
    ("terms_net_days", "ITD07", "net days"),
)


def check_terms(orders: pa.Table, customers: pa.Table) -> list[Finding]:
    """TERMS_MISMATCH for each ITD element sent that differs from the customer's agreed terms."""
    by_partner, out = _customers(customers), []
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", *(f for f, _, _ in _TERMS_FIELDS)]):
        customer = by_partner.get(order["partner"])
        if customer is None:
            continue
        for field, element, label in _TERMS_FIELDS:
            sent, agreed = order[field], customer[field]
            if sent is None or agreed is None or sent == "" or sent == agreed:
                continue
            out.append(
                business_finding(
                    "TERMS_MISMATCH",
                    f"ITD {label} {_text(sent)} differs from the agreed {_text(agreed)}.",
                    order,
                    seg="ITD",
                    element=element,
                    value=sent,
                    line=False,
                )
            )
    return out


# --- order value and credit ------------------------------------------------------------------


def order_values(orders: pa.Table, lines: pa.Table, ref: ReferenceData) -> dict[tuple[str, str], Decimal]:
    """(source_file, order_ref) -> sum of PO102 x PO104 (our price where PO104 is empty)."""
    resolved = _resolved(lines, ref)
    by_order, customers, index = _orders_by_key(orders), _customers(ref.customers), _price_index(ref.prices)
    values: dict[tuple[str, str], Decimal] = {key: Decimal(0) for key in by_order}
    for row in _rows(resolved, ["source_file", "order_ref", "partner", "quantity", "unit_price", "sku"]):
        key = _order_key(row)
        price = row["unit_price"]
        if price is None and row["sku"] is not None:
            order = by_order.get(key, {})
            price = list_price(
                index,
                row["partner"],
                row["sku"],
                order.get("po_date"),
                _order_currency(order, customers.get(row["partner"])),
            )
        if row["quantity"] is not None and price is not None:
            values[key] = values.get(key, Decimal(0)) + row["quantity"] * price
    return values


def check_order_value(
    orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings
) -> list[Finding]:
    """ORDER_VALUE_BELOW_MINIMUM for orders (not cancellations) worth less than min_order_value."""
    values, by_partner, out = order_values(orders, lines, ref), _PerPartner(settings), []
    for order in _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "purpose"]):
        s = by_partner[order["partner"]]
        value = values.get(_order_key(order), Decimal(0))
        if order["purpose"] not in s.credit_exempt_purposes and value < s.min_order_value:
            out.append(
                business_finding(
                    "ORDER_VALUE_BELOW_MINIMUM",
                    f"PO {order['po_number']} is worth {_text(value)}, below "
                    f"the minimum order value {_text(s.min_order_value)}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
    return out


def check_credit(
    orders: pa.Table,
    lines: pa.Table,
    ref: ReferenceData,
    settings: RuleSettings,
    *,
    open_orders: Mapping[str, Decimal] | None = None,
) -> list[Finding]:
    """CREDIT_LIMIT_EXCEEDED for each order that would take open AR + open orders (``open_orders``:
    partner -> value not yet invoiced) + the run's earlier accepted orders past the credit limit.
    Orders are taken in table order; a held order does not consume credit."""
    values, customers, by_partner = (
        order_values(orders, lines, ref),
        _customers(ref.customers),
        _PerPartner(settings),
    )
    exposure = {p: c["open_ar"] + (open_orders or {}).get(p, Decimal(0)) for p, c in customers.items()}
    out: list[Finding] = []
    for order in _rows(orders, [*_ORDER_LOCATION, "order_ref", "partner", "po_number", "purpose"]):
        partner = order["partner"]
        if partner not in customers or order["purpose"] in by_partner[partner].credit_exempt_purposes:
            continue
        value, limit = values.get(_order_key(order), Decimal(0)), customers[partner]["credit_limit"]
        if exposure[partner] + value > limit:
            out.append(
                business_finding(
                    "CREDIT_LIMIT_EXCEEDED",
                    f"PO {order['po_number']} ({_text(value)}) would bring the "
                    f"exposure to {_text(exposure[partner] + value)}, over the credit limit {_text(limit)}.",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        else:
            exposure[partner] += value
    return out


# --- ship-to ------------------------------------------------------------------------------------

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP AA AE AP".split()
)
CA_PROVINCES = frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())
_POSTAL = {
    "US": re.compile(r"^\d{5}(-?\d{4})?$"),
    "CA": re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$", re.IGNORECASE),
}
_REGIONS = {"US": US_STATES, "CA": CA_PROVINCES}
_COUNTRY_ALIASES = {"USA": "US", "CAN": "CA"}
_ADDRESS_PARTS = (
    ("ship_to_address1", "N3", "N301", "street"),
    ("ship_to_city", "N4", "N401", "city"),
    ("ship_to_state", "N4", "N402", "state/province"),
    ("ship_to_postal_code", "N4", "N403", "postal code"),
    ("ship_to_country", "N4", "N404", "country"),
)


def check_ship_to(orders: pa.Table, ship_tos: pa.Table, settings: RuleSettings) -> list[Finding]:
    """The ship-to is known by its N104 id, or else its N3/N4 address is complete (ADDRESS_INCOMPLETE)
    and plausible (ADDRESS_IMPLAUSIBLE: served country, US state / CA province, postal code format).
    SHIP_TO_UNKNOWN when neither a known id nor any address was sent."""
    known = {
        (s["partner"], s["location_id"]) for s in ship_tos.select(["partner", "location_id"]).to_pylist()
    }
    by_partner, out = _PerPartner(settings), []
    cols = [*_ORDER_LOCATION, "partner", "po_number", "ship_to_id", *(c for c, _, _, _ in _ADDRESS_PARTS)]
    for order in _rows(orders, cols):
        s = by_partner[order["partner"]]
        if order["ship_to_id"] and (order["partner"], order["ship_to_id"]) in known:
            continue
        parts = {c: (order[c] or "").strip() for c, _, _, _ in _ADDRESS_PARTS}
        if not any(parts.values()):
            what = (
                f"Ship-to id {order['ship_to_id']!r} is unknown" if order["ship_to_id"] else "No ship-to id"
            )
            out.append(
                business_finding(
                    "SHIP_TO_UNKNOWN",
                    f"{what} and no address was sent.",
                    order,
                    seg="N1",
                    element="N104",
                    value=order["ship_to_id"],
                    line=False,
                )
            )
            continue
        missing = [(seg, el, label) for c, seg, el, label in _ADDRESS_PARTS if not parts[c]]
        for seg, el, label in missing:
            out.append(
                business_finding(
                    "ADDRESS_INCOMPLETE",
                    f"The ship-to address has no {label}.",
                    order,
                    seg=seg,
                    element=el,
                    line=False,
                )
            )
        out.extend(_implausible(order, parts, s))
    return out


def _implausible(order: Mapping, parts: Mapping[str, str], s: RuleSettings) -> list[Finding]:
    out: list[Finding] = []
    raw_country = parts["ship_to_country"]
    country = _COUNTRY_ALIASES.get(raw_country.upper(), raw_country.upper())
    if raw_country and country not in s.ship_to_countries:
        out.append(
            business_finding(
                "ADDRESS_IMPLAUSIBLE",
                f"Country {raw_country!r} is not one we ship to ({', '.join(s.ship_to_countries)}).",
                order,
                seg="N4",
                element="N404",
                value=raw_country,
                line=False,
            )
        )
        return out
    country = country or "US"  # N404 is optional in US practice
    state, postal = parts["ship_to_state"], parts["ship_to_postal_code"]
    if state and country in _REGIONS and state.upper() not in _REGIONS[country]:
        out.append(
            business_finding(
                "ADDRESS_IMPLAUSIBLE",
                f"{state!r} is not a {country} state/province code.",
                order,
                seg="N4",
                element="N402",
                value=state,
                line=False,
            )
        )
    if postal and country in _POSTAL and not _POSTAL[country].match(postal):
        out.append(
            business_finding(
                "ADDRESS_IMPLAUSIBLE",
                f"{postal!r} is not a valid {country} postal code.",
                order,
                seg="N4",
                element="N403",
                value=postal,
                line=False,
            )
        )
    return out


# --- dates --------------------------------------------------------------------------------------

_DATES = (
    ("requested_delivery_date", "002", "delivery requested"),
    ("requested_ship_date", "010", "requested ship"),
    ("ship_not_before", "037", "ship not before"),
    ("ship_no_later", "038", "ship no later"),
)


def check_dates(orders: pa.Table, *, today: date, settings: RuleSettings) -> list[Finding]:
    """DATE_IN_PAST for DTM 002/010/038 before ``today`` (037 in the past is harmless), and
    SHIP_WINDOW_INCONSISTENT: 037 > 038, 010 outside 037..038, 002 before 010 or 037, a window
    longer than ship_window_max_days, or any requested date before the PO date (BEG05)."""
    by_partner, out = _PerPartner(settings), []
    cols = [*_ORDER_LOCATION, "partner", "po_number", "po_date", *(c for c, _, _ in _DATES)]
    for order in _rows(orders, cols):
        s = by_partner[order["partner"]]
        d = {q: order[c] for c, q, _ in _DATES}
        label = {q: f"DTM {q} ({name})" for _, q, name in _DATES}

        def emit(code: str, message: str, qualifier: str, _order: dict = order, _d: dict = d) -> None:
            out.append(
                business_finding(
                    code, message, _order, seg="DTM", element="DTM02", value=_d[qualifier], line=False
                )
            )

        for q in ("002", "010", "038"):
            if d[q] is not None and d[q] < today:
                emit("DATE_IN_PAST", f"{label[q]} {_text(d[q])} is before today {_text(today)}.", q)
        pairs = [("037", "038"), ("037", "010"), ("010", "038"), ("010", "002"), ("037", "002")]
        for early, late in pairs:
            if d[early] is not None and d[late] is not None and d[early] > d[late]:
                emit(
                    "SHIP_WINDOW_INCONSISTENT",
                    f"{label[early]} {_text(d[early])} is after {label[late]} {_text(d[late])}.",
                    late,
                )
        if (
            d["037"] is not None
            and d["038"] is not None
            and (d["038"] - d["037"]).days > s.ship_window_max_days
        ):
            emit(
                "SHIP_WINDOW_INCONSISTENT",
                f"The ship window {_text(d['037'])}..{_text(d['038'])} is longer than "
                f"{s.ship_window_max_days} days.",
                "038",
            )
        po_date = order["po_date"]
        for q in ("002", "010", "038"):
            if po_date is not None and d[q] is not None and d[q] < po_date:
                emit(
                    "SHIP_WINDOW_INCONSISTENT",
                    f"{label[q]} {_text(d[q])} is before the PO date {_text(po_date)}.",
                    q,
                )
    return out


# --- duplicates -------------------------------------------------------------------------------


def check_duplicates(
    orders: pa.Table, seen_po_numbers: Set[tuple[str, str]], settings: RuleSettings
) -> list[Finding]:
    """ORDER_DUPLICATE when (partner, BEG03) was seen before (``seen_po_numbers``) or earlier in this
    table, unless BEG01 is a cancel, replace or confirmation (settings.duplicate_exempt_purposes)."""
    seen, by_partner, out = set(seen_po_numbers), _PerPartner(settings), []
    for order in _rows(orders, [*_ORDER_LOCATION, "partner", "po_number", "purpose"]):
        key = (order["partner"], order["po_number"])
        if order["purpose"] in by_partner[order["partner"]].duplicate_exempt_purposes:
            seen.add(key)
            continue
        if key in seen:
            out.append(
                business_finding(
                    "ORDER_DUPLICATE",
                    f"PO {order['po_number']} was already received from "
                    f"{order['partner']} (BEG01 {order['purpose'] or 'empty'}).",
                    order,
                    seg="BEG",
                    element="BEG03",
                    value=order["po_number"],
                    line=False,
                )
            )
        seen.add(key)
    return out


# --- everything -------------------------------------------------------------------------------


def run_business_rules(
    orders: pa.Table,
    lines: pa.Table,
    ref: ReferenceData,
    settings: RuleSettings,
    *,
    today: date,
    seen_po_numbers: Set[tuple[str, str]] = frozenset(),
    open_orders: Mapping[str, Decimal] | None = None,
) -> list[Finding]:
    """Every business rule over one run's orders and lines (all files and partners together)."""
    resolved = _resolved(lines, ref)
    return [
        *check_gtin_check_digits(resolved),
        *check_items(resolved, ref),
        *check_quantities(resolved, ref, settings),
        *check_prices(orders, resolved, ref, settings),
        *check_currency(orders, ref.customers),
        *check_terms(orders, ref.customers),
        *check_order_value(orders, resolved, ref, settings),
        *check_credit(orders, resolved, ref, settings, open_orders=open_orders),
        *check_ship_to(orders, ref.ship_tos, settings),
        *check_dates(orders, today=today, settings=settings),
        *check_duplicates(orders, seen_po_numbers, settings),
    ]
