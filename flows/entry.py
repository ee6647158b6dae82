"""The `orderbridge` program: `status PO [--partner P] [--json] [-w DIR]` goes straight to
flows.status_view (no typer, no other command's imports: it answers in a fraction of a second, even
on a state store of 100,000 orders), and `inspect --json FILE` (FILE an existing file) to
flows.inspect_view (no typer, rich or pydantic: about 0.4 s less on every call); every other
command, `status --help` and anything the fast paths do not recognise go to the full command line
(flows.cli), which parses and explains as usual.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["status"]:
        parsed = _status_args(args[1:])
        if parsed is not None:
            raise SystemExit(_status(*parsed))
    if args[:1] == ["inspect"] and len(args) == 3 and "--json" in args[1:]:
        other = [a for a in args[1:] if a != "--json"]
        if len(other) == 1 and not other[0].startswith("-") and Path(other[0]).is_file():
            raise SystemExit(_inspect_json(Path(other[0])))
    from flows.cli import main as cli_main

    cli_main()


def _status_args(args: list[str]) -> tuple[str, str | None, bool, Path] | None:
    """(PO, partner, as_json, workspace) when ``args`` are exactly what `status` takes; else None."""
    po, partner, as_json, workspace = None, None, False, Path(".")
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--json":
            as_json = True
        elif a in ("--partner", "-w", "--workspace") and i + 1 < len(args) and not args[i + 1].startswith("-"):
            if a == "--partner":
                partner = args[i + 1].strip().lower()  # as flows.cli.partner_id: ids are lower case
            else:
                workspace = Path(args[i + 1])
            i += 1
        elif a.startswith(("--partner=", "--workspace=")):
            name, value = a.split("=", 1)
            if name == "--partner":
                partner = value.strip().lower()
            else:
                workspace = Path(value)
        elif a.startswith("-") or po is not None:
            return None  # --help, an unknown option, a second argument: the full command line says what
        else:
            po = a
        i += 1
    return (po, partner, as_json, workspace) if po is not None else None


def _inspect_json(file: Path) -> int:
    from flows.memory import use_system_allocator

    # Arrow's buffers from the C allocator, as every other command's (flows.cli): reading a 17.7 MB drop, Arrow's
    # default pool (mimalloc) maps fresh pages for what it frees and takes again, ~0.1-0.2 s of system CPU more
    use_system_allocator()
    from flows.inspect_view import run_json

    try:
        return run_json(file)
    except Exception as exc:  # noqa: BLE001 - as flows.cli.main: never a traceback for a user
        return _failed(exc)


def _status(po: str, partner: str | None, as_json: bool, workspace: Path) -> int:
    from flows.status_view import run_status

    try:
        return int(run_status(po, partner, as_json, workspace))
    except Exception as exc:  # noqa: BLE001 - as flows.cli.main: never a traceback for a user
        return _failed(exc)


def _failed(exc: Exception) -> int:
    """What flows.cli.main says and returns for an exception a command let out."""
    from flows.exit_status import ExitStatus
    from flows.terminal import console, shown
    from schemas.errors import ConfigError, StateError, StorageError, WorkspaceBusy

    console(stderr=True).print(f"{type(exc).__name__}: {shown(exc)}", style="red")
    return int(ExitStatus.BUSY if isinstance(exc, WorkspaceBusy) else
               ExitStatus.WORKSPACE_UNUSABLE if isinstance(exc, (StateError, StorageError, ConfigError))
               else ExitStatus.INCOMPLETE)


if __name__ == "__main__":
    main()
