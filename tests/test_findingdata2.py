"""Findings are data (code, location, schemas.findings.Detail): code that acts on a finding reads those, never its
words (s63 findingdata2, after s62 findingdata).

- SHIPMENT_LABEL_VOIDED carries its row's quantity and item (Detail.quantity, item): voided_after_recorded words a
  recorded shipment's voided label from them (it cut the parser's message at " not recorded as shipped.").
- ship_to_mismatches names a multi-stop load's stop itself (``stops``): _stop_ship_tos renamed the shipment ids
  and rewrote the message with str.replace.
- A pallet across POs held (ASN_NOT_BUILT) names its shipment in its consequence and its detail.
- A kept set handed off under its own name (another set had the engine's) gets its finding made again from data
  (parsers.other_sets.Kept, kept_finding): flows.handoff rewrote its message with str.replace.
- LINE_SHIP_TO_DIFFERS of a CSV order says "its row's ship-to" where it is made (csv_located replaced the words).
- BACKORDER_AFTER_CANCEL carries the DTM01 of the date it was measured against (Detail.qualifier): csv_findings read
  its words for the column.
- A 997 answering a VICS group (003060VICS, 004010VICS) writes that GS08, identifier and all, unless the profile
  names the 997's; it wrote the release alone (003060).
- A census: no code in engine/, rules/, flows/ rewrites or reads a finding's words, but the allow-list's.
"""

from __future__ import annotations

import ast
from datetime import date, datetime

import pyarrow as pa
import pytest

from tests.support import REPO

# --- SHIPMENT_LABEL_VOIDED ------------------------------------------------------------------------------------------

_VOIDED_CSV = ("Shipment ID,Ship Date,PO Number,SKU,Quantity,Voided\nS1,2026-12-04,P1,A,2,True\n"
               "S1,2026-12-04,P1,B,3,\n")


def _voided_read():
    from engine.lifecycle.shipping import Confirmations
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    table, found = read_shipment_csv(_VOIDED_CSV.encode(), ShipmentCsvMapping(), file="c.csv")
    return Confirmations(table, tuple(found), "c.csv", "sha", {2: "S1"}, {2: "P1"})


def _recorded():
    from schemas.shipment_records import ShipmentRecord

    return [ShipmentRecord(warehouse="w", shipment_id="S1", partner="acme", ship_date=date(2026, 12, 3), lines=(),
                           source_file="earlier.csv")]


def test_a_voided_label_carries_its_row_s_quantity_and_item():
    [f] = _voided_read().findings
    assert (f.code, f.detail.quantity, f.detail.item) == ("SHIPMENT_LABEL_VOIDED", "2", "A")
    assert f.message == "Row 2: its label was voided (Voided 'True'): 2 of A on shipment S1 not recorded as shipped."


def test_a_voided_label_of_a_recorded_shipment_is_worded_from_its_data_not_cut_from_its_words():
    """The words of a label voided after its shipment was recorded are made from the finding's location and detail:
    telling it again gives the same words (cutting the message at " not recorded as shipped." failed then)."""
    from engine.lifecycle.repeats import voided_after_recorded

    told = voided_after_recorded(_voided_read(), _recorded())
    want = ("Row 2: its label was voided (Voided 'True'): 2 of A on shipment S1: recorded on 2026-12-03 from "
            "earlier.csv and its 856 sent, for a label voided since: tell the buyer (the goods' new label is a "
            "shipment of its own).")
    assert [f.message for f in told.findings] == [want]
    assert [f.message for f in voided_after_recorded(told, _recorded()).findings] == [want]


# --- a multi-stop load's ship-to, a pallet across POs ---------------------------------------------------------------

def _orders() -> pa.Table:
    return pa.table({"partner": ["acme"], "po_number": ["PO-7"], "ship_to_id_qualifier": ["92"],
                     "ship_to_id": ["15522"], "ship_to_postal_code": [None], "ship_to_name": ["SMITH ACE"]},
                    schema=pa.schema([(c, pa.string()) for c in ("partner", "po_number", "ship_to_id_qualifier",
                                                                  "ship_to_id", "ship_to_postal_code",
                                                                  "ship_to_name")]))


def _confirmed(*ids: str) -> pa.Table:
    rows = [{"shipment_id": "LOAD-1", "partner": "acme", "po_number": "PO-7", "line_id": str(k),
             "ship_to_id_qualifier": "92", "ship_to_id": i, "ship_to_postal_code": None, "source_file": "945.x12",
             "isa13": "1", "gs06": "1", "st02": "0001"} for k, i in enumerate(ids, start=1)]
    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in rows[0]]))


def test_a_stop_s_ship_to_mismatch_names_its_stop_where_it_is_made():
    """Each stop is compared as a shipment of its own and named "LOAD-1 (stop n)" by ship_to_mismatches itself."""
    from engine.lifecycle.ship_checks import ship_to_mismatches

    found = ship_to_mismatches(_confirmed("15522", "047"), _orders(), stops=[1, 2])
    assert [(i, f.message.split(" went to ")[0]) for i, f in found] == [(1, "Shipment LOAD-1 (stop 2)")]
    assert "went to 92 047 (N1 ST); order PO-7 ships to 92 15522 (SMITH ACE)" in found[0][1].message
    # outside a load (stops 0, or none given): the shipment as before, its two places told apart by ship_tos_mixed
    assert ship_to_mismatches(_confirmed("047"), _orders(), stops=[0])[0][1].message.startswith(
        "Shipment LOAD-1 went to 92 047")


def test_the_stop_findings_are_not_rewritten_by_the_shipping_stage():
    import inspect

    from engine.lifecycle import shipping

    assert ".replace(" not in inspect.getsource(shipping._stop_ship_tos)


from tests.test_asn_856_stoi import template  # noqa: E402,F401 (the fixture)


def test_a_pallet_of_two_ship_tos_held_names_its_shipment_in_its_consequence_and_detail(template, tmp_path):  # noqa: F811
    """ASN_NOT_BUILT for a pallet across POs holds its shipment: its consequence says "shipment S9 held: ..." and
    its detail names S9, as every other held shipment's (it said "shipment held:" and had no detail, so the
    reconciliation never saw it held)."""
    from tests.test_asn_856_stoi import _shipped
    from tests.test_shipment_findings_flow import row

    mixed = row(Carton_ID="", Pallet_ID="PAL-1") + row(PO_Number="ACME-7001", PO_Line="1", Carton_ID="",
                                                      Pallet_ID="PAL-1")
    _, state, _res = _shipped(template, tmp_path / "a", mixed,
                              ("acme", 'structure = "SOPI"', 'structure = "STOI"\nship_to_level = "order"'))
    [record] = [f for f in state.findings(run_id="t") if f["code"] == "ASN_NOT_BUILT"]
    assert record["consequence"] == ("shipment S9 held: no 856, nothing consumed; the warehouse must build one pallet "
                                     "per ship-to")
    held = state.held_shipment_findings().to_pylist()
    assert {(r["code"], r["shipment_id"]) for r in held} == {("ASN_NOT_BUILT", "S9")}


# --- a kept set handed off under its own name -----------------------------------------------------------------------

def test_a_set_handed_off_under_its_own_name_gets_its_finding_made_again_from_data(tmp_path):
    from flows.handoff import as_handed_off, handoff_dir
    from parsers.other_sets import handed_off, kept, kept_finding, received_not_processed
    from parsers.x12_reader import read_interchanges
    from tests.test_rg88_other_sets import DROPS

    data = (DROPS / "walmart" / "WM_820_0088101.x12").read_bytes()
    result = read_interchanges(data)
    sets = list(result.transaction_sets())
    held = kept(result, sets, "WM_820_0088101.x12", "walmart")
    found = [kept_finding(k, "walmart") for k in held]
    assert found == received_not_processed(result, sets, "WM_820_0088101.x12", "walmart")
    [(name, body)] = handed_off(result, sets, "walmart")
    assert as_handed_off(tmp_path, "walmart", [(name, body)], held, found) == found  # nothing there: as named
    (handoff_dir(tmp_path) / "walmart").mkdir(parents=True)
    (handoff_dir(tmp_path) / "walmart" / name).write_bytes(b"another set under the same numbers")
    [moved] = as_handed_off(tmp_path, "walmart", [(name, body)], held, found)
    assert moved.location == found[0].location
    stem = name.removesuffix(".x12")
    assert f"handed off alone as handoff/walmart/{stem}_" in moved.message
    assert moved.message.replace(moved.message.split("handoff/walmart/")[1].split(",")[0], name) == found[0].message


# --- LINE_SHIP_TO_DIFFERS of a CSV order ----------------------------------------------------------------------------

def test_a_csv_line_s_own_ship_to_is_worded_as_its_row_s_where_it_is_made():
    from rules.business.places import _own_ship_to

    assert _own_ship_to({"isa13": "CSV"}) == "its row's ship-to"
    assert _own_ship_to({"isa13": "000000001"}) == "N1*ST in its PO1 loop"
    import inspect

    from engine import csv_findings

    assert "N1*ST" not in inspect.getsource(csv_findings)


# --- BACKORDER_AFTER_CANCEL's qualifier -----------------------------------------------------------------------------

def _late(deliver_by: date, line: int = 2) -> pa.Table:
    from engine.allocate import LATE

    return pa.Table.from_pylist([{"partner": "hd", "order_ref": "r", "po_number": "P1", "line_number": line,
                                  "units": 5, "promised_date": date(2027, 1, 20), "deliver_by": deliver_by,
                                  "rejected": True}], schema=LATE)


def _head(cancel: date | None, deliver: date | None, window: date | None = None) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "hd", "po_number": "P1", "source_file": "po.x12", "isa13": "1",
                                  "gs06": "1", "st02": "0001", "cancel_after": cancel, "do_not_deliver_after": deliver,
                                  "ship_no_later": window}])


@pytest.mark.parametrize("cancel,deliver,window,ends,qualifier", [
    (date(2027, 1, 7), date(2027, 2, 1), None, False, "001"),
    (date(2027, 2, 1), date(2027, 1, 7), None, False, "063"),
    (date(2027, 1, 7), date(2027, 1, 7), None, False, "001 063"),
    (date(2027, 2, 1), None, date(2027, 1, 7), True, "038"),
])
def test_a_late_backorder_names_the_dtm_it_was_measured_against_in_its_detail(cancel, deliver, window, ends,
                                                                                qualifier):
    from engine.deadlines import late_backorder_findings

    (found,) = late_backorder_findings(_late(date(2027, 1, 7)), _head(cancel, deliver, window),
                                       window_end_cancels={"hd"} if ends else ())
    assert found.finding.detail.qualifier == qualifier


def test_a_late_backorder_against_a_063_less_its_transit_names_063():
    from engine.deadlines import late_backorder_findings

    (found,) = late_backorder_findings(_late(date(2027, 1, 7)), _head(date(2027, 2, 1), date(2027, 1, 10)),
                                       transit={"hd": 3})
    assert found.finding.detail.qualifier == "063"


def test_a_late_backorder_against_a_line_s_own_date_names_the_line_s_dtm():
    from engine.deadlines import late_backorder_findings

    lines = pa.Table.from_pylist([{"partner": "hd", "po_number": "P1", "line_number": 2, "line_id": "2",
                                   "cancel_after": date(2027, 1, 7), "do_not_deliver_after": None}])
    (found,) = late_backorder_findings(_late(date(2027, 1, 7)), _head(date(2027, 2, 10), None), lines=lines)
    assert "line 2's own last date" in found.finding.message and found.finding.detail.qualifier == "001"


def test_a_csv_backorder_finding_s_column_comes_from_its_qualifier():
    from engine.csv_findings import _field
    from schemas.findings import Detail, finding

    def late(qualifier: str):
        return finding("BACKORDER_AFTER_CANCEL", "words naming no date", seg="DTM", element="DTM02",
                       value="20270107", detail=Detail(qualifier=qualifier))

    assert [_field(late(q), ()) for q in ("001", "063", "001 063", "038")] == [
        "cancel_after", "do_not_deliver_after", "do_not_deliver_after", "ship_no_later"]


# --- a 997 to a VICS group ------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 27, 2, 0)


def _997_gs(gs08: str, profile=None) -> tuple[list[str], list[str], list[str]]:
    """(ISA, GS, AK1) of the 997 answering an ACME 850 group of GS08 ``gs08`` (``profile``: ACME's, else it)."""
    from engine.envelope import addressed, envelope_for, wrap
    from engine.process import Known, process_file
    from parsers.x12_reader import read_interchanges
    from schemas.profile import load_profiles
    from tests.support import GOOD_PO, TODAY, x12_850

    profile = profile or load_profiles(REPO / "partners")["acme"]
    data = x12_850(GOOD_PO).replace(b"*X*004010~", f"*X*{gs08}~".encode())
    out = process_file(data, file="t.x12", sha256="sha", profile=profile, known=Known(), today=TODAY)
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    text = wrap(addressed(envelope_for(profile), ack.to), "FA", "997", [list(b) for b in ack.bodies], isa13=1,
                gs06=1, st02s=[1], now=NOW)
    segs = read_interchanges(text).segments.elements.to_pylist()
    return next(s for s in segs if s[0] == "ISA"), next(s for s in segs if s[0] == "GS"), next(
        s for s in segs if s[0] == "AK1")


@pytest.mark.parametrize("gs08,isa12,gs04", [("003060VICS", "00306", 6), ("004010VICS", "00401", 8),
                                             ("004030VICS", "00403", 8), ("005010VICS", "00501", 8),
                                             ("004010", "00401", 8), ("003060", "00306", 6)])
def test_a_997_writes_the_gs08_of_the_group_it_answers_identifier_and_all(gs08, isa12, gs04):
    isa, gs, ak1 = _997_gs(gs08)
    assert (gs[8], isa[12], len(gs[4])) == (gs08, isa12, gs04)
    assert ak1[:2] == ["AK1", "PO"] and (ak1[3:] == ([gs08] if gs08 >= "005010" else []))


def test_what_the_profile_says_the_997_is_sent_as_wins():
    """A profile naming the 997's GS08 (gs_versions "997") gets it whatever the group's; one whose gs_version names
    an identifier keeps it for a group of its release; [acks] version "profile" the profile's."""
    from schemas.profile import load_profiles

    acme = load_profiles(REPO / "partners")["acme"]

    def edited(**x12):
        return acme.model_copy(update={"x12": acme.x12.model_copy(update=x12)})

    assert _997_gs("003060VICS", edited(gs_versions=(("997", "004010UCS"),)))[1][8] == "004010UCS"
    assert _997_gs("004010", edited(gs_version="004010VICS"))[1][8] == "004010VICS"
    assert _997_gs("004010UCS", edited(gs_version="004010VICS"))[1][8] == "004010VICS"
    assert _997_gs("003060VICS", edited(gs_version="004010VICS"))[1][8] == "003060VICS"
    fixed = acme.model_copy(update={"acks": acme.acks.model_copy(update={"version": "profile"})})
    assert _997_gs("003060VICS", fixed)[1][8] == "004010"


def test_an_isa_version_of_the_profile_s_release_stays_on_a_vics_group_s_997():
    """AutoZone-like: ISA12 00400 for its 004010 documents; its 004010VICS group's 997 keeps 00400."""
    from schemas.profile import load_profiles

    acme = load_profiles(REPO / "partners")["acme"]
    odd = acme.model_copy(update={"x12": acme.x12.model_copy(update={"isa_version": "00400"})})
    isa, gs, _ak1 = _997_gs("004010VICS", odd)
    assert (isa[12], gs[8]) == ("00400", "004010VICS")


def test_a_gs08_is_echoed_only_as_a_release_and_an_industry_identifier():
    from engine.envelope import industry_gs08

    assert [industry_gs08(g) for g in ("003060VICS", " 004010UCS ", "005010UCS", "005010X222A1", "004010X357",
                                       "004010", "4010", "005010~", "004010VICS~")] == [
        "003060VICS", "004010UCS", "005010UCS", "005010", "004010", "004010", "004010", "005010", "004010"]
    # digits after the release are no industry's identifier (one starts with a letter): a GS08 "004010" damaged to
    # "00404010" is answered by its release, 004040, not echoed as a GS08 no one's 997 grammar has
    assert [industry_gs08(g) for g in ("00404010", "00501012", "005010A1")] == ["004040", "005010", "005010A1"]


def test_a_warehouse_s_vics_945_group_is_answered_in_its_gs08():
    from engine.warehouse_acks import _997_envelope
    from parsers.x12_reader import read_interchanges
    from tests.support import GOOD_PO, x12_850

    for gs08, release in (("004010VICS", "004010"), ("003060VICS", "003060"), ("004010", "004010")):
        result = read_interchanges(x12_850(GOOD_PO).replace(b"*X*004010~", f"*X*{gs08}~".encode()))
        [ic] = result.interchanges
        env = _997_envelope(ic, ic.groups[0])
        assert (env.gs08, env.version) == (gs08, release)


# --- the census -----------------------------------------------------------------------------------------------------

_WORDS = {"message", "consequence"}
_STR = {"replace", "startswith", "endswith", "split", "rsplit", "index", "rindex", "find", "rfind", "partition",
        "rpartition", "count", "removeprefix", "removesuffix"}
_RE = {"sub", "subn", "findall", "finditer", "search", "match", "fullmatch"}
# (file, function) -> why it may read or rewrite a finding's words
ALLOWED = {
    ("engine/csv_findings.py", "_message"): (
        "a CSV order's findings in its layout's terms: each X12 element the words name (PO102, DTM 001 (...)) given "
        "as the column the layout reads it from; the words are made by the rules X12 and CSV orders share, which "
        "know no layout"),
    ("engine/csv_findings.py", "csv_located"): (
        "three phrases that depend on the partner's CSV layout (its sales requirement column's name, whether it "
        "reads a price column), which the engine.refusals, engine.lifecycle.balance and rules.business.money "
        "functions that word STOCK_SHORT_REJECTED, the balance's rule and PRICE_MISSING are not given"),
    ("engine/report_failures.py", "_cause"): (
        "the failures report groups findings by their data (alike_groups: code, segment, element, value), never their "
        "messages; of their words it reads the outcome their consequence states, its line number put aside ('line 2: "
        "IR' -> 'line IR'), which the findings table keeps as words only: what is shown, nothing is decided from it"),
    ("flows/cli.py", "partner_check"): "a ConfigError's message (the profile's TOML problem), not a finding's",
}


def _direct(node: ast.AST, tainted: set[str]) -> bool:
    """``node`` is a finding's words: x.message / x.consequence, row["message"], or a name bound to them."""
    return (isinstance(node, ast.Attribute) and node.attr in _WORDS) or (
        isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in _WORDS) or (
        isinstance(node, ast.Name) and node.id in tainted)


def _mentions(node: ast.AST, tainted: set[str]) -> bool:
    return any(_direct(n, tainted) for n in ast.walk(node))


def _words(node: ast.AST, tainted: set[str]) -> bool:
    """``node`` is the words themselves, or them with a default (r["message"] or "")."""
    return _direct(node, tainted) or (isinstance(node, ast.BoolOp) and any(_direct(v, tainted) for v in node.values))


def _tainted(fn: ast.AST) -> set[str]:
    """The names of ``fn`` bound to a finding's words: a parameter named message or consequence, and a name assigned
    them (message = f.message; value, message = r["value"], r["message"] or "")."""
    args = fn.args
    out = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg in _WORDS}
    for n in ast.walk(fn):
        if not isinstance(n, ast.Assign):
            continue
        for target in n.targets:
            if isinstance(target, ast.Name) and _words(n.value, out):
                out.add(target.id)
            elif isinstance(target, ast.Tuple) and isinstance(n.value, ast.Tuple):
                out |= {t.id for t, v in zip(target.elts, n.value.elts, strict=False)
                        if isinstance(t, ast.Name) and _words(v, out)}
    return out


def _reads_of_words(path) -> list[tuple[str, int, str]]:
    tree = ast.parse(path.read_text())
    out = []
    for fn in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
        tainted = _tainted(fn)
        for n in ast.walk(fn):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and (
                    (n.func.attr in _STR and _direct(n.func.value, tainted))
                    or (n.func.attr in _RE and any(_mentions(a, tainted) for a in n.args))):
                out.append((fn.name, n.lineno, ast.unparse(n)))
            elif isinstance(n, ast.Compare) and any(isinstance(o, ast.In | ast.NotIn) for o in n.ops) and any(
                    _mentions(c, tainted) for c in n.comparators):
                out.append((fn.name, n.lineno, ast.unparse(n)))
            elif isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice) and _direct(n.value, tainted):
                out.append((fn.name, n.lineno, ast.unparse(n)))
    return out


def test_no_code_reads_or_rewrites_a_finding_s_words_but_the_allowed():
    """No function in engine/, rules/ or flows/ calls .replace / .split / .startswith / .index ... or re.sub /
    .search on a finding's message or consequence, slices it, or tests words `in` it (the words are for people: code
    reads the finding's code, location and detail), but ALLOWED's, each for the reason given; an allowed function
    that reads no words any more leaves the list."""
    found: dict[tuple[str, str], list[str]] = {}
    for package in ("engine", "rules", "flows"):
        for path in sorted((REPO / package).rglob("*.py")):
            for function, line, code in _reads_of_words(path):
                found.setdefault((path.relative_to(REPO).as_posix(), function), []).append(f"{line}: {code}")
    assert {k: v for k, v in found.items() if k not in ALLOWED} == {}
    assert set(ALLOWED) - set(found) == set()


def test_the_census_sees_the_words_read_before():
    """The shapes findingdata2 removed are caught (so the census can fail)."""
    import textwrap

    src = textwrap.dedent('''
        def a(f):
            return f.message[:f.message.index(" not recorded as shipped.")]
        def b(f, parts):
            return f.message.replace(parts[0], "x")
        def c(findings, old):
            return [f for f in findings if old in f.message]
        def d(f):
            message = f.message
            return message.replace("N1*ST in its PO1 loop", "its row's ship-to", 1)
        def e(r):
            return _WHAT.sub("x", r["consequence"] or "")
        def fine(f, row):
            message = f"Row {row}: made here"
            return replace(f, message=message), message.upper()
    ''')
    import pathlib
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "m.py"
        path.write_text(src)
        assert sorted({fn for fn, _line, _code in _reads_of_words(path)}) == ["a", "b", "c", "d", "e"]
