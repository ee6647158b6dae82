"""What finance reads of the 810s we sent beyond their lines (engine.finance_inputs.invoice_totals): per
set, the SAC charges and allowances (SAC05, two implied decimals; summary and IT1-loop SACs alike; SAC01 N
asks nothing) and TDS01, read back from the delivered documents as the partner received them - our own
documents (each set on its lines) and any other shape the X12 reader reads (a translator's one-line file,
other delimiters, two sets in one interchange). And engine.invoice_totals' cent rounding."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa

from engine.finance_inputs import invoice_totals
from engine.invoice_totals import cent_extensions
from schemas.reconciliation import INVOICE_TOTALS

ISA = ("ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*ACMEBUYER      *261127*1430*U*00401*{isa13}*0*P*>")


def interchange(isa13: str, sets: list[list[str]], *, sep: str = "*", term: str = "~\n") -> bytes:
    segs = [ISA.format(isa13=isa13).replace("*", sep), f"GS{sep}IN{sep}ORDERBRIDGE{sep}ACME{sep}20261127{sep}1430"
            f"{sep}{int(isa13)}{sep}X{sep}004010"]
    for k, body in enumerate(sets, start=1):
        st02 = f"{k:04d}"
        segs += [f"ST{sep}810{sep}{st02}", *(s.replace("*", sep) for s in body),
                 f"SE{sep}{len(body) + 2}{sep}{st02}"]
    segs += [f"GE{sep}{len(sets)}{sep}{int(isa13)}", f"IEA{sep}1{sep}{isa13}"]
    return (term.join(segs) + term).encode()


INV_A = ["BIG*20261127*INV-A**ACME-1000", "IT1*1*10*EA*19.70**UP*614141100101", "TDS*21155",
         "SAC*C*D240***1250**********Freight", "SAC*A*C310***275*1*2*********Volume discount", "CTT*1"]
# a translator's shape: a line allowance inside the IT1 loop, a SAC*N that asks nothing, a promotional
# allowance with its code only, TDS with TDS02 (amount subject to discount)
INV_B = ["BIG*20261128*INV-B**ACME-1001", "IT1*1*5*EA*22.20**VN*VP-1006", "SAC*A*C000***500",
         "IT1*2*6*EA*1.00**VN*VP-1012", "TDS*11800*11600", "SAC*N*D240", "SAC*C*H850***1500", "SAC*A*B720",
         "CTT*2"]


def documents(rows: list[tuple[str, str, bytes]]) -> pa.Table:
    return pa.table({"partner": ["acme"] * len(rows), "document_id": pa.array(range(1, len(rows) + 1), pa.int64()),
                     "doc_type": ["810"] * len(rows), "isa13": [r[0] for r in rows], "file": [r[1] for r in rows],
                     "sent_at": pa.array([datetime(2026, 11, 27, 14, 30)] * len(rows), pa.timestamp("s")),
                     "content": pa.array([r[2] for r in rows], pa.binary())})


def test_our_810s_charges_allowances_and_tds_are_read_back_per_set():
    got = invoice_totals(documents([("000000008", "acme-810-8.x12", interchange("000000008", [INV_A]))]))
    assert got.schema == INVOICE_TOTALS
    (a,) = got.to_pylist()
    assert (a["po_number"], a["invoice_number"], a["invoice_date"], a["charges"], a["allowances"], a["total"],
            a["file"], a["isa13"], a["gs06"], a["st02"]) == (
        "ACME-1000", "INV-A", date(2026, 11, 27), Decimal("12.50"), Decimal("2.75"), Decimal("211.55"),
        "acme-810-8.x12", "000000008", "8", "0001")


def test_any_translators_810_shape_is_read_as_the_reader_reads_it():
    """Two sets in one interchange on one line with ! and ^ delimiters (the reader reads it, not the plain
    split), beside one of ours: each set's own sums."""
    odd = interchange("000000009", [INV_A, INV_B], sep="!", term="^")
    got = invoice_totals(documents([("000000008", "ours.x12", interchange("000000008", [INV_B])),
                                    ("000000009", "theirs.x12", odd)]))
    rows = [(r["isa13"], r["st02"], r["invoice_number"], r["charges"], r["allowances"], r["total"])
            for r in got.to_pylist()]
    assert rows == [
        ("000000008", "0001", "INV-B", Decimal("15.00"), Decimal("5.00"), Decimal("118.00")),
        ("000000009", "0001", "INV-A", Decimal("12.50"), Decimal("2.75"), Decimal("211.55")),
        ("000000009", "0002", "INV-B", Decimal("15.00"), Decimal("5.00"), Decimal("118.00")),
    ]


def test_an_810_without_tds_has_no_total_and_none_has_no_row():
    no_tds = [s for s in INV_A if not s.startswith("TDS")]
    (row,) = invoice_totals(documents([("000000010", "x.x12", interchange("000000010", [no_tds]))])).to_pylist()
    assert row["total"] is None and row["charges"] == Decimal("12.50")
    assert invoice_totals(documents([])).num_rows == 0


def test_extensions_round_half_up_to_cents_exactly():
    scale = 10_000
    q = np.array([3 * scale, 12345, 1 * scale, 5 * scale], np.int64)  # 3, 1.2345, 1, 5
    p = np.array([13330, 41, 50, -25], np.int64)  # 1.333, 0.0041, 0.005, -0.0025
    # 3.999 -> 4.00; 1.2345 x 0.0041 = 0.00506145 -> 0.01; 0.005 -> 0.01 (half up); -0.0125 -> -0.01
    assert cent_extensions(q, p).tolist() == [40000, 100, 100, -100]
    big = np.array([9_000_000_000_000], np.int64)
    assert cent_extensions(big, np.array([12345], np.int64)).tolist() == [int(Decimal("900000000") * Decimal(
        "1.2345") * scale)]


def test_the_report_section_totals_our_810s_and_lists_each_that_does_not_tie():
    from engine.finance_report import invoices_section
    from engine.invoice_totals import match_invoices
    from schemas.reconciliation import INVOICED

    def line(number: str, isa13: str, qty: str, price: str) -> dict:
        return {"partner": "acme", "po_number": "PO-1", "line_number": 1, "invoice_number": number,
                "invoice_date": date(2026, 11, 27), "shipment_id": None, "quantity": Decimal(qty), "unit": "EA",
                "unit_price": Decimal(price), "sent_at": datetime(2026, 11, 27, 14, 30), "file": f"{number}.x12",
                "isa13": isa13, "gs06": "1", "st02": "0001"}

    invoiced = pa.Table.from_pylist([line("INV-A", "1", "10", "19.70"), line("INV-B", "2", "2", "5"),
                                     line("ERP-1", "3", "1", "7")], schema=INVOICED)
    totals = pa.Table.from_pylist([
        {"partner": "acme", "charges": Decimal("12.50"), "allowances": Decimal("2.75"), "total": Decimal("206.75"),
         "isa13": "1", "gs06": "1", "st02": "0001"},
        {"partner": "acme", "charges": Decimal(0), "allowances": Decimal(0), "total": Decimal("11.00"),
         "isa13": "2", "gs06": "1", "st02": "0001"}], schema=INVOICE_TOTALS)
    m = match_invoices(invoiced, totals)
    assert [(r["invoice_number"], r["difference"]) for r in m.to_pylist()] == [
        ("ERP-1", None), ("INV-A", Decimal(0)), ("INV-B", Decimal(1))]
    _, _, html = invoices_section(m)
    # our two 810s: lines 207.00, charges 12.50, allowances 2.75, TDS 217.75, one mismatch; ERP-1 apart
    assert "<td>acme</td><td></td><td class=num>2</td><td class=num>207.00</td><td class=num>12.50</td>" \
           "<td class=num>2.75</td><td class=num>217.75</td><td class=num>1</td><td class=num>1</td>" \
           "<td class=num>7.00</td>" in html
    assert "<td>INV-B</td>" in html and "<td>INV-A</td>" not in html


def test_taxes_stated_on_the_lines_alone_are_the_810s_taxes():
    """TXI after each IT1 and none after TDS (X12 makes the summary TXI optional; an 810 another system of ours
    sent): TDS holds the lines' taxes, so they are the set's taxes (it used to read 0 and the TDS not to tie); a
    tax the summary states is its summary's, its lines' never counted twice."""
    lines_only = ["BIG*20261127*INV-T**ACME-1002", "IT1*1*10*EA*10.50**UP*614141100101", "TXI*GS*13.65*13",
                  "IT1*2*1*EA*4.00**UP*614141100170", "TXI*GS*0.52*13", "TDS*12317", "CTT*2"]
    both = [*lines_only[:-2], "TDS*12317", "TXI*GS*14.17*13", "CTT*2"]
    mixed = [*lines_only[:3], "TXI*SP*10.47*9.975", *lines_only[3:5], "TDS*13364", "TXI*GS*14.17*13", "CTT*2"]
    got = invoice_totals(documents([("000000011", "t.x12", interchange("000000011", [lines_only, both, mixed]))]))
    assert [r["taxes"] for r in got.to_pylist()] == [Decimal("14.17"), Decimal("14.17"), Decimal("24.64")]
