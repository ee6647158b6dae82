"""What many 810s hold around their IT1 lines, per column: each invoice's head (BIG .. DTM) and tail
(TDS, CAD, SAC, ISS, CTT) for a batch of one partner's invoices written with one delimiter set, as
engine.invoice.head_810 / tail_810 rendered by engine.envelope.render_body give them, byte for byte
(those stay the specification: tests/lifecycle/test_billing_columns.py holds the two together).
BIG02 is left out (the invoice's number, taken later, goes between ``Heads.before`` and each text).
Which invoices hold a value with a delimiter is told, not decided. Pure: columns in, texts out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.asn import MARK_FOR_COLUMNS, MARK_FOR_NAME2, party_segments, refs_repeated
from engine.columnar import cents_decimals
from engine.envelope import render_body
from engine.invoice import by_kind_alone, cad_segment, contact_segments, itd_segment, money, remit_party, ymd
from parsers.x12_writer import (
    ADDRESS_MAX,
    CITY_MAX,
    NAME_MAX,
    DelimiterCollision,
    chars_used,
    segment_column,
    x12_decimal,
    x12_texts,
)
from schemas.fulfilment import Charge, InvoiceSettings
from schemas.invoices import Terms, same_kind_terms_types
from schemas.order_keys import x12_po_column
from schemas.orders import ORDER_REFS, carried_ref, echo_order, order_ref_elements
from schemas.x12 import Delimiters

_PARTY_FIELDS = ("name", "id", "id_qualifier", "address1", "address2", "city", "state", "postal_code", "country")


@dataclass(frozen=True, slots=True)
class Heads:
    """Per invoice of a batch: the head's text after BIG02 (from the element separator that follows it),
    its segment count, whether a value holds a delimiter (``refused``: build that one otherwise) and
    its currency;
    ``before``: the text before BIG02, the same for every invoice of the batch."""

    before: str
    after: pa.Array
    segments: np.ndarray
    refused: np.ndarray
    currency: list[str]  # CUR02 ("" for none)


@dataclass(frozen=True, slots=True)
class Tails:
    """Per invoice of a batch: the text of TDS .. CTT, its segment count, the merchandise total, the
    charges less allowances and TDS01 (Decimals of two places, as engine.invoice.charged gives them)."""

    texts: pa.Array
    segments: np.ndarray
    merchandise: list[Decimal]
    charges: list[Decimal]
    totals: list[Decimal]


class _NotText(Exception):
    """An ORDERS column that is not text (nor a date where one is read): not written per column."""


def _chars(d: Delimiters) -> str:
    return "".join(dict.fromkeys(ch for ch in (d.element, d.component, d.segment, d.repetition) if ch))


def _when(wanted: bool, values: pa.Array) -> pa.Array:
    """Per row, whether its segment of ``values`` is written: the value is there, and the profile writes it."""
    return pc.not_equal(values, "") if wanted else pa.array([False] * len(values), pa.bool_())


def _text(orders: pa.Table, name: str) -> pa.Array:
    """An ORDERS text column as written (null or missing: "")."""
    if name not in orders.column_names:
        return pa.array([""] * orders.num_rows, pa.string())
    values = orders[name].combine_chunks()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type) or pa.types.is_null(values.type)):
        raise _NotText(name)
    return pc.fill_null(pc.cast(values, pa.string()), "")


def _days(values: Sequence[date | None] | pa.Array) -> pa.Array:
    """CCYYMMDD per value ("" for none), as engine.invoice writes dates: each distinct date once."""
    if isinstance(values, pa.Array):
        if pa.types.is_null(values.type):
            return pa.array([""] * len(values), pa.string())
        if not pa.types.is_date32(values.type):
            raise _NotText("a date")
        encoded = pc.dictionary_encode(values)
        return pc.fill_null(pc.take(_days(encoded.dictionary.to_pylist()), encoded.indices), "")
    made: dict[date | None, str] = {None: ""}
    for day in dict.fromkeys(values):
        if day not in made:
            made[day] = ymd(day) if day else ""  # type: ignore[arg-type]
    return pa.array(list(map(made.__getitem__, values)), pa.string())


def _segment(seg_id: str, elements: list, present, d: Delimiters) -> tuple[pa.Array, np.ndarray]:
    """One segment per row with its terminator where ``present`` (else ""), and 1/0 per row."""
    text = pc.binary_join_element_wise(segment_column(seg_id, elements, d), d.segment + d.suffix, "")
    present = pc.fill_null(present, False)
    return pc.if_else(present, text, ""), np.asarray(present.to_numpy(zero_copy_only=False), np.int64)


def _constant(segments: list[list], d: Delimiters) -> str | None:
    """Segments the same for every invoice of the batch, rendered once; None when a value holds a delimiter."""
    try:
        return render_body(segments, d)
    except DelimiterCollision:
        return None


def heads_810(orders: pa.Table, *, po_numbers: Sequence[str], shipment_ids: Sequence[str],
              bills_of_lading: Sequence[str], ship_dates: Sequence[date | None], invoice_date: date, pending: str,
              settings: InvoiceSettings, terms: Terms | None, d: Delimiters) -> Heads | None:
    """The heads of a batch of 810s: per invoice its canonical ORDERS row (``orders``, aligned: a row of
    nulls for an order without one), its PO (BIG04), the shipment it bills (REF SI, "" for none), the bills of lading
    (REF BM) and the last ship date (DTM 011); the run's ``invoice_date`` (BIG01), BIG02 ``pending`` (a
    stand-in: the text after it is the head's), the partner's settings (BIG07, vendor number, remit-to) and terms (ITD).
    None when a value every invoice shares holds a delimiter, an ORDERS column is not what an 810
    writes, or there are no agreed terms and a PO sent its own ITD, or a PO of the agreed type dates its terms
    otherwise (ITD02: engine.invoice.invoice_terms), or agreed terms of no net days meet a PO's net due date
    (ITD06), or agreed terms of no days, date nor words meet a PO's words (ITD12) or any ITD of the PO's of their kind
    (installments: engine.invoice.invoice_terms) (each invoice is then built one by one)."""
    n = orders.num_rows
    e, end, chars = d.element, d.segment + d.suffix, _chars(d)
    if any(c in orders.column_names and pc.any(pc.is_valid(orders[c])).as_py() for c in (
            "ship_to_name2", "bill_to_name2")):
        return None  # a party with an N2 (engine.invoice._party writes it after the N1): one by one
    if any(f in orders.column_names and pa.types.is_string(orders.schema.field(f).type)
           and pc.any(pc.greater(pc.utf8_length(orders[f]), ADDRESS_MAX)).as_py()
           for f in ("ship_to_address1", "ship_to_address2", "bill_to_address1", "bill_to_address2")):
        return None  # a street that takes two N3s (engine.asn.n3_elements: party_segments writes them): one by one
    if any(f in orders.column_names and pa.types.is_string(orders.schema.field(f).type)
           and pc.any(pc.and_(pc.greater(pc.utf8_length(orders[f]), 0), pc.not_equal(pc.utf8_length(orders[f]), 2))
                      ).as_py() for f in ("ship_to_state", "bill_to_state")):
        return None  # a state N402 cannot hold (N405 SP / N406: engine.asn.party_segments writes it): one by one
    if settings.fob and "fob_sent" in orders.column_names and pc.any(pc.is_valid(orders["fob_sent"])).as_py():
        return None  # the PO's FOB after DTM 011 ([fulfilment.invoice] fob: engine.invoice.head_810): one by one
    if settings.ship_from is not None:
        return None  # our N1*SF after the PO's parties ([fulfilment.invoice] ship_from: engine.invoice.head_810)
    if settings.mark_for and any(c in orders.column_names and pc.any(pc.is_valid(orders[c])).as_py()
                                 for c in MARK_FOR_NAME2):
        return None  # a mark-for whose name holds its N2 (its N102 without it: engine.asn.mark_for_of): one by one
    if settings.bill_to is not None:
        return None  # the profile's N1*BT for a PO naming none ([fulfilment.invoice] bill_to: engine.invoice.head_810)
    try:
        po_date = _days(orders["po_date"].combine_chunks() if "po_date" in orders.column_names
                        else pa.nulls(n))
        release, currency = (_text(orders, c) for c in ("release_number", "currency"))
        if settings.currency_code:  # a PO without CUR billed in the partner's currency ([fulfilment.invoice] currency)
            currency = pc.if_else(pc.equal(currency, ""), settings.currency_code, currency)
        parties = {p: [_text(orders, f"{p}_{f}") for f in _PARTY_FIELDS] for p in ("bill_to", "ship_to")}
        marks = [_text(orders, c) for c in MARK_FOR_COLUMNS] if settings.mark_for else []
        # the PO's references in the order the profile lists them (schemas.orders.echo_order: a list of the named
        # ones alone in ORDER_REFS' order); one of another qualifier (REF*11 ...) is read from refs_sent
        refs = [(q, _text(orders, ORDER_REFS[q])) for q in echo_order(settings.order_refs) if q in ORDER_REFS]
        if any(q not in ORDER_REFS for q in settings.order_refs) and any(
                c in orders.column_names and orders[c].null_count < n for c in ("refs_sent", "ref_descriptions")):
            return None  # a reference no ORDERS column holds (refs_sent: REF*11, REF*12 ...): one by one
        if refs and "refs_sent" in orders.column_names and orders["refs_sent"].null_count < n \
                and refs_repeated(orders["refs_sent"], settings.order_refs):
            return None  # two REFs of a qualifier it writes (REF*DP twice), each written: one by one
        if settings.party_refs and "party_refs_sent" in orders.column_names \
                and orders["party_refs_sent"].null_count < n:
            return None  # the REFs of the PO's N1 loops ([fulfilment.invoice] party_refs): one by one
        if refs and "ref_descriptions" in orders.column_names and orders["ref_descriptions"].null_count < n:
            described = orders.filter(pc.is_valid(orders["ref_descriptions"])).select(
                [c for c in (*ORDER_REFS.values(), "ref_descriptions") if c in orders.column_names]).to_pylist()
            if any(len(carried_ref(e, settings.order_ref_descriptions)) > 2 for row in described
                   for e in order_ref_elements(row) if e[0] in settings.order_refs):
                return None  # a reference written with its REF03 (schemas.orders.carried_ref): one by one
        if terms is None and pc.any(pc.not_equal(_text(orders, "terms_type"), "")).as_py():
            return None  # no agreement: each invoice's ITD is its PO's (engine.invoice.terms_from_order)
        if terms is not None and pc.any(pc.and_(
                pc.is_in(_text(orders, "terms_type"), value_set=pa.array(sorted(same_kind_terms_types(terms.type)))),
                pc.and_(pc.not_equal(_text(orders, "terms_basis_date"), ""),
                        pc.not_equal(_text(orders, "terms_basis_date"), terms.basis_date)))).as_py():
            return None  # the agreed terms dated as a PO's own ITD02 (engine.invoice.invoice_terms): one by one
        kinds = pa.array(sorted(same_kind_terms_types(terms.type))) if terms is not None else None
        if terms is not None and terms.net_days is None and terms.net_due_date is None \
                and "terms_net_due_date" in orders.column_names and pc.any(pc.and_(
                    pc.is_in(_text(orders, "terms_type"), value_set=kinds),
                    pc.is_valid(orders["terms_net_due_date"]))).as_py():
            return None  # agreed terms of no days dated by a PO's ITD06 (engine.invoice.invoice_terms): one by one
        if terms is not None and terms.net_days is None and terms.net_due_date is None and not terms.description \
                and pc.any(pc.and_(pc.is_in(_text(orders, "terms_type"), value_set=kinds),
                                   pc.not_equal(pc.utf8_trim_whitespace(_text(orders, "terms_description")), ""))
                           ).as_py():
            return None  # agreed terms by kind alone told in a PO's words (ITD12: engine.invoice.invoice_terms)
        if terms is not None and by_kind_alone(terms) and "itd_sent" in orders.column_names and pc.any(pc.and_(
                pc.is_in(_text(orders, "terms_type"), value_set=kinds), pc.is_valid(orders["itd_sent"]))).as_py():
            return None  # agreed terms by kind alone meeting a PO's own ITD, maybe installments: one by one
    except _NotText:
        return None
    day = ymd(invoice_date)
    vendors = [["REF", settings.vendor_number_qualifier, settings.vendor_number]] if settings.vendor_number else []
    # PER (after the PO's REFs) and the remit-to's N1 loop: the same for every invoice of the batch
    remits = contact_segments(settings) + (party_segments(remit_party(settings.remit_to)) if settings.remit_to else [])
    itds = [itd_segment(terms)] if terms is not None and settings.itd else []
    vendor, remit, itd = _constant(vendors, d), _constant(remits, d), _constant(itds, d)
    before = f"BIG{e}{day}{e}"
    if vendor is None or remit is None or itd is None or set(day + pending + settings.transaction_type) & set(chars):
        return None
    po = x12_po_column(pa.array(po_numbers, pa.string()))
    shipment = pa.array(shipment_ids, pa.string())
    bol = pa.array(bills_of_lading, pa.string())
    shipped = _days(list(ship_dates))
    checked: list[pa.Array] = [po_date, po, release, shipment, bol, shipped]
    # BIG03.. (after BIG02: the element separator that follows it, then the values, trailing empties dropped)
    big = segment_column("", [po_date, po, release, "", settings.transaction_type], d)
    refused = np.asarray(pc.equal(big, "").to_numpy(zero_copy_only=False), bool)  # nothing after BIG02
    parts = [pc.binary_join_element_wise(big, end, "")]
    count = np.ones(n, np.int64)
    for seg_id, elements, present in (("CUR", ["SE", currency], pc.not_equal(currency, "")),
                                      ("REF", ["SI", shipment], _when("SI" in settings.shipment_refs, shipment)),
                                      ("REF", ["BM", bol], _when("BM" in settings.shipment_refs, bol))):
        text, has = _segment(seg_id, elements, present, d)
        if elements[0] == "BM":  # an order's bills of lading ("," apart: billing.bills_of_lading) a REF*BM each
            text = pc.replace_substring(text, ",", d.segment + d.suffix + "REF" + d.element + "BM" + d.element)
            has = has * (1 + np.asarray(pc.count_substring(bol, ",").to_numpy(zero_copy_only=False), np.int64))
        parts.append(text)
        count += has
        if seg_id == "CUR":
            checked.append(pc.if_else(present, currency, ""))
    parts.append(pa.array([vendor] * n, pa.string()))
    for q, value in refs:  # the PO's references as it sent them (engine.asn.order_refs), after REF IA
        present = pc.not_equal(value, "")
        text, has = _segment("REF", [q, value], present, d)
        parts.append(text)
        count += has
        checked.append(value)
    parts.append(pa.array([remit] * n, pa.string()))
    count += len(vendors) + len(remits)
    for prefix, code in (("bill_to", "BT"), ("ship_to", "ST"))[:2 if settings.ship_to else 1]:
        name, pid, qualifier, address1, address2, city, state, postal, country = parties[prefix]
        exists = pc.or_(pc.not_equal(name, ""), pc.not_equal(pid, ""))
        # a name, street or city longer than its element cut to fit, as party_segments cuts them
        name, city = x12_texts(name, NAME_MAX), x12_texts(city, CITY_MAX)
        address1, address2 = x12_texts(address1, ADDRESS_MAX), x12_texts(address2, ADDRESS_MAX)
        identified = pc.and_(pc.not_equal(pid, ""), pc.not_equal(qualifier, ""))
        qualifier, pid = (pc.if_else(identified, v, "") for v in (qualifier, pid))
        first = pc.not_equal(address1, "")
        street = pc.and_(exists, pc.or_(first, pc.not_equal(address2, "")))
        place = pc.and_(exists, pc.or_(pc.or_(pc.not_equal(city, ""), pc.not_equal(state, "")),
                                       pc.or_(pc.not_equal(postal, ""), pc.not_equal(country, ""))))
        for seg_id, elements, present in (
                ("N1", [code, name, qualifier, pid], exists),
                ("N3", [pc.if_else(first, address1, address2), pc.if_else(first, address2, "")], street),
                ("N4", [city, state, postal, country], place))[:3 if settings.party_addresses else 1]:
            text, has = _segment(seg_id, elements, present, d)
            parts.append(text)
            count += has
            checked += [pc.if_else(present, v, "") for v in elements if not isinstance(v, str)]
    if marks:  # the mark-for (engine.asn.mark_for_party): the N1 Z7 with a location code, else the N1 BY with one
        z7_name, z7_qualifier, z7_id, by_name, by_qualifier, by_id = marks
        z7 = pc.and_(pc.not_equal(z7_qualifier, ""), pc.not_equal(z7_id, ""))
        by = pc.and_(pc.not_equal(by_qualifier, ""), pc.not_equal(by_id, ""))
        elements = [pc.if_else(z7, "Z7", "BY"), x12_texts(pc.if_else(z7, z7_name, by_name), NAME_MAX),
                    pc.if_else(z7, z7_qualifier, by_qualifier), pc.if_else(z7, z7_id, by_id)]
        present = pc.or_(z7, by)
        text, has = _segment("N1", elements, present, d)
        parts.append(text)
        count += has
        checked += [pc.if_else(present, v, "") for v in elements[1:]]
    parts.append(pa.array([itd] * n, pa.string()))
    count += len(itds)
    if settings.ship_date:
        text, has = _segment("DTM", ["011", shipped], pc.not_equal(shipped, ""), d)
        parts.append(text)
        count += has
    for values in checked:
        for rows in chars_used(values, chars).values():
            refused[rows] = True
    return Heads(before, pc.binary_join_element_wise(*parts, ""), count, refused, currency.to_pylist())


def _scaled_texts(units: np.ndarray) -> pa.Array:
    """int64 in 10^-4 units as R element texts (x12_decimal), each distinct value written once."""
    distinct, inverse = np.unique(units, return_inverse=True)
    made = [x12_decimal(Decimal(int(v)).scaleb(-4)) for v in distinct.tolist()]
    return pa.array(made, pa.string()).take(pa.array(inverse.reshape(-1), pa.int64()))


def tails_810(*, merchandise: np.ndarray, counts: np.ndarray, line_invoice: np.ndarray, quantities: np.ndarray,
              units: pa.Array, settings: InvoiceSettings, d: Delimiters,
              charges: tuple[Charge, ...] | None = None, carriers: Sequence[tuple[str, ...]] = ()) -> Tails | None:
    """The tails of a batch of 810s: per invoice its merchandise total in cents and its number of IT1
    lines (``counts``); per line (grouped by invoice, in line order) its invoice's index, its units
    (int64 in 10^-4) and unit (IT103: ISS sums the units per unit). ``charges``: the SACs every invoice of the
    batch carries (engine.invoice.invoice_charges; None: the profile's all). ``carriers``: per invoice, the
    (carrier, bill of lading) of the CAD the settings ask for (settings.carrier; () none: no CAD). None when a
    charge's or a CAD's text holds a delimiter."""
    n = len(counts)
    e, end, chars = d.element, d.segment + d.suffix, _chars(d)
    merchandise = np.asarray(merchandise, np.int64)
    merchandise_decimals = cents_decimals(merchandise)
    total = merchandise.copy()
    parts: list[pa.Array] = []
    count = np.ones(n, np.int64) * 2  # TDS, CTT
    sacs: list[tuple[str, np.ndarray, str]] = []
    for charge in settings.charges if charges is None else charges:
        sac = ["SAC", charge.kind, charge.code, "", "", "0"]
        if charge.percent is not None:
            sac += ["1", x12_decimal(charge.percent)]
        if charge.description:
            sac += [""] * (15 - len(sac)) + [charge.description]
        rest = sac[6:]
        while rest and rest[-1] == "":
            rest.pop()
        if set("".join(sac[1:3] + rest)) & set(chars):
            return None
        if charge.amount is not None:
            amounts = np.full(n, int(money(charge.amount).scaleb(2)), np.int64)
        else:
            made: dict[Decimal, int] = {}
            for m in merchandise_decimals:
                if m not in made:
                    made[m] = int(money(m * charge.percent / 100).scaleb(2))  # type: ignore[operator]
            amounts = np.array([made[m] for m in merchandise_decimals], np.int64)
        total += amounts if charge.kind == "C" else -amounts
        after = (e + e.join(rest) if rest else "") + end  # the amount (SAC05) is never empty: nothing before it trimmed
        sacs.append((f"SAC{e}{charge.kind}{e}{charge.code}{e}{e}{e}", amounts, after))
    parts.append(pc.binary_join_element_wise(f"TDS{e}", pc.cast(pa.array(total), pa.string()), end, ""))
    if settings.carrier and carriers:  # CAD after TDS (tail_810), as render_body writes it
        cads = [cad_segment(*c) if c else None for c in carriers]
        try:
            made = {tuple(c): render_body([c], d) for c in cads if c is not None}
        except DelimiterCollision:
            return None
        parts.append(pa.array(["" if c is None else made[tuple(c)] for c in cads], pa.string()))
        count += np.array([c is not None for c in cads], np.int64)
    for head, amounts, tail in sacs:
        parts.append(pc.binary_join_element_wise(head, pc.cast(pa.array(amounts), pa.string()), tail, ""))
        count += 1
    if settings.iss:  # per invoice, the units per unit of measure, in the order the units first appear
        codes = np.asarray(pc.dictionary_encode(units).indices.to_numpy(zero_copy_only=False), np.int64)
        key = np.asarray(line_invoice, np.int64) * (int(codes.max(initial=0)) + 1) + codes
        keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        sums = np.zeros(len(keys), np.int64)
        np.add.at(sums, inverse.reshape(-1), np.asarray(quantities, np.int64))
        order = np.argsort(first, kind="stable")
        owner = np.asarray(line_invoice, np.int64)[first[order]]
        iss = pc.binary_join_element_wise(segment_column("ISS", [_scaled_texts(sums[order]),
                                                                 pc.take(units, pa.array(first[order]))], d), end, "")
        per = np.bincount(owner, minlength=n)
        offsets = np.zeros(n + 1, np.int32)
        np.cumsum(per, out=offsets[1:])
        parts.append(pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), iss), ""))
        count += per
    ctt = pc.cast(pa.array(np.asarray(counts, np.int64)), pa.string())
    if settings.ctt_hash:
        hashed = np.zeros(n, np.int64)
        np.add.at(hashed, np.asarray(line_invoice, np.int64), np.asarray(quantities, np.int64))
        ctt = pc.binary_join_element_wise(ctt, _scaled_texts(hashed), e)
    parts.append(pc.binary_join_element_wise(f"CTT{e}", ctt, end, ""))
    charges = total - merchandise
    return Tails(pc.binary_join_element_wise(*parts, ""), count, merchandise_decimals, cents_decimals(charges),
                 cents_decimals(total))


__all__ = ["Heads", "Tails", "heads_810", "tails_810"]
