import io
import unicodedata

import pytest
from rich.console import Console

from retreat.ui.bigdigits import (
    ASCII_BLOCK,
    BLOCK,
    FONTS,
    GLYPHS,
    BigTime,
    Font,
    big_text,
    pick_font,
    render_lines,
    supported,
)


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def render(renderable, width=60, height=24):
    console = Console(
        file=io.StringIO(), record=True, width=width, height=height, color_system=None
    )
    console.print(renderable)
    return console.export_text()


def test_every_glyph_is_five_rows_of_one_width():
    for ch, rows in GLYPHS.items():
        assert len(rows) == 5, ch
        assert len({len(r) for r in rows}) == 1, ch
        assert set("".join(rows)) <= {"#", "."}, ch


def test_digits_are_all_different():
    assert len({GLYPHS[d] for d in "0123456789"}) == 10


def test_unit_font_reproduces_the_bitmap():
    lines = render_lines("8", Font(sy=1, sx=1), ascii=True)
    assert lines == ("###", "# #", "###", "# #", "###")


@pytest.mark.parametrize("text", ["07:00", "+01:23", "-00:05", "1:05:00", "00:00"])
@pytest.mark.parametrize("font", FONTS[:6])
def test_lines_have_the_size_the_font_promises(text, font):
    lines = render_lines(text, font)
    assert len(lines) == font.height
    assert {len(line) for line in lines} == {font.width(text)}


def test_scaling_repeats_rows_and_widens_dots():
    small = render_lines("1", Font(sy=1, sx=2))
    big = render_lines("1", Font(sy=2, sx=4))
    assert small[0] == f"  {BLOCK * 2}  "
    assert big[0] == big[1] == f"    {BLOCK * 4}    "


def test_default_fill_is_the_full_block_and_ascii_avoids_ambiguous_width():
    assert BLOCK in "".join(render_lines("+07:00", FONTS[0]))
    ascii_text = "".join(render_lines("+07:00", FONTS[0], ascii=True))
    assert set(ascii_text) == {ASCII_BLOCK, " "}
    assert unicodedata.east_asian_width(BLOCK) == "A"  # the reason --ascii exists
    assert all(unicodedata.east_asian_width(ch) == "Na" for ch in set(ascii_text))


@pytest.mark.parametrize("text", ["07:00", "+01:23", "-07:00"])
def test_at_80x24_digits_are_at_least_five_rows_tall(text):
    font = pick_font(text, 80, 24)
    assert font is not None and font.height >= 5 and font.width(text) <= 80


def test_larger_terminals_get_larger_fonts():
    sizes = [pick_font("07:00", w, h) for w, h in [(40, 6), (80, 24), (160, 50), (300, 90)]]
    heights = [f.height for f in sizes if f]
    assert len(heights) == 4 and heights == sorted(heights) and heights[0] < heights[-1]


@pytest.mark.parametrize("width,height", [(44, 6), (80, 24), (120, 40), (200, 60), (61, 11)])
def test_pick_font_takes_the_largest_that_fits(width, height):
    text = "+07:00"
    chosen = pick_font(text, width, height)
    fitting = [f for f in FONTS if f.height <= height and f.width(text) <= width]
    assert chosen == max(fitting)


@pytest.mark.parametrize("width,height", [(20, 24), (80, 4), (0, 0)])
def test_tiny_terminals_fall_back_to_plain_text(width, height):
    assert pick_font("07:00", width, height) is None
    assert big_text("07:00", width, height).plain == "07:00"


def test_unsupported_text_is_shown_plain():
    assert not supported("7m") and not supported("")
    assert pick_font("7m", 200, 60) is None
    assert render(BigTime("7m")).strip() == "7m"


def test_bigtime_fills_the_console_it_is_given():
    out = render(BigTime("07:00", ascii=True), width=60, height=24).splitlines()
    drawn = [line for line in out if "#" in line]
    assert len(drawn) >= 10
    assert all(len(line) <= 60 for line in out)


def test_bigtime_relayouts_for_each_console():
    clock = BigTime("12:34", ascii=True)
    wide = render(clock, width=100, height=30)
    narrow = render(clock, width=45, height=30)
    tiny = render(clock, width=12, height=30)
    assert wide.count("\n") > narrow.count("\n") > tiny.count("\n")
    assert tiny.strip() == "12:34"


def test_bigtime_is_centred():
    out = render(BigTime("0", ascii=True), width=60, height=5).splitlines()
    first = out[0]
    left = len(first) - len(first.lstrip())
    assert left > 20 and first.strip() == "######"


@pytest.mark.parametrize("text", ["+10:01", "-1:07:41", "07:00"])
@pytest.mark.parametrize("width", [60, 80, 133])
def test_rows_are_not_sheared_by_centring(text, width):
    # Rows ending in a blank dot must not be centred differently from the others.
    font = pick_font(text, width, 24)
    out = render(BigTime(text, ascii=True), width=width, height=24).splitlines()
    indent = (width - font.width(text)) // 2
    expected = render_lines(text, font, ascii=True)
    assert [line[indent:].rstrip() for line in out[: font.height]] == [
        line.rstrip() for line in expected
    ]
    assert all(line[:indent].strip() == "" for line in out)


def test_fit_keeps_one_size_when_overtime_starts():
    def rows(text):
        out = render(BigTime(text, fit="+88:88", ascii=True), width=80, height=24)
        return [line for line in out.splitlines() if "#" in line]

    before, after = rows("00:01"), rows("+00:00")
    assert len(before) == len(after) >= 10
    without_fit = render(BigTime("00:01", ascii=True), width=80, height=24)
    widest = max(len(line.strip()) for line in without_fit.splitlines())
    assert widest > max(len(line.strip()) for line in before)


def test_max_height_caps_the_font():
    out = render(BigTime("07:00", ascii=True, max_height=6), width=200, height=60)
    assert len([line for line in out.splitlines() if "#" in line]) == 5
