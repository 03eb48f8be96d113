"""The libyaml fast path must read agendas exactly as the pure-Python loader does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from retreat.agenda import yaml as agenda_yaml

AGENDAS = sorted((Path(__file__).parent.parent / "agendas").glob("*.yaml")) + sorted(
    (Path(__file__).parent / "data" / "agendas").glob("*.yaml")
)


@pytest.mark.skipif(agenda_yaml._FastAgendaLoader is None, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", AGENDAS, ids=lambda p: p.name)
def test_fast_and_pure_loaders_agree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = agenda_yaml._parse_with(agenda_yaml._FastAgendaLoader, text, str(path), agenda_yaml.MAX_ALIASES)
    pure = agenda_yaml._parse_with(agenda_yaml._AgendaLoader, text, str(path), None)
    assert fast.data == pure.data
    node_fast, _ = agenda_yaml.locate(fast.root, ("items", 1, "title"))
    node_pure, _ = agenda_yaml.locate(pure.root, ("items", 1, "title"))
    assert (node_fast.start_mark.line, node_fast.start_mark.column) == (
        node_pure.start_mark.line,
        node_pure.start_mark.column,
    )


@pytest.mark.skipif(agenda_yaml._FastAgendaLoader is None, reason="PyYAML built without libyaml")
def test_fast_path_keeps_times_as_text_like_the_pure_loader() -> None:
    text = "version: 1\nmeeting: {title: x, start: 9:30, date: 2026-01-08}\nitems: []\n"
    fast = agenda_yaml._parse_with(agenda_yaml._FastAgendaLoader, text, "x", 10)
    assert fast.data["meeting"] == {"title": "x", "start": "9:30", "date": "2026-01-08"}
    assert isinstance(yaml.safe_load("a: 9:30")["a"], int)  # what we avoid
