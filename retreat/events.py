"""What can happen in a meeting. The log of these is the meeting; everything else is a projection."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    MEETING_OPENED = "meeting_opened"
    PROCESS_STARTED = "process_started"  # a run of the program began: marks downtime after a crash
    CURRENT_CHANGED = "current_changed"
    ITEM_STARTED = "item_started"
    ITEM_PAUSED = "item_paused"
    ITEM_RESUMED = "item_resumed"
    ITEM_ADJUSTED = "item_adjusted"  # limit extended (+) or shortened (-)
    ITEM_ENDED = "item_ended"
    ITEM_SKIPPED = "item_skipped"
    WARNING_REACHED = "warning_reached"
    TIME_UP = "time_up"
    ALARM_REPEATED = "alarm_repeated"
    ALARM_SILENCED = "alarm_silenced"
    POINT_TICKED = "point_ticked"
    NOTE_ADDED = "note_added"
    # Questions from the grassroots (retreat.qa)
    ASKERS_ORDERED = "askers_ordered"  # the draw order, with its seed
    ASKER_DRAWN = "asker_drawn"
    QUESTION_ASKED = "question_asked"  # starts the answer countdown
    QUESTION_ANSWERED = "question_answered"
    QUESTION_EDITED = "question_edited"
    QUESTION_WITHDRAWN = "question_withdrawn"
    FOLLOWUP_PROGRESS = "followup_progress"
    FOLLOWUP_DONE = "followup_done"
    # Live votes (retreat.votes)
    BALLOT_CAST = "ballot_cast"
    BALLOT_UNDONE = "ballot_undone"
    VOTE_CLOSED = "vote_closed"
    RESULT_REVEALED = "result_revealed"  # with the seed any lot used
    TIE_DECIDED = "tie_decided"  # the chair's decision
    RUNOFF_OPENED = "runoff_opened"
    BALLOTS_EXPORTED = "ballots_exported"  # {vote, format}: `retreat ballots --before-reveal`, before its reveal
    MEETING_ENDED = "meeting_ended"
    # Run on a day other than `meeting.date`: {rehearsal: bool}. False: the meeting itself, held
    # on another day. Asked once per session; the minutes of a rehearsal say so.
    REHEARSAL_ANSWERED = "rehearsal_answered"
    MINUTES_APPROVED = "minutes_approved"
    # Participation from phones (retreat.web): codes stored hashed, never in clear
    CODES_ISSUED = "codes_issued"  # {salt, hashes, group}
    PIN_SET = "pin_set"  # {pin}: the meeting's PIN, for agendas whose phones join with a PIN
    CODE_REVOKED = "code_revoked"  # {hash}
    BALLOT_REPLACED = "ballot_replaced"  # a phone changed its ballot while the vote is open
    QUESTION_PROPOSED = "question_proposed"  # from a phone: waits for the facilitator
    PROPOSAL_DECIDED = "proposal_decided"  # accepted, merged (into another) or rejected


@dataclass(frozen=True, slots=True)
class Stamp:
    """When: wall clock (survives restarts), monotonic (exact within one run), and which run."""

    at: float
    mono: float
    run: int

    def seconds_since(self, earlier: Stamp) -> float:
        """Monotonic difference within one run; wall difference across a restart."""
        if self.run == earlier.run:
            return self.mono - earlier.mono
        return self.at - earlier.at


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    stamp: Stamp
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0  # assigned by the store when committed

    @property
    def item(self) -> str | None:
        value = self.data.get("item")
        return value if isinstance(value, str) else None
