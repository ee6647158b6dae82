"""Process-level start-up economies for short commands (flows/ only: this changes how the process
imports). pyarrow looks for pandas whenever it meets an object it might convert (`pa.array`, and
again on later calls while pandas is missing), and importing pandas costs about a second here; a
command that never uses pandas (`inspect` without a partner) reads and checks with pandas kept out.
Where pandas is loaded already (tests, a night) this does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.abc import MetaPathFinder


class _NoPandas(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):  # noqa: ANN001 - importlib's protocol
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not loaded by this command", name=name)
        return None


@contextmanager
def without_pandas() -> Iterator[bool]:
    """Inside: pandas cannot be imported (pyarrow then works without it); yields True if it kept pandas
    out, False when pandas was loaded already (nothing changed)."""
    if "pandas" in sys.modules:
        yield False
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        yield True
    finally:
        sys.meta_path.remove(finder)
