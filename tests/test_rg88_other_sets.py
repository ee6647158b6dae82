"""The other transaction sets a trading partner sends a supplier on the same EDI connection, which we do not process
(tests/fixtures/rg88: the buyers' profiles, reference rows, stock, their files and the east DC's confirmation), written
in the shapes of the retailers' public 820/812/852/846/816/754/830/862/180/869 guides (facts carried over, the files
written here): HCA's 850 with, in the same interchange, its 820 remittance (two invoices, one short paid by its
discount), an 812 debit for a short shipment and an 864, each in its own group (005010); Walmart's 820 alone in its
GS RA group, its 852 product activity, its own stock by 846 and its store list by 816 in one interchange, and its 754
routing instructions, 830 forecast, 862 shipping schedule, 180 return authorisation, 869 order status inquiry and a
204 load tender we never heard of in another (004010); The Home Depot's 820 for a profile that refuses what we do not
process ([x12] other_sets "refuse").

What a supplier's EDI system must do with each (docs/bad-inputs.md): answer its syntax by a 997 (AK5 A, AK9 A: an 820
refused by our 997 reads to Walmart as a remittance we refused), process the file (never quarantined for them), list
each set in the run's findings as received, not processed (SET_RECEIVED_NOT_PROCESSED: partner, set, control numbers
and what it says in a line: an 820's total, trace and the invoices it pays), the file kept in the archive; the 850s
beside them taken, acknowledged, shipped and invoiced as if they came alone. A profile that refuses them answers
AK5 R 1 (transaction set not supported) and AK9 R 1 (functional group not supported)."""

from __future__ import annotations

import tomllib
from datetime import date, datetime

import pytest

from engine.process import Known, process_file
from schemas.profile import PartnerProfile
from tests.retailer_support import (  # noqa: F401 (maps: a fixture)
    all_sent_accepted,
    inspected,
    maps,
    of_its_own,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg88"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 30, 23, 30)
SHIP_DAY = datetime(2026, 12, 1, 15)
DROPS = FIXTURES / "drops"


def _profile(partner: str, **update) -> PartnerProfile:
    data = tomllib.loads((FIXTURES / "partners" / f"{partner}.toml").read_text(encoding="utf-8"))
    return PartnerProfile.model_validate(data).model_copy(update=update)


def _processed(partner: str, name: str, profile: PartnerProfile | None = None, data: bytes | None = None):
    path = DROPS / partner / name
    return process_file(data if data is not None else path.read_bytes(), file=name, sha256="s",
                        profile=profile or _profile(partner), known=Known(), today=date(2026, 11, 30),
                        received_at=NIGHT)


def _acks(out) -> list[list[list[str]]]:
    return [[list(s) for s in d.bodies[0]] for d in out.documents if d.doc_type == "997"]


def _kept(out) -> list[tuple[str, str, str, str]]:
    return [(f.location.gs06, f.location.st02, f.location.value, f.severity) for f in out.findings
            if f.code == "SET_RECEIVED_NOT_PROCESSED"]


@pytest.mark.parametrize("path", sorted(DROPS.rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_each_file_as_a_default_profile_does_without_an_error(path):
    """`orderbridge inspect --json` (a default profile: other_sets "keep", 824 and 864 accepted): each set we do
    not process a warning saying what it is, never GS_FUNCTIONAL_ID_UNSUPPORTED; HCA's 850 read with its lines."""
    seen = inspected(path)
    codes = [f["code"] for f in seen["findings"]]
    kept = [t["set_id"] for i in seen["interchanges"] for g in i["groups"] for t in g["transactions"]
            if t["set_id"] not in ("850", "864")]
    assert [f["severity"] for f in seen["findings"]] == ["warning"] * len(codes)
    assert [c for c in codes if c != "NOTES_NOT_KEPT"] == ["SET_RECEIVED_NOT_PROCESSED"] * len(kept)
    assert [f["message"][:3] for f in seen["findings"] if f["code"] == "SET_RECEIVED_NOT_PROCESSED"] == kept


def test_walmarts_820_in_its_own_group_is_accepted_by_its_997_and_listed_for_finance():
    out = _processed("walmart", "WM_820_0088101.x12")
    assert out.disposition == "processed" and out.error_count == 0
    assert _acks(out) == [[["AK1", "RA", "88101"], ["AK2", "820", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]]
    [f] = out.findings
    assert (f.code, f.severity, f.location.isa13, f.location.gs06, f.location.st02) == (
        "SET_RECEIVED_NOT_PROCESSED", "warning", "000088101", "88101", "0001")
    assert f.message.startswith("820 Payment Order/Remittance Advice: payment 18233.4 by ACH on 20261202; trace "
                                "0088101000123; 3 document(s): IV INV-80101 paid 12000, IV INV-80102 paid 6400 of "
                                "6500 (adjusted 100), CM CM-80020 paid -166.6; PO 4500881010, 4500881011.")
    assert "archived file WM_820_0088101.x12 (GS RA 88101, ST02 0001)" in f.message
    assert out.orders.num_rows == 0  # nothing of it is taken as an order


def test_each_other_set_is_answered_by_its_own_997_on_its_syntax():
    out = _processed("walmart", "WM_754_830_862_180_869_204.x12")
    assert out.disposition == "processed" and out.error_count == 0
    groups = [("OG", "88105", "754"), ("PS", "88106", "830"), ("SS", "88107", "862"), ("AN", "88108", "180"),
              ("RS", "88109", "869"), ("SM", "88110", "204")]
    assert _acks(out) == [[["AK1", gs01, gs06], ["AK2", st01, "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
                          for gs01, gs06, st01 in groups]
    assert _kept(out) == [(gs06, "0001", st01, "warning") for _g, gs06, st01 in groups]
    said = [f.message.split(". Received")[0] for f in out.findings]
    assert said == [
        "754 Routing Instructions: RT0088105 dated 20261130; PO 4500881012",
        "830 Planning Schedule with Release Capability: FC0088106 from 20261207 to 20270103: 1 item(s), "
        "2 forecast line(s)",
        "862 Shipping Schedule: SS0088107 from 20261207 to 20261213: 1 item(s), 1 forecast line(s)",
        "180 Return Merchandise Authorization and Notification: RA0088108 dated 20261130: 1 item(s); PO 4500881010",
        "869 Order Status Inquiry: SI0088109 dated 20261130; PO 4500881011",
        "204 Motor Carrier Load Tender: 5 segments, beginning B2"]


def test_product_activity_its_own_stock_and_store_list_are_kept_not_read_as_ours():
    out = _processed("walmart", "WM_852_846_816_0088102.x12")
    assert out.disposition == "processed" and out.error_count == 0
    assert [a[-1] for a in _acks(out)] == [["AK9", "A", "1", "1", "1"]] * 3
    assert [f.message.split(". Received")[0] for f in out.findings] == [
        "852 Product Activity Data: 20261123 to 20261129: 2 item(s), 4 quantities; PO 4500881010",
        "846 Inventory Inquiry/Advice: 0088103 dated 20261130: 2 item(s), 2 quantities",
        "816 Organizational Relationships: 2 parties: WAL-MART STORE 100, WAL-MART STORE 5260"]


def test_a_damaged_st01_is_still_refused_not_kept():
    """Only a set X12 puts in its group is kept (or, in a group we do not accept, a 3-digit ST01 we never heard of): a
    damaged ST01 is refused (AK5 R 1), the file's other groups still accepted."""
    data = (DROPS / "walmart" / "WM_754_830_862_180_869_204.x12").read_bytes()
    out = _processed("walmart", "x.x12", data=data.replace(b"ST*830*0001~", b"ST*83O*0001~"))
    acks = _acks(out)
    # its group holds nothing we keep: the group is refused as not supported (AK905 1), its set too (AK502 1)
    assert acks[1] == [["AK1", "PS", "88106"], ["AK2", "83O", "0001"], ["AK5", "R", "1"],
                       ["AK9", "R", "1", "1", "0", "1"]]
    assert [a[-1] for k, a in enumerate(acks) if k != 1] == [["AK9", "A", "1", "1", "1"]] * 5
    assert [f.code for f in out.findings if f.severity == "error"] == ["GS_FUNCTIONAL_ID_UNSUPPORTED"]
    hca = _processed("hca", "HCA_850_820_812_864.x12", data=(DROPS / "hca" / "HCA_850_820_812_864.x12").read_bytes()
                     .replace(b"ST*850*0001~", b"ST*85O*0001~"))
    assert [f.code for f in hca.findings if f.severity == "error"] == ["ST_SET_UNSUPPORTED"]
    assert _acks(hca)[0][1:3] == [["AK2", "85O", "0001"], ["AK5", "R", "1"]]


def test_a_profile_that_refuses_other_sets_answers_not_supported_with_its_codes():
    out = _processed("homedepot", "HD_820_0088201.x12")
    assert _acks(out) == [[["AK1", "RA", "88201"], ["AK2", "820", "0001"], ["AK5", "R", "1"],
                           ["AK9", "R", "1", "1", "0", "1"]]]
    assert [(f.code, f.severity) for f in out.findings] == [("GS_FUNCTIONAL_ID_UNSUPPORTED", "error")]
    # the same 820 from a profile that keeps them (the default): accepted
    keep = _processed("homedepot", "HD_820_0088201.x12", profile=_profile("homedepot").model_copy(update={
        "x12": _profile("homedepot").x12.model_copy(update={"other_sets": "keep"})}))
    assert _acks(keep)[0][-2:] == [["AK5", "A"], ["AK9", "A", "1", "1", "1"]] and keep.disposition == "processed"


def test_the_default_profile_keeps_other_sets():
    profile = PartnerProfile.model_validate({"id": "target", "name": "Target", "x12": {
        "their_qualifier": "08", "their_id": "5494060000", "our_qualifier": "ZZ", "our_id": "US",
        "their_gs_id": "5494060000", "our_gs_id": "US", "version": "004010"}})
    assert profile.x12.other_sets == "keep"


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg88") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_no_file_is_quarantined_but_the_refused_one(night):
    from connectors.state import StateStore

    ws, _found, _states = night
    state = StateStore(ws.state_path)
    try:
        files = {(f["partner"], f["name"]): f for f in state.files() if not f["partner"].startswith("warehouse:")}
    finally:
        state.close()
    assert {k: f["status"] for k, f in files.items()} == {
        ("hca", "HCA_850_820_812_864.x12"): "processed", ("walmart", "WM_820_0088101.x12"): "processed",
        ("walmart", "WM_852_846_816_0088102.x12"): "processed",
        ("walmart", "WM_754_830_862_180_869_204.x12"): "processed",
        ("homedepot", "HD_820_0088201.x12"): "quarantined"}
    for f in files.values():  # every file in the archive, for ops and the ERP
        assert f["archive_path"] and f["archive_path"].endswith(f["name"])


def test_the_night_lists_every_set_received_not_processed_with_its_partner(night):
    _ws, found, _states = night
    kept = sorted((c, s, m.split(":")[0]) for c, s, _po, m in found if c == "SET_RECEIVED_NOT_PROCESSED")
    assert kept == sorted([("SET_RECEIVED_NOT_PROCESSED", "warning", s) for s in (
        "820 Payment Order/Remittance Advice", "812 Credit/Debit Adjustment", "820 Payment Order/Remittance Advice",
        "852 Product Activity Data", "846 Inventory Inquiry/Advice", "816 Organizational Relationships",
        "754 Routing Instructions", "830 Planning Schedule with Release Capability", "862 Shipping Schedule",
        "180 Return Merchandise Authorization and Notification", "869 Order Status Inquiry",
        "204 Motor Carrier Load Tender")])
    [hca_820] = [m for c, _s, _po, m in found if c == "SET_RECEIVED_NOT_PROCESSED" and "7841.5" in m]
    assert "IV INV-70011 paid 5241.5 of 5320 (adjusted 78.5), IV INV-70012 paid 2600" in hca_820
    [debit] = [m for c, _s, _po, m in found if c == "SET_RECEIVED_NOT_PROCESSED" and m.startswith("812")]
    assert debit.startswith("812 Credit/Debit Adjustment: debit DM-4471 of 46.20 dated 20261130; invoice INV-70012; "
                            "PO HCA7200112.")


def test_the_850_beside_them_is_acknowledged_shipped_and_invoiced(night, tmp_path, maps):  # noqa: F811
    ws, found, states = night
    assert states == {("hca", "HCA7300202"): "invoiced"}
    assert not [f for f in found if f[1] == "error" and f[0] != "GS_FUNCTIONAL_ID_UNSUPPORTED"]
    acks = segments(ws, "hca", "997")
    assert [s for s in acks if s[0] in ("AK1", "AK2", "AK5", "AK9")] == [
        ["AK1", "PO", "88001", "005010"], ["AK2", "850", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"],
        ["AK1", "RA", "88002", "005010"], ["AK2", "820", "880001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"],
        ["AK1", "CD", "88003", "005010"], ["AK2", "812", "880002"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"],
        ["AK1", "TX", "88004", "005010"], ["AK2", "864", "880003"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    [bak] = [s for s in segments(ws, "hca", "855") if s[0] == "BAK"]
    assert bak[3] == "HCA7300202"
    assert [s[1:4] for s in segments(ws, "hca", "855") if s[0] == "ACK"] == [["IA", "30", "BX"], ["IA", "50", "DZ"],
                                                                             ["IA", "12", "PK"]]
    # 30 x 4.20 + 50 x 1.32 + 12 x 12
    assert [s for s in segments(ws, "hca", "810") if s[0] == "TDS"] == [["TDS", "33600"]]
    all_sent_accepted(ws, ["hca"], tmp_path, maps, shipments=1, answers=1)
    for partner in ("walmart", "homedepot"):  # their 997s only: nothing of theirs was an order
        assert not list((ws.drop_root / partner / "outbox").glob("*-855-*"))
    hd = [s for s in segments(ws, "homedepot", "997") if s[0] in ("AK5", "AK9")]
    assert hd == [["AK5", "R", "1"], ["AK9", "R", "1", "1", "0", "1"]]
    wm = [s for s in segments(ws, "walmart", "997") if s[0] in ("AK5", "AK9")]
    assert wm == [["AK5", "A"], ["AK9", "A", "1", "1", "1"]] * 10


def test_a_refused_group_beside_an_850_does_not_stop_the_850(tmp_path):
    """HCA's profile leaving 864 out of `accepts`: its TX group is refused (AK5 R 1, AK9 R 1) and the file quarantined
    for it, and the 850 in the same interchange is still taken and acknowledged (855), its 820 and 812 accepted."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"hca": ["HCA_850_820_812_864.x12"]}, warehouses=WAREHOUSES)
    profile = ws.partners_dir / "hca.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        'accepts = ["850", "860", "997", "824", "864"]', 'accepts = ["850", "860", "997"]'), encoding="utf-8")
    run_stages(ws, NIGHT)
    assert [s for s in segments(ws, "hca", "997") if s[0] in ("AK1", "AK5", "AK9")] == [
        ["AK1", "PO", "88001", "005010"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"],
        ["AK1", "RA", "88002", "005010"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"],
        ["AK1", "CD", "88003", "005010"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"],
        ["AK1", "TX", "88004", "005010"], ["AK5", "R", "1"], ["AK9", "R", "1", "1", "0", "1"]]
    assert [s[3] for s in segments(ws, "hca", "855") if s[0] == "BAK"] == ["HCA7300202"]
    assert (ws.drop_root / "hca" / "quarantine" / "HCA_850_820_812_864.x12").exists()


def test_the_run_summary_counts_each_partners_sets_received_not_processed():
    import pyarrow as pa

    from engine.run_summary import summarise

    findings = pa.table({"partner": ["walmart", "walmart", "hca", "hca"],
                         "code": ["SET_RECEIVED_NOT_PROCESSED", "SET_RECEIVED_NOT_PROCESSED",
                                  "SET_RECEIVED_NOT_PROCESSED", "NOTES_NOT_KEPT"],
                         "severity": ["warning"] * 4, "decided_by": pa.array([None] * 4, pa.string())})
    events = pa.table({"partner": pa.array([], pa.string()), "po_number": pa.array([], pa.string()),
                       "event": pa.array([], pa.string())})
    rows = {r["partner"]: r for r in summarise(["walmart", "hca", "homedepot"], files=[], documents=[],
                                                events=events, findings=findings)}
    assert (rows["walmart"]["not_processed"], rows["hca"]["not_processed"]) == (2, 1)
    assert rows["hca"]["warnings"] == 2 and "not_processed" not in rows["homedepot"]


@pytest.mark.parametrize("partner,name", [("walmart", "WM_754_830_862_180_869_204.x12"),
                                          ("hca", "HCA_850_820_812_864.x12"), ("homedepot", "HD_820_0088201.x12")])
def test_a_file_read_in_batches_keeps_and_refuses_as_the_whole_file_does(partner, name):
    """A large file is read a set at a time (engine.process_batches): a group we do not accept is kept or refused by
    all its sets' ST01s (parsers.x12_batches.Skeleton.set_ids), not by the batch's, as when the file is read whole."""
    from tests.test_intake_batches import _batched_file, _facts, _whole_file

    data, profile = (DROPS / partner / name).read_bytes(), _profile(partner)
    whole = _whole_file(data, profile)
    batched, _n = _batched_file(data, profile, max_sets=1, reasons=[])
    assert _facts(whole) == _facts(batched)
    codes = [f.code for o in batched for f in o.findings if f.code != "NOTES_NOT_KEPT"]
    assert codes == {"walmart": ["SET_RECEIVED_NOT_PROCESSED"] * 6, "hca": ["SET_RECEIVED_NOT_PROCESSED"] * 2,
                     "homedepot": ["GS_FUNCTIONAL_ID_UNSUPPORTED"]}[partner]
