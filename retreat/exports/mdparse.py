"""Parse the rendered Markdown minutes into markdown-it tokens, the one source both exports read.

CommonMark plus GFM tables, raw HTML off (so anything in the content is escaped, never
interpreted) and images off (an export must not load anything from the network). Three
small core rules give both exports the same reading of what the templates write:

- `<br>` inside a table cell (what the `cell` filter makes of a newline) is a line break;
- a list item starting `[x]` / `[ ]` is a task-list item, shown as ☑ / ☐;
- the first bullet list before the first `##` is the meeting-info block (date, venue,
  chair ...), and a paragraph after the last `---` is the colophon.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

CHECKED, UNCHECKED = "☑", "☐"
INFO_CLASS, COLOPHON_CLASS, TASK_CLASS = "meeting-info", "colophon", "task"
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TASK = re.compile(r"^\[([ xX])\]\s+")


def parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable("table")
    md.disable("image")
    md.core.ruler.push("retreat_breaks", _breaks)
    md.core.ruler.push("retreat_tasks", _tasks)
    md.core.ruler.push("retreat_blocks", _blocks)
    return md


def parse(markdown: str) -> list[Token]:
    return parser().parse(markdown)


def _breaks(state: StateCore) -> None:
    from markdown_it.token import Token

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for tok in block.children:
            if tok.type != "text" or not _BR.search(tok.content):
                children.append(tok)
                continue
            for n, piece in enumerate(_BR.split(tok.content)):
                if n:
                    children.append(Token("hardbreak", "br", 0))
                if piece:
                    text = Token("text", "", 0)
                    text.content = piece
                    children.append(text)
        block.children = children


def _tasks(state: StateCore) -> None:
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        item, para, inline = tokens[i], tokens[i + 1], tokens[i + 2]
        if item.type != "list_item_open" or para.type != "paragraph_open" or inline.type != "inline":
            continue
        first = inline.children[0] if inline.children else None
        match = _TASK.match(first.content) if first is not None and first.type == "text" else None
        if first is None or match is None:
            continue
        box = CHECKED if match.group(1) in "xX" else UNCHECKED
        first.content = f"{box} {first.content[match.end():]}"
        inline.content = f"{box} {inline.content[match.end():]}"
        item.attrJoin("class", TASK_CLASS)


def _blocks(state: StateCore) -> None:
    tokens = state.tokens
    for tok in tokens:
        if tok.type == "heading_open" and tok.tag != "h1":
            break
        if tok.type == "bullet_list_open" and tok.level == 0:
            tok.attrJoin("class", INFO_CLASS)
            break
    last_hr = max((i for i, t in enumerate(tokens) if t.type == "hr"), default=None)
    if last_hr is not None:
        for tok in tokens[last_hr + 1 :]:
            if tok.type == "paragraph_open" and tok.level == 0:
                tok.attrJoin("class", COLOPHON_CLASS)


def title(tokens: list[Token]) -> str:
    """The text of the first `#` heading: the document's title."""
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag == "h1" and i + 1 < len(tokens):
            return plain(tokens[i + 1])
    return ""


def plain(inline: Token) -> str:
    """An inline token's text without markup (line breaks become spaces)."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
