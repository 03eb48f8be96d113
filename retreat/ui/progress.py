"""The demo's short progress view: one line per item."""

from __future__ import annotations

from rich.text import Text

from retreat.demo import Step
from retreat.durations import format_clock
from retreat.i18n import _


def demo_line(step: Step) -> Text:
    state = step.item
    timer = state.timer
    actual = round(timer.closed)
    over = actual - timer.limit
    line = Text()
    line.append(f"[{step.position:>2}/{step.count}] ", style="dim")
    line.append(state.item.title)
    line.append(f"  {format_clock(timer.planned)} -> {format_clock(actual)}")
    if timer.adjusted:
        line.append("  " + _("limit {sign}{by}").format(sign="+" if timer.adjusted > 0 else "-", by=format_clock(abs(timer.adjusted))), style="cyan")
    if over >= 1:
        line.append("  " + _("overtime +{over}").format(over=format_clock(over)), style="bold red")
    if timer.alarms:
        line.append("  " + _("alarms: {n}").format(n=timer.alarms), style="red")
    return line
