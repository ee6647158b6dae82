"""Taxes on the 810 ([[fulfilment.invoice.taxes]], engine.invoice_taxes): Canadian retailers (Loblaw, Sobeys,
Canadian Tire, Hudson's Bay) require GST/HST/QST on the invoice - TXI after each IT1 and/or in the summary, our
registration numbers in TXI09, TDS01 with the tax - or reject or short-pay it. The profile option is checked at
load (15-character GST/HST numbers, 16-character QST ones, QST in Quebec only, never HST with GST); the amounts are
rounded as the option says (per line, or once on the total); TDS01 = lines + SAC net + taxes, and check_810 holds
the builder to it; a taxed 810 is built as segments (never by the columnar batch, which writes no TXI), passes our
validator, Bots and pyx12 in 004010 and 005010; the finance reconciliation ties its TDS with the taxes kept apart
from the charges; an untaxed 810 is what it was."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from pydantic import ValidationError

from engine.invoice import check_810, order_810
from engine.invoice_taxes import region, ship_to_places, taxes_for
from schemas.errors import DocumentError
from schemas.fulfilment import Charge, InvoiceSettings
from tests.retailer_support import maps  # noqa: F401 - the pyx12 maps fixture
from tests.support import REPO

HST = {"kind": "HST", "code": "GS", "percent": "13", "registration": "123456789RT0001",
       "regions": ["ON", "NB", "NS", "NL", "PE"]}
GST = {"kind": "GST", "code": "GS", "percent": "5", "registration": "123456789RT0001",
       "regions": ["QC", "AB", "BC", "MB", "SK"]}
QST = {"kind": "QST", "code": "SP", "percent": "9.975", "registration": "1234567890TQ0001", "regions": ["QC"]}
TAXES = [HST, GST, QST]
# three lines of 10.50 each: per-line rounding and rounding on the total differ for every one of the three taxes
QUANTITIES = {"1": Decimal(5), "2": Decimal(3), "3": Decimal(1)}
PRICES = {"1": Decimal("2.10"), "2": Decimal("3.50"), "3": Decimal("10.50")}


def order(province: str | None, location: str = "30018") -> dict:
    row = {"po_number": "7012345678", "partner": "loblaw", "ship_to_name": "LOBLAW DC", "ship_to_id": location,
           "ship_to_id_qualifier": "92", "currency": "CAD"}
    if province:
        row["ship_to_state"] = province
    return row


def build(settings: InvoiceSettings, province: str | None, *, places=None, charges=None):
    row = order(province)
    return order_810("7012345678", QUANTITIES, dict.fromkeys(QUANTITIES, "EA"), row, {}, PRICES, number="INV0000001",
                     invoice_date=date(2026, 11, 27), settings=settings, shipped=QUANTITIES, already_invoiced={},
                     charges=charges, taxes=taxes_for(settings, row, places or {}))


def txis(body) -> list[list[str]]:
    return [s for s in body if s[0] == "TXI"]


# --- the profile option, checked at load ------------------------------------------------------------------------

@pytest.mark.parametrize(("taxes", "why"), [
    ([{**HST, "registration": "12345678RT0001"}], "15 characters"),  # 14: a digit short
    ([{**GST, "registration": "123456789RT00011"}], "15 characters"),
    ([{**HST, "registration": ""}], "registration"),
    ([{**QST, "registration": "123456789RT0001"}], "16 characters"),  # a GST number as QST's
    ([{**QST, "regions": ["QC", "ON"]}], "Quebec"),
    ([{**HST, "regions": ["ON", "QC"]}], "HST applies in"),
    ([HST, {**GST, "regions": ["ON"]}], "HST replaces GST"),  # GST and HST for one ship-to
    ([GST, {**GST, "code": "G2"}], "one tax of a kind"),
    ([{**HST, "percent": "0"}], "greater than 0"),
    ([{**HST, "code": "G"}], "pattern"),
    ([{**HST, "regions": []}], "at least 1"),
])
def test_a_tax_setting_a_canadian_retailer_would_refuse_is_refused_at_profile_load(taxes, why, tmp_path):
    from schemas.profile import load_profiles

    profile = (REPO / "tests" / "fixtures" / "rg9" / "partners" / "loblaw.toml").read_text(encoding="utf-8")
    (tmp_path / "loblaw.toml").write_text(profile + "".join(
        "\n[[fulfilment.invoice.taxes]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in t.items()) for t in taxes),
        encoding="utf-8")
    with pytest.raises(Exception, match=why):
        load_profiles(tmp_path)
    with pytest.raises(ValidationError, match=why):
        InvoiceSettings(taxes=taxes)


def _toml(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(f'"{x}"' for x in v) + "]"
    return f'"{v}"' if not re.fullmatch(r"[0-9.]+", v) or v == "" else v


def test_the_canadian_taxes_load_as_a_retailer_needs_them(tmp_path):
    settings = InvoiceSettings(taxes=TAXES, tax_at="line")
    assert [(t.kind, t.code, t.percent, t.registration) for t in settings.taxes] == [
        ("HST", "GS", Decimal(13), "123456789RT0001"), ("GST", "GS", Decimal(5), "123456789RT0001"),
        ("QST", "SP", Decimal("9.975"), "1234567890TQ0001")]
    assert InvoiceSettings().taxes == () and InvoiceSettings().tax_at == "summary"


# --- amounts, positions, rounding -------------------------------------------------------------------------------

def test_ontario_hst_in_the_summary_is_rounded_once_on_the_total():
    built = build(InvoiceSettings(taxes=TAXES), "ON").built
    body = built.body
    at = body.index(["TDS", "3560"])  # 31.50 + 13 % of 31.50 = 4.095 -> 4.10
    assert body[at + 1] == ["TXI", "GS", "4.1", "13", "", "", "", "", "", "123456789RT0001"]
    assert txis(body) == [body[at + 1]] and body[at + 2][0] == "CTT"
    assert (built.merchandise, built.tax, built.total) == (Decimal("31.50"), Decimal("4.10"), Decimal("35.60"))


def test_ontario_hst_per_line_is_rounded_per_line_and_summed_in_the_summary():
    built = build(InvoiceSettings(taxes=TAXES, tax_at="line"), "ON").built
    body = built.body
    for n in ("1", "2", "3"):  # 10.50 x 13 % = 1.365 -> 1.37 each, after its IT1
        at = next(k for k, s in enumerate(body) if s[:2] == ["IT1", n])
        assert body[at + 1] == ["TXI", "GS", "1.37", "13", "", "", "", "", "", "123456789RT0001"]
    tds = body.index(["TDS", "3561"])  # 31.50 + 4.11
    assert body[tds + 1] == ["TXI", "GS", "4.11", "13", "", "", "", "", "", "123456789RT0001"]
    assert built.tax == Decimal("4.11") and len(txis(body)) == 4


def test_quebec_gst_and_qst_each_in_the_summary_with_its_registration():
    built = build(InvoiceSettings(taxes=TAXES), "QC").built
    body = built.body
    at = body.index(["TDS", "3622"])  # 31.50 + 1.58 (1.575) + 3.14 (3.142125)
    assert body[at + 1: at + 3] == [["TXI", "GS", "1.58", "5", "", "", "", "", "", "123456789RT0001"],
                                    ["TXI", "SP", "3.14", "9.975", "", "", "", "", "", "1234567890TQ0001"]]
    assert built.tax == Decimal("4.72")
    assert not any(s[1] == "GS" and s[3] == "13" for s in txis(body))  # no HST with the GST


def test_a_ship_to_in_quebec_s_former_code_pq_is_taxed_as_quebec():
    # N402 PQ (Canada Post's code before 1992, still sent by legacy systems) is Quebec: GST and QST, as for QC
    built = build(InvoiceSettings(taxes=TAXES), "PQ").built
    assert [s[:4] for s in txis(built.body)] == [["TXI", "GS", "1.58", "5"], ["TXI", "SP", "3.14", "9.975"]]
    assert built.tax == Decimal("4.72")


def test_quebec_gst_and_qst_per_line():
    built = build(InvoiceSettings(taxes=TAXES, tax_at="line", tax_percent="decimal"), "QC").built
    body = built.body
    first = next(k for k, s in enumerate(body) if s[:2] == ["IT1", "1"])
    assert body[first + 1: first + 3] == [["TXI", "GS", "0.53", "0.05", "", "", "", "", "", "123456789RT0001"],
                                          ["TXI", "SP", "1.05", "0.09975", "", "", "", "", "", "1234567890TQ0001"]]
    at = body.index(["TDS", "3624"])  # 31.50 + 3 x 0.53 + 3 x 1.05
    assert [s[:3] for s in body[at + 1: at + 3]] == [["TXI", "GS", "1.59"], ["TXI", "SP", "3.15"]]
    assert built.tax == Decimal("4.74")


def test_the_charges_are_taxed_and_tds_is_lines_plus_charges_plus_taxes():
    freight = (Charge(kind="C", code="D240", amount=Decimal("12.00")),)
    summary = build(InvoiceSettings(taxes=TAXES, charges=freight), "ON", charges=freight).built
    assert summary.body[summary.body.index(["TDS", "4916"]) + 1][:3] == ["TXI", "GS", "5.66"]  # 43.50 x 13 % = 5.655
    assert ["SAC", "C", "D240", "", "", "1200"] in summary.body
    line = build(InvoiceSettings(taxes=TAXES, charges=freight, tax_at="line"), "ON", charges=freight).built
    # the lines' 3 x 1.37 and the freight's 1.56, rounded on its own: 5.67 in the summary
    assert line.body[line.body.index(["TDS", "4917"]) + 1][:3] == ["TXI", "GS", "5.67"]
    assert (line.total, line.merchandise, line.tax) == (Decimal("49.17"), Decimal("31.50"), Decimal("5.67"))


def test_check_810_holds_the_taxes_to_the_tds():
    body = build(InvoiceSettings(taxes=TAXES, tax_at="line"), "ON").built.body
    check_810(body)
    without = [s for s in body if not (s[0] == "TXI" and s[3] == "13" and s[2] == "4.11")]  # summary TXI gone
    with pytest.raises(DocumentError, match="TDS01 3561 is not"):
        check_810(without)
    fixed = [["TDS", "3150"] if s[0] == "TDS" else s for s in without]
    with pytest.raises(DocumentError, match="the lines' TXI GS"):  # line taxes with no summary tax of their code
        check_810(fixed)
    wrong = [["TXI", "GS", "4.12", *s[3:]] if s[0] == "TXI" and s[2] == "4.11" else s for s in body]
    with pytest.raises(DocumentError):
        check_810([["TDS", "3562"] if s[0] == "TDS" else s for s in wrong])  # summary not the lines' sum


def test_a_ship_to_outside_the_taxes_regions_gets_the_810_it_got_before():
    taxed = InvoiceSettings(taxes=[QST, GST], tax_at="line")
    plain = InvoiceSettings()
    assert build(taxed, "ON").built == build(plain, "ON").built  # Ontario: neither GST nor QST listed
    assert not txis(build(plain, "QC").built.body)  # a partner without taxes: none, wherever it ships


def test_the_province_comes_from_ship_tos_when_the_po_sent_no_n4():
    settings = InvoiceSettings(taxes=TAXES)
    ship_tos = pa.table({"partner": ["loblaw", "loblaw", "sobeys"], "location_id": ["30018", "30112", "30018"],
                         "state": ["ON", "qc", "NS"]})
    places = ship_to_places(ship_tos, ["loblaw"])
    assert places == {("loblaw", "30018"): "ON", ("loblaw", "30112"): "QC"}
    assert region(order(None, "30112"), places) == "QC" and region(order("ON", "30112"), places) == "ON"
    row = order(None, "30112")
    built = order_810("7012345678", QUANTITIES, dict.fromkeys(QUANTITIES, "EA"), row, {}, PRICES, number="I",
                      invoice_date=date(2026, 11, 27), settings=settings, shipped=QUANTITIES, already_invoiced={},
                      taxes=taxes_for(settings, row, places)).built
    assert [s[1] for s in txis(built.body)] == ["GS", "SP"]  # Quebec's
    with pytest.raises(DocumentError, match="state or province is unknown"):
        taxes_for(settings, order(None, "99999"), places)


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
@pytest.mark.parametrize("at", ["summary", "line"])
@pytest.mark.parametrize("province", ["ON", "QC"])
def test_every_taxed_810_passes_our_validator_bots_and_pyx12(partner, at, province, tmp_path, maps):  # noqa: F811
    from tests.shipping_support import PROFILES, wrap_for
    from tests.test_mark_for import accepted

    freight = (Charge(kind="C", code="D240", amount=Decimal("12.00")),)
    body = build(InvoiceSettings(taxes=TAXES, tax_at=at, charges=freight), province, charges=freight).built.body
    accepted(wrap_for(PROFILES[partner], "IN", "810", [body]), tmp_path, maps)


# --- through the night: routing, the state, the finance reconciliation --------------------------------------------

FIXTURES = REPO / "tests" / "fixtures" / "rg9"
LOBLAW_TAXES = """
[[fulfilment.invoice.taxes]]
kind = "HST"
code = "GS"
percent = 13
registration = "123456789RT0001"
regions = ["ON", "NB", "NS", "NL", "PE"]

[[fulfilment.invoice.taxes]]
kind = "GST"
code = "GS"
percent = 5
registration = "123456789RT0001"
regions = ["QC", "AB", "BC", "MB", "SK"]

[[fulfilment.invoice.taxes]]
kind = "QST"
code = "SP"
percent = 9.975
registration = "1234567890TQ0001"
regions = ["QC"]
"""


@pytest.fixture(scope="module")
def taxed_night(tmp_path_factory):
    """Loblaw's two 850s (Ajax, ON, with its N4; Provigo Boucherville, QC, its N4 taken out: the province from
    ship_tos.csv) with taxes per line and in the summary, both shipped, invoiced, delivered and reconciled."""
    return _taxed_night(tmp_path_factory.mktemp("taxes") / "ws")


FREIGHT = '\n[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "D240"\namount = 25.00\nper = "shipment"\n'


@pytest.fixture(scope="module")
def grocery_night(tmp_path_factory):
    """The taxed night with the maple syrup (CA-202) a basic grocery (items.csv tax_class "grocery", which every
    tax exempts: zero-rated under GST/HST and QST) and a 25.00 freight charge per shipment."""
    return _taxed_night(tmp_path_factory.mktemp("grocery") / "ws", grocery=True)


def _taxed_night(root, *, grocery: bool = False):
    from connectors.state import StateStore
    from flows.reconcile import reconcile_run
    from tests.retailer_support import of_its_own
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, root, drops={"loblaw": ["loblaw-850-7012345678.x12"]})
    profile = ws.partners_dir / "loblaw.toml"
    text = profile.read_text(encoding="utf-8").replace('per = "shipment"\n', 'per = "shipment"\ntax_at = "line"\n')
    taxes = LOBLAW_TAXES
    if grocery:
        taxes = taxes.replace("regions = ", 'exempt = ["grocery"]\nregions = ') + FREIGHT
        items = ws.root / "reference" / "items.csv"
        rows = items.read_text(encoding="utf-8").splitlines()
        items.write_text("\n".join([rows[0] + ",tax_class", *(r + (",grocery" if r.startswith("CA-202,") else ",")
                                                             for r in rows[1:])]) + "\n", encoding="utf-8")
    profile.write_text(text + taxes, encoding="utf-8")
    po = next((ws.drop_root / "loblaw" / "inbox").iterdir())
    data = po.read_text(encoding="utf-8")
    data, n = re.subn(r"N4\*BOUCHERVILLE\*QC\*J4B 5E4\*CA~\n?", "", data)
    assert n == 1
    st = data.index("BEG*00*SA*7012345679")
    se = re.compile(r"SE\*(\d+)\*").search(data, st)
    data = data[:se.start(1)] + str(int(se.group(1)) - 1) + data[se.end(1):]
    po.write_text(data, encoding="utf-8")
    run_stages(ws, datetime(2026, 11, 26, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = list(csv.reader((FIXTURES / "shipments" / "east-shipments-20261126.csv").open(encoding="utf-8")))
    rows = [rows[0], *(r for r in rows[1:] if r[7].startswith("70123")),
            ["LB-SHP-02", "2026-11-26", "13:40", "DYLT", "", "", "BOL-LB-4402", "7012345679", "1", "CA-202", "20",
             "CA", "LB-C9", "276", "KG", ""]]
    with open(inbox / "east-shipments-taxes.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    ship_day = datetime(2026, 11, 26, 14, 30)
    ship_stages(ws, ship_day, run_id="day1")
    deliver_all(ws, ship_day)
    state = StateStore(ws.state_path)
    try:
        findings = [(f["code"], f["po_number"], f["message"]) for f in state.findings()]
        invoices = {v.po_number: v for v in state.invoices("loblaw")}
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 27, 2), run_id="recon")
        exceptions = state.stored_exceptions().to_pylist()
    finally:
        state.close()
    return ws, findings, invoices, exceptions


def _810s(ws) -> dict[str, list[list[str]]]:
    from tests.retailer_support import po_segments, segments

    segs = segments(ws, "loblaw", "810")
    return {po: po_segments(segs, po, "BIG") for po in ("7012345678", "7012345679")}


def test_a_taxed_night_writes_txi_per_line_and_in_the_summary_by_the_ship_to(taxed_night):
    ws, findings, invoices, _ = taxed_night
    assert not [f for f in findings if f[0] == "INVOICE_NOT_BUILT"], findings
    for po, doc in _810s(ws).items():
        quebec = po == "7012345679"
        rates = [("GS", Decimal(5)), ("SP", Decimal("9.975"))] if quebec else [("GS", Decimal(13))]
        exts, line_tax = [], {code: Decimal(0) for code, _ in rates}
        for k, s in enumerate(doc):
            if s[0] != "IT1":
                continue
            ext = (Decimal(s[2]) * Decimal(s[4])).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            exts.append(ext)
            after = [t for t in doc[k + 1:k + 3] if t[0] == "TXI"]
            assert [(t[1], Decimal(t[3])) for t in after] == rates, (po, doc[k:k + 3])
            for t, (code, rate) in zip(after, rates, strict=True):
                assert Decimal(t[2]) == (ext * rate / 100).quantize(Decimal("0.01"), "ROUND_HALF_UP")
                line_tax[code] += Decimal(t[2])
        tds = next(k for k, s in enumerate(doc) if s[0] == "TDS")
        summary = [t for t in doc[tds + 1:] if t[0] == "TXI"]
        assert {t[1]: Decimal(t[2]) for t in summary} == line_tax  # no SAC: the summary is the lines' sum
        assert Decimal(doc[tds][1]) / 100 == sum(exts) + sum(line_tax.values())  # TDS = lines + taxes
        assert [t[9] for t in summary] == (["123456789RT0001", "1234567890TQ0001"] if quebec else ["123456789RT0001"])
        record = invoices[po]  # the state keeps the tax apart from the charges
        assert (record.merchandise, record.charges, record.tax, record.total) == (
            sum(exts), Decimal(0), sum(line_tax.values()), Decimal(doc[tds][1]) / 100)


def test_every_810_of_the_taxed_night_passes_our_validator_bots_and_pyx12(taxed_night, tmp_path, maps):  # noqa: F811
    from parsers.x12_writer import transcode
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check, read_back
    from tests.test_mark_for import accepted

    ws = taxed_night[0]
    sent = sorted((ws.drop_root / "loblaw" / "outbox").glob("loblaw-810-*.x12"))
    assert len(sent) == 2
    for path in sent:  # as sent (a bilingual PID: "SIROP D'ÉRABLE"), and in ASCII for pyx12's character set (rg9)
        data = path.read_bytes()
        read_back(data)
        assert [f for f in validate_outbound(data) if f.severity == "error"] == []
        assert bots_check(data, tmp_path)[0], path.name
        accepted(transcode(data, "ascii"), tmp_path, maps)


def test_the_finance_reconciliation_ties_the_taxed_tds_and_names_the_tax_as_tax(taxed_night):
    ws, _findings, invoices, exceptions = taxed_night
    assert not [e for e in exceptions if e["type"] == "INVOICE_TOTAL_MISMATCH"], exceptions
    [data] = [p for p in (ws.root / "reports").rglob("invoices.csv") if "recon" in str(p)] or \
        list((ws.root / "reports").rglob("invoices.csv"))[:1]
    rows = {r["invoice_number"]: r for r in csv.DictReader(data.open(encoding="utf-8"))}
    for record in invoices.values():
        row = rows[record.invoice_number]
        assert Decimal(row["taxes"]) == record.tax > 0 and Decimal(row["charges"]) == 0
        assert Decimal(row["difference"]) == 0
    html = next(p for p in (ws.root / "reports").rglob("*.html") if "Invoices: lines" in p.read_text("utf-8"))
    assert "<th>Taxes</th>" in html.read_text("utf-8") or ">Taxes<" in html.read_text("utf-8")


def test_status_shows_the_810s_tax_apart_from_its_charges(taxed_night):
    import json

    from typer.testing import CliRunner

    from flows.cli import app

    ws, _findings, invoices, _ = taxed_night
    for po, record in invoices.items():
        res = CliRunner().invoke(app, ["status", po, "--partner", "loblaw", "--json", "-w", str(ws.root)])
        assert res.exit_code == 0, res.output
        [invoice] = json.loads(res.stdout)["invoices"]
        assert (Decimal(invoice["charges"]), Decimal(invoice["tax"])) == (Decimal(0), record.tax)
        shown = CliRunner().invoke(app, ["status", po, "--partner", "loblaw", "-w", str(ws.root)],
                                   env={"COLUMNS": "250"})
        # the text shows money with the currency's decimals (471.90 CAD), the JSON the exact number (above)
        assert "(tax" in shown.stdout and f"{record.tax:.2f})" in shown.stdout  # (a narrow terminal wraps the cell)


def test_billing_routes_only_the_taxed_810s_and_holds_one_whose_province_is_unknown(tmp_path):
    """prepare_invoices' _taxing: the due 810s that carry taxes (built as segments), none for a ship-to outside the
    taxes' regions or a partner without taxes (the column batch as ever), the DocumentError (INVOICE_NOT_BUILT) for
    a ship-to whose province neither the PO nor ship_tos.csv tells."""
    from engine.lifecycle.billing import InvoiceDue, _taxing
    from schemas.profile import load_profiles

    for name in ("loblaw", "sobeys"):
        profile = (FIXTURES / "partners" / f"{name}.toml").read_text(encoding="utf-8")
        (tmp_path / f"{name}.toml").write_text(profile + (LOBLAW_TAXES if name == "loblaw" else ""), "utf-8")
    profiles = load_profiles(tmp_path)
    due = [InvoiceDue("loblaw", "P-ON", {1: Decimal(1)}), InvoiceDue("loblaw", "P-YT", {1: Decimal(1)}),
           InvoiceDue("loblaw", "P-QC", {1: Decimal(1)}), InvoiceDue("loblaw", "P-NONE", {1: Decimal(1)}),
           InvoiceDue("sobeys", "P-S", {1: Decimal(1)})]
    orders = {("loblaw", "P-ON"): {"ship_to_state": "ON"}, ("loblaw", "P-YT"): {"ship_to_state": "YT"},
              ("loblaw", "P-QC"): {"ship_to_id": "30112"}, ("loblaw", "P-NONE"): {"ship_to_id": "77777"},
              ("sobeys", "P-S"): {}}
    got = _taxing(due, orders, profiles, {("loblaw", "30112"): "QC"})
    assert sorted(got) == [0, 2, 3]  # YT: no tax listed for it; Sobeys: no taxes at all
    assert [t.kind for t in got[0]] == ["HST"] and [t.kind for t in got[2]] == ["GST", "QST"]
    assert isinstance(got[3], DocumentError)


def test_a_us_partner_gets_its_states_sales_tax_alone(tmp_path, maps):  # noqa: F811
    """A US partner's sales tax (kind "sales", TXI*ST, no registration) for the ship-tos of its states: New Jersey's
    6.625 % of 31.50 = 2.0869 -> 2.09 in the summary; a ship-to in another state is not taxed."""
    from tests.shipping_support import PROFILES, wrap_for
    from tests.test_mark_for import accepted

    settings = InvoiceSettings(taxes=[{"kind": "sales", "code": "ST", "percent": "6.625", "regions": ["NJ"]}])
    body = build(settings, "NJ").built.body
    assert body[body.index(["TDS", "3359"]) + 1] == ["TXI", "ST", "2.09", "6.625"]
    assert not txis(build(settings, "PA").built.body)
    accepted(wrap_for(PROFILES["globex"], "IN", "810", [body]), tmp_path, maps)


# --- a PO's own exemption (its heading TAX: TAX12, the states of TAX02-TAX11) --------------------------------------

SALES = {"kind": "sales", "code": "ST", "percent": "6.25", "regions": ["IL", "WI"]}


def exempt_by(tax_sent: str | None, kinds=(SALES,), state: str = "IL") -> list[str]:
    """The kinds of ``kinds`` an 810 of a PO shipping to ``state`` with the TAXes ``tax_sent`` ("*"-separated
    elements from TAX01, "~" between segments, as the 850 reader keeps them) carries."""
    from schemas.orders import ELEMENTS_SEP, ITDS_SEP

    row = {"partner": "cdw", "ship_to_state": state}
    if tax_sent is not None:
        row["tax_sent"] = tax_sent.replace("*", ELEMENTS_SEP).replace("~", ITDS_SEP)
    return [t.kind for t in taxes_for(InvoiceSettings(taxes=list(kinds)), row, {})]


@pytest.mark.parametrize(("tax_sent", "state", "taxed"), [
    (None, "IL", True),  # no TAX: taxed as ever
    ("2817-4402***********3", "IL", False),  # exempt for resale, no state named: everywhere
    ("2817-4402***********1", "WI", False),  # tax exempt
    ("***********7", "IL", False),  # direct pay: the buyer pays the state itself
    ("***********2", "IL", True),  # not tax exempt
    ("***********4", "IL", True),  # not exempt, for resale
    ("2817-4402*SP*IL*********3", "IL", False),  # exempt in Illinois, shipping there
    ("2817-4402*SP*IL*********3", "WI", True),  # exempt in Illinois only, shipping to Wisconsin
    ("2817-4402*SP*IL*SP*WI*******3", "WI", False),  # two states named
    ("ES-7730*SP*WI*********3~2817-4402*SP*IL*********3", "IL", False),  # a TAX per state
    ("2817-4402*CI*CHICAGO*********3", "IL", True),  # a city named, no state: not the state's tax
    ("2817-4402***********G", "IL", True),  # provincial sales tax only
])
def test_a_po_stating_its_exemption_bears_none_of_the_tax_it_is_exempt_from(tax_sent, state, taxed):
    """A reseller's drop ship (CDW: TAX*2817-4402***********3, exempt for resale with its certificate) is billed
    without the state's sales tax the profile charges; a TAX naming states exempts those alone, TAX12 2 or 4 (not
    exempt) none. We used to drop the TAX segment and tax every PO."""
    assert exempt_by(tax_sent, state=state) == (["sales"] if taxed else [])


def test_f_exempts_the_gst_and_hst_and_g_the_provincial_taxes():
    assert exempt_by("***********F", TAXES, "QC") == ["QST"] and exempt_by("***********F", TAXES, "ON") == []
    assert exempt_by("***********G", TAXES, "QC") == ["GST"] and exempt_by("***********G", TAXES, "ON") == ["HST"]


def test_the_850_reader_keeps_every_heading_tax_as_sent():
    from schemas.orders import ELEMENTS_SEP, ITDS_SEP
    from tests.test_mark_for import orders_of

    po = ("ISA*00*          *00*          *01*107627952      *ZZ*ORDERBRIDGE    *261201*2215*U*00401*000041201*0*P*>~"
          "GS*PO*107627952*ORDERBRIDGE*20261201*2215*41201*X*004010~ST*850*0001~BEG*00*NE*PO1**20261201~"
          "TAX*2817-4402*SP*IL*********3~TAX*ES-7730*SP*WI*********3~PO1*1*4*EA*812.4**VP*LT-14G5-8512~CTT*1~"
          "SE*6*0001~GE*1*41201~IEA*1*000041201~")
    orders, _lines = orders_of(po)
    assert orders.column("tax_sent").to_pylist() == [ITDS_SEP.join(
        ELEMENTS_SEP.join(["2817-4402", "SP", "IL", *[""] * 8, "3"]) if k == 0 else
        ELEMENTS_SEP.join(["ES-7730", "SP", "WI", *[""] * 8, "3"]) for k in range(2))]


# --- exempt items and taxable charges (InvoiceTax.exempt, InvoiceTax.charges) ------------------------------------

GROCERY = {"1": "grocery"}  # line 1 (5 x 2.10 = 10.50): basic groceries, zero-rated under GST/HST


def build_classes(settings: InvoiceSettings, province: str, classes, *, charges=None):
    row = order(province)
    return order_810("7012345678", QUANTITIES, dict.fromkeys(QUANTITIES, "EA"), row, {}, PRICES, number="INV0000001",
                     invoice_date=date(2026, 11, 27), settings=settings, shipped=QUANTITIES, already_invoiced={},
                     charges=charges, taxes=taxes_for(settings, row, {}), classes=classes).built


def test_a_zero_rated_item_bears_no_hst_and_the_freight_follows_the_goods_it_delivers():
    """Ontario, basic groceries zero-rated (line 1): the HST is on the two taxable lines (21.00) and on the freight
    in their share of the goods (12.00 x 21/31.50 = 8.00): 29.00 x 13 % = 3.77; TDS 31.50 + 12 + 3.77."""
    hst = {**HST, "exempt": ["grocery"]}
    freight = (Charge(kind="C", code="D240", amount=Decimal("12.00")),)
    built = build_classes(InvoiceSettings(taxes=[hst], charges=freight), "ON", GROCERY, charges=freight)
    assert built.body[built.body.index(["TDS", "4727"]) + 1][:4] == ["TXI", "GS", "3.77", "13"]
    assert built.tax == Decimal("3.77")
    check_810(built.body)
    line = build_classes(InvoiceSettings(taxes=[hst], charges=freight, tax_at="line"), "ON", GROCERY,
                         charges=freight)
    first = next(k for k, s in enumerate(line.body) if s[:2] == ["IT1", "1"])
    assert line.body[first + 1][:4] == ["TXI", "GS", "0", "0"]  # the grocery line: no tax, at rate 0
    # 2 x 1.37 on the taxable lines + the freight's share 8.00 x 13 % = 1.04: 3.78
    assert line.body[line.body.index(["TDS", "4728"]) + 1][:3] == ["TXI", "GS", "3.78"]
    check_810(line.body)
    # an item no tax exempts, or a tax that exempts nothing: every line taxed, as before
    assert build_classes(InvoiceSettings(taxes=[hst]), "ON", {"1": "hardware"}).tax == Decimal("4.10")
    assert build_classes(InvoiceSettings(taxes=[HST]), "ON", GROCERY).tax == Decimal("4.10")


def test_a_state_that_taxes_no_separately_stated_freight_and_one_that_taxes_it_all():
    freight = (Charge(kind="C", code="D240", amount=Decimal("12.00")),)
    sales = {"kind": "sales", "code": "ST", "percent": "6.625", "regions": ["NJ"], "exempt": ["grocery"]}
    exempt = InvoiceSettings(taxes=[{**sales, "charges": "exempt"}], charges=freight)
    assert build_classes(exempt, "NJ", GROCERY, charges=freight).tax == Decimal("1.39")  # 21.00 x 6.625 % = 1.391
    full = InvoiceSettings(taxes=[{**sales, "charges": "taxable"}], charges=freight)
    assert build_classes(full, "NJ", GROCERY, charges=freight).tax == Decimal("2.19")  # 33.00 x 6.625 % = 2.186
    goods = InvoiceSettings(taxes=[sales], charges=freight)
    assert build_classes(goods, "NJ", GROCERY, charges=freight).tax == Decimal("1.92")  # 29.00: 1.92125
    everything = {"1": "grocery", "2": "grocery", "3": "grocery"}  # all groceries: neither lines nor freight
    built = build_classes(goods, "NJ", everything, charges=freight)
    assert built.tax == 0 and built.body[built.body.index(["TDS", "4350"]) + 1][:3] == ["TXI", "ST", "0"]


def test_an_allowance_lowers_the_taxable_base_by_the_taxable_goods_share():
    """A 10 % allowance on the invoice (3.15) is a discount on every line: the taxable lines' share (21/31.50)
    of it comes off the HST's base: (21.00 - 2.10) x 13 % = 2.457 -> 2.46."""
    off = (Charge(kind="A", code="C310", percent=Decimal(10)),)
    built = build_classes(InvoiceSettings(taxes=[{**HST, "exempt": ["grocery"]}], charges=off), "ON", GROCERY,
                          charges=off)
    assert built.tax == Decimal("2.46") and built.total == Decimal("30.81")  # 31.50 - 3.15 + 2.46
    check_810(built.body)


def test_a_tax_class_and_the_charges_switch_load_from_the_profile():
    settings = InvoiceSettings(taxes=[{**HST, "exempt": ["grocery", "prescription"], "charges": "exempt"}])
    assert settings.taxes[0].exempt == ("grocery", "prescription") and settings.taxes[0].charges == "exempt"
    assert InvoiceSettings(taxes=[HST]).taxes[0].charges == "goods"
    with pytest.raises(ValidationError):
        InvoiceSettings(taxes=[{**HST, "charges": "yes"}])


def test_billing_reads_each_line_s_tax_class_from_items_csv():
    from engine.lifecycle.billing import tax_classes

    items = pa.table({"sku": ["SKU-1", "SKU-2", "SKU-3"], "tax_class": ["grocery", None, " "]})
    skus = {("loblaw", "P1", 1): "SKU-1", ("loblaw", "P1", 2): "SKU-2", ("loblaw", "P1", 3): "SKU-3",
            ("loblaw", "P2", 1): "SKU-1", ("loblaw", "P2", 2): "SKU-9"}
    assert tax_classes(skus, items) == {("loblaw", "P1"): {1: "grocery"}, ("loblaw", "P2"): {1: "grocery"}}
    assert tax_classes(skus, pa.table({"sku": ["SKU-1"]})) == {}  # an items.csv without the column


def test_a_grocery_night_taxes_neither_the_zero_rated_lines_nor_their_share_of_the_freight(grocery_night, tmp_path,
                                                                                            maps):  # noqa: F811
    """Through the night: the line's item read from items.csv (its SKU as the rules resolved it), the syrup's
    IT1 loops state 0 at rate 0, the bird seed's the HST; the freight is taxed in the taxable lines' share of the
    goods; TDS = lines + freight + summary taxes; each 810 passes our validator and pyx12; the finance
    reconciliation ties every TDS (no INVOICE_TOTAL_MISMATCH)."""
    from parsers.x12_writer import transcode
    from rules.outbound import validate_outbound
    from tests.test_mark_for import accepted

    ws, findings, invoices, exceptions = grocery_night
    assert not [f for f in findings if f[0] == "INVOICE_NOT_BUILT"], findings
    cent = Decimal("0.01")
    docs = _810s(ws)
    assert docs["7012345678"] and docs["7012345679"]
    for po, doc in docs.items():
        rates = [("GS", Decimal(5)), ("SP", Decimal("9.975"))] if po == "7012345679" else [("GS", Decimal(13))]
        goods, taxable, line_tax = Decimal(0), Decimal(0), {code: Decimal(0) for code, _ in rates}
        for k, s in enumerate(doc):
            if s[0] != "IT1":
                continue
            ext = (Decimal(s[2]) * Decimal(s[4])).quantize(cent, "ROUND_HALF_UP")
            grocery = "CA-202" in s
            goods += ext
            taxable += 0 if grocery else ext
            after = [t for t in doc[k + 1:k + 3] if t[0] == "TXI"]
            assert [(t[1], Decimal(t[3])) for t in after] == [(c, Decimal(0) if grocery else r) for c, r in rates]
            for t, (code, rate) in zip(after, rates, strict=True):
                assert Decimal(t[2]) == (0 if grocery else (ext * rate / 100).quantize(cent, "ROUND_HALF_UP"))
                line_tax[code] += Decimal(t[2])
        freight = sum((Decimal(s[5]) / 100 for s in doc if s[:3] == ["SAC", "C", "D240"]), Decimal(0))
        assert freight == Decimal(25)
        tds = next(k for k, s in enumerate(doc) if s[0] == "TDS")
        summary = {t[1]: Decimal(t[2]) for t in doc[tds + 1:] if t[0] == "TXI"}
        share = taxable / goods
        assert summary == {code: line_tax[code] + (freight * share * rate / 100).quantize(cent, "ROUND_HALF_UP")
                           for code, rate in rates}, po
        assert Decimal(doc[tds][1]) / 100 == goods + freight + sum(summary.values())
        if po == "7012345679":  # the syrup alone: no tax at all
            assert set(summary.values()) == {Decimal(0)}
        else:
            assert 0 < summary["GS"] < ((goods + freight) * 13 / 100)
        assert invoices[po].tax == sum(summary.values())
    assert not [e for e in exceptions if e["type"] == "INVOICE_TOTAL_MISMATCH"], exceptions
    for path in sorted((ws.drop_root / "loblaw" / "outbox").glob("loblaw-810-*.x12")):
        data = path.read_bytes()
        assert [f for f in validate_outbound(data) if f.severity == "error"] == []
        accepted(transcode(data, "ascii"), tmp_path, maps)
