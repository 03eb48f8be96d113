"""The phones' QR code on the stage: drawn cells read back into modules and compared with
segno's matrix (and, when zbarimg is installed, decoded); the `j` join screen, the vote
board beside the code, the key lines, and the Q&A line for undecided phone questions.

Frames are rendered to consoles of given sizes; `j` and the alarm go through the run loop
with a fake clock and keys typed into a pipe (test_ui_runloop's Script).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import segno
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from support.stage import DEMO, Desk
from support.stage import VOTE_STAGE_AGENDA as VOTE_AGENDA

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.ui import qr
from retreat.ui.join import JoinScreen
from retreat.ui.stage import StageOptions, frame
from retreat.ui.view import snapshot

URL = "http://192.168.1.23:8765/"
JOIN = URL + "?pin=482913"
PIN = "482913"
URLS = ["http://10.0.0.5:8765/", JOIN, "http://[fe80::1]:8765/?pin=000123&x=" + "y" * 60]
PHONES = StageOptions(phones=URL, join_url=JOIN, pin=PIN)
PHONES_ASCII = StageOptions(phones=URL, join_url=JOIN, pin=PIN, ascii=True)


# --- reading drawn cells back into modules ------------------------------------------------------

Cell = tuple[str, Style | None]


def cells(line: Sequence[Segment]) -> list[Cell]:
    return [(ch, seg.style) for seg in line for ch in seg.text]


def _shade(style: Style | None, which: str) -> bool | None:
    """True for the explicit black, False for the explicit white, None for anything else."""
    color = getattr(style, which, None) if style is not None else None
    return {qr.DARK: True, qr.LIGHT: False}.get(color) if color is not None else None


def qr_pixels(lines: Sequence[Sequence[Segment]], *, ascii: bool = False) -> list[list[bool]]:
    """The code on a screen as pixels (dark True): in each row, the run of code cells; with half
    blocks each cell is two pixels, one above the other; with --ascii one pixel per cell."""
    pixels: list[list[bool]] = []
    for line in lines:
        row: list[tuple[bool, bool]] = []
        for ch, style in cells(line):
            if ascii:
                bg = _shade(style, "bgcolor")
                code = ch == " " and bg is not None
                top = bottom = bg
            else:
                top, bottom = _shade(style, "color"), _shade(style, "bgcolor")
                code = ch == qr.UPPER_HALF and top is not None and bottom is not None
            if code:
                row.append((bool(top), bool(bottom)))
            elif row:
                break
        if row:
            pixels.append([t for t, _b in row])
            if not ascii:
                pixels.append([b for _t, b in row])
    return pixels


def modules_of(pixels: list[list[bool]], n: int, *, ascii: bool = False) -> list[list[bool]]:
    """Pixels back to n x n modules; every module must be a uniform block of its scale."""
    assert pixels, "no QR code on the screen"
    width = len(pixels[0])
    assert all(len(row) == width for row in pixels), "the code's rows are not all equally wide"
    per = 2 if ascii else 1
    scale = width // (n * per)
    assert scale >= 1 and width == n * per * scale, (width, n)
    rows = pixels[: n * scale]
    assert len(rows) == n * scale, (len(pixels), n, scale)
    extra = pixels[n * scale :]
    assert all(not any(row) for row in extra), "below the code: only light (quiet zone) pixels"
    grid = []
    for r in range(n):
        block = rows[r * scale : (r + 1) * scale]
        line = []
        for c in range(n):
            values = {row[x] for row in block for x in range(c * per * scale, (c + 1) * per * scale)}
            assert len(values) == 1, f"module ({r}, {c}) is not one colour"
            line.append(values.pop())
        grid.append(line)
    return grid


def expected(url: str) -> list[list[bool]]:
    """segno's own matrix (error level M or better, never Micro) with a quiet zone of 2."""
    code = segno.make(url, error="m", micro=False)
    size = len(code.matrix)
    light = [False] * (size + 4)
    return [light, light, *([False, False, *(bool(m) for m in row), False, False] for row in code.matrix), light, light]


def read_back(lines: Sequence[Sequence[Segment]], url: str, *, ascii: bool = False) -> list[list[bool]]:
    return modules_of(qr_pixels(lines, ascii=ascii), len(expected(url)), ascii=ascii)


def zbar(pixels: list[list[bool]], tmp_path: Path, module: int = 4, surround: bool = True) -> str:
    """Decode a picture of dark (True) pixels with zbarimg: a PGM written by hand, each pixel a
    `module`-pixel square; `surround` pads it with black, like a dark terminal around the code."""
    width = len(pixels[0]) * module
    pad = 8 * module if surround else 0
    rows = []
    for row in pixels:
        line = bytes([0] * pad) + b"".join(bytes([0 if dark else 255]) * module for dark in row) + bytes([0] * pad)
        rows += [line] * module
    blank = bytes([0] * (width + 2 * pad))
    rows = [blank] * pad + rows + [blank] * pad
    path = tmp_path / "qr.pgm"
    path.write_bytes(f"P5\n{width + 2 * pad} {len(rows)}\n255\n".encode() + b"".join(rows))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)],
                         capture_output=True, text=True)  # fmt: skip
    return out.stdout.strip()


needs_zbar = pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg is not installed (.ci/run installs "
                                                                         "zbar-tools)")


def frame_lines(renderable: object, width: int, height: int, color: bool = True) -> list[list[Segment]]:
    console = Console(file=io.StringIO(), width=width, height=height,
                      color_system="truecolor" if color else None)  # fmt: skip
    return renderable.frame_lines(console, console.options.update(width=width, height=height))  # type: ignore[attr-defined]


def unambiguous(text: str) -> bool:
    """No East Asian ambiguous-width character (what --ascii promises)."""
    return not any(unicodedata.east_asian_width(ch) == "A" for ch in text)


def text_of(lines: Sequence[Sequence[Segment]]) -> str:
    return "\n".join("".join(seg.text for seg in line) for line in lines)


# --- the module ----------------------------------------------------------------------------------


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("ascii", [False, True])
@pytest.mark.parametrize("box", [(80, 24), (120, 40), (200, 60), (300, 120)])
def test_drawn_cells_read_back_to_segnos_matrix(url: str, ascii: bool, box: tuple[int, int]) -> None:
    cols, rows = box
    lines = qr.qr_lines(url, cols, rows, ascii=ascii)
    n = len(expected(url))
    per_col, per_row = (2 * n, n) if ascii else (n, n / 2)
    best = min(12, cols // per_col, int(rows // per_row))
    while best and qr.size(url, best, ascii=ascii)[1] > rows:
        best -= 1
    if not best:
        assert lines is None
        return
    assert lines is not None
    width, height = qr.size(url, best, ascii=ascii)
    assert len(lines) == height <= rows and all(sum(len(s.text) for s in line) == width <= cols for line in lines)
    assert qr.size(url, best + 1, ascii=ascii)[0] > cols or qr.size(url, best + 1, ascii=ascii)[1] > rows or best == 12
    assert read_back(lines, url, ascii=ascii) == expected(url)


def test_the_scale_is_the_largest_that_fits_and_none_when_nothing_does() -> None:
    n = len(expected(JOIN))  # 33 for this address
    assert qr.fit_scale(JOIN, n, (n + 1) // 2) == 1
    assert qr.fit_scale(JOIN, 2 * n, n) == 2
    assert qr.fit_scale(JOIN, 2 * n - 1, n) == 1
    assert qr.fit_scale(JOIN, 2 * n, n - 1) == 1
    assert qr.qr_lines(JOIN, n - 1, 100) is None and qr.qr_lines(JOIN, 100, (n + 1) // 2 - 1) is None
    assert qr.qr_lines(JOIN, 2 * n - 1, 100, ascii=True) is None and qr.qr_lines(JOIN, 2 * n, n - 1, ascii=True) is None
    assert qr.qr_lines("", 200, 200) is None


def test_colours_are_explicit_black_and_white_and_ascii_output_is_ascii() -> None:
    for line in qr.qr_lines(JOIN, 80, 40) or ():
        for seg in line:
            assert set(seg.text) == {qr.UPPER_HALF}
            assert seg.style is not None and {seg.style.color, seg.style.bgcolor} <= {qr.DARK, qr.LIGHT}
    assert qr.DARK.triplet is not None and tuple(qr.DARK.triplet) == (0, 0, 0)
    assert qr.LIGHT.triplet is not None and tuple(qr.LIGHT.triplet) == (255, 255, 255)
    for colour in (True, False):
        lines = qr.qr_lines(JOIN, 200, 60, ascii=True, color=colour)
        assert lines is not None
        assert all(ch.isascii() and ch.isprintable() for line in lines for seg in line for ch in seg.text)


def test_without_colour_the_code_is_drawn_light_on_dark_like_segno(capsys: pytest.CaptureFixture[str]) -> None:
    lines = qr.qr_lines(JOIN, 40, 20, color=False)  # scale 1
    assert lines is not None
    segno.make(JOIN, error="m", micro=False).terminal(compact=True, border=2)
    printed = capsys.readouterr().out.splitlines()
    assert text_of(lines).splitlines() == printed
    plain = qr.qr_lines(JOIN, 200, 60, ascii=True, color=False)
    assert plain is not None
    first_dark_row = text_of(plain).splitlines()[2]  # the finder pattern's top edge
    assert first_dark_row.startswith("####" + "  " * 7 + "##")


@pytest.mark.slow
def test_the_drawing_is_cached_and_segno_is_imported_only_when_a_code_is_drawn() -> None:
    assert qr.qr_lines(JOIN, 80, 40) is qr.qr_lines(JOIN, 80, 40)
    code = ("import sys; import retreat.ui.qr, retreat.ui.join, retreat.ui.vote_stage, retreat.ui.runloop; "
            "print('segno' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.slow  # over a quarter of a second: subprocesses, threads or a real server
@needs_zbar
@pytest.mark.parametrize("ascii", [False, True])
def test_zbarimg_reads_the_drawn_code(tmp_path: Path, ascii: bool) -> None:
    lines = qr.qr_lines(JOIN, 200, 60, ascii=ascii)
    assert lines is not None
    pixels = qr_pixels(lines, ascii=ascii)
    if ascii:  # two cells a module: keep one column of each pair, for square modules
        pixels = [row[::2] for row in pixels]
    assert zbar(pixels, tmp_path) == JOIN
    assert zbar(pixels, tmp_path, surround=False) == JOIN


# --- the join screen (j) -------------------------------------------------------------------------


@pytest.fixture
def vs(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "vote-stage.retreat", agenda_mod.load(VOTE_AGENDA), clock)
    yield s
    s.close()


def join_screen(desk: Desk, options: StageOptions) -> JoinScreen:
    desk.loop.options = options
    desk.loop.on_key("j")
    renderable = desk.loop.desk.frame(desk.loop.view(), options)
    assert isinstance(renderable, JoinScreen)
    return renderable


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40), (200, 60)])
def test_the_join_screen_shows_the_code_the_address_the_pin_and_the_phones_ballots(
    vs: Session, width: int, height: int
) -> None:
    vs.handle(Cmd.CAST, {"ballot": "p1", "ranking": "2 1", "group": "g2", "source": "phone", "key": "p1"})
    screen = join_screen(Desk(vs), PHONES)
    lines = frame_lines(screen, width, height)
    assert len(lines) == height and all(sum(len(s.text) for s in line) == width for line in lines)
    assert read_back(lines, JOIN) == expected(JOIN)
    text = text_of(lines)
    assert URL in text and f"PIN {PIN}" in text and "1 ballot from phones in this vote so far" in text
    assert "Join from your phone" in text and "j or Esc: back to the stage" in text
    assert "05:00" in text.splitlines()[0]  # the countdown stays on screen
    n = len(expected(JOIN))
    scale = len(qr_pixels(lines)[0]) // n
    assert scale == {80: 1, 120: 2, 200: 3}[width]  # as large as fits
    if width >= 120:
        assert "\u2588" * 6 in text  # the PIN in big digits too


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40), (200, 60)])
def test_the_ascii_join_screen_has_only_ascii_and_says_when_the_code_cannot_fit(
    vs: Session, width: int, height: int
) -> None:
    lines = frame_lines(join_screen(Desk(vs), PHONES_ASCII), width, height)
    text = text_of(lines)
    assert text.isascii() and f"PIN {PIN}" in text and URL in text
    if width == 80:  # 66 columns and 33 rows of code do not fit 80x24
        assert "The terminal is too small for the QR code." in text
        assert not qr_pixels(lines, ascii=True)
    else:
        assert read_back(lines, JOIN, ascii=True) == expected(JOIN)


def test_the_join_screen_without_a_pin_says_to_use_the_code_slip_and_encodes_the_address(vs: Session) -> None:
    lines = frame_lines(join_screen(Desk(vs), StageOptions(phones=URL)), 120, 40)
    assert read_back(lines, URL) == expected(URL)
    assert "PIN" not in text_of(lines) and "Then type the code on your slip." in text_of(lines)


def test_the_join_screen_on_an_item_that_is_not_a_vote_has_no_ballot_line(session: Session) -> None:
    view = snapshot(session.state, session.stamp(), 0, join=True)
    renderable = frame(view, PHONES)
    assert isinstance(renderable, JoinScreen)
    text = text_of(frame_lines(renderable, 100, 30))
    assert "ballot" not in text and f"PIN {PIN}" in text


def test_the_join_screen_keeps_its_code_through_the_overtime_flash(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.NEXT)
    session.handle(Cmd.START)
    clock.advance(91)
    session.tick()
    view = snapshot(session.state, session.stamp(), 0, join=True)
    assert view.flash
    lines = frame_lines(frame(view, PHONES), 100, 30)
    assert read_back(lines, JOIN) == expected(JOIN)
    assert any(seg.style is not None and seg.style.bgcolor is not None and seg.style.bgcolor.name == "red"
               for line in lines for seg in line)  # fmt: skip


# --- j in the run loop ---------------------------------------------------------------------------


@pytest.fixture
def drive(session: Session, clock: FakeClock):
    from prompt_toolkit.input import create_pipe_input
    from support.stage import FakeAlarm, Frames, Script

    from retreat.ui.keys import KeyReader
    from retreat.ui.runloop import RunLoop

    def run(*steps: object, options: StageOptions = PHONES):
        console = Console(file=io.StringIO(), width=80, height=24, color_system=None)
        screen = Frames(session)
        alarm = FakeAlarm()
        with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:
            loop = RunLoop(session, Script(reader, pipe, clock, steps), console, alarm=alarm, screen=screen,
                           options=options)  # fmt: skip
            loop.run()
        return loop, screen, alarm

    return run


def shown(screen: object) -> list[str]:
    return [type(f).__name__ for f in screen.frames]  # type: ignore[attr-defined]


def test_j_toggles_the_join_screen(drive) -> None:
    loop, screen, _alarm = drive("j", 1, "j", 1, "j", 1, "o", 1, "j", 1)
    names = shown(screen)
    # j on, j off, j on, o (the overview replaces it), j: the join screen replaces the overview
    changes = [name for i, name in enumerate(names) if i == 0 or names[i - 1] != name]
    assert changes == ["Stage", "JoinScreen", "Stage", "JoinScreen", "Overview", "JoinScreen"]
    assert loop.join and not loop.overview
    assert "j phone QR" in screen.text(0)  # the stage's key line offers it


def test_esc_closes_the_join_screen_and_is_otherwise_no_command(vs: Session) -> None:
    desk = Desk(vs)
    join_screen(desk, PHONES)
    desk.type("escape")
    assert not desk.loop.join and "Join from your phone" not in desk.screen(120, 40)
    desk.type("escape")
    assert not desk.loop.join and desk.loop.desk.mode == "board"


def test_the_alarm_takes_over_from_the_join_screen(drive, session: Session) -> None:
    # r2: 90 s; the join screen opens during the talk and the time-up alarm closes it
    loop, screen, alarm = drive("n", " ", 60, "j", 10, 25)
    assert alarm.fired == 1 and not loop.join
    names = shown(screen)
    last_join = max(i for i, name in enumerate(names) if name == "JoinScreen")
    assert names[last_join + 1 :] and all(name == "Stage" for name in names[last_join + 1 :])
    assert any(f.view.flash for f in screen.frames[last_join + 1 :])
    assert not any(f.view.phase.value == "overtime" for f in screen.frames[: last_join + 1])


def test_without_phones_j_says_how_to_turn_them_on(drive) -> None:
    loop, screen, _alarm = drive("j", 1, options=StageOptions(session_path="short.retreat"))
    assert not loop.join and "JoinScreen" not in shown(screen)
    assert "Phones are not on: start with `retreat run --participate`." in screen.text()
    assert " j " not in screen.text(0) and "phone QR" not in screen.text(0)


def test_vote_keys_close_the_join_screen_so_the_room_sees_them(vs: Session) -> None:
    desk = Desk(vs)
    join_screen(desk, PHONES)
    desk.type("b")
    assert not desk.loop.join
    assert "Working group?" in desk.screen()


# --- the vote board ------------------------------------------------------------------------------


def board(desk: Desk, options: StageOptions, width: int, height: int) -> list[list[Segment]]:
    desk.loop.options = options
    return frame_lines(desk.loop.desk.frame(desk.loop.view(), options), width, height)


@pytest.mark.parametrize(("width", "height"), [(80, 24), (100, 30), (120, 40), (200, 60)])
def test_the_board_shows_the_code_beside_the_candidates_when_there_is_room(
    vs: Session, width: int, height: int
) -> None:
    lines = board(Desk(vs), PHONES, width, height)
    text = text_of(lines)
    assert len(lines) == height and all(sum(len(s.text) for s in line) <= width for line in lines)
    assert f"PIN {PIN}" in text and "phones: 0" in text
    for n, title in enumerate(["社区食堂", "社区客厅", "养老服务联盟"], 1):
        assert f"{n} {title}" in text
    if width >= 110:
        assert read_back(lines, JOIN) == expected(JOIN)
        assert "Scan to vote from your phone" in text and "j: QR code" not in text
    else:
        assert not qr_pixels(lines)
        assert f"{URL}   PIN {PIN}   j: QR code" in text
    assert "j phone QR" in text or " j " in text  # the key line


@pytest.mark.parametrize(("width", "height"), [(80, 24), (110, 30), (120, 40), (200, 60)])
def test_fourteen_candidates_keep_two_columns_beside_the_code(tmp_path: Path, clock: FakeClock, width: int,
                                                              height: int) -> None:
    with Session.create(tmp_path / "demo.retreat", agenda_mod.load(DEMO), clock) as s:
        s.handle(Cmd.GOTO, "key-task-vote")
        lines = board(Desk(s), PHONES, width, height)
        text = text_of(lines)
        row = next(line for line in text.splitlines() if "1 建设街道投资服务中心" in line)
        assert "8 违法建设专项整治" in row  # column-major: 1..7 left, 8..14 right
        assert bool(qr_pixels(lines)) == (width >= 110)


def test_the_ascii_board_shows_the_code_only_when_it_fits_and_stays_ascii(vs: Session) -> None:
    desk = Desk(vs, ascii=True)
    small = board(desk, PHONES_ASCII, 120, 40)
    assert not qr_pixels(small, ascii=True) and "j: QR code" in text_of(small)
    large = board(desk, PHONES_ASCII, 200, 60)
    assert read_back(large, JOIN, ascii=True) == expected(JOIN)
    for lines in (small, large):
        assert unambiguous(text_of(lines))


def test_results_have_no_code(vs: Session) -> None:
    desk = Desk(vs)
    desk.type("b1", "1 2 3\r", "escape", "v", "v")
    assert vs.state.vote().revealed
    lines = board(desk, PHONES, 200, 60)
    assert not qr_pixels(lines)


def test_without_phones_the_board_has_no_code_and_no_j(vs: Session) -> None:
    lines = board(Desk(vs), StageOptions(), 200, 60)
    assert not qr_pixels(lines) and "QR" not in text_of(lines) and "  j " not in text_of(lines)


@needs_zbar
def test_zbarimg_reads_the_code_on_the_board(vs: Session, tmp_path: Path) -> None:
    assert zbar(qr_pixels(board(Desk(vs), PHONES, 120, 40)), tmp_path) == JOIN


# --- the other screens ---------------------------------------------------------------------------


def test_the_stage_footer_and_key_line_with_phones(session: Session) -> None:
    view = snapshot(session.state, session.stamp(), 0)
    text = text_of(frame_lines(frame(view, StageOptions(session_path="short.retreat", phones=URL, pin=PIN)), 100, 30))
    assert f"Session: short.retreat · Phones: {URL} · PIN {PIN}" in text
    assert "o overview  j phone QR  q quit" in text
    ascii_text = text_of(frame_lines(frame(view, StageOptions(session_path="s", phones=URL, pin=PIN, ascii=True)),
                                     100, 30))  # fmt: skip
    assert f"Session: s | Phones: {URL} | PIN {PIN}" in ascii_text and unambiguous(ascii_text)


def test_q_and_a_counts_phone_questions_waiting_for_a_decision(session: Session) -> None:
    session.handle(Cmd.GOTO, "qa")
    for text in ("一", "二", "三"):
        session.handle(Cmd.PROPOSE_QUESTION, {"text": text, "key": text})
    session.handle(Cmd.DECIDE_PROPOSAL, {"pid": 1, "decision": "accepted"})

    def screen(options: StageOptions) -> str:
        view = snapshot(session.state, session.stamp(), 0)
        return text_of(frame_lines(frame(view, options), 80, 24, color=False))

    text = screen(StageOptions(phones=URL))
    assert "2 questions from phones wait for a decision on the desk page" in text
    assert "1 phone question accepted: press m to put it to the room" in text
    assert " j " in text or "j phone QR" in text
    session.handle(Cmd.DECIDE_PROPOSAL, {"pid": 2, "decision": "rejected"})
    assert "1 question from phones waits for a decision on the desk page" in screen(StageOptions(phones=URL))
    session.handle(Cmd.DECIDE_PROPOSAL, {"pid": 3, "decision": "merged", "into": 1})
    assert "wait" not in screen(StageOptions(phones=URL))
    session.handle(Cmd.PROPOSE_QUESTION, {"text": "四", "key": "四"})
    assert "desk page" not in screen(StageOptions())  # without --participate there is no desk page


def test_a_rehearsals_join_screen_says_so(tmp_path: Path) -> None:
    s = Session.create(tmp_path / "eve.retreat", agenda_mod.load(VOTE_AGENDA), FakeClock(start_wall=86_400.0 * 365))
    with s:
        s.handle(Cmd.REHEARSAL, True)
        lines = frame_lines(join_screen(Desk(s), PHONES), 120, 40)
        assert text_of(lines).splitlines()[0].split()[:2] == ["[Rehearsal]", "1/5"]
