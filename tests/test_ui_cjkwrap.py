import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from retreat.ui.cjkwrap import CLOSING, OPENING, CJKText, line_spans, wrap

CHINESE = (
    "在全面推进社区治理现代化的过程中，我们坚持以人民为中心的发展思想，"
    "围绕“三驾马车”联动机制（居委会、业委会、物业公司），推动解决了一批群众急难愁盼问题。"
    "今年将建设社区食堂、社区客厅，并开展基层党组织书记培训！"
)
MIXED = (
    "党政办公室主任王建国汇报2024年工作：完成了12项民生实事项目，"
    "包括elderly-care service alliance和community canteen，满意率达到98.5%。"
    "Next year（明年）we will build a street investment-service centre."
)
ENGLISH = (
    "The Self-Governance Office answers: the property-management committee should "
    "include party members, and if none are elected the street office will guide a re-election."
)
SENTENCES = [CHINESE, MIXED, ENGLISH]


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def assert_rebuilds(text, lines):
    """The lines are the text, in order, with only whitespace dropped between them."""
    pos = 0
    for line in lines:
        found = text.index(line, pos)
        assert text[pos:found].strip() == "", (text[pos:found], line)
        pos = found + len(line)
    assert text[pos:].strip() == ""


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.sampled_from(SENTENCES), width=st.integers(min_value=10, max_value=100))
def test_property_the_sentences_at_any_width(text, width):
    """Each sentence at any width from 10 to 100 cells: the lines fit, rebuild the text and keep
    kinsoku; Chinese joins back exactly and fills its lines; English words are never split.
    300 examples over 273 (sentence, width) pairs: Hypothesis tries every pair (it stops when
    the space is exhausted), so this is the old sweep in one test."""
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert_rebuilds(text, lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[0] in CLOSING for line in lines[1:] if line)
    assert not any(line[-1] in OPENING for line in lines[:-1] if line)
    if text is CHINESE:
        assert "".join(lines) == CHINESE
        # Rich alone pushes the whole unspaced sentence down; a CJK wrap fills each line,
        # losing at most a few cells to kinsoku (a closing mark pulled back with its char).
        assert all(cell_len(line) >= width - 5 for line in lines[:-1])
    if text is ENGLISH and width >= 19:  # "property-management" is 19 cells
        assert set(" ".join(lines).split()) <= set(ENGLISH.split())


def test_no_line_starts_with_a_chinese_comma_even_where_it_would_fit():
    assert wrap("一二三四五，六七", 10) == ["一二三四", "五，六七"]


def test_an_opening_bracket_moves_to_the_next_line():
    assert wrap("一二三四（五六）", 10) == ["一二三四", "（五六）"]


def test_latin_breaks_drop_the_space_like_rich():
    assert wrap("community canteen", 12) == ["community", "canteen"]


def test_a_word_longer_than_the_line_is_cut():
    lines = wrap("supercalifragilistic", 6)
    assert lines == ["superc", "alifra", "gilist", "ic"]


def test_a_cut_word_does_not_leave_its_full_stop_alone():
    assert wrap("re-election.", 11) == ["re-electio", "n."]


def test_chinese_and_latin_may_break_against_each_other():
    assert wrap("社区canteen", 8) == ["社区", "canteen"]


def test_newlines_are_kept_and_empty_lines_survive():
    assert wrap("第一段\n\n第二段很长很长", 8) == ["第一段", "", "第二段很", "长很长"]


def test_indentation_of_a_paragraph_is_kept():
    assert wrap("  一二三四五六", 8) == ["  一二三", "四五六"]


def test_line_spans_point_into_the_text():
    text = "ab cd\n中文"
    assert [text[s:e] for s, e in line_spans(text, 4)] == ["ab", "cd", "中文"]


def test_one_cell_line_still_makes_progress():
    assert wrap("中文", 1) == ["中", "文"]


@given(
    text=st.text(
        alphabet=st.sampled_from(list("中文社区食堂，。、！？（）「」abc xyz-12.\n") + ["\u3000"]),
        max_size=80,
    ),
    width=st.integers(min_value=2, max_value=40),
)
@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_property_fits_and_rebuilds(text, width):
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert_rebuilds(text, lines)
    assert len(lines) >= text.count("\n") + 1


def render(renderable, width):
    console = Console(file=io.StringIO(), record=True, width=width, color_system=None)
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("width", [20, 37, 60])
def test_renderable_wraps_at_render_time(width):
    out = render(CJKText(CHINESE), width)
    lines = out.rstrip("\n").split("\n")
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(line.rstrip() for line in lines) == CHINESE


def test_same_renderable_relayouts_when_the_width_changes():
    text = CJKText(CHINESE)
    assert render(text, 30).count("\n") > render(text, 60).count("\n")


def test_rich_alone_wastes_the_line_that_cjktext_fills():
    sentence = "The answer: " + CHINESE[:40]
    rich_first = render(Text(sentence), 30).split("\n")[0].rstrip()
    ours_first = render(CJKText(sentence), 30).split("\n")[0].rstrip()
    assert cell_len(ours_first) > cell_len(rich_first)


def test_styles_survive_wrapping():
    text = Text("社区食堂")
    text.append("和社区客厅", style="bold")
    lines = CJKText(text).lines(6)
    assert [line.plain for line in lines] == ["社区食", "堂和社", "区客厅"]
    assert lines[0].spans == []
    assert [(s.start, s.end, s.style) for s in lines[1].spans] == [(1, 3, "bold")]


def test_justify_right():
    out = render(CJKText("社区", justify="right"), 10)
    assert out.split("\n")[0] == "      社区"


def test_inside_a_table_column_the_text_wraps_between_characters():
    table = Table("发言人", "内容")
    table.add_row("王建国", CJKText("党政办公室主任发言，介绍全年工作和存在的问题"))
    out = render(table, 40)
    assert all(cell_len(line) <= 40 for line in out.splitlines())
    assert "│ 党政办公室主任发言，介绍全  │" in out  # filled, not pushed down whole
