"""Durations as people write them in an agenda: 90s, 7m, 1h30m, 5m30s, 30秒, 7分钟, 1小时.

Pure and tiny: the agenda loader, the engine and the minutes all use it.
"""

from __future__ import annotations

import re
from datetime import date

_LATIN = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_CHINESE = re.compile(r"^(?:(?P<h>\d+)(?:小时|时))?(?:(?P<m>\d+)(?:分钟|分))?(?:(?P<s>\d+)秒)?$")


class DurationError(ValueError):
    """Text that is not a duration in one of the accepted forms."""


def parse_duration(text: object) -> int:
    """Seconds in `text`; raises DurationError for bare numbers, unknown units, zero."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise DurationError("bare number")
    compact = text.strip().lower().replace(" ", "")
    for pattern in (_LATIN, _CHINESE):
        match = pattern.match(compact)
        if match and any(match.group(g) for g in ("h", "m", "s")):
            hours, minutes, seconds = (int(match.group(g) or 0) for g in ("h", "m", "s"))
            total = hours * 3600 + minutes * 60 + seconds
            if total <= 0:
                raise DurationError("zero")
            return total
    if compact.startswith("-"):
        raise DurationError("negative")
    raise DurationError("form")


def format_clock(seconds: float) -> str:
    """`07:00`, `1:05:00` for whole seconds; the sign is the caller's to show."""
    total = int(abs(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def format_duration(seconds: int) -> str:
    """The canonical agenda spelling: 7m, 90s -> 1m30s, 1h30m."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return "".join(parts) or "0s"


def format_duration_in(seconds: int, lang: str) -> str:
    """For people rather than agenda files: `7分钟`, `1小时30分钟` in Chinese, `7m` in English."""
    if not lang.startswith("zh"):
        return format_duration(seconds)
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "小时"), (minutes, "分钟"), (secs, "秒")) if v]
    return "".join(parts) or "0秒"


def format_date_in(day: date, lang: str) -> str:
    """`2026年1月8日` in Chinese, `8 January 2026` in English."""
    if lang.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
