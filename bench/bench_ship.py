"""Volume figures for the pure fulfilment builders: N 856s of 20 items (5 cartons x 4 lines) in each
HL structure, N 810s of 20 lines, and the envelope around the 856s. Prints wall and CPU seconds.

    .venv/bin/python bench/bench_ship.py [N]     (default 5000)
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.asn import build_856  # noqa: E402
from engine.envelope import envelope_for, wrap  # noqa: E402
from engine.invoice import build_810  # noqa: E402
from engine.sscc import build_sscc  # noqa: E402
from schemas.fulfilment import AsnSettings, InvoiceSettings  # noqa: E402
from schemas.invoices import Invoice, InvoiceLine  # noqa: E402
from schemas.profile import load_profile  # noqa: E402
from schemas.shipments import Pack, Party, ProductId, Shipment, ShippedItem, ShippedOrder  # noqa: E402

NOW = datetime(2026, 11, 28, 12)
SF = Party("SF", "OrderBridge DC", "92", "DC-EAST", "1 Dock Road", "", "Newark", "NJ", "07101", "US")
ST = Party("ST", "ACME DC 7", "92", "DC07", "1 Way", "", "Columbus", "OH", "43215", "US")


def shipment(k: int) -> Shipment:
    packs = []
    for c in range(5):
        items = tuple(ShippedItem(str(c * 4 + i + 1), Decimal(3), "EA",
                                  (ProductId("UP", f"0730000{c * 4 + i:05d}"), ProductId("VN", f"SKU-{c * 4 + i}")),
                                  ordered_quantity=Decimal(6), description="WIDGET") for i in range(4))
        packs.append(Pack(build_sscc("0614141", 0, k * 10 + c), items, f"C{c}", Decimal("5.5"), "LB"))
    return Shipment(f"SHP-{k}", date(2026, 11, 28), SF, ST, (ShippedOrder(f"PO-{k}", date(2026, 11, 1),
                                                                        packs=tuple(packs)),),
                    carrier_scac="UPSN", tracking_number="1Z999", bill_of_lading=f"BOL-{k}")


def timed(label: str, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:<40} {time.perf_counter() - wall:6.2f} s wall {time.process_time() - cpu:6.2f} s cpu")
    return out


def main(n: int) -> None:
    ships = [shipment(k) for k in range(n)]
    for structure in ("SOPI", "SOI"):
        asn = AsnSettings(structure=structure)
        bodies = timed(f"{n} x 856 ({structure}, 20 items)", lambda asn=asn: [build_856(s, asn, created=NOW)
                                                                          for s in ships])
    profile = load_profile(Path(__file__).resolve().parent.parent / "partners" / "acme.toml")
    timed(f"wrap {n} x 856 in one interchange", lambda: wrap(envelope_for(profile), "SH", "856", bodies, isa13=1,
                                                             gs06=1, st02s=list(range(1, n + 1)), now=NOW))
    invoices = [Invoice(f"INV-{k}", date(2026, 11, 28), f"PO-{k}",
                        tuple(InvoiceLine(str(i + 1), Decimal(3), "EA", Decimal("2.35"), (ProductId("VN", f"S{i}"),))
                              for i in range(20))) for k in range(n)]
    shipped = {str(i + 1): Decimal(3) for i in range(20)}
    timed(f"{n} x 810 (20 lines)", lambda: [build_810(v, InvoiceSettings(), shipped=shipped) for v in invoices])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
