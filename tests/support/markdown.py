"""Reading the minutes as a Markdown parser does, not as a regex would."""

from __future__ import annotations

from markdown_it import MarkdownIt


def tables(markdown: str) -> list[list[list[str]]]:
    """Every GFM table as rows of cell texts, parsed by a real Markdown parser."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for tok in tokens:
        if tok.type == "table_open":
            found.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append(tok.content)
        elif tok.type == "tr_close" and row is not None:
            found[-1].append(row)
            row = None
    return found
