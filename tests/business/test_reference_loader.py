from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from connectors.reference import load_reference, read_reference_csv
from schemas.errors import ConfigError
from schemas.reference import ITEMS, PRICES, SCHEMAS, gs1_valid

from .tables import REFERENCE_DIR


def test_sample_reference_loads_with_explicit_types():
    ref = load_reference(REFERENCE_DIR)
    for name, schema in SCHEMAS.items():
        assert getattr(ref, name).schema == schema
    assert 20 <= ref.items.num_rows <= 40
    assert all(gs1_valid(g) and len(g) == 14 for g in ref.items.column("gtin").to_pylist())
    assert "discontinued" in ref.items.column("status").to_pylist()
    assert set(ref.customers.column("partner").to_pylist()) == {"acme", "globex", "initech", "umbrella"}
    assert ref.prices.schema.field("unit_price").type == pa.decimal128(18, 6)  # our prices to 6 decimals (0.004185)
    assert isinstance(ref.customers.column("credit_limit")[0].as_py(), Decimal)


def _copy(tmp_path: Path, name: str, text: str) -> Path:
    for f in REFERENCE_DIR.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "name, text, needle",
    [
        (
            "prices.csv",
            "partner,sku,unit_price,currency,valid_from,valid_to\nacme,SKU-1001,abc,USD,2026-01-01,\n",
            "unit_price",
        ),
        (
            "prices.csv",
            "partner,sku,unit_price,currency,valid_from,valid_to\nacme,SKU-1001,1.2345678,USD,2026-01-01,\n",
            "decimal places",  # past 6 (1.23456 is a price: tests/test_subcent_prices.py)
        ),
        (
            "prices.csv",
            "partner,sku,unit_price,currency,valid_from,valid_to\nacme,SKU-1001,1,USD,2026-13-01,\n",
            "valid_from",
        ),
        (
            "items.csv",
            "sku,gtin,upc,vendor_part,description,unit,case_pack,min_order_qty,status\n"
            "S1,00614141100102,,V,d,EA,1,1,active\n",
            "check digit",
        ),
        (
            "items.csv",
            "sku,gtin,upc,vendor_part,description,unit,case_pack,min_order_qty,status\n"
            "S1,00614141100101,,V,d,EA,1,1,retired\n",
            "status",
        ),
        ("customers.csv", "partner,credit_limit\nacme,1\n", "wrong columns"),
        ("partner_items.csv", "partner,buyer_part,sku\nacme,X,SKU-9999\n", "not in items.csv"),
    ],
)
def test_bad_reference_data_names_the_file(tmp_path, name, text, needle):
    with pytest.raises(ConfigError) as info:
        load_reference(_copy(tmp_path, name, text))
    assert name in str(info.value) and needle in str(info.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="items.csv"):
        load_reference(tmp_path)


def test_empty_cell_in_required_column():
    with pytest.raises(ConfigError, match="'sku' may not be empty"):
        read_reference_csv(
            b"partner,sku,unit_price,currency,valid_from,valid_to\nacme,,1,USD,2026-01-01,\n",
            name="p.csv",
            schema=PRICES,
        )


def test_upc_gtin_normalised_on_load(tmp_path):
    text = (
        (REFERENCE_DIR / "items.csv")
        .read_text(encoding="utf-8")
        .replace("SKU-1001,00614141100101,", "SKU-1001,614141100101,")
    )
    ref = load_reference(_copy(tmp_path, "items.csv", text))
    assert ref.items.column("gtin")[0].as_py() == "00614141100101" and ref.items.schema == ITEMS
