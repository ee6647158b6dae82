"""Write pytest's rewritten test modules (their asserts made to explain a failure) into tests/**/__pycache__
once, on every core, before `make test` starts its workers.

pytest rewrites every test module and conftest it imports and caches the result in a pyc of its own
(checked by the source's hash), but writes none where PYTHONDONTWRITEBYTECODE is set (as on our
development machines): then each xdist worker rewrote the whole suite's ~430 modules itself, the same
work twice (~25-45 s of CPU each on our 2-core machine, most of a worker's collection). It reads a cached
one whatever that variable says, so this writes them first, split over the cores: the workers then only
import. The same pyc pytest writes (its own functions; a module pytest would rewrite, no assert written
otherwise); a module whose pyc is current is left alone. Nothing here is needed: where pytest's
internals differ (another version), it says so and writes nothing, and pytest rewrites as it always did.

    .venv/bin/python scripts/rewrite_tests.py [tests]
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules(folder: Path) -> list[Path]:
    """What pytest rewrites in ``folder``: test modules by its default python_files (test_*.py, *_test.py) and
    the conftests."""
    found = {*folder.rglob("test_*.py"), *folder.rglob("*_test.py"), *folder.rglob("conftest.py")}
    return sorted(p for p in found if "__pycache__" not in p.parts)


def _write(paths: list[Path]) -> int:
    from _pytest.assertion.rewrite import PYC_TAIL, _read_pyc, _rewrite_test, _write_pyc_fp, get_cache_dir

    written = 0
    for fn in paths:
        pyc = get_cache_dir(fn) / (fn.name[:-3] + PYC_TAIL)
        if _read_pyc(fn, pyc) is not None:
            continue
        source_hash, co = _rewrite_test(fn, None)  # the config only says whether to call a pass hook (we set none)
        pyc.parent.mkdir(exist_ok=True)
        part = pyc.with_name(f"{pyc.name}.{os.getpid()}")
        with open(part, "wb") as fp:
            _write_pyc_fp(fp, source_hash, co)
        os.replace(part, pyc)  # as pytest does: a pyc is whole or absent
        written += 1
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "tests"
    if os.environ.get("PYTHONPYCACHEPREFIX"):
        return 0  # the caches would go elsewhere: pytest finds them there alone
    try:
        from _pytest.assertion.rewrite import (  # noqa: F401 - the internals this relies on
            PYC_TAIL,
            _read_pyc,
            _rewrite_test,
            _write_pyc_fp,
            get_cache_dir,
        )
    except ImportError as exc:
        print(f"rewrite_tests: not written ({exc}); pytest rewrites the test modules itself", file=sys.stderr)
        return 0
    paths = _modules(folder)
    cores = max(1, min(os.cpu_count() or 1, 4))
    shares = [paths[i::cores] for i in range(cores)]
    try:
        with ProcessPoolExecutor(cores) as pool:
            written = sum(pool.map(_write, shares))
    except Exception as exc:  # noqa: BLE001 - an optimisation: pytest rewrites what is missing
        print(f"rewrite_tests: stopped ({type(exc).__name__}: {exc}); pytest rewrites the rest itself",
              file=sys.stderr)
        return 0
    if written:
        print(f"rewrite_tests: {written} of {len(paths)} test modules rewritten for pytest", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
