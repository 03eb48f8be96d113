"""The agenda: YAML -> validated, typed `Agenda` (what is planned; the log says what happened).

Reading an agenda is four steps, one module each, in the order they run:
- `yaml`: the bytes to located data, refusing unsafe or oversized files;
- `schema`: the format (`version: 1`) as pydantic models, also printed by `retreat schema`;
- `messages`: pydantic's errors said again as sentences naming file, line, column and field;
- `resolve`: defaults filled in and cross-references checked, giving the `types` values
  (`Agenda`, `Item`) that the rest of retreat reads.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from retreat.agenda import yaml as agenda_yaml
from retreat.agenda.messages import check_top_level, pydantic_error
from retreat.agenda.resolve import default_points, resolve_agenda
from retreat.agenda.schema import (
    DEFAULT_ALARM_REPEAT,
    DURATION_HINT,
    FORMAT_VERSION,
    VOTE_METHODS,
    AgendaSpec,
    Answerer,
    BreakSpec,
    Candidate,
    Department,
    DiscussionSpec,
    Group,
    ItemSpec,
    MeetingSpec,
    Person,
    QASpec,
    RemarksSpec,
    ReportSpec,
    Representative,
    VoteSpec,
    json_schema,
)
from retreat.agenda.sheets import expand_candidate_files
from retreat.agenda.types import (
    DEFAULT_LIMITS,
    DEFAULT_WARNING,
    KIND_LABELS,
    KINDS,
    Agenda,
    Item,
    ItemKind,
    candidate_ids,
    default_warning,
    qa_answer_timing,
    qa_representatives,
)
from retreat.errors import AgendaError, AgendaErrors
from retreat.i18n import _

__all__ = [
    "DEFAULT_ALARM_REPEAT", "DEFAULT_LIMITS", "DEFAULT_WARNING", "DURATION_HINT", "FORMAT_VERSION",
    "KINDS", "KIND_LABELS", "VOTE_METHODS", "Agenda", "AgendaSpec", "Answerer", "BreakSpec",
    "Candidate", "Department", "DiscussionSpec", "Group", "Item", "ItemKind", "ItemSpec",
    "MeetingSpec", "Person", "QASpec", "RemarksSpec", "ReportSpec", "Representative", "VoteSpec",
    "candidate_ids", "default_points", "default_warning", "json_schema", "load", "loads",
    "qa_answer_timing", "qa_representatives",
]


def load(path: Path | str) -> Agenda:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AgendaError(_("no such file"), file=str(path)) from None
    except IsADirectoryError:
        raise AgendaError(_("this is a folder, not an agenda file"), file=str(path)) from None
    except OSError as e:
        raise AgendaError(_("cannot read the file: {reason}").format(reason=e.strerror), file=str(path)) from None
    return loads(raw, str(path))


def loads(raw: bytes | str, file: str = "<agenda>") -> Agenda:
    text = agenda_yaml.read_text(raw.encode("utf-8") if isinstance(raw, str) else raw, file)
    located = agenda_yaml.parse(text, file)
    check_top_level(located)
    if "file:" in text:  # cheap test first: replaying a session re-reads its agenda often
        text = expand_candidate_files(located, text)
    try:
        spec = AgendaSpec.model_validate(located.data)
    except ValidationError as e:
        raise AgendaErrors([pydantic_error(located, err) for err in e.errors()]) from None
    return resolve_agenda(spec, located, text)
