"""The broken-agenda corpus: every file gives exactly its one-line error, exit 2, no traceback.

Each YAML file under data/broken_agendas/ starts with `# expect: <the error line>`; the files
that cannot be written as YAML text (binary, not UTF-8, oversize) are generated below.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.cli.main import app

CORPUS = Path(__file__).parent / "data" / "broken_agendas"
FILES = sorted(CORPUS.glob("*.yaml"))
PREFIX = "# expect: "


@pytest.fixture(autouse=True)
def _plain_english(monkeypatch: pytest.MonkeyPatch) -> None:
    # Errors are worded in the environment's language until the agenda is read.
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANGUAGE", "en")
    for var in ("FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


def expected_line(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(PREFIX), f"{path.name} has no `# expect:` line"
    return first.removeprefix(PREFIX)


def run_check(directory: Path, name: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(directory)
    return CliRunner().invoke(app, ["check", name])


def assert_refused(result, line: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [line]
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 25


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_broken_agenda(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_check(CORPUS, path.name, monkeypatch)
    assert_refused(result, expected_line(path))


def test_expect_lines_name_their_own_file() -> None:
    for path in FILES:
        assert expected_line(path).startswith(path.name + ":"), path.name


def test_billion_laughs_is_refused_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    path = CORPUS / "alias_bomb_billion_laughs.yaml"
    started = time.perf_counter()
    result = run_check(CORPUS, path.name, monkeypatch)
    elapsed = time.perf_counter() - started
    assert_refused(result, expected_line(path))
    # A generous bound: expanding the bomb would take minutes and gigabytes.
    assert elapsed < 2.0


def test_deeper_alias_bomb_is_refused_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["version: 1", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 15):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = run_check(tmp_path, "bomb.yaml", monkeypatch)
    assert time.perf_counter() - started < 2.0
    assert result.exit_code == 2
    assert "refusing a possible alias bomb" in result.stderr
    assert result.stdout == ""


GOOD_HEAD = "version: 1\nmeeting:\n  title: 务虚会\nitems:\n  - kind: report\n    title: 党政办汇报\n"

GENERATED: dict[str, tuple[bytes, str]] = {
    "zero_bytes.yaml": (b"", "zero_bytes.yaml:1:1: the file is empty; an agenda starts with `version: 1`"),
    "whitespace.yaml": (
        b"\n   \n\n",
        "whitespace.yaml:1:1: the file is empty; an agenda starts with `version: 1`",
    ),
    "nul_bytes.yaml": (
        GOOD_HEAD.encode() + b"    notes: ab\x00cd\n",
        "nul_bytes.yaml:7:14: a NUL byte: this is a binary file, not a YAML agenda",
    ),
    "png.yaml": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "png.yaml:3:1: a NUL byte: this is a binary file, not a YAML agenda",
    ),
    "gbk.yaml": (
        GOOD_HEAD.replace("党政办汇报", "x").encode() + "    notes: 党政办\n".encode("gbk"),
        "gbk.yaml:7:12: the file is not UTF-8 text (byte 0xb5); save it as UTF-8",
    ),
    "latin1_after_cjk.yaml": (
        GOOD_HEAD.encode() + "    notes: 说明 caf".encode() + "é\n".encode("latin-1"),
        "latin1_after_cjk.yaml:7:18: the file is not UTF-8 text (byte 0xe9); save it as UTF-8",
    ),
    "oversize.yaml": (
        GOOD_HEAD.encode() + b"    notes: " + b"x" * (1024 * 1024) + b"\n",
        f"oversize.yaml:1:1: the file is {len(GOOD_HEAD.encode()) + 11 + 1024 * 1024 + 1} bytes; "
        "an agenda may be at most 1 MiB (1048576 bytes)",
    ),
}


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_hostile_file(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, line = GENERATED[name]
    (tmp_path / name).write_bytes(content)
    started = time.perf_counter()
    result = run_check(tmp_path, name, monkeypatch)
    assert time.perf_counter() - started < 2.0
    assert_refused(result, line)


@pytest.mark.slow
def test_exactly_one_mebibyte_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = GOOD_HEAD.encode() + b"    notes: "
    content = body + b"x" * (1024 * 1024 - len(body) - 1) + b"\n"
    assert len(content) == 1024 * 1024
    (tmp_path / "big.yaml").write_bytes(content)
    result = run_check(tmp_path, "big.yaml", monkeypatch)
    assert result.exit_code == 0, result.stderr


def test_python_tag_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "pwned"
    text = GOOD_HEAD + f"    notes: !!python/object/apply:os.system [\"touch {marker}\"]\n"
    (tmp_path / "evil.yaml").write_text(text, encoding="utf-8")
    result = run_check(tmp_path, "evil.yaml", monkeypatch)
    assert result.exit_code == 2
    assert "!!python/object/apply:os.system is not allowed" in result.stderr
    assert not marker.exists()


def test_several_errors_are_all_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "version: 1\nmeeting:\n  title: 务虚会\nitems:\n"
        "  - kind: report\n    title: a\n    limit: 7\n"
        "  - kind: qa\n    title: b\n"
        "  - kind: report\n    title: c\n    limit: 7 mins\n"
    )
    (tmp_path / "many.yaml").write_text(text, encoding="utf-8")
    result = run_check(tmp_path, "many.yaml", monkeypatch)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ", 2)[:2] for line in lines] == [
        ["many.yaml:7:12", "items[1].limit"],
        ["many.yaml:12:12", "items[3].limit"],
    ]


def test_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_check(tmp_path, "nope.yaml", monkeypatch)
    assert result.exit_code == 2
    assert result.stderr.strip() == "nope.yaml: no such file"
    assert result.stdout == ""
