"""`inspect --json` writes through orjson with dates and decimals converted in Arrow, and reads no
order lines it does not print: the document is the one the plain encoder wrote (same keys, ISO dates,
decimals as exact text). Its speed against pyx12 is `make bench`'s (bench/bench_inspect.py)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from flows.cli import app
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from tests.support import REPO, SAMPLES

FILES = [SAMPLES / "acme" / "acme-po-01.x12", SAMPLES / "globex" / "globex-po-01.x12",
         REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12"]


def plain(v):
    return v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_json_is_what_the_plain_encoder_wrote(path):
    res = CliRunner().invoke(app, ["inspect", "--json", str(path)])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads(res.stdout)
    result = read_interchanges(path.read_bytes(), file=path.name)
    sets = [(ic, g, ts) for ic, g, ts in result.transaction_sets() if ts.set_id == "850"]
    orders, lines = read_orders(result, sets, partner="")
    expected = [{k: plain(v) for k, v in row.items()} for row in orders.to_pylist()]
    assert doc["orders"] == json.loads(json.dumps(expected))
    assert res.stdout.startswith('{\n  "file": ') and res.stdout.endswith("}\n")  # indented, one object
    if orders.num_rows:
        assert any(isinstance(o["po_date"], str) and len(o["po_date"]) == 10 for o in doc["orders"])
        assert lines.num_rows  # the lines exist; inspect only leaves them unbuilt
        headers_only, no_lines = read_orders(result, sets, partner="", lines=False)
        assert headers_only.equals(orders) and no_lines.num_rows == 0


def _corpus_files(limit: int = 40) -> list:
    corpus = REPO.parent / "shared" / "corpus"
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in (".x12", ".edi", ".txt"))[:limit]


# One fresh process runs `orderbridge inspect --json` on each file in turn (the CLI's own main(), as the
# console script calls it), its standard output for each file sent to a file of its own (fd 1 swapped, so
# whatever writes to it is caught), and says on standard error after each file its exit status and whether
# pandas is loaded by then: one interpreter start-up for all the files instead of one each.
_FRESH = """\
import json, os, sys
from flows.cli import main
folder = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    sys.stdout.flush()
    saved = os.dup(1)
    out = os.open(os.path.join(folder, f"{i}.out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out, 1)
    os.close(out)
    sys.argv = ["orderbridge", "inspect", "--json", path]
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    print("inspected:", json.dumps([path, status, "pandas" in sys.modules]), file=sys.stderr, flush=True)
"""


def test_inspect_in_a_fresh_process_keeps_pandas_out_and_prints_the_same(tmp_path):
    """A fresh `orderbridge inspect --json` reads and checks with pandas kept out of the process
    (flows.lean: importing it costs about a second); its output equals the same command in this test
    process, where pandas is loaded (the real files of the corpus too, when it is there). The fresh process
    inspects every file in turn and pandas must still be out after each one."""
    import subprocess
    import sys

    import pandas  # noqa: F401 - this process has pandas: the in-process run is the reference

    paths = [*FILES, *_corpus_files()]
    fresh = subprocess.run([sys.executable, "-c", _FRESH, str(tmp_path), *map(str, paths)], capture_output=True,
                           cwd=REPO)
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    said = [json.loads(line.split(" ", 1)[1]) for line in fresh.stderr.decode().splitlines()
            if line.startswith("inspected: ")]
    assert [p for p, _status, _pandas in said] == [str(p) for p in paths], fresh.stderr[-2000:]
    for i, (path, (_, status, pandas_loaded)) in enumerate(zip(paths, said, strict=True)):
        here = CliRunner().invoke(app, ["inspect", "--json", str(path)])
        assert status == here.exit_code, (path, fresh.stderr[-800:])
        assert (tmp_path / f"{i}.out").read_bytes() == here.stdout_bytes, path
        assert not pandas_loaded, (path, fresh.stderr[-800:])
