"""Page set-up and paragraph styles of the DOCX minutes (python-docx, imported by the caller).

Fonts are set on the styles, each with its Latin face (w:ascii, w:hAnsi) and its East
Asian face (w:eastAsia), and the theme font attributes of python-docx's default template
are removed: Word lets a theme attribute win over an explicit face in the same element.
"""

from __future__ import annotations

from typing import Any

from retreat.exports.style import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Faces,
    HouseStyle,
)

# Paragraph styles of our own, added beside Word's built-in ones.
INFO, NOTICE, TASK, CELL, COLOPHON, RULE, CODE = (
    "Minutes Info", "Minutes Notice", "Minutes Task", "Minutes Table Text",
    "Minutes Colophon", "Minutes Rule", "Minutes Code",
)
BLACK, RED, GREY = "000000", "C00000", "444444"


def set_faces(rpr_parent: Any, faces: Faces) -> None:
    """Latin and East Asian faces on a style's or a run's w:rPr, theme fonts removed."""
    from docx.oxml.ns import qn

    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    fonts.set(qn("w:ascii"), faces.latin)
    fonts.set(qn("w:hAnsi"), faces.latin)
    fonts.set(qn("w:cs"), faces.latin)
    fonts.set(qn("w:eastAsia"), faces.east_asia)


def border(p_pr: Any, sides: tuple[str, ...], color: str = BLACK, size: int = 6, space: int = 4) -> None:
    """Single-line paragraph borders (size in eighths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    bdr = OxmlElement("w:pBdr")
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(size))
        edge.set(qn("w:space"), str(space))
        edge.set(qn("w:color"), color)
        bdr.append(edge)
    p_pr.insert_element_before(bdr, *_AFTER_PBDR)


# CT_PPr is a sequence: w:pBdr must precede these (ECMA-376 17.3.1.26).
_AFTER_PBDR = tuple(
    f"w:{t}"
    for t in (
        "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
        "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
        "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId "
        "cnfStyle rPr sectPr pPrChange"
    ).split()
)


def setup(doc: Any, s: HouseStyle, lang: str) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    _page(doc)
    _defaults(doc, s, lang)
    declare_fonts(doc)
    zh = lang.lower().startswith("zh")
    styles = doc.styles

    normal = styles["Normal"]
    set_faces(normal.element, s.body)
    normal.font.size = Pt(s.body_pt)
    pf = normal.paragraph_format
    pf.line_spacing = 1.3
    pf.space_before, pf.space_after = Pt(0), Pt(3)
    pf.widow_control = True

    def heading(name: str, faces: Faces, size: float, bold: bool, before: float, after: float) -> Any:
        st = styles[name]
        set_faces(st.element, faces)
        st.font.size, st.font.bold, st.font.italic = Pt(size), bold, False
        st.font.color.rgb = RGBColor.from_string(BLACK)
        st.paragraph_format.space_before, st.paragraph_format.space_after = Pt(before), Pt(after)
        st.paragraph_format.keep_with_next = True
        st.paragraph_format.line_spacing = 1.2
        return st

    title = heading("Heading 1", s.title, s.title_pt, True, 0, 12)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    border(title.element.get_or_add_pPr(), ("bottom",), RED, 12, 6)
    heading("Heading 2", s.heading, s.heading_pt, not zh, 12, 6)
    heading("Heading 3", s.subheading, s.subheading_pt, True, 9, 3)

    def para(name: str, faces: Faces, size: float) -> Any:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        set_faces(st.element, faces)
        st.font.size = Pt(size)
        return st

    info = para(INFO, s.body, s.body_pt)
    info.paragraph_format.space_after = Pt(0)
    notice = para(NOTICE, s.body, s.body_pt)
    notice.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    notice.paragraph_format.space_before, notice.paragraph_format.space_after = Pt(6), Pt(9)
    border(notice.element.get_or_add_pPr(), ("top", "left", "bottom", "right"))
    task = para(TASK, s.body, s.body_pt)
    task.paragraph_format.space_after = Pt(0)
    cell = para(CELL, s.table, s.table_pt)
    cell.paragraph_format.line_spacing = 1.0
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.widow_control = False
    colophon = para(COLOPHON, s.body, s.small_pt)
    colophon.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    colophon.font.color.rgb = RGBColor.from_string(GREY)
    rule = para(RULE, s.body, 4)
    rule.paragraph_format.space_before = Pt(12)
    border(rule.element.get_or_add_pPr(), ("top",))
    code = para(CODE, Faces("Consolas", s.body.east_asia), s.table_pt)
    code.paragraph_format.left_indent = Mm(5)
    for name in ("List Bullet", "List Bullet 2", "List Bullet 3"):
        styles[name].paragraph_format.space_after = Pt(0)
    for name in ("Header", "Footer"):
        set_faces(styles[name].element, s.table)
        styles[name].font.size = Pt(s.small_pt)


def _page(doc: Any) -> None:
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT)
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
        section.header_distance, section.footer_distance = Mm(15), Mm(15)


def _defaults(doc: Any, s: HouseStyle, lang: str) -> None:
    """Document defaults: the body faces, and the languages Word proofs the text in."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), s.body.latin)
    fonts.set(qn("w:eastAsia"), s.body.east_asia)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    zh = lang.lower().startswith("zh")
    lang_el.set(qn("w:val"), "zh-CN" if zh else "en-GB")
    lang_el.set(qn("w:eastAsia"), "zh-CN")


# The document's font table (word/fontTable.xml) describes each face it uses, so that a
# reader without the face can pick a like one: its other name, its PANOSE class, its family
# (roman: a serif, swiss: a sans, modern: fixed pitch), the GB2312 character set (86) and the
# Unicode ranges and code pages it covers (w:sig), as Word itself writes them. python-docx's
# template lists only Calibri, Cambria, Times New Roman, Arial and two Japanese faces.
# (name, altName, panose1, charset, family, pitch, (usb0, usb1, usb2, usb3, csb0, csb1))
GB2312, ANSI = "86", "00"
_CJK_SIG = ("800002BF", "38CF7CFA", "00000016", "00000000", "00040001", "00000000")
FONT_TABLE = (
    ("宋体", "SimSun", "02010600030101010101", GB2312, "roman", "variable",
     ("00000003", "288F0000", "00000016", "00000000", "00040001", "00000000")),
    ("仿宋", "FangSong", "02010609060101010101", GB2312, "roman", "variable", _CJK_SIG),
    ("楷体", "KaiTi", "02010609060101010101", GB2312, "roman", "variable", _CJK_SIG),
    ("黑体", "SimHei", "02010609060101010101", GB2312, "swiss", "variable", _CJK_SIG),
    ("Consolas", None, "020B0609020204030204", ANSI, "modern", "fixed",
     ("E00006FF", "0000FCFF", "00000001", "00000000", "0000019F", "00000000")),
)
_SIG_ATTRS = ("usb0", "usb1", "usb2", "usb3", "csb0", "csb1")


def declare_fonts(doc: Any) -> None:
    """Add the faces of FONT_TABLE to word/fontTable.xml (replacing any entry of that name)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml

    part = doc.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for name, alt, panose, charset, family, pitch, sig in FONT_TABLE:
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = OxmlElement("w:font", {qn("w:name"): name})
        # CT_Font is a sequence: altName, panose1, charset, family, notTrueType, pitch, sig.
        children = [("altName", {"val": alt}) if alt else None, ("panose1", {"val": panose}),
                    ("charset", {"val": charset}), ("family", {"val": family}), ("pitch", {"val": pitch}),
                    ("sig", dict(zip(_SIG_ATTRS, sig, strict=True)))]
        for tag, attrs in filter(None, children):
            font.append(OxmlElement(f"w:{tag}", {qn(f"w:{k}"): v for k, v in attrs.items()}))
        root.append(font)
    # A plain Part (python-docx has no class for the font table): its bytes are what is saved.
    part._blob = serialize_part_xml(root)


def page_field(paragraph: Any, instr: str) -> None:
    """A PAGE or NUMPAGES field; Word and LibreOffice fill in the number."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)
