"""Great Expectations (GX Core 1.x) as one engine of the rule registry (rules.registry): ONE
validation of ONE frame per run (every file and partner), the registry's expectations on the
canonical line columns, each expectation's unexpected rows back as a boolean mask by its key,
straight from GX's index lists (no DataFrame round trip). GX is imported lazily, once per
process. Writes nothing except, when asked, the validation results as data (validation.json: one
outcome per expectation) for the run's summary page to render; GX's own Data Docs are not built
(they load their CSS and scripts from CDNs: blank offline). Also runs other tables' suites
(rules.shipments) through ``run_suite``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules import registry
from rules.distinct import distinct_rows
from schemas.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

@dataclass(slots=True)
class GxRunResult:
    masks: dict[str, np.ndarray]  # expectation key -> unexpected rows
    success: bool
    evaluated_expectations: int
    docs_index: Path | None = None  # validation.json (expectation_outcomes), when asked for
    docs_error: str | None = None  # why it could not be written
    failed_expectations: list[str] = field(default_factory=list)


def suite_config(exps: Sequence[registry.Expectation], name: str = "order_lines") -> dict:
    """The registry's expectations as a GX suite (each expectation's meta names its key and code)."""
    return {"name": name, "meta": {"notes": "Built from rules.registry: the same expectations run in Arrow when GX "
                                            "is off. Membership in reference data is an Arrow join before GX."},
            "expectations": [e.gx_config() for e in exps]}


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


@dataclass(slots=True)
class Judged:
    """One GX run's answer about a table's rows as plain data: each expectation's unexpected rows (a mask by its
    key), its outcomes (expectation_outcomes), whether all passed, how many ran and which failed (their types)."""

    masks: dict[str, np.ndarray]
    outcomes: list[dict]
    success: bool
    evaluated: int
    failed: list[str]


def judged_rows(rows: pa.Table, suite: dict) -> Judged:
    """GX's validation of ``rows`` (gx_view's columns) against ``suite`` (suite_config), in this process. An
    expectation that fails to run is a ConfigError (masks_from_results)."""
    results = _validated(registry.gx_pandas(rows), suite, asset="order_lines",
                         result_format={"result_format": "COMPLETE"})
    return Judged(masks_from_results(results, rows.num_rows), expectation_outcomes(results), bool(results.success),
                  len(results.results), [r.expectation_config.type for r in results.results if not r.success])


def validate(frame: pa.Table, exps: Sequence[registry.Expectation], *, docs_dir: Path | None = None,
             judge: Callable[[pa.Table, dict], Judged] | None = None) -> GxRunResult:
    """Validate the rules frame (rules.registry.rules_frame) against ``exps`` in one GX run; each
    expectation's unexpected rows as a mask. With ``docs_dir``, the results go to
    ``docs_dir/validation.json`` (one outcome per expectation; a failure there is reported in docs_error,
    not raised). An expectation that fails to run is a ConfigError.

    GX is asked once about each distinct row of the values it reads (gx_view: a night's 200,000 lines
    hold about a hundred): every expectation judges a row by its own values (and its row condition's
    column, read too), so a row is unexpected exactly when its distinct row is. The masks spread GX's
    answer back to every row; validation.json counts every row, by GX's own rules (view_outcomes).
    A value set is asked about the values the rows hold (narrowed). ``judge``: who runs GX on the distinct
    rows (judged_rows by default, in this process; flows.gx_child's runs it in a process of its own)."""
    view = registry.gx_view(frame, exps)
    first, codes = distinct_rows(view.columns)
    distinct = view.take(pa.array(first))
    judged = (judge or judged_rows)(distinct, suite_config(narrowed(exps, distinct)))
    masks = {key: mask[codes] for key, mask in judged.masks.items()}
    docs_error = None
    docs_index = None
    if docs_dir is not None:
        docs_index = Path(docs_dir) / VALIDATION_FILE
        try:
            docs_index.parent.mkdir(parents=True, exist_ok=True)
            docs_index.write_text(json.dumps(view_outcomes(judged.outcomes, view, masks, exps), indent=1,
                                             sort_keys=True, default=str) + "\n", encoding="utf-8")
        except OSError as exc:
            docs_index, docs_error = None, f"GX validation results not written: {exc}"
    return GxRunResult(
        masks=masks,
        success=judged.success,
        evaluated_expectations=judged.evaluated,
        docs_index=docs_index,
        docs_error=docs_error,
        failed_expectations=list(judged.failed),
    )


def narrowed(exps: Sequence[registry.Expectation], rows: pa.Table) -> tuple[registry.Expectation, ...]:
    """``exps`` with each set membership over a text column asked only about the set's values that
    ``rows`` hold in that column: a value is in the set exactly when it is in that part of it (the
    781 unit codes of data element 355 -> the few a night's lines use; GX turns the set into JSON
    and pydantic objects dozens of times per validation). A set none of whose values occur keeps one
    of them (still none of the rows' values: an empty set may mean something else to GX)."""
    out = []
    for e in exps:
        column = e.kwargs.get("column")
        if e.type in _SET_TYPES and column in rows.column_names and pa.types.is_string(rows[column].type):
            held = set(rows[column].drop_null().to_pylist())
            values = list(e.kwargs["value_set"])
            e = replace(e, kwargs={**e.kwargs, "value_set": [v for v in values if v in held] or values[:1]})
        out.append(e)
    return tuple(out)


_SET_TYPES = ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set")


def view_outcomes(outcomes: list[dict], view: pa.Table, masks: dict[str, np.ndarray],
                  exps: Sequence[registry.Expectation]) -> list[dict]:
    """``outcomes`` (expectation_outcomes) of a validation of ``view``'s distinct rows, counted over all of
    ``view``'s rows (``masks``: each expectation's unexpected rows among them) as GX counts a column
    map expectation: evaluated = the rows its condition keeps; percent = unexpected per evaluated row
    (not-null expectations) or per evaluated non-null row (the others; null when there is none);
    examples = the first unexpected rows' values, in row order."""
    out = [dict(outcome) for outcome in outcomes]
    by_key = {e.key: e for e in exps}
    for outcome in out:
        if outcome["error"]:
            continue
        e = by_key[outcome["key"]]
        rows = np.ones(view.num_rows, dtype=bool)
        if (condition := registry.condition_column(e)) is not None:
            rows = np.asarray(pc.is_valid(view[condition]).to_numpy(zero_copy_only=False), dtype=bool)
        values, mask = view[e.kwargs["column"]], masks[e.key]
        evaluated, unexpected = int(rows.sum()), int(mask.sum())
        if e.type == "expect_column_values_to_not_be_null":
            share = evaluated
        else:
            share = evaluated - int((rows & np.asarray(pc.is_null(values, nan_is_null=True).to_numpy(
                zero_copy_only=False), dtype=bool)).sum())
        first = np.flatnonzero(mask)[:EXAMPLES]
        outcome.update(evaluated=evaluated, unexpected=unexpected,
                       percent=unexpected / share * 100 if evaluated and share else None,
                       examples=[_plain(v) for v in values.take(pa.array(first, pa.int64())).to_pylist()])
    return out


def expectation_outcomes(results) -> list[dict]:
    """GX's validation results as plain data, one dict per expectation: expectation, column, key (the
    registry's), code (our finding code, from its meta), success, evaluated (rows), unexpected, percent,
    examples (up to EXAMPLES unexpected values) and error (why it could not run)."""
    out = []
    for r in results.results:
        config, res = r.expectation_config, r.result or {}
        kwargs = config.kwargs or {}
        raised = (r.exception_info or {}).get("raised_exception")
        out.append({
            "expectation": config.type,
            "column": kwargs.get("column") or ", ".join(kwargs.get("column_list") or []),
            "key": (config.meta or {}).get("key", ""),
            "code": (config.meta or {}).get("code", ""),
            "success": bool(r.success),
            "evaluated": res.get("element_count"),
            "unexpected": res.get("unexpected_count"),
            "percent": res.get("unexpected_percent"),
            "examples": [_plain(v) for v in (res.get("partial_unexpected_list") or [])[:EXAMPLES]],
            "error": (r.exception_info or {}).get("exception_message", "") if raised else "",
        })
    return out


def _plain(value):
    """A numpy scalar or NaN from pandas back to a Python value."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def masks_from_results(results, n_rows: int) -> dict[str, np.ndarray]:
    """Each expectation's unexpected rows (GX's positional index list) as a mask by its meta key."""
    masks: dict[str, np.ndarray] = {}
    for result in results.results:
        config = result.expectation_config
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise ConfigError("expectation failed to run", expectation=config.type,
                              error=result.exception_info.get("exception_message"))
        mask = np.zeros(n_rows, dtype=bool)
        if not result.success:
            rows = result.result.get("unexpected_index_list") or []
            mask[np.asarray([int(r) for r in rows], dtype=np.int64)] = True
        masks[(config.meta or {})["key"]] = mask
    return masks


def run_suite(frame: pd.DataFrame, suite: dict, *, asset: str, index_columns: list[str]):
    """Validate ``frame`` against ``suite`` in one GX run without Data Docs; the raw GX result (every
    unexpected row named by ``index_columns``). For suites over other tables than order lines
    (rules.shipments); a broken expectation is reported by the caller from the result."""
    return _validated(frame, suite, asset=asset,
                      result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_columns})


def _validated(frame: pd.DataFrame, suite: dict, *, asset: str, result_format: dict):
    """One GX validation of ``frame`` against ``suite`` by GX's Validator, as ValidationDefinition.run
    does it, without what run adds around it: the suite, the definition and the results are not put
    into the (in-memory) context's stores, whose serialization of every unexpected index cost more
    than the validation itself (about 0.9 s of 1 s with 200,000 unexpected rows); only the results'
    per-expectation outcomes are read, and those are the Validator's own."""
    from great_expectations.validator.v1_validator import Validator

    gx, context = _gx_context()
    batch_definition = (
        context.data_sources.add_pandas("orderbridge")
        .add_dataframe_asset(asset)
        .add_batch_definition_whole_dataframe("run")
    )
    validator = Validator(batch_definition=batch_definition, batch_parameters={"dataframe": frame},
                          result_format=result_format)
    with _configurations_built_once():
        return validator.validate_expectation_suite(gx.ExpectationSuite(**suite))


_CONFIGURATIONS = threading.Lock()


@contextmanager
def _configurations_built_once() -> Iterator[None]:
    """While one validation runs, each expectation's ``configuration`` is built once: GX's property
    makes a new ExpectationConfiguration (a pydantic ``dict()`` of every field) at every read, and the
    Validator reads it about 60 times per expectation (once per domain and success key): 1,400 builds,
    about 0.25 s CPU of a run. GX does not change an expectation while validating it, so one build
    per expectation gives the same configuration; each expectation is held until the validation ends
    (its ``id`` is the key and must not be reused). One validation at a time uses it (a lock); the
    property is GX's own again afterwards."""
    from great_expectations.expectations.expectation import Expectation

    with _CONFIGURATIONS:
        plain = Expectation.__dict__["configuration"]
        built: dict[int, tuple[object, object]] = {}

        def configuration(self):
            hit = built.get(id(self))
            if hit is None:
                hit = built[id(self)] = (self, plain.fget(self))
            return hit[1]

        Expectation.configuration = property(configuration, doc=plain.__doc__)
        try:
            yield
        finally:
            Expectation.configuration = plain
