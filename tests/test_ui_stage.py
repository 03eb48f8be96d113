"""The stage and overview renderables, rendered at several terminal sizes."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from retreat import i18n
from retreat.meeting.engine import Cmd
from retreat.ui.screen import DiffScreen
from retreat.ui.stage import StageOptions, frame, key_help
from retreat.ui.view import snapshot

SIZES = [(40, 12), (80, 24), (120, 40), (200, 60)]
OFFSET = 8 * 3600
BLOCK = "\u2588"


def render(session, width, height, *, overview=False, message="", ascii=False) -> list[str]:
    view = snapshot(session.state, session.stamp(), OFFSET, overview=overview, message=message)
    console = Console(file=io.StringIO(), record=True, width=width, height=height, color_system=None)
    console.print(frame(view, StageOptions(ascii=ascii, session_path="short.retreat")))
    lines = console.export_text().split("\n")
    assert lines[-1] == ""
    return lines[:-1]


def digit_rows(lines: list[str]) -> int:
    return sum(1 for line in lines if BLOCK in line or "##" in line)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_size_fills_the_screen_exactly(session, clock, width, height):
    session.handle(Cmd.START)
    clock.advance(30)
    lines = render(session, width, height)
    assert len(lines) == height
    assert all(cell_len(line) <= width for line in lines)
    assert any("党政办公室工作汇报" in line for line in lines)
    assert any("01:30" in line for line in lines)  # the progress figures


@pytest.mark.parametrize(("width", "height", "rows"), [(40, 12, 5), (80, 24, 10), (120, 40, 15), (200, 60, 20)])
def test_the_digits_grow_with_the_screen(session, width, height, rows):
    assert digit_rows(render(session, width, height)) >= rows


def test_80x24_shows_everything_the_room_needs(session, clock):
    session.handle(Cmd.START)
    clock.advance(30)
    text = "\n".join(render(session, 80, 24))
    for expected in ("1/4", "Work report", "党政办公室工作汇报", "陈静 · 党政办公室", "00:30 / 02:00",
                     "Next: 2/4 领导点评", "On plan", "ends ~08:38", "Session: short.retreat", "q quit"):  # fmt: skip
        assert expected in text, expected


def test_idle_item_says_how_to_start(session):
    text = "\n".join(render(session, 80, 24))
    assert "Ready. Press space to start." in text
    assert "Starts at" not in text  # the clock stands at the planned start


def test_talking_points_show_their_ticks(session):
    session.handle(Cmd.NEXT)
    session.handle(Cmd.TICK_POINT)
    text = "\n".join(render(session, 80, 24))
    assert "[x] 肯定成绩" in text and "[ ] 提出要求" in text


def test_overtime_counts_up_and_says_so(session, clock):
    session.handle(Cmd.START)
    clock.advance(120 + 83)
    session.tick()
    text = "\n".join(render(session, 80, 24))
    assert "TIME IS UP" in text and "1 min behind plan" in text
    plain = "\n".join(render(session, 30, 8))  # too narrow for big `+01:23`: plain text
    assert "+01:23" in plain


def test_warning_and_paused_captions(session, clock):
    session.handle(Cmd.START)
    clock.advance(70)
    assert "Time is almost up." in "\n".join(render(session, 80, 24))
    session.handle(Cmd.PAUSE)
    assert "PAUSED" in "\n".join(render(session, 80, 24))


def test_an_extension_shows_on_the_progress_line(session):
    session.handle(Cmd.ADJUST, 60)
    assert "00:00 / 03:00 (+01:00)" in "\n".join(render(session, 80, 24))


def test_a_message_line_is_shown(session):
    assert "nothing is running" in "\n".join(render(session, 80, 24, message="nothing is running to pause"))


def test_ascii_has_no_ambiguous_width_characters(session, clock):
    session.handle(Cmd.START)
    clock.advance(10)
    stage = "\n".join(render(session, 80, 24, ascii=True))
    overview = "\n".join(render(session, 100, 30, ascii=True, overview=True))
    assert "##" in stage and BLOCK not in stage
    for text in (stage, overview):
        assert all(ord(ch) < 0x80 or cell_len(ch) == 2 for ch in text), text  # CJK is 2 cells anyway


@pytest.mark.parametrize(("width", "height"), [(10, 3), (20, 6), (30, 8), (40, 12)])
def test_tiny_terminals_still_show_the_time(session, width, height):
    lines = render(session, width, height)
    assert len(lines) == height
    text = "\n".join(lines)
    assert "02:00" in text or digit_rows(lines) >= 5


def test_no_emoji_on_the_stage(session, clock):
    session.handle(Cmd.START)
    clock.advance(200)
    session.tick()
    text = "\n".join(render(session, 120, 40) + render(session, 120, 40, overview=True))
    assert not any(0x1F000 <= ord(ch) <= 0x1FAFF or ch == "\ufe0f" for ch in text)


def test_long_chinese_title_wraps_between_characters(session, short_agenda):
    # The demo agenda's longest titles have no spaces; they must fill the line before wrapping.
    from retreat.ui.cjkwrap import wrap

    title = "基层提问：居民代表现场提问，部门现场作答，形成承诺事项并跟踪办理"
    lines = wrap(title, 38)
    assert len(lines) == 2 and cell_len(lines[0]) >= 36


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_overview_lists_planned_and_projected(session, clock, width, height):
    session.handle(Cmd.START)
    clock.advance(180)  # 60 s over a 2-minute limit
    session.handle(Cmd.NEXT)
    lines = render(session, width, height, overview=True)
    assert len(lines) == height
    text = "\n".join(lines)
    assert "Agenda: planned and actual" in text
    row1 = next(line for line in lines if "党政办公室工作汇报" in line)
    assert "08:30" in row1 and "02:00" in row1 and "03:00 +01:00" in row1
    row3 = next(line for line in lines if "基层提问" in line)
    assert "08:33:30"[:5] in row3 and "08:34" in row3 and "+01:00" in row3  # pushed a minute


def test_overview_windows_a_long_agenda_around_the_current_item(session):
    for _ in range(3):
        session.handle(Cmd.NEXT)
    lines = render(session, 80, 8, overview=True)
    assert len(lines) == 8
    assert any("民生实事推荐" in line for line in lines)


def test_key_help_fits_any_width():
    for width in (10, 40, 60, 80, 120):
        assert cell_len(key_help(width)) <= width or width < 20
    assert "q quit" in key_help(80) and "t tick point" in key_help(120)


def test_chinese_labels_keep_cells_aligned(session, clock):
    i18n.set_language("zh-CN")
    session.handle(Cmd.START)
    clock.advance(10)
    for width, height in ((80, 24), (120, 40)):
        lines = render(session, width, height) + render(session, width, height, overview=True)
        assert all(cell_len(line) <= width for line in lines)


def test_diff_screen_sends_only_changed_lines(session, clock):
    console = Console(file=io.StringIO(), width=80, height=24, force_terminal=True, color_system="standard")
    screen = DiffScreen(console)
    session.handle(Cmd.START)
    options = StageOptions()

    def paint():
        return screen.update(frame(snapshot(session.state, session.stamp(), OFFSET), options))

    assert paint() == 25  # a clear and every line
    assert paint() == 0  # nothing changed
    clock.advance(1)
    changed = paint()
    assert 0 < changed <= 12  # the digit rows that differ and the progress line


def test_the_stage_console_measures_the_terminal_not_an_exported_columns(monkeypatch) -> None:
    from rich.console import Console as RichConsole

    from retreat.ui.screen import stage_console

    monkeypatch.setenv("COLUMNS", "33")
    monkeypatch.setenv("LINES", "7")
    assert RichConsole().size == (33, 7)  # what Rich would believe for good
    assert stage_console().size != (33, 7)


# --- a rehearsal the evening before ------------------------------------------------------
# 2026-01-07 22:03 in Beijing: the evening before the short agenda's 2026-01-08 08:30.
EVE = 1_767_832_200.0 - (10 * 3600 + 27 * 60)


@pytest.fixture
def eve(tmp_path, short_agenda):
    from retreat.clock import FakeClock
    from retreat.meeting.session import Session

    clock = FakeClock(start_wall=EVE)
    with Session.create(tmp_path / "eve.retreat", short_agenda, clock) as s:
        yield s, clock


def test_a_rehearsal_is_marked_in_the_header_footer_and_overview(eve):
    session, clock = eve
    session.handle(Cmd.REHEARSAL, True)
    session.handle(Cmd.START)
    clock.advance(190)  # 70 s over a 2-minute item
    session.tick()
    lines = render(session, 80, 24)
    assert lines[0] == "  Rehearsal   1/4  Work report" + " " * 44 + "22:06 "
    text = "\n".join(lines)
    assert "Rehearsal from 22:03 · 1 min behind plan · ends ~22:12 (planned 22:11)" in text
    overview = render(session, 80, 24, overview=True)
    assert overview[0].startswith(" Rehearsal   Agenda: planned and actual")
    row1 = next(line for line in overview if line.split()[:2] == ["1", "党政办公室工作汇报"])
    assert row1.split()[2:4] == ["22:03", "02:00"]  # planned from the rehearsal's own start
    small = render(session, 40, 12)  # the header is the last thing a small screen drops
    assert small[0].startswith("  Rehearsal   1/4")


def test_a_rehearsal_reads_彩排_in_chinese(eve):
    i18n.set_language("zh-CN")
    session, clock = eve
    session.handle(Cmd.REHEARSAL, True)
    session.handle(Cmd.START)
    clock.advance(190)
    text = "\n".join(render(session, 80, 24))
    assert text.splitlines()[0].split()[:2] == ["彩排", "1/4"]
    assert "彩排（22:03 起算）· 比计划延后 1 分钟" in text
    assert "813" not in text
    overview = render(session, 120, 40, overview=True)
    assert overview[0].split()[:2] == ["彩排", "议程执行情况"]
    assert all(cell_len(line) <= 120 for line in overview)


def test_the_q_and_a_stage_is_marked_too(eve):
    session, _clock = eve
    session.handle(Cmd.REHEARSAL, True)
    session.handle(Cmd.GOTO, "qa")
    assert render(session, 80, 24)[0].split()[:2] == ["Rehearsal", "3/4"]


def test_the_meeting_itself_on_another_day_is_not_marked_and_counts_from_its_start(eve):
    session, clock = eve
    session.handle(Cmd.REHEARSAL, False)
    session.handle(Cmd.START)
    clock.advance(60)
    text = "\n".join(render(session, 80, 24) + render(session, 80, 24, overview=True))
    assert "Rehearsal" not in text
    assert "On plan · ends ~22:11 (planned 22:11)" in text


def test_before_the_answer_another_day_shows_no_absurd_delay(eve):
    session, clock = eve
    clock.advance(30)
    text = "\n".join(render(session, 80, 24))
    assert "On plan" in text and "behind" not in text and "Rehearsal" not in text


def test_the_meetings_own_day_is_never_marked(session, clock):
    session.handle(Cmd.START)
    clock.advance(30)
    text = "\n".join(render(session, 80, 24) + render(session, 80, 24, overview=True))
    assert "Rehearsal" not in text



# --- the facilitator's message to the speaker, top right --------------------------------


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_message_to_the_speaker_sits_in_the_top_right_corner(session, width, height):
    session.handle(Cmd.START)
    session.handle(Cmd.MESSAGE, 3)
    lines = render(session, width, height)
    assert len(lines) == height and all(cell_len(line) <= width for line in lines)
    header = lines[0].rstrip()
    assert header.endswith("时间到，请结束") or header.endswith("时间到，请结束   08:30")
    assert cell_len(header) >= width - 1 - len("   08:30")  # against the right margin
    if width >= 80:
        assert header.startswith(" 1/4  Work report") and header.endswith("时间到，请结束   08:30")
    assert digit_rows(lines) >= (5 if height >= 12 else 1)


def test_the_message_keeps_its_place_when_the_header_is_short_of_room(session):
    session.handle(Cmd.MESSAGE, 3)
    header = render(session, 24, 8)[0]
    assert "时间到，请结束" in header and cell_len(header) <= 24


def test_without_a_message_the_header_is_as_before(session):
    session.handle(Cmd.MESSAGE, 1)
    session.handle(Cmd.MESSAGE, 0)
    assert render(session, 80, 24)[0].rstrip() == " 1/4  Work report" + " " * 57 + "08:30"
