"""One registry, one path: the line expectations run through Great Expectations or natively in Arrow
give the same unexpected rows, and so the same findings."""

import json
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from rules import registry
from rules.suite import run_suite
from schemas.rule_settings import RuleSettings
from schemas.units import unit_codes

from .tables import line, lines_table, order, orders_table

TODAY = date(2026, 11, 27)


def rich_lines():
    """Lines that trip every expectation, some several at once."""
    return lines_table(
        line(),  # clean
        line(line_number=2, line_id="2", upc="614141100102", vendor_part="VP-1001"),  # bad check digit, found by VN
        line(line_number=3, line_id="3", upc=None, vendor_part="NOPE"),  # unknown item
        line(line_number=4, line_id="4", upc=" 614141100101 "),  # blanks around a good UPC: valid
        line(line_number=5, line_id="5", upc="61414110010", gtin="12x"),  # wrong shapes in two columns
        line(line_number=6, line_id="6", upc=None, product_ids=[]),  # no identifier at all
        line(line_number=7, line_id="7", unit=None),  # no unit
        line(line_number=8, line_id="8", unit="XX", quantity=Decimal("-3")),  # negative quantity first
        line(line_number=9, line_id="9", quantity=None),
        line(line_number=10, line_id="2"),  # PO101 repeated: a set check at intake reports it, not these rules
        line(line_number=11, line_id="11", unit_price=None),  # our price applies
        line(line_number=12, line_id="12", upc="   "),  # blanks only: not a GTIN
        line(line_number=13, line_id="13", upc="٠٦١٤١٤١١٠٠١٠١"),  # Arabic-Indic digits: not ASCII
        line(line_number=1, line_id="1", partner="globex", source_file="globex_1.x12", order_ref="9-9-9",
             po_number="G-1", upc="614141100590", unit="XX", quantity=Decimal(0), unit_price=None),
        # XX is not a unit code (BX, a box, and ZZ are codes of data element 355 since issue 8)
    )


def rich_orders():
    return orders_table(order(), order(partner="globex", po_number="G-1", source_file="globex_1.x12",
                                       order_ref="9-9-9"))


@pytest.mark.slow
def test_gx_and_arrow_find_the_same_unexpected_rows(ref):
    from rules.business import resolve_items
    from rules.gx_runner import validate

    resolved = resolve_items(rich_lines(), ref.items, ref.partner_items)
    frame = registry.rules_frame(resolved)
    exps = registry.expectations(RuleSettings())
    gx = validate(frame, exps)
    arrow = registry.evaluate_arrow(frame, exps)
    assert gx.evaluated_expectations == len(exps) and set(gx.masks) == set(arrow) == {e.key for e in exps}
    for e in exps:
        assert np.array_equal(gx.masks[e.key], arrow[e.key]), e.key
    flagged = {k: [int(i) + 1 for i in np.flatnonzero(m)] for k, m in arrow.items()}  # as row numbers
    assert flagged == {
        "product_id_present": [6, 12],  # a blank id names nothing (issue 8): no id at all
        "upc_shape": [5, 12, 13],
        "gtin_shape": [5],
        "ean_shape": [],
        # row 5's UP 61414110010 is SKU-1001's UPC-A without its check digit: the item (rg84), its UK 12x refused
        "sku_resolved": [3, 13],
        "item_active": [14],
        "quantity_present": [9],
        "quantity_positive": [8, 14],
        "unit_present": [7],
        "unit_known": [8, 14],
        "price_present": [11, 14],
    }


@pytest.mark.slow
def test_run_suite_gives_the_same_findings_with_and_without_gx(ref, tmp_path):
    settings = RuleSettings()
    with_gx = run_suite(rich_orders(), rich_lines(), ref, settings, today=TODAY, use_gx=True,
                        docs_dir=tmp_path / "docs")
    without = run_suite(rich_orders(), rich_lines(), ref, settings, today=TODAY, use_gx=False)
    assert with_gx.findings == without.findings
    assert with_gx.gx_expectations == len(registry.expectations(settings))
    # GX's results as data for our own summary page (GX's Data Docs need CDNs: blank offline)
    assert with_gx.gx_docs_error is None and with_gx.gx_docs_index == tmp_path / "docs" / "validation.json"
    outcomes = json.loads(with_gx.gx_docs_index.read_text())
    exps = registry.expectations(settings)
    assert [o["key"] for o in outcomes] == [e.key for e in exps]
    assert [o["code"] for o in outcomes] == [e.code for e in exps]
    from rules.business import resolve_items

    masks = registry.evaluate_arrow(registry.rules_frame(resolve_items(rich_lines(), ref.items, ref.partner_items)),
                                    exps)
    n, with_id = rich_lines().num_rows, rich_lines().num_rows - int(masks["product_id_present"].sum())
    # every row, or the rows its condition keeps (an unknown item is judged only where an id was sent)
    assert {o["key"]: o["evaluated"] for o in outcomes} == {e.key: with_id if e.key == "sku_resolved" else n
                                                           for e in exps}
    assert {o["key"]: o["unexpected"] for o in outcomes} == {k: int(m.sum()) for k, m in masks.items()}
    assert all(o["success"] == (o["unexpected"] == 0) for o in outcomes)
    assert all(o["examples"] for o in outcomes if not o["success"]) and not any(o["error"] for o in outcomes)
    assert not list((tmp_path / "docs").glob("**/*.html"))
    got = [(f.code, f.location.file, f.location.line_number, f.location.element, f.location.value)
           for f in without.findings if f.location.line_number is not None]
    acme = "acme_850_1.x12"
    assert got == [
        ("GTIN_CHECK_DIGIT_INVALID", acme, 2, "PO107", "614141100102"),
        ("GTIN_CHECK_DIGIT_INVALID", acme, 12, "PO107", "   "),
        ("GTIN_CHECK_DIGIT_INVALID", acme, 13, "PO107", "٠٦١٤١٤١١٠٠١٠١"),
        # row 5's UP 61414110010 is SKU-1001's UPC-A without its check digit (rg84): the item; its UK 12x is not
        ("GTIN_CHECK_DIGIT_INVALID", acme, 5, "PO109", "12x"),
        ("ITEM_ID_MISSING", acme, 6, "PO107", None),
        ("ITEM_ID_MISSING", acme, 12, "PO107", None),  # blanks only: no id at all (issue 8's blank keys)
        ("ITEM_UNKNOWN", acme, 3, "PO107", "NOPE"),
        # row 13's only id is the number its GTIN_CHECK_DIGIT_INVALID names: no ITEM_UNKNOWN for it as well
        # (rules.suite.told_once, run_suite's since opsreport3; the decide step stored one finding before too)
        ("ITEM_DISCONTINUED", "globex_1.x12", 1, "PO107", "614141100590"),
        ("UNIT_UNKNOWN", acme, 7, "PO103", ""),
        ("QTY_NOT_POSITIVE", acme, 8, "PO102", "-3"),  # the quantity is judged first
        ("QTY_NOT_POSITIVE", acme, 9, "PO102", None),
        ("QTY_NOT_POSITIVE", "globex_1.x12", 1, "PO102", "0"),
        ("PRICE_MISSING", acme, 11, "PO104", None),
        ("PRICE_MISSING", "globex_1.x12", 1, "PO104", None),  # a discontinued item still has our price
    ]
    loc = next(f.location for f in without.findings if f.code == "UNIT_UNKNOWN")
    assert (loc.isa13, loc.gs06, loc.st02, loc.segment_position, loc.file_segment, loc.segment_id) == (
        "000000101", "1", "0001", 12, 14, "PO1")


def test_the_gx_suite_is_the_registry(ref):
    from rules.gx_runner import suite_config

    exps = registry.expectations(RuleSettings(case_units=("CA", "CS", "Q1X")))
    suite = suite_config(exps)
    assert [x["meta"]["key"] for x in suite["expectations"]] == [e.key for e in exps]
    unit_set = next(x for x in suite["expectations"] if x["meta"]["key"] == "unit_known")["kwargs"]["value_set"]
    # the unit of measure codes of data element 355 and any unit the run's settings name
    assert set(unit_set) == set(unit_codes()) | {"Q1X"} and unit_set == sorted(unit_set)
    assert {"BX", "CA", "CS", "EA", "PK", "DZ"} <= set(unit_set) and "XX" not in unit_set
    # no precomputed booleans: every expectation reads a canonical (or joined) line column
    read = {c for e in exps for c in registry._columns(e)}
    assert read <= {"product_id", "upc", "gtin", "ean", "sku", "item_status", "quantity", "unit", "unit_price"}


def test_gs1_shape_means_what_python_s_blank_class_means_and_runs_natively():
    """GS1_SHAPE spells Python's \\s out (so RE2 evaluates it): the same verdict as the \\s pattern on
    every character before, after and around a well-shaped number, and pandas' Arrow strings (what GX
    validates) take RE2's path for it instead of a Python loop."""
    import re

    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    spelled = re.compile(registry.GS1_SHAPE)
    python = re.compile(r"\A\s*(?:[0-9]{8}|[0-9]{12,14}|[0-9]{18})\s*\Z")
    values = [chr(c) + middle + chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF
              for middle in ("12345678",)] + ["", " 036000291452\n", "\u3000\u3000400638133393", "1234567", "x12345678"]
    expected = [bool(python.search(v)) for v in values]
    assert sum(expected) == 29 + 1 + 1  # the 29 blanks of str.isspace around the number, and two others
    assert [bool(spelled.search(v)) for v in values] == expected
    re2 = registry.GS1_SHAPE.replace(r"\Z", r"\z")  # RE2's spelling of the end anchor (pandas rewrites it)
    assert pc.match_substring_regex(pa.array(values), re2).to_pylist() == expected
    column = pd.Series(pd.Categorical(values)).astype(str)
    assert not column.array._needs_python_regex(registry.GS1_SHAPE)
    assert column.str.contains(registry.GS1_SHAPE).tolist() == expected


@pytest.mark.slow
def test_validating_without_gx_stores_gives_what_a_validation_definition_gives(ref, tmp_path):
    """validate runs the suite by GX's Validator, not through a ValidationDefinition (whose run also
    serializes suite and results into the context's stores): the outcomes written to validation.json
    and the masks are those a ValidationDefinition's run gives on the same frame (failures included).
    validate builds each expectation's configuration once (gx_runner._configurations_built_once); the
    reference run below reads GX's own property, which validate leaves in place."""
    from great_expectations.expectations.expectation import Expectation

    from rules.business import resolve_items
    from rules.gx_runner import expectation_outcomes, masks_from_results, validate

    resolved = resolve_items(rich_lines(), ref.items, ref.partner_items)
    frame = registry.rules_frame(resolved)
    exps = registry.expectations(RuleSettings())
    gx_own = Expectation.__dict__["configuration"]
    ours = validate(frame, exps, docs_dir=tmp_path)
    assert Expectation.__dict__["configuration"] is gx_own
    results = _gx_reference(frame, exps)  # the way validate ran the suite before (GX's documented path)
    written = json.loads((tmp_path / "validation.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(expectation_outcomes(results), sort_keys=True, default=str))
    assert not ours.success and ours.failed_expectations == [r.expectation_config.type for r in results.results
                                                             if not r.success]
    assert any(o["unexpected"] for o in written)  # the frame fails some expectations: rows are compared
    reference = masks_from_results(results, frame.num_rows)
    assert set(ours.masks) == set(reference)
    for key, mask in reference.items():
        assert np.array_equal(ours.masks[key], mask), key


def _gx_reference(frame, exps):
    """GX's own results for ``frame``: every row validated by a ValidationDefinition's run."""
    from rules.gx_runner import _gx_context, suite_config

    gx, context = _gx_context()
    batch = (context.data_sources.add_pandas("reference").add_dataframe_asset("order_lines")
             .add_batch_definition_whole_dataframe("run"))
    suite = context.suites.add(gx.ExpectationSuite(**suite_config(exps)))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="reference", data=batch,
                                                                            suite=suite))
    return definition.run(batch_parameters={"dataframe": registry.gx_frame(frame, exps)},
                          result_format={"result_format": "COMPLETE"})


@pytest.mark.slow
def test_gx_asked_once_per_distinct_row_gives_what_gx_gives_for_every_row(ref, tmp_path):
    """validate asks GX about each distinct row once (a night's lines repeat a few items): the masks
    and validation.json (rows evaluated, unexpected, percent, the first examples in row order, the
    row condition's count) are those of GX validating every row. Rows repeat here, failing ones more
    than validation.json's examples hold, null-id rows (outside sku_resolved's condition) too."""
    import pyarrow as pa

    from rules.business import resolve_items
    from rules.distinct import distinct_rows
    from rules.gx_runner import EXAMPLES, expectation_outcomes, masks_from_results, validate

    base = registry.rules_frame(resolve_items(rich_lines(), ref.items, ref.partner_items))
    n = base.num_rows
    rows = [*range(n), *reversed(range(n)), *[7] * (EXAMPLES + 2), *[4, 12, 5] * 4, *[6] * 3, *[13, 0] * 6]
    frame = base.take(pa.array(rows))
    exps = registry.expectations(RuleSettings())
    view = registry.gx_view(base, exps)
    first, codes = distinct_rows(registry.gx_view(frame, exps).columns)
    # GX sees each distinct row once (lines 1 and 10 differ only in PO101, which no expectation reads)
    assert len(first) == view.group_by(view.column_names).aggregate([]).num_rows == n - 1
    assert len(codes) == len(rows)
    ours = validate(frame, exps, docs_dir=tmp_path)
    results = _gx_reference(frame, exps)
    written = json.loads((tmp_path / "validation.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(expectation_outcomes(results), sort_keys=True, default=str))
    assert max(o["unexpected"] for o in written) > EXAMPLES
    assert {o["key"]: o["evaluated"] for o in written}["sku_resolved"] < len(rows)
    for key, mask in masks_from_results(results, frame.num_rows).items():
        assert np.array_equal(ours.masks[key], mask), key
    assert ours.failed_expectations == [r.expectation_config.type for r in results.results if not r.success]


@pytest.mark.slow
def test_a_value_set_is_asked_about_the_values_the_rows_hold(ref):
    """GX is asked whether the rows' units are among those of the 781 codes the rows use (gx_runner.
    narrowed): the same unexpected rows as the whole set, also when no row uses any code of it."""
    import pyarrow as pa

    from rules.business import resolve_items
    from rules.gx_runner import narrowed, validate

    frame = registry.rules_frame(resolve_items(rich_lines(), ref.items, ref.partner_items))
    exps = registry.expectations(RuleSettings())
    unit_known = next(e for e in exps if e.key == "unit_known")
    assert len(unit_known.kwargs["value_set"]) > 700
    asked = {e.key: e for e in narrowed(exps, registry.gx_view(frame, exps))}
    assert set(asked["unit_known"].kwargs["value_set"]) == set(frame["unit"].drop_null().to_pylist()) - {"XX"}
    assert asked["item_active"].kwargs["value_set"] == ["discontinued"]
    unknown = frame.set_column(frame.column_names.index("unit"), "unit",
                               pa.array(["XX", None] * (frame.num_rows // 2), pa.string()))
    assert len(narrowed(exps, registry.gx_view(unknown, exps))[exps.index(unit_known)].kwargs["value_set"]) == 1
    for table in (frame, unknown):
        gx, arrow = validate(table, exps).masks, registry.evaluate_arrow(table, exps)
        for e in exps:
            assert np.array_equal(gx[e.key], arrow[e.key]), e.key
    assert validate(unknown, exps).masks["unit_known"].tolist() == [True, False] * (frame.num_rows // 2)


@pytest.mark.slow
def test_gx_run_alongside_the_other_rules_gives_the_same_result(ref, tmp_path):
    """The decide stage validates with GX in a thread while the rules that do not read its masks run
    (flows.meanwhile as run_suite's ``alongside``): the same findings, in the same order, and the same
    validation.json as GX run first."""
    import threading

    from flows.meanwhile import meanwhile

    settings = RuleSettings()
    threads = []

    def alongside(work):
        threads.append(threading.current_thread())
        return meanwhile(lambda: (threads.append(threading.current_thread()), work()))

    first = run_suite(rich_orders(), rich_lines(), ref, settings, today=TODAY, use_gx=True,
                      docs_dir=tmp_path / "first")
    beside = run_suite(rich_orders(), rich_lines(), ref, settings, today=TODAY, use_gx=True,
                       docs_dir=tmp_path / "beside", alongside=alongside)
    assert threads[0] is not threads[1]  # GX ran in a thread of its own
    assert beside.findings == first.findings and len(first.findings) > 5
    assert beside.gx_expectations == first.gx_expectations
    assert beside.gx_docs_index.read_bytes() == first.gx_docs_index.read_bytes()
