"""Great Expectations (GX Core 1.x) over one run's order lines: ONE validation of ONE table for
all files and partners, membership checks precomputed as boolean columns, every failed row turned
into a business finding of the same shape as rules.business. GX is imported lazily (it costs
seconds); suites are JSON files in rules/gx_suites. Writes nothing except, when asked, the validation
results as data (validation.json: one outcome per expectation) for the run's summary page to render;
GX's own Data Docs are not built (they load their CSS and scripts from CDNs: blank offline).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rules.business import business_finding, resolve_items
from rules.business.items import has_product_id, unknown_ids_text
from schemas.errors import ConfigError
from schemas.findings import Finding
from schemas.reference import ReferenceData, gs1_valid
from schemas.rule_settings import RuleSettings
from schemas.units import unit_codes

SUITES_DIR = Path(__file__).with_name("gx_suites")
INDEX_COLUMNS = ["source_file", "order_ref", "line_number"]
_LOCATION = [
    "partner",
    "source_file",
    "order_ref",
    "po_number",
    "line_number",
    "isa13",
    "gs06",
    "st02",
    "segment_position",
    "file_segment",
    "unit",
]
_GS1 = (("upc", ("UP",)), ("gtin", ("UK",)), ("ean", ("EN",)))
_IDS = ("gtin", "upc", "ean", "vendor_part", "buyer_part")


@dataclass(slots=True)
class GxRunResult:
    findings: list[Finding]
    success: bool
    evaluated_expectations: int
    docs_index: Path | None = None  # validation.json (expectation_outcomes), when asked for
    docs_error: str | None = None  # why it could not be written
    failed_expectations: list[str] = field(default_factory=list)


def load_suite(name: str = "order_lines", folder: Path = SUITES_DIR) -> dict:
    path = Path(folder) / f"{name}.json"
    try:
        suite = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read expectation suite: {exc}", file=str(path)) from exc
    for exp in suite.get("expectations", []):
        if "code" not in exp.get("meta", {}):
            raise ConfigError(
                "every expectation needs meta.code (the finding code)",
                file=str(path),
                expectation=exp.get("type"),
            )
    return suite


def _element(pairs: list[dict] | None, qualifiers: tuple[str, ...], value: str) -> str:
    for i, pair in enumerate(pairs or []):
        if pair.get("qualifier") in qualifiers and pair.get("id") == value:
            return f"PO1{7 + 2 * i:02d}"
    return "PO107"


def prepare_lines_frame(lines: pa.Table, ref: ReferenceData, settings: RuleSettings) -> pd.DataFrame:
    """One row per order line: lineage/keys plus the boolean columns the suite checks. Item lookups
    are Arrow ``index_in``/``is_in`` joins (never a GX value set); per-row text only where needed."""
    resolved = lines if "sku" in lines.column_names else resolve_items(lines, ref.items, ref.partner_items)

    def present(column: str) -> pa.ChunkedArray:
        return pc.fill_null(pc.not_equal(resolved.column(column), ""), False)

    has_id = has_product_id(resolved)
    units = pa.array(sorted({*unit_codes(), *settings.each_units, *settings.case_units}), pa.string())
    frame = resolved.select(_LOCATION).to_pandas()
    frame["has_product_id"] = has_id.to_numpy(zero_copy_only=False)
    frame["item_known"] = pc.or_(pc.is_valid(resolved.column("sku")), pc.invert(has_id)).to_numpy(
        zero_copy_only=False
    )
    frame["item_active"] = pc.fill_null(
        pc.not_equal(resolved.column("item_status"), "discontinued"), True
    ).to_numpy(zero_copy_only=False)
    frame["unit_known"] = pc.is_in(resolved.column("unit"), value_set=units).to_numpy(zero_copy_only=False)
    frame["quantity_positive"] = pc.fill_null(pc.greater(resolved.column("quantity"), 0), False).to_numpy(
        zero_copy_only=False
    )
    frame["quantity_text"] = [
        None if q is None else format(q.normalize(), "f") for q in resolved.column("quantity").to_pylist()
    ]
    frame["price_present"] = pc.is_valid(resolved.column("unit_price")).to_numpy(zero_copy_only=False)
    # GS1 validity per distinct value, then located to its PO1 element (only for the bad rows)
    bad_element: list[str | None] = [None] * resolved.num_rows
    bad_value: list[str | None] = [None] * resolved.num_rows
    pairs = resolved.column("product_ids")
    for column, qualifiers in _GS1:
        values = resolved.column(column)
        bad = [u for u in pc.unique(values).drop_null().to_pylist() if u and not gs1_valid(u.strip())]
        if not bad:
            continue
        rows = pc.indices_nonzero(pc.fill_null(pc.is_in(values, value_set=pa.array(bad, pa.string())), False))
        for i in rows.to_pylist():
            if bad_value[i] is None:
                bad_value[i] = values[i].as_py()
                bad_element[i] = _element(pairs[i].as_py(), qualifiers, bad_value[i])
    frame["gs1_ids_valid"] = [v is None for v in bad_value]
    frame["bad_gs1_element"], frame["bad_gs1_value"] = bad_element, bad_value
    first_value = pc.coalesce(
        *[pc.if_else(present(c), resolved.column(c), pa.scalar(None, pa.string())) for c in _IDS]
    )
    firsts = [p[0] if p else None for p in pairs.to_pylist()]
    unknown = pc.and_(has_id, pc.is_null(resolved.column("sku")))
    tried: list[str | None] = [None] * resolved.num_rows
    for i in pc.indices_nonzero(unknown).to_pylist():  # the few unknown lines: which ids were tried where
        tried[i] = unknown_ids_text({"partner": resolved.column("partner")[i].as_py(),
                                     "product_ids": pairs[i].as_py(),
                                     **{c: resolved.column(c)[i].as_py() for c in _IDS}})
    frame["ids_tried"] = tried
    frame["first_id_element"] = "PO107"
    frame["first_id_value"] = [
        p["id"] if p else v for p, v in zip(firsts, first_value.to_pylist(), strict=True)
    ]
    return frame


def _gx_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx, gx.get_context(mode="ephemeral", project_config=config)


VALIDATION_FILE = "validation.json"
EXAMPLES = 10  # unexpected values kept per expectation in validation.json


def run_gx(frame: pd.DataFrame, suite: dict, *, docs_dir: Path | None = None) -> GxRunResult:
    """Validate ``frame`` (from prepare_lines_frame) against ``suite`` in one GX run; findings for
    every unexpected row. With ``docs_dir``, the results go to ``docs_dir/validation.json`` (one
    outcome per expectation; a failure there is reported in docs_error, not raised). A broken
    expectation is a ConfigError."""
    gx, context = _gx_context()
    batch_definition = (
        context.data_sources.add_pandas("orderbridge")
        .add_dataframe_asset("order_lines")
        .add_batch_definition_whole_dataframe("run")
    )
    gx_suite = context.suites.add(gx.ExpectationSuite(**suite))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name="order_lines_run", data=batch_definition, suite=gx_suite)
    )
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS}
    results = validation.run(batch_parameters={"dataframe": frame}, result_format=result_format)
    docs_error = None
    docs_index = None
    if docs_dir is not None:
        docs_index = Path(docs_dir) / VALIDATION_FILE
        try:
            docs_index.parent.mkdir(parents=True, exist_ok=True)
            docs_index.write_text(json.dumps(expectation_outcomes(results), indent=1, sort_keys=True, default=str)
                                  + "\n", encoding="utf-8")
        except OSError as exc:
            docs_index, docs_error = None, f"GX validation results not written: {exc}"
    return GxRunResult(
        findings=findings_from_results(results, frame),
        success=bool(results.success),
        evaluated_expectations=len(results.results),
        docs_index=docs_index,
        docs_error=docs_error,
        failed_expectations=[r.expectation_config.type for r in results.results if not r.success],
    )


def expectation_outcomes(results) -> list[dict]:
    """GX's validation results as plain data, one dict per expectation: expectation, column, code
    (our finding code, from its meta), success, evaluated (rows), unexpected, percent, examples (up to
    EXAMPLES unexpected values) and error (why it could not run)."""
    out = []
    for r in results.results:
        config, res = r.expectation_config, r.result or {}
        kwargs = config.kwargs or {}
        raised = (r.exception_info or {}).get("raised_exception")
        out.append({
            "expectation": config.type,
            "column": kwargs.get("column") or ", ".join(kwargs.get("column_list") or []),
            "code": (config.meta or {}).get("code", ""),
            "success": bool(r.success),
            "evaluated": res.get("element_count"),
            "unexpected": res.get("unexpected_count"),
            "percent": res.get("unexpected_percent"),
            "examples": [_plain({"v": v})["v"] for v in (res.get("partial_unexpected_list") or [])[:EXAMPLES]],
            "error": (r.exception_info or {}).get("exception_message", "") if raised else "",
        })
    return out


def run_suite(frame: pd.DataFrame, suite: dict, *, asset: str, index_columns: list[str]):
    """Validate ``frame`` against ``suite`` in one GX run without Data Docs; the raw GX result (every
    unexpected row named by ``index_columns``). For suites over other tables than order lines
    (rules.shipments); a broken expectation is reported by the caller from the result."""
    gx, context = _gx_context()
    batch_definition = (
        context.data_sources.add_pandas("orderbridge")
        .add_dataframe_asset(asset)
        .add_batch_definition_whole_dataframe("run")
    )
    gx_suite = context.suites.add(gx.ExpectationSuite(**suite))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{asset}_run", data=batch_definition, suite=gx_suite)
    )
    return validation.run(batch_parameters={"dataframe": frame},
                          result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_columns})


def findings_from_results(results, frame: pd.DataFrame) -> list[Finding]:
    """Every unexpected row of every failed expectation as a finding, in suite then frame order."""
    rows = {
        (r["source_file"], r["order_ref"], int(r["line_number"])): r for r in frame.to_dict(orient="records")
    }
    out: list[Finding] = []
    for result in results.results:
        if result.success:
            continue
        config = result.expectation_config
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise ConfigError(
                "expectation failed to run",
                expectation=config.type,
                error=result.exception_info.get("exception_message"),
            )
        meta = config.meta or {}
        for key in result.result.get("unexpected_index_list") or []:
            row = rows[(key["source_file"], key["order_ref"], int(key["line_number"]))]
            value = row.get(meta["value_column"]) if "value_column" in meta else None
            element = row.get(meta["element_column"]) if "element_column" in meta else meta.get("element", "")
            detail = row.get(meta["detail_column"]) if "detail_column" in meta else None
            message = meta.get("message", config.type).format(value=value, detail=detail)
            out.append(
                business_finding(
                    meta["code"], message, _plain(row), seg="PO1", element=element or "", value=value
                )
            )
    return out


def _plain(row: dict) -> dict:
    """numpy scalars and NaN from pandas back to Python values for Location."""
    out = {}
    for key, value in row.items():
        if value is None or (isinstance(value, float) and value != value):
            out[key] = None
        elif hasattr(value, "item"):
            out[key] = value.item()
        else:
            out[key] = value
    return out


def validate_order_lines(
    lines: pa.Table,
    ref: ReferenceData,
    settings: RuleSettings,
    *,
    suite: dict | None = None,
    docs_dir: Path | None = None,
) -> GxRunResult:
    """prepare_lines_frame + run_gx with the stored order_lines suite: the one GX call per run."""
    return run_gx(prepare_lines_frame(lines, ref, settings), suite or load_suite(), docs_dir=docs_dir)
