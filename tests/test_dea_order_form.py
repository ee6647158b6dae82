"""Controlled substances (rules.business.controlled): a Schedule I or II line (items.csv dea_schedule CI, CII, CIIN) is
filled only against the buyer's DEA order form, a Form 222 or its CSOS electronic order (21 CFR 1305), named on the
PO under a REF qualifier of the partner's [rules] dea_order_form_refs. Smith Drug's controlled PO (tests/fixtures/
rg31/controlled: oxycodone 5mg beside metformin) is run through a night as tests/test_rg31_pharma_wholesalers.py
runs it without the form; here with it, with oxycodone a CIII, and with no schedule at all."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from schemas.errors import ConfigError
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings
from tests.retailer_support import of_its_own, po_segments, segments
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg31"
NIGHT = datetime(2026, 12, 2, 2)
PO = FIXTURES / "controlled" / "SDC850_4418911_cii.x12"
CSOS = "REF*ZZ*26X4Q7Z21~"  # a CSOS order number (year's two digits, X, six characters) under a partner-agreed REF


def _workspace(tmp_path: Path, schedule: str | None, *, ref: str = "", qualifiers: tuple[str, ...] = ()) -> Path:
    fixtures = tmp_path / "fx"
    for folder in ("partners", "reference", "warehouses", "shipments"):
        shutil.copytree(FIXTURES / folder, fixtures / folder)
    shutil.copy2(FIXTURES / "stock.csv", fixtures / "stock.csv")
    (fixtures / "drops" / "smithdrug").mkdir(parents=True)
    text = PO.read_text(encoding="ascii")
    if ref:  # after BEG, as the HDA 850 places the heading's references; SE counts it
        text = text.replace("~\nITD*", f"~\n{ref}\nITD*").replace("SE*12*0001", "SE*13*0001")
    (fixtures / "drops" / "smithdrug" / PO.name).write_text(text, encoding="ascii")
    if qualifiers:
        profile = fixtures / "partners" / "smithdrug.toml"
        body = profile.read_text(encoding="utf-8")
        assert "[rules]" not in body
        profile.write_text(body + f"\n[rules]\ndea_order_form_refs = {list(qualifiers)!r}\n".replace("'", '"'),
                           encoding="utf-8")
    if schedule is not None:
        path = fixtures / "reference" / "items.csv"
        rows = list(csv.reader(path.open(encoding="utf-8")))
        rows = [rows[0] + ["dea_schedule"]] + [r + [schedule if r[0] == "RX-OXY5-100" else ""] for r in rows[1:]]
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows)
    return fixtures


def _night(tmp_path: Path, schedule: str | None, **kw) -> tuple[list[str], list[dict]]:
    """The 855's ACK01 per line of PO 4418911 and the PO's findings after one night."""
    from connectors.state import StateStore

    ws = of_its_own(_workspace(tmp_path, schedule, **kw), tmp_path / "ws")
    run_stages(ws, NIGHT)
    ack = po_segments(segments(ws, "smithdrug", "855"), "4418911", "BAK")
    state = StateStore(ws.state_url)
    try:
        found = state.findings(partner="smithdrug", po_number="4418911")
    finally:
        state.close()
    return [s[1] for s in ack if s[0] == "ACK"], found


def test_a_schedule_ii_line_of_a_po_naming_its_csos_order_is_acknowledged(tmp_path):
    acks, found = _night(tmp_path, "CII", ref=CSOS, qualifiers=("ZZ",))
    assert acks == ["IA", "IA"]
    assert "DEA_ORDER_FORM_MISSING" not in {f["code"] for f in found}


def test_the_form_under_a_qualifier_the_partner_does_not_use_is_no_form(tmp_path):
    acks, found = _night(tmp_path, "CIIN", ref=CSOS, qualifiers=("DD",))
    assert acks == ["IR", "IA"]
    [missing] = [f for f in found if f["code"] == "DEA_ORDER_FORM_MISSING"]
    assert "REF*DD" in missing["message"] and "RX-OXY5-100" in missing["message"]


@pytest.mark.parametrize("schedule", ["CIII", "CV", None])
def test_schedules_iii_to_v_and_items_without_one_need_no_order_form(tmp_path, schedule):
    acks, found = _night(tmp_path, schedule)
    assert acks == ["IA", "IA"]
    assert "DEA_ORDER_FORM_MISSING" not in {f["code"] for f in found}


def test_the_form_may_be_named_in_the_line_s_own_po1_loop():
    from rules.business.controlled import check_order_forms

    ref = load_reference(FIXTURES / "reference")
    items = ref.items.to_pylist()
    for row in items:
        row["dea_schedule"] = "CII" if row["sku"] == "RX-OXY5-100" else None
    ref = replace(ref, items=pa.Table.from_pylist(items, schema=ref.items.schema))
    where = {"source_file": "f", "order_ref": "1-1-1", "isa13": "1", "gs06": "1", "st02": "1"}
    orders = pa.Table.from_pylist([{**where, "refs_sent": [{"qualifier": "CO", "id": "77"}]}])
    lines = pa.Table.from_pylist([
        {**where, "partner": "smithdrug", "po_number": "P", "line_id": str(n), "line_number": n,
         "segment_position": n, "file_segment": n, "sku": "RX-OXY5-100",
         "line_refs": refs} for n, refs in ((1, [{"qualifier": "ZZ", "id": "26X4Q7Z21"}]),
                                            (2, [{"qualifier": "ZZ", "id": " "}]), (3, None))])
    settings = RuleSettings(partners={"smithdrug": PartnerRuleOverrides(dea_order_form_refs=("ZZ",))})
    found = check_order_forms(orders, lines, ref, settings)
    assert [(f.code, f.location.line_number) for f in found] == [("DEA_ORDER_FORM_MISSING", 2),
                                                                ("DEA_ORDER_FORM_MISSING", 3)]
    # the same PO of a partner with no qualifier configured: no line names a form
    assert len(check_order_forms(orders, lines, ref, RuleSettings())) == 3


def test_an_unknown_schedule_in_items_csv_is_refused(tmp_path):
    folder = _workspace(tmp_path, "C2") / "reference"
    with pytest.raises(ConfigError, match="dea_schedule 'C2'"):
        load_reference(folder)
