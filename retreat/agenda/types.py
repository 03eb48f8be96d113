"""What the rest of retreat reads: the `Agenda` and its `Item`s, every default resolved.

The pydantic models in `schema` say what a file may hold; these frozen values say what was
planned, typed so that a reader never probes an untyped spec for a field: a Q&A item
carries its `qa` spec, a vote its `vote` spec, and every other item neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from retreat.agenda.schema import (
    Department,
    Group,
    MeetingSpec,
    Person,
    QASpec,
    Representative,
    VoteSpec,
)
from retreat.i18n import N_, translator

ItemKind = Literal["report", "remarks", "qa", "vote", "break", "discussion"]
KINDS: tuple[ItemKind, ...] = ("report", "remarks", "qa", "vote", "break", "discussion")
# What each kind is called on the stage and in the minutes (translated where shown).
KIND_LABELS = {
    "report": N_("Work report"),
    "remarks": N_("Leader's remarks"),
    "qa": N_("Questions from the grassroots"),
    "vote": N_("Recommendation vote"),
    "break": N_("Break"),
    "discussion": N_("Discussion"),
}
DEFAULT_LIMITS = {"report": 7 * 60, "remarks": 5 * 60}
DEFAULT_WARNING = 60


def default_warning(limit: int, wanted: int | None = None) -> int:
    """Seconds before the end of a `limit`-second countdown at which the warning comes.

    `wanted` (a warning written in the agenda, or one a countdown was started with) while it
    is shorter than the limit, else half the limit; with nothing wanted, a minute, or half of
    a limit of two minutes or less. Either way a warning never takes the whole limit, so an
    item shortened below its warning still warns before time is up.
    """
    if wanted is None:
        return DEFAULT_WARNING if limit > 2 * DEFAULT_WARNING else limit // 2
    return wanted if wanted < limit else limit // 2


@dataclass(frozen=True)
class Item:
    """One planned item with every default resolved."""

    position: int
    id: str
    kind: ItemKind
    title: str
    presenter: str
    department: str
    limit: int
    warning: int
    alarm_repeat: int
    points: tuple[str, ...]
    notes: str
    qa: QASpec | None = field(default=None, repr=False)
    vote: VoteSpec | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Agenda:
    meeting: MeetingSpec
    departments: tuple[Department, ...]
    participants: tuple[Person, ...]
    representatives: tuple[Representative, ...]
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    text: str
    file: str

    @property
    def language(self) -> str:
        return self.meeting.language

    @property
    def messages(self) -> tuple[str, ...]:
        """The three messages keys 1-3 send to the speaker: the agenda's, or the defaults in its language."""
        if self.meeting.messages:
            return tuple(self.meeting.messages)
        t = translator(self.meeting.language).gettext
        return (t("Please keep to time"), t("Please sum up"), t("Time is up, please finish"))

    @property
    def planned_total(self) -> int:
        return sum(item.limit for item in self.items)

    def index_of(self, item_id: str) -> int:
        for i, item in enumerate(self.items):
            if item.id == item_id:
                return i
        raise KeyError(item_id)

    def department_name(self, ref: str | None) -> str:
        for dep in self.departments:
            if ref in (dep.id, dep.name):
                return dep.name
        return ref or ""


def qa_representatives(agenda: Agenda, item: Item) -> list[Representative]:
    """Who may be drawn in a Q&A item, in the listed order."""
    if item.qa is None or item.qa.representatives is None:
        return list(agenda.representatives)
    by_name = {r.name: r for r in agenda.representatives}
    return [by_name[r] if isinstance(r, str) else r for r in item.qa.representatives]


def qa_answer_timing(item: Item) -> tuple[int, int, int]:
    """(limit, warning, alarm repeat) of each answer in a Q&A item."""
    if item.qa is None:
        raise ValueError(f"{item.id} is not a Q&A item")
    limit = item.qa.answer_limit
    return limit, default_warning(limit, item.qa.answer_warning), item.alarm_repeat


def candidate_ids(spec: VoteSpec) -> list[str]:
    return [c.id or f"c{n + 1}" for n, c in enumerate(spec.candidates)]
