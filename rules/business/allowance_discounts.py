"""The discount a PO's off-invoice allowances give on each line: the 850's SACs (schemas.orders.ORDER_SACS) our 810s
take off (the partner's carried handlings, rules.set_checks.sac_carried), as a share of each line's value at its
PO104, heading ones spread over the lines by value. rules.business.money.price_findings judges a line's PO104 less
that share by the customer's approval threshold. An allowance matching a promotion agreed with the customer
(deals.csv: its deal number, SAC13 or REF*PD, allowance code, item, dates and the most it may take off: match_deal)
is pre-approved: its share is kept apart, not judged. Pure: tables in, per line shares out; no findings made here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from rules.set_checks import sac_carried
from schemas.money_text import money_text
from schemas.orders import ORDER_SACS
from schemas.units import priced_per

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class LineAllowance:
    """What a PO's carried allowances take off one line: ``share`` of its value at PO104 (0.12: 12 %), and the SACs
    that give it, as a finding names them ("C310 12 % of the PO's lines (heading, SAC12 02)"; with deals on file for
    the partner, why none pre-approves it: "..., deal PD-7 runs 2026-11-01 to 2026-11-30, the PO is of 2026-12-02");
    ``agreed``: the share the SACs matching an agreed deal take off (pre-approved, not in ``share``), ``deals``
    those SACs named with their deal."""

    share: Decimal
    sacs: tuple[str, ...]
    agreed: Decimal = Decimal(0)
    deals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DealMatch:
    """How one carried allowance stands against the deals agreed with its customer: ``deal`` the deals.csv row it
    matched (None: none), ``why`` what keeps it from one ("" with a match; "" too for a partner with no deal on
    file, whose allowances are judged as ever)."""

    deal: Mapping | None
    why: str = ""


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _named(r: Mapping, heading: bool, note: str = "") -> str:
    """One SAC as a finding names it: its code (SAC02, else SAC03:SAC04), its figure and where it sits (``note``:
    what is said of its deal, inside the brackets)."""
    code = r["code"] or ":".join(x for x in (r.get("agency") or "", r.get("agency_code") or "") if x) or "(no code)"
    if r["amount"] is not None and r["amount"] != 0:
        what = money_text(r["amount"], None)
    elif r["percent"] is not None:
        what = f"{_number(r['percent'])} % of the {'PO' if heading else 'line'}"
    else:
        what = f"{_number(r['rate'])} per {r.get('unit') or 'unit'}"
    where = "heading" if heading else f"line {r['line_id'] or r['line_number']}"
    return f"{code} {what} ({where}, SAC12 {r['handling']}{', ' + note if note else ''})"


def _carried_allowances(sacs: pa.Table, settings_of) -> list[dict]:
    """The allowance rows of ``sacs`` our 810s carry (sac_carried by each partner's settings: its
    off_invoice_handlings, none of its own allowance codes)."""
    rows = sacs.filter(pc.fill_null(pc.equal(sacs["kind"], "A"), False)).to_pylist()
    out = []
    for r in rows:
        s = settings_of(r["partner"])
        priced = any(r[c] is not None for c in ("amount", "percent", "rate"))
        agency = r["agency_code"] if r.get("agency") and r.get("agency_code") else None
        if sac_carried(r["kind"], r["code"], r["handling"], priced, s.off_invoice_handlings,
                       {("A", c) for c in s.own_allowance_codes}, agency):
            out.append(r)
    return out


def line_allowances(lines: pa.Table, sacs: pa.Table | None, settings_of, deals: pa.Table | None = None,
                    dates: Sequence[date | None] | None = None,
                    promotions: Mapping[tuple[str, str], str | None] | None = None) -> dict[int, LineAllowance]:
    """Row of ``lines`` (ORDER_LINES, item-resolved) -> what its PO's carried allowances (``sacs``: ORDER_SACS of
    those POs) take off it: a line SAC its SAC05 (X12: SAC05 takes precedence), else its percent of the line's
    value, else its rate x SAC10 (else x PO102); a heading SAC its SAC05, else its percent of the PO's value, else
    its rate x SAC10 (else x every unit ordered), spread over the lines by their value. A PO's lines are keyed by
    partner, PO and line number; a line without PO104 has no value to share (none). ``settings_of``: partner ->
    its RuleSettings. Lines of POs with no carried allowance: absent (most). ``deals``: deals.csv (DEALS) of the
    customers, ``dates``: each line's PO date (BEG05), ``promotions``: (partner, PO) -> its heading REF*PD: a SAC
    matching a deal (match_deal) is agreed, kept apart from the share judged."""
    return judged_allowances(lines, sacs, settings_of, deals, dates, promotions)[0]


def agreed_allowances(lines: pa.Table, sacs: pa.Table | None, settings_of, deals: pa.Table | None = None,
                      dates: Sequence[date | None] | None = None,
                      promotions: Mapping[tuple[str, str], str | None] | None = None
                      ) -> dict[tuple[str, str], list[AgreedAllowance]]:
    """(partner, PO) -> its carried allowances a deal agreed with the customer pre-approves (match_deal, as
    line_allowances judges them: the same arguments), each once, in the order the PO sent them: what a partner's
    855 echoes when its profile asks ([acks.po_ack] allowances = "agreed"). POs with none: absent."""
    return judged_allowances(lines, sacs, settings_of, deals, dates, promotions)[1]


@dataclass(frozen=True, slots=True)
class AgreedAllowance:
    """One SAC of a PO (an ORDER_SACS row: ``sac``) that deal ``deal`` (its deal number) pre-approved."""

    sac: Mapping
    deal: str


def judged_allowances(lines: pa.Table, sacs: pa.Table | None, settings_of, deals: pa.Table | None,
                      dates: Sequence[date | None] | None, promotions: Mapping[tuple[str, str], str | None] | None,
                      index: Mapping[tuple[str, str], int] | None = None,
                      other_dates: Mapping[str, tuple[Sequence[date | None], Sequence[date | None]]] | None = None
                      ) -> tuple[dict[int, LineAllowance], dict[tuple[str, str], list[AgreedAllowance]]]:
    """line_allowances' shares and agreed_allowances' SACs, judged once (price_findings wants both). ``index``: the
    items' units (rules.business.quantities.unit_index), by which a deal's rate per its own unit (deals.csv unit: EA
    against a line ordered in CA of 12) is compared with what the SAC takes off per that unit. ``other_dates``: per
    date a deal may be matched on besides the PO's (deals.csv match_on: "ship_date", "delivery_date"), each line's
    order's (its heading DTM: what a heading SAC is matched on) and the line's own (its PO1 loop's DTM, else its
    order's: what its own SAC is matched on); absent: none known."""
    agreed_sacs: dict[tuple[str, str], dict[tuple, AgreedAllowance]] = {}
    if sacs is None or not sacs.num_rows or not lines.num_rows:
        return {}, {}
    allowances = _carried_allowances(sacs, settings_of)
    if not allowances:
        return {}, {}
    wanted = pa.array(sorted({f"{r['partner']}\x1f{r['po_number']}" for r in allowances}), pa.string())
    key = pc.binary_join_element_wise(lines["partner"], lines["po_number"], "\x1f")
    rows = pc.indices_nonzero(pc.fill_null(pc.is_in(key, value_set=wanted), False)).to_pylist()
    cols = ["partner", "po_number", "line_number", "line_id", "quantity", "unit_price", "unit", "price_basis", "sku",
            "line_refs", "case_pack"]
    picked = lines.select([c for c in cols if c in lines.column_names]).take(pa.array(rows, pa.int64())).to_pylist()
    per_po: dict[tuple[str, str], list[tuple[int, dict, Decimal | None]]] = {}
    for i, row in zip(rows, picked, strict=True):
        q, price = row["quantity"], row["unit_price"]
        value = None if q is None or price is None else \
            q * price / priced_per(row.get("unit"), row.get("price_basis") or "")
        per_po.setdefault((row["partner"], row["po_number"]), []).append((i, row, value))
    agreed_deals = _deals_by_partner(deals)
    out: dict[int, LineAllowance] = {}
    for (partner, po), members in per_po.items():
        mine = [r for r in allowances if (r["partner"], r["po_number"]) == (partner, po)]
        total = sum((v for _i, _r, v in members if v is not None), Decimal(0))
        units = sum((r["quantity"] for _i, r, _v in members if r["quantity"] is not None), Decimal(0))
        first = members[0][0]
        po_day = dates[first] if dates is not None else None
        heading_days = {"po_date": po_day, **{k: v[0][first] for k, v in (other_dates or {}).items()}}
        on_file = agreed_deals.get(partner, [])
        heading_deal = (promotions or {}).get((partner, po))
        # (line row, agreed by a deal) -> the amount off it, and the SACs that give it as named
        off: dict[tuple[int, bool], Decimal] = {}
        named: dict[tuple[int, bool], list[str]] = {}
        for sac in mine:
            if sac["line_number"] is None and sac["line_id"] is None:
                amount = _amount(sac, total, units)
                if amount is None or total <= 0:
                    continue
                match = match_deal(sac, sac.get("reference") or heading_deal, None, heading_days, on_file,
                                   amount / total, _heading_rate(sac, amount, units, [r for _i, r, _v in members],
                                                                 settings_of(partner), index))
                _agreed(agreed_sacs, (partner, po), sac, match)
                for i, _row, value in members:
                    if value is not None and value > 0:
                        _take(off, named, i, amount * value / total, sac, True, match)
                continue
            for i, row, value in members:
                if not _same_line(sac, row) or value is None or value <= 0:
                    continue
                amount = _amount(sac, value, row["quantity"])
                if amount is not None:
                    number = sac.get("reference") or _line_deal(row) or heading_deal
                    days = {"po_date": po_day, **{k: v[1][i] for k, v in (other_dates or {}).items()}}
                    match = match_deal(sac, number, row.get("sku"), days, on_file, amount / value,
                                       _line_rate(sac, amount, row, settings_of(partner), index))
                    _take(off, named, i, amount, sac, False, match)
                    _agreed(agreed_sacs, (partner, po), sac, match)
        for i, _row, value in members:
            if (off.get((i, False)) or off.get((i, True))) and value:
                out[i] = LineAllowance(off.get((i, False), Decimal(0)) / value, tuple(named.get((i, False), ())),
                                       off.get((i, True), Decimal(0)) / value, tuple(named.get((i, True), ())))
    return out, {k: sorted(v.values(), key=lambda a: (a.sac.get("segment_position") or 0))
                 for k, v in agreed_sacs.items() if v}


def _agreed(into: dict, po: tuple[str, str], sac: Mapping, match: DealMatch) -> None:
    """Keep ``sac`` (once: a heading SAC is judged on each line) with its deal when a deal pre-approved it."""
    if match.deal is not None:
        key = (sac.get("line_number"), sac.get("line_id"), sac.get("segment_position"), sac["kind"], sac["code"],
               sac.get("agency_code"))
        into.setdefault(po, {}).setdefault(key, AgreedAllowance(sac, match.deal["deal"]))


def _take(off: dict, named: dict, i: int, amount: Decimal, sac: Mapping, heading: bool, match: DealMatch) -> None:
    """Book ``amount`` of ``sac`` off line row ``i``: agreed by its deal, or to be judged (named with why not)."""
    key = (i, match.deal is not None)
    off[key] = off.get(key, Decimal(0)) + amount
    named.setdefault(key, []).append(_named(sac, heading, _deal_words(match.deal) if match.deal else match.why))


def _same_line(sac: Mapping, row: Mapping) -> bool:
    """A line SAC belongs to the line of its PO1 loop: an 850's by line number (two PO1s may send one PO101), an
    860's (changed_allowances: no line number) by its POC01, the line's PO101."""
    if sac["line_number"] is not None:
        return sac["line_number"] == row["line_number"]
    return sac.get("line_id") is not None and sac["line_id"] == row.get("line_id")


def _line_deal(row: Mapping) -> str | None:
    """The line's own REF*PD (promotion/deal number), if it sent one."""
    for ref in row.get("line_refs") or ():
        if ref.get("qualifier") == "PD" and ref.get("id"):
            return ref["id"]
    return None


def _per_unit(sac: Mapping, amount: Decimal, units: Decimal | None) -> Decimal | None:
    """What the SAC takes off per unit: its SAC08 rate when it is what it was priced by, else its amount over the
    units it is for (SAC10, else those ordered)."""
    if sac["rate"] is not None and sac["amount"] in (None, 0) and sac["percent"] is None:
        return sac["rate"]
    count = sac.get("quantity") or units
    return amount / count if count else None


def _counted_in(sac: Mapping, unit: str | None) -> str | None:
    """The unit _per_unit's figure is per: the SAC's SAC09 when its rate or its SAC10 is what it counts by, else
    ``unit`` (the line's, as ordered)."""
    rated = sac["rate"] is not None and sac["amount"] in (None, 0) and sac["percent"] is None
    return sac.get("unit") if sac.get("unit") and (rated or sac.get("quantity")) else unit


def _eaches(unit: str | None, row: Mapping, settings, index) -> Decimal | None:
    from rules.business.quantities import eaches_per_unit

    n = eaches_per_unit(unit, row.get("sku"), row.get("case_pack"), index or {}, settings) if settings else None
    return Decimal(n) if n else None


def _line_rate(sac: Mapping, amount: Decimal, row: Mapping, settings, index):
    """What a line SAC takes off per unit, in the unit a deal's rate is per (None: the unit it was counted in, as
    _per_unit; else converted by the item's eaches in each unit: a rate per EA against a line in CA of 12 is the
    case's amount over 12); None: not counted in that unit (the item is not sold in it)."""
    base = _per_unit(sac, amount, row["quantity"])
    counted = _counted_in(sac, row.get("unit"))

    def in_unit(unit: str | None) -> Decimal | None:
        if base is None or not unit or unit == counted:
            return base
        have, want = _eaches(counted, row, settings, index), _eaches(unit, row, settings, index)
        return None if have is None or want is None else base * want / have
    return in_unit


def _heading_rate(sac: Mapping, amount: Decimal, units: Decimal, rows: Sequence[Mapping], settings, index):
    """What a heading SAC takes off per unit of the PO, in the unit a deal's rate is per: the PO's lines counted in
    that unit (each by its item's eaches); None: a line not countable in it. A SAC counted by its own unit (SAC09
    with its rate or its SAC10: 0.50 per CA while the lines are in EA) is converted through the items' packs as a
    line's is: one SAC09 holds the same eaches of every item on the PO (a CA of 12 is 12 EA), so 0.50 per CA is
    0.0417 per EA; when the items differ (a CA of 12 and one of 24), or one cannot be counted in either unit, no one
    figure is right: the words why (a str), which the deal's finding gives."""
    base = _per_unit(sac, amount, units)
    counted = _counted_in(sac, None)

    def in_unit(unit: str | None) -> Decimal | str | None:
        if base is None or not unit or unit == counted:
            return base
        if counted:  # SAC10 in its SAC09: converted by the packs of the PO's items, when they all agree
            return _own_unit_rate(base, counted, unit, rows, settings, index)
        total = Decimal(0)
        for r in rows:
            if r["quantity"] is None:
                continue
            have, want = _eaches(r.get("unit"), r, settings, index), _eaches(unit, r, settings, index)
            if have is None or want is None:
                return None
            total += r["quantity"] * have / want
        return amount / total if total else None
    return in_unit


def _own_unit_rate(base: Decimal, counted: str, unit: str, rows: Sequence[Mapping], settings, index
                   ) -> Decimal | str:
    """``base`` per ``counted`` (a heading SAC's SAC09) per ``unit`` (a deal's): by the eaches one of each holds of
    the PO's items (rows: its lines), the same for every item; else the words why not."""
    ratios: dict[Decimal, list[str]] = {}
    for r in rows:
        have, want = _eaches(counted, r, settings, index), _eaches(unit, r, settings, index)
        item = r.get("sku") or f"line {r.get('line_id') or r.get('line_number')}"
        if have is None or want is None:
            return (f"the allowance is counted in {counted} (SAC09) and item {item} cannot be counted in "
                    f"{counted if have is None else unit}")
        ratios.setdefault(have / want, []).append(item)
    if len(ratios) != 1:
        said = ", ".join(f"{_number(k)} {unit} per {counted} of {', '.join(dict.fromkeys(v))}"
                         for k, v in sorted(ratios.items()))
        return f"the allowance is counted in {counted} (SAC09) and the PO's items hold different numbers of " \
               f"{unit} per {counted} ({said})" if ratios else f"the PO has no line to count {counted} in {unit} by"
    [ratio] = ratios
    return base / ratio


def _deals_by_partner(deals: pa.Table | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if deals is None or not deals.num_rows:
        return out
    for r in deals.to_pylist():
        out.setdefault(r["partner"], []).append(r)
    return out


def _deal_words(deal: Mapping) -> str:
    limits = [f"{_number(deal['percent'])} %" if deal["percent"] is not None else "",
              f"{_number(deal['rate'])} per {deal.get('unit') or 'unit'}" if deal["rate"] is not None else ""]
    return f"agreed deal {deal['deal']}: up to {' and '.join(x for x in limits if x)}, {_dates(deal)}"


def _dates(deal: Mapping) -> str:
    return f"{deal['valid_from']} to {deal['valid_to']}" if deal["valid_to"] else f"from {deal['valid_from']}"


def match_deal(sac: Mapping, number: str | None, sku: str | None, when: date | Mapping[str, date | None] | None,
               deals: Sequence[Mapping], share: Decimal, per_unit) -> DealMatch:
    """The deal of ``deals`` (the customer's deals.csv rows) that pre-approves one carried allowance: its deal number
    (``number``: the SAC's SAC13, else its line's REF*PD, else the PO's), its allowance code (SAC02, or SAC04) unless
    the deal takes any, the item of its line (``sku``; None: a heading SAC, matched by a deal for any item), the PO's
    date within the deal's (``when``: the PO date, or each date a deal may be matched on, deals.csv match_on:
    "po_date", "ship_date", "delivery_date"; a deal's empty match_on is the PO date), and what it takes off within
    the deal's most: ``share`` of the value it applies to (as a percent) and ``per_unit`` (a figure, or a function of
    the deal's unit giving it in that unit: None for the unit it was counted in; a str: why it cannot be counted in
    that unit; its None: not countable in that unit). No deal on file for the customer: no match
    and nothing to say (judged by the threshold as ever); else no match says why (the first thing that kept the
    nearest deal from it)."""
    if not deals:
        return DealMatch(None)
    if not number:
        return DealMatch(None, "no deal number (SAC13 or REF*PD) to match deals.csv")
    rows = [d for d in deals if d["deal"] == number.strip()]
    if not rows:
        return DealMatch(None, f"deal {number} is not in deals.csv")
    codes = {c for c in (sac.get("code"), sac.get("agency_code")) if c}
    fitting = [d for d in rows if d["allowance_code"] is None or d["allowance_code"].upper() in codes]
    if not fitting:
        agreed = ", ".join(sorted({d["allowance_code"] for d in rows}))
        return DealMatch(None, f"deal {number} is for allowance {agreed}, not {'/'.join(sorted(codes)) or 'none'}")
    rows = fitting
    fitting = [d for d in rows if d["sku"] is None or d["sku"] == sku]
    if not fitting:
        items = ", ".join(sorted({d["sku"] for d in rows}))
        return DealMatch(None, f"deal {number} is for item {items}, "
                               f"{'not ' + sku if sku else 'the allowance is on the whole PO'}")
    rows = fitting
    days = when if isinstance(when, Mapping) else {"po_date": when}

    def day(d: Mapping) -> date | None:
        return days.get(d.get("match_on") or "po_date")
    dated = [d for d in rows if day(d) is not None]
    if not dated:
        return DealMatch(None, f"deal {number}: the PO has no {_MATCH_WORDS[rows[0].get('match_on') or 'po_date'][0]} "
                               "to match its dates")
    fitting = [d for d in dated if d["valid_from"] <= day(d) and (d["valid_to"] is None or day(d) <= d["valid_to"])]
    if not fitting:
        kind = dated[0].get("match_on") or "po_date"
        by = "" if kind == "po_date" else f" by {kind.replace('_', ' ')}"
        return DealMatch(None, f"deal {number} runs {'; '.join(_dates(d) for d in dated)}{by}, "
                               f"{_MATCH_WORDS[kind][1]} {day(dated[0])}")
    why = ""
    for d in fitting:
        percent = share * _HUNDRED
        if d["percent"] is not None and percent > d["percent"]:
            why = why or f"{_number(round(percent, 2))} % is over deal {number}'s {_number(d['percent'])} %"
            continue
        unit = d.get("unit")
        figure = per_unit(unit) if callable(per_unit) else per_unit
        if d["rate"] is not None and unit and isinstance(figure, str):  # not countable in it, and why
            why = why or f"deal {number}'s rate is per {unit}: {figure}"
            continue
        if d["rate"] is not None and unit and figure is None:
            why = why or f"deal {number}'s rate is per {unit}, in which the allowance's units cannot be counted"
            continue
        if d["rate"] is not None and (figure is None or figure > d["rate"]):
            per = f"per {unit}" if unit else "per unit"
            shown = f"no rate {per}" if figure is None else f"{_number(round(figure, 4))} {per}"
            why = why or f"{shown} is over deal {number}'s {_number(d['rate'])} {per}"
            continue
        return DealMatch(d)
    return DealMatch(None, why)


# per deals.csv match_on: the PO's date named, as missing, and as compared ("the PO is of 2026-11-24")
_MATCH_WORDS = {"po_date": ("date (BEG05)", "the PO is of"),
                "ship_date": ("requested ship date (DTM 010)", "the PO is to ship"),
                "delivery_date": ("requested delivery date (DTM 002)", "the PO is to be delivered")}


RESTATE = "05"  # BCH01 replace: an 860 sending heading SACs restates them all
LINE_RESTATED = frozenset({"RZ"})  # POC02 replace all values: its loop's SACs are the line's, all of them
LINE_DELETED = frozenset({"DI", "CF"})  # the line's SACs go with it


def changed_allowances(sacs: pa.Table, changes: Sequence[pa.Table], order: tuple[str, str, str]) -> pa.Table:
    """One order's ORDER_SACS (its 850's: ``sacs``) after the SACs of the 860s applied to it (``changes``: each one's
    CHANGE_SACS rows of this order, oldest first), as engine.finance_inputs.with_changes applies them to what the
    reconciliation holds our 810s to: what an 860 sends replaces, what it leaves out stays. A SAC replaces the
    order's of its kind and SAC02 at its level (the heading, or the line its POC01 names: PO101); SAC01 N takes that
    SAC02 off; a BCH01 05 sending heading SACs restates them all; a POC02 RZ restates its line's, a DI (CF) takes
    them off. A line SAC of an 860 keeps its POC01 as line_id, its line number null (the POC loop's, not the
    order's): rules find its line by PO101 (line_allowances). Every row is the order's (``order``: partner,
    order_ref and PO of its record)."""
    if not changes or not any(t.num_rows for t in changes):
        return sacs
    items = sacs.to_pylist()
    ident = dict(zip(("partner", "order_ref", "po_number"), order, strict=True))
    for change in changes:
        sent = change.to_pylist()
        if not sent:
            continue
        # (a POC loop's SAC on no known line, an 876's G68 loop's before it is applied: no heading's, no line's)
        heading = [r for r in sent if r["line_number"] is None and r["line_id"] is None
                   and r.get("change_type") is None]
        if heading and sent[0].get("purpose") == RESTATE:
            items = [c for c in items if c["line_id"] is not None or c["line_number"] is not None]
        items = _replaced_sacs(items, heading, None)
        lines: dict[str, list[dict]] = {}
        for r in sent:
            if r["line_id"] is not None:
                lines.setdefault(r["line_id"], []).append({**r, "line_number": None})
        for line, line_sacs in lines.items():
            if line_sacs[0].get("change_type") in LINE_RESTATED | LINE_DELETED:
                items = [c for c in items if c["line_id"] != line]
            if line_sacs[0].get("change_type") not in LINE_DELETED:
                items = _replaced_sacs(items, line_sacs, line)
    names = ORDER_SACS.names
    rows = [{**{c: r.get(c) for c in names}, **ident} for r in items]
    return pa.Table.from_pylist(rows, schema=ORDER_SACS)


def _replaced_sacs(items: list[dict], sent: list[dict], line: str | None) -> list[dict]:
    """``items`` with ``sent`` (SACs of one level: the heading, ``line`` None, or a line's PO101) in place of those
    of the same kind and SAC02 there (SAC04 when it sent no SAC02); an N takes its code off, whatever kind."""
    if not sent:
        return items

    def code(r: Mapping) -> str | None:
        return r["code"] or r.get("agency_code")

    def level(r: Mapping) -> str | None:
        return r["line_id"] if r["line_id"] is not None or r["line_number"] is None else f"#{r['line_number']}"

    same = {(r["kind"], code(r)) for r in sent if r["kind"] != "N"}
    off = {code(r) for r in sent if r["kind"] == "N" and code(r)}
    left = [c for c in items if level(c) != line or ((c["kind"], code(c)) not in same and code(c) not in off)]
    return left + [r for r in sent if r["kind"] != "N"]


def _amount(sac: Mapping, value: Decimal, units: Decimal | None) -> Decimal | None:
    """A SAC's amount on what it applies to (``value``: its line's, or its PO's for a heading SAC; ``units``: the
    units ordered of it): SAC05 (taking precedence; a 0 beside a percent or rate is filler), else the percent,
    else the rate x SAC10 (else x ``units``); None: none told."""
    if sac["amount"] is not None and (sac["amount"] != 0 or (sac["percent"] is None and sac["rate"] is None)):
        return sac["amount"]
    if sac["percent"] is not None:
        return value * sac["percent"] / _HUNDRED
    if sac["rate"] is not None:
        count = sac.get("quantity") or units
        return None if count is None else sac["rate"] * count
    return None


__all__ = ["AgreedAllowance", "DealMatch", "LineAllowance", "agreed_allowances", "changed_allowances",
           "judged_allowances", "line_allowances", "match_deal"]
