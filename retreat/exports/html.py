"""Markdown minutes -> one self-contained HTML file, ready to print to PDF from a browser.

Everything is inline: the CSS is in a <style> element, no script, no image, no web font, no
link to anything. The print CSS sets A4 with the margins of a formal document and puts
"page N of M" in the bottom margin with `@page` margin boxes (`@bottom-center` with
`counter(page)` / `counter(pages)`), which Chromium supports since version 131 and Firefox
and WeasyPrint also render. In a browser's print dialog, switch off the browser's own
"Headers and footers" so it does not print the file's address over them; headless
Chromium does that with `--no-pdf-header-footer`.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from retreat.exports import mdparse
from retreat.exports.layout import USABLE_MM, Column, column_widths
from retreat.exports.style import (
    CJK_KAI,
    CJK_SANS,
    CJK_SERIF,
    CJK_SONG,
    LATIN_SANS,
    LATIN_SERIF,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    css_stack,
    house_style,
)
from retreat.i18n import N_, translator

if TYPE_CHECKING:
    from markdown_it.token import Token

PAGE_LABEL = N_("Page %(page)s of %(pages)s")
DRAFT_LABEL = N_("DRAFT")


def to_html(markdown: str, lang: str, *, draft: bool = False) -> str:
    """The whole HTML document for the Markdown minutes `markdown` in language `lang`.

    `draft` adds the word DRAFT to the running head of every page but the first.
    """
    md = mdparse.parser()
    env: dict[str, object] = {}
    tokens = md.parse(markdown, env)
    _lay_out_tables(tokens, lang)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("code_inline", _code_inline)
    if lang.lower().startswith("zh"):
        md.add_render_rule("text", _text_zh)
    body = md.renderer.render(tokens, md.options, env)
    t = translator(lang).gettext
    title = mdparse.title(tokens)
    return _PAGE.format(
        lang=html.escape(lang, quote=True),
        title=html.escape(title),
        css=css(lang, title, t(PAGE_LABEL), t(DRAFT_LABEL) if draft else ""),
        body=body,
    )


def _lay_out_tables(tokens: list[Token], lang: str) -> None:
    """Column widths (a <colgroup>) and font size per table, as the DOCX export sets them.

    CSS alone cannot say "don't break short cells": left to itself a browser breaks 08:30
    into 08:3 / 0 in a ten-column agenda before it breaks a long title.
    """
    style = house_style(lang)
    for start, tok in enumerate(tokens):
        if tok.type != "table_open":
            continue
        columns: list[Column] = []
        header, col = False, 0
        for cell, inline in zip(tokens[start:], tokens[start + 1 :], strict=False):
            if cell.type == "table_close":
                break
            if cell.type in ("thead_open", "tbody_open"):
                header = cell.type == "thead_open"
            elif cell.type == "tr_open":
                col = 0
            elif cell.type in ("th_open", "td_open"):
                if col == len(columns):
                    columns.append([])
                if inline.type == "inline":
                    columns[col].append((mdparse.plain(inline), header))
                col += 1
        widths, size = column_widths(columns, style)
        tok.meta["widths"] = [w / USABLE_MM * 100 for w in widths]
        if size != style.table_pt:
            tok.attrJoin("class", "small")


def _table_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    widths = tokens[idx].meta.get("widths") or []
    cols = "".join(f'<col style="width:{w:.2f}%">' for w in widths)
    return str(self.renderToken(tokens, idx, options, env)) + (f"<colgroup>{cols}</colgroup>\n" if cols else "")


# Punctuation that Latin fonts have too: in a stack that starts with Times New Roman a
# Chinese “quote” comes out narrow and Latin. In Chinese minutes these are wrapped so that
# they take the CJK face of their context (see `.cjk` in the CSS).
SHARED_PUNCTUATION = re.compile("([\u00b7\u2014\u2015\u2018\u2019\u201c\u201d\u2025\u2026]+)")


def _text_zh(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    from markdown_it.common.utils import escapeHtml

    return SHARED_PUNCTUATION.sub(r'<span class="cjk">\1</span>', escapeHtml(tokens[idx].content))


def _code_inline(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """Inline code (the commands in the appendix) breaks at its spaces only, never after the
    hyphen of an option (`--` / `seed`): each word is kept whole."""
    from markdown_it.common.utils import escapeHtml

    words = re.split(r"( +)", tokens[idx].content)
    inner = "".join(w if w.isspace() or not w else f'<span class="word">{escapeHtml(w)}</span>' for w in words)
    return f"<code>{inner}</code>"


def css_string(text: str) -> str:
    """A CSS string literal for any text: quotes, backslashes and `<` escaped as code points."""
    out = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_counter(label: str) -> str:
    """'Page %(page)s of %(pages)s' -> the CSS content list with the two page counters."""
    parts: list[str] = []
    for piece in re.split(r"(%\(pages?\)s)", label):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts) or "counter(page)"


def css(lang: str, title: str, page_label: str, draft: str) -> str:
    s = house_style(lang)
    zh = lang.lower().startswith("zh")
    serif = css_stack(LATIN_SERIF, CJK_SERIF if zh else CJK_SONG, generic="serif")
    song = css_stack(LATIN_SERIF, CJK_SONG, generic="serif")
    kai = css_stack(LATIN_SERIF, CJK_KAI, generic="serif")
    sans = css_stack(LATIN_SANS, CJK_SANS, generic="sans-serif")
    head = css_string(title + (f" · {draft}" if draft else ""))
    # The running head and the page numbers cannot hold a <span>: in Chinese minutes their
    # stack starts with the CJK face, so the title's quotes and the · are Chinese too.
    margin = css_stack(CJK_SONG, LATIN_SERIF, generic="serif") if zh else song
    return _CSS % {
        "serif": serif,
        "cjk_serif": css_stack(CJK_SERIF if zh else CJK_SONG, generic="serif"),
        "cjk_song": css_stack(CJK_SONG, generic="serif"),
        "cjk_kai": css_stack(CJK_KAI, generic="serif"),
        "cjk_sans": css_stack(CJK_SANS, generic="sans-serif"),
        "margin": margin,
        "song": song,
        "kai": kai,
        "sans": sans,
        "title_pt": s.title_pt,
        "heading_pt": s.heading_pt,
        "subheading_pt": s.subheading_pt,
        "body_pt": s.body_pt,
        "table_pt": s.table_pt,
        "small_pt": s.small_pt,
        "top": MARGIN_TOP,
        "bottom": MARGIN_BOTTOM,
        "left": MARGIN_LEFT,
        "right": MARGIN_RIGHT,
        "page": page_counter(page_label),
        "head": head,
        "indent": "2em" if zh else "0",
        "title_font": song if zh else serif,
    }


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="retreat">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<main class="minutes">
{body}</main>
</body>
</html>
"""

_CSS = """\
@page {
  size: A4;
  margin: %(top)smm %(right)smm %(bottom)smm %(left)smm;
  @top-center {
    content: %(head)s;
    font-family: %(margin)s;
    font-size: %(small_pt)spt;
    color: #555;
    vertical-align: bottom;
    padding-bottom: 4mm;
  }
  @bottom-center {
    content: %(page)s;
    font-family: %(margin)s;
    font-size: %(small_pt)spt;
    vertical-align: top;
    padding-top: 4mm;
  }
}
@page :first {
  @top-center { content: none; }
}
:root { color-scheme: light; }
html { background: #e8e8e8; }
body {
  margin: 0;
  color: #000;
  font-family: %(serif)s;
  font-size: %(body_pt)spt;
  line-height: 1.6;
  -webkit-text-size-adjust: 100%%;
}
.minutes {
  box-sizing: border-box;
  max-width: 210mm;
  min-height: 297mm;
  margin: 8mm auto;
  padding: %(top)smm %(right)smm %(bottom)smm %(left)smm;
  background: #fff;
  box-shadow: 0 0 4mm rgba(0, 0, 0, 0.25);
}
h1, h2, h3, h4 { color: #000; font-weight: normal; break-after: avoid; page-break-after: avoid; }
h1 {
  font-family: %(title_font)s;
  font-weight: bold;
  font-size: %(title_pt)spt;
  text-align: center;
  letter-spacing: 0.05em;
  margin: 0 0 0.8em;
  padding-bottom: 0.4em;
  border-bottom: 2px solid #c00;
}
h2 { font-family: %(sans)s; font-size: %(heading_pt)spt; margin: 1.2em 0 0.5em; }
h3 { font-family: %(kai)s; font-weight: bold; font-size: %(subheading_pt)spt; margin: 1em 0 0.4em; }
h4 { font-family: %(sans)s; font-size: %(body_pt)spt; }
p { margin: 0.4em 0; text-indent: %(indent)s; }
li > p, td p, th p, blockquote p, p.colophon { text-indent: 0; }
strong { font-weight: bold; }
blockquote {
  margin: 0.6em 0 1em;
  padding: 0.3em 0.8em;
  border: 1px solid #000;
  text-align: center;
}
blockquote p { text-align: center; margin: 0; }
ul, ol { margin: 0.3em 0 0.5em; padding-left: 2em; }
ul.meeting-info { list-style: none; padding-left: 0; margin: 0.8em 0 1em; }
ul.meeting-info li { margin: 0.1em 0; }
li.task { list-style: none; margin-left: -1.1em; }
table {
  width: 100%%;
  table-layout: fixed;
  border-collapse: collapse;
  margin: 0.5em 0 0.9em;
  font-family: %(song)s;
  font-size: %(table_pt)spt;
  line-height: 1.4;
}
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 0.2em 1mm; vertical-align: top; }
/* A header sits over its column as the cells do: left, or right and centre as the
   Markdown's alignment row says (markdown-it writes those as style="text-align:..."). */
th { background: #eee; font-weight: bold; text-align: left; }
table.small { font-size: %(small_pt)spt; }
td { overflow-wrap: anywhere; }
.cjk { font-family: %(cjk_serif)s; }
h1 .cjk, table .cjk { font-family: %(cjk_song)s; }
h2 .cjk, h4 .cjk { font-family: %(cjk_sans)s; }
h3 .cjk { font-family: %(cjk_kai)s; }
code .word { white-space: nowrap; }
code { font-family: "Noto Sans Mono", "DejaVu Sans Mono", Consolas, monospace; font-size: 0.9em; }
hr { border: 0; border-top: 1px solid #000; margin: 1.5em 0 0.5em; }
p.colophon { font-size: %(small_pt)spt; color: #444; text-align: right; }
@media print {
  html { background: none; }
  .minutes { max-width: none; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  h1 { margin-top: 0; }
  a { color: inherit; text-decoration: none; }
}
@media screen and (max-width: 220mm) {
  .minutes { margin: 0; padding: 6mm; box-shadow: none; }
}
"""
