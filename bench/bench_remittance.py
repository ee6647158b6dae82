"""Benchmark the remittance reading and matching (parsers.remittance.read_remittance, engine.remittance.
match_remittance): one 820 of N RMR lines (each with a REF*PO and an ADX) read from parsed X12, matched against our
810s for half of them. Prints one JSON line per size: CPU seconds, best of 3.

    .venv/bin/python bench/bench_remittance.py            # 20,000 lines
    .venv/bin/python bench/bench_remittance.py 200000     # another size
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from decimal import Decimal

import pyarrow as pa

from engine.remittance import match_remittance
from parsers.remittance import read_remittance
from parsers.x12_reader import read_interchanges
from schemas.reconciliation import INVOICE_MATCH

ISA = ("ISA*00*          *00*          *01*078722541      *ZZ*ORDERBRIDGE    *261205*2305*^*00501*000088901*0*P*>~"
       "\n")


def one_820(n: int) -> bytes:
    """An 820 of ``n`` RMR*IV lines N-<i> (paid i.5 of i+1), each with its PO P-<i> and an adjustment."""
    body = "".join(f"RMR*IV*N-{i}**{i}.5*{i + 1}~\nREF*PO*P-{i}~\nADX*-{i % 7}*0{i % 3}~\n" for i in range(n))
    return (ISA + "GS*RA*HCASUPPLY*ORDERBRIDGE*20261205*2305*1*X*005010~\nST*820*0001~\n"
            "BPR*C*1*C*ACH************20261205~\nTRN*1*T~\nENT*1~\n" + body
            + f"SE*{3 * n + 5}*0001~\nGE*1*1~\nIEA*1*000088901~\n").encode()


def our_invoices(n: int) -> pa.Table:
    """Our 810s for every other RMR of one_820(n) (N-0, N-2, ...), each of i+1."""
    return pa.Table.from_pylist([dict(partner="p", po_number=f"P-{i}", invoice_number=f"N-{i}", invoice_lines=1,
                                      lines_value=Decimal(i + 1), invoiced_total=Decimal(i + 1),
                                      sent_at=datetime(2026, 11, 28), file="f", isa13="1", gs06="1", st02=str(i))
                                 for i in range(0, n, 2)], schema=INVOICE_MATCH)


def main(argv: list[str]) -> int:
    for n in [int(a) for a in argv] or [20_000]:
        result = read_interchanges(one_820(n))
        sets = list(result.transaction_sets())
        ours = our_invoices(n)
        reads, matches = [], []
        for _ in range(3):
            start = time.process_time()
            t = read_remittance(result, sets, partner="p", file="f")
            reads.append(time.process_time() - start)
            start = time.process_time()
            m = match_remittance(ours, t)
            matches.append(time.process_time() - start)
        print(json.dumps({"bench": "remittance", "rmr_lines": n, "our_810s": ours.num_rows, "rows": t.num_rows,
                          "matched": m.num_rows, "read_cpu_s": round(min(reads), 4),
                          "match_cpu_s": round(min(matches), 4)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
