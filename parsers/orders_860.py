"""860 transaction sets -> canonical CHANGE_HEADERS and ORDER_CHANGES tables (schemas.changes), columnar.

The 860 twin of parsers.orders_850, built with its helpers: rows are located with numpy over the
segment table, values converted in one place (_decimal, parsers.x12_dates). Content problems are
findings from rules.structure and engine.changes, not from here.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.orders_850 import (
    _ALLOWANCES,
    _N_PLACES,
    ATTRIBUTE_PIDS,
    LATEST_DATES,
    _Cells,
    _ctp_prices,
    _decimal,
    _group_receivers,
    _group_senders,
    _heading_case_sent,
    _implied_form,
    _int,
    _joined_elements,
    _lineage,
    _lines_case_told,
    _lines_own,
    _po4_packs,
    _rounded,
    _sac_rows,
    capital_bases,
    capital_qualifiers,
    codes_case_sent,
    interchange_parties,
    line_dates,
    line_marks_for,
    line_prices,
    line_refs,
    line_ship_tos,
    per_unit_prices,
    pids_sent,
    prepack_components,
    sales_requirements,
    store_quantities,
    tax_exemptions,
)
from parsers.x12_dates import dates, dtm_date, dtm_window, taken_dtms
from parsers.x12_reader import ParseResult
from schemas.changes import (
    CHANGE_HEADERS,
    CHANGE_LINE_DATES,
    CHANGE_SACS,
    HEADER_DATES,
    KEPT_PARTIES,
    ORDER_CHANGES,
    PARTY_SENT,
    SHIP_TO_SENT,
    TOTAL_CHARGE_TYPES,
)
from schemas.empty import empty_table
from schemas.orders import (
    ELEMENTS_SEP,
    LINE_REF,
    PID_SENT,
    PRODUCT_ID,
    PRODUCT_QUALIFIERS,
    RANGE_ENDS,
    REF_DESCRIPTION,
    name2_kept,
)
from schemas.units import PRICE_PER_EACH, PRICE_PER_MANY, capital_units, pack_unit
from schemas.x12 import Group, Interchange, TransactionSet


def _columns(rows: pa.ListArray, width: int) -> list[pa.Array]:
    """Element 0..width-1 of every row as columns (missing elements and empty strings are null).
    860s are few, so this simple form is enough here (parsers.orders_850 has the fast path)."""
    n = len(rows)
    if not n:
        return [pa.array([], pa.string()) for _ in range(width)]
    flat = pc.list_slice(rows, 0, width, return_fixed_size_list=True).flatten().cast(pa.string())
    idx = np.arange(n, dtype=np.int64) * width
    cols = []
    for k in range(width):
        col = pc.utf8_rtrim(flat.take(pa.array(idx + k)), characters=" ")  # trailing spaces: not significant
        cols.append(pc.if_else(pc.fill_null(pc.equal(col, ""), False), pa.scalar(None, pa.string()), col))
    return cols

_POC_WIDTH = 28  # POC00 (the id) .. POC27
_BCH_FIELDS = {
    "purpose": 1,
    "order_type": 2,
    "po_number": 3,
    "release_number": 4,
    "change_order_ref": 5,
    "po_date": 6,
    "change_request_date": 11,
}
_LINEAGE_FIELDS = ("source_file", "source_sha256", "isa13", "gs06", "st02")


def read_changes(
    result: ParseResult,
    sets: list[tuple[Interchange, Group, TransactionSet]],
    *,
    partner: str,
    source_sha256: str = "",
) -> tuple[pa.Table, pa.Table]:
    """Canonical (headers, changes) for the given 860 sets of one parsed file."""
    return _read_changes(result, sets, partner=partner, source_sha256=source_sha256)[:2]


def read_changes_with_sacs(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], *,
                           partner: str, source_sha256: str = "") -> tuple[pa.Table, pa.Table, pa.Table]:
    """read_changes' (headers, changes) and the sets' SAC allowances and charges (schemas.changes.CHANGE_SACS:
    what each 860 adds, changes or takes off of what its PO promised)."""
    return _read_changes(result, sets, partner=partner, source_sha256=source_sha256, sacs=True)


def _read_changes(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], *, partner: str,
                  source_sha256: str = "", sacs: bool = False) -> tuple[pa.Table, pa.Table, pa.Table]:
    if not sets:
        return empty_table(CHANGE_HEADERS), empty_table(ORDER_CHANGES), empty_table(CHANGE_SACS)  # most: no 860
    seg = result.segments
    n, nsets = len(seg), len(sets)
    set_of_row = np.full(n, -1, dtype=np.int64)
    for k, (_ic, _g, ts) in enumerate(sets):
        set_of_row[ts.start : ts.end + 1] = k
    dids = seg.ids.dictionary_encode()
    vocab = dids.dictionary.to_pylist()
    codes = dids.indices.to_numpy(zero_copy_only=False)

    def rows_of(seg_id: str) -> np.ndarray:
        if seg_id not in vocab:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero((codes == vocab.index(seg_id)) & (set_of_row >= 0))

    def first_per_set(seg_id: str, width: int) -> list[list]:
        """Elements 0..width-1 of each set's first ``seg_id``, as per-set values (None if absent)."""
        r = rows_of(seg_id)
        out = [[None] * nsets for _ in range(width)]
        if len(r):
            uniq, first = np.unique(set_of_row[r], return_index=True)
            cols = _columns(seg.elements.take(pa.array(r[first], pa.int64())), width)
            for k in range(width):
                for si, v in zip(uniq.tolist(), cols[k].to_pylist(), strict=True):
                    out[k][si] = v
        return out

    bch = first_per_set("BCH", 12)
    header = {name: pa.array(bch[k], pa.string()) for name, k in _BCH_FIELDS.items()}
    change_date = pc.coalesce(dates(header["change_request_date"]), dates(header["po_date"]))
    ctt = first_per_set("CTT", 2)[1]
    poc_rows = rows_of("POC")
    line_counts = (
        np.bincount(set_of_row[poc_rows], minlength=nsets) if len(poc_rows) else np.zeros(nsets, int)
    )
    lineage = _lineage(result, sets, np.arange(nsets), source_sha256)
    po_number = pc.fill_null(header["po_number"], "")
    cells = _Cells(result)  # one element index for the heading's N1s and every POC-loop reader (the whole file)
    first_poc = np.full(nsets, np.iinfo(np.int64).max, dtype=np.int64)
    if len(poc_rows):
        np.minimum.at(first_poc, set_of_row[poc_rows], poc_rows)
    headers = pa.table(
        {
            "partner": pa.array([partner] * nsets, pa.string()),
            "change_ref": lineage["order_ref"],
            "po_number": po_number,
            "purpose": header["purpose"],
            "order_type": header["order_type"],
            "release_number": header["release_number"],
            "change_order_ref": header["change_order_ref"],
            "po_date": dates(header["po_date"]),
            "change_date": change_date,
            "line_count": pa.array(line_counts, pa.int32()),
            "ctt_line_count": _int(pa.array(ctt, pa.string())),
            **{k: lineage[k] for k in _LINEAGE_FIELDS},
            "st_file_segment": pa.array([ts.start + 1 for _ic, _g, ts in sets], pa.int32()),
            **_heading(result, sets, cells),
            # the heading's codes read in capitals (N1*st: ST), as the 850's ORDERS codes_case_sent: told by
            # engine.changes (CODE_CASE_CONVERTED)
            "codes_case_sent": _heading_case_sent(nsets, set_of_row, first_poc, cells),
            "gs02": pa.array(_group_senders(sets), pa.string()),
            "gs03": pa.array(_group_receivers(sets), pa.string()),
            **interchange_parties(sets),
            "set_id": pa.nulls(nsets, pa.string()),  # an 860 (parsers.orders_876 names its 876s)
        },
        schema=CHANGE_HEADERS,
    )
    changes = _changes(result, sets, set_of_row, poc_rows, headers, partner, source_sha256,
                       (codes, vocab), cells)
    if not sacs:
        return headers, changes, empty_table(CHANGE_SACS)
    return headers, changes, _change_sacs(result, sets, set_of_row, [(rows_of(s), at) for s, at in _ALLOWANCES],
                                          poc_rows, headers, lineage, partner, source_sha256)


def _change_sacs(result: ParseResult, sets, set_of_row: np.ndarray, segments: list, poc_rows: np.ndarray,
                 headers: pa.Table, lineage: dict, partner: str, sha: str) -> pa.Table:
    """CHANGE_SACS: each SAC (ITA in 003010/003020) of the 860 sets whose SAC01 is A, C or N, read as the 850's
    (parsers.orders_850._sac_rows: its POC loop, the last POC before it in its set, is its line: POC01), with
    the set's BCH01 and the loop's POC02."""
    cells = _Cells(result)
    tables = [_sac_rows(result, sets, set_of_row, rows, at, poc_rows, cells, partner, sha,
                        headers["po_number"].combine_chunks(), lineage, kinds=("A", "C", "N"))
              for rows, at in segments if len(rows)]
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return empty_table(CHANGE_SACS)
    t = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    t = t.take(pc.sort_indices(t["file_segment"]))
    # each row's set (by its order_ref) and POC loop (the POC whose POC01 and position precede it)
    refs = headers["change_ref"].to_pylist()
    set_index = pa.array([refs.index(r) for r in t["order_ref"].to_pylist()], pa.int64())
    purpose = headers["purpose"].combine_chunks().take(set_index)
    rows = t["file_segment"].to_numpy(zero_copy_only=False).astype(np.int64) - 1
    at = np.searchsorted(poc_rows, rows, side="right") - 1 if len(poc_rows) else np.full(len(rows), -1)
    on_line = pc.is_valid(t["line_number"]).to_numpy(zero_copy_only=False)
    kinds = _columns(result.segments.elements.take(pa.array(poc_rows[np.maximum(at, 0)], pa.int64())), 3)[2] \
        if len(poc_rows) else pa.nulls(len(rows), pa.string())
    change_type = pc.if_else(pa.array(on_line), kinds, pa.scalar(None, pa.string()))
    total = pc.fill_null(pc.is_in(change_type, value_set=pa.array(sorted(TOTAL_CHARGE_TYPES), pa.string())), False)
    if pc.any(total).as_py():  # a CG loop's SACs change the order's total-level ones: the heading's
        for name in ("line_number", "line_id"):
            at_col = t.schema.get_field_index(name)
            t = t.set_column(at_col, t.schema.field(at_col), pc.if_else(total, pa.scalar(None, t[name].type), t[name]))
        change_type = pc.if_else(total, pa.scalar(None, pa.string()), change_type)
    return t.append_column("purpose", purpose).append_column("change_type", change_type).cast(CHANGE_SACS)


# the heading segments kept whole, the first of each (as the 850's ORDERS columns of the same names): not applied,
# engine.changes names one that is not the order's own (a replace, BCH01 05, restates the PO's routing and terms)
_WHOLE = {"ITD": "itd_sent", "TD5": "td5_sent", "FOB": "fob_sent"}


def _heading(result: ParseResult, sets, cells: _Cells) -> dict[str, pa.Array]:
    """The heading's new order-level values per set (before the first POC): DTM 002/010/037/038 (the first
    of each), and the first N1 ST party with its N2 (joined to the name after ", ", and on its own: ship_to_name2,
    name2_kept), N3s (a second's street joining address2 after ", "), N4 and PER (ship_to_contact_sent), as the 850
    reads them; the first CUR's currency (CUR02); the first CSH01 sent (the order's new sales requirement);
    the first ITD, TD5 and FOB whole (as the 850's itd_sent, td5_sent,
    fob_sent); each N1 BT / BY / Z7 loop
    (KEPT_PARTIES: not applied, compared with the order's by engine.changes) as the 850 reads a party, with
    its N1's position; each heading REF before the first N1 (refs_sent; their REF03s: ref_descriptions).
    A set that sends none leaves them null (the order keeps its own). An N101 is read through ``cells`` (the 850's
    reading: an entity code sent in small letters, `N1*st`, is read as ST; parsers.orders_850._Cells._capitals): it
    used to be read as sent here, the 860's new ship-to dropped and its parties not compared."""
    seg = result.segments
    ids = seg.ids
    n1_rows = np.flatnonzero(pc.equal(ids, "N1").to_numpy(zero_copy_only=False))
    n101 = dict(zip(n1_rows.tolist(), cells.column(n1_rows, 1).to_pylist(), strict=True)) if cells.case_told else {}
    found: list[dict] = []
    whole_rows: dict[str, list[int]] = {sid: [] for sid in _WHOLE}  # each set's first heading ITD/TD5/FOB, -1: none
    for _ic, _g, ts in sets:
        for rows_of in whole_rows.values():
            rows_of.append(-1)
        got: dict = {}
        party = None  # the N1 qualifier of the loop we are in
        kept: dict | None = None  # the KEPT_PARTIES loop we are in
        streets: list[str] = []
        n2s: list[list[str]] = []  # the ship-to's N2s, each its elements
        dtms: list[list] = []  # the heading's DTMs' elements, in order
        for row in range(ts.start, ts.end + 1):
            sid = ids[row].as_py()
            if sid in ("POC", "CTT", "SE"):
                break
            if sid in whole_rows and whole_rows[sid][-1] < 0:
                whole_rows[sid][-1] = row
            if sid not in ("DTM", "N1", "N2", "N3", "N4", "PER", "CUR", "REF", "CSH"):
                continue
            el = [(v or "").rstrip(" ") or None for v in seg.elements[row].as_py()] + [None] * 6
            if row in n101:  # (its N101 as the 850 reads it: in capitals when sent in small letters)
                el[1] = (n101[row] or "").rstrip(" ") or None
            if sid == "REF":  # the heading's own (an N1 loop's REFs name its party)
                if el[1] and el[2] and not got.get("n1_seen"):
                    got.setdefault("refs_sent", []).append({"qualifier": el[1], "id": el[2]})
                if el[1] and not got.get("n1_seen"):  # its REF03, as the 850's ref_descriptions keep it
                    _described(got.setdefault("described", {}), el[1], bool(el[2]), el[3])
            elif sid == "CUR":
                got.setdefault("currency_sent", (el[2] or "").strip().upper() or None)
            elif sid == "CSH" and (el[1] or "").strip() and not got.get("n1_seen"):  # the order's new CSH01 (the
                # first CSH that sends one, as the 850's heading is read; in capitals: code list 563 has no others)
                got.setdefault("sales_requirement", el[1].strip().upper())
            elif sid == "DTM":
                dtms.append(el)
            elif sid == "N1":
                got["n1_seen"] = True
                party = el[1] if el[1] == "ST" and "ship_to_taken" not in got else None
                if party:
                    got.update(ship_to_taken=True, ship_to_name=el[2], ship_to_id_qualifier=el[3], ship_to_id=el[4])
                kept = {"qualifier": el[1], "name": el[2], "id_qualifier": el[3], "id": el[4],
                        "segment_position": row - ts.start + 1} if el[1] in KEPT_PARTIES else None
                if kept:
                    got.setdefault("parties_sent", []).append(kept)
            elif party and sid == "N2":  # joined to the name after ", ", and kept on its own, as the 850 reads it
                # (schemas.orders ship_to_name2: the 856 and 810 write it as N2 again, not run into N102)
                more = [v for v in (el[1], el[2]) if v]
                got["ship_to_name"] = ", ".join(v for v in (got.get("ship_to_name"), *more) if v)
                n2s.append(more)  # each N2's elements apart (name2_kept: written back as sent)
                got["ship_to_name2"] = name2_kept(n2s)
            elif party and sid == "N3":
                streets += [v for v in (el[1], el[2]) if v]
            elif party and sid == "PER" and "ship_to_contact_sent" not in got:  # the new ship-to's contact (a drop
                # ship's consumer), as the 850's ship_to_contact_sent: PER01.. as sent
                got["ship_to_contact_sent"] = ELEMENTS_SEP.join((v or "").rstrip(" ")
                                                                for v in seg.elements[row].as_py()[1:])
            elif party and sid == "N4" and "ship_to_city" not in got:
                got.update(ship_to_city=el[1], ship_to_state=_n4_state(el), ship_to_postal_code=el[3],
                           ship_to_country=el[4])
            elif kept and sid == "N2":  # joined to the name after ", ", as the 850's (the order's name to compare)
                kept["name"] = ", ".join(v for v in (kept.get("name"), el[1], el[2]) if v)
            elif kept and sid == "N3":  # a second N3's street joins address2, as the 850's (after ", ")
                more = [v for v in (el[1], el[2]) if v]
                if kept.get("address1") is None and more:
                    kept["address1"], more = more[0], more[1:]
                if more:
                    kept["address2"] = ", ".join(v for v in (kept.get("address2"), *more) if v)
            elif kept and sid == "N4" and "city" not in kept:
                kept.update(city=el[1], state=_n4_state(el), postal_code=el[3], country=el[4])
        if streets:
            got.update(ship_to_address1=streets[0], ship_to_address2=", ".join(streets[1:]) or None)
        # each date's first DTM, else its first twin's as the 850 reads them (106 Required By as 002 ...): DTM02,
        # or DTM06 as DTM05 says (parsers.x12_dates.dtm_date)
        for q, at in taken_dtms([d[1] for d in dtms], HEADER_DATES).items():
            el = dtms[at]
            got[f"{HEADER_DATES[q]}:text"] = dtm_date(pa.array([el[2]], pa.string()), pa.array([el[5]], pa.string()),
                                                      pa.array([el[6]], pa.string()), end=q in LATEST_DATES,
                                                      dtm07=pa.array([el[7]], pa.string())).to_pylist()[0]
            if q in RANGE_ENDS:  # a date sent as a range keeps its last day (schemas.orders.RANGE_ENDS)
                window = dtm_window(*(pa.array([el[k]], pa.string()) for k in (2, 5, 6)),
                                    dtm07=pa.array([el[7]], pa.string()))
                got[f"{RANGE_ENDS[q]}:text"] = window[1].to_pylist()[0]
            if q == "010":  # a requested ship range is the window, as the 850's (x12_dates.dtm_window)
                for name, text in zip(("ship_not_before", "ship_no_later"), window, strict=True):
                    got.setdefault(f"{name}:range", text.to_pylist()[0])
        for name in ("ship_not_before", "ship_no_later"):
            if got.get(f"{name}:text") is None and got.get(f"{name}:range"):
                got[f"{name}:text"] = got[f"{name}:range"]
        found.append(got)
    out: dict[str, pa.Array] = {}
    for name in (*HEADER_DATES.values(), *RANGE_ENDS.values()):
        out[name] = dates(pa.array([g.get(f"{name}:text") for g in found], pa.string()))
    for name in SHIP_TO_SENT:
        out[name] = pa.array([g.get(name) for g in found], pa.string())
    out["currency_sent"] = pa.array([g.get("currency_sent") for g in found], pa.string())
    out["sales_requirement"] = pa.array([g.get("sales_requirement") for g in found], pa.string())
    for sid, name in _WHOLE.items():
        rows = np.array([r for r in whole_rows[sid] if r >= 0], np.int64)
        sent = iter(_implied_form(_joined_elements(seg.elements, rows), _N_PLACES.get(sid)).to_pylist())
        out[name] = pa.array([next(sent) if r >= 0 else None for r in whole_rows[sid]], pa.string())
    out["parties_sent"] = pa.array([g.get("parties_sent") for g in found], pa.list_(PARTY_SENT))
    out["refs_sent"] = pa.array([g.get("refs_sent") for g in found], pa.list_(LINE_REF))
    out["ref_descriptions"] = pa.array([[{"qualifier": q, "description": text} for q, (_v, text) in
                                         g["described"].items() if text] or None if g.get("described") else None
                                        for g in found], pa.list_(REF_DESCRIPTION))
    return out


def _described(kept: dict[str, tuple[bool, str | None]], qualifier: str, has_value: bool, text: str | None) -> None:
    """Keep, per REF01 of the heading, the REF03 (``text``) of its first REF with a REF02 (``has_value``), else of its
    first REF with a REF03 (REF*JB**SPRING RESET: stated by REF03 alone, REF's R0203), as the 850 reads ORDERS
    ref_descriptions (parsers.orders_850._ref_descriptions): in the order each qualifier was first sent."""
    had = kept.get(qualifier)
    if had is None or (not had[0] and has_value) or (had == (False, None) and text):
        kept[qualifier] = (has_value, text)


def _n4_state(el: list) -> str | None:
    """An N4's state as the 850 reads it (parsers.orders_850._state_by_location): N402, else N406 where N405 is SP
    (code list 309 "State/Province"), else (005010 on) N407, the country subdivision code: a Mexican chain's
    CEDIS in Nuevo Leon, ``N4*MONTERREY**64000*MX*SP*NLE``, is in NLE, not in no state."""
    return el[2] or (el[6] if el[5] == "SP" else None) or el[7]


def _changes(
    result, sets, set_of_row, poc_rows, headers: pa.Table, partner: str, sha: str,
    ids: tuple[np.ndarray, list], cells: _Cells
) -> pa.Table:
    """The POC lines (ORDER_CHANGES); ``ids``: the segment codes and their vocabulary (read_changes'); ``cells``:
    the file's one element index (parsers.orders_850._Cells) every POC-loop reader below reads."""
    n_lines = len(poc_rows)
    if not n_lines:
        return ORDER_CHANGES.empty_table()
    codes, vocab = ids
    seg = result.segments
    el = _columns(seg.elements.take(pa.array(poc_rows, pa.int64())), _POC_WIDTH)
    line_set = set_of_row[poc_rows]
    starts = np.r_[0, np.flatnonzero(np.diff(line_set)) + 1]
    poc_number = np.arange(n_lines) - np.repeat(starts, np.diff(np.r_[starts, n_lines])) + 1
    st_rows = np.array([ts.start for _ic, _g, ts in sets], dtype=np.int64)
    components = [seg.component[int(r)] for r in poc_rows]
    pair_q = [el[k] for k in range(8, _POC_WIDTH, 2)]
    pair_v = [el[k] for k in range(9, _POC_WIDTH, 2)]
    # a qualifier in small letters whose capitals are one we read ("bp": BP), as the 850 reader reads it
    read = [capital_qualifiers(q) for q in pair_q]
    pair_q = [q for q, _sent in read]
    case_sent = codes_case_sent(n_lines, [
        (np.arange(n_lines), ["POC07"] * n_lines, capital_bases(el[7])[1]),
        *((np.arange(n_lines), [f"POC{k:02d}"] * n_lines, sent) for k, (_q, sent) in zip(range(8, _POC_WIDTH, 2),
                                                                                          read, strict=True)),
        *_lines_case_told(set_of_row, poc_rows, cells)])  # the POC loop's LIN, SLN, CTP, N1 codes (the 850's)
    product_cols, product_ids = _products(pair_q, pair_v, n_lines)
    desc, pids = _descriptions(result, set_of_row, poc_rows, ids) if "PID" in vocab else (
        [None] * n_lines, pa.nulls(n_lines, pa.list_(PID_SENT)))
    lineage = _lineage(result, sets, line_set, sha)
    take = pa.array(line_set, pa.int64())
    price_text = el[6]
    unit_price = _decimal(price_text)
    multiplier = pa.nulls(n_lines, pa.string())
    bases = el[7]
    price_unit = pa.nulls(n_lines, pa.string())
    if "CTP" in vocab and unit_price.null_count:
        # a POC without POC06 whose new price is in a CTP of its loop (CTP02 UCP/CON/NET), as the 850's PO1 may
        # carry it: the 850 reader takes that price, so the change does too (the quantity break that applies to
        # POC03, several cost CTPs being breaks)
        ctp_text, _, multiplier, ctp_basis, ctp_unit = _ctp_prices(set_of_row, poc_rows, codes, vocab, cells,
                                                         _decimal(el[3]), _first_component(el[5], components),
                                                         seg.component)
        multiplier = pc.if_else(pc.is_null(unit_price), multiplier, pa.scalar(None, pa.string()))
        from_ctp = pc.and_(pc.is_null(unit_price), pc.is_valid(ctp_text))
        unit_price = pc.coalesce(unit_price, _decimal(ctp_text))
        price_text = pc.if_else(from_ctp, ctp_text, price_text)
        # the CTP's own basis (CTP09) where POC07 sends none, as the 850's: 272 per hundred is 2.72 per each, and the
        # 865 echoes 2.72 PE (it took 272 per each and echoed 272 with no basis)
        bases = pc.if_else(pc.and_(from_ctp, pc.is_null(bases)), ctp_basis, bases)
        # the CTP's own unit (CTP05) is the unit its price is per: kept where POC05 names another or none
        # (POC*1*PC***EA with CTP**UCP*36*1*CA is 36 per CA, 3.00 per EA; it was read 36 per EA)
        poc_unit = capital_units(_first_component(el[5], components))[0]
        other = pc.and_(from_ctp, pc.fill_null(pc.not_equal(ctp_unit, pc.fill_null(poc_unit, "")), False))
        price_unit = pc.if_else(other, ctp_unit, price_unit)
    # the numbers as sent where our decimal128(18, 4) reading rounds them (past 4 decimals): engine.changes
    # rejects such a POC rather than apply another quantity or price than the buyer's
    price_sent = _rounded(price_text, unit_price)
    quantity_text, left_text = el[3], _first_component(el[4], components)
    quantity, left = _decimal(quantity_text), _decimal(left_text)
    # a price per hundred, thousand, dozen ... restated per unit where exact, as the 850 reader does (the
    # change compared with the stored line in the same terms)
    # the unit the price is per: its CTP's CTP05 where that is another than POC05, else POC05
    units_sent = pc.coalesce(price_unit, _first_component(el[5], components))
    unit_price, basis, per_many = per_unit_prices(unit_price, bases, pc.is_null(price_sent), units_sent)
    basis = _per_pack(basis, per_many, units_sent)
    po4 = _po4_packs(set_of_row, poc_rows, codes, vocab, cells)  # the POC loop's PO4, read as the 850's PO1 loop's
    data = {
        "partner": pa.array([partner] * n_lines, pa.string()),
        "change_ref": lineage["order_ref"],
        "po_number": headers["po_number"].combine_chunks().take(take),
        "purpose": headers["purpose"].combine_chunks().take(take),
        "change_date": headers["change_date"].combine_chunks().take(take),
        "poc_number": pa.array(poc_number, pa.int32()),
        "line_id": el[1],
        "change_type": el[2],
        "quantity_ordered": quantity,
        "quantity_left_to_receive": left,
        **dict(zip(("unit", "unit_sent"), capital_units(_first_component(el[5], components)), strict=True)),
        "unit_price": unit_price,
        "price_basis": basis,
        "quantity_sent": _rounded(quantity_text, quantity),
        "quantity_left_sent": _rounded(left_text, left),
        "price_sent": price_sent,
        "price_multiplier_sent": multiplier,
        "price_unit": price_unit,
        **{
            c: product_cols.get(c, pa.nulls(n_lines, pa.string()))
            for c in ("upc", "gtin", "ean", "vendor_part", "buyer_part")
        },
        "product_ids": product_ids,
        "codes_case_sent": case_sent,
        "description": pa.array(desc, pa.string()),
        "pids_sent": pids,  # the POC loop's PIDs as sent, read as the 850's PO1 loop's
        # 037/038: the POC's window; a DTM 010 / 002 range's last day (RANGE_ENDS), as the 850's PO1 loop's
        **line_dates(set_of_row, poc_rows, codes, vocab, cells, CHANGE_LINE_DATES, ends=RANGE_ENDS),
        **dict(zip(("po4_pack", "po4_inner_pack", "po4_size", "po4_size_unit"), po4, strict=True)),
        # the POC loop's SDQ (the 860's, as the 850's PO1 loop's): the line's new store split
        "store_quantities": store_quantities(set_of_row, poc_rows, codes, vocab, cells),
        # the POC loop's SLN I sublines (as the 850's PO1 loop's): the pack's new contents
        "prepack_components": prepack_components(set_of_row, poc_rows, codes, vocab, cells, seg.component),
        # the POC loop's CTPs (as the 850's PO1 loop's): the line's new prices as sent (a retail price an 810 echoes)
        "line_prices": line_prices(set_of_row, poc_rows, codes, vocab, cells, seg.component),
        # the POC loop's exempting TXIs (as the 850's PO1 loop's): the taxes the line is exempt from (null: none sent)
        "tax_exempt_sent": tax_exemptions(set_of_row, poc_rows, codes, vocab, cells),
        # the POC loop's first CSH01, else IT801 (as the 850's PO1 loop's): the line's own back-order rule
        "sales_requirement": sales_requirements(set_of_row, poc_rows, codes, vocab, cells),
        # the POC loop's first N1*Z7 (as the 850's PO1 loop's): the party the line's goods are marked for
        **line_marks_for(set_of_row, poc_rows, codes, vocab, cells),
        # the POC loop's first N1*ST with its N3/N4 (as the 850's PO1 loop's): the place the line's goods go to now
        **line_ship_tos(set_of_row, poc_rows, codes, vocab, cells),
        # the POC loop's own REFs (as the 850's PO1 loop's): the line's references as sent
        "line_refs": line_refs(set_of_row, poc_rows, codes, vocab, cells),
        **{k: lineage[k] for k in _LINEAGE_FIELDS},
        "segment_position": pa.array(poc_rows - st_rows[line_set] + 1, pa.int32()),
        "file_segment": pa.array(poc_rows + 1, pa.int32()),
    }
    return pa.table(data, schema=ORDER_CHANGES)


def _per_pack(basis: pa.Array, per_many: pa.Array, units: pa.Array) -> pa.Array:
    """POC07 as read (``basis``) with no basis where a price per hundred, thousand or dozen ... (``per_many``: the
    basis as sent where per_unit_prices restated it; PRICE_PER_MANY) of a POC05 that is a pack of eaches (CA, BX, DZ:
    schemas.units.pack_unit) was restated per one of it: that price is per POC05 unit (36 per CA for 3600 HP), which
    engine.changes restates per the line's unit as a price sent per another unit; labelled PE it read as 36 per each
    (POC*1*PC***CA*3600*HP on a line in eaches stored at 36 per each, twelve times the price per case)."""
    if per_many.null_count == len(per_many):
        return basis
    out = basis.to_pylist()
    for i, (sent, unit) in enumerate(zip(per_many.to_pylist(), units.to_pylist(), strict=True)):
        if sent in PRICE_PER_MANY and out[i] in PRICE_PER_EACH and pack_unit((unit or "").strip().upper()):
            out[i] = None
    return pa.array(out, pa.string())


def _first_component(values: pa.Array, components: list[str]) -> pa.Array:
    """The first component of a composite element (POC04 in 005010, POC05's C001), per row's separator."""
    out = values
    for sep in set(components):
        if not sep:
            continue
        mask = pa.array([c == sep for c in components], pa.bool_())
        head = pc.list_element(pc.split_pattern(values, sep), 0)
        out = pc.if_else(mask, head, out)
    return pc.if_else(pc.fill_null(pc.equal(out, ""), False), pa.scalar(None, pa.string()), out)


def _products(pair_q: list[pa.Array], pair_v: list[pa.Array], n: int) -> tuple[dict[str, pa.Array], pa.Array]:
    """Canonical product columns by qualifier (first hit wins) and every pair as list<struct>."""
    cols: dict[str, pa.Array] = {}
    for qual, col in PRODUCT_QUALIFIERS.items():
        acc = cols.get(col, pa.nulls(n, pa.string()))
        for q, v in zip(pair_q, pair_v, strict=True):
            acc = pc.coalesce(
                acc, pc.if_else(pc.fill_null(pc.equal(q, qual), False), v, pa.scalar(None, pa.string()))
            )
        cols[col] = acc
    q_mat = np.column_stack([q.to_numpy(zero_copy_only=False) for q in pair_q])
    v_mat = np.column_stack([v.to_numpy(zero_copy_only=False) for v in pair_v])
    keep = np.not_equal(q_mat, None)
    offsets = np.r_[0, np.cumsum(keep.sum(axis=1))].astype(np.int32)
    structs = pa.StructArray.from_arrays(
        [pa.array(q_mat[keep], pa.string()), pa.array(v_mat[keep], pa.string())], fields=list(PRODUCT_ID)
    )
    return cols, pa.ListArray.from_arrays(pa.array(offsets), structs)


def _descriptions(
    result: ParseResult, set_of_row: np.ndarray, poc_rows: np.ndarray, ids: tuple[np.ndarray, list]
) -> tuple[list, pa.Array]:
    """PID05 of the first described PID of each POC loop's own (before any of _NOT_THE_LINES: a PID after an SLN
    describes that subline), not one of a colour or size (ATTRIBUTE_PIDS); and the loop's PIDs as sent, as the 850's
    (parsers.orders_850.pids_sent: ORDER_CHANGES pids_sent)."""
    desc: list = [None] * len(poc_rows)
    pid_rows, owner = _lines_own(set_of_row, poc_rows, *ids, "PID")
    if not len(pid_rows):
        return desc, pa.nulls(len(poc_rows), pa.list_(PID_SENT))
    pid_el = _columns(result.segments.elements.take(pa.array(pid_rows, pa.int64())), 10)
    for line, kind, text in zip(owner.tolist(), pid_el[2].to_pylist(), pid_el[5].to_pylist(), strict=True):
        if text is not None and desc[line] is None and kind not in ATTRIBUTE_PIDS:
            desc[line] = text
    return desc, pids_sent(len(poc_rows), owner, pid_el[1], pid_el[2], pid_el[5], pid_el[9])
