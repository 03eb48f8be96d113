"""Domain errors. The CLI maps each to a sentence on stderr and an exit code."""

from __future__ import annotations


class RetreatError(Exception):
    """Base of every error a user can cause; the CLI prints it without a traceback."""

    exit_code = 2


class AgendaError(RetreatError):
    """An agenda file is unreadable or invalid; names file, line, column and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        line: int | None = None,
        column: int | None = None,
        field: str = "",
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        super().__init__(self.format())

    def _with_field(self, path: tuple[str | int, ...]) -> AgendaError:
        from retreat.agenda.yaml import field_name

        return AgendaError(self.message, file=self.file, line=self.line, column=self.column, field=field_name(path))

    def format(self) -> str:
        where = self.file or "<agenda>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class AgendaErrors(RetreatError):
    """Several agenda errors found in one pass, reported together."""

    def __init__(self, errors: list[AgendaError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.format() for e in errors))


class SessionError(RetreatError):
    """A session file is not ours, from a newer version, corrupt, locked or unwritable."""


class StaleLog(Exception):
    """Another process appended to the session since this one last read it: read, decide again."""


class CommandRefused(RetreatError):
    """A meeting command makes no sense in the current state (e.g. pause when nothing runs)."""


class TemplateError(RetreatError):
    """A minutes template is missing or broken."""


class UsageError(RetreatError):
    """Arguments that make no sense together, or a missing terminal."""


class BallotError(RetreatError):
    """A ballot file (or candidates file) is unreadable, malformed, or has nothing valid to count."""
