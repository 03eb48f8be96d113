"""Reading agenda YAML defensively, keeping every node's position for error messages.

The file is refused before anything runs if it is too big, binary, not UTF-8, carries
python object tags, repeats a key, or expands aliases past a small bound (a "billion laughs"
file would otherwise make validation walk an exponential tree).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from retreat.errors import AgendaError
from retreat.i18n import _

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


class _CountingLoader(yaml.SafeLoader):
    """SafeLoader that counts alias uses, so an alias bomb is stopped while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.MarkedYAMLError(
                    problem=_("too many aliases (more than {n}); refusing a possible alias bomb").format(
                        n=MAX_ALIASES
                    ),
                    problem_mark=event.start_mark,
                )
        return super().compose_node(parent, index)


def read_text(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise AgendaError(
            _("the file is {size} bytes; an agenda may be at most 1 MiB").format(size=len(raw)),
            file=file,
        )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise AgendaError(_("this is a binary file, not a YAML agenda"), file=file, line=line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise AgendaError(
            _("the file is not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8").format(
                byte=raw[e.start]
            ),
            file=file,
            line=line,
            column=column,
        ) from None
    return text.removeprefix("\ufeff")


def parse(text: str, file: str) -> Located:
    loader = _CountingLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise AgendaError(_("the file is empty; an agenda starts with `version: 1`"), file=file)
        _check_shape(root, file)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as e:
        raise _yaml_error(e, file) from None
    except yaml.YAMLError as e:
        raise AgendaError(_("not valid YAML: {detail}").format(detail=e), file=file) from None
    finally:
        loader.dispose()
    return Located(data=data, root=root, file=file)


def _yaml_error(e: yaml.MarkedYAMLError, file: str) -> AgendaError:
    mark = e.problem_mark or e.context_mark
    problem = e.problem or ""
    if "could not determine a constructor for the tag" in problem or "tag" in problem and "python" in problem:
        tag = problem.rsplit(" ", 1)[-1]
        problem = _("the tag {tag} is not allowed in an agenda (only plain YAML data)").format(tag=tag)
    elif e.context and "found" in problem:
        problem = _("not valid YAML: {context}, {problem}").format(context=e.context, problem=problem)
    elif not problem.startswith(_("too many aliases")):
        problem = _("not valid YAML: {problem}").format(problem=problem)
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return AgendaError(problem, file=file, line=line, column=column)


def _check_shape(root: yaml.Node, file: str) -> None:
    """Refuse duplicate keys and oversized expansions before constructing anything."""
    seen: dict[int, int] = {}
    in_progress: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in seen:
            return seen[key]
        if key in in_progress:
            raise _shape_error(node, _("an alias refers to itself"), file)
        in_progress.add(key)
        total = 1 + sum(size(child) for child in _children(node, file))
        in_progress.discard(key)
        if total > MAX_NODES:
            raise _shape_error(
                node,
                _("aliases expand this document past {n} values; refusing a possible alias bomb").format(
                    n=MAX_NODES
                ),
                file,
            )
        seen[key] = total
        return total

    size(root)


def _children(node: yaml.Node, file: str) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in keys and key.value != "<<":
                    raise _shape_error(
                        key, _('the key "{key}" appears twice in this mapping').format(key=key.value), file
                    )
                keys.add(key.value)
            yield key
            yield value


def _shape_error(node: yaml.Node, message: str, file: str) -> AgendaError:
    mark = node.start_mark
    return AgendaError(message, file=file, line=mark.line + 1, column=mark.column + 1)
