"""`orderbridge inspect FILE`: read and check one X12 file as a partner profile would by default (any
version), without a workspace; the JSON document `inspect --json` prints. Imports no typer, rich or
pydantic, so the command line's fast path (flows.entry) answers `inspect --json FILE` without loading
the whole CLI (about 0.4 s of a fresh process); flows.cli's `inspect` builds the same document here,
and reads a file with --partner through the whole per-file pipeline itself.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path


def read_checked(data: bytes, file: str):
    """(parse result, findings, ORDERS table, CHANGE_HEADERS table) of an X12 file read as a partner
    profile reads one by default (x12.other_versions = "common": any X12 version), orders only (no
    lines: the JSON shows orders)."""
    from flows.lean import without_pandas

    with without_pandas():  # reading and checking use no pandas: pyarrow must not import it (about 1 s)
        from parsers.orders_850 import read_orders
        from parsers.orders_860 import read_changes
        from parsers.x12_reader import read_interchanges
        from rules.envelope import Acceptance, check_envelopes
        from rules.structure import check_structure

        result = read_interchanges(data, file=file)
        from parsers.other_sets import received_not_processed

        # as a profile by default: any version, and the sets we do not process kept ([x12] other_sets "keep"), each
        # said in a line (an 820's total and invoices), not refused as an unsupported group
        # (its default `accepts`: 850, 860, 997 with the 999 read alike, 824, 864; and 875 and 876, which inspect
        # reads too)
        accept = Acceptance(sets={**Acceptance().sets, "FA": frozenset({"997", "999"}), "AG": frozenset({"824"}),
                                  "TX": frozenset({"864"})}, versions=None, keep_others=True)
        findings = _with_fix(list(result.findings), result) + check_envelopes(result, accept)
        every = list(result.transaction_sets())
        refused = {(f.location.isa13, f.location.gs06, f.location.st02 or "") for f in findings
                   if f.severity == "error"}
        findings += received_not_processed(result, [
            (ic, g, ts) for ic, g, ts in every if accept.kept(g.functional_id, ts.set_id) and not refused & {
                (ic.control_number, g.control_number, ts.control_number), (ic.control_number, g.control_number, ""),
                (ic.control_number, "", "")}], file)
        sets = [(ic, g, ts) for ic, g, ts in every if ts.set_id == "850"]
        grocery = [(ic, g, ts) for ic, g, ts in every if ts.set_id == "875" and g.functional_id == "OG"]
        change_sets = [(ic, g, ts) for ic, g, ts in every if ts.set_id == "860"]
        grocery_changes = [(ic, g, ts) for ic, g, ts in every if ts.set_id == "876" and g.functional_id == "OG"]
        findings += check_structure(result, every, common=True)
        from rules.lenient import accept_harmless

        # an element error in what an order is not made of, noted not refused: a profile's default ([x12]
        # element_errors "accept")
        findings = accept_harmless(findings, result, every, policy="accept")
        orders, _ = read_orders(result, sets, partner="", lines=False)
        if grocery:  # 875s, read as the 850s that say the same (parsers.orders_875), after the 850s
            import pyarrow as pa

            from parsers.orders_875 import as_850

            rewritten, as_850s, not_carried = as_850(result, grocery)
            findings += not_carried
            orders = pa.concat_tables([orders, read_orders(rewritten, as_850s, partner="", lines=False)[0]])
        changes, _ = read_changes(result, change_sets, partner="")
        if grocery_changes:  # 876s, read as the 860s that say the same (parsers.orders_876), after the 860s
            import pyarrow as pa

            from parsers.orders_876 import as_860

            rewritten, as_860s, not_carried = as_860(result, grocery_changes)
            findings += not_carried
            grocery = read_changes(rewritten, as_860s, partner="")[0]
            at = grocery.schema.get_field_index("set_id")  # each named an 876, as a partner's night names it
            grocery = grocery.set_column(at, grocery.schema.field(at),
                                         pa.array(["876"] * grocery.num_rows, pa.string()))
            changes = pa.concat_tables([changes, grocery])
    return result, findings, orders, changes


def _with_fix(findings: list, result) -> list:
    """``findings`` with X12_NOT_UTF8 saying what to set in the partner's profile, as a partner's night says it
    (engine.process.expected_encoding: a profile by default, [x12] encoding "auto")."""
    if not any(f.code == "X12_NOT_UTF8" for f in findings):
        return findings
    from dataclasses import replace

    from parsers.x12_reader import charset
    from schemas.charsets import not_utf8_fix

    fix = not_utf8_fix(charset(result))
    return [replace(f, message=f"{f.message} {fix}") if f.code == "X12_NOT_UTF8" else f for f in findings]


def jsonable(v):
    """orjson's fallback: decimals as strings (dates and times it writes itself, as ISO)."""
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    raise TypeError(f"not JSON: {type(v).__name__}")


def json_rows(table) -> list[dict]:
    """Rows of an Arrow table for JSON, column-wise: dates and decimals become their ISO / exact text in
    Arrow (no Python date or Decimal per cell), then one dict per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names, columns = table.column_names, []
    for name in names:
        col = table[name]
        if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type) or pa.types.is_decimal(col.type):
            col = pc.cast(col, pa.string())
        columns.append(col.to_pylist())
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def document(file: Path, result, findings, orders, changes) -> dict:
    """What `inspect --json` prints: the envelopes, every finding, the orders and the 860s read."""
    return {
        "file": str(file),
        "interchanges": [{
            "sender": ic.sender, "sender_qualifier": ic.sender_qualifier, "receiver": ic.receiver,
            "receiver_qualifier": ic.receiver_qualifier, "control_number": ic.control_number,
            "version": ic.version, "usage": ic.usage,
            "delimiters": {"element": ic.delimiters.element, "component": ic.delimiters.component,
                           "repetition": ic.delimiters.repetition, "segment": ic.delimiters.segment,
                           "release": ic.release},  # ISX01 (X12 007040+), "" when no ISX names one
            "readable": not ic.rejected,
            "groups": [{"functional_id": g.functional_id, "control_number": g.control_number, "version": g.version,
                        "sender": g.sender, "receiver": g.receiver,
                        "transactions": [{"set_id": ts.set_id, "control_number": ts.control_number,
                                          "segment_count": ts.segment_count} for ts in g.transactions]}
                       for g in ic.groups]} for ic in (result.interchanges if result is not None else ())],
        "findings": [f.to_dict() for f in findings],
        "orders": json_rows(orders),
        "changes": json_rows(changes) if changes is not None else [],
    }


def write_json(doc: dict) -> None:
    """The document on stdout, indented, in one write."""
    import orjson  # C encoder: the JSON of a 20 MB drop in a fraction of a second (json.dumps: seconds)

    sys.stdout.flush()
    sys.stdout.buffer.write(orjson.dumps(doc, default=jsonable, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    sys.stdout.buffer.flush()


def run_json(file: Path) -> int:
    """`inspect --json FILE` without --partner: print the document; the exit status (1 when the file has
    error findings, as flows.cli's `inspect`)."""
    from flows.exit_status import ExitStatus

    result, findings, orders, changes = read_checked(file.read_bytes(), file.name)
    write_json(document(file, result, findings, orders, changes))
    return int(ExitStatus.INPUT_ERRORS if any(f.severity == "error" for f in findings) else ExitStatus.OK)
