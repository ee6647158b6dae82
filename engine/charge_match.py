"""Charge reconciliation: per PO invoiced and SAC allowance or charge (SAC01 kind, SAC02 code), what its
850 promised (PO_CHARGES: SAC05 amount, else SAC07 percent of the invoiced value of its line or PO; SAC12
how it is settled) against what its 810s billed (INVOICE_CHARGES: their SAC05 added up), and the
difference, flagged when an allowance the PO promised off the invoice was not taken (or taken short, or
over), or a charge was billed that neither the PO nor the partner's agreement (AGREED_CHARGES: the
profile's invoice charges) allows, or a SAC the PO does not name was billed other than the agreement says (its
percent of the PO's invoiced lines; a flat amount once per PO, or at most once per shipment of it, a multi-stop
load's stops counted as one shipment, its first stop's). Pure and
columnar: tables in, CHARGE_MATCH out.

An allowance or charge is matched by (partner, PO, kind, SAC02) across the PO's levels: a PO's 2 % on its
lines is taken when the 810 carries a 2 % allowance of the same code in its summary (our 810s bill the
profile's SACs there). A percent is of the invoiced value (LINE_MATCH.invoiced_value of its PO101's line,
else the PO's INVOICE_MATCH lines value), half up to cents; our 810s compute it per invoice, so it
ties within a cent per 810 of the PO. SAC12 decides what the invoice should carry:

  01 bill back, 03 vendor check, 04 credit customer account, 09/10 allowance issued by vendor/reseller:
     the allowance is settled apart from the invoice (nothing expected on it; on it too: given twice)
  05 charge to be paid by vendor, 11 charge denied by vendor: the customer is not to pay it (billed:
     not allowed, whatever the agreement says)
  12 cancel allowance, 15 information only: nothing asked
  02 off invoice, 06 charge to be paid by customer, 08 off gross quantity, none and any other: on the invoice

A PO whose 810 was recorded from another system of ours by its lines (its charges unknown: INVOICE_MATCH
charges null) is not flagged for what it did not bill (the note says so)."""

from __future__ import annotations

from datetime import datetime, time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.columnar import SCALE, decimal_array, money, multiply, scaled
from engine.stop_ids import later_stops
from schemas.reconciliation import AGREED_CHARGES, CHARGE_MATCH, INVOICE_CHARGES, PO_CHARGES

SETTLED_APART = frozenset({"01", "03", "04", "09", "10"})  # SAC12: an allowance not taken on the invoice
NOT_PAYABLE = frozenset({"05", "11"})  # SAC12: a charge the customer does not pay
ASKS_NOTHING = frozenset({"12", "15"})  # SAC12: cancelled, information only
NOT_ON_INVOICE = SETTLED_APART | NOT_PAYABLE | ASKS_NOTHING
# how an allowance settled apart from the invoice (SAC12) reaches the customer, and what finance is to expect
# (code list 331: 01 "the buyer will bill back the seller", 03 a check from the supplier, 04 a credit to the
# customer's account, 09/10 issued by the vendor/reseller)
APART_WORDS = {
    "01": ("bill back", "the buyer bills it back apart from the invoice (its own bill-back invoice or debit memo, "
                        "not a deduction from this invoice's payment): expect the claim and match it to the deal"),
    "03": ("vendor check to customer", "we pay it to the customer by check, apart from the invoice"),
    "04": ("credit customer account", "we credit it to the customer's account (a credit memo), apart from the "
                                      "invoice"),
    "09": ("allowance to be issued by vendor", "we issue it to the customer apart from the invoice"),
    "10": ("allowance to be issued by reseller", "the reseller issues it, apart from our invoice"),
}


def settled_apart(handling: str) -> str:
    """An allowance settled apart from the invoice (SAC12 in SETTLED_APART) in words: "SAC12 01 bill back: the
    buyer bills it back ..."."""
    name, todo = APART_WORDS[handling]
    return f"SAC12 {handling} {name}: {todo}"


FLAGS = ("allowance_not_taken", "allowance_short", "allowance_over", "allowance_billed_twice",
         "allowance_not_agreed", "allowance_not_as_agreed", "charge_not_allowed", "charge_over", "charge_short",
         "charge_not_billed", "charge_not_as_agreed")
_CENT = SCALE // 100
_KEY = ["partner", "po_number", "kind", "code"]
_KINDS = {"A": "allowance", "C": "charge"}


def match_charges(asked: pa.Table, billed: pa.Table, invoices: pa.Table, lines: pa.Table | None = None,
                  agreed: pa.Table | None = None, shipped: pa.Table | None = None) -> pa.Table:
    """CHARGE_MATCH of the POs invoiced (``invoices``: INVOICE_MATCH) from PO_CHARGES (``asked``),
    INVOICE_CHARGES (``billed``), LINE_MATCH (``lines``: the invoiced value of a line a percent is of),
    AGREED_CHARGES (``agreed``) and SHIPPED (``shipped``: how many shipments of a PO an agreed charge per
    shipment may be billed for; without it, one per 810), ordered by partner, PO, kind and code."""
    agreed = _agreed_table(agreed)
    if not invoices.num_rows:
        return CHARGE_MATCH.empty_table()
    inv = invoices.select(["partner", "po_number", "lines_value", "charges", "currency"])
    pos = pa.table({
        "partner": inv["partner"], "po_number": inv["po_number"],
        "value": pa.array(scaled(inv["lines_value"])[0], pa.int64()),
        "unknown": pc.cast(pc.is_null(inv["charges"]), pa.int64()), "one": pa.array(np.ones(inv.num_rows, np.int64)),
        "currency": inv["currency"],
    }).group_by(["partner", "po_number"], use_threads=False).aggregate(
        [("value", "sum"), ("unknown", "sum"), ("one", "sum"), ("currency", "first")]).rename_columns(
        ["partner", "po_number", "po_value", "unknown", "sets", "currency"])
    pos = pos.join(_shipments(shipped), ["partner", "po_number"], join_type="left outer", use_threads=False)
    promised = _promised(_windowed(_conformed(asked, PO_CHARGES), asked, invoices), pos, lines)
    charged = _billed(billed.select(INVOICE_CHARGES.names).cast(INVOICE_CHARGES))
    both = promised.join(charged, _KEY, join_type="full outer", use_threads=False, coalesce_keys=True)
    both = both.join(pos, ["partner", "po_number"], join_type="inner", use_threads=False)
    if not both.num_rows:
        return CHARGE_MATCH.empty_table()
    both = both.join(_agreed_terms(agreed), ["partner", "kind", "code"], join_type="left outer", use_threads=False)
    both = both.sort_by([(c, "ascending") for c in _KEY])
    return _flagged(both)


def _agreed_table(agreed: pa.Table | None) -> pa.Table:
    """AGREED_CHARGES as given (a table of its first columns alone, partner, kind and code: no amounts)."""
    return AGREED_CHARGES.empty_table() if agreed is None else _conformed(agreed, AGREED_CHARGES)


def _conformed(t: pa.Table, schema: pa.Schema) -> pa.Table:
    """``t`` as ``schema``; a nullable column it lacks (one added to the schema since: SAC13 ...) null."""
    for f in schema:
        if f.name not in t.column_names and f.nullable:
            t = t.append_column(f, pa.nulls(t.num_rows, f.type))
    return t.select(schema.names).cast(schema)


def _agreed_terms(agreed: pa.Table) -> pa.Table:
    """Per (partner, kind, code) the agreement bills: ``agreed`` True, its flat amounts and percents added up (10^-4
    units; a code agreed twice bills both), whether any is per shipment."""
    amount, has_amount = scaled(agreed["amount"])
    percent, has_percent = scaled(agreed["percent"])
    t = pa.table({
        "partner": agreed["partner"], "kind": agreed["kind"], "code": agreed["code"],
        "a_amount": pa.array(np.where(has_amount, amount, 0), pa.int64()),
        "a_has_amount": pa.array(has_amount.astype(np.int64)),
        "a_percent": pa.array(np.where(has_percent, percent, 0), pa.int64()),
        "a_has_percent": pa.array(has_percent.astype(np.int64)),
        "a_shipment": pa.array((has_amount & (pc.fill_null(agreed["per"], "").to_numpy(zero_copy_only=False)
                                              .astype(str) == "shipment")).astype(np.int64)),
    })
    g = t.group_by(["partner", "kind", "code"], use_threads=False).aggregate(
        [(c, "sum") for c in ("a_amount", "a_has_amount", "a_percent", "a_has_percent", "a_shipment")])
    g = g.rename_columns([c.removesuffix("_sum") for c in g.column_names])
    return g.append_column("agreed", pa.array(np.ones(g.num_rows, bool)))


def _shipments(shipped: pa.Table | None) -> pa.Table:
    """Per (partner, PO): how many distinct shipments (SHIPPED.shipment_id) carried it, and how many of them are a
    multi-stop load's later stops (engine.stop_ids.later_stops: the stops of one load share their id's prefix and
    their departure), whose flat charge per shipment the load's first stop carries."""
    schema = pa.schema([pa.field("partner", pa.string()), pa.field("po_number", pa.string()),
                        pa.field("shipments", pa.int64()), pa.field("later", pa.int64())])
    if shipped is None or not shipped.num_rows:
        return schema.empty_table()
    names = ["partner", "po_number", "shipment_id"]
    ids = shipped.select([*names, "shipped_at"]).group_by(names, use_threads=False).aggregate(
        [("shipped_at", "min")])
    partners, pos, sids = (ids[c].to_pylist() for c in names)
    later = later_stops((p, sid, str(at)) for p, sid, at in zip(partners, sids, ids["shipped_at_min"].to_pylist(),
                                                                 strict=True) if at is not None)
    g = pa.table({"partner": ids["partner"], "po_number": ids["po_number"],
                  "one": pa.array(np.ones(ids.num_rows, np.int64)),
                  "later": pa.array([int((p, sid) in later) for p, sid in zip(partners, sids, strict=True)],
                                    pa.int64())}).group_by(["partner", "po_number"], use_threads=False).aggregate(
        [("one", "sum"), ("later", "sum")])
    return g.rename_columns(["partner", "po_number", "shipments", "later"]).cast(schema)


def _promised(asked: pa.Table, pos: pa.Table, lines: pa.Table | None) -> pa.Table:
    """Per (partner, PO, kind, code; code "" when none) of the POs invoiced: the promise added up."""
    asked = asked.join(pos.select(["partner", "po_number", "po_value"]), ["partner", "po_number"],
                       join_type="inner", use_threads=False)
    if lines is not None and lines.num_rows and asked.num_rows:
        per_line = pa.table({"partner": lines["partner"], "po_number": lines["po_number"],
                             "line_id": lines["line_id"],
                             "line_value": pa.array(scaled(lines["invoiced_value"])[0], pa.int64())}).filter(
            pc.is_valid(lines["line_id"])).group_by(["partner", "po_number", "line_id"], use_threads=False).aggregate(
            [("line_value", "sum")]).rename_columns(["partner", "po_number", "line_id", "line_value"])
        asked = asked.join(per_line, ["partner", "po_number", "line_id"], join_type="left outer", use_threads=False)
    else:
        asked = asked.append_column("line_value", pa.nulls(asked.num_rows, pa.int64()))
    n = asked.num_rows
    amount, has_amount = scaled(asked["amount"])
    percent, has_percent = scaled(asked["percent"])
    has_amount &= ~((amount == 0) & has_percent)  # SAC05 0 beside a percent: the percent prices it
    on_line = pc.is_valid(asked["line_id"]).to_numpy(zero_copy_only=False)
    base = np.where(on_line, pc.fill_null(asked["line_value"], 0).to_numpy(zero_copy_only=False),
                    asked["po_value"].to_numpy(zero_copy_only=False)).astype(np.int64)
    # a heading promise an 860 dated (_windowed): of what was invoiced while it held; a flat one, if any 810 was
    dated = pc.is_valid(asked["w_base"]).to_numpy(zero_copy_only=False)
    base = np.where(dated, pc.fill_null(asked["w_base"], 0).to_numpy(zero_copy_only=False), base).astype(np.int64)
    none_while = dated & (pc.fill_null(asked["w_sets"], 0).to_numpy(zero_copy_only=False) == 0)
    of_base = _percent_of(base, percent)
    priced = has_amount | has_percent
    value = np.where(has_amount, np.where(none_while, 0, amount), np.where(has_percent, of_base, 0))  # SAC05 first
    w_out = pc.fill_null(asked["w_out"], 0).to_numpy(zero_copy_only=False).astype(np.int64)
    # what a dated percent would have allowed on the value invoiced outside its time: not re-priced
    outside = np.where(has_percent & ~has_amount & (w_out > 0), _percent_of(w_out, percent), 0)
    handling = pc.fill_null(asked["handling"], "").to_numpy(zero_copy_only=False).astype(str)
    on_invoice = ~np.isin(handling, list(NOT_ON_INVOICE))
    t = pa.table({
        "partner": asked["partner"], "po_number": asked["po_number"], "kind": asked["kind"],
        "code": pc.fill_null(asked["code"], ""),
        "p_amount": pa.array(amount, pa.int64()), "p_has_amount": pa.array(has_amount.astype(np.int64)),
        "p_by_percent": pa.array((~has_amount & has_percent).astype(np.int64)),
        "p_value": pa.array(value, pa.int64()), "p_priced": pa.array(priced.astype(np.int64)),
        "p_unpriced": pa.array((~priced).astype(np.int64)),
        "p_expected": pa.array(np.where(on_invoice, value, 0), pa.int64()),
        "p_percent": pa.array(percent, pa.int64(), mask=~has_percent), "p_handling": asked["handling"],
        "p_description": asked["description"], "p_reference": asked["reference"],
        "p_line": asked["line_id"], "p_heading": pa.array((~on_line).astype(np.int64)), "p_file": asked["file"],
        "p_rows": pa.array(np.ones(n, np.int64)),
        "p_since": asked["w_since"], "p_until": asked["w_until"],
        "p_out": pa.array(np.where(on_invoice & (~has_amount) & has_percent & pc.is_valid(asked["w_since"]).to_numpy(
            zero_copy_only=False), w_out, 0), pa.int64()),
        "p_outside": pa.array(np.where(on_invoice & pc.is_valid(asked["w_since"]).to_numpy(zero_copy_only=False),
                                       outside, 0), pa.int64()),
    })
    g = t.group_by(_KEY, use_threads=False).aggregate(
        [(c, "sum") for c in ("p_amount", "p_has_amount", "p_by_percent", "p_value", "p_priced", "p_unpriced",
                              "p_expected", "p_heading", "p_rows", "p_out", "p_outside")]
        + [("p_percent", "min"), ("p_since", "max")] + [(c, "first") for c in ("p_handling", "p_description", "p_file")]
        + [("p_line", "distinct"), ("p_reference", "distinct")])
    g = g.rename_columns([c.removesuffix("_sum").removesuffix("_first").removesuffix("_min").removesuffix("_max")
                          for c in g.column_names])
    g = g.set_column(g.schema.get_field_index("p_reference_distinct"), "p_reference",
                     pa.array(_joined(g["p_reference_distinct"]), pa.string()))
    return g.set_column(g.schema.get_field_index("p_line_distinct"), "p_line",
                        pa.array(_joined(g["p_line_distinct"]), pa.string()))


def _windowed(conformed: pa.Table, asked: pa.Table, invoices: pa.Table) -> pa.Table:
    """``conformed`` (PO_CHARGES of ``asked``, row for row) with what each heading promise dated by an 860
    (engine.finance_inputs.with_changes dated=: ``since``, ``until``) is held to: ``w_base`` the PO's value our
    810s invoiced while it held (sent at, else dated, from ``since`` and before ``until``), ``w_out`` the value
    invoiced outside that time (not re-priced), ``w_sets`` the 810s inside it, ``w_since`` / ``w_until``; null for a
    promise not dated (it holds for every 810 of the PO). A promise an 860 ended before any 810 is left out."""
    n = conformed.num_rows
    base: list[int | None] = [None] * n
    out: list[int | None] = [None] * n
    sets: list[int | None] = [None] * n
    since_col = asked["since"].to_pylist() if "since" in asked.column_names else [None] * n
    until_col = asked["until"].to_pylist() if "until" in asked.column_names else [None] * n
    if any(x is not None for x in (*since_col, *until_col)):
        by_po: dict[tuple[str, str], list[tuple[datetime | None, int]]] = {}
        values = scaled(invoices["lines_value"])[0]
        sent = invoices["sent_at"].to_pylist() if "sent_at" in invoices.column_names else [None] * invoices.num_rows
        for p, po, at, day, v in zip(invoices["partner"].to_pylist(), invoices["po_number"].to_pylist(), sent,
                                     invoices["invoice_date"].to_pylist(), values, strict=True):
            when = at if at is not None else datetime.combine(day, time()) if day is not None else None
            by_po.setdefault((p, po), []).append((when, int(v)))
        lines = conformed["line_id"].to_pylist()
        for i, (p, po, since, until) in enumerate(zip(conformed["partner"].to_pylist(),
                                                      conformed["po_number"].to_pylist(), since_col, until_col,
                                                      strict=True)):
            if (since is None and until is None) or lines[i] is not None:
                continue
            inside = [v for when, v in by_po.get((p, po), ()) if when is None or (
                (since is None or when >= since) and (until is None or when < until))]
            base[i], sets[i] = sum(inside), len(inside)
            out[i] = sum(v for _w, v in by_po.get((p, po), ())) - base[i]
    ts = pa.timestamp("us")
    t = conformed.append_column("w_base", pa.array(base, pa.int64())).append_column(
        "w_out", pa.array(out, pa.int64())).append_column("w_sets", pa.array(sets, pa.int64())).append_column(
        "w_since", pa.array(since_col, ts)).append_column("w_until", pa.array(until_col, ts))
    # a promise an 860 ended before any 810 of the PO went: it held for none (the PO is held to what replaced it)
    ended_unused = [until is not None and got == 0 for until, got in zip(until_col, sets, strict=True)]
    return t.filter(pa.array([not x for x in ended_unused], pa.bool_())) if any(ended_unused) else t


def _percent_of(base: np.ndarray, percent: np.ndarray) -> np.ndarray:
    """base x percent / 100 (both 10^-4 units) half up to cents, in 10^-4 units (exact: engine.columnar.multiply)."""
    return multiply(base, percent, unit=SCALE * 100 * _CENT) * _CENT


def _billed(billed: pa.Table) -> pa.Table:
    """Per (partner, PO, kind, code): the SAC05 of the PO's 810s added up and the invoices that billed it."""
    t = pa.table({
        "partner": billed["partner"], "po_number": pc.fill_null(billed["po_number"], ""), "kind": billed["kind"],
        "code": pc.fill_null(billed["code"], ""),
        "b_value": pa.array(scaled(billed["amount"])[0], pa.int64()),
        "b_invoice": billed["invoice_number"], "b_description": billed["description"],
    })
    g = t.group_by(_KEY, use_threads=False).aggregate(
        [("b_value", "sum"), ("b_invoice", "distinct"), ("b_description", "first")])
    g = g.rename_columns([c.removesuffix("_sum").removesuffix("_first") for c in g.column_names])
    return g.set_column(g.schema.get_field_index("b_invoice_distinct"), "b_invoice",
                        pa.array(_joined(g["b_invoice_distinct"]), pa.string()))


def _joined(lists: pa.ChunkedArray | pa.Array) -> list[str | None]:
    return [" ".join(sorted(x for x in v if x)) or None if v else None for v in lists.to_pylist()]


def _flagged(t: pa.Table) -> pa.Table:
    n = t.num_rows

    def ints(name: str) -> np.ndarray:
        return pc.fill_null(t[name], 0).to_numpy(zero_copy_only=False).astype(np.int64)

    kind = t["kind"].to_numpy(zero_copy_only=False).astype(str)
    allowance = kind == "A"
    asked = ints("p_rows") > 0
    has_amount = ints("p_has_amount") > 0
    by_percent = ints("p_by_percent") > 0
    priced = ints("p_priced") > 0
    promised = ints("p_value")
    expected = ints("p_expected")
    billed = ints("b_value")
    handling = pc.fill_null(t["p_handling"], "").to_numpy(zero_copy_only=False).astype(str)
    apart = np.isin(handling, list(SETTLED_APART))
    not_payable = np.isin(handling, list(NOT_PAYABLE))
    asks_nothing = np.isin(handling, list(ASKS_NOTHING))
    agreed = pc.fill_null(t["agreed"], False).to_numpy(zero_copy_only=False)
    unknown = ints("unknown") > 0  # an 810 of the PO recorded by its lines: what it billed is not known
    tol = np.where(by_percent, ints("sets") * _CENT, 0)  # a percent computed per 810: a cent each
    diff = billed - expected
    over, short = diff > tol, diff < -tol
    flag = np.full(n, None, object)

    free = np.ones(n, bool)

    def put(where: np.ndarray, name: str) -> None:  # the first flag that applies to a row is its flag
        chosen = where & free
        flag[chosen] = name
        free[chosen] = False

    on_invoice = asked & ~apart & ~not_payable & ~asks_nothing
    nothing = (billed == 0) & ~unknown  # billed nothing (as far as we know)
    # allowances
    put(allowance & on_invoice & nothing & ((priced & (expected > 0)) | ~priced), "allowance_not_taken")
    put(allowance & on_invoice & priced & short & (billed > 0), "allowance_short")
    put(allowance & asked & apart & (billed > 0), "allowance_billed_twice")
    put(allowance & on_invoice & priced & over, "allowance_over")
    put(allowance & asked & asks_nothing & (billed > 0), "allowance_over")
    put(allowance & ~asked & (billed > 0) & ~agreed, "allowance_not_agreed")
    # charges
    put(~allowance & (billed > 0) & ((asked & (not_payable | asks_nothing)) | (~asked & ~agreed)),
        "charge_not_allowed")
    put(~allowance & on_invoice & priced & over, "charge_over")
    put(~allowance & on_invoice & priced & nothing & (expected > 0), "charge_not_billed")
    put(~allowance & on_invoice & priced & short & (billed > 0), "charge_short")
    # a SAC the PO did not name, billed by the agreement: as much as it says (a flat amount per shipment: at most
    # once per shipment of the PO - a shipment of several POs bills it on one of them, or split)
    ag_has_amount, ag_has_percent = ints("a_has_amount") > 0, ints("a_has_percent") > 0
    by_agreement = ~asked & agreed & (ag_has_amount | ag_has_percent)  # (an agreement without its terms: as agreed)
    per_shipment = ints("a_shipment") > 0
    # (a multi-stop load's later stops bill none: its first stop's 810 bills the load's charge, once)
    times = np.where(per_shipment, np.maximum(np.maximum(ints("shipments"), ints("sets")) - ints("later"), 0), 1)
    ag_value = (np.where(ag_has_amount, ints("a_amount") * times, 0)
                + np.where(ag_has_percent, _percent_of(ints("po_value"), ints("a_percent")), 0))
    exact = ~per_shipment  # a per-shipment amount is a ceiling: a PO's 810 may carry a share, or none
    ag_tol = np.where(ag_has_percent, ints("sets") * _CENT, 0)
    ag_diff = billed - ag_value
    ag_over = by_agreement & (ag_diff > ag_tol)
    ag_under = by_agreement & exact & ~unknown & (billed > 0) & (ag_diff < -ag_tol)
    put(allowance & (ag_over | ag_under), "allowance_not_as_agreed")
    put(~allowance & (ag_over | ag_under), "charge_not_as_agreed")

    heading = ints("p_heading") > 0
    line_ids = pc.if_else(pa.array(heading), pa.scalar(None, pa.string()), t["p_line"])
    description = pc.coalesce(t["p_description"], t["b_description"])
    agreement = [_agreement_words(ag_value[i], bool(exact[i])) if by_agreement[i] else "" for i in range(n)]
    notes = [_note(kind[i], flag[i], promised[i], expected[i], billed[i], asked[i], priced[i], agreed[i],
                   handling[i], unknown[i], has_amount[i], agreement[i], ag_value[i]) for i in range(n)]
    # a promise an 860 brought after some of the PO was invoiced: those 810s are not re-priced, and what the promise
    # would have come to on them is said (a credit or debit the buyer may claim, settled apart from our 810s)
    out, outside, since = ints("p_out"), ints("p_outside"), t["p_since"].to_pylist()
    notes = [note if out[i] <= 0 or since[i] is None else note + _not_repriced(kind[i], since[i], out[i], outside[i])
             for i, note in enumerate(notes)]
    on_terms = by_agreement & exact  # what the agreement bills is what to expect
    return pa.table({
        "partner": t["partner"], "po_number": t["po_number"], "currency": t["currency"], "kind": t["kind"],
        "code": pc.if_else(pc.equal(t["code"], ""), pa.scalar(None, pa.string()), t["code"]),
        "description": description, "reference": t["p_reference"], "line_ids": line_ids,
        "handling": t["p_handling"],
        "promised_amount": decimal_array(ints("p_amount"), has_amount),
        "promised_percent": decimal_array(ints("p_percent"), pc.is_valid(t["p_percent"]).to_numpy(
            zero_copy_only=False)),
        "promised_value": decimal_array(promised, priced),
        "expected_on_invoice": decimal_array(np.where(by_agreement, ag_value, expected),
                                             (asked & (priced | ~on_invoice)) | on_terms),
        "billed_value": decimal_array(billed),
        # against the PO's promise; a SAC the PO did not name: the whole of it when it is not allowed, against
        # the agreement when it bills it (a per-shipment amount: only when billed over its ceiling)
        "difference": decimal_array(np.where(by_agreement, ag_diff, billed - expected),
                                    (asked & (priced | ~on_invoice)) | (~asked & ~agreed) | on_terms | ag_over),
        "agreed": pa.array(agreed, pa.bool_()),
        "agreed_value": decimal_array(ag_value, by_agreement),
        "invoices": t["b_invoice"],
        "flag": pa.array(flag.tolist(), pa.string()),
        "note": pa.array(notes, pa.string()),
        "file": t["p_file"],
    }).cast(CHARGE_MATCH)


def _not_repriced(kind: str, since: datetime, out: int, outside: int) -> str:
    """Words for a promise an 860 received at ``since`` brought after ``out`` of the PO was invoiced (10^-4 units),
    on which it would have come to ``outside``."""
    what = _KINDS.get(kind, kind)
    return (f"; the 860 of {since:%Y-%m-%d} brought the {what} after {money(out)} was invoiced: those 810s are not "
            f"re-priced (the {what} would have come to {money(outside)} on them: a "
            f"{'credit' if kind == 'A' else 'debit'} only if agreed with the buyer, settled apart)")


def _agreement_words(value: int, exact: bool) -> str:
    return f"; the partner's agreement bills {money(value)}" + ("" if exact else " at most (once per shipment)")


def _note(kind: str, flag, promised: int, expected: int, billed: int, asked: bool,
          priced: bool, agreed: bool, handling: str, unknown: bool, has_amount: bool, agreement: str = "",
          agreed_value: int = 0) -> str:
    """The row in words: what was promised, how it is settled, what the 810s billed, what to do."""
    what = _KINDS.get(kind, kind)
    if not asked:
        said = f"the PO promised no such {what}" + ((agreement or "; the partner's agreement bills it") if agreed
                                                     else " and the partner's agreement does not bill it")
    elif not priced:
        said = f"the PO promised the {what} without an amount or percent (a rate): not priced"
    else:
        said = f"the PO promised {money(promised)}" + ("" if has_amount else " (its percent of the invoiced value)")
    if handling:
        said += f", SAC12 {handling}" + {**{c: f" {APART_WORDS[c][0]} (settled apart from the invoice)"
                                            for c in SETTLED_APART},
                                          **{c: " (not paid by the customer)" for c in NOT_PAYABLE},
                                          **{c: " (asks nothing)" for c in ASKS_NOTHING}}.get(handling, "")
    said += f"; our 810s billed {money(billed)}"
    if unknown:
        said += " (an 810 recorded by its lines: its charges are not known)"
    todo = {
        "allowance_not_taken": "the retailer will deduct it from payment: settle it (a credit memo) or dispute it",
        "allowance_short": f"taken {money(expected - billed)} short: expect the retailer to deduct the rest",
        "allowance_over": f"{money(billed - expected)} more allowed than the PO promised",
        "allowance_billed_twice": "taken on the invoice although the PO settles it apart"
                                  + (f" ({APART_WORDS[handling][1]})" if handling in APART_WORDS else "")
                                  + ": it may be paid twice",
        "allowance_not_agreed": "an allowance neither the PO nor the agreement names",
        "charge_not_allowed": "a charge the PO and the agreement do not allow: expect the retailer to refuse it",
        "charge_over": f"{money(billed - expected)} more charged than the PO allows: expect a short payment",
        "charge_short": f"{money(expected - billed)} less charged than the PO allows",
        "charge_not_billed": "a charge the PO allows that our 810s did not bill",
        "charge_not_as_agreed": (f"{money(billed - agreed_value)} more charged than the agreement says: expect the "
                                 "retailer to pay only what it agreed" if billed > agreed_value else
                                 f"{money(agreed_value - billed)} less charged than the agreement says"),
        "allowance_not_as_agreed": (f"{money(billed - agreed_value)} more allowed than the agreement says"
                                    if billed > agreed_value else f"{money(agreed_value - billed)} less allowed "
                                    "than the agreement says: expect the retailer to deduct the rest"),
    }.get(flag, "ties" if asked else "as agreed")
    if flag is None and asked and kind == "A" and handling in APART_WORDS:  # owed all the same, off the invoice
        todo = f"not on the invoice, as SAC12 asks: {APART_WORDS[handling][1]}"
    return f"{said}: {todo}"
