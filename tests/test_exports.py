"""Minutes exports (HTML, DOCX), the template gallery, and `--format` on `minutes` and `demo`.

A Chinese demo session is rendered in all three formats; the DOCX is read back with
python-docx, the HTML is checked for self-containment and print CSS and then printed by
headless Chromium to a PNG and a PDF whose text and fonts are checked (skipped, with the
reason, where Chromium is not installed: .ci/run installs it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat import exports
from retreat.cli.main import app
from retreat.clock import FakeClock
from retreat.demo import run_demo
from retreat.errors import TemplateError, UsageError
from retreat.exports import gallery, mdparse
from retreat.exports.docx import to_docx
from retreat.exports.html import css_string, page_counter, to_html
from retreat.meeting.session import Record, load
from retreat.minutes import render
from retreat.paths import bundled_agenda

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _demo(folder: Path, lang: str) -> Path:
    path = folder / "retreat-demo.retreat"
    for _ in run_demo(agenda_mod.load(bundled_agenda(lang)), path, FakeClock()):
        pass
    return path


@pytest.fixture(scope="module")
def zh_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _demo(tmp_path_factory.mktemp("zh"), "zh-CN")


@pytest.fixture(scope="module")
def zh_record(zh_session: Path) -> Record:
    return load(zh_session)


@pytest.fixture(scope="module")
def zh_markdown(zh_record: Record) -> str:
    return render(zh_record)


@pytest.fixture(scope="module")
def zh_html(zh_markdown: str) -> str:
    return to_html(zh_markdown, "zh-CN", draft=True)


@pytest.fixture(scope="module")
def zh_docx(zh_markdown: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "minutes.docx"
    path.write_bytes(to_docx(zh_markdown, "zh-CN", draft=True))
    return path


def inline_texts(markdown: str) -> list[str]:
    """Every run of text the Markdown shows (headings, paragraphs, list items, cells)."""
    return [mdparse.plain(t) for t in mdparse.parse(markdown) if t.type == "inline" and t.children]


# --- HTML --------------------------------------------------------------------------------


@pytest.mark.slow
def test_html_is_one_self_contained_file(zh_html: str) -> None:
    assert zh_html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in zh_html
    lowered = zh_html.lower()
    for external in ("http://", "https://", "src=", "url(", "<link", "<script", "@import", "@font-face"):
        assert external not in lowered, external
    assert "<title>2026年度工作务虚会会议纪要</title>" in zh_html


def test_html_has_the_print_css(zh_html: str) -> None:
    style = zh_html[zh_html.index("<style>") : zh_html.index("</style>")]
    assert "size: A4" in style
    assert re.search(r"@page \{\s*size: A4;\s*margin: 30mm 26mm 28mm 28mm;", style)
    # page numbers in the bottom margin, in the meeting's language
    assert '@bottom-center {\n    content: "第 " counter(page) " 页 共 " counter(pages) " 页";' in style
    assert "草稿" in style  # the running head says DRAFT until the minutes are approved
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "Source Han Sans SC",
                   "PingFang SC", "Microsoft YaHei", "SimSun", "SimHei", "FangSong", "KaiTi"):
        assert f'"{family}"' in style, family
    assert "border-collapse: collapse" in style and "border: 1px solid #000" in style
    assert "thead { display: table-header-group; }" in style


def test_html_tables_and_text_match_the_markdown(zh_markdown: str, zh_html: str) -> None:
    delimiter_rows = re.findall(r"^\|(?: :?-+:? \|)+$", zh_markdown, flags=re.M)
    assert len(re.findall("<table[ >]", zh_html)) == len(delimiter_rows) >= 6
    assert '<ul class="meeting-info">' in zh_html
    assert '<li class="task">☑ 去年工作完成情况</li>' in zh_html
    # the agenda table: ten columns at a smaller size, widths set so 08:30 never breaks
    assert '<table class="small">\n<colgroup><col style="width:' in zh_html
    assert "<strong>+00:45</strong>" in zh_html
    import html

    for text in inline_texts(zh_markdown):
        assert html.escape(text, quote=False) in re.sub(r"<[^>]+>", "", zh_html), text


def test_html_escapes_content_and_loads_nothing() -> None:
    markdown = (
        "# T\n\n| a | b |\n| --- | --- |\n| <script>alert(1)</script> | one<br>two |\n\n"
        "![logo](https://example.org/logo.png) & <img src=x>\n"
    )
    out = to_html(markdown, "en")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script" not in out
    assert "one<br>\ntwo" in out or "one<br />\ntwo" in out or "one<br>two" in out
    assert "<img" not in out and "&lt;img src=x&gt;" in out
    assert '<html lang="en">' in out and '"Page " counter(page) " of " counter(pages)' in out


@pytest.mark.parametrize(
    ("text", "css"),
    [("a\"b", '"a\\22 b"'), ("</style>", '"\\3c /style\\3e "'), ("会议 · 草稿", '"会议 · 草稿"'), ("a\\b", '"a\\5c b"')],
)
def test_css_strings_cannot_break_out(text: str, css: str) -> None:
    assert css_string(text) == css


def test_page_counter_follows_the_translation() -> None:
    assert page_counter("Page %(page)s of %(pages)s") == '"Page " counter(page) " of " counter(pages)'
    assert page_counter("— %(page)s —") == '"— " counter(page) " —"'


# --- DOCX --------------------------------------------------------------------------------


def _east_asia(style: object) -> str | None:
    from docx.oxml.ns import qn

    fonts = style.element.rPr.rFonts  # type: ignore[attr-defined]
    assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None
    return fonts.get(qn("w:eastAsia"))  # type: ignore[no-any-return]


@pytest.mark.slow
def test_docx_headings_follow_the_markdown(zh_docx: Path, zh_markdown: str) -> None:
    import docx

    doc = docx.Document(str(zh_docx))
    by_style: dict[str, list[str]] = {}
    for p in doc.paragraphs:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Heading 1"] == ["2026年度工作务虚会会议纪要"]
    sections = [line[3:] for line in zh_markdown.splitlines() if line.startswith("## ")]
    assert by_style["Heading 2"] == sections
    assert sections[:5] == ["一、出席人员", "二、议程执行情况", "三、各项议程纪要", "四、基层提问", "五、推荐表决"]
    assert "3. 经济发展办公室工作汇报" in by_style["Heading 3"]
    assert by_style["Minutes Notice"] == ["草稿：尚未审定。"]
    assert by_style["Minutes Info"][:2] == ["时间：2026年1月8日 08:30–10:44（计划 08:30 开始）", "地点：街道办事处三楼会议室"]
    assert "☑ 去年工作完成情况" in by_style["Minutes Task"]
    assert any(p.startswith("本纪要由 retreat 根据会议记录文件") for p in by_style["Minutes Colophon"])
    title = next(p for p in doc.paragraphs if p.style.name == "Heading 1")
    assert title.alignment is None and doc.styles["Heading 1"].paragraph_format.alignment == 1  # centred
    bold = [r.text for p in doc.paragraphs if p.style.name == "Minutes Info" for r in p.runs if r.bold]
    assert bold[:2] == ["时间", "地点"]


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_docx_tables_hold_the_agenda_questions_and_commitments(zh_docx: Path) -> None:
    import docx

    doc = docx.Document(str(zh_docx))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]

    def table(*header: str) -> list[list[str]]:
        return next(t for t in tables if t[0][: len(header)] == list(header))

    attendance, agenda = table("姓名", "职务"), table("#", "议程")
    questions, commitments = table("#", "提问人"), table("编号", "责任部门")
    livelihood, key_tasks = [t for t in tables if t[0] == ["#", "候选项目", "申报部门"]]
    assert attendance[0] == ["姓名", "职务"] and attendance[1] == ["王建国", "街道党工委书记"]
    assert agenda[0] == ["#", "议程", "类型", "汇报人", "开始", "计划", "调整", "实际", "超时", "状态"]
    assert len(agenda) == 15
    assert agenda[3] == ["3", "经济发展办公室工作汇报", "工作汇报", "赵海涛", "08:39", "07:00", "", "07:45", "+00:45", "已结束"]
    assert questions[0][:4] == ["#", "提问人", "所在单位", "问题"] and len(questions) == 5
    assert questions[2][1] == "林秀英" and questions[2][4] == "司法所" and questions[2][7] == "会后跟进"
    assert commitments[0] == ["编号", "责任部门", "承诺内容", "完成时限", "提出人", "状态"]
    assert commitments[1] == [
        "retreat-demo:2", "司法所", "二季度完成“三所联动”平台联调，每月向居民区通报违建整治进展", "2026-06-30", "林秀英", "待办",
    ]
    assert len(livelihood) == 13 and livelihood[1][1] == "社区食堂" and len(key_tasks) == 15
    for table in doc.tables:
        assert table.style.name == "Table Grid"
        assert table.rows[0]._tr.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
        ) is not None  # the header row repeats on every page
    overtime = next(t for t in doc.tables if t.rows[0].cells[1].text == "议程").rows[3].cells[8].paragraphs[0].runs[0]
    assert overtime.text == "+00:45" and overtime.bold


def test_docx_says_what_the_markdown_says(zh_docx: Path, zh_markdown: str) -> None:
    import docx

    doc = docx.Document(str(zh_docx))
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    blob = "\n".join(texts)
    for text in inline_texts(zh_markdown):
        assert text in blob, text


def test_docx_sets_cjk_fonts_a4_and_page_numbers(zh_docx: Path) -> None:
    import docx
    from docx.shared import Mm

    doc = docx.Document(str(zh_docx))
    assert _east_asia(doc.styles["Normal"]) == "仿宋"
    assert _east_asia(doc.styles["Heading 1"]) == "宋体"
    assert _east_asia(doc.styles["Heading 2"]) == "黑体"
    assert _east_asia(doc.styles["Heading 3"]) == "楷体"
    assert _east_asia(doc.styles["Minutes Table Text"]) == "宋体"
    assert doc.styles["Normal"].font.name == "Times New Roman"
    hint = doc.paragraphs[1].runs[0]._r.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}hint"
    )
    assert hint == "eastAsia"  # “quotes” in Chinese text take the Chinese face
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    footer = section.footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer and "第 " in footer
    assert "会议纪要 · 草稿" in section.header.paragraphs[0].text
    assert doc.core_properties.title == "2026年度工作务虚会会议纪要"
    with zipfile.ZipFile(zh_docx) as z:
        assert 'w:eastAsia="zh-CN"' in z.read("word/styles.xml").decode("utf-8")


@pytest.mark.slow
def test_docx_in_english_uses_latin_faces(tmp_path: Path) -> None:
    import docx

    markdown = render(load(_demo(tmp_path, "en")))
    path = tmp_path / "en.docx"
    path.write_bytes(to_docx(markdown, "en"))
    doc = docx.Document(str(path))
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Heading 2"].font.name == "Arial"
    assert doc.paragraphs[0].text.endswith("Minutes")
    assert "Page " in doc.sections[0].footer._element.xml
    assert "DRAFT" not in doc.sections[0].header.paragraphs[0].text


def test_docx_ordered_lists_breaks_and_code() -> None:
    import io

    import docx

    markdown = "# T\n\n1. first\n2. second\n\n| a |\n| --- |\n| x<br>y |\n\nsay `code` *now*\n"
    doc = docx.Document(io.BytesIO(to_docx(markdown, "en")))
    texts = [p.text for p in doc.paragraphs]
    assert "1. first" in texts and "2. second" in texts
    assert doc.tables[0].rows[1].cells[0].text == "x\ny"
    para = next(p for p in doc.paragraphs if p.text.startswith("say"))
    assert [r.italic for r in para.runs if r.text == "now"] == [True]


# --- Chromium: print to PNG and PDF ------------------------------------------------------


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def printed(zh_html: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium; .ci/run does it)")
    folder = tmp_path_factory.mktemp("print")
    page = folder / "minutes.html"
    page.write_text(zh_html, encoding="utf-8")
    png, pdf = folder / "minutes.png", folder / "minutes.pdf"
    flags = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={folder / 'profile'}",
    ]
    for extra in ([f"--screenshot={png}", "--window-size=900,1300"], [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"]):
        subprocess.run([*flags, *extra, page.as_uri()], check=True, capture_output=True, timeout=120)
    yield png, pdf


@pytest.mark.slow  # headless Chromium prints the page
def test_chromium_screenshot_is_a_page(printed: tuple[Path, Path]) -> None:
    png, _ = printed
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert (width, height) == (900, 1300)
    assert png.stat().st_size > 50_000  # text and tables, not a blank page


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils; .ci/run does it)")
    return path


@pytest.mark.slow  # headless Chromium prints the page
def test_chromium_pdf_is_a4_with_page_numbers_and_chinese_text(printed: tuple[Path, Path]) -> None:
    _, pdf = printed
    info = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 5 <= pages <= 15
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # table cells wrap; Latin-CJK spacing varies
    for expected in ("会议纪要", "二、议程执行情况", "经济发展办公室工作汇报", "小区业主",
                     "2026-06-30", "社区食堂"):
        assert expected in text, expected
    # @page margin boxes: "第 N 页 共 M 页" on every page, the title as running head from page 2
    assert f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text
    assert text.count("年度工作务虚会会议纪要·草稿") == pages - 1  # pdftotext puts "2026" apart
    assert "file://" not in text  # no browser header or footer over ours


@pytest.mark.slow  # headless Chromium prints the page
def test_chromium_pdf_embeds_a_cjk_font(printed: tuple[Path, Path]) -> None:
    """No tofu: a CJK font is installed, and Chromium embedded glyphs beyond the Latin face.

    Skia embeds CFF-outline fonts (Noto/Source Han CJK) as unnamed Type 3 fonts, so the test
    asks fontconfig which CJK faces exist and checks the PDF carries more than Latin fonts.
    """
    _, pdf = printed
    cjk = subprocess.run([_tool("fc-list"), ":lang=zh-cn", "family"], capture_output=True, text=True).stdout
    assert cjk.strip(), "no Chinese font installed: apt-get install fonts-noto-cjk"
    fonts = subprocess.run([_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    named_cjk = [r for r in rows if re.search(r"CJK|SourceHan|WenQuanYi|Hei|Song|Kai|Fang", r)]
    type3 = [r for r in rows if "Type 3" in r]
    latin = [r for r in rows if re.search(r"Liberation|DejaVu|Times|Arial|Noto(Serif|Sans)-", r)]
    assert named_cjk or len(type3) >= 10, fonts
    assert len(rows) > len(latin)


# --- the template gallery ----------------------------------------------------------------


def test_gallery_names_and_resolution(tmp_path: Path) -> None:
    assert gallery.names() == ["minutes", "commitments", "summary"]
    assert gallery.resolve(None) is None
    assert gallery.resolve("summary") == gallery.resolve("summary").parent / "summary.md.j2"  # type: ignore[union-attr]
    own = tmp_path / "summary"
    own.write_text("{{ meeting.title }}", encoding="utf-8")
    assert gallery.resolve(str(own)) == own  # an existing file wins over a gallery name
    with pytest.raises(TemplateError, match="minutes, commitments, summary"):
        gallery.resolve("nope")
    with pytest.raises(TemplateError, match="no such template file"):
        gallery.resolve("missing/file.md.j2")


def test_summary_template(zh_session: Path) -> None:
    code, out, err = invoke("minutes", str(zh_session), "--template", "summary")
    assert code == 0, err
    assert out.startswith("# 2026年度工作务虚会会议简报\n")
    assert "- **议程**：14 项议程进行了 14 项，实际用时 2:13:32（计划 2:20:00）；超时 3 项。" in out
    assert "- **基层提问**：共提出问题 4 个：当场答复 2 个，会后跟进 2 个。" in out
    assert "- **承诺事项**：2 项，均明确责任部门和完成时限。" in out
    assert "从 12 个候选项目中推选 5 个" in out
    assert "1. 二季度完成“三所联动”平台联调，每月向居民区通报违建整治进展（司法所，2026-06-30 前完成）" in out
    assert "（高志远提问；居民自治办公室：当场答复）" in out
    assert len(out.splitlines()) < 40  # one page


def test_summary_template_in_english(tmp_path: Path) -> None:
    session = _demo(tmp_path, "en")
    code, out, err = invoke("minutes", str(session), "--template", "summary")
    assert code == 0, err
    assert "## Key figures" in out and "14 of 14 items held in" in out
    assert "(Justice Office; due 2026-06-30)" in out


def test_commitments_template(zh_session: Path) -> None:
    code, out, err = invoke("minutes", str(zh_session), "--template", "commitments")
    assert code == 0, err
    assert out.startswith("# 2026年度工作务虚会承诺事项\n")
    assert "针对基层提问共作出承诺 2 项" in out
    assert "| 编号 | 责任部门 | 承诺内容 | 完成时限 | 提出人 | 状态 |" in out
    assert "| retreat-demo:3 | 城市管理办公室 | 3月底前完成周边空地摸排，并向居民区反馈方案 | 2026-03-31 | 何建华 | 待办 |" in out


def test_gallery_template_as_docx(zh_session: Path, tmp_path: Path) -> None:
    import docx

    target = tmp_path / "commitments.docx"
    code, _, err = invoke("minutes", str(zh_session), "--template", "commitments", "-o", str(target))
    assert code == 0, err
    doc = docx.Document(str(target))
    assert doc.paragraphs[0].text == "2026年度工作务虚会承诺事项"
    assert [c.text for c in doc.tables[0].rows[2].cells][:2] == ["retreat-demo:3", "城市管理办公室"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("nope", "没有名为 nope 的模板；模板库中有：minutes, commitments, summary"),
     ("nowhere/x.md.j2", "nowhere/x.md.j2：模板文件不存在（模板库中有：minutes, commitments, summary）")],
)
def test_unknown_template_exits_2_listing_the_gallery(zh_session: Path, value: str, message: str) -> None:
    code, out, err = invoke("minutes", str(zh_session), "--template", value)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


# --- `retreat minutes --format` and `retreat demo --format` ------------------------------


@pytest.mark.slow
def test_minutes_format_html_and_docx_without_o_write_beside_the_cwd(
    zh_session: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx

    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("minutes", str(zh_session), "--format", "html")
    assert code == 0 and out == "" and "retreat-demo-minutes.html" in err
    assert (tmp_path / "retreat-demo-minutes.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, out, err = invoke("minutes", str(zh_session), "--format", "docx")
    assert code == 0 and out == "" and "会议纪要：retreat-demo-minutes.docx" in err
    assert docx.Document(str(tmp_path / "retreat-demo-minutes.docx")).paragraphs[0].text.endswith("会议纪要")


def test_minutes_format_md_is_the_default_and_goes_to_stdout(zh_session: Path, zh_markdown: str) -> None:
    assert invoke("minutes", str(zh_session)) == (0, zh_markdown, "")
    assert invoke("minutes", str(zh_session), "--format", "md") == (0, zh_markdown, "")


@pytest.mark.slow
def test_minutes_format_from_the_output_extension(zh_session: Path, tmp_path: Path) -> None:
    for name, magic in (("m.docx", b"PK\x03\x04"), ("m.html", b"<!DOCTYPE"), ("m.htm", b"<!DOCTYPE"), ("m.md", b"# ")):
        code, out, err = invoke("minutes", str(zh_session), "-o", str(tmp_path / name))
        assert code == 0 and out == "", err
        assert (tmp_path / name).read_bytes().startswith(magic), name
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "html", "-o", "x.docx"], "x.docx 不像是 html 文件；请改名为 x.html，或不用 -o"),
        (["--format", "docx", "-o", "x.md"], "x.md 不像是 docx 文件；请改名为 x.docx"),
        (["--format", "docx", "-o", "x.txt"], "x.txt 不像是 docx 文件"),
        (["--format", "md", "-o", "x.html"], "x.html 不像是 md 文件"),
        (["--format", "pdf"], "--format 可选 md, html, docx，不能是 pdf"),
    ],
)
def test_minutes_bad_format_combinations_exit_2(zh_session: Path, tmp_path: Path, args: list[str], message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    code, out, err = invoke("minutes", str(zh_session), *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_minutes_export_to_an_unwritable_place_exits_2(zh_session: Path, tmp_path: Path) -> None:
    code, _, err = invoke("minutes", str(zh_session), "-o", str(tmp_path / "missing" / "m.docx"))
    assert code == 2 and "无法写入" in err and "Traceback" not in err


def test_choose_format_rules() -> None:
    assert exports.choose_format(None, None) == "md"
    assert exports.choose_format(None, Path("a.DOCX")) == "docx"
    assert exports.choose_format(None, Path("a.txt")) == "md"
    assert exports.choose_format("HTML", Path("a.htm")) == "html"
    assert exports.choose_format("md", Path("notes.txt")) == "md"
    with pytest.raises(UsageError):
        exports.choose_format("html", Path("a.txt"))
    assert exports.parse_formats("md, html,docx,md") == ["md", "html", "docx"]
    with pytest.raises(UsageError):
        exports.parse_formats(",")


@pytest.mark.slow
def test_demo_writes_all_three_formats(tmp_path: Path) -> None:
    import docx

    code, out, err = invoke("demo", "--out", str(tmp_path), "--format", "md,html,docx")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "retreat-demo-minutes.docx", "retreat-demo-minutes.html", "retreat-demo-minutes.md", "retreat-demo.retreat",
    ]
    for suffix in ("md", "html", "docx"):
        assert f"retreat-demo-minutes.{suffix}" in out.replace("\n", "")
    markdown = (tmp_path / "retreat-demo-minutes.md").read_text(encoding="utf-8")
    page = (tmp_path / "retreat-demo-minutes.html").read_text(encoding="utf-8")
    assert markdown.startswith("# 2026年度工作务虚会会议纪要") and "2026年度工作务虚会会议纪要</h1>" in page
    doc = docx.Document(str(tmp_path / "retreat-demo-minutes.docx"))
    assert doc.paragraphs[0].text == "2026年度工作务虚会会议纪要"


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_demo_default_format_is_md_only(tmp_path: Path) -> None:
    code, _, err = invoke("demo", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["retreat-demo-minutes.md", "retreat-demo.retreat"]


def test_demo_bad_format_exits_2_before_running(tmp_path: Path) -> None:
    code, out, err = invoke("demo", "--out", str(tmp_path), "--format", "md,pdf")
    assert code == 2 and "--format 可选 md, html, docx，不能是 pdf" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_summary_lists_the_vote_winners_when_the_minutes_have_them(
    zh_record: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    import retreat.minutes as minutes_mod

    build = minutes_mod.build_context

    def with_results(record: Record, lang: str | None = None) -> dict[str, object]:
        context = build(record, lang)
        items = context["vote_items"]
        assert isinstance(items, list)
        context["vote_items"] = [{**items[0], "vote": {"chosen": ["社区食堂", "社区客厅"]}}, {**items[1], "vote": None}]
        return context

    monkeypatch.setattr(minutes_mod, "build_context", with_results)
    out = render(zh_record, gallery.resolve("summary"))
    assert "## 推荐表决\n\n- **民生实事项目“公众推荐、小组推荐”**：社区食堂、社区客厅\n" in out
    assert "重点工作任务推荐**：社区" not in out


def test_zh_tie_is_told_in_chinese_in_every_format(zh_markdown: str, zh_html: str, zh_docx: Path) -> None:
    import docx

    sentence = "片区试点方案、网格化治理提升在末位名额上并列，抽签决定：片区试点方案。"
    doc = docx.Document(str(zh_docx))
    for text in (zh_markdown, re.sub(r"<[^>]+>", "", zh_html), "\n".join(p.text for p in doc.paragraphs)):
        assert sentence in text and "by lot" not in text


def test_zh_html_sets_chinese_quotes_in_the_cjk_face(zh_html: str) -> None:
    style = zh_html[zh_html.index("<style>") : zh_html.index("</style>")]
    # “ ” ‘ ’ — … · exist in Times New Roman too: each run is wrapped and given the CJK face
    assert '民生实事项目<span class="cjk">“</span>公众推荐、小组推荐<span class="cjk">”</span>' in zh_html
    assert re.search(r'\n\.cjk \{ font-family: "FangSong"', style)
    assert re.search(r'\nh2 \.cjk, h4 \.cjk \{ font-family: "SimHei"', style)
    assert re.search(r'\nh1 \.cjk, table \.cjk \{ font-family: "SimSun"', style)
    # the running head cannot hold a span: in Chinese its stack starts with the CJK face
    assert re.search(r'@top-center \{\s*content: [^;]*;\s*font-family: "SimSun"', style)


def test_english_html_leaves_punctuation_alone() -> None:
    out = to_html("# T\n\nShe said “yes” — twice.\n", "en")
    assert "She said “yes” — twice." in out and 'class="cjk"' not in out


def test_html_commands_break_only_at_spaces() -> None:
    out = to_html("Run `retreat tally a.blt --seed 7`.\n", "en")
    assert '<code><span class="word">retreat</span> <span class="word">tally</span>' in out
    assert '<span class="word">--seed</span> <span class="word">7</span></code>' in out
    assert "code .word { white-space: nowrap; }" in out


def test_html_table_headers_align_with_their_columns(zh_html: str) -> None:
    style = zh_html[zh_html.index("<style>") : zh_html.index("</style>")]
    th = re.search(r"\nth \{([^}]*)\}", style)
    assert th and "text-align: left" in th.group(1)
    agenda = zh_html[zh_html.index("<th>议程</th>") - 200 :]
    assert '<th style="text-align:right">#</th>' in agenda and '<th style="text-align:center">开始</th>' in agenda


def test_docx_table_headers_align_with_their_columns(zh_docx: Path) -> None:
    import docx

    doc = docx.Document(str(zh_docx))
    agenda = next(t for t in doc.tables if t.rows[0].cells[1].text == "议程")
    header, first = agenda.rows[0].cells, agenda.rows[1].cells
    aligns = [c.paragraphs[0].alignment for c in header]
    assert aligns == [c.paragraphs[0].alignment for c in first]
    assert [header[i].paragraphs[0].alignment for i in (0, 1, 4)] == [2, None, 1]  # right, left, centre


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_docx_font_table_declares_every_face_it_uses(zh_docx: Path) -> None:
    from lxml import etree

    with zipfile.ZipFile(zh_docx) as z:
        table = etree.fromstring(z.read("word/fontTable.xml"))
        used = {
            value
            for part in ("word/styles.xml", "word/document.xml")
            for fonts in etree.fromstring(z.read(part)).iter(f"{W}rFonts")
            for attr in ("ascii", "hAnsi", "eastAsia")
            if (value := fonts.get(f"{W}{attr}"))
        }
    declared = {f.get(f"{W}name"): f for f in table.findall(f"{W}font")}
    assert {"仿宋", "黑体", "楷体", "宋体", "Times New Roman"} <= used <= set(declared)
    expected = {"仿宋": ("FangSong", "roman"), "楷体": ("KaiTi", "roman"), "宋体": ("SimSun", "roman"),
                "黑体": ("SimHei", "swiss")}
    for name, (alt, family) in expected.items():
        font = declared[name]
        assert font.find(f"{W}altName").get(f"{W}val") == alt
        assert font.find(f"{W}family").get(f"{W}val") == family  # a serif (or sans) to substitute
        assert font.find(f"{W}charset").get(f"{W}val") == "86"  # GB2312
        assert len(font.find(f"{W}panose1").get(f"{W}val")) == 20
        # CT_Font is a sequence: the children in the schema's order
        order = ["altName", "panose1", "charset", "family", "pitch", "sig"]
        assert [child.tag.removeprefix(W) for child in font] == order
