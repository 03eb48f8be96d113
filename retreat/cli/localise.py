"""Click's own words in the current language: `Usage:`, `Options:`, `[required]`, the help
option's text and the usage errors ("Missing argument ...").

Typer 0.29 vendors Click (as `typer._click`) without its gettext calls, so these words are
English whatever the language. Three hooks put them through our catalogue:
- `typer.core` translates its words (`Options`, `required`, `default: {default}`, `No such
  command`) with a module-level gettext `_`, which `install()` points at ours;
- the words Click writes itself (`Usage: `, the `:` after a heading) go through
  `LocalisedFormatter`, the help formatter of `LocalisedContext`;
- a usage error is re-raised as a `LocalisedUsageError`, which words the message and its
  `Error:` / `Try ... for help.` frame.
In English every text is its own msgid, so the output is Click's, byte for byte.

Kept free of heavy imports: this module is loaded for `retreat --help`.
"""

from __future__ import annotations

import re
import sys
from typing import IO, Any

import typer
import typer.core

from retreat.i18n import N_

__all__ = ["LocalisedContext", "click_errors", "install", "localise_usage_error", "translate_help_option"]

try:  # Typer >= 0.29 vendors Click
    from typer._click import exceptions as click_errors
    from typer._click.formatting import HelpFormatter
except ImportError:  # pragma: no cover - an older Typer runs on Click itself
    from click import exceptions as click_errors  # type: ignore[no-redef,unused-ignore]
    from click.formatting import HelpFormatter  # type: ignore[no-redef,assignment,unused-ignore]

HELP_OPTION = N_("Show this message and exit.")

# The words of Typer and Click that reach a user, listed so that extraction puts them in
# the catalogue (typer.core translates the first group itself once install() has run).
CLICK_TEXTS = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("required"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Usage: "),
    N_("{heading}:"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("No such option: {name}"),
    N_("(Possible options: {options})"),
    N_("Invalid value for {name}: {message}"),
    N_("Invalid value: {message}"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Option {name} requires a value."),
)


def _(message: str) -> str:
    from retreat.i18n import _ as gettext

    return gettext(message)


def _chinese() -> bool:
    from retreat.i18n import language

    return language() == "zh-CN"


def install() -> None:
    """Let typer.core's own gettext calls use our catalogue (it calls the `_` of its module)."""
    typer.core._ = _  # type: ignore[attr-defined]


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# Click rewraps a paragraph by joining its lines with a space: wrong between two Chinese
# characters ("不计入统计。 统计完成").
_CJK_LINE_BREAK = re.compile(f"(?<=[{_CJK}])\n(?=[{_CJK}])")
# typer.core appends "  [default: 8765; required]" to an option's help.
_EXTRA = re.compile(r"\s*\[([^\[\]]+)\]$")


def _join_cjk_lines(text: str) -> str:
    return _CJK_LINE_BREAK.sub("", text)


class LocalisedFormatter(HelpFormatter):
    """Click's help formatter with its own words translated and Chinese joined as Chinese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=heading)}\n")

    def write_text(self, text: str) -> None:
        super().write_text(_join_cjk_lines(text) if _chinese() else text)

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        if _chinese():
            rows = [(term, _chinese_extra(_join_cjk_lines(text))) for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


def _chinese_extra(text: str) -> str:
    """'说明。  [默认：8765；必填]' -> '说明。（默认：8765；必填）'."""
    return _EXTRA.sub(lambda m: "（" + m.group(1).replace("; ", "；") + "）", text)


class LocalisedContext(typer.Context):
    formatter_class = LocalisedFormatter


def translate_help_option(command: Any, ctx: Any) -> None:
    option = command.get_help_option(ctx)
    if option is not None:
        option.help = _(HELP_OPTION)


class LocalisedUsageError(click_errors.UsageError):
    """A usage error worded in the current language, shown with Click's layout."""

    def show(self, file: IO[Any] | None = None) -> None:
        out = file if file is not None else sys.stderr
        color = self.ctx.color if self.ctx is not None else None
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                hint = _("Try '{command} {option}' for help.").format(
                    command=self.ctx.command_path, option=self.ctx.help_option_names[0]
                ) + "\n"
            typer.echo(f"{self.ctx.get_usage()}\n{hint}", file=out, color=color)
        typer.echo(_("Error: {message}").format(message=self.format_message()), file=out, color=color)


def localise_usage_error(error: click_errors.UsageError) -> click_errors.UsageError:
    """The same error in the current language (unchanged in English, or if it is the help
    shown for a command run without arguments)."""
    from retreat.i18n import language

    if language() == "en" or isinstance(error, click_errors.NoArgsIsHelpError):
        return error
    localised = LocalisedUsageError(_usage_message(error), error.ctx)
    localised.exit_code = error.exit_code
    return localised


def _param_hint(error: click_errors.BadParameter) -> str:
    """How Click names the parameter in an error: 'AGENDA', '--lang' or '-o' / '--output'."""
    hint = error.param_hint
    if hint is None and error.param is not None:
        return str(error.param.get_error_hint())
    if hint is not None and not isinstance(hint, str):
        return " / ".join(repr(x) for x in hint)
    return hint or ""


def _usage_message(error: click_errors.UsageError) -> str:
    if isinstance(error, click_errors.MissingParameter):
        name = _param_hint(error)
        kind = error.param_type or (error.param.param_type_name if error.param is not None else "parameter")
        text = {"argument": N_("Missing argument {name}."), "option": N_("Missing option {name}.")}.get(
            kind, N_("Missing parameter {name}.")
        )
        return _(text).format(name=name)
    if isinstance(error, click_errors.NoSuchOption):
        text = _("No such option: {name}").format(name=error.option_name)
        if error.possibilities:
            text += " " + _("(Possible options: {options})").format(options=", ".join(sorted(error.possibilities)))
        return text
    if isinstance(error, click_errors.BadParameter):
        hint = _param_hint(error)
        if hint:
            return _("Invalid value for {name}: {message}").format(name=hint, message=error.message)
        return _("Invalid value: {message}").format(message=error.message)
    message = str(error.message)
    extra = re.fullmatch(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", message)
    if extra:
        return _("Got unexpected extra arguments ({args})").format(args=extra.group(1))
    option = re.fullmatch(r"Option ('[^']*') requires .*", message)
    if option:
        return _("Option {name} requires a value.").format(name=option.group(1))
    return message
