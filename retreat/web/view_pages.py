"""The room's screens as pages: the podium timer, the agenda, the stage in a browser.

Each is one self-contained page (inline CSS and JS, no font file: the fonts are CSS font
stacks, the device's own CJK fonts included) that opens its event stream at its own path
plus `/events` and draws every event it gets. Between events it counts the seconds itself
from `remaining` and the moment the event arrived; when it has heard nothing for 8 s it
says so (连接中断) and keeps reconnecting. Keys typed into a page do nothing: the terminal
is the keyboard.
"""

from __future__ import annotations

import json
from html import escape

from retreat.i18n import _, language

FONTS = ('system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC",'
         '"PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif')
# Digits of one width (tabular-nums) in a plain sans face: a slashed or dotted monospace zero
# reads badly from the back of a hall.
DIGIT_FONTS = ('"Helvetica Neue",Helvetica,Arial,"DejaVu Sans","Liberation Sans","Noto Sans","Noto Sans CJK SC",'
               '"PingFang SC","Microsoft YaHei",sans-serif')

# The stage's colours (retreat/ui/stage.py DIGIT_STYLES, FLASH_SCREEN): green, yellow, red, and
# white on red for the overtime flash.
CSS = """
*{box-sizing:border-box}html,body{margin:0;height:100%}
body{font-family:FONTS;background:#000;color:#f2f2f2;overflow:hidden}
[hidden]{display:none!important}
.lost{position:fixed;top:0;left:0;right:0;z-index:9;background:#ffd60a;color:#000;text-align:center;
font-weight:700;font-size:max(18px,3.2vmin);padding:.3em}
.digits{display:inline-block;font-family:DIGITS;font-variant-numeric:tabular-nums;font-weight:700;
line-height:1;white-space:nowrap;font-size:min(30vw,40vh);letter-spacing:0}
.ready .digits{color:#f2f2f2}.running .digits{color:#3ddc84}.warning .digits{color:#ffd60a}
.overtime .digits{color:#ff453a}.paused .digits{opacity:.55}.ended .digits{color:#9a9a9a}
body.flash{background:#c00000}body.flash .digits{color:#fff}
.dim{color:#a8a8a8}.msg{background:#ffd60a;color:#000;font-weight:800;border-radius:.25em;padding:.15em .5em;
display:inline-block}
"""

TIMER_CSS = """
.page{display:flex;flex-direction:column;align-items:center;justify-content:space-between;height:100vh;
height:100dvh;padding:2vmin 3vw;text-align:center}
.top{width:100%;display:flex;justify-content:space-between;font-size:max(14px,2.2vmin);color:#a8a8a8}
.head{width:100%}
h1{font-size:min(7vw,6.5vh);margin:.2em 0 .1em;line-height:1.2;overflow-wrap:anywhere}
.who{font-size:min(5vw,4.2vh);color:#cfcfcf}
.label{font-size:min(5vw,4vh);font-weight:700;min-height:1.2em;margin:.2em 0}
.warning .label{color:#ffd60a}.overtime .label{color:#ff453a}body.flash .label{color:#fff}
.msg{font-size:min(8vw,7.5vh);margin:.2em 0;max-width:100%;overflow-wrap:anywhere}
.next{font-size:min(4.2vw,3.6vh);color:#bdbdbd;overflow-wrap:anywhere;margin-bottom:.5vh}
.mid{width:100%}
"""

AGENDA_CSS = """
body{background:#f4f4f1;color:#111;overflow:auto}
.page{max-width:1100px;margin:0 auto;padding:14px 14px 40px}
h1{font-size:1.35em;margin:.2em 0}.sched{font-weight:600;margin:.2em 0 .6em}
.behind{color:#b3261e}.ahead{color:#1e7e34}
.now{background:#111;color:#fff;border-radius:12px;padding:12px 14px;margin:0 0 12px;display:flex;
align-items:center;justify-content:space-between;gap:12px}
.now .t{font-weight:700;font-size:1.1em;overflow-wrap:anywhere}.now .digits{font-size:2.4em}
.rows{list-style:none;margin:0;padding:0}
.row{display:grid;grid-template-columns:1.8em 1fr;gap:2px 8px;background:#fff;border-radius:10px;
padding:10px 12px;margin:0 0 8px;box-shadow:0 1px 2px #0002;align-items:start}
.row .n{font-weight:700;color:#777}.row .t{font-weight:600;overflow-wrap:anywhere}.row .p{color:#555;font-size:.9em}
.row .times{grid-column:2;display:flex;flex-wrap:wrap;gap:0 .9em;font-size:.9em;font-variant-numeric:tabular-nums;
color:#333}
@media (min-width:700px){.row{grid-template-columns:2em 1fr auto;gap:4px 16px}
.row .times{grid-column:3;display:block;text-align:right;white-space:nowrap}}
.row.cur{outline:3px solid #b3261e;background:#fff4f2}.row.cur .n{color:#b3261e}
.row.past{opacity:.62}.row .st{font-weight:600}.row .over{color:#b3261e;font-weight:700}
.chosen{background:#fff;border-radius:12px;padding:10px 14px;margin:14px 0;border:2px solid #1e7e34}
.chosen h2{font-size:1.1em;margin:.2em 0}.lost{font-size:18px}
body{font-size:17px}
@media (min-width:1200px){body{font-size:24px}}
"""

STAGE_CSS = """
.page{display:flex;flex-direction:column;height:100vh;height:100dvh;padding:1.5vh 2.5vw}
.bar{display:flex;justify-content:space-between;gap:2vw;font-size:max(14px,2.8vmin);color:#bdbdbd;align-items:center}
.bar .msg{font-size:max(18px,4.2vmin);white-space:nowrap}
main{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:space-evenly;text-align:center;
min-height:0;overflow:hidden}.bar .right{display:flex;gap:2vw;align-items:center}
h1{font-size:min(5.5vw,6.5vh);margin:.1em 0;line-height:1.2}.who{font-size:min(3.6vw,4vh);color:#cfcfcf}
.label{font-size:min(3.4vw,4vh);font-weight:700;min-height:1.2em}
.warning .label{color:#ffd60a}.overtime .label{color:#ff453a}
.points{font-size:max(14px,min(2.6vw,3.2vh));text-align:left;margin:.4em 0}.points .done{color:#777;text-decoration:line-through}
footer{font-size:max(13px,min(2.4vw,3vh));color:#bdbdbd;display:flex;justify-content:space-between;gap:2vw;flex-wrap:wrap}
.q{font-size:max(16px,min(3.6vw,4.4vh));max-width:90vw;margin:.2em 0}.qa-who{font-size:max(16px,min(3.2vw,4vh));font-weight:700}
.small{font-size:max(14px,min(2.4vw,3vh));color:#bdbdbd}
.vt{font-size:max(18px,min(3.2vw,4vh));font-weight:700;margin:.1em 0}
.chosenline{font-size:max(15px,min(2.3vw,2.9vh));font-weight:700;color:#3ddc84}.rule{font-size:min(2vw,2.6vh);color:#bdbdbd;max-width:90vw}
.choices{display:grid;grid-template-columns:repeat(auto-fit,minmax(28vw,1fr));gap:.3em 2vw;text-align:left;
font-size:min(2.6vw,3.4vh);width:92vw;margin:.5em 0}
.groups{font-size:min(2.4vw,3vh);display:flex;flex-wrap:wrap;gap:.3em 2vw;justify-content:center}
.bars{width:92vw;font-size:min(2.2vw,2.7vh);text-align:left;line-height:1.25}
.barrow{display:grid;grid-template-columns:2.5em 1fr 40vw 5em;gap:1vw;align-items:center;margin:.1em 0}
.barrow .fill{height:1em;background:#3a7bd5}.barrow.winner .fill,.barrow.elected .fill{background:#3ddc84}
.barrow.tied .fill{background:#ffd60a}.barrow.out{color:#888}.barrow .v{text-align:right}
"""

SCRIPT = r"""
(function(){
var view=document.body.getAttribute('data-view');var L=JSON.parse(document.getElementById('labels').textContent);
var data=null,at=0,heard=0,src=null,shownLen={},shownItem=null;
function $(id){return document.getElementById(id);}
function txt(id,s){var e=$(id);if(e&&e.textContent!==(s||''))e.textContent=s||'';}
function show(id,on){var e=$(id);if(e)e.hidden=!on;}
function two(n){return (n<10?'0':'')+n;}
function clock(s){s=Math.floor(Math.abs(s));var h=Math.floor(s/3600),m=Math.floor(s%3600/60),x=s%60;
return h?h+':'+two(m)+':'+two(x):two(m)+':'+two(x);}
function left(c){return c.running?c.remaining-(performance.now()-at)/1000:c.remaining;}
function digits(c){if(!c.running)return c.digits;var r=left(c);return r>0?clock(Math.ceil(r)):'+'+clock(Math.floor(-r));}
function state(c){if(!c.running)return c.state;var r=left(c);return r<=0?'overtime':(r<=c.warning?'warning':'running');}
function lit(c){if(!c||!c.running)return false;var r=left(c);if(r>0)return false;
if(c.state==='overtime'&&!c.alarm)return false;return Math.floor(-r/0.5)%2===0;}
function fit(el,wf,hf){var key=el.textContent.length+'/'+innerWidth+'x'+innerHeight;if(shownLen[el.id]===key)return;
el.style.fontSize='100px';var w=el.getBoundingClientRect().width;if(!w)return;shownLen[el.id]=key;
el.style.fontSize=Math.floor(Math.min(wf*innerWidth*100/w,hf*innerHeight))+'px';}
function big(c){return view==='timer'&&data.answer?data.answer:c;}
function paint(){if(!data)return;var c=big(data),s=state(c),page=$('page');
if(page.getAttribute('data-state')!==s){page.className='page '+s;page.setAttribute('data-state',s);}
var d=$('digits');if(d){var t=digits(c);if(d.textContent!==t)d.textContent=t;
if(view==='timer')fit(d,0.9,0.4);else if(view==='stage')fit(d,0.9,data.points&&data.points.length?0.34:0.42);}
var a=$('adigits');if(a&&data.answer){var at2=digits(data.answer);if(a.textContent!==at2)a.textContent=at2;fit(a,0.9,0.26);
$('aband').className=state(data.answer);}
txt('label',s==='ready'||s==='running'?(view==='timer'&&data.answer?L.answer:''):L[s]);
if(view==='stage'&&data.qa)txt('segment',L.segment.replace('{clock}',digits(data)));
var f=lit(c)||(view==='stage'&&data.answer&&lit(data.answer));
if(document.body.classList.contains('flash')!==f)document.body.classList.toggle('flash',f);}
function render(d){data=d;at=performance.now();txt('meeting',d.meeting);txt('tod',d.time);
txt('pos',d.position+'/'+d.count+(d.kind_label?' · '+d.kind_label:''));
txt('title',d.title);txt('who',view==='timer'&&d.answer?d.answering:d.presenter);txt('next',d.next_line);txt('sched',d.schedule);
var m=$('msg');if(m){txt('msg',d.message);show('msg',!!d.message);}
if(view==='agenda')rows(d);if(view==='stage')stage(d);paint();}
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=text;return e;}
function rows(d){var s=$('sched');s.className='sched '+(d.ended?'':(d.behind>0?'behind':(d.behind<0?'ahead':'')));
var ol=$('rows');ol.textContent='';var past=true;
d.rows.forEach(function(r){if(r.current)past=false;var li=el('li','row'+(r.current?' cur':'')+(past&&!r.current&&!d.ended?' past':''));
li.appendChild(el('span','n',r.number));var main=el('div','main');main.appendChild(el('div','t',r.title));
if(r.presenter)main.appendChild(el('div','p',r.presenter));li.appendChild(main);var tm=el('div','times');
tm.appendChild(el('div','',L.planned+' '+r.planned_start+' · '+r.planned));
if(r.start)tm.appendChild(el('div','',L.start+' '+r.start+(r.slip?' ('+r.slip+')':'')));
if(r.actual)tm.appendChild(el('div',r.overrun?'over':'',L.run+' '+r.actual));
tm.appendChild(el('div','st',r.state));li.appendChild(tm);ol.appendChild(li);});
var ch=$('chosen');ch.textContent='';(d.chosen||[]).forEach(function(c){var box=el('div','chosen');
box.appendChild(el('h2','',L.chosen+' · '+c.title));var l=el('ol');c.chosen.forEach(function(t){l.appendChild(el('li','',t));});
box.appendChild(l);ch.appendChild(box);});show('nowcard',!d.ended);
if(shownItem!==d.item){shownItem=d.item;var cur=ol.querySelector('.cur');if(cur&&cur.scrollIntoView)cur.scrollIntoView({block:'center'});}}
function stage(d){show('timing',d.screen==='timing');show('qa',d.screen==='qa');show('vote',d.screen==='vote');
var p=$('points');p.textContent='';(d.points||[]).forEach(function(x){p.appendChild(el('li',x.ticked?'done':'',x.text));});
if(d.qa){var q=d.qa;txt('asker',[q.asker,q.area].filter(Boolean).join(' · '));txt('ordinal',q.ordinal);txt('question',q.question);
txt('answering',q.answering);txt('result',q.result);txt('tally',q.tally);show('aband',!!d.answer);}
if(d.vote){var v=d.vote;txt('vtitle',v.title);txt('vrule',v.rule);txt('vtotal',v.total);txt('vstatus',v.status);
var o=v.outcome;show('choices',!o);show('outcome',!!o);show('groups',!o);show('vtotal',!o);var cs=$('choices');cs.textContent='';
v.choices.forEach(function(c){cs.appendChild(el('div','',c.number+'. '+c.title));});
var g=$('groups');g.textContent='';v.groups.forEach(function(x){g.appendChild(el('span','',x.name+' '+x.received+(x.size?'/'+x.size:'')));});
if(o){txt('oheading',o.heading);txt('omeasure',o.measure);txt('ochosen',o.chosen);txt('otie',o.tie);
var b=$('bars');b.textContent='';o.bars.forEach(function(x){var r=el('div','barrow '+x.state);r.appendChild(el('span','',x.place));
r.appendChild(el('span','',x.number+'. '+x.title));var w=el('span','track');var fl=el('div','fill');fl.style.width=Math.round(x.fraction*100)+'%';
w.appendChild(fl);r.appendChild(w);r.appendChild(el('span','v',x.value));b.appendChild(r);});
var n=$('notes');n.textContent='';o.notes.forEach(function(t){n.appendChild(el('div','',t));});}}}
function connect(){if(src)src.close();src=new EventSource(location.pathname.replace(/\/$/,'')+'/events'+location.search);
src.onmessage=function(e){heard=performance.now();show('lost',false);try{render(JSON.parse(e.data));}catch(err){}};
src.onerror=function(){if(src.readyState===2)setTimeout(connect,2000);};}
heard=performance.now();connect();
setInterval(function(){if(performance.now()-heard>8000){show('lost',true);if(performance.now()-heard>12000){heard=performance.now()-8000;connect();}}
paint();},200);
addEventListener('resize',function(){shownLen={};paint();});
})();
"""


def labels() -> dict[str, str]:
    """The words a page's script writes, in the meeting's language."""
    return {
        "paused": _("Paused"), "warning": _("Time is almost up"), "overtime": _("Overtime"),
        "ended": _("Finished"), "ready": _("Ready"), "answer": _("Answer time"),
        "planned": _("Planned"), "start": _("Start"), "run": _("Run"), "chosen": _("Chosen"),
        "segment": _("Segment {clock}"),  # the Q&A segment's own countdown, counted on by the page
    }


def _page(view: str, title: str, css: str, body: str) -> str:
    words = json.dumps(labels(), ensure_ascii=False).replace("</", "<\\/")
    style = (CSS + css).replace("DIGITS", DIGIT_FONTS).replace("FONTS", FONTS)
    lost = escape(_("Connection lost"))
    return (
        f'<!doctype html><html lang="{escape(language())}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{escape(title)}</title><style>{style}</style></head>'
        f'<body data-view="{view}"><div id=lost class=lost hidden>{lost}</div>{body}'
        f'<script type="application/json" id=labels>{words}</script><script>{SCRIPT}</script></body></html>'
    )


def timer() -> str:
    """The podium: title, presenter, the countdown as big as the screen allows, the message, what is next."""
    return _page("timer", _("Podium timer"), TIMER_CSS, (
        '<div id=page class="page ready"><div class=head><div class=top><span id=pos></span><span id=tod></span></div>'
        '<div id=msg class=msg hidden></div><h1 id=title></h1><div id=who class=who></div></div>'
        '<div class=mid><div id=label class=label></div><span id=digits class=digits>--:--</span></div>'
        '<div id=next class=next></div></div>'
    ))


def agenda() -> str:
    """The agenda for the room's phones: planned and actual times, where we are, the projected end."""
    return _page("agenda", _("Agenda"), AGENDA_CSS, (
        '<div id=page class="page ready"><h1 id=meeting></h1><div id=sched class=sched></div>'
        '<div id=nowcard class=now><div><div class=t id=title></div><div id=label></div></div>'
        '<span id=digits class=digits>--:--</span></div>'
        '<div id=chosen></div><ol id=rows class=rows></ol></div>'
    ))


def stage() -> str:
    """The stage in a browser: the timing screen, the Q&A band or the vote board, full screen."""
    return _page("stage", _("Stage"), STAGE_CSS, (
        '<div id=page class="page ready"><div class=bar><span id=pos></span><span class=right>'
        '<span id=msg class=msg hidden></span><span id=tod></span></span></div>'
        '<main id=timing><h1 id=title></h1><div id=who class=who></div><div id=label class=label></div>'
        '<span id=digits class=digits>--:--</span><ul id=points class=points></ul></main>'
        '<main id=qa hidden><div id=ordinal class=small></div><div id=asker class=qa-who></div>'
        '<div id=question class=q></div><div id=answering class=small></div><div id=result class=small></div>'
        '<div id=aband><span id=adigits class=digits>--:--</span></div><div id=segment class=small></div>'
        '<div id=tally class=small></div></main>'
        '<main id=vote hidden><div id=vtitle class=vt></div><div id=vrule class=rule></div>'
        '<div id=choices class=choices></div><div id=outcome hidden><div id=oheading class=vt></div>'
        '<div id=omeasure class=small></div><div id=bars class=bars></div><div id=notes class=small></div>'
        '<div id=otie class=small></div><div id=ochosen class=chosenline></div></div>'
        '<div id=groups class=groups></div><div id=vtotal class=small></div><div id=vstatus class=small></div></main>'
        '<footer><span id=next></span><span id=sched></span></footer></div>'
    ))
