"""What every command group shares: the error-mapping group class and stderr output.

Kept free of heavy imports: this module is loaded for `retreat --help`.
"""

from __future__ import annotations

import sys
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from retreat.cli.localise import (
    LocalisedContext,
    click_errors,
    install,
    localise_usage_error,
    translate_help_option,
)
from retreat.errors import RetreatError

install()  # typer.core's own words (Options, required ...) through our catalogue

DEBUG = {"on": False}


def err(message: str) -> None:
    """One sentence on stderr; the caller decides the exit code."""
    typer.echo(message, err=True)


def translate_help(command: Any) -> None:
    """Put the command's help texts in the current language (the English text is the msgid).

    Done when help is shown, not at import: the language is only known once the root
    callback has read the system's locale. scripts/i18n.py extracts these texts.
    """
    from retreat.i18n import _

    original = getattr(command, "_english_help", None)
    if original is None:
        params = [(p, getattr(p, "help", None)) for p in command.params]
        original = command._english_help = (command.help, params)
    help_text, params = original
    command.help = _(help_text) if help_text else help_text
    for param, text in params:
        param.help = _(text) if text else text


class TranslatedCommand(TyperCommand):
    context_class = LocalisedContext

    def format_help(self, ctx: Any, formatter: Any) -> None:
        translate_help(self)
        translate_help_option(self, ctx)
        super().format_help(ctx, formatter)


class ErrorMappingGroup(TyperGroup):
    """Turns domain errors into a sentence and exit 2, anything else into one line and exit 1.

    Doing it in the group (not in `main()`) means CliRunner tests see the same exit codes
    as a user does.
    """

    context_class = LocalisedContext

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if ctx.parent is None:  # `retreat --help` runs before the root callback sets it
            from retreat import i18n

            i18n.set_language(i18n.from_environment())
        translate_help(self)
        translate_help_option(self, ctx)
        for command in self.commands.values():
            translate_help(command)
        super().format_help(ctx, formatter)

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click_errors.UsageError as e:
            if parent is None:  # `retreat --bogus` fails before the root callback sets it
                from retreat import i18n

                i18n.set_language(i18n.from_environment())
            raise localise_usage_error(e) from e

    def invoke(self, ctx: Any) -> Any:
        if ctx.parent is None:
            # Click resolves the command name before the root callback runs: an unknown
            # command is reported in the system's language too.
            from retreat import i18n, platforms

            i18n.set_language(i18n.from_environment())
            platforms.prepare_console()  # a GBK or ASCII stdout prints "?", never raises
        try:
            return super().invoke(ctx)
        except click_errors.UsageError as e:
            # A subcommand's arguments are parsed here: "Missing argument", "No such option".
            raise localise_usage_error(e) from e
        except RetreatError as e:
            err(str(e))
            raise typer.Exit(e.exit_code) from e
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except PermissionError as e:
            # Windows refuses to replace or delete a file another program holds open (a
            # minutes.docx open in Word, a session open in another retreat).
            from retreat.i18n import _

            err(_("{path}: permission denied; if another program has it open (Word, a browser, another "
                  "retreat), close it there and try again").format(path=e.filename or e))
            raise typer.Exit(2) from e
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


class App(typer.Typer):
    """A Typer whose commands show their help in the meeting's language."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", TranslatedCommand)
        return super().command(*args, **kwargs)


def new_app(**kwargs: Any) -> typer.Typer:
    return App(
        cls=ErrorMappingGroup,
        pretty_exceptions_enable=False,
        no_args_is_help=True,
        add_completion=False,
        # Plain help: Rich's help renderer costs ~60-100 ms per `--help` (rich.markdown and
        # a table per panel); the terminal help of a meeting tool does not need colour.
        rich_markup_mode=None,
        **kwargs,
    )
