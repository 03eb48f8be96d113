"""From the file as written (`AgendaSpec`) to what is planned (`Agenda`): defaults and cross-checks.

pydantic checks each field on its own; what needs the whole file is here: an item's limit,
warning and alarm from the kind's and the meeting's defaults, and references between
sections (departments, groups, representatives, unique ids). Every problem is collected,
so a secretary fixes the whole file in one pass rather than one error per run.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from retreat.agenda.schema import (
    AgendaSpec,
    BaseItemSpec,
    BreakSpec,
    DiscussionSpec,
    ItemSpec,
    QASpec,
    RemarksSpec,
    ReportSpec,
    VoteSpec,
)
from retreat.agenda.types import DEFAULT_LIMITS, Agenda, Item, candidate_ids, default_warning
from retreat.agenda.yaml import Located
from retreat.durations import format_duration
from retreat.errors import AgendaError, AgendaErrors
from retreat.i18n import _, translator


def default_points(lang: str) -> tuple[str, ...]:
    t = translator(lang).gettext
    return (
        t("Last year's work and results"),
        t("How to read this year's situation"),
        t("What will be done this year"),
        t("Existing problems, and benchmarking against the targets"),
    )


def resolve_agenda(spec: AgendaSpec, located: Located, text: str) -> Agenda:
    """The agenda with every default filled in, or AgendaErrors naming every problem found."""
    resolver = _Resolver(spec, located)
    resolver.check_unique(("departments",), [d.id for d in spec.departments])
    resolver.check_unique(("groups",), [g.id for g in spec.groups])
    resolver.check_messages()
    items = [item for i, it in enumerate(spec.items) if (item := resolver.item(i, it)) is not None]
    if resolver.errors:
        raise AgendaErrors(resolver.errors)
    return Agenda(
        meeting=spec.meeting,
        departments=tuple(spec.departments),
        participants=tuple(spec.participants),
        representatives=tuple(spec.representatives),
        groups=tuple(spec.groups),
        items=tuple(items),
        text=text,
        file=located.file,
    )


@dataclass
class _Resolver:
    """One pass over the items, collecting every error in file order."""

    spec: AgendaSpec
    located: Located
    errors: list[AgendaError] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    departments: set[str] = field(init=False)
    tr: Callable[[str], str] = field(init=False)

    def __post_init__(self) -> None:
        self.departments = {d.id for d in self.spec.departments} | {d.name for d in self.spec.departments}
        self.tr = translator(self.spec.meeting.language).gettext

    def error(self, path: tuple[str | int, ...], message: str) -> None:
        self.errors.append(self.located.error(path, message))

    def item(self, i: int, it: ItemSpec) -> Item | None:
        item_id = it.id or f"item-{i + 1}"
        if item_id in self.seen:
            self.error(
                ("items", i, "id"),
                _('"{id}" is already the id of item {n}; ids must be unique').format(id=item_id, n=self.seen[item_id] + 1),
            )
        self.seen.setdefault(item_id, i)
        self.check_department(i, it)
        limit = it.limit or DEFAULT_LIMITS.get(it.kind)
        if limit is None:
            self.errors.append(
                self.located.error(
                    ("items", i),
                    _('a {kind} item needs a time limit, e.g. "limit: 20m"').format(kind=it.kind),
                )._with_field(("items", i, "limit"))
            )
            return None
        if it.warning is not None and it.warning >= limit:
            self.error(
                ("items", i, "warning"),
                _("a warning {w} before the end is not shorter than the limit of {l}; "
                  "give a shorter warning, e.g. {hint}").format(
                    w=format_duration(it.warning),
                    l=format_duration(limit),
                    hint=format_duration(default_warning(limit)),
                ),
            )
        if isinstance(it, VoteSpec):
            self.check_vote(i, it)
        if isinstance(it, QASpec):
            self.check_qa(i, it)
        return Item(
            position=i + 1,
            id=item_id,
            kind=it.kind,
            title=self.tr("Break") if isinstance(it, BreakSpec) and it.title == "break" else it.title,
            presenter=it.presenter,
            department=it.department or "",
            limit=limit,
            warning=self.warning(it, limit),
            alarm_repeat=it.alarm_repeat or self.spec.meeting.alarm_repeat,
            points=self.points(it),
            notes=it.notes,
            qa=it if isinstance(it, QASpec) else None,
            vote=it if isinstance(it, VoteSpec) else None,
        )

    def warning(self, it: BaseItemSpec, limit: int) -> int:
        # The item's own warning is checked against its limit above; the meeting's default
        # applies only to the items it fits.
        if it.warning is not None:
            return it.warning
        meeting = self.spec.meeting.warning
        if meeting is not None and meeting < limit:
            return meeting
        return default_warning(limit)

    def points(self, it: ItemSpec) -> tuple[str, ...]:
        if isinstance(it, ReportSpec):
            return tuple(it.points) if it.points is not None else default_points(self.spec.meeting.language)
        if isinstance(it, RemarksSpec | DiscussionSpec):
            return tuple(it.points)
        return ()

    def check_messages(self) -> None:
        messages = self.spec.meeting.messages
        if messages is not None and len(messages) != 3:
            self.error(
                ("meeting", "messages"),
                _("give exactly three messages, for keys 1, 2 and 3 (this list has {n})").format(n=len(messages)),
            )

    def check_department(self, i: int, it: ItemSpec) -> None:
        if it.department and self.departments and it.department not in self.departments:
            near = difflib.get_close_matches(it.department, sorted(self.departments), n=1)
            hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
            self.error(
                ("items", i, "department"),
                _('"{dep}" is not one of the departments listed under `departments`').format(dep=it.department)
                + hint,
            )

    def check_unique(self, path: tuple[str | int, ...], ids: list[str]) -> None:
        seen: set[str] = set()
        for n, ident in enumerate(ids):
            if ident in seen:
                self.error((*path, n, "id"), _('"{id}" is used twice; ids must be unique').format(id=ident))
            seen.add(ident)

    def check_vote(self, i: int, it: VoteSpec) -> None:
        self.check_unique(("items", i, "candidates"), candidate_ids(it))
        group_ids = {g.id for g in self.spec.groups}
        for n, gid in enumerate(it.groups or []):
            if gid not in group_ids:
                self.error(
                    ("items", i, "groups", n),
                    _('"{id}" is not one of the working groups listed under `groups`').format(id=gid),
                )
        if it.group_vote and not (it.groups or self.spec.groups):
            self.error(("items", i, "group_vote"), _("groups vote as groups, but no working groups are listed"))
        if it.seats > len(it.candidates):
            self.error(
                ("items", i, "seats"),
                _("{seats} seats but only {n} candidates; lower the seats or add candidates").format(
                    seats=it.seats, n=len(it.candidates)
                ),
            )

    def check_qa(self, i: int, it: QASpec) -> None:
        known = [r.name for r in self.spec.representatives]
        for n, ref in enumerate(it.representatives or []):
            if isinstance(ref, str) and ref not in known:
                near = difflib.get_close_matches(ref, known, n=1)
                hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
                self.error(
                    ("items", i, "representatives", n),
                    _('"{name}" is not listed under `representatives`; list them there or give '
                      "{{name: ..., area: ...}} here").format(name=ref)
                    + hint,
                )
        for n, answerer in enumerate(it.answerers):
            if self.departments and answerer.department not in self.departments:
                self.error(
                    ("items", i, "answerers", n, "department"),
                    _('"{dep}" is not one of the departments listed under `departments`').format(
                        dep=answerer.department
                    ),
                )
        warning = it.answer_warning
        if warning is not None and warning >= it.answer_limit:
            self.error(
                ("items", i, "answer_warning"),
                _("a warning {w} before the end is not shorter than the limit of {l}; give a shorter "
                  "warning, e.g. {hint}").format(
                    w=format_duration(warning), l=format_duration(it.answer_limit),
                    hint=format_duration(max(1, it.answer_limit // 2)),
                ),
            )
