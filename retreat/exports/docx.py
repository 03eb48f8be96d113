"""Markdown minutes -> a Word document (python-docx), in the style of formal minutes.

The Markdown is the source of truth: this walks the same markdown-it tokens the HTML
export renders, so both say exactly what the Markdown says. Headings become Word
headings (the title centred over a red rule, "一、" sections in 黑体, items in 楷体), the
meeting-info list a block of unbulleted lines, the DRAFT/approval quote a boxed line,
task lists ☑/☐ lines, tables grid tables with a repeated, shaded header row. A4, page
"N of M" in the footer, the title (and DRAFT) in the header from page two on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from retreat.exports import docx_styles as ds
from retreat.exports import mdparse
from retreat.exports.html import DRAFT_LABEL, PAGE_LABEL
from retreat.exports.layout import CELL_PAD_MM, column_widths
from retreat.exports.style import (
    Faces,
    HouseStyle,
    house_style,
)
from retreat.i18n import translator

if TYPE_CHECKING:
    from markdown_it.token import Token

def _classes(tok: Token) -> str:
    return str(tok.attrGet("class") or "")


HEADINGS = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3"}
BULLETS = ("List Bullet", "List Bullet 2", "List Bullet 3")


def to_docx(markdown: str, lang: str, *, draft: bool = False) -> bytes:
    """The .docx file (as bytes) for the Markdown minutes `markdown` in language `lang`."""
    from docx import Document

    tokens = mdparse.parse(markdown)
    doc = Document()
    style = house_style(lang)
    ds.setup(doc, style, lang)
    title = mdparse.title(tokens)
    t = translator(lang).gettext
    _header_footer(doc, title + (f" · {t(DRAFT_LABEL)}" if draft else ""), t(PAGE_LABEL))
    doc.core_properties.title = title
    doc.core_properties.language = lang
    doc.core_properties.author = "retreat"
    doc.core_properties.comments = ""
    _Writer(doc, style, lang.lower().startswith("zh")).write(tokens)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _header_footer(doc: Any, head: str, page_label: str) -> None:
    import re

    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = head
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for footer in (section.footer, section.first_page_footer):
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for piece in re.split(r"(%\(pages?\)s)", page_label):
            if piece == "%(page)s":
                ds.page_field(p, "PAGE")
            elif piece == "%(pages)s":
                ds.page_field(p, "NUMPAGES")
            elif piece:
                p.add_run(piece)


@dataclass
class _Cell:
    inline: Token | None
    align: str
    header: bool


@dataclass
class _Writer:
    doc: Any
    style: HouseStyle
    zh: bool
    lists: list[dict[str, Any]] = field(default_factory=list)  # open lists, innermost last
    quote: int = 0

    ids: dict[str, str] = field(default_factory=dict)

    def style_id(self, name: str) -> str:
        # python-docx looks a style up by name on every assignment (O(styles)): cache the id.
        if name not in self.ids:
            self.ids[name] = self.doc.styles[name].style_id
        return self.ids[name]

    def _add(self, style: str) -> Any:
        p = self.doc.add_paragraph()
        p._p.get_or_add_pPr().style = self.style_id(style)
        return p

    def write(self, tokens: list[Token]) -> None:
        i = 0
        while i < len(tokens):
            i = self._block(tokens, i)

    def _block(self, tokens: list[Token], i: int) -> int:
        tok = tokens[i]
        kind = tok.type
        if kind == "heading_open":
            name = HEADINGS.get(tok.tag, "Heading 3")
            self._inline(self._add(name), tokens[i + 1])
            return i + 3
        if kind == "paragraph_open":
            self._inline(self._paragraph(tok), tokens[i + 1])
            return i + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            info = mdparse.INFO_CLASS in _classes(tok)
            self.lists.append({"ordered": kind == "ordered_list_open", "info": info, "item": None})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.lists[-1]["item"] = tok
            self.lists[-1]["first"] = True
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
        elif kind == "table_open":
            return self._table(tokens, i)
        elif kind == "hr":
            self._add(ds.RULE)
        elif kind in ("fence", "code_block"):
            for line in tok.content.rstrip("\n").split("\n"):
                self._add(ds.CODE).add_run(line)
        return i + 1

    def _paragraph(self, tok: Token) -> Any:
        """A new Word paragraph in the style the Markdown context calls for."""
        from docx.shared import Pt

        if self.quote:
            return self._add(ds.NOTICE)
        if mdparse.COLOPHON_CLASS in _classes(tok):
            return self._add(ds.COLOPHON)
        if not self.lists:
            p = self.doc.add_paragraph()
            if self.zh:
                p.paragraph_format.first_line_indent = Pt(self.style.body_pt * 2)
            return p
        return self._list_paragraph()

    def _list_paragraph(self) -> Any:
        from docx.shared import Pt

        current = self.lists[-1]
        depth = sum(1 for lst in self.lists if not lst["info"])
        # Under a bullet, text lines up a little inside the bullet's text (List Bullet: 18 pt).
        indent = Pt(18 * (depth - 1) + self.style.body_pt)
        item: Token = current["item"]
        first, current["first"] = current["first"], False
        if current["info"]:
            p = self._add(ds.INFO)
        elif mdparse.TASK_CLASS in _classes(item):
            p = self._add(ds.TASK)
            p.paragraph_format.left_indent = indent
        elif current["ordered"] and first:
            p = self._add(ds.TASK)
            p.paragraph_format.left_indent = indent
            p.paragraph_format.first_line_indent = -Pt(self.style.body_pt * 1.5)
            p.add_run(f"{item.info}{item.markup} ")
        elif first:
            p = self._add(BULLETS[min(depth, 3) - 1])
        else:  # a second paragraph in the same item: aligned with the text, no bullet
            p = self._add(ds.TASK)
            p.paragraph_format.left_indent = indent
        return p

    def _inline(self, paragraph: Any, inline: Token) -> None:
        from docx.oxml.ns import qn

        bold = italic = 0
        for child in inline.children or []:
            kind = child.type
            if kind in ("strong_open", "strong_close"):
                bold += 1 if kind == "strong_open" else -1
            elif kind in ("em_open", "em_close"):
                italic += 1 if kind == "em_open" else -1
            elif kind == "hardbreak":
                paragraph.add_run().add_break()
            elif kind in ("text", "code_inline", "softbreak"):
                text = " " if kind == "softbreak" else child.content
                if not text:
                    continue
                run = paragraph.add_run(text)
                run.bold = bold > 0 or None
                run.italic = italic > 0 or None
                if kind == "code_inline":
                    ds.set_faces(run._r, Faces("Consolas", self.style.body.east_asia))
                elif self.zh:
                    # Quotes and dashes are shared by Latin and CJK: in a Chinese
                    # document they take the East Asian face, as Word does when typing.
                    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:hint"), "eastAsia")

    def _table(self, tokens: list[Token], i: int) -> int:
        rows: list[list[_Cell]] = []
        header = False
        while tokens[i].type != "table_close":
            tok = tokens[i]
            if tok.type == "thead_open":
                header = True
            elif tok.type == "tbody_open":
                header = False
            elif tok.type == "tr_open":
                rows.append([])
            elif tok.type in ("th_open", "td_open"):
                align = str(tok.attrGet("style") or "").removeprefix("text-align:")
                inline = tokens[i + 1] if tokens[i + 1].type == "inline" else None
                rows[-1].append(_Cell(inline, align, header))
            i += 1
        _build_table(self.doc, rows, self.style, self.zh)
        return i + 1


def _build_table(doc: Any, rows: list[list[_Cell]], style: HouseStyle, zh: bool) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    ncols = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    columns = [
        [(mdparse.plain(cell.inline), cell.header) for row in rows if c < len(row) and (cell := row[c]).inline]
        for c in range(ncols)
    ]
    widths, size = column_widths(columns, style)
    _cell_margins(table._tbl.tblPr, CELL_PAD_MM)
    aligns = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}
    writer = _Writer(doc, style, zh)
    cell_style = writer.style_id(ds.CELL)
    for row, cells in zip(table.rows, rows, strict=False):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if cells and cells[0].header:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated on every page
        for c, cell in enumerate(row.cells):
            cell.width = Mm(widths[c])
            p = cell.paragraphs[0]
            p._p.get_or_add_pPr().style = cell_style
            spec = cells[c] if c < len(cells) else None
            if spec is None:
                continue
            if spec.header:
                shade = OxmlElement("w:shd")
                shade.set(qn("w:val"), "clear")
                shade.set(qn("w:color"), "auto")
                shade.set(qn("w:fill"), "E7E6E6")
                cell._tc.get_or_add_tcPr().append(shade)
            # A header sits over its column as the cells do (as in the HTML export).
            if spec.align in aligns:
                p.alignment = aligns[spec.align]
            if spec.inline is not None:
                writer._inline(p, spec.inline)
            for run in p.runs:
                run.bold = True if spec.header else run.bold
                if size != style.table_pt:
                    run.font.size = Pt(size)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=False):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    writer._add(ds.CELL)  # Word joins two tables that touch


def _cell_margins(tbl_pr: Any, mm: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(int(Mm(mm).twips)))
        edge.set(qn("w:type"), "dxa")
        mar.append(edge)
    # CT_TblPr sequence: tblCellMar comes after tblLayout and before tblLook.
    tbl_pr.insert_element_before(mar, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
