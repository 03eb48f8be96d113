"""gettext plumbing: every user-facing string goes through `_()`.

The language is process-wide because one process runs one meeting; it is chosen from
`--lang`, else the agenda's `language`, else the environment's locale.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "retreat"
LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("zh-CN", "en")

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def normalise(lang: str) -> str:
    """Map zh, zh_CN.UTF-8, zh-Hans ... to zh-CN and anything English to en."""
    low = lang.strip().lower().replace("_", "-")
    if low.startswith("zh"):
        return "zh-CN"
    return "en"


def from_environment() -> str:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return normalise(value.split(":")[0])
    return "en"


def set_language(lang: str) -> str:
    global _translations, _language
    _language = normalise(lang)
    gnu = _language.replace("-", "_")
    _translations = gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[gnu], fallback=True
    )
    return _language


def language() -> str:
    return _language


def translations() -> gettext.NullTranslations:
    return _translations


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later (e.g. in a table)."""
    return message


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def translator(lang: str) -> gettext.NullTranslations:
    """Translations for one language without changing the process-wide choice."""
    gnu = normalise(lang).replace("-", "_")
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[gnu], fallback=True)
