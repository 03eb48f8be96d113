import io
import subprocess
import wave

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retreat.ui import alarm as alarm_mod
from retreat.ui.alarm import (
    PATTERN,
    RATE,
    Alarm,
    Player,
    find_player,
    flash_on,
    next_flash_change,
    tone_file,
    tone_samples,
    write_tone,
)


class FakeProcess:
    """A player that never plays; has no wait(), so code that waits on it fails loudly."""

    def __init__(self, argv):
        self.argv = list(argv)
        self.returncode = None
        self.terminated = False

    def poll(self):
        return self.returncode

    def terminate(self):
        self.terminated = True
        self.returncode = -15


class FakeRunner:
    def __init__(self, error=None):
        self.started = []
        self.error = error

    def __call__(self, argv):
        if self.error:
            raise self.error
        process = FakeProcess(argv)
        self.started.append(process)
        return process


@pytest.fixture
def tone(tmp_path):
    return write_tone(tmp_path / "alarm.wav")


@pytest.fixture
def bells():
    rung = []
    return rung


def make_alarm(tone, bells, runner, *, sound=True, player=Player("paplay", ("/usr/bin/paplay",))):
    return Alarm(sound=sound, player=player, tone=tone, runner=runner, bell=lambda: bells.append(1))


def zero_crossings(samples):
    return sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))


def test_tone_lasts_about_a_second_and_uses_two_pitches():
    samples = tone_samples()
    assert 0.9 <= len(samples) / RATE <= 1.1
    first = samples[: int(0.2 * RATE)]
    second_start = int(0.25 * RATE)
    second = samples[second_start : second_start + int(0.2 * RATE)]
    high, low = zero_crossings(first) / 2 / 0.2, zero_crossings(second) / 2 / 0.2
    assert high == pytest.approx(PATTERN[0][0], rel=0.03)
    assert low == pytest.approx(PATTERN[2][0], rel=0.03)
    gap = samples[int(0.2 * RATE) + 10 : second_start - 10]
    assert set(gap) == {0}


def test_tone_fades_in_and_never_clips():
    samples = tone_samples()
    assert abs(samples[0]) < 100
    assert max(abs(s) for s in samples) < 32767


def test_written_wav_is_playable_mono_16_bit(tone):
    with wave.open(str(tone)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        assert wav.getnframes() == len(tone_samples())


def test_tone_file_is_written_once_and_reused(tmp_path, monkeypatch):
    path = tone_file(tmp_path)
    calls = []
    monkeypatch.setattr(alarm_mod, "write_tone", lambda p: calls.append(p))
    assert tone_file(tmp_path) == path and calls == []
    assert not list(tmp_path.glob("*.tmp"))


def test_tone_file_falls_back_to_the_temp_dir_when_the_cache_is_unwritable(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(alarm_mod.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    assert tone_file().parent == tmp_path / "tmp"


@pytest.mark.parametrize(
    "platform,installed,expected",
    [
        ("linux", {"paplay", "pw-play", "aplay"}, ("paplay", ("/bin/paplay",))),
        ("linux", {"pw-play", "aplay"}, ("pw-play", ("/bin/pw-play",))),
        ("linux", {"aplay"}, ("aplay", ("/bin/aplay", "-q"))),
        ("linux", set(), None),
        ("darwin", {"afplay", "aplay"}, ("afplay", ("/bin/afplay",))),
        ("darwin", {"aplay"}, None),
        ("win32", set(), ("winsound", ())),
    ],
)
def test_find_player(platform, installed, expected):
    player = find_player(platform, lambda name: f"/bin/{name}" if name in installed else None)
    assert (player.name, player.argv) == expected if expected else player is None


def test_fire_rings_and_starts_the_player_without_waiting(tone, bells):
    runner = FakeRunner()
    alarm = make_alarm(tone, bells, runner)
    assert alarm.fire() is True
    assert bells == [1]
    assert [p.argv for p in runner.started] == [["/usr/bin/paplay", str(tone)]]


def test_a_player_still_playing_is_not_started_again(tone, bells):
    runner = FakeRunner()
    alarm = make_alarm(tone, bells, runner)
    alarm.fire()
    assert alarm.fire() is False and len(runner.started) == 1 and bells == [1, 1]
    runner.started[0].returncode = 1  # an exit status says nothing about sound: ignored
    assert alarm.fire() is True and len(runner.started) == 2


def test_stop_silences_a_playing_tone(tone, bells):
    runner = FakeRunner()
    alarm = make_alarm(tone, bells, runner)
    alarm.stop()  # nothing playing: nothing to do
    alarm.fire()
    alarm.stop()
    assert runner.started[0].terminated


def test_no_sound_only_rings(tone, bells):
    runner = FakeRunner()
    alarm = make_alarm(tone, bells, runner, sound=False)
    assert alarm.fire() is False
    assert runner.started == [] and bells == [1]
    assert "off" in alarm.describe() and "--no-sound" in alarm.describe()


def test_no_player_is_reported_and_the_flash_promised(tone, bells):
    alarm = make_alarm(tone, bells, FakeRunner(), player=None)
    assert alarm.fire() is False and bells == [1]
    text = alarm.describe()
    assert "paplay" in text and "flash always works" in text and "\n" not in text


def test_found_player_is_described_in_one_line(tone, bells):
    text = make_alarm(tone, bells, FakeRunner()).describe()
    assert text == "sound: paplay (/usr/bin/paplay)"


def test_a_player_that_cannot_start_is_recorded_not_raised(tone, bells):
    alarm = make_alarm(tone, bells, FakeRunner(error=FileNotFoundError("paplay vanished")))
    assert alarm.fire() is False
    assert "vanished" in alarm.last_error and bells == [1]


def test_winsound_is_called_with_the_tone(tone, bells):
    played = []
    alarm = Alarm(player=Player("winsound"), tone=tone, bell=None, play_winsound=played.append)
    assert alarm.fire() is True and played == [tone]


def test_detect_finds_the_player_and_prepares_the_tone(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(alarm_mod.shutil, "which", lambda n: "/x/aplay" if n == "aplay" else None)
    monkeypatch.setattr(alarm_mod.sys, "platform", "linux")
    runner = FakeRunner()
    alarm = Alarm.detect(bell=None, runner=runner)
    assert alarm.player == Player("aplay", ("/x/aplay", "-q"))
    assert (tmp_path / "retreat" / alarm_mod.WAV_NAME).is_file()
    alarm.fire()
    assert runner.started[0].argv[-1] == str(tmp_path / "retreat" / alarm_mod.WAV_NAME)


def test_popen_runner_detaches_the_player(monkeypatch):
    seen = {}

    def fake_popen(argv, **kwargs):
        seen.update(kwargs, argv=argv)
        return FakeProcess(argv)

    monkeypatch.setattr(subprocess, "Popen", fake_popen)
    alarm_mod.popen_runner(["aplay", "x.wav"])
    assert seen["argv"] == ["aplay", "x.wav"] and seen["start_new_session"] is True
    assert seen["stdout"] == seen["stderr"] == seen["stdin"] == subprocess.DEVNULL


class FakeTTY(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty,written", [(True, "\a"), (False, "")])
def test_terminal_bell_only_on_a_terminal(monkeypatch, tty, written):
    out = FakeTTY(tty)
    monkeypatch.setattr(alarm_mod.sys, "__stdout__", out)
    alarm_mod.terminal_bell()
    assert out.getvalue() == written


@pytest.mark.parametrize(
    "overtime,lit",
    [(-5, False), (-0.01, False), (0, True), (0.49, True), (0.5, False), (0.99, False),
     (1.0, True), (61.2, True), (61.7, False)],
)  # fmt: skip
def test_flash_on(overtime, lit):
    assert flash_on(overtime) is lit


def test_flash_period_is_a_parameter():
    assert [flash_on(t, period=2.0) for t in (0, 0.9, 1.0, 1.9, 2.0)] == [
        True, True, False, False, True,
    ]  # fmt: skip


@pytest.mark.parametrize(
    "overtime,change", [(-3, 0.0), (0, 0.5), (0.2, 0.5), (0.5, 1.0), (7.9, 8.0)]
)
def test_next_flash_change(overtime, change):
    assert next_flash_change(overtime) == pytest.approx(change)


@given(st.integers(min_value=0, max_value=10_000_000))
def test_flash_is_steady_until_the_next_change_and_flips_there(ms):
    t = ms / 1000
    change = next_flash_change(t)
    assert t < change <= t + 0.5
    assert flash_on((t + change) / 2) == flash_on(t)
    assert flash_on(change) != flash_on(t)
