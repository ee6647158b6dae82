"""`orderbridge inspect --json FILE` goes straight to flows.inspect_view (no typer, rich or pydantic:
issue 9's bar on the whole command's time); what it prints and its exit status equal the full command
line's, byte for byte; anything else (--partner, a missing file, the table output) goes to the full CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_files"


def program(*args: str, entry: str = "flows.entry") -> subprocess.CompletedProcess:
    code = f"import sys; from {entry} import main; sys.argv = ['orderbridge', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})


def _files() -> list[Path]:
    every = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix in (".x12", ".edi", ".txt"))
    x12 = [p for p in every if b"ISA" in p.read_bytes()[:200]]
    assert len(x12) >= 3, every
    return x12[::max(1, len(x12) // 5)]  # five of them, spread: each file costs four fresh processes


@pytest.mark.parametrize("order", ["json-first", "file-first"])
def test_the_fast_path_prints_what_the_full_command_line_prints(order):
    statuses = set()
    for path in _files():
        args = ["--json", str(path)] if order == "json-first" else [str(path), "--json"]
        fast = program("inspect", *args)
        full = program("inspect", *args, entry="flows.cli")  # typer's command
        assert fast.returncode == full.returncode, (path, fast.stderr)
        assert fast.stdout == full.stdout, path
        assert fast.stderr == full.stderr == b"", path
        doc = json.loads(fast.stdout)
        assert doc["file"] == str(path) and doc["interchanges"], path
        statuses.add(fast.returncode)
    assert statuses <= {0, 1} and 0 in statuses


def test_a_file_with_error_findings_exits_1_on_both_paths(tmp_path):
    bad = tmp_path / "bad.x12"
    good = next(p for p in _files() if program("inspect", "--json", str(p)).returncode == 0)
    text = good.read_bytes()
    bad.write_bytes(text.replace(b"~IEA*", b"~IEA*9", 1) if b"~IEA*" in text else text[: len(text) // 2])
    fast, full = program("inspect", "--json", str(bad)), program("inspect", "--json", str(bad), entry="flows.cli")
    assert fast.returncode == full.returncode == 1
    assert fast.stdout == full.stdout
    assert any(f["severity"] == "error" for f in json.loads(fast.stdout)["findings"])


def test_the_fast_path_loads_no_typer_rich_or_pydantic():
    path = _files()[0]
    code = ("import sys\nfrom flows.entry import main\n"
            f"sys.argv = ['orderbridge', 'inspect', '--json', {str(path)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(*(m in sys.modules for m in ('typer', 'rich', 'pydantic', 'flows.cli', 'pandas')), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stderr.strip().splitlines()[-1] == "False False False False False", out.stderr
    assert json.loads(out.stdout)["file"] == str(path)


def test_the_fast_path_reads_with_arrows_system_memory_pool():
    """As every other command (flows.cli: flows.memory.use_system_allocator): Arrow's default pool maps fresh
    pages for what it frees and takes again, system CPU the command does not need."""
    path = _files()[0]
    code = ("import sys\nfrom flows.entry import main\n"
            f"sys.argv = ['orderbridge', 'inspect', '--json', {str(path)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import pyarrow\nprint(pyarrow.default_memory_pool().backend_name, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PATH": "/usr/bin:/bin"})
    assert out.stderr.strip().splitlines()[-1] == "system", out.stderr
    assert json.loads(out.stdout)["file"] == str(path)


def test_what_the_fast_path_does_not_take_goes_to_the_full_command_line(tmp_path):
    missing = program("inspect", "--json", str(tmp_path / "nope.x12"))
    assert missing.returncode == 2 and b"no such file" in missing.stderr
    table = program("inspect", str(_files()[0]))
    assert table.returncode in (0, 1) and b"finding(s)" in table.stdout
    helped = program("inspect", "--json", "--help")
    assert helped.returncode == 0 and b"--partner" in helped.stdout
    twice = program("inspect", "--json", "--json")  # no file: typer says what is missing
    assert twice.returncode == 2 and b"Missing argument" in twice.stderr and b"Traceback" not in twice.stderr


def test_an_exception_on_the_fast_path_is_one_line_and_the_full_command_lines_status(monkeypatch, capsys):
    """As flows.cli.main: never a traceback for a user; an unexpected failure is INCOMPLETE."""
    from flows import entry, inspect_view
    from flows.exit_status import ExitStatus

    def broken(data, file):
        raise RuntimeError("the reader broke")

    monkeypatch.setattr(inspect_view, "read_checked", broken)
    monkeypatch.setattr(sys, "argv", ["orderbridge", "inspect", "--json", str(_files()[0])])
    with pytest.raises(SystemExit) as exited:
        entry.main()
    assert exited.value.code == int(ExitStatus.INCOMPLETE)
    assert capsys.readouterr().err.strip() == "RuntimeError: the reader broke"
