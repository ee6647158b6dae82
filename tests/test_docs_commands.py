"""Every `orderbridge ...` command the README and docs/ show is one the command line knows: its command and
subcommand exist, every option it names is one of that command's, and a command written out in full (no
`[optional]`, `a|b` or `...` in it) parses as typed, arguments and option values included (click's own
parser, the one `orderbridge` uses: nothing is run)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main

from flows.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CLI = typer.main.get_command(app)

# `orderbridge WORD` in the docs that quote what the program prints, not a command a person types
MESSAGES = ("orderbridge fork server",  # a worker's line (docs/scaling.md)
            "orderbridge intake",  # a lease holder as a skipped partner names it (flows/partner_stage.py)
            "orderbridge run)",  # "(the real `orderbridge run)" in prose
            )
SPAN = re.compile(r"`(orderbridge [^`]+)`")
OPTION = re.compile(r"(?<![\w/.$-])(--?[A-Za-z][\w-]*)")


def mentions(path: Path) -> list[tuple[int, str, bool]]:
    """(line number, the command as written, whether it is a line of a fenced block)."""
    out: list[tuple[int, str, bool]] = []
    fenced = False
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            text = re.sub(r"^\s*(\$ )?(\.venv/bin/|\S+/\.venv/bin/)?", "", line)
            if text.startswith("orderbridge "):
                command = re.split(r"\s#\s|\s{2,}#", text)[0].rstrip().rstrip("\\").rstrip()
                # a command continued on the next lines (a trailing backslash)
                k = number
                while line.rstrip().endswith("\\") and k < len(lines):
                    line = lines[k]
                    command += " " + re.split(r"\s#\s", line)[0].strip().rstrip("\\").rstrip()
                    k += 1
                out.append((number, command, True))
            continue
        out += [(number, m.group(1), False) for m in SPAN.finditer(line)]
    return out


def resolve(words: list[str]):
    """The click command the words name, and the words after its name; None when a word is no command."""
    command, rest = CLI, list(words)
    while hasattr(command, "commands") and rest:
        name = rest[0]
        if name not in command.commands:
            return None, rest
        command, rest = command.commands[name], rest[1:]
    return command, rest


def options(command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}


ALL = [(path.relative_to(ROOT).as_posix(), number, text, fenced)
       for path in DOCS for number, text, fenced in mentions(path)]


def test_the_docs_show_commands():
    # the scan finds what it checks: the README's command list alone has dozens
    readme = [a for a in ALL if a[0] == "README.md" and a[3]]
    assert len(readme) >= 50, len(readme)


def _problems(where: str, text: str, fenced: bool) -> list[str]:
    """What is wrong with a command the docs show; a fenced line is one to type, parsed whole when literal (a
    command named in prose, `orderbridge status`, is checked for its name and options only)."""
    if text.startswith(MESSAGES):
        return []
    words = text.split()[1:]
    if words[:1] and words[0].startswith("-"):  # `orderbridge --version`, `--help`
        return [] if words[0] in options(CLI) else [f"{where}: `{text}`: orderbridge has no option {words[0]}"]
    # `exception show|explain|resolve|reopen ID`: each alternative of the subcommand
    alternatives = [words]
    for i, w in enumerate(words[:2]):
        if "|" in w and not w.startswith("-"):
            alternatives = [words[:i] + [a] + words[i + 1:] for a in w.split("|")]
            break
    out = []
    for words in alternatives:
        command, rest = resolve(words)
        if command is None or hasattr(command, "commands"):
            out.append(f"{where}: `{text}`: no such command ({' '.join(words[:2])})")
            continue
        known = options(command)
        for token in re.split(r"[\s\[\]|]+", " ".join(rest)):
            m = OPTION.fullmatch(token.split("=", 1)[0])
            if m and m.group(1) not in known:
                out.append(f"{where}: `{text}`: {command.name} has no option {m.group(1)}")
        literal = fenced and not re.search(r"[\[\]|<>]|\.\.\.|\$\(", " ".join(rest))
        if literal:
            try:
                args = shlex.split(" ".join(rest))
            except ValueError as exc:
                out.append(f"{where}: `{text}`: {exc}")
                continue
            try:
                command.make_context(command.name, args)
            except Exception as exc:  # noqa: BLE001 - click's usage errors, each reported
                out.append(f"{where}: `{text}`: {type(exc).__name__}: {getattr(exc, 'message', exc)}")
    return out


@pytest.mark.parametrize("doc", [p.relative_to(ROOT).as_posix() for p in DOCS])
def test_every_command_the_docs_show_parses(doc):
    problems = []
    for where, number, text, fenced in ALL:
        if where == doc:
            problems += _problems(f"{where}:{number}", text, fenced)
    assert not problems, "\n".join(problems)


REPO_PATH = re.compile(r"(?<![\w/.<-])((?:schemas|parsers|rules|engine|connectors|flows|console|bench|scripts|tests|"
                       r"docs|sample_files)/[\w./*-]*[\w*])")
MODULE = re.compile(r"(?<![\w/.-])((?:schemas|parsers|rules|engine|connectors|flows|console)\.[A-Za-z_]\w*"
                    r"(?:\.[A-Za-z_]\w*)*)")


def _module_file(parts: list[str]) -> int:
    """How many of ``parts`` name a module or package of the repository (0: none)."""
    for i in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:i])
        if base.with_suffix(".py").is_file() or base.is_dir():
            return i
    return 0


def test_every_repository_file_and_module_the_docs_name_exists():
    """A path of the repository (`engine/kpis.py`, `bench/bench_pool.py`, `schemas/x12dict`) or a module
    (`flows.status`, `engine.lifecycle.plan_person_decision`) named in the README or docs/ is there: a rename
    leaves no doc behind. `engine.invoice_880.SAC_TO_G7201` is a module's name and what it holds: the module must
    exist (the rest may be an attribute, a class's method, a table's column: not checked)."""
    problems = []
    for path in DOCS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT).as_posix()}:{number}"
            for m in REPO_PATH.finditer(line):
                name = m.group(1).rstrip(".")
                if "*" in name:  # a pattern: `*-0030x0.txt` is 003040's and 003050's
                    found = any(ROOT.glob(name.replace("0030x0", "*")))
                else:  # a file, or a module's file and what it holds (`engine/invoice_880.SAC_TO_G7201`)
                    parts = name.removesuffix(".py").replace(".", "/").split("/")
                    found = (ROOT / name).exists() or _module_file(parts) >= 2
                if not found:
                    problems.append(f"{where}: {name}")
            for m in MODULE.finditer(line):
                name = m.group(1)
                if name in ("rules.outcomes", "console.toml"):  # a profile table; a file of the workspace's console/
                    continue
                if _module_file(name.split(".")) < 2:
                    problems.append(f"{where}: {name}")
    assert not problems, "\n".join(problems)


def test_every_command_and_option_has_its_help():
    """README: "every option has its `--help`": each command, argument and option of the CLI says what it is."""
    silent = []

    def walk(command, path: str) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}")
            return
        if not (command.help or command.short_help or "").strip():
            silent.append(path)
        silent.extend(f"{path} {p.name}" for p in command.params if not (getattr(p, "help", "") or "").strip())

    walk(CLI, "orderbridge")
    assert not silent, silent


BENCH = re.compile(r"bench/(\w+)\.py([^`]*)")


def test_every_bench_option_the_docs_give_is_the_scripts():
    """A `bench/NAME.py ... --option` the docs give (docs/design-many-partners.md's bench_partners.py, the design
    notes' bench_pool.py and profile_stage.py runs) names options its script's --help lists: a person measuring
    again types what the doc says."""
    import subprocess
    import sys

    helps: dict[str, set[str]] = {}
    problems = []
    for path in DOCS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in BENCH.finditer(line):
                given = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*)", m.group(2)))
                if not given or not (ROOT / "bench" / f"{m.group(1)}.py").is_file():
                    continue
                if m.group(1) not in helps:
                    out = subprocess.run([sys.executable, str(ROOT / "bench" / f"{m.group(1)}.py"), "--help"],
                                         capture_output=True, text=True, timeout=120, cwd=ROOT)
                    helps[m.group(1)] = set(re.findall(r"(--[a-z][\w-]*)", out.stdout + out.stderr))
                name = m.group(1)
                problems += [f"{path.name}:{number}: bench/{name}.py {o}" for o in sorted(given - helps[name])]
    assert helps, "no bench command found in the docs"
    assert not problems, "\n".join(problems)
