"""The phone pages: plain HTML, inline CSS and a few lines of inline JS; no external asset.

Every page is in the meeting's language. Every value shown is escaped here; forms carry
the phone's CSRF token and an idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from retreat.i18n import N_

Tr = Callable[[str], str]

CSS = """
*{box-sizing:border-box}body{font:18px/1.45 system-ui,-apple-system,"Noto Sans CJK SC","PingFang SC",sans-serif;
margin:0;padding:16px;max-width:560px;margin:auto;color:#111;background:#f6f6f4}
h1{font-size:1.35em;margin:.2em 0 .6em}p{margin:.5em 0}
.card{background:#fff;border-radius:12px;padding:14px;margin:0 0 14px;box-shadow:0 1px 3px #0002}
button,.btn{display:block;width:100%;font:inherit;padding:14px;margin:8px 0;border-radius:10px;border:1px solid #999;
background:#fff;text-align:left;color:#111;text-decoration:none}
button.primary,.btn.primary{background:#b3261e;color:#fff;border-color:#b3261e;text-align:center;font-weight:600}
button.cand[data-rank]:not([data-rank=""]){background:#fde7e4;border-color:#b3261e}
.rank{display:inline-block;min-width:1.8em;font-weight:700;color:#b3261e}
input[type=text],textarea,select{width:100%;font:inherit;padding:12px;border-radius:10px;border:1px solid #999}
textarea{min-height:7em}.ok{background:#e6f4ea;border:1px solid #1e7e34}.err{background:#fdecea;border:1px solid #b3261e}
.small{font-size:.85em;color:#555}ol{padding-left:1.6em}
"""

RANK_JS = """
(function(){var f=document.getElementById('ballot');if(!f)return;var box=f.querySelector('input[name=ranking]');
var order=box.value.split(/\\s+/).filter(Boolean);var max=+f.dataset.ranks;
document.getElementById('typed').style.display='none';var list=document.getElementById('order');
function show(){f.querySelectorAll('button.cand').forEach(function(b){var i=order.indexOf(b.dataset.n);
b.dataset.rank=i<0?'':i+1;b.querySelector('.rank').textContent=i<0?'':(i+1)+'.';});box.value=order.join(' ');
list.innerHTML='';order.forEach(function(n){var li=document.createElement('li');
li.textContent=f.querySelector('button[data-n="'+n+'"] .t').textContent;list.appendChild(li);});
f.querySelector('button.primary').disabled=!order.length;}
f.querySelectorAll('button.cand').forEach(function(b){b.addEventListener('click',function(e){e.preventDefault();
var i=order.indexOf(b.dataset.n);if(i<0){if(order.length<max)order.push(b.dataset.n);}else order.splice(i,1);show();});});
document.getElementById('clear').addEventListener('click',function(e){e.preventDefault();order=[];show();});show();})();
"""


def page(lang: str, title: str, body: str, script: str = "") -> str:
    js = f"<script>{script}</script>" if script else ""
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>{body}{switch(lang)}{js}</body></html>"
    )


def switch(lang: str) -> str:
    """The other language, named in itself: a phone whose owner reads it better."""
    to, name = ("en", "English") if lang == "zh-CN" else ("zh-CN", "中文")
    return f'<p class="small lang"><a href="/lang?to={to}" hreflang="{to}" lang="{to}">{name}</a></p>'


def hidden(**fields: str) -> str:
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())


def join(t: Tr, lang: str, meeting: str, csrf: str, error: str = "", *, pin: bool = False, typed: str = "") -> str:
    """The code (or, for a `join: pin` meeting, the PIN shown on the screen; the QR code fills it in)."""
    err = f'<div class="card err">{escape(error)}</div>' if error else ""
    if pin:
        ask = t("Type the PIN shown on the screen.")
        field = (f'<input type=text name=code maxlength=12 autocomplete=off inputmode=numeric pattern="[0-9 ]*" '
                 f'placeholder="123456" required aria-label="PIN" value="{escape(typed)}">')
    else:
        ask = t("Type the code on your slip.")
        field = ('<input type=text name=code maxlength=20 autocomplete=off autocapitalize=characters '
                 'inputmode=text placeholder="ABCD-EFGH" required aria-label="code">')
    return page(lang, t("Join"), (
        f"<h1>{escape(meeting)}</h1>{err}<form class=card method=post action=/join>"
        f"<p>{escape(ask)}</p>{hidden(csrf=csrf)}{field}"
        f"<button class=primary type=submit>{escape(t('Join'))}</button></form>"
    ))


def home(t: Tr, lang: str, meeting: str, vote_title: str | None, notice: str = "") -> str:
    note = f'<div class="card ok">{escape(notice)}</div>' if notice else ""
    vote = (f'<a class="btn primary" href=/vote>{escape(t("Vote: {title}").format(title=vote_title))}</a>' if vote_title
            else f'<p class=small>{escape(t("No vote is open just now."))}</p>')
    return page(lang, meeting, (
        f"<h1>{escape(meeting)}</h1>{note}<div class=card>{vote}"
        f'<a class=btn href=/ask>{escape(t("Send a question"))}</a>'
        f'<a class=btn href=/>{escape(t("Refresh"))}</a></div>'
    ))


def ballot(t: Tr, lang: str, *, title: str, vote_key: str, titles: Sequence[str], ranking: Sequence[int],
           ranks: int, csrf: str, key: str, groups: Sequence[tuple[str, str]], received: bool,
           error: str = "") -> str:
    status = ""
    if received:
        status = f'<div class="card ok" id=received>{escape(t("Received. You may change your ballot until the vote closes."))}</div>'
    if error:
        status += f'<div class="card err">{escape(error)}</div>'
    buttons = "".join(
        f'<button type=button class=cand data-n="{n}"><span class=rank></span>'
        f'<span class=t>{escape(title_)}</span></button>'
        for n, title_ in enumerate(titles, 1)
    )
    group = ""
    if groups:
        options = "".join(f'<option value="{escape(g)}">{escape(name)}</option>' for g, name in groups)
        group = f"<p>{escape(t('Your working group'))}</p><select name=group>{options}</select>"
    typed = " ".join(str(n) for n in ranking)
    chosen = "".join(f"<li>{escape(titles[n - 1])}</li>" for n in ranking)
    hint = t("Tap the candidates in order of preference (at most {k}); tap again to take one out.").format(k=ranks)
    body = (
        f"<h1>{escape(title)}</h1>{status}"
        f'<form id=ballot class=card method=post action=/vote data-ranks="{ranks}">'
        f"{hidden(csrf=csrf, key=key, vote=vote_key)}<p>{escape(hint)}</p>{buttons}"
        f'<div id=typed><p class=small>{escape(t("Or type the numbers in order, e.g. 3 1 2"))}</p>'
        f'<input type=text name=ranking maxlength=200 value="{escape(typed)}"></div>'
        f"<p>{escape(t('Your ranking'))}:</p><ol id=order>{chosen}</ol>{group}"
        f'<button class=primary type=submit>{escape(t("Submit my ballot"))}</button>'
        f'<button type=button id=clear>{escape(t("Start again"))}</button></form>'
        f'<a class=btn href=/>{escape(t("Back"))}</a>'
    )
    return page(lang, title, body, RANK_JS)


def ask(t: Tr, lang: str, *, csrf: str, key: str, received: bool, error: str = "") -> str:
    status = f'<div class="card ok" id=received>{escape(t("Received. The facilitator will see your question."))}</div>' if received else ""
    if error:
        status += f'<div class="card err">{escape(error)}</div>'
    return page(lang, t("Send a question"), (
        f"<h1>{escape(t('Send a question'))}</h1>{status}<form class=card method=post action=/ask>"
        f"{hidden(csrf=csrf, key=key)}<p>{escape(t('What do you most want the street to address this year?'))}</p>"
        f"<textarea name=text maxlength=500 required></textarea>"
        f'<button class=primary type=submit>{escape(t("Send"))}</button></form>'
        f'<a class=btn href=/>{escape(t("Back"))}</a>'
    ))


def refusal(t: Tr, lang: str, title: str, message: str) -> str:
    return page(lang, title, (
        f'<h1>{escape(title)}</h1><div class="card err"><p>{escape(message)}</p></div>'
        f'<a class=btn href=/>{escape(t("Back"))}</a>'
    ))


def desk(t: Tr, lang: str, *, token: str, csrf: str, proposals: Sequence[tuple[int, str, str]],
         pin: str = "") -> str:
    """The facilitator's page: the phone questions to decide; revoking a code (no codes with a PIN)."""
    labels = {"proposed": t("waiting"), "accepted": t("accepted"), "merged": t("merged"),
              "rejected": t("rejected")}
    rows = []
    for pid, text, status in proposals:
        actions = ""
        if status == "proposed":
            actions = (
                f'<form method=post action="/desk?t={escape(token)}">{hidden(csrf=csrf, pid=str(pid))}'
                f'<button name=decision value=accepted>{escape(t("Accept"))}</button>'
                f'<button name=decision value=rejected>{escape(t("Reject"))}</button>'
                f'<input type=text name=into inputmode=numeric placeholder="#" maxlength=6>'
                f'<button name=decision value=merged>{escape(t("Merge into the number above"))}</button></form>'
            )
        rows.append(f'<div class=card><p><b>#{pid}</b> {escape(text)}</p><p class=small>{escape(labels.get(status, status))}</p>{actions}</div>')
    revoke = (
        f'<form class=card method=post action="/desk?t={escape(token)}">{hidden(csrf=csrf)}'
        f'<p>{escape(t("Revoke a code (lost or shared slip)"))}</p>'
        f'<input type=text name=revoke maxlength=20 autocomplete=off placeholder="ABCD-EFGH">'
        f'<button type=submit>{escape(t("Revoke"))}</button></form>'
    ) if not pin else f'<p class="card small">{escape(t("PIN for this meeting: {pin}").format(pin=pin))}</p>'
    empty = f"<p>{escape(t('No questions yet.'))}</p>" if not rows else ""
    return page(lang, t("Questions from phones"), (
        f"<h1>{escape(t('Questions from phones'))}</h1>{empty}{''.join(rows)}"
        f'<a class=btn href="/desk?t={escape(token)}">{escape(t("Refresh"))}</a>{revoke}'
    ))


# Message extraction cannot see inside f-strings: the page texts are listed here for it.
_PAGE_TEXTS = (
    N_("Revoke a code (lost or shared slip)"),
    N_("Revoke"),
    N_('Join'),
    N_('Type the code on your slip.'),
    N_('Vote'),
    N_('Vote: {title}'),
    N_('No vote is open just now.'),
    N_('Send a question'),
    N_('Refresh'),
    N_('Received. You may change your ballot until the vote closes.'),
    N_('Your working group'),
    N_('Tap the candidates in order of preference (at most {k}); tap again to take one out.'),
    N_('Or type the numbers in order, e.g. 3 1 2'),
    N_('Your ranking'),
    N_('Submit my ballot'),
    N_('Start again'),
    N_('Back'),
    N_('Received. The facilitator will see your question.'),
    N_('What do you most want the street to address this year?'),
    N_('Send'),
    N_('waiting'),
    N_('accepted'),
    N_('merged'),
    N_('rejected'),
    N_('Accept'),
    N_('Reject'),
    N_('Merge into the number above'),
    N_('No questions yet.'),
    N_('Questions from phones'),
)
