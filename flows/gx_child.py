"""Great Expectations validating in a process of its own, so that its import (scipy, SQLAlchemy, pandas: ~150 MB
resident and ~3 s CPU) never enters the night's process, and leaves with the child once the decide stage has its
answer (docs/design-night-in-arrow.md, "Session 68").

`orderbridge run` starts the child first thing (``start``): it imports GX while the night's process starts the
Prefect server and takes in the partners' files, then waits on its standard input. The decide stage's GX run
(rules.gx_runner.validate) hands it the rules frame's distinct rows (``judge``: a hundred-odd rows for a night's
200,000 lines) as Arrow IPC with the suite as JSON; the child runs rules.gx_runner.judged_rows on them, answers with
the masks as Arrow IPC and the outcomes as JSON, and exits. One question per child.

The night never depends on it: when there is no child (a process that imported GX already, a tool, a test, the
store's recheck), or the child died, answered an error, answered nothing usable or took longer than ANSWER_TIMEOUT,
the same rows are validated in this process by the same function: the same findings, an error of GX's (an
expectation that cannot run) raised as it would have been. The child dies with the thread that started it
(PR_SET_PDEATHSIG); an unused child is ended at the night's end (``close``) or the process's exit.
ORDERBRIDGE_GX_CHILD=0 turns it off (GX in this process, as before session 68). Owns no rule logic."""

from __future__ import annotations

import atexit
import json
import os
import signal
import struct
import subprocess
import sys
import threading
from contextlib import ExitStack

import numpy as np
import pyarrow as pa

from rules.gx_runner import Judged, judged_rows

ANSWER_TIMEOUT = 300.0  # seconds the decide stage waits for the child's answer (its import included) before it
# validates in its own process instead
SWITCH = "ORDERBRIDGE_GX_CHILD"
_HEADER = struct.Struct("<Q")  # the JSON part's length, before the Arrow IPC stream

_child: subprocess.Popen | None = None
_lock = threading.Lock()
_closing_registered = False
_no_pandas: ExitStack | None = None  # pandas kept out of this process while the child validates (flows.lean)


class ChildFailed(RuntimeError):
    """The child gave no usable answer (it died, said an error, or its answer could not be read)."""


def start() -> bool:
    """Start the child (once; True when one is waiting). Not when ORDERBRIDGE_GX_CHILD=0, nor in a process that has
    imported GX already (it pays nothing more to validate itself), nor where the child cannot be started (then GX
    runs in this process)."""
    global _child, _closing_registered
    if os.environ.get(SWITCH, "1") == "0" or "great_expectations" in sys.modules:
        return False
    with _lock:
        if _child is not None and _child.poll() is None:
            return True
        try:
            _child = spawn()
        except OSError:
            _child = None
            return False
        if not _closing_registered:
            atexit.register(close)
            _closing_registered = True
        _keep_pandas_out()
    return True


def _keep_pandas_out() -> None:
    """GX's frame is the child's: nothing else of the night uses pandas, which pyarrow would import here at its first
    conversion of a Python list (~45 MB resident, ~0.5 s CPU). Kept out until finish (or a fallback) lets it in."""
    global _no_pandas
    from flows.lean import without_pandas

    if _no_pandas is None:
        stack = ExitStack()
        if stack.enter_context(without_pandas()):
            _no_pandas = stack
        else:
            stack.close()


def _let_pandas_in() -> None:
    global _no_pandas
    stack, _no_pandas = _no_pandas, None
    if stack is not None:
        stack.close()


def spawn() -> subprocess.Popen:
    """A new child (``main``), importing GX until it reads its question."""
    return subprocess.Popen([sys.executable, "-m", "flows.gx_child", str(os.getpid())],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)


def running() -> bool:
    """A child is started and not yet asked (the night's process then does not import GX itself)."""
    with _lock:
        return _child is not None and _child.poll() is None


def close() -> None:
    """End a child nobody asked (a night with nothing to decide, or without GX), and wait for it."""
    global _child
    with _lock:
        child, _child = _child, None
    if child is not None:
        _end(child)


def finish() -> None:
    """The night's end: close, and pandas may be imported again."""
    close()
    with _lock:
        _let_pandas_in()


def judge(rows: pa.Table, suite: dict) -> Judged:
    """rules.gx_runner.judged_rows(rows, suite), by the child when one waits, else (or when it fails) here."""
    global _child
    with _lock:
        child, _child = _child, None
    if child is None:
        _let_pandas_in()
        return judged_rows(rows, suite)
    try:
        return ask(child, rows, suite)
    except Exception as exc:  # noqa: BLE001 - whatever the child did wrong, this process validates the rows itself
        from flows import progress

        progress.report("decide", f"GX's own process gave no answer ({str(exc)[:200]}): validating here instead")
        _let_pandas_in()
        return judged_rows(rows, suite)
    finally:
        _end(child)


def ask(child: subprocess.Popen, rows: pa.Table, suite: dict, timeout: float | None = None) -> Judged:
    """The child's answer about ``rows``: the question written, its standard input closed, the answer read until
    it exits."""
    out, _ = child.communicate(_message({"suite": suite}, rows), timeout=ANSWER_TIMEOUT if timeout is None
                               else timeout)
    head, table = _read(out)
    if child.returncode != 0:
        raise ChildFailed(f"exit status {child.returncode}")
    if "error" in head:
        raise ChildFailed(head["error"])
    if head["keys"] and (table is None or table.num_rows != rows.num_rows or table.column_names != head["keys"]):
        raise ChildFailed("an answer of other rows")
    masks = {key: table[key].to_numpy(zero_copy_only=False).astype(bool) for key in head["keys"]}
    return Judged(masks, head["outcomes"], bool(head["success"]), int(head["evaluated"]), list(head["failed"]))


def _end(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.kill()
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
    child.wait()


def _message(head: dict, table: pa.Table | None) -> bytes:
    text = json.dumps(head, default=str).encode("utf-8")
    body = b""
    if table is not None:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        body = sink.getvalue().to_pybytes()
    return _HEADER.pack(len(text)) + text + body


def _read(data: bytes) -> tuple[dict, pa.Table | None]:
    if len(data) < _HEADER.size:
        raise ChildFailed("no answer")
    (n,) = _HEADER.unpack_from(data)
    head = json.loads(data[_HEADER.size:_HEADER.size + n].decode("utf-8"))
    rest = data[_HEADER.size + n:]
    return head, pa.ipc.open_stream(rest).read_all() if rest else None


# --- the child ----------------------------------------------------------------------------------------------------

def _die_with_parent(parent: int) -> None:
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):  # not Linux: the closed standard input ends it once it reads
        pass
    if os.getppid() != parent:
        os._exit(0)


def main(parent: int) -> None:
    """The child: GX imported, one question read from the standard input (nothing: exit), answered on the standard
    output, then exit without the interpreter's teardown. What GX prints goes to the standard error."""
    _die_with_parent(parent)
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a print of GX's or a library's must not enter the answer
    import great_expectations  # noqa: F401
    import pandas  # noqa: F401
    from great_expectations.expectations.expectation import Expectation  # noqa: F401
    from great_expectations.validator.v1_validator import Validator  # noqa: F401

    data = sys.stdin.buffer.read()
    if not data:
        os._exit(0)
    try:
        head, rows = _read(data)
        judged = judged_rows(rows, head["suite"])
        keys = list(judged.masks)
        masks = pa.table({key: pa.array(np.asarray(judged.masks[key], dtype=bool)) for key in keys})
        reply = _message({"keys": keys, "outcomes": judged.outcomes, "success": judged.success,
                          "evaluated": judged.evaluated, "failed": judged.failed}, masks if keys else None)
    except Exception as exc:  # noqa: BLE001 - said to the parent, which validates again itself (and raises it there)
        reply = _message({"error": f"{type(exc).__name__}: {exc}"}, None)
    answer.write(reply)
    answer.flush()
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
