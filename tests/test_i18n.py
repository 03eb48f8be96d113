from __future__ import annotations

import gettext
import importlib.util
from pathlib import Path

import pytest

from retreat import i18n

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
assert spec and spec.loader
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)


def _messages_of_po(po: Path) -> dict[str | tuple[str, int], str]:
    """What gettext should serve for each msgid: translated, non-fuzzy entries only."""
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    wanted: dict[str | tuple[str, int], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for n, form in enumerate(message.string):
                if form:
                    wanted[(message.id[0], n)] = form
        elif message.string:
            wanted[message.id] = message.string
    return wanted


@pytest.mark.parametrize("po", script.po_files(), ids=lambda p: p.parent.parent.name)
def test_committed_mo_serves_every_message_of_its_po(po: Path) -> None:
    # Compares messages, not bytes: a compiler writes its own version into the .mo, so a
    # byte comparison fails whenever a fresh install resolves another Babel.
    with po.with_suffix(".mo").open("rb") as f:
        served = dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]
    served.pop("", None)  # the header
    assert served == _messages_of_po(po), "run: python scripts/i18n.py compile"


def test_every_string_in_the_code_is_translated_to_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert script.main(["i18n.py", "check"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh_CN.UTF-8", "zh-CN"), ("zh", "zh-CN"), ("zh-Hans", "zh-CN"), ("en_US.UTF-8", "en"), ("de_DE", "en")],
)
def test_language_names_are_normalised(value: str, expected: str) -> None:
    assert i18n.normalise(value) == expected


def test_language_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.from_environment() == "zh-CN"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert i18n.from_environment() == "zh-CN"  # C means "unset", so LANG decides
    monkeypatch.setenv("LANGUAGE", "en_GB")
    assert i18n.from_environment() == "en"


def test_set_language_switches_translations() -> None:
    i18n.set_language("zh-CN")
    assert i18n._("the meeting has ended") == "会议已结束"
    i18n.set_language("en")
    assert i18n._("the meeting has ended") == "the meeting has ended"
