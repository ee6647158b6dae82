"""Reference data rows that load and are decided as they say, but likely say something else than meant: warnings
naming the file, the row and what to write, said by the decide stage (with the orders it decides) and by
`orderbridge partner check`. Pure: the rows the loader found (connectors.reference) in, findings out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from schemas.findings import Finding, finding


def case_items_said(case_items: Iterable[tuple[str, int, str, str, int]]) -> list[Finding]:
    """A CASE_PACK_AMBIGUOUS warning per items.csv row of an item sold by the case (unit CA, or CS that no
    item_units.csv row sku,CS,1 makes a cassette) with a case_pack above 1 (schemas.reference.ReferenceData
    .case_items: file, row, sku, unit, case_pack). case_pack counts eaches per case and one of the item's own unit is
    one each (docs/onboarding.md, Items), so the row says a case holds that many cases and orders are rounded to
    multiples of them (40 CA answered 42 for a case_pack of 6: rg72)."""
    return [finding("CASE_PACK_AMBIGUOUS",
                    f"{PurePath(file).name} row {row}: sku {sku!r} is sold by the case (unit {unit}) with case_pack "
                    f"{pack}: case_pack counts eaches per case and one {unit} of it is one each, so the row says a "
                    f"case holds {pack} cases and its orders are rounded to multiples of {pack} ({pack + 1} {unit} "
                    f"answered {2 * pack} by default), as they are until the row changes. Sold by the case: "
                    f"case_pack 1; sold by the bottle or piece in cases of {pack}: its unit (EA, BO ...) with "
                    f"case_pack {pack}; a master pack of {pack} cases: keep the row.",
                    file=file, row=row, column="case_pack", value=str(pack))
            for file, row, sku, unit, pack in case_items]
