"""retreat: run a street office's work retreat from one laptop."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # importlib.metadata costs ~20-70 ms at start-up; only `--version` and the session
    # header need the version, so it is read on first use.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("retreat")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0+source"
    raise AttributeError(name)
