import io
import os
import threading

import pytest
from prompt_toolkit.input import create_input, create_pipe_input

from retreat.errors import UsageError
from retreat.ui.keys import KeyReader


class FakeClock:
    def __init__(self, now=100.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def pipe():
    with create_pipe_input() as inp:
        yield inp


@pytest.fixture
def clock():
    return FakeClock()


def test_keys_arrive_as_names_in_order(pipe, clock):
    pipe.send_text(" np+-atoqy\x03")
    with KeyReader(pipe, clock=clock) as keys:
        got = [keys.get(clock() + 60) for _ in range(11)]
    assert got == [" ", "n", "p", "+", "-", "a", "t", "o", "q", "y", "c-c"]


def test_special_keys_use_prompt_toolkit_names(pipe, clock):
    pipe.send_text("\x1b[A\r\t")
    with KeyReader(pipe, clock=clock) as keys:
        assert [keys.get(clock() + 60) for _ in range(3)] == ["up", "c-m", "c-i"]


def test_a_passed_deadline_returns_none_without_waiting(pipe, clock):
    with KeyReader(pipe, clock=clock) as keys:
        assert keys.get(clock() - 1) is None
        assert keys.get(clock()) is None


def test_a_key_already_typed_wins_over_a_passed_deadline(pipe, clock):
    pipe.send_text("n")
    with KeyReader(pipe, clock=clock) as keys:
        assert keys.get(clock() - 1) == "n"


def test_callback_sees_every_key(pipe, clock):
    seen = []
    pipe.send_text("ab")
    with KeyReader(pipe, clock=clock, on_key=seen.append) as keys:
        keys.get(clock() + 60)
        assert seen == ["a", "b"]
        assert keys.drain() == ["b"] and keys.drain() == []


def test_get_without_deadline_blocks_until_a_key_comes(pipe):
    with KeyReader(pipe) as keys:
        sender = threading.Thread(target=pipe.send_text, args=("q",))
        sender.start()
        try:
            assert keys.get(None) == "q"
        finally:
            sender.join()


def test_cursor_position_reports_are_not_keys(pipe, clock):
    pipe.send_text("\x1b[12;40Rn")
    with KeyReader(pipe, clock=clock) as keys:
        assert keys.get(clock() + 60) == "n"


def test_closed_input_raises_eoferror_after_the_last_key(pipe, clock):
    pipe.send_text("y")
    with KeyReader(pipe, clock=clock) as keys:
        pipe.close()
        assert keys.get(clock() + 60) == "y"
        with pytest.raises(EOFError):
            keys.get(clock() + 60)


def test_get_outside_the_with_block_is_a_bug(pipe):
    with pytest.raises(RuntimeError):
        KeyReader(pipe).get(0)


def test_stdin_that_is_not_a_terminal_is_a_usage_error(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(UsageError) as raised:
        KeyReader().__enter__()
    message = str(raised.value)
    assert "retreat run needs a terminal" in message
    assert "retreat demo" in message and "retreat --help" in message
    assert raised.value.exit_code == 2


def test_dev_null_attach_eoferror_becomes_a_usage_error(capfd):
    with open(os.devnull) as devnull:
        inp = create_input(devnull)
        with pytest.raises(UsageError, match="retreat demo"):
            KeyReader(inp).__enter__()
    capfd.readouterr()  # prompt_toolkit warns that /dev/null is not a terminal


def test_leaving_the_block_detaches_and_leaves_raw_mode(pipe):
    events = []

    class Spy:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def raw_mode(self):
            events.append("raw")
            return _Tracked(self.inner.raw_mode(), events, "cooked")

        def attach(self, callback):
            events.append("attach")
            return _Tracked(self.inner.attach(callback), events, "detach")

    with KeyReader(Spy(pipe)):
        pass
    assert events == ["raw", "attach", "detach", "cooked"]


class _Tracked:
    def __init__(self, inner, events, label):
        self.inner, self.events, self.label = inner, events, label

    def __enter__(self):
        return self.inner.__enter__()

    def __exit__(self, *exc):
        self.events.append(self.label)
        return self.inner.__exit__(*exc)
