"""Validation errors as sentences a secretary can act on: file, line, field, what to write.

pydantic words its errors for programmers ("Input should be 'a', 'b' or 'c'",
"Extra inputs are not permitted"); each kind of error is said again here, with the
position of the offending node and, for a misspelt key or value, a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel

from retreat.agenda.schema import FORMAT_VERSION, SPEC_OF_KIND, AgendaSpec
from retreat.agenda.types import KINDS
from retreat.agenda.yaml import Located
from retreat.errors import AgendaError
from retreat.i18n import N_, _


def check_top_level(located: Located) -> None:
    """An agenda is a mapping in format version 1; anything else is said before pydantic speaks."""
    if not isinstance(located.data, dict):
        raise located.error(
            (), _("the file holds {what}; an agenda is a mapping that starts with `version: 1`").format(
                what=_describe(located.data)
            )
        )
    _check_version(located)


def _describe(data: object) -> str:
    if isinstance(data, list):
        return _("a list")
    if isinstance(data, str):
        return _("a single text")
    return _("a single value")


def _check_version(located: Located) -> None:
    version = located.data.get("version")
    if version is None:
        raise located.error((), _("missing; write `version: 1` as the first line of the agenda"))._with_field(
            ("version",)
        )
    if version != FORMAT_VERSION:
        if isinstance(version, int) and version > FORMAT_VERSION:
            message = _("this agenda is in format version {v}, but this retreat reads version 1; install a newer retreat")
        else:
            message = _("{v} is not a known format version; write `version: 1`")
            if isinstance(version, str):
                message = _("{v} is text, not a format version; write `version: 1` without quotes")
        shown = f'"{version}"' if isinstance(version, str) else str(version)
        raise located.error(("version",), message.format(v=shown))


_TYPE_MESSAGES: dict[str, str] = {
    "string_type": N_("expected text"),
    "int_type": N_("expected a whole number"),
    "int_parsing": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number"),
    "list_type": N_("expected a list (lines starting with -)"),
    "model_type": N_("expected a mapping (key: value lines)"),
    "model_attributes_type": N_("expected a mapping (key: value lines)"),
    "dict_type": N_("expected a mapping (key: value lines)"),
    "date_type": N_('"{input}" is not a date; write it like 2026-01-08'),
    "date_parsing": N_('"{input}" is not a date; write it like 2026-01-08'),
    "date_from_datetime_parsing": N_('"{input}" is not a date; write it like 2026-01-08'),
    "date_from_datetime_inexact": N_('"{input}" is not a date; write it like 2026-01-08'),
    "time_type": N_('"{input}" is not a time of day; write it like 08:30'),
    "time_parsing": N_('"{input}" is not a time of day; write it like 08:30'),
    "string_too_short": N_("must not be empty"),
    "too_short": N_("must not be empty"),
    "greater_than_equal": N_("{input} is too small; give at least {ge}"),
}


def pydantic_error(located: Located, err: Any) -> AgendaError:
    loc = tuple(err["loc"])
    kind = err["type"]
    # A discriminated union puts the tag in the path (items, 3, "report", "limit"); drop it.
    path = tuple(p for i, p in enumerate(loc) if not (i > 0 and isinstance(loc[i - 1], int) and p in KINDS))
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed_keys(located, path[:-1])
        near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
        known = _("; known keys: {keys}").format(keys=", ".join(allowed)) if not near else ""
        return located.error(path, _('unknown key "{key}"').format(key=key) + hint + known, at_key=True)
    if kind == "union_tag_invalid":
        value = err["input"].get("kind") if isinstance(err["input"], dict) else None
        return located.error(
            (*path, "kind"),
            _('"{value}" is not a kind of item; use one of: {kinds}').format(value=value, kinds=", ".join(KINDS)),
        )
    if kind == "union_tag_not_found":
        return located.error(
            path, _('missing; add "kind:" with one of: {kinds}').format(kinds=", ".join(KINDS))
        )._with_field((*path, "kind"))
    if kind == "literal_error":
        # pydantic says "'a', 'b' or 'c'"; a secretary reads a plain list better.
        expected = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        near = difflib.get_close_matches(str(err["input"]), expected, n=1, cutoff=0.6)
        hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
        return located.error(
            path,
            _('"{value}" is not one of: {expected}').format(value=err["input"], expected=", ".join(expected))
            + hint,
        )
    if kind == "missing":
        return located.error(path[:-1], _missing_message(path))._with_field(path)
    if kind == "too_short" and path and path[-1] in _EMPTY_LIST_MESSAGES:
        return located.error(path, _(_EMPTY_LIST_MESSAGES[str(path[-1])]))
    if kind in _TYPE_MESSAGES:
        message = _(_TYPE_MESSAGES[kind]).format(input=err.get("input"), **err.get("ctx", {}))
        return located.error(path, message)
    return located.error(path, str(err["msg"]).removeprefix("Value error, "))


_EMPTY_LIST_MESSAGES: dict[str, str] = {
    "candidates": N_("a vote needs at least one candidate; list them, each with a title"),
    "items": N_("an agenda needs at least one item"),
}


def _missing_message(path: tuple[str | int, ...]) -> str:
    key = str(path[-1])
    if key in ("title", "name"):
        return _('missing; add "{key}: ..."').format(key=key)
    if key == "candidates":
        return _('missing; a vote lists its candidates under "candidates:", each with a title')
    if key == "items":
        return _('missing; list the agenda items under "items:"')
    if key == "meeting":
        return _('missing; describe the meeting under "meeting:" (at least its title)')
    return _('missing; add "{key}:"').format(key=key)


def _allowed_keys(located: Located, path: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] = AgendaSpec
    data: Any = located.data
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int):
            data = data[part]
        else:
            data = None
        if isinstance(part, str):
            annotation = model.model_fields[part].annotation if part in model.model_fields else None
            model = _model_in(annotation) or model
        if isinstance(data, dict) and "kind" in data and data.get("kind") in SPEC_OF_KIND:
            model = SPEC_OF_KIND[data["kind"]]
    return [name for name in model.model_fields if name != "kind" or model in SPEC_OF_KIND.values()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None
