"""Meetings caught at a moment the room's screens draw (/timer, /agenda, /stage), on a fake
clock: a report in its warning with a message to the speaker, a question being answered, a
vote revealed. The browser tests and the README's screenshots use them."""

from __future__ import annotations

import random
from pathlib import Path

from retreat import agenda as agenda_mod
from retreat import i18n
from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.paths import bundled_agenda

TOKEN = "podium-view-token-2026"
SCENES = ("report", "qa", "vote")


def scene(folder: Path, lang: str, name: str) -> Session:
    """The bundled demo agenda in `lang` (zh-CN or en), played up to the moment `name`."""
    i18n.set_language(lang)
    clock = FakeClock()
    agenda = agenda_mod.load(bundled_agenda(lang))
    session = Session.create(folder / f"{name}-{lang}.retreat", agenda, clock)
    session.handle(Cmd.SET_VIEW_TOKEN, TOKEN)
    session.handle(Cmd.START)
    clock.advance(200)  # the opening ran 20 s over
    session.handle(Cmd.NEXT)
    session.handle(Cmd.START)
    if name == "report":
        clock.advance(7 * 60 - 42)  # 42 s left: the warning
        session.tick()
        session.handle(Cmd.MESSAGE, 2)
        return session
    clock.advance(7 * 60)
    session.handle(Cmd.GOTO, "grassroots-qa")
    session.handle(Cmd.START)
    clock.advance(240)
    session.handle(Cmd.DRAW, 7)
    dep = agenda.departments[3].id
    session.handle(Cmd.ASK, {"text": "物业管理委员会必须有党员吗？如果选不出来怎么办？" if lang == "zh-CN" else
                             "Must the property-management committee include party members? What if none are elected?",
                             "department": dep})
    clock.advance(75)
    if name == "qa":
        return session
    session.handle(Cmd.ANSWER, {"answer": "…", "outcome": "answered", "satisfaction": "satisfied"})
    session.handle(Cmd.GOTO, "livelihood-vote")
    session.handle(Cmd.START)
    rng = random.Random(3)
    n = len(session.state.vote().candidates)
    for group in agenda.groups:
        for _member in range(6):
            ranking = " ".join(str(x) for x in rng.sample(range(1, n + 1), 5))
            session.handle(Cmd.CAST, {"ballot": f"{rng.getrandbits(64):016x}", "ranking": ranking,
                                      "group": group.id})
    clock.advance(300)
    session.handle(Cmd.REVEAL, {"scope": "all", "seed": 2026})
    return session
