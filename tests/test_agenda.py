"""agenda: defaults, durations, planned totals, the JSON Schema, a Chinese agenda end to end."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import retreat
from retreat import agenda as agenda_mod
from retreat.agenda import (
    DEFAULT_ALARM_REPEAT,
    KINDS,
    VOTE_METHODS,
    Agenda,
    AgendaSpec,
    VoteSpec,
    candidate_ids,
    default_points,
    json_schema,
    load,
    loads,
)
from retreat.agenda import resolve as resolve_mod
from retreat.errors import AgendaError, AgendaErrors

GOOD_ZH = """\
version: 1
meeting:
  title: 2026年街道工作务虚会
  date: 2026-01-08
  start: "08:30"
  venue: 街道三楼会议室
  chair: 王书记
  recorder: 李秘书
  language: zh-CN
departments:
  - id: pgo
    name: 党政办公室
    head: 陈静
  - id: sgo
    name: 居民自治办公室
participants:
  - name: 王书记
    role: 书记
representatives:
  - name: 刘书记
    area: 幸福里小区
groups:
  - id: g1
    name: 第一组
    members: [刘书记]
items:
  - id: pgo-report
    kind: report
    title: 党政办公室工作汇报
    presenter: 陈静
    department: pgo
  - kind: report
    title: 居民自治办公室工作汇报
    presenter: 周志强
    department: 居民自治办公室
    limit: 7分钟
    points: [去年成效, 今年打算]
  - kind: remarks
    title: 分管领导点评
    presenter: 张明
  - kind: break
    limit: 10分钟
  - kind: qa
    title: 基层提问
    limit: 30m
    warning: 5m
    alarm_repeat: 1m
  - kind: vote
    title: 民生实事项目推荐
    limit: 20m
    seats: 2
    method: stv
    candidates:
      - id: canteen
        title: 社区食堂
      - title: 社区客厅
      - title: 养老服务联盟
  - kind: discussion
    title: 分组讨论
    limit: 1小时30分钟
"""

EN_POINTS = (
    "Last year's work and results",
    "How to read this year's situation",
    "What will be done this year",
    "Existing problems, and benchmarking against the targets",
)


def agenda_of(items: str, meeting: str = "") -> Agenda:
    return loads(f"version: 1\nmeeting:\n  title: T\n{meeting}items:\n{items}", "t.yaml")


def one_item(item: str, meeting: str = "") -> agenda_mod.Item:
    return agenda_of(item, meeting).items[0]


def refusal(text: str) -> list[str]:
    with pytest.raises((AgendaError, AgendaErrors)) as caught:
        loads(text, "t.yaml")
    return str(caught.value).splitlines()


# --- durations, as written in an item's limit ------------------------------------------


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("90s", 90),
        ("7m", 420),
        ("1h", 3600),
        ("5m30s", 330),
        ("1h30m", 5400),
        ("30秒", 30),
        ("7分钟", 420),
        ("1小时", 3600),
        ("1小时30分钟", 5400),
    ],
)
def test_limit_durations(written: str, seconds: int) -> None:
    item = one_item(f"  - kind: qa\n    title: q\n    limit: {written}\n")
    assert item.limit == seconds


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("7", "7 is a bare number; say the unit"),
        ("420", "420 is a bare number; say the unit"),
        ("7 mins", '"7 mins" is not a duration (use 7m, 90s, 1h30m or 7分钟)'),
        ("0m", '"0m" is zero'),
        ("-5m", '"-5m" is negative'),
        ("7.5m", '"7.5m" is not a duration'),
        ('""', '"" is not a duration'),
    ],
)
def test_limit_refused(written: str, message: str) -> None:
    (line,) = refusal(f"version: 1\nmeeting:\n  title: T\nitems:\n  - kind: qa\n    title: q\n    limit: {written}\n")
    assert line.startswith("t.yaml:7:12: items[1].limit: ")
    assert message in line


# --- ids -------------------------------------------------------------------------------


def test_missing_ids_are_positional() -> None:
    a = agenda_of("  - kind: qa\n    title: a\n    limit: 5m\n  - kind: qa\n    id: x\n    title: b\n    limit: 5m\n"
                  "  - kind: qa\n    title: c\n    limit: 5m\n")
    assert [i.id for i in a.items] == ["item-1", "x", "item-3"]
    assert [i.position for i in a.items] == [1, 2, 3]
    assert a.index_of("item-3") == 2
    with pytest.raises(KeyError):
        a.index_of("nope")


def test_explicit_id_may_not_collide_with_a_positional_one() -> None:
    lines = refusal("version: 1\nmeeting:\n  title: T\nitems:\n  - kind: qa\n    title: a\n    limit: 5m\n"
                    "  - kind: qa\n    id: item-1\n    title: b\n    limit: 5m\n")
    assert lines == ['t.yaml:9:9: items[2].id: "item-1" is already the id of item 1; ids must be unique']


@pytest.mark.parametrize("ident", ["3", '"3"', "12", "3.5", " 7 "])
def test_numeric_ids_are_refused(ident: str) -> None:
    (line,) = refusal(f"version: 1\nmeeting:\n  title: T\nitems:\n  - kind: qa\n    id: {ident}\n    title: a\n    limit: 5m\n")
    assert "items[1].id:" in line
    assert "is a plain number" in line


@pytest.mark.parametrize("ident", ["a b", "a:b", "a,b"])
def test_unusable_ids_are_refused(ident: str) -> None:
    (line,) = refusal(f'version: 1\nmeeting:\n  title: T\nitems:\n  - kind: qa\n    id: "{ident}"\n    title: a\n    limit: 5m\n')
    assert "is not a usable id" in line


# --- limits, warnings, alarm repeat -------------------------------------------------------


def test_default_limits() -> None:
    a = agenda_of("  - kind: report\n    title: r\n  - kind: remarks\n    title: m\n")
    assert [i.limit for i in a.items] == [7 * 60, 5 * 60]


@pytest.mark.parametrize("kind", ["qa", "vote", "break", "discussion"])
def test_other_kinds_need_a_limit(kind: str) -> None:
    extra = "    candidates:\n      - title: c\n" if kind == "vote" else ""
    (line,) = refusal(f"version: 1\nmeeting:\n  title: T\nitems:\n  - kind: {kind}\n    title: x\n{extra}")
    assert line == f't.yaml:5:5: items[1].limit: a {kind} item needs a time limit, e.g. "limit: 20m"'


@pytest.mark.parametrize(
    ("limit", "warning"),
    [("7m", 60), ("121s", 60), ("2m", 60), ("90s", 45), ("61s", 30), ("1m", 30), ("2s", 1)],
)
def test_default_warning(limit: str, warning: int) -> None:
    assert one_item(f"  - kind: qa\n    title: q\n    limit: {limit}\n").warning == warning


def test_explicit_warning_wins() -> None:
    item = one_item("  - kind: qa\n    title: q\n    limit: 30m\n    warning: 5m\n", meeting="  warning: 2m\n")
    assert item.warning == 300


def test_meeting_wide_warning() -> None:
    a = agenda_of(
        "  - kind: report\n    title: r\n  - kind: qa\n    title: q\n    limit: 90s\n",
        meeting="  warning: 2m\n",
    )
    # The 90s item cannot warn 2 minutes before its end: it falls back to half its limit.
    assert [i.warning for i in a.items] == [120, 45]


@pytest.mark.parametrize("warning", ["5m", "6m"])
def test_warning_not_shorter_than_limit_is_refused(warning: str) -> None:
    (line,) = refusal(f"version: 1\nmeeting:\n  title: T\nitems:\n  - kind: qa\n    title: q\n    limit: 5m\n    warning: {warning}\n")
    assert line.startswith("t.yaml:8:14: items[1].warning: a warning ")
    assert "is not shorter than the limit of 5m" in line


def test_alarm_repeat_defaults_and_overrides() -> None:
    a = agenda_of("  - kind: report\n    title: r\n  - kind: report\n    title: s\n    alarm_repeat: 10s\n")
    assert [i.alarm_repeat for i in a.items] == [DEFAULT_ALARM_REPEAT, 10]
    assert DEFAULT_ALARM_REPEAT == 30
    b = agenda_of("  - kind: report\n    title: r\n  - kind: report\n    title: s\n    alarm_repeat: 10s\n",
                  meeting="  alarm_repeat: 1m\n")
    assert [i.alarm_repeat for i in b.items] == [60, 10]


# --- talking points ---------------------------------------------------------------------


def test_default_points_in_english() -> None:
    assert default_points("en") == EN_POINTS
    item = one_item("  - kind: report\n    title: r\n", meeting="  language: en\n")
    assert item.points == EN_POINTS


class _FakeChinese:
    """Stands in for the zh_CN catalogue, so the test does not depend on it being built."""

    WORDS = dict(zip(EN_POINTS, ("去年工作成效", "今年形势研判", "今年怎么干", "存在问题和对标对表"), strict=True))

    def gettext(self, message: str) -> str:
        return self.WORDS.get(message, message)


def test_default_points_follow_the_agenda_language(monkeypatch: pytest.MonkeyPatch) -> None:
    real = resolve_mod.translator

    def translator(lang: str) -> Any:
        return _FakeChinese() if lang == "zh-CN" else real(lang)

    monkeypatch.setattr(resolve_mod, "translator", translator)
    zh = one_item("  - kind: report\n    title: r\n", meeting="  language: zh-CN\n")
    assert zh.points == ("去年工作成效", "今年形势研判", "今年怎么干", "存在问题和对标对表")
    en = one_item("  - kind: report\n    title: r\n", meeting="  language: en\n")
    assert en.points == EN_POINTS


def test_real_chinese_catalogue_if_built() -> None:
    mo = Path(retreat.__file__).parent / "locale" / "zh_CN" / "LC_MESSAGES" / "retreat.mo"
    if not mo.exists():
        pytest.skip("the zh_CN catalogue is not built in this checkout")
    points = default_points("zh-CN")
    assert len(points) == 4
    assert all(re.search(r"[\u4e00-\u9fff]", p) for p in points)


def test_explicit_points_and_kinds_without_points() -> None:
    a = loads(GOOD_ZH, "good.yaml")
    assert a.items[1].points == ("去年成效", "今年打算")
    assert a.items[2].points == ()  # remarks: none unless written
    assert a.items[4].points == ()


# --- a good Chinese agenda, end to end ----------------------------------------------------


def test_good_chinese_agenda(tmp_path: Path) -> None:
    path = tmp_path / "retreat.yaml"
    path.write_text(GOOD_ZH, encoding="utf-8")
    a = load(path)
    assert a.file == str(path)
    assert a.text == GOOD_ZH
    assert a.language == "zh-CN"
    assert a.meeting.title == "2026年街道工作务虚会"
    assert a.meeting.date == dt.date(2026, 1, 8)
    assert a.meeting.start == dt.time(8, 30)
    assert a.meeting.recorder == "李秘书"
    assert [d.name for d in a.departments] == ["党政办公室", "居民自治办公室"]
    assert a.representatives[0].area == "幸福里小区"
    assert a.groups[0].members == ["刘书记"]
    assert [i.kind for i in a.items] == ["report", "report", "remarks", "break", "qa", "vote", "discussion"]
    assert [i.limit for i in a.items] == [420, 420, 300, 600, 1800, 1200, 5400]
    assert [i.id for i in a.items][:3] == ["pgo-report", "item-2", "item-3"]
    assert a.items[4].warning == 300 and a.items[4].alarm_repeat == 60
    assert a.department_name(a.items[0].department) == "党政办公室"
    assert a.department_name(a.items[1].department) == "居民自治办公室"
    assert a.department_name("unlisted") == "unlisted"
    vote = a.items[5].vote
    assert isinstance(vote, VoteSpec)
    assert (vote.seats, vote.method) == (2, "stv")
    assert candidate_ids(vote) == ["canteen", "c2", "c3"]


def test_good_agenda_round_trips_through_its_stored_text() -> None:
    first = loads(GOOD_ZH.encode("utf-8"), "good.yaml")
    again = loads(first.text, "good.yaml")
    assert again.items == first.items
    assert again.meeting == first.meeting
    assert loads("\ufeff" + GOOD_ZH, "bom.yaml").items == first.items


def test_planned_total() -> None:
    a = loads(GOOD_ZH, "good.yaml")
    assert a.planned_total == 420 + 420 + 300 + 600 + 1800 + 1200 + 5400
    assert agenda_of("  - kind: report\n    title: r\n  - kind: qa\n    title: q\n    limit: 90s\n").planned_total == 510


def test_break_gets_a_title() -> None:
    item = one_item("  - kind: break\n    limit: 10m\n", meeting="  language: en\n")
    assert item.title == "Break"


@pytest.mark.parametrize(("written", "expected"), [('"08:30"', dt.time(8, 30)), ("9:30", dt.time(9, 30)), ("14:05", dt.time(14, 5))])
def test_start_times(written: str, expected: dt.time) -> None:
    a = agenda_of("  - kind: report\n    title: r\n", meeting=f"  start: {written}\n")
    assert a.meeting.start == expected


def test_yaml_dates_and_sexagesimal_stay_text_for_validation() -> None:
    # YAML 1.1 would read 1:30 as the integer 90; the agenda wants it refused as a duration.
    (line,) = refusal("version: 1\nmeeting:\n  title: T\nitems:\n  - kind: qa\n    title: q\n    limit: 1:30\n")
    assert '"1:30" is not a duration' in line
    a = agenda_of("  - kind: report\n    title: =\n")
    assert a.items[0].title == "="


def test_unknown_department_only_checked_when_departments_are_listed() -> None:
    item = one_item("  - kind: report\n    title: r\n    department: 某办公室\n")
    assert item.department == "某办公室"


def test_load_errors_for_files(tmp_path: Path) -> None:
    with pytest.raises(AgendaError, match="no such file"):
        load(tmp_path / "missing.yaml")
    with pytest.raises(AgendaError, match="folder"):
        load(tmp_path)


def test_public_constants() -> None:
    assert KINDS == ("report", "remarks", "qa", "vote", "break", "discussion")
    assert "borda" in VOTE_METHODS and "stv" in VOTE_METHODS


# --- the JSON Schema ----------------------------------------------------------------------


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$") -> list[str]:
    """A small validator for the subset of JSON Schema pydantic emits (jsonschema is not a dependency)."""
    schema = _resolve(schema, root)
    if "anyOf" in schema or "oneOf" in schema:
        branches = schema.get("anyOf") or schema["oneOf"]
        results = [schema_errors(value, b, root, where) for b in branches]
        matching = sum(1 for r in results if not r)
        if "oneOf" in schema and matching != 1:
            return [f"{where}: {matching} branches of oneOf match ({results})"]
        return [] if matching else [f"{where}: no branch matches ({results})"]
    errors: list[str] = []
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind and not checks[kind](value):
        return [f"{where}: not {kind}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: not in {schema['enum']}")
    if kind == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: does not match {schema['pattern']}")
    if kind == "string" and len(value) < schema.get("minLength", 0):
        errors.append(f"{where}: too short")
    if kind == "integer" and value < schema.get("minimum", value):
        errors.append(f"{where}: too small")
    if kind == "array":
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{where}: too few items")
        for n, element in enumerate(value):
            errors += schema_errors(element, schema.get("items", {}), root, f"{where}[{n}]")
    if kind == "object":
        props = schema.get("properties", {})
        errors += [f"{where}: {key} is required" for key in schema.get("required", []) if key not in value]
        for key, element in value.items():
            if key in props:
                errors += schema_errors(element, props[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unknown key {key}")
    return errors


def plain_yaml(text: str) -> Any:
    # What an editor sees: dates and times as strings, as the agenda loader keeps them.
    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if not tag.endswith(":timestamp")]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass


def test_schema_is_json_and_describes_the_format() -> None:
    schema = json.loads(json.dumps(json_schema(), ensure_ascii=False))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"version", "meeting", "items"}
    assert schema["properties"]["version"]["const"] == 1
    assert schema["additionalProperties"] is False
    items = schema["properties"]["items"]
    assert items["type"] == "array"
    assert set(items["items"]["discriminator"]["mapping"]) == set(KINDS)
    vote = schema["$defs"]["VoteSpec"]["properties"]["method"]
    assert set(vote["enum"]) == set(VOTE_METHODS)
    assert set(schema["$defs"]["MeetingSpec"]["properties"]["language"]["enum"]) == {"zh-CN", "en"}
    assert set(AgendaSpec.model_fields) == set(schema["properties"])


def test_schema_validates_a_good_agenda() -> None:
    schema = json_schema()
    assert schema_errors(plain_yaml(GOOD_ZH), schema, schema) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("limit: 30m", "limt: 30m"), "unknown key limt"),
        (("limit: 30m", "limit: 7 mins"), "does not match"),
        (("limit: 30m", "limit: 30"), "no branch matches"),
        (("kind: qa", "kind: speech"), "branches of oneOf match"),
        (("id: pgo-report", "id: '3'"), "no branch matches"),
        (("version: 1", "version: 2"), "not 1"),
        (("method: stv", "method: dhondt"), "branches of oneOf match"),
    ],
)
def test_schema_refuses_what_the_loader_refuses(change: tuple[str, str], problem: str) -> None:
    text = GOOD_ZH.replace(*change, 1)
    assert text != GOOD_ZH
    schema = json_schema()
    errors = schema_errors(plain_yaml(text), schema, schema)
    assert any(problem in e for e in errors), errors
    with pytest.raises((AgendaError, AgendaErrors)):
        loads(text, "t.yaml")


@pytest.mark.parametrize("duration", ["90s", "7m", "1h", "5m30s", "1h30m", "30秒", "7分钟", "1小时", "1小时30分钟"])
def test_schema_duration_pattern_accepts_the_documented_forms(duration: str) -> None:
    pattern = json_schema()["$defs"]["QASpec"]["properties"]["limit"]["anyOf"][0]["pattern"]
    assert re.search(pattern, duration)
    assert not re.search(pattern, "")
    assert not re.search(pattern, "7 mins")


def test_vote_methods_are_the_ones_voting_counts() -> None:
    from retreat import voting

    assert set(VOTE_METHODS) == set(voting.METHODS)


# --- the facilitator's messages to the speaker (keys 1-3) ---------------------------------


def test_speaker_messages_default_in_the_meeting_language() -> None:
    assert agenda_of("  - kind: break\n    limit: 5m\n").messages == ("请抓紧时间", "请总结", "时间到，请结束")
    english = agenda_of("  - kind: break\n    limit: 5m\n", "  language: en\n")
    assert english.messages == ("Please keep to time", "Please sum up", "Time is up, please finish")


def test_speaker_messages_from_the_agenda() -> None:
    agenda = agenda_of("  - kind: break\n    limit: 5m\n", "  messages: [还有两分钟, 请回到主题, 请结束]\n")
    assert agenda.messages == ("还有两分钟", "请回到主题", "请结束")


def test_speaker_messages_must_be_three() -> None:
    (line,) = refusal("version: 1\nmeeting:\n  title: T\n  messages: [a, b]\nitems:\n  - kind: break\n    limit: 5m\n")
    assert line.startswith("t.yaml:4:")
    assert "meeting.messages: give exactly three messages, for keys 1, 2 and 3 (this list has 2)" in line


def test_speaker_messages_must_not_be_empty() -> None:
    (line,) = refusal('version: 1\nmeeting:\n  title: T\n  messages: [a, "", c]\nitems:\n  - kind: break\n    limit: 5m\n')
    assert line.startswith("t.yaml:4:") and "meeting.messages[2]" in line and "must not be empty" in line
