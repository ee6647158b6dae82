"""Charge reconciliation (engine.charge_match): what a PO's SAC allowances and charges promised (its 850's
SAC_NOT_APPLIED words: SAC05 with two implied decimals, SAC06/SAC07 percent, SAC12 handling, SAC15) against
what our 810s billed (their SAC segments read back), flagged where an allowance promised off the invoice was
not taken or a charge was billed that neither the PO nor the partner's agreement allows. Inputs are built
the way retailers' 850s and our 810s write them and read through the real readers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from engine.charge_match import match_charges
from engine.finance_inputs import invoice_totals_and_charges, po_allowances, po_charges
from engine.reconcile import reconcile
from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.finance import FinanceSettings
from schemas.findings import sacs_text
from schemas.reconciliation import AGREED_CHARGES, CHARGE_MATCH, INVOICE_CHARGES
from schemas.sac_words import sacs_in_words
from tests.support import GOOD_PO, x12_850
from tests.support_finance import AS_OF, Book, document_status

HEAD, LINES = GOOD_PO[:6], GOOD_PO[6:9]
SETTINGS = {"acme": FinanceSettings()}
# a promotional allowance of 2 % of the item list cost taken off the invoice, and freight of 25.00 the
# customer pays (SAC05 2500: two implied decimals), each with its SAC15 description
PROMISED = ["SAC*A*C310***0*1*2*****02***PROMOTIONAL ALLOWANCE", "SAC*C*D240***2500*******06***FREIGHT"]
AGREED = pa.Table.from_pylist([{"partner": "acme", "kind": "A", "code": "C310"},
                               {"partner": "acme", "kind": "C", "code": "D240"}], schema=AGREED_CHARGES)


def sac_words(sacs: list[str], lines: list[str] = LINES) -> str:
    """The SAC_NOT_APPLIED message intake writes for an 850 with these heading SACs."""
    result = read_interchanges(x12_850(HEAD[:2] + sacs + HEAD[2:] + lines + ["CTT*2*18"]))
    found = [f for f in check_structure(result, list(result.transaction_sets())) if f.code == "SAC_NOT_APPLIED"]
    assert len(found) == 1, [(f.code, f.message) for f in check_structure(result, list(result.transaction_sets()))]
    return found[0].message


def findings(messages: dict[str, str]) -> pa.Table:
    return pa.table({"partner": ["acme"] * len(messages), "po_number": list(messages),
                     "message": list(messages.values()), "file": [f"850-{po}.x12" for po in messages],
                     # findings recorded before the store kept their SACs: the migration read them from the words
                     "sacs": [sacs_text(*sacs_in_words(m)) for m in messages.values()]})


def our_810(book: Book, name: str, body: list[str]) -> tuple[str, bytes]:
    """An 810 set as we send it, with the control numbers the book gave the document ``name``."""
    d = book.doc(name)
    segs = ["ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*ACMEBUYER      *261127*1430*U*00401*"
            f"{d['isa13']}*0*P*>", f"GS*IN*ORDERBRIDGE*ACME*20261127*1430*{d['gs06']}*X*004010",
            f"ST*810*{d['st02']}", *body, f"SE*{len(body) + 2}*{d['st02']}", f"GE*1*{d['gs06']}",
            f"IEA*1*{d['isa13']}"]
    return d["isa13"], ("~\n".join(segs) + "~\n").encode()


def documents(rows: list[tuple[str, str, bytes]]) -> pa.Table:
    return pa.table({"partner": ["acme"] * len(rows), "document_id": pa.array(range(1, len(rows) + 1), pa.int64()),
                     "doc_type": ["810"] * len(rows), "isa13": [r[0] for r in rows], "file": [r[1] for r in rows],
                     "sent_at": pa.array([datetime(2026, 11, 21, 2)] * len(rows), pa.timestamp("s")),
                     "content": pa.array([r[2] for r in rows], pa.binary())})


def charge_match(orders: dict[str, tuple[str, list[str]]], *, lines: int = 1, agreed: pa.Table = AGREED,
                 shipments: dict[str, str] | None = None) -> dict[tuple[str, str, str | None], dict]:
    """Each PO (po -> (the message its 850 got, its 810's SACs)) ordered, shipped and invoiced: 100 x 10.00
    per line; CHARGE_MATCH by (PO, kind, code). ``shipments``: the shipment id a PO shipped on (S-<PO> else)."""
    book = Book()
    docs = []
    for po, (_, sacs) in orders.items():
        shipment = (shipments or {}).get(po, f"S-{po}")
        for line in range(1, lines + 1):
            book.order(po, line, 100, "10.00").ship(po, line, 100, shipment=shipment,
                                                    shipped_at=datetime(2026, 11, 19))
            book.invoice(po, line, 100, "10.00", number=f"INV-{po}", invoice_date=date(2026, 11, 21),
                         shipment=shipment)
        body = [f"BIG*20261121*INV-{po}**{po}",
                *(f"IT1*{n}*100*EA*10**VN*SKU-{n}" for n in range(1, lines + 1)),
                "TDS*0", *sacs, f"CTT*{lines}"]
        isa13, content = our_810(book, f"810-acme-INV-{po}", body)
        docs.append((isa13, f"810-{po}.x12", content))
    totals, billed = invoice_totals_and_charges(documents(docs))
    assert billed.schema == INVOICE_CHARGES
    t = book.tables()
    asked = findings({po: message for po, (message, _) in orders.items()})
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                       settings=SETTINGS, as_of=AS_OF, invoice_totals=totals, po_allowances=po_allowances(asked))
    got = match_charges(po_charges(asked), billed, result.invoices, result.lines, agreed, t["shipped"])
    assert got.schema == CHARGE_MATCH
    return {(r["po_number"], r["kind"], r["code"]): r for r in got.to_pylist()}


def test_a_po_promising_2_percent_and_freight_billed_right_without_the_allowance_and_with_an_extra_charge():
    words = sac_words(PROMISED)
    assert "allowance C310 0.00, 2 % of basis 1, handling 02 off invoice, \"PROMOTIONAL ALLOWANCE\"" in words
    assert "charge D240 25.00, handling 06 charge to be paid by customer, \"FREIGHT\"" in words
    right = ["SAC*A*C310***2000*1*2", "SAC*C*D240***2500"]
    got = charge_match({"PO-RIGHT": (words, right), "PO-NO-ALLOWANCE": (words, ["SAC*C*D240***2500"]),
                        "PO-EXTRA": (words, [*right, "SAC*C*H850***1500**********SPECIAL HANDLING"])})
    assert sorted(got) == [("PO-EXTRA", "A", "C310"), ("PO-EXTRA", "C", "D240"), ("PO-EXTRA", "C", "H850"),
                           ("PO-NO-ALLOWANCE", "A", "C310"), ("PO-NO-ALLOWANCE", "C", "D240"),
                           ("PO-RIGHT", "A", "C310"), ("PO-RIGHT", "C", "D240")]
    # SAC05 0 beside SAC07 2 (translators fill SAC05 when the percent prices it): 2 % of 1,000.00 invoiced
    taken = got["PO-RIGHT", "A", "C310"]
    assert (taken["promised_amount"], taken["promised_percent"], taken["promised_value"], taken["billed_value"],
            taken["difference"], taken["flag"], taken["description"]) == (
        None, Decimal("2"), Decimal("20.00"), Decimal("20.00"), Decimal("0"), None, "PROMOTIONAL ALLOWANCE")
    missing = got["PO-NO-ALLOWANCE", "A", "C310"]
    assert (missing["expected_on_invoice"], missing["billed_value"], missing["difference"], missing["flag"]) == (
        Decimal("20.00"), Decimal("0"), Decimal("-20.00"), "allowance_not_taken")
    assert got["PO-NO-ALLOWANCE", "C", "D240"]["flag"] is None
    assert got["PO-EXTRA", "A", "C310"]["flag"] is None
    ok = got["PO-RIGHT", "C", "D240"]
    assert (ok["promised_value"], ok["billed_value"], ok["difference"], ok["flag"], ok["handling"],
            ok["description"], ok["invoices"], ok["agreed"]) == (
        Decimal("25.00"), Decimal("25.00"), Decimal("0"), None, "06", "FREIGHT", "INV-PO-RIGHT", True)
    extra = got["PO-EXTRA", "C", "H850"]
    assert (extra["promised_value"], extra["billed_value"], extra["difference"], extra["flag"], extra["agreed"],
            extra["description"]) == (None, Decimal("15.00"), Decimal("15.00"), "charge_not_allowed", False,
                                      "SPECIAL HANDLING")
    assert "does not bill it" in extra["note"] and "refuse" in extra["note"]
    assert got["PO-EXTRA", "C", "D240"]["flag"] is None


def test_a_2_percent_allowance_of_the_invoiced_value_taken_not_taken_and_taken_short():
    """SAC*A*C310****1*2 (no SAC05): 2 % of the PO's invoiced value (1,000.00) = 20.00 expected on the 810."""
    words = sac_words(["SAC*A*C310****1*2*****02***PROMOTIONAL ALLOWANCE", "SAC*C*D240***2500*******06"])
    freight = "SAC*C*D240***2500"
    got = charge_match({"PO-RIGHT": (words, ["SAC*A*C310***2000*1*2", freight]),
                        "PO-NONE": (words, [freight]),
                        "PO-SHORT": (words, ["SAC*A*C310***1000*1*1", freight])})
    right, none, short = (got[po, "A", "C310"] for po in ("PO-RIGHT", "PO-NONE", "PO-SHORT"))
    assert (right["promised_percent"], right["promised_value"], right["expected_on_invoice"],
            right["billed_value"], right["difference"], right["flag"]) == (
        Decimal("2"), Decimal("20.00"), Decimal("20.00"), Decimal("20.00"), Decimal("0"), None)
    assert (none["billed_value"], none["difference"], none["flag"], none["invoices"]) == (
        Decimal("0"), Decimal("-20.00"), "allowance_not_taken", None)
    assert "deduct" in none["note"] and "20.00" in none["note"]
    assert (short["difference"], short["flag"]) == (Decimal("-10.00"), "allowance_short")
    assert all(got[po, "C", "D240"]["flag"] is None for po in ("PO-RIGHT", "PO-NONE", "PO-SHORT"))


def test_sac12_says_what_the_invoice_should_carry():
    """A bill-back allowance (SAC12 01) is settled apart: not on the 810 ties, on it is given twice; a
    charge to be paid by the vendor (05) billed is not allowed even where the agreement bills that code;
    freight billed above the PO's SAC05 is charged over."""
    words = sac_words(["SAC*A*C310****1*2*****01", "SAC*C*D240***2500*******05", "SAC*C*H850***1000*******06"])
    got = charge_match({"PO-APART": (words, ["SAC*C*H850***1000"]),
                        "PO-TWICE": (words, ["SAC*A*C310***2000", "SAC*C*D240***2500", "SAC*C*H850***1500"])})
    apart = got["PO-APART", "A", "C310"]
    assert (apart["promised_value"], apart["expected_on_invoice"], apart["billed_value"], apart["flag"]) == (
        Decimal("20.00"), Decimal("0"), Decimal("0"), None)
    assert "settled apart" in apart["note"]
    assert got["PO-APART", "C", "D240"]["flag"] is None  # the vendor pays it, nothing billed: ties
    assert got["PO-TWICE", "A", "C310"]["flag"] == "allowance_billed_twice"
    assert got["PO-TWICE", "C", "D240"]["flag"] == "charge_not_allowed"  # agreed, but the PO says the vendor pays
    assert (got["PO-TWICE", "C", "H850"]["difference"], got["PO-TWICE", "C", "H850"]["flag"]) == (
        Decimal("5.00"), "charge_over")


def test_a_line_allowance_is_of_its_lines_invoiced_value_and_taken_in_the_summary():
    """A 5 % on line 2 (SAC in its PO1 loop) is 5 % of line 2's invoiced value (1,000.00): 50.00; our 810
    bills it in its summary under the same SAC02, which counts."""
    words = sac_words([], [*LINES[:2], LINES[2], "SAC*A*C310****1*5"])
    assert "allowance C310 5 % of basis 1 (line 2)" in words
    got = charge_match({"PO-L": (words, ["SAC*A*C310***5000"]), "PO-M": (words, [])}, lines=2)
    taken = got["PO-L", "A", "C310"]
    assert (taken["line_ids"], taken["promised_value"], taken["billed_value"], taken["flag"]) == (
        "2", Decimal("50.00"), Decimal("50.00"), None)
    assert got["PO-M", "A", "C310"]["flag"] == "allowance_not_taken"


def test_a_charge_only_the_agreement_names_is_allowed_and_an_allowance_no_one_named_is_flagged():
    words = sac_words(["SAC*C*D240***2500"])
    got = charge_match({"PO-1": (words, ["SAC*C*D240***2500", "SAC*A*C310***2000", "SAC*C*H850***100"])},
                       agreed=pa.Table.from_pylist([{"partner": "acme", "kind": "C", "code": "H850"}],
                                                   schema=AGREED_CHARGES))
    assert got["PO-1", "C", "H850"]["flag"] is None and got["PO-1", "C", "H850"]["agreed"] is True
    # the agreement's amount is the profile's: no difference against a PO that named none
    assert got["PO-1", "C", "H850"]["difference"] is None and got["PO-1", "C", "H850"]["note"].endswith("as agreed")
    assert got["PO-1", "A", "C310"]["flag"] == "allowance_not_agreed"


def test_the_810s_sacs_are_read_with_the_it1_they_sit_in():
    body = ["BIG*20261128*INV-B**ACME-1001", "IT1*1*5*EA*22.20**VN*VP-1006", "SAC*A*C000***500",
            "IT1*2*6*EA*1.00**VN*VP-1012", "TDS*11800*11600", "SAC*N*D240", "SAC*C*H850***1500**********HANDLING",
            "SAC*A*B720", "CTT*2"]
    isa13, content = our_810(Book(), "x", body)
    _, sacs = invoice_totals_and_charges(documents([(isa13, "b.x12", content)]))
    assert [(r["po_number"], r["invoice_number"], r["line_id"], r["kind"], r["code"], r["amount"], r["description"])
            for r in sacs.to_pylist()] == [
        ("ACME-1001", "INV-B", "1", "A", "C000", Decimal("5.00"), None),
        ("ACME-1001", "INV-B", None, "C", "H850", Decimal("15.00"), "HANDLING"),
        ("ACME-1001", "INV-B", None, "A", "B720", Decimal("0"), None)]


def test_words_written_before_sac06_sac12_and_sac15_were_named_are_read():
    old = ("The PO asks for allowances or charges we do not apply to prices, 855s or 810s: allowance C000 "
           "1125.00, 0.5 %; charge D500 8.95; allowance C310 2.5 % (line 1). Agree them with the partner (an "
           "810's charges come from the partner's profile).")
    rows = po_charges(findings({"PO-1": old})).to_pylist()
    assert [(r["kind"], r["code"], r["amount"], r["percent"], r["line_id"], r["handling"]) for r in rows] == [
        ("A", "C000", Decimal("1125.00"), Decimal("0.5"), None, None), ("C", "D500", Decimal("8.95"), None, None, None),
        ("A", "C310", None, Decimal("2.5"), "1", None)]
    described = sac_words(['SAC*C*D240***2500**********FREIGHT, "PREPAID"; (DC)'])
    (row,) = po_charges(findings({"PO-2": described})).to_pylist()
    assert (row["amount"], row["description"]) == (Decimal("25.00"), "FREIGHT, PREPAID DC")


# --- end to end: an 850 with SACs, our night's 810s, the reconciliation's charges table and section ---------


PROMISE = "SAC*A*C310***0*1*2*****02***PROMOTIONAL ALLOWANCE~\nSAC*C*D240***1250*******06***FREIGHT~\n"


def _promising_workspace(tmp_path, name: str, charges: str, sacs: str = PROMISE, drops: dict | None = None,
                         line_sacs: dict[int, str] | None = None, rows=None, own_sacs: bool = False):
    """ACME-1000's 850 promises 2 % C310 off the invoice and 12.50 freight (D240) the customer pays; ACME's
    profile bills the freight per shipment (FREIGHT) and ``charges``; one shipment carries ACME-1000 and
    ACME-1001, each gets its 810 (tests.test_shipment_charges.one_bol_two_pos). ``own_sacs``: the 810s carry
    the PO's off-invoice SACs themselves (po_allowances' default); else none (po_allowances = [])."""
    from tests.test_shipment_charges import NIGHT1, one_bol_two_pos

    ws = None

    line_sacs = line_sacs or {}
    pids = {1: "PID*F****Copy paper A4~\n", 2: "PID*F****Ballpoint pen blue~\n", 3: "PID*F****Highlighter yellow~\n"}

    def promise(text: str) -> str:
        head, rest = text.split("BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\n", 1)
        for n, more in line_sacs.items():  # a line's SACs after its PID (ACME-1000's come first in the file)
            rest = rest.replace(pids[n], pids[n] + more, 1)
        added = sacs.count("~") + sum(m.count("~") for m in line_sacs.values())
        rest = rest.replace("SE*14*0001~", f"SE*{14 + added}*0001~", 1)
        return head + "BEG*00*SA*ACME-1000**20261126~\nCUR*BY*USD~\n" + sacs + rest

    import tests.test_shipment_charges as harness

    real_run = harness.run_stages

    def run_stages(w, now, *a, **k):  # the 850 and the profile as this test wants them, before night 1
        if now == NIGHT1:
            po = w.drop_root / "acme" / "inbox" / "acme-po-01.x12"
            po.write_text(promise(po.read_text()))
            toml = w.root / "partners" / "acme.toml"  # the 810s carry none of the PO's SACs themselves: what
            # the reconciliation sees of a profile billing (or not) the allowances (po_allowances: its own tests)
            text = toml.read_text() if own_sacs else toml.read_text().replace(
                "[fulfilment.invoice]\n", "[fulfilment.invoice]\npo_allowances = []\n", 1)
            toml.write_text(text + "\n" + charges)
            for file, data in (drops or {}).items():  # after the 850 (files are read in name order)
                (w.drop_root / "acme" / "inbox" / file).write_bytes(data)
        return real_run(w, now, *a, **k)

    harness.run_stages = run_stages
    try:
        ws, _ = one_bol_two_pos(tmp_path / name, per="shipment", split=None, **({"rows": rows} if rows else {}))
    finally:
        harness.run_stages = real_run
    return ws


def _reconciled(ws, run_id: str) -> tuple[dict, str]:
    import pyarrow.parquet as pq

    from connectors.state import StateStore
    from flows.reconcile import reconcile_run

    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=datetime(2026, 11, 28, 2), run_id=run_id)
    finally:
        state.close()
    folder = ws.reports_dir / run_id / "finance"
    rows = pq.read_table(folder / "data" / "charges.parquet")
    assert rows.schema == CHARGE_MATCH
    csv = (folder / "data" / "charges.csv").read_text(encoding="utf-8-sig")  # a BOM: spreadsheets read UTF-8
    assert csv.splitlines()[0].replace('"', "").split(",") == CHARGE_MATCH.names
    return ({(r["po_number"], r["kind"], r["code"]): r for r in rows.to_pylist()},
            (folder / "finance-report.html").read_text(encoding="utf-8"))


def invoiced_value(ws, run_id: str, po: str) -> Decimal:
    import pyarrow.parquet as pq

    rows = pq.read_table(ws.reports_dir / run_id / "finance" / "data" / "invoices.parquet").to_pylist()
    return sum((r["lines_value"] for r in rows if r["po_number"] == po), Decimal(0))


def test_end_to_end_billed_right_billed_without_the_allowance_and_a_charge_the_agreement_dropped(tmp_path):
    """Billed right: the profile bills 2 % C310 and the freight, ACME-1000's 810 carries 2 % of its lines
    and 12.50: both tie. Billed without the allowance: the profile bills the freight and a 5.00 handling
    charge (H850) but no C310: allowance_not_taken (the 2 % short). Then the agreement drops H850
    (the profile no longer bills it) and the 810 that billed it is charge_not_allowed."""
    right = _promising_workspace(tmp_path, "right", '[[fulfilment.invoice.charges]]\nkind = "A"\ncode = "C310"\n'
                                 'description = "Promotional allowance"\npercent = "2"\n')
    got, html = _reconciled(right, "recon")
    lines_value = invoiced_value(right, "recon", "ACME-1000")
    two_percent = (lines_value * 2 / 100).quantize(Decimal("0.01"))
    assert two_percent > 0
    assert (got["ACME-1000", "A", "C310"]["promised_value"], got["ACME-1000", "A", "C310"]["billed_value"]) == (
        two_percent, two_percent)
    assert (got["ACME-1000", "C", "D240"]["promised_value"], got["ACME-1000", "C", "D240"]["billed_value"]) == (
        Decimal("12.50"), Decimal("12.50"))
    assert [k for k, r in got.items() if r["flag"]] == [], got
    assert 'id="charges"' in html and "class='charge-totals'" in html and "charge-flags" not in html
    assert "<script src" not in html and "https://" not in html  # offline: nothing fetched

    handling = '[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "H850"\namount = "5.00"\nper = "order"\n'
    short = _promising_workspace(tmp_path, "short", handling)
    got, html = _reconciled(short, "recon")
    missing = got["ACME-1000", "A", "C310"]
    assert (missing["expected_on_invoice"], missing["billed_value"], missing["difference"], missing["flag"]) == (
        two_percent, Decimal("0"), -two_percent, "allowance_not_taken")
    assert got["ACME-1000", "C", "H850"]["flag"] is None and got["ACME-1000", "C", "H850"]["agreed"] is True
    assert "class='charge-flags'" in html and "allowance promised, not taken" in html
    toml = short.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text().replace(handling, ""))
    got, html = _reconciled(short, "recon2")
    extra = got["ACME-1000", "C", "H850"]
    assert (extra["billed_value"], extra["agreed"], extra["flag"]) == (Decimal("5.00"), False, "charge_not_allowed")
    assert "charge not allowed" in html


def test_end_to_end_the_810_takes_the_po_s_off_invoice_allowance_once_and_finance_sees_it_taken(tmp_path):
    """po_allowances' default: ACME-1000's 850 promises 2 % C310 off the invoice (SAC12 02). A profile that does
    not bill it: the 810 carries the PO's 2 % (in its summary, TDS less it) and the reconciliation finds it taken
    (it was allowance_not_taken). A profile that bills C310 itself: billed once, not twice. The freight (SAC12
    06) is the profile's, as before."""
    handling = '[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "H850"\namount = "5.00"\nper = "order"\n'
    ws = _promising_workspace(tmp_path, "own", handling, own_sacs=True)
    got, _html = _reconciled(ws, "recon")
    two_percent = (invoiced_value(ws, "recon", "ACME-1000") * 2 / 100).quantize(Decimal("0.01"))
    taken = got["ACME-1000", "A", "C310"]
    assert (taken["expected_on_invoice"], taken["billed_value"], taken["flag"]) == (two_percent, two_percent, None)
    assert [k for k, r in got.items() if r["flag"]] == [], got
    right = _promising_workspace(tmp_path, "right", '[[fulfilment.invoice.charges]]\nkind = "A"\ncode = "C310"\n'
                                 'description = "Promotional allowance"\npercent = "2"\n', own_sacs=True)
    got, _html = _reconciled(right, "recon")
    assert got["ACME-1000", "A", "C310"]["billed_value"] == two_percent
    assert [k for k, r in got.items() if r["flag"]] == [], got


def test_end_to_end_the_810_carries_the_allowances_as_the_860_changed_them(tmp_path):
    """ACME-1000's 850 promises 2 % C310 off the invoice; an 860 (BCH01 04, heading SACs, as Kroger and Home Depot
    restate an allowance) raises it to 3 % and adds a 15.00 damage allowance (F800, its deal number). The 810
    carries the 860's: 3 % of its lines and 15.00 (TDS less them), not the 850's 2 %, and the reconciliation,
    holding the order to the changed promise, finds both taken. (It carried none: the 810 billed the full price
    and the retailer deducted the allowances anyway, allowance_not_taken.)"""
    from tests.test_change_units_860 import x12_860
    from tests.test_shipment_charges import merchandise, sacs_by_po

    change = x12_860(["BCH*04*SA*ACME-1000***20261126", "SAC*A*C310***0*1*3*****02***PROMOTIONAL ALLOWANCE",
                      "SAC*A*F800***1500*******02*DMG-2026-11**DAMAGE ALLOWANCE", "CTT*0"])
    ws = _promising_workspace(tmp_path, "changed", "", drops={"acme-po-02-change.x12": change}, own_sacs=True)
    got, _html = _reconciled(ws, "recon")
    value = invoiced_value(ws, "recon", "ACME-1000")
    three = (value * 3 / 100).quantize(Decimal("0.01"))
    sent = sacs_by_po(ws)["ACME-1000"]
    assert [(k, c, Decimal(a) / 100) for k, c, a in sent if k == "A"] == [
        ("A", "C310", three), ("A", "F800", Decimal("15.00"))], sent
    assert Decimal(merchandise({"x": sent})["x"]) / 100 == value
    raised, added = got["ACME-1000", "A", "C310"], got["ACME-1000", "A", "F800"]
    assert (raised["promised_percent"], raised["billed_value"], raised["flag"]) == (Decimal("3"), three, None)
    assert (added["promised_value"], added["billed_value"], added["flag"]) == (
        Decimal("15.00"), Decimal("15.00"), None)
    assert not [x for x in _exceptions(ws, "recon") if x["type"] == "ALLOWANCE_NOT_APPLIED"]
    [text] = [p.read_text() for p in (ws.drop_root / "acme" / "outbox").glob("*-810-*.x12")
              if "ACME-1000" in p.read_text()]
    assert "SAC*A*F800***1500*******02*DMG-2026-11**DAMAGE ALLOWANCE~" in text  # the 860's deal number


def test_end_to_end_an_860_without_sacs_leaves_the_810_carrying_the_850s(tmp_path):
    """An 860 sending no SAC (a new requested delivery date) changes the order's stored tables, not its promise:
    the 810 still carries the 850's 2 % C310, and the reconciliation finds it taken. (The 810 carried none: the
    SACs were read beside the order's current tables, which an 860 rewrites without them.)"""
    from tests.test_change_units_860 import x12_860
    from tests.test_shipment_charges import sacs_by_po

    change = x12_860(["BCH*04*SA*ACME-1000***20261126", "DTM*002*20261215", "CTT*0"])
    ws = _promising_workspace(tmp_path, "dated", "", drops={"acme-po-02-change.x12": change}, own_sacs=True)
    got, _html = _reconciled(ws, "recon")
    two = (invoiced_value(ws, "recon", "ACME-1000") * 2 / 100).quantize(Decimal("0.01"))
    sent = sacs_by_po(ws)["ACME-1000"]
    assert [(k, c, Decimal(a) / 100) for k, c, a in sent if k == "A"] == [("A", "C310", two)], sent
    taken = got["ACME-1000", "A", "C310"]
    assert (taken["promised_percent"], taken["billed_value"], taken["flag"]) == (Decimal("2"), two, None)


def test_a_percent_is_half_up_to_cents_exactly():
    import numpy as np

    from engine.charge_match import _percent_of

    # 2 % of 1,000.25 = 20.005 -> 20.01; 0.5 % of 0.99 = 0.00495 -> 0.00; of a huge value, exact
    got = _percent_of(np.array([10_002_500, 9_900, 99_999_999_999_990_000], np.int64),
                      np.array([20_000, 5_000, 20_000], np.int64))
    assert got.tolist() == [200_100, 0, 1_999_999_999_999_800]  # 199,999,999,999.98


def test_an_allowance_the_po_cancels_or_names_for_information_is_no_deduction_to_expect():
    """SAC12 12 (cancel allowance) and 15 (information only) ask nothing: not in PO_ALLOWANCES (no
    ALLOWANCE_NOT_APPLIED for them), and not expected on the invoice."""
    words = sac_words(["SAC*A*C310****1*2*****12", "SAC*A*F800***150*******15", "SAC*A*C000***100"])
    assert "handling 12 cancel allowance" in words and "handling 15 information only" in words
    assert [r["code"] for r in po_allowances(findings({"PO-1": words})).to_pylist()] == ["C000"]
    got = charge_match({"PO-1": (words, ["SAC*A*C000***100"])})
    assert [(k[2], r["expected_on_invoice"], r["flag"]) for k, r in got.items()] == [
        ("C000", Decimal("1.00"), None), ("C310", Decimal("0"), None), ("F800", Decimal("0"), None)]


# --- what the agreement bills: its amount, not only its presence ------------------------------------------


def _agreed(*terms: dict) -> pa.Table:
    return pa.Table.from_pylist([{"partner": "acme", **t} for t in terms], schema=AGREED_CHARGES)


def test_a_charge_the_po_did_not_name_is_compared_with_the_agreements_amount():
    """Freight the partner agreed at 25.00 per PO billed 40.00: charge_not_as_agreed, 15.00 over; billed
    25.00: ties; billed 20.00: 5.00 short of the agreement. A 2 % allowance the agreement gives billed 30.00 on
    1,000.00 invoiced: allowance_not_as_agreed. A per-shipment amount is a ceiling (a shipment of several POs
    bills it on one of them, or split): under it ties, over it is flagged."""
    agreed = _agreed({"kind": "C", "code": "D240", "amount": Decimal("25.00"), "per": "order"},
                     {"kind": "A", "code": "C310", "percent": Decimal("2")},
                     {"kind": "C", "code": "H850", "amount": Decimal("5.00"), "per": "shipment"})
    got = charge_match({"PO-OVER": ("", ["SAC*C*D240***4000", "SAC*A*C310***3000*1*2", "SAC*C*H850***600"]),
                        "PO-RIGHT": ("", ["SAC*C*D240***2500", "SAC*A*C310***2000*1*2", "SAC*C*H850***300"]),
                        "PO-UNDER": ("", ["SAC*C*D240***2000"])}, agreed=agreed)
    over = got["PO-OVER", "C", "D240"]
    assert (over["agreed"], over["agreed_value"], over["expected_on_invoice"], over["billed_value"],
            over["difference"], over["flag"]) == (True, Decimal("25.00"), Decimal("25.00"), Decimal("40.00"),
                                                  Decimal("15.00"), "charge_not_as_agreed")
    assert "agreement bills 25.00" in over["note"] and "15.00 more charged than the agreement" in over["note"]
    allowance = got["PO-OVER", "A", "C310"]
    assert (allowance["agreed_value"], allowance["difference"], allowance["flag"]) == (
        Decimal("20.00"), Decimal("10.00"), "allowance_not_as_agreed")
    ceiling = got["PO-OVER", "C", "H850"]
    assert (ceiling["agreed_value"], ceiling["expected_on_invoice"], ceiling["difference"], ceiling["flag"]) == (
        Decimal("5.00"), None, Decimal("1.00"), "charge_not_as_agreed")
    assert "at most (once per shipment)" in ceiling["note"]
    assert [(k[2], r["flag"]) for k, r in got.items() if k[0] == "PO-RIGHT"] == [
        ("C310", None), ("D240", None), ("H850", None)]
    assert got["PO-RIGHT", "C", "H850"]["difference"] is None  # under a ceiling: nothing to tie it to
    under = got["PO-UNDER", "C", "D240"]
    assert (under["difference"], under["flag"]) == (Decimal("-5.00"), "charge_not_as_agreed")
    assert "5.00 less charged than the agreement" in under["note"]


def test_a_charge_per_shipment_of_a_multi_stop_load_is_counted_once_on_its_first_stop():
    """A load split into stops (L-9-ST1, L-9-ST2: one truck, one departure) is one shipment for a flat charge per
    shipment: its first stop's 810 may bill it, a later stop's billing it again is over the agreement (it used to
    pass, each stop counted a shipment of its own). Shipments whose ids only look alike but left at other times
    are shipments of their own."""
    agreed = _agreed({"kind": "C", "code": "D240", "amount": Decimal("45.00"), "per": "shipment"})
    twice = {"PO-A": ("", ["SAC*C*D240***4500"]), "PO-B": ("", ["SAC*C*D240***4500"])}
    got = charge_match(twice, agreed=agreed, shipments={"PO-A": "L-9-ST1", "PO-B": "L-9-ST2"})
    assert got["PO-A", "C", "D240"]["flag"] is None
    second = got["PO-B", "C", "D240"]
    assert (second["agreed_value"], second["difference"], second["flag"]) == (
        Decimal("0"), Decimal("45.00"), "charge_not_as_agreed")
    once = charge_match({"PO-A": twice["PO-A"], "PO-B": ("", [])}, agreed=agreed,
                        shipments={"PO-A": "L-9-ST1", "PO-B": "L-9-ST2"})
    assert [(k, r["flag"]) for k, r in once.items()] == [(("PO-A", "C", "D240"), None)]
    apart = charge_match(twice, agreed=agreed, shipments={"PO-A": "S-ST1", "PO-B": "T-ST2"})
    assert {k: r["flag"] for k, r in apart.items()} == {("PO-A", "C", "D240"): None, ("PO-B", "C", "D240"): None}


def test_a_charge_the_po_names_is_held_to_the_po_not_to_the_agreement():
    """The PO's own SAC is the promise: freight the PO allows at 12.50 and the agreement at 25.00, billed
    12.50, ties."""
    words = sac_words(["SAC*C*D240***1250"])
    got = charge_match({"PO-1": (words, ["SAC*C*D240***1250"])},
                       agreed=_agreed({"kind": "C", "code": "D240", "amount": Decimal("25.00"), "per": "order"}))
    row = got["PO-1", "C", "D240"]
    assert (row["flag"], row["agreed_value"], row["expected_on_invoice"]) == (None, None, Decimal("12.50"))


def test_end_to_end_a_charge_billed_other_than_the_agreement_now_says(tmp_path):
    """ACME's profile billed a 5.00 handling charge per PO (H850) on both POs' 810s; the agreement is then
    renegotiated to 3.00 (the profile says so): the 810s billed 2.00 more than it allows, flagged in the data
    and the report. As agreed before: no flag."""
    handling = '[[fulfilment.invoice.charges]]\nkind = "C"\ncode = "H850"\namount = "5.00"\nper = "order"\n'
    ws = _promising_workspace(tmp_path, "agreed", handling)
    got, _html = _reconciled(ws, "recon")
    assert [(k, r["flag"]) for k, r in got.items() if k[2] == "H850"] == [
        (("ACME-1000", "C", "H850"), None), (("ACME-1001", "C", "H850"), None)]
    assert got["ACME-1000", "C", "H850"]["agreed_value"] == Decimal("5.00")
    assert got["ACME-1000", "C", "D240"]["agreed_value"] is None  # the PO names the freight: its promise counts
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text().replace('amount = "5.00"', 'amount = "3.00"'))
    got, html = _reconciled(ws, "recon2")
    for po in ("ACME-1000", "ACME-1001"):
        row = got[po, "C", "H850"]
        assert (row["billed_value"], row["agreed_value"], row["difference"], row["flag"]) == (
            Decimal("5.00"), Decimal("3.00"), Decimal("2.00"), "charge_not_as_agreed"), row
    assert "charge not as agreed" in html


# --- SAC12: an allowance settled apart from the invoice is owed, not deducted -------------------------------


def _exceptions(ws, run_id: str) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(ws.reports_dir / run_id / "finance" / "data" / "exceptions.parquet").to_pylist()


def test_end_to_end_a_bill_back_allowance_is_claimed_apart_not_deducted(tmp_path):
    """ACME-1000's 850 promises 2 % off the invoice (SAC12 02) and a 50.00 co-op advertising allowance billed
    back (SAC12 01) and a 10.00 one credited to the customer's account (04). None is on our 810s. The
    exception expects the retailer to deduct the 2 % alone from payment; the bill back and the credit are
    named as settled apart (the buyer's bill-back claim; our credit memo), not as a deduction; the charges
    data and section say the same per SAC12."""
    sacs = (PROMISE + "SAC*A*B720***5000*******01*DEAL-4471**CO-OP ADVERTISING~\n"
            "SAC*A*B730***1000*******04***DISPLAY ALLOWANCE~\n")
    ws = _promising_workspace(tmp_path, "billback", "", sacs)
    got, html = _reconciled(ws, "recon")
    two_percent = (invoiced_value(ws, "recon", "ACME-1000") * 2 / 100).quantize(Decimal("0.01"))
    [ex] = [x for x in _exceptions(ws, "recon") if x["type"] == "ALLOWANCE_NOT_APPLIED"]
    off, apart_01, apart_04 = ex["message"].split(". the PO's 850 settles")[0], *[
        "the PO's 850 settles" + p for p in ex["message"].split(". the PO's 850 settles")[1:]]
    assert f"expect the retailer to deduct about {two_percent} from payment" in off
    assert "C310" in off and "B720" not in off and "B730" not in off
    assert "B720" in apart_01 and "About 50.00" in apart_01 and "SAC12 01 bill back" in apart_01
    assert "not a deduction from this invoice's payment" in apart_01 and "deduct about" not in apart_01
    assert "B730" in apart_04 and "SAC12 04 credit customer account" in apart_04 and "credit memo" in apart_04
    assert ex["amount_at_risk"] == two_percent + Decimal("60.00")  # owed either way
    bill_back = got["ACME-1000", "A", "B720"]
    assert (bill_back["expected_on_invoice"], bill_back["billed_value"], bill_back["flag"]) == (
        Decimal("0"), Decimal("0"), None)
    assert "SAC12 01 bill back (settled apart from the invoice)" in bill_back["note"]
    assert "the buyer bills it back apart from the invoice" in bill_back["note"]
    assert got["ACME-1000", "A", "C310"]["flag"] == "allowance_not_taken"
    assert "class='charge-apart'" in html and "01 bill back" in html and "04 credit customer account" in html
    # SAC13, the deal number the buyer's bill-back claim names: stored with the order, in the data, the section
    # and the exception's words
    assert bill_back["reference"] == "DEAL-4471" and got["ACME-1000", "A", "B730"]["reference"] is None
    assert "SAC13 deal" in html and "<td>DEAL-4471</td>" in html
    assert "CO-OP ADVERTISING\", SAC13 DEAL-4471" in apart_01


def test_a_bill_back_taken_on_the_invoice_too_says_how_it_is_settled():
    words = sac_words(["SAC*A*B720***5000*******01"])
    got = charge_match({"PO-1": (words, ["SAC*A*B720***5000"])})
    row = got["PO-1", "A", "B720"]
    assert row["flag"] == "allowance_billed_twice"
    assert "the buyer bills it back apart from the invoice" in row["note"] and "paid twice" in row["note"]


# --- an 860 changing the allowances: the reconciliation compares against the changed agreement -------------


def test_end_to_end_an_860_raising_an_allowance_adding_one_and_taking_the_freight_off(tmp_path):
    """ACME-1000's 850 promises 2 % C310 off the invoice and 12.50 freight (D240); an 860 (BCH01 04, heading
    SACs only, as buyers send an allowance change) raises C310 to 3 %, adds a 15.00 damage allowance (F800)
    and takes the freight off (SAC01 N). The reconciliation holds the 810s to the changed promise: 3 % and
    15.00 not taken, the freight billed by the agreement alone (the PO no longer names it)."""
    from tests.test_change_units_860 import x12_860

    change = x12_860(["BCH*04*SA*ACME-1000***20261126", "SAC*A*C310***0*1*3*****02***PROMOTIONAL ALLOWANCE",
                      "SAC*A*F800***1500*******02*DMG-2026-11**DAMAGE ALLOWANCE", "SAC*N*D240", "CTT*0"])
    ws = _promising_workspace(tmp_path, "changed", "", drops={"acme-po-02-change.x12": change})
    got, html = _reconciled(ws, "recon")
    value = invoiced_value(ws, "recon", "ACME-1000")
    three = (value * 3 / 100).quantize(Decimal("0.01"))
    raised = got["ACME-1000", "A", "C310"]
    assert (raised["promised_percent"], raised["promised_value"], raised["flag"]) == (
        Decimal("3"), three, "allowance_not_taken")
    assert raised["file"] == "acme-po-02-change.x12"  # the promise as the 860 restated it
    added = got["ACME-1000", "A", "F800"]
    assert (added["promised_value"], added["reference"], added["flag"]) == (
        Decimal("15.00"), "DMG-2026-11", "allowance_not_taken")
    freight = got["ACME-1000", "C", "D240"]
    assert (freight["promised_value"], freight["agreed"], freight["agreed_value"], freight["flag"]) == (
        None, True, Decimal("12.50"), None)
    [ex] = [x for x in _exceptions(ws, "recon") if x["type"] == "ALLOWANCE_NOT_APPLIED"]
    assert "F800 15.00" in ex["message"] and "C310 0.00, 3 % of basis 1" in ex["message"]
    assert ex["amount_at_risk"] == three + Decimal("15.00")


def test_an_860s_sacs_replace_by_level_and_a_replace_restates_the_heading():
    """with_changes, pure: a 04 change replaces the SAC of the same kind and code at its level (a line's SAC by
    its POC01) and leaves the rest; N takes a code off; a later 05 (replace) sending heading SACs restates them
    all; a DI POC takes its line's off."""
    from engine.finance_inputs import CHANGED_COLUMNS, with_changes
    from schemas.reconciliation import PO_CHARGES

    def row(line, kind, code, amount, seq=None, purpose=None, change_type=None):
        r = {"partner": "acme", "po_number": "PO-1", "line_id": line, "kind": kind, "code": code,
             "amount": Decimal(amount) if amount is not None else None, "words": f"{kind} {code}", "more": 0}
        if seq is not None:
            r.update(seq=seq, purpose=purpose, change_type=change_type)
        return r

    charges = pa.Table.from_pylist([row(None, "A", "C310", "10"), row(None, "C", "D240", "12.50"),
                                    row("1", "A", "C000", "3"), row("2", "A", "C000", "4"),
                                    {**row(None, "A", "C310", "7"), "po_number": "PO-2"}], schema=PO_CHARGES)
    schema = pa.schema([*PO_CHARGES, pa.field("seq", pa.int64()), pa.field("purpose", pa.string()),
                        pa.field("change_type", pa.string())])
    assert CHANGED_COLUMNS == ("seq", "purpose", "change_type")
    changed = pa.Table.from_pylist([
        row(None, "A", "C310", "20", 1, "04"), row("1", "A", "C000", "5", 1, "04", "CA"),
        row(None, "N", "D240", None, 1, "04"), row("2", "A", "C000", "0", 2, "04", "DI"),
        row(None, "A", "F800", "1", 3, "05")], schema=schema)
    got = sorted((r["po_number"], r["line_id"] or "", r["kind"], r["code"], str(r["amount"]))
                 for r in with_changes(charges, changed).to_pylist())
    assert got == [("PO-1", "", "A", "F800", "1.0000"), ("PO-1", "1", "A", "C000", "5.0000"),
                   ("PO-2", "", "A", "C310", "7.0000")]
    # the 05 alone would keep the lines' SACs and drop the heading's; a 04 alone keeps what it does not name
    only_04 = changed.filter(pa.compute.equal(changed["seq"], 1))
    assert sorted((r["line_id"] or "", r["code"], str(r["amount"])) for r in with_changes(charges, only_04)
                  .to_pylist() if r["po_number"] == "PO-1") == [
        ("", "C310", "20.0000"), ("1", "C000", "5.0000"), ("2", "C000", "4.0000")]


# --- only what we accepted of an 860 changes the agreement ----------------------------------------------------


LINE_PROMISES = {1: "SAC*A*C000***500*******02***LINE DISCOUNT~\n", 2: "SAC*A*F800***300*******02***DAMAGE~\n"}


def _answer_865(ws) -> list[list[str]]:
    """The ACKs and BCA of the 865s we sent ACME (segments as lists)."""
    rows = []
    for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-865-*.x12")):
        rows += [r for r in read_interchanges(p.read_bytes()).segments.elements.to_pylist()
                 if r[0] in ("BCA", "POC", "ACK")]
    return rows


def test_end_to_end_a_line_sac_of_a_poc_we_refused_does_not_change_the_promise(tmp_path):
    """ACME-1000's 850 promises 5.00 off line 1 (C000) and 3.00 off line 2 (F800); an 860 (BCH01 04) sends a
    price change for line 1 without its price (POC06 empty: CHANGE_PRICE_INVALID, our 865 answers it IR)
    with 9.00 C000 in its loop, and confirms line 2 (NC, IA) with 7.00 F800. The reconciliation holds the
    810 to what we accepted: C000 stays 5.00 (the refused loop's 9.00 is no agreement), F800 is 7.00."""
    from tests.test_change_units_860 import x12_860

    change = x12_860(["BCH*04*SA*ACME-1000***20261126", "POC*1*PC*10*10*EA",
                      "SAC*A*C000***900*******02***LINE DISCOUNT", "POC*2*NC*24*24*EA*39.2*PE",
                      "SAC*A*F800***700*******02***DAMAGE", "CTT*2"])
    ws = _promising_workspace(tmp_path, "refused", "", sacs="", line_sacs=LINE_PROMISES,
                              drops={"acme-po-02-change.x12": change})
    told = _answer_865(ws)
    assert ["POC", "1", "PC"] == told[1][:3] and told[2][:2] == ["ACK", "IR"], told
    assert ["POC", "2", "NC"] == told[3][:3] and told[4][:2] == ["ACK", "IA"], told
    got, _ = _reconciled(ws, "recon")
    line1, line2 = got["ACME-1000", "A", "C000"], got["ACME-1000", "A", "F800"]
    assert (line1["promised_amount"], line1["line_ids"], line1["file"]) == (Decimal("5.00"), "1", "acme-po-01.x12")
    assert (line2["promised_amount"], line2["line_ids"], line2["file"]) == (
        Decimal("7.00"), "2", "acme-po-02-change.x12")


def test_end_to_end_an_860_whose_every_poc_we_refused_changes_no_allowance(tmp_path):
    """The same refused price change as ACME-1000's only POC, with a heading allowance (F800 15.00) beside it: our
    865 answers BCA02 RD (every POC IR), the change is answered, nothing of it applied: neither its heading SAC
    nor its loop's counts (F800 is no promise: the 810 is not flagged for leaving it out)."""
    from tests.test_change_units_860 import x12_860

    change = x12_860(["BCH*04*SA*ACME-1000***20261126", "SAC*A*F800***1500*******02***DAMAGE ALLOWANCE",
                      "POC*1*PC*10*10*EA", "SAC*A*C000***900*******02***LINE DISCOUNT", "CTT*1"])
    ws = _promising_workspace(tmp_path, "all-refused", "", sacs="", line_sacs={1: LINE_PROMISES[1]},
                              drops={"acme-po-02-change.x12": change})
    told = _answer_865(ws)
    assert [r[:3] for r in told] == [["BCA", "00", "RD"], ["POC", "1", "PC"], ["ACK", "IR", "10"]], told
    got, _ = _reconciled(ws, "recon")
    assert ("ACME-1000", "A", "F800") not in got, got.get(("ACME-1000", "A", "F800"))
    assert got["ACME-1000", "A", "C000"]["promised_amount"] == Decimal("5.00")


def test_end_to_end_a_line_an_860_deletes_without_a_sac_of_its_own_takes_its_allowance_off(tmp_path):
    """ACME-1000's 850 promises 5.00 off line 1 (C000) and 3.00 off line 2 (F800); an 860 deletes line 2
    (POC02 DI, no SAC in its loop: as most translators write a deletion) and the shipment carries lines 1 and
    3. Line 2's allowance is no longer promised: no F800 row flags the 810 for not taking it; C000 stands."""
    from connectors.state import StateStore
    from tests.test_change_units_860 import x12_860
    from tests.test_shipment_charges import ROWS

    change = x12_860(["BCH*04*SA*ACME-1000***20261126", "POC*2*DI*0*24*EA", "CTT*1"])
    ws = _promising_workspace(tmp_path, "deleted", "", sacs="", line_sacs=LINE_PROMISES,
                              drops={"acme-po-02-change.x12": change},
                              rows=[r for r in ROWS if r[:2] != ("ACME-1000", 2)])
    state = StateStore(ws.state_path)
    try:
        assert [(ln.line_number, ln.state) for ln in state.order_lines("acme", "ACME-1000")] == [
            (1, "invoiced"), (2, "deleted"), (3, "invoiced")], state.order_lines("acme", "ACME-1000")
    finally:
        state.close()
    got, _ = _reconciled(ws, "recon")
    assert ("ACME-1000", "A", "F800") not in got, got.get(("ACME-1000", "A", "F800"))
    line1 = got["ACME-1000", "A", "C000"]
    assert (line1["promised_amount"], line1["line_ids"], line1["flag"]) == (Decimal("5.00"), "1", "allowance_not_taken")


def test_refused_changes_and_deleted_lines_leave_the_agreement_pure():
    """accepted_changes drops a change refused whole and the SACs of a POC refused (by its POC01), keeps the
    rest; without_deleted_lines drops a deleted line's SACs unless a live line of the PO carries its id."""
    from engine.finance_inputs import accepted_changes, without_deleted_lines
    from schemas.reconciliation import PO_CHARGES

    def row(line, code, amount, seq=None, change_type=None, po="PO-1"):
        r = {"partner": "acme", "po_number": po, "line_id": line, "kind": "A", "code": code,
             "amount": Decimal(amount), "words": code, "more": 0}
        if seq is not None:
            r.update(seq=seq, purpose="04", change_type=change_type)
        return r

    schema = pa.schema([*PO_CHARGES, pa.field("seq", pa.int64()), pa.field("purpose", pa.string()),
                        pa.field("change_type", pa.string())])
    changed = pa.Table.from_pylist([row(None, "H1", "1", 1), row("1", "L1", "2", 1, "PC"), row("2", "L2", "3", 1, "NC"),
                                    row(None, "H2", "4", 2), row("1", "L3", "5", 3, "CA")], schema=schema)
    kept = accepted_changes(changed, {1: (False, frozenset({"1"})), 2: (True, frozenset())})
    assert [(r["seq"], r["code"]) for r in kept.to_pylist()] == [(1, "H1"), (1, "L2"), (3, "L3")]
    assert accepted_changes(changed, {}) is changed

    charges = pa.Table.from_pylist([row(None, "H", "1"), row("1", "L1", "2"), row("2", "L2", "3"), row("3", "L3", "4"),
                                    row("2", "L2", "3", po="PO-2")], schema=PO_CHARGES)
    lines = pa.table({"partner": ["acme"] * 5, "po_number": ["PO-1"] * 4 + ["PO-2"],
                      "line_number": pa.array([1, 2, 3, 4, 2], pa.int32()), "line_id": ["1", "2", "3", "3", "2"],
                      "state": ["allocated", "deleted", "deleted", "allocated", "allocated"]})
    assert [(r["po_number"], r["code"]) for r in without_deleted_lines(charges, lines).to_pylist()] == [
        ("PO-1", "H"), ("PO-1", "L1"), ("PO-1", "L3"), ("PO-2", "L2")]  # line 3's id lives on in line 4


def test_an_860_held_for_a_person_and_rejected_adds_no_allowance(tmp_path):
    """GLOBEX-2000's 860 cuts a price past the approval threshold (the changed order is held) and adds a 15.00
    promotional allowance (heading SAC C310). Applied and held, the change waits; Lee rejects the order; the
    next run answers the change (865 AC: its DI ID, every other POC IR) and the order is rejected. The promise
    the reconciliation holds the order to is the 850's: no C310 (it used to count the change's allowance, its
    status "answered")."""
    from typer.testing import CliRunner

    from connectors.state import StateStore
    from flows.cli import app
    from flows.reconcile import load_inputs
    from tests.support import REPO, make_workspace, run_stages
    from tests.test_change_orders import NIGHT1, NIGHT2, docs

    ws = make_workspace(tmp_path / "ws", partners=("globex",))
    run_stages(ws, NIGHT1)
    src = (REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12").read_bytes()
    data = src.replace(b"POC|4|PC|36|36|EA|38.00|PE|VN|VP-1003~", b"POC|4|PC|36|36|EA|20.00|PE|VN|VP-1003~").replace(
        b"BCH|04|SA|GLOBEX-2000|||20261126~", b"BCH|04|SA|GLOBEX-2000|||20261126~\nSAC|A|C310|||1500|||||||02|||PROMO~"
    ).replace(b"SE|8|0001~", b"SE|9|0001~")
    assert data.count(b"SAC|") == 1 and b"SE|9|0001~" in data
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(data)
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:
        assert state.order("globex", "GLOBEX-2000").state == "held"
        res = CliRunner().invoke(app, ["reject", "GLOBEX-2000", "--partner", "globex", "--by", "Lee", "--reason",
                                       "credit", "-w", str(ws.root)])
        assert res.exit_code == 0, res.output
        run_stages(ws, datetime(2026, 11, 29, 2))
        [(_purpose, bca02, acks)] = docs(ws, "865")["GLOBEX-2000"]
        # the deletion stays ID (the line is gone either way), every other POC IR: not RD, so the order's state
        # says the change is no agreement
        assert (bca02, [a[0] for a in acks]) == ("AC", ["ID", "IR", "IR", "IR"]), (bca02, acks)
        assert state.order("globex", "GLOBEX-2000").state == "rejected"
        assert {c.status for c in state.pending_changes(statuses=None, keys=[("globex", "GLOBEX-2000")])} == {
            "answered"}
        promised = load_inputs(ws, state, ws.partners()).po_charges
        codes = [(r["po_number"], r["code"]) for r in promised.to_pylist() if r["po_number"] == "GLOBEX-2000"]
        assert codes == [], codes
    finally:
        state.close()
