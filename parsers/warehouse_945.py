"""945 warehouse shipping advices from a 3PL -> SHIPMENT_LINES (schemas.shipments), the same table
the CSV confirmations give: one row per W12 (an item in a carton).

Reads the segments of the given 945 sets of a parsed file (parsers.x12_reader); no I/O. One 945 is
one shipment, or one order of it: a 3PL confirming each order of a load in a set of its own under the load's W0604
(rules.shipments.one_shipment_sets takes the sets of one file naming other POs as one shipment), the heading's W03
weights, volumes and pallet counts summed over its sets (_one_load):
  W06   W0601 X (exceptions only: the lines not listed shipped as ordered) is not read, an error;
        W0604 shipment id (else W0605 agent's), W0606 PO (else an N9 PO, else W0602 depositor order),
        W0603 date
  N9    BM bill of lading (MB, a master bill of lading, when no BM is given: the shipment's); CN / 2I tracking
        number; PO purchase order (when W06 has none); RE the PO's release;
        CO the customer order (a drop ship's consumer order, the PO's REF*CO: customer_order, which keys the
        order of a partner whose orders under one PO are told apart by it, [x12] order_key_ref); in an LX loop
        an N9 PO (CO) is its carton's, after a W12 that W12's (a shipment of several POs)
  G62   11 shipped on this date (G6204 time), whatever the order of the G62s; 10 (requested ship date)
        only when neither a G62 11 nor W0603 gives one (small 3PLs send their ship date so)
  W27   W2701 transport method, W2702 SCAC, W2703 routing (kept as the service level text)
  LX    one carton: MAN*GM its SSCC (with or without AI 00), MAN*CP or N9 2I its tracking number; a MAN
        may carry both (MAN01/02 and MAN04/05 mark the same carton: MAN*GM*sscc**CP*tracking). Its id is
        its first SSCC-shaped GM/UC/AA mark (a 3PL's own license plate, MAN*GM*LPN.., may come first),
        else its first GM/AA mark (UC, the U.P.C. case code on every case of an item, is no carton's own
        label unless an SSCC-18), else none: no SSCC-18, so one of our sequence is numbered for it (an
        18-digit mark with a wrong check digit is an error: the label on the carton is wrong). A MAN after
        a W12 of the LX starts the carton of the W12s that follow (two cartons written in one LX, each MAN
        before its W12). MAN*W (pallet number) and MAN*SS (shipper assigned skid number) name its pallet,
        as an N9 LV does; an LX of only such a mark, or of one SSCC with a PAL (pallet details), is a
        pallet shipped whole
  W12   W1203 units shipped, W1205 unit, W1206 UPC case code, W1207/W1208 product id (VN/SK/PI: our
        item; UP/UK/EN: a GTIN; BP/IN: the partner's part number), else W1216/W1217; W1210 weight
        with W1212 unit (code list 188: L pounds, K kilograms; O ounces, S short and T long tons as pounds, E metric
        tons as kilograms, converted: CARTON_WEIGHT_UNITS; a unit that is no weight a warning, the weight left
        out, SHIPMENT_WEIGHT_INVALID); an N9 LI after it names the order line (PO101), else
        one in its LX loop before it; an N9 LT after it its lot when W1209 is empty (lot_number), a G62 36
        (or DTM 036) in its loop the lot's expiry (expiration_date; one that is no date an error at its
        segment, SHIPMENT_945_EXPIRY_INVALID: its shipment is held, as a CSV's is). W1203 = 0 (a cut
        line) did not ship: no row, a warning (SHIPMENT_945_NOT_SHIPPED). W12s of one LX for the same
        line and item in different lots (W1209 or N9 LT) are a row per lot (some naming none: no lot on any,
        the line twice in the carton, as ever), as a CSV's rows are (the 856 of a
        partner with asn.lots lists each lot; the others' get them as one item: engine.lifecycle.shipping
        ._lots_kept). The W12 weight
        qualified RN (reweigh net), else N (actual net) (W1210 with W1211, else W1213 with W1214; W1212 /
        W1215 its unit: L pounds, K kilograms, O ounces, S short tons) is the line's net weight: a
        catch-weight line (cases priced per pound) is billed by it; an estimated net (E) or any other
        weight is never billed as net. The carton's weight is the W12's gross weight (G, RG, A, A2, A3,
        CE), else its other weight of the goods; never a tare, pallet, dunnage, per-unit or
        freight-rating weight (w12_weights)
  W03   W0301 total units: a warning when it differs from the W12s; W0302/W0303 the gross weight (OZ, GR as LB,
        KG) and
        W0304/W0305 the volume: the 856's TD1 (a warning when the weight is off the W12s')
  W27   (heading) also W2701 the transport method (TD504), W2705-W2707 the trailer (TD3)
  TD1   (005010 heading) TD101 the packages' packaging (X12 element 103: CYL, DRM ...): every carton's when the
        heading's TD1s name one kind (the 945 does not say which carton is which of several kinds: then the item
        master's, else the partner's); one of no code's shape a warning, left out (SHIPMENT_PACKAGING_INVALID)
  W10   W1004 (else W1005) the trailer's seal: the 856's TD309; W1002 the number of pallets shipped (W10
        mirrors G03: W1001 unit load option, W1003 pallet exchange, W1004/W1005 seals), else W0306 the
        lading quantity when W0307 is a pallet unit (355: PL, PF): the 856's TD1 PLT94 when no pallet id
        or label in the 945 counts them
  N1    ST: the address it shipped to (N104, its N4's N403), held against the order's ship-to
        (rules in engine.lifecycle.shipping); SF: a warning when it is not the warehouse's ship-from
  G62   G6205 the time's zone: converted to our clock's for the ASN window
  pallets: an SSCC repeated in the MANs of several LXs, each with a carton SSCC of its own, is their
        pallet's; an N9 LV (license plate) in an LX or W12 loop names the pallet (several under one
        W12: a row per pallet, N903 its units, when they add up to W1203; else an error); an N9 LV that
        is the LX's own SSCC is a pallet shipped whole: the row's carton and pallet both (rules.shipments
        .whole_pallets lists it once: an S-O-T-I partner's tare, else a carton). Of two SSCCs in an LX
        the one marking more LXs is the pallet's; two that the LXs do not tell apart (none elsewhere:
        cartons splitting its units, or a carton and its pallet) or three: an error
        (SHIPMENT_945_PALLET_UNCLEAR), never a label dropped
Missing shipment id, PO, ship date or W1203 are findings at the segment, and so is a 945 without a
W12 (SHIPMENT_945_NO_ITEMS); the row is kept only when it has a PO and a quantity (the checks in
rules.shipments do the rest).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

import pyarrow as pa

from parsers import x12_dates
from parsers.shipments_csv import WEIGHT_UNITS, to_table
from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.packaging import packaging_code, unlisted, why_not_packaging
from schemas.reference import sscc18, sscc_digits
from schemas.shipments import Party, serial_problem
from schemas.units import weight_in
from schemas.x12 import Group, Interchange, TransactionSet

OUR_ITEM = ("VN", "SK", "PI", "MG")
GTIN = ("UP", "UK", "EN", "UA")
SSCC_MARKS = ("GM", "UC", "AA")  # MAN01/MAN04 qualifiers of a container label (an SSCC when 18 digits)
# MAN01/MAN04 qualifiers (code list 88) of the pallet an LX's goods ship on: W pallet number, SS shipper assigned skid
# number. An LX with no carton mark of its own (GM/AA, an SSCC-18 under UC) is the pallet shipped whole
PALLET_MARKS = ("W", "SS")
# a W12 loop's date of its lot's expiry: G62 (the 945's W12 loop date segment) with G6201 36 (code list 432: expiration
# date), or DTM*036 as an 856 writes it (some 3PLs' translators)
LOT_EXPIRY = ("36", "036")
BUYER_ITEM = ("BP", "IN")  # the partner's (buyer's) part number, as its 850 and our cross-reference name it


def read_945(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], *,
             source_sha256: str = "", ship_from: Party | None = None) -> tuple[pa.Table, list[Finding]]:
    """(SHIPMENT_LINES, findings) for the given 945 sets of one parsed file. A set repeating an earlier
    one word for word (a 3PL resending a 945 it had no 997 for, in the same file) is read once: the
    repeat is a warning (SHIPMENT_945_REPEATED), not a second confirmation of its shipment."""
    rows: list[dict] = []
    findings: list[Finding] = []
    seen: dict[tuple, tuple[int, str, str]] = {}  # a set's segments but ST/SE -> the first's (k, ISA13, ST02)
    for k, (ic, g, ts) in enumerate(sets):
        body = tuple(tuple(seg) for seg in result.segments.rows(ts.start, ts.end) if seg[0] not in ("ST", "SE"))
        first = seen.setdefault(body, (k, ic.control_number, ts.control_number))
        if first[0] != k:
            w06 = next((seg for seg in body if seg[0] == "W06"), ())
            sid = (w06[4] if len(w06) > 4 else "") or (w06[5] if len(w06) > 5 else "")
            findings.append(finding(
                "SHIPMENT_945_REPEATED", f"The 945 of shipment {sid or '(no id)'} repeats the one of ISA13 {first[1]} "
                f"ST02 {first[2]} word for word: read once.", file=result.file, isa13=ic.control_number,
                gs06=g.control_number, st02=ts.control_number, seg="ST", segment_position=1, file_segment=ts.start,
                value=sid or None))
            continue
        r, f = _read_set(result, ic, g, ts, source_sha256, ship_from)
        rows.extend(r)
        findings.extend(f)
    _one_load(rows)
    return to_table(rows), findings


def _one_load(rows: list[dict]) -> None:
    """The heading totals of a shipment whose orders come in several 945 sets (a 3PL's set per order of one load,
    under the load's W0604: rules.shipments.one_shipment_sets) on each of its rows: the sets' W03 weights (and
    volumes) summed when every set gives one in one unit, else none (the 856 sums the cartons' weights); their pallet
    counts (W1002, W0306) summed when every set gives one, else none (the 856 counts the pallets labelled). A set's
    own W03 is a part of the load, not the whole of it."""
    sets: dict[str, dict[tuple, dict]] = defaultdict(dict)  # shipment id -> each of its sets' first row
    for r in rows:
        if r.get("shipment_id"):
            sets[r["shipment_id"]].setdefault((r.get("isa13"), r.get("gs06"), r.get("st02")), r)
    loads: dict[str, dict] = {}
    for sid, firsts in sets.items():
        if len(firsts) < 2:
            continue
        heads = list(firsts.values())
        merged: dict = {}
        for value, unit in (("shipment_weight", "shipment_weight_unit"), ("shipment_volume", "shipment_volume_unit")):
            given = [(h.get(value), h.get(unit)) for h in heads]
            whole = all(v is not None for v, _u in given) and len({u for _v, u in given}) == 1
            merged[value] = sum((v for v, _u in given), Decimal(0)) if whole else None
            merged[unit] = given[0][1] if whole else None
        pallets = [h.get("shipment_pallets") for h in heads]
        merged["shipment_pallets"] = sum(pallets) if all(n is not None for n in pallets) else None
        loads[sid] = merged
    for r in rows:
        if r.get("shipment_id") in loads:
            r.update(loads[r["shipment_id"]])


def pos_of_sets(result: ParseResult) -> dict[tuple[str, str, str], str]:
    """(ISA13, GS06, ST02) -> the PO each 945 set of the file names (W0606, else its N9 PO, else W0602
    the depositor order, as read_945 takes it; a consolidated 945 whose N9s name several POs and no
    W0606: none), a set in error or not read too: whose order a finding about that set concerns."""
    out: dict[tuple[str, str, str], str] = {}
    for ic, g, ts in result.transaction_sets():
        if ts.set_id != "945":
            continue
        segs = [tuple(seg) for seg in result.segments.rows(ts.start, ts.end)]
        w06 = next((seg for seg in segs if seg[0] == "W06"), ())
        n9 = {str(seg[2]).strip() for seg in segs if seg[0] == "N9" and len(seg) > 2 and seg[1] == "PO" and seg[2]}
        po = (w06[6] if len(w06) > 6 else "") or (next(iter(n9)) if len(n9) == 1 else "") or (
            (w06[2] if len(w06) > 2 else "") if not n9 else "")  # several POs' N9s (consolidated): none
        if po:
            out[(ic.control_number, g.control_number, ts.control_number)] = str(po).strip()
    return out


def _read_set(result: ParseResult, ic: Interchange, g: Group, ts: TransactionSet, sha: str,
              ship_from: Party | None = None):
    segs = result.segments.rows(ts.start, ts.end)
    where = dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number)
    findings: list[Finding] = []
    head: dict = {"shipment_id": None, "po_number": None, "ship_date": None, "ship_time": None,
                  "carrier_scac": None, "service_level": None, "tracking_number": None, "bill_of_lading": None,
                  "transport_method": None, "equipment_code": None, "equipment_initial": None,
                  "equipment_number": None, "ship_time_zone": None, "ship_to_id_qualifier": None, "ship_to_id": None,
                  "ship_to_postal_code": None, "mark_for_store": None, "mark_for_id_qualifier": None}
    party = ""  # the N1 loop being read (heading): ST's N4 gives its postal code
    w03_at: dict = {}
    rows: list[dict] = []
    carton: dict = {}
    carton_rows: list[dict] = []
    last: dict | None = None
    units = Decimal(0)
    w03: tuple[str, int] | None = None
    dates: dict[str, object] = {}  # "W06" / "11" / "10" -> the date each gives (the first G62 of a kind)
    w12s = 0
    kinds: list[str | None] = []  # each heading TD1's TD101 as read (None: no packaging code)
    lx_marks: list[list[tuple[str, int, dict]]] = []  # each LX's SSCC marks (MAN GM/UC/AA), in order
    cartons: list[dict] = []  # each LX's carton
    depositor_order = None
    reporting = ""  # W0601: X (exceptions only) lists only the lines that differ from the shipping order

    def close_carton() -> None:
        """The carton's weight (the sum of its W1210s, in one unit) on each of its rows."""
        weighed = [r for r in carton_rows if r["_weight"] is not None]
        weight_units = {r["_weight_unit"] for r in weighed}
        # a W12 whose weight's unit is unknown: the carton's weight is not known (never a part of it as the whole)
        total, unit = (sum((r["_weight"] for r in weighed), Decimal(0)), weight_units.pop()) \
            if weighed and len(weight_units) == 1 and not any(r["_weight_unknown"] for r in carton_rows) \
            else (None, None)
        for r in carton_rows:
            r["carton_weight"], r["weight_unit"] = total, unit
        carton_rows.clear()

    for pos, seg in enumerate(segs, start=1):
        sid = seg[0]
        el = lambda i, seg=seg: seg[i].strip() if len(seg) > i else ""  # noqa: E731
        at = dict(where, seg=sid, segment_position=pos, file_segment=ts.start + pos)
        if sid == "W06":
            head["shipment_id"] = el(4) or el(5) or None
            head["po_number"] = el(6) or None
            depositor_order = el(2) or None
            reporting = el(1)
            dates["W06"] = x12_dates.parse(el(3))
        elif sid == "N9" and not carton and last is None:
            _reference(head, el(1), el(2))
        elif sid == "G62" and el(1) in ("11", "10") and dates.get(el(1)) is None:
            dates[el(1)] = x12_dates.parse(el(2))
            if el(1) == "11" or head["ship_time"] is None:
                if _time(el(4)) is not None:
                    head["ship_time"], head["ship_time_zone"] = _time(el(4)), el(5).upper() or None
        elif sid == "W27" and last is None and not carton:  # the heading's (a W12 loop may have its own)
            head["carrier_scac"] = el(2).upper() or None
            head["service_level"] = el(3) or None
            head["transport_method"] = el(1).upper() or None
            head["equipment_code"] = el(5).upper() or None
            head["equipment_initial"] = el(6) or None
            head["equipment_number"] = el(7) or None
        elif sid == "N1" and not carton and last is None:
            party = el(1)
            if party == "ST":
                head["ship_to_id_qualifier"], head["ship_to_id"] = el(3) or None, el(4) or None
            elif party in ("Z7", "BY") and el(4) and (party == "Z7" or head["mark_for_store"] is None):
                # the mark-for store (a 945 per store of a pre-distributed order: N1*Z7, else N1*BY, with N104)
                head["mark_for_store"], head["mark_for_id_qualifier"] = el(4), el(3) or None
            elif party == "SF" and ship_from is not None and ship_from.id and el(4) and el(3) == \
                    ship_from.id_qualifier and el(4) != ship_from.id:
                findings.append(finding("SHIPMENT_SHIP_FROM_MISMATCH", f"N1 SF {el(3)} {el(4)} "
                                        f"({el(2) or 'no name'}) is "
                                        f"not the warehouse's ship-from ({ship_from.id_qualifier} {ship_from.id}, "
                                        f"{ship_from.name}), which the 856 names.", element="N104", value=el(4),
                                        **at))
        elif sid == "N1" and last is not None and el(1) in ("Z7", "BY") and el(4):
            # the W12 loop's own party (945 4010: N1 in the W12 loop; 5010: its N1 loop): the store a 3PL shipping
            # several stores in one 945 marks a carton's W12 for; N1*Z7 wins over N1*BY, as in the heading. The
            # carton (LX) goes to one store: its W12s without an N1 of their own take it
            for holder in (last, cartons[last["_lx"]]):
                if holder.get("_store") is None or (el(1) == "Z7" and holder["_store"][2] == "BY"):
                    holder["_store"] = (el(4), el(3) or None, el(1))
        elif sid == "N4" and party == "ST" and not carton and last is None:
            head["ship_to_postal_code"] = el(3) or None
        elif sid == "LX":
            close_carton()
            carton, last = {"seq": el(1)}, None
            lx_marks.append([])
            cartons.append(carton)  # counted: each W12 knows its LX (_lx)
        elif sid == "MAN" and carton:  # MAN01/02 and MAN04/05: two marks of the one carton, either order
            if last is not None and any(el(k) in SSCC_MARKS and el(k + 1) for k in (1, 4)):
                # a label after a W12 of its LX (two cartons written in one LX, each MAN before its W12s): the
                # carton of the W12s that follow, its LX's line and PO kept
                close_carton()
                carton, last = {k: v for k, v in carton.items() if k in (
                    "seq", "po_number", "line_id", "_pallets")}, None
                lx_marks.append([])
                cartons.append(carton)
            for k in (1, 4):
                qualifier, mark = el(k), el(k + 1)
                digits = sscc_digits(mark) if qualifier in SSCC_MARKS and mark else None
                if digits is not None:
                    lx_marks[-1].append((mark, k, at))  # a carton's, or its pallet's (settled after the loop)
                # the carton's id: its first SSCC-shaped mark (a 3PL's own license plate before it, MAN*GM*LPN..,
                # is no label the DC scans), else its first mark (no SSCC: one of ours is numbered for it)
                if qualifier in PALLET_MARKS and mark:  # the pallet (skid) the LX ships on, its label once
                    plates = carton.setdefault("_pallets", [])
                    if all(_label(p) != _label(mark) for p, _n, _at in plates):
                        plates.append((mark, None, at))
                    carton["_skid"] = True
                # UC is the U.P.C. shipping container code (a GTIN-14 case code, the same on every case of an item)
                # since 003020: no carton's own label unless it is an SSCC-18
                elif qualifier in SSCC_MARKS and mark and (qualifier != "UC" or digits is not None) and (
                        "carton_id" not in carton or (digits is not None and sscc_digits(carton["carton_id"]) is None)):
                    carton["carton_id"] = mark
                    carton["carton_sscc"] = sscc18(mark)
                    if digits is not None and carton["carton_sscc"] is None:
                        findings.append(finding("SHIPMENT_SSCC_INVALID", f"MAN{k + 1:02d} {mark!r} has a wrong check "
                                                "digit.", element=f"MAN{k + 1:02d}", value=mark, **at))
                elif qualifier == "CP" and mark:
                    carton["tracking_number"] = mark
        elif sid == "N9" and last is not None and el(1) == "LI":
            last["line_id"] = el(2)
        elif sid == "N9" and el(1) == "PO" and (carton or last is not None):  # a carton's or a W12's own PO
            (carton if last is None else last)["po_number"] = el(2) or None
        elif sid == "N9" and el(1) == "CO" and (carton or last is not None):  # a carton's or a W12's consumer order
            (carton if last is None else last)["customer_order"] = el(2) or None
        elif sid == "N9" and last is not None and el(1) == "LT":  # the W12's lot, when W1209 does not say
            last["_lot"] = last["_lot"] or el(2)
        elif sid in ("N9", "REF") and last is not None and el(1) == "SE":  # one unit's serial number in the W12 loop
            serial = seg[2] if len(seg) > 2 else ""
            problem = serial_problem(serial.strip(), max_length=None)  # REF02's length: the partner's (the rules)
            if problem:  # not recorded as a serial (two in one, or none): the shipment is held, not guessed at
                findings.append(finding("SHIPMENT_SERIAL_INVALID", f"{sid}02 {serial!r} (a serial number of "
                                        f"{last['sku'] or last['upc'] or last['buyer_item'] or 'the W12'}) is no "
                                        f"serial number: {problem}; the shipment is held.", element=f"{sid}02",
                                        value=serial or None, **at))
            else:
                last["_serials"].append(serial.strip())
        elif sid in ("G62", "DTM") and last is not None and el(1) in LOT_EXPIRY:  # the W12's lot's expiry
            expires = x12_dates.parse(el(2))
            if expires is None:  # no date: never dropped, the shipment is held (a lot partner's 856 needs it)
                findings.append(finding("SHIPMENT_945_EXPIRY_INVALID", f"{sid}02 {el(2)!r} (the expiry of the lot of "
                                        f"{last['sku'] or last['upc'] or last['buyer_item'] or 'the W12'}) is no date "
                                        "(CCYYMMDD or YYMMDD): not recorded; the shipment is held.",
                                        element=f"{sid}02", value=el(2) or None, **at))
            last["_expires"] = last["_expires"] or expires
        elif sid == "N9" and el(1) == "LV" and el(2) and (carton or last is not None):  # a license plate: the pallet
            plates = (carton if last is None else last).setdefault("_pallets", [])
            # the LX's MAN*W/SS pallet named again: one pallet
            same = [k for k, (p, n, _at) in enumerate(plates) if n is None and _label(p) == _label(el(2))]
            if same:
                plates[same[0]] = (el(2), _decimal(el(3)), at)
            else:
                plates.append((el(2), _decimal(el(3)), at))
        elif sid == "PAL" and carton and last is None:  # pallet information in the LX loop: the LX is a pallet
            carton["_pal"] = True
        elif sid == "N9" and carton and el(1) in ("2I", "CN"):
            carton["tracking_number"] = el(2)
        elif sid == "N9" and carton and el(1) == "LI":  # at the LX level: the line of its W12s
            carton["line_id"] = el(2) or None
        elif sid == "W12":
            w12s += 1
            qty = _decimal(el(3))
            if qty is None:
                findings.append(finding("SHIPMENT_945_QUANTITY_MISSING", "The W12 has no number of units shipped.",
                                        element="W1203", value=el(3) or None, **at))
                last = None
                continue
            if qty != qty.quantize(_PLACES):  # 12.34567 units: our decimal128(18, 4) tables would round them
                findings.append(finding(
                    "SHIPMENT_945_QUANTITY_MISSING", f"W1203 {el(3)} has more than 4 decimal places; our shipments, "
                    f"856s and 810s carry 4, so it would be {_exact(qty.quantize(_PLACES))}: not counted as shipped, "
                    "the shipment is held (ask the 3PL for units shipped with at most 4 decimals).",
                    element="W1203", value=el(3), **at))
                last = None
                continue
            qual, pid = (el(7), el(8)) if el(7) in OUR_ITEM or el(16) not in OUR_ITEM else (el(16), el(17))
            if qty == 0:  # a line that did not ship (W1201 CP, W1204 the difference): nothing to put on an 856
                findings.append(finding("SHIPMENT_945_NOT_SHIPPED", f"The W12 ships 0 of {pid or el(6) or 'its item'}"
                                        + (f" ({el(2)} ordered)" if el(2) else "") + ": not recorded as shipped.",
                                        element="W1203", value=el(3), **at))
                last = None
                continue
            units += qty
            # W1210 / W1213 weights, each with its qualifier (W1211 / W1214, code list 187) and unit (W1212 / W1215)
            stated = {i: el(i + 1).upper() for i in (10, 13) if _decimal(el(i)) is not None}
            weight_at, net_at = w12_weights(stated)
            read = {i: _measure(_decimal(el(i)), el(i), f"W12{i}", at, findings) for i in (weight_at, net_at) if i}
            weight, weight_unit = read.get(weight_at), (el(15) or el(12) if weight_at == 13 else el(12))
            unit_at = 15 if weight_at == 13 and el(15) else 12
            weight, weight_unit, unknown_unit = _carton_weight(weight, weight_unit.upper())
            if unknown_unit:  # the units shipped; the weight's unit is what is unknown: left out, said at its element
                findings.append(finding("SHIPMENT_WEIGHT_INVALID", f"W12{unit_at} {el(unit_at)!r} is no weight unit "
                                        "we read (code list 188: L, K, O, S, T, E; or LB, KG, OZ, GR, TN): the carton "
                                        f"weight W12{weight_at} {el(weight_at)} is left out of the 856.",
                                        element=f"W12{unit_at}", value=el(unit_at), **at))
            # the line's net weight (an actual net, N, or reweighed net, RN): what a catch-weight line is billed by
            net = read.get(net_at)
            if net is not None and net <= 0:  # the units shipped; the weight is wrong: left out, said at its element
                # (zero too: goods that shipped weigh something, and a catch-weight line is not billed by nothing)
                findings.append(finding("SHIPMENT_WEIGHT_INVALID", f"W12{net_at} {el(net_at)}: the net weight is "
                                        f"{'negative' if net < 0 else 'zero'}: left out (its line is not billed by "
                                        "weight until the 3PL confirms it).", element=f"W12{net_at}",
                                        value=el(net_at), **at))
                net = None
            net_unit = (el(12) if net_at == 10 else el(15) or el(12)).upper()
            last = {"quantity": qty, "unit": el(5).upper() or None, "line_id": carton.get("line_id"),
                    "sku": pid if qual in OUR_ITEM and pid else None,
                    "upc": el(6) or (pid if qual in GTIN and pid else None),
                    "buyer_item": pid if qual in BUYER_ITEM and pid else None,
                    "_weight": weight, "_weight_unit": weight_unit, "_weight_unknown": unknown_unit,
                    "_lot": el(9), "_expires": None, "_serials": [], "net_weight": net,
                    "net_weight_unit": None if net is None else NET_WEIGHT_UNITS.get(net_unit, net_unit or "LB"),
                    "segment_position": pos, "file_segment": ts.start + pos, **where}
            rows.append(last)
            carton_rows.append(last)
            last["_carton"] = dict(carton)
            last["_lx"] = len(cartons) - 1
        elif sid == "TD1" and last is None and not carton and el(1):  # 005010's heading TD1: what the packages are
            kinds.append(_packaging_of(el(1), at, findings))
        elif sid == "W10" and last is None and not carton:  # W1002 pallets shipped, W1004 the trailer's seal
            if _count(el(2)) is not None:
                head["shipment_pallets"] = head.get("shipment_pallets") or _count(el(2))
            head["seal_number"] = head.get("seal_number") or el(4) or el(5) or None
        elif sid == "W03":
            if el(7).upper() in PALLET_UNITS and _count(el(6)) is not None and not head.get("shipment_pallets"):
                head["shipment_pallets"] = _count(el(6))  # W0306 lading quantity in pallets (W0307 PL / PF)
            w03 = (el(1), pos)
            w03_at = dict(at, weight=_measure(_decimal(el(2)), el(2), "W0302", at, findings), weight_code=el(3).upper(),
                          volume=_measure(_decimal(el(4)), el(4), "W0304", at, findings), volume_unit=el(5).upper())
    close_carton()
    if len(set(kinds) - {None}) == 1 and None not in kinds:  # one kind of package: every carton's (several: which
        head["packaging"] = kinds[0]  # carton is which is not said, the item master's or the partner's)
    unclear_marks = _pallet_marks(lx_marks, rows)
    head["ship_date"] = dates.get("11") or dates.get("W06") or dates.get("10")
    head["po_number"] = head["po_number"] or depositor_order
    for r in rows:  # each W12's PO: its own N9 PO, its carton's, else the heading's; its customer order the same
        level = r if r.get("po_number") else r["_carton"] if r["_carton"].get("po_number") else head
        r["po_number"] = level["po_number"]
        # (a carton's or W12's CO without a PO of its own is of the PO it ships; a heading CO is the heading PO's)
        r["customer_order"] = r.get("customer_order") or (
            r["_carton"].get("customer_order") if level is not r else None) or (
            head.get("customer_order") if r["po_number"] == head["po_number"] else None)
        store = r.pop("_store", None) or cartons[r["_lx"]].get("_store")
        if store is not None:  # its own N1 Z7/BY, else its carton's; else the heading's (head's mark_for_store)
            r["mark_for_store"], r["mark_for_id_qualifier"] = store[0], store[1]
    at0 = dict(where, seg="W06", segment_position=2, file_segment=ts.start + 2)
    if not w12s:
        findings.append(finding("SHIPMENT_945_NO_ITEMS", f"The 945 of shipment {head['shipment_id'] or '(no id)'} "
                                "has no W12: nothing it shipped can be recorded.", element="W0604",
                                value=head["shipment_id"], **at0))
    if not head["shipment_id"]:
        findings.append(finding("SHIPMENT_ID_MISSING", "W06 carries no shipment id (W0604/W0605).", element="W0604",
                                **at0))
    po_missing = not all(r["po_number"] for r in rows) if rows else not head["po_number"]
    if po_missing:
        findings.append(finding("SHIPMENT_PO_MISSING", "Neither W0606, an N9 PO nor W0602 names the purchase order"
                                + (" of every W12." if rows and head["po_number"] is None and any(
                                    r["po_number"] for r in rows) else "."), element="W0606", **at0))
    if head["ship_date"] is None:
        findings.append(finding("SHIPMENT_DATE_MISSING", "No ship date (G62 11 or W0603).", element="W0603", **at0))
    findings += _shipment_weight(head, w03_at, rows)
    rows, unclear = _on_pallets(rows)
    unclear += unclear_marks
    findings += unclear
    if w03 is not None and _decimal(w03[0]) != units:
        findings.append(finding("SHIPMENT_945_TOTALS_MISMATCH", f"W0301 says {w03[0]} units; the W12s ship "
                                f"{units}.", seg="W03", element="W0301", value=w03[0], segment_position=w03[1],
                                file_segment=ts.start + w03[1], **where))
    if reporting == "X":
        sid = head["shipment_id"] or "(no id)"
        findings.append(finding("SHIPMENT_945_EXCEPTIONS_ONLY", f"The 945 of shipment {sid} reports exceptions only "
                                "(W0601 X): the lines it does not list shipped as ordered, which this 945 does not "
                                "say.", element="W0601", value="X", **at0))
        return [], findings
    if not head["shipment_id"] or po_missing or head["ship_date"] is None or unclear:
        return [], findings
    out = []
    for r in _lots_of_lines(rows):
        c = r.pop("_carton")
        r["lot_number"], r["expiration_date"] = r.pop("_lot") or None, r.pop("_expires")
        r["serial_numbers"] = " ".join(r.pop("_serials")) or None
        r.pop("_weight"), r.pop("_weight_unit"), r.pop("_weight_unknown"), r.pop("_pallets", None)
        pallet = r.pop("_pallet", None) or c.get("pallet_id")
        if not pallet and c.get("_pal") and c.get("carton_id") and len({_label(m) for m, _k, _at in
                                                                        lx_marks[r["_lx"]]}) <= 1:
            pallet = c["carton_id"]  # an LX of one label with its PAL (pallet details): the pallet shipped whole
        if pallet and not c.get("carton_id") and c.get("_skid"):
            c = {**c, "carton_id": pallet, "carton_sscc": sscc18(pallet)}  # only a pallet mark: the pallet, whole
        # a license plate (N9 LV) that is the LX's own label: a pallet shipped whole, kept as both (rules.shipments
        # .whole_pallets writes its SSCC once: the tare of an S-O-T-I partner's 856, else its carton)
        out.append({**head, **r, "source_kind": "945", "source_sha256": sha, "source_file": result.file,
                    "carton_id": c.get("carton_id") or (f"LX{c['seq']}" if c.get("seq") else None),
                    "carton_sscc": c.get("carton_sscc"), "pallet_id": pallet, "pallet_sscc": sscc18(pallet or ""),
                    "tracking_number": c.get("tracking_number") or head["tracking_number"]})
    return out, findings


def _lots_of_lines(rows: list[dict]) -> list[dict]:
    """``rows`` with each W12's lot kept, but for the W12s of one line and item in a carton (LX) of which some
    name a lot and some none: a lot that is not known for all of the line's units is none of theirs, so the
    checks see the line twice in the carton (SHIPMENT_LINE_DUPLICATE: held, as a doubled W12 always was)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["_carton"].get("seq"), r["_carton"].get("carton_id"), r["po_number"], r["line_id"], r["sku"],
                r["upc"], r["unit"], r.get("_pallet"))].append(r)
    for group in groups.values():
        if len(group) > 1 and any(g["_lot"] for g in group) and not all(g["_lot"] for g in group):
            for g in group:
                g["_lot"] = ""
    return rows


# Code list 187 (Weight Qualifier) as a W12 weight (W1211, W1214) is read. The line's net weight, billed for a
# catch-weight line (cases priced per pound), is a weight of the goods actually scaled: N actual net, RN reweigh
# net (a correction of it: it wins over N). An estimated net (E), a theoretical (Y), legal (L, net with its inner
# packing), drained (DR), state (S) or mutually defined (Z) weight, a net repeated for a combination (C) is the
# goods' weight but not their scaled net: never billed (a catch-weight line weighed so is not invoiced, its 810
# not built: engine.lifecycle.billing), and the carton's weight only when the W12 gives no gross weight.
NET_QUALIFIERS = ("RN", "N")  # in order of preference
# the goods with their packing: the carton's weight (the 856's TD1 and carton weights), never billed as net
GROSS_QUALIFIERS = ("G", "RG", "A", "A2", "A3", "CE")
# weights that are not the goods' own (never the carton's weight, never billed): tare and reweigh tare (T, RT),
# pallet and skid (PA, SK), dunnage (R, CD, ND), weights per unit or length (U, P, Q, H, I) and a carrier's freight
# rating weights (B billed, A1 dimensional, D, F, J, K, M, O, V, W, X; NI, NR, NT, SI, SO storage; WA, WB, WG, WJ)
NOT_THE_GOODS = ("T", "RT", "PA", "SK", "R", "CD", "ND", "U", "P", "Q", "H", "I", "B", "A1", "D", "F", "J", "K",
                 "M", "O", "V", "W", "X", "NI", "NR", "NT", "SI", "SO", "WA", "WB", "WG", "WJ")


def w12_weights(qualifiers: dict[int, str]) -> tuple[int, int]:
    """(the carton weight's position, the net weight's) among a W12's weights (``qualifiers``: 10 / 13 -> W1211 /
    W1214 as sent, for the weights given), 0 for none: the carton's is the first gross weight (GROSS_QUALIFIERS), else
    the first of the goods' (neither gross nor NOT_THE_GOODS: a net weight alone, as a small 3PL weighs the cases;
    an unqualified weight); the net is the first RN, else the first N (NET_QUALIFIERS)."""
    goods = [i for i, q in qualifiers.items() if q not in NOT_THE_GOODS]
    carton = next((i for i in goods if qualifiers[i] in GROSS_QUALIFIERS), goods[0] if goods else 0)
    net = next((i for q in NET_QUALIFIERS for i in qualifiers if qualifiers[i] == q), 0)
    return carton, net


# W1212 / W1215 (code list 188) of a net weight as the unit a catch-weight line's weight is converted from
# (schemas.units.KILOGRAMS_PER): L pounds, K kilograms, O ounces, S short ton (2,000 pounds: 355's TN). E metric
# ton, M measurement ton and T long ton are kept as sent: no weight we convert (the line is not billed by them)
NET_WEIGHT_UNITS = {**WEIGHT_UNITS, "O": "OZ", "S": "TN"}
# W0303 (code list 355) as a weight unit: LB, KG, 01 actual pounds, 50 actual kilograms; L / K (code list 188, as
# W1212 writes them); OZ ounces, GR grams and TN net tons, converted to pounds / kilograms as a carton's are
W03_WEIGHT_UNITS = {**WEIGHT_UNITS, "01": "LB", "50": "KG", "OZ": "OZ", "GR": "GR", "TN": "TN"}
# A carton's weight (W1212 / W1215, code list 188) as the 856's TD107/TD108 carry it, in pounds or kilograms (what
# partners' guides take): 188's L pounds and K kilograms as they are; O ounces and S short tons (2,000 pounds)
# converted to pounds, T long tons (2,240 pounds) too, E metric tons (1,000 kg) to kilograms, exactly and rounded
# to 4 places (schemas.units.weight_in), as the CSV reader converts a carton weight in ounces or grams. The 355
# codes a 3PL's translator writes there instead (LB, KG, OZ, GR grams, TN) are read as their weights. M
# (measurement ton, 40 cubic feet) is a volume, and anything else no weight: the weight is left out with a warning
# at its element (SHIPMENT_WEIGHT_INVALID), the shipment ships without it (it used to reach TD108 as written and
# fail the 856, ASN_NOT_BUILT, the shipment held). An empty unit is pounds, as it always was
CARTON_WEIGHT_UNITS = {**WEIGHT_UNITS, "": "LB", "O": "OZ", "OZ": "OZ", "S": "TN", "TN": "TN", "GR": "GR",
                       "T": "LT", "E": "MT"}
_TONS = {"LT": ("LB", Decimal(2240)), "MT": ("KG", Decimal(1000))}  # long ton, metric ton: exact by definition
_IN_LB_OR_KG = {"OZ": "LB", "TN": "LB", "GR": "KG"}


def _carton_weight(weight: Decimal | None, code: str) -> tuple[Decimal | None, str | None, bool]:
    """(the weight in LB or KG, its unit, whether its unit is unknown) of a W12's carton weight in ``code`` (its
    W1212 / W1215 as sent, in capitals): CARTON_WEIGHT_UNITS; without a weight (None, the code's unit, False)."""
    unit = CARTON_WEIGHT_UNITS.get(code)
    if weight is None:
        return None, unit or code or "LB", False
    if unit is None:
        return None, None, True
    if unit in _TONS:
        to, per = _TONS[unit]
        return weight * per, to, False
    if unit in _IN_LB_OR_KG:
        return weight_in(weight, unit, _IN_LB_OR_KG[unit]), _IN_LB_OR_KG[unit], False
    return weight, unit, False
_TO_LB = {"LB": Decimal(1), "KG": Decimal("2.20462")}


def _shipment_weight(head: dict, w03: dict, rows: list[dict]) -> list[Finding]:
    """The W03's gross weight and volume on the heading (the 856's TD1: the shipment's own total, pallets
    and packing included, rather than the cartons' weights summed); a warning when its weight differs
    from the W12s' (every W12 weighed) by more than 1% and 1 pound, or its unit is none we know."""
    if not w03:
        return []
    at = {k: v for k, v in w03.items() if k not in ("weight", "weight_code", "volume", "volume_unit")}
    weight, code = w03["weight"], w03["weight_code"]
    if w03["volume"] is not None and w03["volume"] > 0 and len(w03["volume_unit"]) == 2:
        head["shipment_volume"], head["shipment_volume_unit"] = w03["volume"], w03["volume_unit"]
    if weight is None or weight <= 0:
        return []
    unit = W03_WEIGHT_UNITS.get(code)
    if unit is None:
        return [finding("SHIPMENT_945_WEIGHT_MISMATCH", f"W0303 {code!r} is no weight unit we know: the W03 weight "
                        f"{weight} is not sent; the 856 carries the cartons' weights when each has one.",
                        element="W0303", value=code or None, **at)]
    if unit in _IN_LB_OR_KG:  # 288 OZ -> 18 LB, 8200 GR -> 8.2 KG (TD108 carries pounds or kilograms)
        weight, unit = weight_in(weight, unit, _IN_LB_OR_KG[unit]), _IN_LB_OR_KG[unit]
    head["shipment_weight"], head["shipment_weight_unit"] = weight, unit
    weighed = [(r["_weight"], r["_weight_unit"]) for r in rows]
    if not weighed or any(w is None or u not in _TO_LB for w, u in weighed):
        return []
    lines = sum((w * _TO_LB[u] for w, u in weighed), Decimal(0))
    total = weight * _TO_LB[unit]
    if abs(total - lines) > max(Decimal(1), total / 100):
        return [finding("SHIPMENT_945_WEIGHT_MISMATCH", f"W0302 says {_n(weight)} {unit}; the W12s weigh "
                        f"{_n(lines / _TO_LB[unit])} {unit}: the 856 sends the W03's total.", element="W0302",
                        value=_n(weight), **at)]
    return []


def _n(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pallet_marks(lx_marks: list[list[tuple[str, int, dict]]], rows: list[dict]) -> list[Finding]:
    """An LX with two SSCCs (MAN GM) of which one marks more LXs than the other: that one is its pallet's
    (a pallet holds several cartons, each LX one carton, or one carton of several items written an LX
    per item), the other its carton's. Any other LX with two or more SSCCs (none in another LX: two
    cartons splitting its W12s' units, or a carton and its pallet, the 945 does not say; both in the same
    LXs; three or more): an error at its second SSCC, the shipment is not read (a label dropped is a
    carton or pallet the DC cannot receive)."""
    lx_of: dict[str, set[int]] = defaultdict(set)
    for k, marks in enumerate(lx_marks):
        for mark, _e, _at in marks:
            lx_of[_label(mark)].add(k)
    findings: list[Finding] = []
    for k, marks in enumerate(lx_marks):
        distinct = list(dict.fromkeys(_label(m) for m, _e, _at in marks))
        if len(distinct) < 2:
            continue
        in_lxs = sorted({len(lx_of[d]) for d in distinct})
        if len(distinct) == 2 and len(in_lxs) == 2 and in_lxs[1] > 1:  # the one in more LXs holds the other
            own, shared = sorted(distinct, key=lambda d: len(lx_of[d]))
            for r in rows:
                if r["_lx"] == k:
                    r["_carton"] = {**r["_carton"], "carton_id": own, "carton_sscc": sscc18(own),
                                    "pallet_id": shared}
        elif any(r["_lx"] == k for r in rows):
            second = next(m for m in marks if _label(m[0]) == distinct[1])
            units = _n(sum((r["quantity"] for r in rows if r["_lx"] == k), Decimal(0)))
            findings.append(finding(
                "SHIPMENT_945_PALLET_UNCLEAR", f"The LX's W12s ({units} units) carry {len(distinct)} SSCCs "
                f"({', '.join(distinct)}) and the other LXs do not tell which is a pallet's (one marking more LXs): "
                "whether they are cartons splitting the units or a carton and its pallet is not known.",
                element=f"MAN{second[1] + 1:02d}", value=second[0], **second[2]))
    return findings


def _on_pallets(rows: list[dict]) -> tuple[list[dict], list[Finding]]:
    """Each W12's pallet from the N9 LV (license plate) of its W12 loop, else of its LX loop. A W12 on
    several pallets (an N9 LV each, N903 the units on it) is a row per pallet when the N903s add up to
    its W1203; else an error at the W12 (which units are on which pallet is not known)."""
    out: list[dict] = []
    findings: list[Finding] = []
    for r in rows:
        plates = r.get("_pallets") or r["_carton"].get("_pallets") or []
        if len(plates) <= 1:
            out.append({**r, "_pallet": plates[0][0] if plates else None})
            continue
        counts = [n for _p, n, _at in plates]
        if all(n is not None and n > 0 and n == n.quantize(_PLACES) for n in counts) and sum(counts) == r["quantity"]:
            c = r["_carton"]  # no carton mark (the LX's own id): its units on each pallet are a carton of their own
            # the W12's net weight is not the pallets' (which part of it is on which is not known): none. Nor is it
            # known which serial is on which pallet: the W12's serials stay with its first pallet's row, so a
            # serials partner's checks hold the shipment (their count is not that row's units; the other rows none)
            out.extend({**r, "quantity": n, "net_weight": None, "net_weight_unit": None, "_pallet": plate,
                        "_serials": r["_serials"] if k == 1 else [],
                        "_carton": c if c.get("carton_id") else {
                **c, "carton_id": f"LX{c.get('seq') or ''}-{k}"}} for k, (plate, n, _at) in enumerate(plates, start=1))
            continue
        where = {k: r[k] for k in ("file", "isa13", "gs06", "st02") if k in r}
        findings.append(finding("SHIPMENT_945_PALLET_UNCLEAR", f"The W12 ships {_n(r['quantity'])} units on "
                                f"{len(plates)} pallets (N9 LV) whose N903 counts do not add up to it: which units are "
                                "on which pallet is not known.", seg="W12", element="W1203", value=_n(r["quantity"]),
                                segment_position=r["segment_position"], file_segment=r["file_segment"], **where))
        out.append({**r, "_pallet": None})
    return out, findings


def _packaging_of(text: str, at: dict, findings: list[Finding]) -> str | None:
    """A heading TD1's TD101 as a packaging code (schemas.packaging), None when it is none (a warning at TD101,
    SHIPMENT_PACKAGING_INVALID); one on no list we hold kept, warned."""
    code = packaging_code(text)
    if code is None:
        findings.append(finding("SHIPMENT_PACKAGING_INVALID", f"TD101 {why_not_packaging(text)}: left out.",
                                element="TD101", value=text, **at))
    elif what := unlisted(code):
        findings.append(finding("SHIPMENT_PACKAGING_INVALID", f"TD101 {code!r}: {what} is on no packaging list we "
                                "hold (X12 element 103): written as given.", element="TD101", value=text, **at))
    return code


def _reference(head: dict, qualifier: str, value: str) -> None:
    if qualifier == "BM":
        head["bill_of_lading"] = value or head["bill_of_lading"]
    elif qualifier == "MB":  # a master bill of lading: the shipment's BOL when no BM names one (it used to be dropped)
        head["bill_of_lading"] = head["bill_of_lading"] or value or None
    elif qualifier in ("CN", "2I"):
        head["tracking_number"] = value or head["tracking_number"]
    elif qualifier == "PO" and not head["po_number"]:
        head["po_number"] = value or None
    elif qualifier == "RE" and not head.get("release_number"):  # the PO's release number (850 BEG04)
        head["release_number"] = value or None
    elif qualifier == "CO" and not head.get("customer_order"):  # the consumer's order (the PO's REF*CO)
        head["customer_order"] = value or None


_PLACES = Decimal("0.0001")  # SHIPMENT_LINES' numbers are decimal128(18, 4)


def _exact(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _measure(value: Decimal | None, text: str, element: str, at: dict, findings: list[Finding]) -> Decimal | None:
    """A weight or volume as our 4-decimal tables hold it: past 4 decimals (22.04622 LB, 10 kg converted by
    the 3PL's system) rounded half to even, with a warning naming the value sent (no scale weighs to
    0.0001, and a shipment is not held for it; the number is not changed without a word either)."""
    if value is None or value == value.quantize(_PLACES):
        return value
    kept = value.quantize(_PLACES)
    findings.append(finding("SHIPMENT_WEIGHT_ROUNDED", f"{element} {text} has more than 4 decimal places; our "
                            f"shipments and 856s carry 4: read as {_exact(kept)}.", element=element, value=text, **at))
    return kept


def _label(mark: str) -> str:
    """A carton or pallet label as two marks of one are compared: its SSCC-18 digits (alone, after AI 00 or
    "(00)"), else as written."""
    return sscc_digits(mark) or mark


PALLET_UNITS = ("PL", "PF")  # code list 355: pallet/unit load, pallet (lift)


def _count(text: str) -> int | None:
    """A count of pallets (W1002 R1/3, W0306 N0): a whole number above 0, else None (not read)."""
    value = _decimal(text)
    return int(value) if value is not None and value > 0 and value == value.to_integral_value() and value < 10 ** 7 \
        else None


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text) if text else None
    except InvalidOperation:
        return None
    return value if value is None or value.is_finite() else None





def _time(text: str):
    from datetime import datetime

    for fmt, n in (("%H%M%S", 6), ("%H%M", 4)):
        if len(text) >= n:
            try:
                return datetime.strptime(text[:n], fmt).time()
            except ValueError:
                continue
    return None
