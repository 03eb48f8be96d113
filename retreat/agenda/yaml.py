"""Reading agenda YAML defensively, keeping every node's position for error messages.

The file is refused before anything runs if it is too big, binary, not UTF-8, carries
python object tags, repeats a key, or expands aliases past a small bound (a "billion laughs"
file would otherwise make validation walk an exponential tree).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from retreat.errors import AgendaError
from retreat.i18n import N_, _

MAX_BYTES = 1024 * 1024
MAX_NODES = 50_000
MAX_ALIASES = 200


@dataclass(frozen=True)
class Located:
    """The parsed data and the node tree it came from."""

    data: Any
    root: yaml.Node
    file: str

    def error(self, path: tuple[str | int, ...], message: str, *, at_key: bool = False) -> AgendaError:
        node, key_node = locate(self.root, path)
        target = key_node if at_key and key_node is not None else node
        mark = target.start_mark
        return AgendaError(
            message, file=self.file, line=mark.line + 1, column=mark.column + 1, field=field_name(path)
        )


def field_name(path: tuple[str | int, ...]) -> str:
    """items[3].limit: list positions are counted from 1, as everywhere in retreat."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def locate(root: yaml.Node, path: tuple[str | int, ...]) -> tuple[yaml.Node, yaml.Node | None]:
    """The deepest node along `path` (and the key node naming it, for mappings)."""
    node, key_node = root, None
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        key_node, node = child
    return node, key_node


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


_STD = "tag:yaml.org,2002:"
_PLAIN_SCALARS = {_STD + t for t in ("int", "float", "bool", "null")}
# YAML 1.1's int and float patterns without the base-60 forms (`9:30` -> 570).
_INT = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _agenda_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """YAML 1.1's implicit types minus the surprising ones.

    Dates stay text (pydantic parses them, and `2026-13-45` becomes a located error rather
    than a crash in the YAML constructor); `9:30` stays text instead of becoming the base-60
    integer 570; `=` stays text instead of the unconstructable `!!value`.
    """
    out: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = []
        for tag, regexp in resolvers:
            if tag in (_STD + "timestamp", _STD + "value", _STD + "yaml"):
                continue
            if tag == _STD + "int":
                regexp = _INT
            if tag == _STD + "float":
                regexp = _FLOAT
            kept.append((tag, regexp))
        if kept:
            out[first] = kept
    return out


class _TooManyAliases(yaml.MarkedYAMLError):
    """Raised while composing, before an alias bomb can be expanded."""


class _AgendaLoader(yaml.SafeLoader):
    """SafeLoader that counts alias uses, so an alias bomb is stopped while composing."""

    yaml_implicit_resolvers = _agenda_resolvers()

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _TooManyAliases(
                    problem=_("more than {n} aliases (*name); refusing a possible alias bomb").format(
                        n=MAX_ALIASES
                    ),
                    problem_mark=event.start_mark,
                )
        return super().compose_node(parent, index)


_CParser: Any = getattr(importlib.import_module("yaml.cyaml"), "CParser", None) if yaml.__with_libyaml__ else None
_FastAgendaLoader: Any = None
if _CParser is not None:

    class _FastAgendaLoaderImpl(_CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[misc]
        """libyaml's parser with our resolvers; aliases are counted in `_check_shape`."""

        yaml_implicit_resolvers = _AgendaLoader.yaml_implicit_resolvers

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _FastAgendaLoader = _FastAgendaLoaderImpl


def read_text(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise AgendaError(
            _("the file is {size} bytes; an agenda may be at most 1 MiB (1048576 bytes)").format(
                size=len(raw)
            ),
            file=file,
            line=1,
            column=1,
        )
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        raise AgendaError(
            _("a NUL byte: this is a binary file, not a YAML agenda"), file=file, line=line, column=column
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line, column = _position(raw, e.start)
        raise AgendaError(
            _("the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8").format(
                byte=raw[e.start]
            ),
            file=file,
            line=line,
            column=column,
        ) from None
    return text.removeprefix("\ufeff")


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as editors count them) of a byte offset."""
    line = raw[:offset].count(b"\n") + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def parse(text: str, file: str) -> Located:
    """Parse with libyaml when present (~6x faster: replay re-reads the stored agenda);
    on any problem, parse again in pure Python, which words and locates every error."""
    if _FastAgendaLoader is not None:
        try:
            return _parse_with(_FastAgendaLoader, text, file, max_aliases=MAX_ALIASES)
        except (AgendaError, yaml.YAMLError):
            pass  # fall through: the pure-Python loader reports it exactly
    return _parse_with(_AgendaLoader, text, file, max_aliases=None)


def _parse_with(loader_class: Any, text: str, file: str, max_aliases: int | None) -> Located:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise AgendaError(
                _("the file is empty; an agenda starts with `version: 1`"), file=file, line=1, column=1
            )
        _check_shape(root, file, loader, max_aliases)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as e:
        raise _yaml_error(e, file) from None
    except yaml.YAMLError as e:
        raise AgendaError(_("not valid YAML: {detail}").format(detail=e), file=file) from None
    finally:
        loader.dispose()
    return Located(data=data, root=root, file=file)


# PyYAML's parser vocabulary, said the way a secretary editing the file would understand it.
_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("expected <block end>", N_("this line is not indented like the lines above it; align it with its siblings")),
    (
        "mapping values are not allowed here",
        N_('a "key: value" is not allowed here; check the indentation, or put the value in quotes '
           'if it contains ": "'),
    ),
    ("found character '\\t' that cannot start any token", N_("a tab; YAML is indented with spaces only")),
    ("found a tab character", N_("a tab; YAML is indented with spaces only")),
    ("could not find expected ':'", N_('a line without "key: value"; is a colon missing, or a quote not closed?')),
    ("found unexpected end of stream", N_("this quoted text is never closed; add the closing quote")),
    ("expected a single document", N_("a second document (after a `---` line); an agenda is one document")),
    ("found undefined alias", N_("an alias (*name) refers to no anchor (&name)")),
    ("found unhashable key", N_("a key must be plain text")),
)


def _yaml_error(e: yaml.MarkedYAMLError, file: str) -> AgendaError:
    problem = e.problem or ""
    # An unclosed quote is found at the end of the file; the opening quote is what to fix.
    opening = "end of stream" in problem and e.context_mark is not None
    mark = e.context_mark if opening else e.problem_mark or e.context_mark
    said = f"{e.context or ''} {problem}"
    for needle, sentence in _YAML_PROBLEMS:
        if needle in said:
            problem = _("not valid YAML: {problem}").format(problem=_(sentence))
            break
    else:
        if not isinstance(e, _TooManyAliases):
            detail = f"{e.context}, {problem}" if e.context else problem
            problem = _("not valid YAML: {problem}").format(problem=detail)
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return AgendaError(problem, file=file, line=line, column=column)


def _check_shape(root: yaml.Node, file: str, loader: Any, max_aliases: int | None = None) -> None:
    """Refuse foreign tags, duplicate keys and oversized expansions before constructing anything.

    Nothing from the file is constructed until this walk has passed, so a python tag never
    reaches a constructor and a billion-laughs tree is never built.
    """
    seen: dict[int, int] = {}
    in_progress: set[int] = set()
    repeats = [0]

    def size(node: yaml.Node, path: tuple[str | int, ...]) -> int:
        key = id(node)
        if key in seen:
            # libyaml composes an alias as the anchored node itself: a repeat is an alias use.
            repeats[0] += 1
            if max_aliases is not None and repeats[0] > max_aliases:
                raise AgendaError(_("more than {n} aliases (*name); refusing a possible alias bomb").format(n=max_aliases))
            return seen[key]
        if key in in_progress:
            raise _shape_error(node, path, _("an alias refers to itself"), file)
        in_progress.add(key)
        _check_tag(node, path, file, loader)
        total = 1 + sum(size(child, child_path) for child_path, child in _children(node, path, file))
        in_progress.discard(key)
        if total > MAX_NODES:
            raise _shape_error(
                node,
                path,
                _("aliases expand this document past {n} values; refusing a possible alias bomb").format(
                    n=MAX_NODES
                ),
                file,
            )
        seen[key] = total
        return total

    size(root, ())


def _check_tag(node: yaml.Node, path: tuple[str | int, ...], file: str, loader: yaml.SafeLoader) -> None:
    tag = node.tag
    if isinstance(node, yaml.MappingNode):
        ok = tag == _STD + "map"
    elif isinstance(node, yaml.SequenceNode):
        ok = tag == _STD + "seq"
    elif isinstance(node, yaml.ScalarNode):
        # An explicit !!int on text that is not a number would crash the constructor.
        implicit = loader.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
        ok = tag in (_STD + "str", _STD + "merge") or (tag in _PLAIN_SCALARS and tag == implicit)
    else:
        ok = False
    if not ok:
        shown = "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag
        raise _shape_error(
            node,
            path,
            _("the tag {tag} is not allowed in an agenda; write plain text, numbers, lists and "
              "mappings").format(tag=shown),
            file,
        )


def _children(
    node: yaml.Node, path: tuple[str | int, ...], file: str
) -> Iterator[tuple[tuple[str | int, ...], yaml.Node]]:
    if isinstance(node, yaml.SequenceNode):
        for n, child in enumerate(node.value):
            yield (*path, n), child
    elif isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            if isinstance(key, yaml.ScalarNode):
                if name in keys and name != "<<":
                    raise _shape_error(
                        key,
                        (*path, name),
                        _('"{key}" appears twice in this mapping; keep one').format(key=name),
                        file,
                    )
                keys.add(name)
            yield (*path, name), key
            yield (*path, name), value


def _shape_error(node: yaml.Node, path: tuple[str | int, ...], message: str, file: str) -> AgendaError:
    mark = node.start_mark
    return AgendaError(
        message, file=file, line=mark.line + 1, column=mark.column + 1, field=field_name(path)
    )
