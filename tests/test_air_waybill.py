"""An air shipment's 856 gave its waybill as REF*BM (bill of lading): X12 element 128 has AW (air waybill number) for
the document an air carrier issues, and a guide that asks the bill of lading of a truck and the air waybill of air
freight reads a BM on a shipment by air (TD504 A, AC, AE, AF) as the wrong document. A partner whose guide says so
lists "AW" in [fulfilment.asn] shipment_refs: a shipment by air then gives its bill of lading as REF*AW, in BM's
place; every other shipment (motor, LTL, parcel), and every partner not listing AW, keeps its 856 as it was."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.asn import s_segments
from engine.asn_columnar import HeadTexts
from parsers.x12_writer import delimiter_chars
from schemas.fulfilment import AsnSettings
from tests.test_856_head_texts import CREATED, SETS, joined
from tests.test_945_shapes import body_of, segments
from tests.test_shipment_findings_flow import HEAD, row, ship, template  # noqa: F401 (template: the fixture)

TM_HEAD = HEAD.rstrip("\n") + ",Transport Method\n"


def refs(asn: AsnSettings, method: str, *, carrier: str = "UPSN", bol: str = "BOL-1", tracking: str = "1Z1",
         method_given: bool = False) -> list[list[object]]:
    segs = s_segments(asn, cartons=1, pallets=0, weight=None, weight_unit="", carrier_scac=carrier, service_level="",
                      transport_method=method, bill_of_lading=bol, tracking_number=tracking, extra_refs=(),
                      ship_date=date(2026, 11, 27), ship_time=None, estimated_delivery=None,
                      method_given=method_given)
    return [s for s in segs if s[0] == "REF"]


def test_a_shipment_by_air_gives_its_waybill_as_aw_where_the_partner_lists_aw():
    aw = AsnSettings(shipment_refs=("AW", "BM", "CN"))
    for method in ("A", "AC", "AE", "AF"):
        assert refs(aw, method) == [["REF", "AW", "BOL-1"], ["REF", "CN", "1Z1"]]
    # without a carrier the method is written only when the warehouse gave it (method_given), and so is AW
    assert refs(aw, "A", carrier="", method_given=True) == [["REF", "AW", "BOL-1"], ["REF", "CN", "1Z1"]]
    assert refs(aw, "A", carrier="") == [["REF", "BM", "BOL-1"], ["REF", "CN", "1Z1"]]
    # a guide listing AW alone: the air shipment's waybill, and nothing for a truck's bill of lading
    assert refs(AsnSettings(shipment_refs=("AW",)), "A") == [["REF", "AW", "BOL-1"]]
    assert refs(AsnSettings(shipment_refs=("AW",)), "M") == []


def test_every_other_856_is_as_it_was():
    aw = AsnSettings(shipment_refs=("AW", "BM", "CN"))
    for method in ("M", "LT", "U", "H", ""):  # not air: BM as before
        assert refs(aw, method) == [["REF", "BM", "BOL-1"], ["REF", "CN", "1Z1"]]
    for asn in (AsnSettings(), AsnSettings(shipment_refs=("BM",)), AsnSettings(bm_from_tracking=True)):
        assert refs(asn, "A")[0] == ["REF", "BM", "BOL-1"]  # a partner not listing AW: BM, air or not
    # no bill of lading: nothing for AW (a parcel's tracking number is no air waybill), the tracking number as BM
    # where the partner asks it (bm_from_tracking), as before
    assert refs(AsnSettings(shipment_refs=("AW", "BM", "CN"), bm_from_tracking=True), "A", bol="") == [
        ["REF", "BM", "1Z1"], ["REF", "CN", "1Z1"]]


keys = st.tuples(
    st.integers(0, 2), st.integers(0, 1), st.none(), st.just(""), st.sampled_from(["", "UPSN", "A*B"]),
    st.sampled_from(["", "NDA"]), st.just(""), st.sampled_from(["A", "AE", "M", "U", "LT", "A~"]),
    st.just(date(2026, 11, 27)), st.sampled_from([None, time(1, 45)]), st.none(), st.just(""),
    st.just(("", "", "")), st.just(""), st.booleans(), st.just(""))


@settings(max_examples=200, deadline=None)
@given(refs_=st.sampled_from([("AW", "BM", "CN"), ("AW",), ("BM", "AW"), ("CN", "AW")]), bm=st.booleans(),
       d=st.sampled_from(SETS), key=keys, bol=st.sampled_from(["", "BOL-1", "B*1"]),
       tracking=st.sampled_from(["", "1Z"]))
def test_the_column_written_head_is_the_joined_segments_with_aw(refs_, bm, d, key, bol, tracking):
    """engine.asn_columnar.HeadTexts (the ship planner's 856s) writes AW exactly where s_segments does."""
    asn = AsnSettings(shipment_refs=refs_, bm_from_tracking=bm)
    chars = delimiter_chars((d,))
    heads = HeadTexts(asn, d, chars, CREATED)
    assert heads.text("BS-1", True, key, bol, tracking, ()) == joined(asn, d, chars, "BS-1", True, key, bol,
                                                                        tracking, ())


AW_PROFILE = ("acme", 'window_minutes = 30\n', 'window_minutes = 30\nshipment_refs = ["AW", "BM", "CN"]\n')


@pytest.mark.parametrize(("method", "profile", "want"), [
    ("A", AW_PROFILE, "AW"), ("AE", AW_PROFILE, "AW"), ("M", AW_PROFILE, "BM"), ("", AW_PROFILE, "BM"),
    ("A", None, "BM")])
def test_a_csv_shipment_by_air_goes_out_with_its_air_waybill(template, tmp_path, method, profile, want):  # noqa: F811
    data = (TM_HEAD + row().rstrip("\n") + f",{method}\n").encode()
    _, state, res = ship(template, tmp_path, "east", "c.csv", data, profile_edit=profile)
    assert [f["code"] for f in state.findings(run_id="t")] == [] and res.shipments == 1
    text = body_of(state)
    assert segments(text, "TD5")[0][4] == (method or "U")
    assert [s for s in segments(text, "REF") if s[1] in ("AW", "BM", "CN")][:2] == [["REF", want, "BOL-1"],
                                                                                    ["REF", "CN", "1Z1"]]


def test_an_unknown_shipment_ref_is_still_refused():
    with pytest.raises(ValueError):
        AsnSettings(shipment_refs=("AX",))
