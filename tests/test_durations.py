"""durations: the spellings an agenda may use, and the ones it refuses."""

from __future__ import annotations

import pytest

from retreat.durations import DurationError, format_clock, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("7m", 420),
        ("1h", 3600),
        ("5m30s", 330),
        ("1h30m", 5400),
        ("1h0m5s", 3605),
        ("30秒", 30),
        ("7分钟", 420),
        ("7分", 420),
        ("1小时", 3600),
        ("1小时30分钟", 5400),
        ("2时", 7200),
        ("1分钟30秒", 90),
        (" 7m ", 420),
        ("7M", 420),
        ("1h 30m", 5400),
        ("120m", 7200),
    ],
)
def test_accepted(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (7, "bare number"),
        (7.5, "bare number"),
        (True, "bare number"),
        (None, "bare number"),
        ("0m", "zero"),
        ("0s", "zero"),
        ("0小时", "zero"),
        ("0h0m0s", "zero"),
        ("-5m", "negative"),
        ("-90s", "negative"),
        ("7", "form"),
        ("7 mins", "form"),
        ("7min", "form"),
        ("7.5m", "form"),
        ("1m1h", "form"),
        ("m", "form"),
        ("", "form"),
        ("七分钟", "form"),
        ("7分钟30", "form"),
        ("1:30", "form"),
    ],
)
def test_refused(value: object, reason: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(value)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(420, "7m"), (90, "1m30s"), (5400, "1h30m"), (3600, "1h"), (3605, "1h5s"), (0, "0s")],
)
def test_format_duration(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("seconds", [1, 59, 90, 420, 3599, 3600, 5400, 86399])
def test_format_duration_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (59.9, "00:59"), (420, "07:00"), (3900, "1:05:00"), (-75, "01:15")],
)
def test_format_clock(seconds: float, text: str) -> None:
    assert format_clock(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [(420, "7分钟", "7m"), (5400, "1小时30分钟", "1h30m"), (90, "1分钟30秒", "1m30s"), (30, "30秒", "30s")],
)
def test_durations_for_people_in_each_language(seconds: int, zh: str, en: str) -> None:
    from retreat.durations import format_duration_in

    assert format_duration_in(seconds, "zh-CN") == zh
    assert format_duration_in(seconds, "en") == en


def test_dates_for_people_in_each_language() -> None:
    import datetime as dt

    from retreat.durations import format_date_in

    assert format_date_in(dt.date(2024, 1, 8), "zh-CN") == "2024年1月8日"
    assert format_date_in(dt.date(2024, 1, 8), "en") == "8 January 2024"
