"""850 transaction sets -> canonical ORDERS and ORDER_LINES tables (schemas.orders), columnar.

Rows are located with numpy over the segment table (which set, which PO1 owns a PID, which N1
owns an N3/N4); no per-segment Python objects. Values are converted in one place (_decimal,
_date). Problems with content are findings from rules/, not from here.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_reader import ParseResult
from schemas.orders import ORDER_LINES, ORDERS, PRODUCT_ID, PRODUCT_QUALIFIERS
from schemas.x12 import Group, Interchange, TransactionSet

PARTIES = {"ST": "ship_to", "BT": "bill_to", "BY": "buyer"}
DATES = {"002": "requested_delivery_date", "010": "requested_ship_date", "037": "ship_not_before",
         "038": "ship_no_later"}
_DEC = r"^-?(\d{1,14})(\.\d*)?$|^-?\.\d+$"


def _decimal(values: pa.Array, scale: int = 4) -> pa.Array:
    """Strings to decimal128(18, scale); anything unparsable becomes null (rules report it)."""
    values = values.cast(pa.string())
    ok = pc.fill_null(pc.match_substring_regex(values, _DEC), False)
    clean = pc.if_else(ok, values, pa.scalar(None, pa.string()))
    clean = pc.if_else(pc.starts_with(clean, "."), pc.binary_join_element_wise("0", clean, ""), clean)
    clean = pc.if_else(pc.starts_with(clean, "-."), pc.replace_substring(clean, "-.", "-0."), clean)
    clean = pc.if_else(pc.ends_with(clean, "."), pc.binary_join_element_wise(clean, "0", ""), clean)
    wide = pc.cast(clean, pa.decimal128(38, 12))
    return pc.cast(pc.round(wide, scale), pa.decimal128(18, scale))


def _date(values: pa.Array) -> pa.Array:
    ts = pc.strptime(values.cast(pa.string()), format="%Y%m%d", unit="s", error_is_null=True)
    return pc.cast(ts, pa.date32())


def _int(values: pa.Array) -> pa.Array:
    values = values.cast(pa.string())
    ok = pc.fill_null(pc.match_substring_regex(values, r"^-?\d{1,9}$"), False)
    return pc.cast(pc.if_else(ok, values, pa.scalar(None, pa.string())), pa.int32())


def _columns(rows: pa.ListArray, width: int) -> list[pa.Array]:
    """Element 0..width-1 of every row as columns (missing elements are null, empty strings null)."""
    fixed = pc.list_slice(rows, 0, width, return_fixed_size_list=True)
    flat = fixed.flatten() if len(rows) else pa.array([], pa.string())
    n = len(rows)
    idx = np.arange(n, dtype=np.int64) * width
    cols = []
    for k in range(width):
        col = flat.take(pa.array(idx + k)) if n else pa.array([], pa.string())
        col = col.cast(pa.string())
        cols.append(pc.if_else(pc.fill_null(pc.equal(col, ""), False), pa.scalar(None, pa.string()), col))
    return cols


def read_orders(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], *, partner: str,
                source_sha256: str = "") -> tuple[pa.Table, pa.Table]:
    """Canonical (orders, order_lines) for the given 850 sets of one parsed file."""
    if not sets:
        return ORDERS.empty_table(), ORDER_LINES.empty_table()
    seg = result.segments
    n = len(seg)
    nsets = len(sets)
    set_of_row = np.full(n, -1, dtype=np.int64)
    for k, (_ic, _g, ts) in enumerate(sets):
        set_of_row[ts.start: ts.end + 1] = k
    dids = seg.ids.dictionary_encode()
    vocab = dids.dictionary.to_pylist()
    codes = dids.indices.to_numpy(zero_copy_only=False)

    def rows_of(seg_id: str) -> np.ndarray:
        if seg_id not in vocab:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero((codes == vocab.index(seg_id)) & (set_of_row >= 0))

    po1_rows = rows_of("PO1")
    # header area = rows before the set's first PO1
    first_po1 = np.full(nsets, np.iinfo(np.int64).max, dtype=np.int64)
    if len(po1_rows):
        np.minimum.at(first_po1, set_of_row[po1_rows], po1_rows)
    in_header = np.zeros(n, dtype=bool)
    member = set_of_row >= 0
    in_header[member] = np.arange(n)[member] < first_po1[set_of_row[member]]

    def header_rows(seg_id: str) -> np.ndarray:
        r = rows_of(seg_id)
        return r[in_header[r]]

    def first_per_set(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sets_r = set_of_row[r]
        uniq, first = np.unique(sets_r, return_index=True)
        return uniq, r[first]

    def header_field(seg_id: str, width: int, picks: dict[str, int], cols: dict[str, pa.Array],
                     where=None) -> None:
        r = header_rows(seg_id)
        if where is not None and len(r):
            r = r[where(r)]
        s, r = first_per_set(r) if len(r) else (np.empty(0, np.int64), r)
        el = _columns(seg.elements.take(pa.array(r, pa.int64())), width)
        for name, k in picks.items():
            full = [None] * nsets
            vals = el[k].to_pylist()
            for si, v in zip(s.tolist(), vals):
                full[si] = v
            cols[name] = pa.array(full, pa.string())

    cols: dict[str, pa.Array] = {}
    header_field("BEG", 6, {"purpose": 1, "order_type": 2, "po_number": 3, "release_number": 4, "po_date": 5}, cols)
    header_field("CUR", 3, {"currency": 2}, cols)
    header_field("ITD", 13, {"terms_type": 1, "terms_discount_percent": 3, "terms_discount_days": 5,
                             "terms_net_days": 7, "terms_description": 12}, cols)
    # CTT sits in the summary, after the lines
    ctt = rows_of("CTT")
    ctt_full = [None] * nsets
    if len(ctt):
        s, r = first_per_set(ctt)
        for si, v in zip(s.tolist(), _columns(seg.elements.take(pa.array(r, pa.int64())), 2)[1].to_pylist()):
            ctt_full[si] = v
    cols["ctt_line_count"] = pa.array(ctt_full, pa.string())
    # dates by DTM01 qualifier (first of each per set)
    dtm = header_rows("DTM")
    dtm_el = _columns(seg.elements.take(pa.array(dtm, pa.int64())), 3)
    for qual, name in DATES.items():
        mask = pc.fill_null(pc.equal(dtm_el[1], qual), False).to_numpy(zero_copy_only=False) if len(dtm) else []
        r = dtm[mask] if len(dtm) else dtm
        full = [None] * nsets
        if len(r):
            s, r1 = first_per_set(r)
            vals = _columns(seg.elements.take(pa.array(r1, pa.int64())), 3)[2].to_pylist()
            for si, v in zip(s.tolist(), vals):
                full[si] = v
        cols[name] = pa.array(full, pa.string())
    # parties: header N1 loops; N2/N3/N4 belong to the closest N1 above them
    owner = np.where(np.isin(codes, [vocab.index("N1")] if "N1" in vocab else []), np.arange(n), -1)
    owner = np.maximum.accumulate(owner) if n else owner
    n1 = header_rows("N1")
    n1_el = _columns(seg.elements.take(pa.array(n1, pa.int64())), 5)
    n1_code = n1_el[1].to_pylist()
    party_of_n1: dict[int, tuple[int, str]] = {}
    party_vals: dict[str, list] = {}
    for prefix in PARTIES.values():
        for f in ("name", "id_qualifier", "id", "address1", "address2", "city", "state", "postal_code", "country"):
            party_vals[f"{prefix}_{f}"] = [None] * nsets
    names, quals, ids_ = n1_el[2].to_pylist(), n1_el[3].to_pylist(), n1_el[4].to_pylist()
    for i, row in enumerate(n1.tolist()):
        prefix = PARTIES.get(n1_code[i] or "")
        si = int(set_of_row[row])
        if prefix and party_vals[f"{prefix}_name"][si] is None and party_vals[f"{prefix}_id"][si] is None:
            party_of_n1[row] = (si, prefix)
            party_vals[f"{prefix}_name"][si] = names[i]
            party_vals[f"{prefix}_id_qualifier"][si] = quals[i]
            party_vals[f"{prefix}_id"][si] = ids_[i]
    for seg_id, fields in (("N3", ("address1", "address2")), ("N4", ("city", "state", "postal_code", "country"))):
        r = header_rows(seg_id)
        if not len(r):
            continue
        el = _columns(seg.elements.take(pa.array(r, pa.int64())), len(fields) + 1)
        values = [c.to_pylist() for c in el[1:]]
        for i, row in enumerate(r.tolist()):
            hit = party_of_n1.get(int(owner[row]))
            if hit is None:
                continue
            si, prefix = hit
            if party_vals[f"{prefix}_{fields[0]}"][si] is None:
                for f, vals in zip(fields, values):
                    party_vals[f"{prefix}_{f}"][si] = vals[i]
    # --- lines ----------------------------------------------------------------------------------
    lines = _lines(result, sets, set_of_row, po1_rows, codes, vocab, partner, source_sha256)
    line_counts = np.bincount(set_of_row[po1_rows], minlength=nsets) if len(po1_rows) else np.zeros(nsets, int)
    lineage = _lineage(result, sets, np.arange(nsets), source_sha256)
    orders = {
        "partner": pa.array([partner] * nsets, pa.string()),
        "order_ref": lineage["order_ref"],
        "po_number": pc.fill_null(cols["po_number"], ""),
        "purpose": cols["purpose"], "order_type": cols["order_type"], "release_number": cols["release_number"],
        "po_date": _date(cols["po_date"]),
        "version": pa.array([g.version for _ic, g, _ts in sets], pa.string()),
        "currency": cols["currency"], "terms_type": cols["terms_type"],
        "terms_discount_percent": _decimal(cols["terms_discount_percent"]).cast(ORDERS.field(
            "terms_discount_percent").type),
        "terms_discount_days": _int(cols["terms_discount_days"]),
        "terms_net_days": _int(cols["terms_net_days"]),
        "terms_description": cols["terms_description"],
        **{name: _date(cols[name]) for name in DATES.values()},
        **{k: pa.array(v, pa.string()) for k, v in party_vals.items()},
        "line_count": pa.array(line_counts, pa.int32()),
        "ctt_line_count": _int(cols["ctt_line_count"]),
        **{k: lineage[k] for k in ("source_file", "source_sha256", "isa13", "gs06", "st02")},
        "st_file_segment": pa.array([ts.start + 1 for _ic, _g, ts in sets], pa.int32()),
    }
    return pa.table(orders, schema=ORDERS), lines


def _lineage(result: ParseResult, sets, set_idx: np.ndarray, sha: str) -> dict[str, pa.Array]:
    isa = np.array([ic.control_number for ic, _g, _ts in sets], dtype=object)
    gs = np.array([g.control_number for _ic, g, _ts in sets], dtype=object)
    st = np.array([ts.control_number for _ic, _g, ts in sets], dtype=object)
    ref = np.array([f"{a}-{b}-{c}" for a, b, c in zip(isa, gs, st)], dtype=object)
    n = len(set_idx)
    return {
        "order_ref": pa.array(ref[set_idx] if n else [], pa.string()),
        "source_file": pa.array([result.file] * n, pa.string()),
        "source_sha256": pa.array([sha] * n, pa.string()),
        "isa13": pa.array(isa[set_idx] if n else [], pa.string()),
        "gs06": pa.array(gs[set_idx] if n else [], pa.string()),
        "st02": pa.array(st[set_idx] if n else [], pa.string()),
    }


def _lines(result, sets, set_of_row, po1_rows, codes, vocab, partner, sha) -> pa.Table:
    seg = result.segments
    n_lines = len(po1_rows)
    if not n_lines:
        return ORDER_LINES.empty_table()
    el = _columns(seg.elements.take(pa.array(po1_rows, pa.int64())), 26)
    line_set = set_of_row[po1_rows]
    # line_number: 1..n within each set (po1_rows are sorted, sets are contiguous)
    starts = np.r_[0, np.flatnonzero(np.diff(line_set)) + 1]
    line_number = np.arange(n_lines) - np.repeat(starts, np.diff(np.r_[starts, n_lines])) + 1
    st_rows = np.array([ts.start for _ic, _g, ts in sets], dtype=np.int64)
    # product ids by qualifier
    product_cols: dict[str, pa.Array] = {}
    pair_q = [el[k] for k in range(6, 26, 2)]
    pair_v = [el[k] for k in range(7, 26, 2)]
    for qual, col in PRODUCT_QUALIFIERS.items():
        acc = product_cols.get(col, pa.nulls(n_lines, pa.string()))
        for q, v in zip(pair_q, pair_v):
            hit = pc.fill_null(pc.equal(q, qual), False)
            acc = pc.coalesce(acc, pc.if_else(hit, v, pa.scalar(None, pa.string())))
        product_cols[col] = acc
    # every pair as list<struct>
    q_mat = np.column_stack([q.to_numpy(zero_copy_only=False) for q in pair_q])
    v_mat = np.column_stack([v.to_numpy(zero_copy_only=False) for v in pair_v])
    keep = np.not_equal(q_mat, None)
    counts = keep.sum(axis=1)
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int32)
    structs = pa.StructArray.from_arrays([pa.array(q_mat[keep], pa.string()), pa.array(v_mat[keep], pa.string())],
                                         fields=list(PRODUCT_ID))
    product_ids = pa.ListArray.from_arrays(pa.array(offsets), structs)
    # description: first PID with PID05 after each PO1 (and before the next PO1) in the same set
    desc = [None] * n_lines
    if "PID" in vocab:
        pid_rows = np.flatnonzero((codes == vocab.index("PID")) & (set_of_row >= 0))
        if len(pid_rows):
            owner_line = np.searchsorted(po1_rows, pid_rows, side="right") - 1
            ok = owner_line >= 0
            ok[ok] &= set_of_row[po1_rows[owner_line[ok]]] == set_of_row[pid_rows[ok]]
            pid_el = _columns(seg.elements.take(pa.array(pid_rows[ok], pa.int64())), 6)
            for line, text in zip(owner_line[ok].tolist(), pid_el[5].to_pylist()):
                if text is not None and desc[line] is None:
                    desc[line] = text
    lineage = _lineage(result, sets, line_set, sha)
    po_by_set = {}
    for k, (_ic, _g, ts) in enumerate(sets):
        po_by_set[k] = None
    beg = np.flatnonzero((codes == vocab.index("BEG")) & (set_of_row >= 0)) if "BEG" in vocab else np.empty(0, int)
    if len(beg):
        beg_po = _columns(seg.elements.take(pa.array(beg, pa.int64())), 4)[3].to_pylist()
        for row, po in zip(beg.tolist(), beg_po):
            po_by_set.setdefault(int(set_of_row[row]), po)
            if po_by_set[int(set_of_row[row])] is None:
                po_by_set[int(set_of_row[row])] = po
    po_numbers = np.array([po_by_set.get(k) or "" for k in range(len(sets))], dtype=object)
    data = {
        "partner": pa.array([partner] * n_lines, pa.string()),
        "order_ref": lineage["order_ref"],
        "po_number": pa.array(po_numbers[line_set], pa.string()),
        "line_number": pa.array(line_number, pa.int32()),
        "line_id": el[1],
        "quantity": _decimal(el[2]),
        "unit": el[3],
        "unit_price": _decimal(el[4]),
        "price_basis": el[5],
        **{c: product_cols.get(c, pa.nulls(n_lines, pa.string())) for c in ("upc", "gtin", "ean", "vendor_part",
                                                                               "buyer_part")},
        "product_ids": product_ids,
        "description": pa.array(desc, pa.string()),
        **{k: lineage[k] for k in ("source_file", "source_sha256", "isa13", "gs06", "st02")},
        "segment_position": pa.array(po1_rows - st_rows[line_set] + 1, pa.int32()),
        "file_segment": pa.array(po1_rows + 1, pa.int32()),
    }
    return pa.table(data, schema=ORDER_LINES)
