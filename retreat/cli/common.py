"""What every command group shares: the error-mapping group class and stderr output.

Kept free of heavy imports: this module is loaded for `retreat --help`.
"""

from __future__ import annotations

import sys
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from retreat.errors import RetreatError

DEBUG = {"on": False}


def err(message: str) -> None:
    """One sentence on stderr; the caller decides the exit code."""
    typer.echo(message, err=True)


class ErrorMappingGroup(TyperGroup):
    """Turns domain errors into a sentence and exit 2, anything else into one line and exit 1.

    Doing it in the group (not in `main()`) means CliRunner tests see the same exit codes
    as a user does.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RetreatError as e:
            err(str(e))
            raise typer.Exit(e.exit_code) from e
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as e:
            if isinstance(e, (typer.BadParameter, typer.Exit)) or type(e).__module__.startswith(
                "typer"
            ):
                raise
            if DEBUG["on"]:
                traceback.print_exc(file=sys.stderr)
            from retreat.i18n import _

            err(
                _("retreat: internal error: {kind}: {detail} (run with --debug for the traceback)").format(
                    kind=type(e).__name__, detail=e
                )
            )
            raise typer.Exit(1) from e


LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="zh-CN or en (default: the meeting's language, else the system's)."),
]


def choose_language(option: str | None, meeting: str | None = None) -> str:
    """--lang when given, else the meeting's language, else the environment's locale."""
    from retreat import i18n
    from retreat.errors import UsageError

    if option is not None:
        if option.strip().lower().replace("_", "-") not in ("zh", "zh-cn", "zh-hans", "en", "en-us", "en-gb"):
            raise UsageError(i18n._("--lang takes zh-CN or en, not {lang}").format(lang=option))
        return i18n.set_language(option)
    return i18n.set_language(meeting or i18n.from_environment())


def new_app(**kwargs: Any) -> typer.Typer:
    return typer.Typer(
        cls=ErrorMappingGroup,
        pretty_exceptions_enable=False,
        no_args_is_help=True,
        add_completion=False,
        # Plain help: Rich's help renderer costs ~60-100 ms per `--help` (rich.markdown and
        # a table per panel); the terminal help of a meeting tool does not need colour.
        rich_markup_mode=None,
        **kwargs,
    )
