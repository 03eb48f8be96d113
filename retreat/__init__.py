"""retreat: run a street office's work retreat from one laptop."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("retreat")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
