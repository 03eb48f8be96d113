"""The house style of the exported minutes, shared by the HTML and the DOCX exports.

Modelled on Chinese government documents (GB/T 9704): A4, a centred title, 黑体 for
first-level headings ("一、"), 楷体 for second-level ones, 仿宋 for the body, 宋体 in
tables, page numbers at the foot. The English style keeps the layout with Latin faces.
Font names are the ones Word and WPS know (宋体, 黑体 ...); the HTML export adds
fallbacks for machines that only have Noto/Source Han, PingFang or Microsoft YaHei.
"""

from __future__ import annotations

from dataclasses import dataclass

# Page geometry in millimetres: A4 with the margins of a formal document.
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 30, 28, 28, 26


@dataclass(frozen=True)
class Faces:
    """Font names for one role: the Latin face and the East Asian face (as Word names them)."""

    latin: str
    east_asia: str


@dataclass(frozen=True)
class HouseStyle:
    title: Faces
    heading: Faces  # "一、出席人员"
    subheading: Faces  # "1. 党政办公室工作汇报"
    body: Faces
    table: Faces
    title_pt: float
    heading_pt: float
    subheading_pt: float
    body_pt: float
    table_pt: float
    small_pt: float


ZH = HouseStyle(
    title=Faces("Times New Roman", "宋体"),
    heading=Faces("Times New Roman", "黑体"),
    subheading=Faces("Times New Roman", "楷体"),
    body=Faces("Times New Roman", "仿宋"),
    table=Faces("Times New Roman", "宋体"),
    title_pt=22,  # 二号
    heading_pt=16,  # 三号
    subheading_pt=14,  # 四号
    body_pt=14,  # 四号
    table_pt=10.5,  # 五号
    small_pt=9,  # 小五
)

EN = HouseStyle(
    title=Faces("Times New Roman", "宋体"),
    heading=Faces("Arial", "黑体"),
    subheading=Faces("Times New Roman", "楷体"),
    body=Faces("Times New Roman", "宋体"),
    table=Faces("Times New Roman", "宋体"),
    title_pt=18,
    heading_pt=14,
    subheading_pt=12,
    body_pt=12,
    table_pt=10,
    small_pt=8.5,
)


def house_style(lang: str) -> HouseStyle:
    return ZH if lang.lower().startswith("zh") else EN


# CSS font stacks: the Word name first (Windows, WPS), then the families a Mac, a Linux
# box with Noto or Source Han, or an Android phone has. Serif and sans are kept apart so a
# heading never falls back to a serif face.
CJK_SERIF = [
    '"FangSong"', '"仿宋"', '"STFangsong"', '"SimSun"', '"宋体"', '"Songti SC"', '"STSong"',
    '"Noto Serif CJK SC"', '"Noto Serif SC"', '"Source Han Serif SC"', '"Source Han Serif CN"',
    '"Noto Sans CJK SC"', '"PingFang SC"', '"Microsoft YaHei"',
]
CJK_SONG = [
    '"SimSun"', '"宋体"', '"Songti SC"', '"STSong"', '"Noto Serif CJK SC"', '"Noto Serif SC"',
    '"Source Han Serif SC"', '"Source Han Serif CN"', '"Noto Sans CJK SC"', '"PingFang SC"',
    '"Microsoft YaHei"',
]
CJK_KAI = ['"KaiTi"', '"楷体"', '"STKaiti"', '"Kaiti SC"', *CJK_SONG]
CJK_SANS = [
    '"SimHei"', '"黑体"', '"Heiti SC"', '"STHeiti"', '"PingFang SC"', '"Microsoft YaHei"',
    '"Noto Sans CJK SC"', '"Noto Sans SC"', '"Source Han Sans SC"', '"Source Han Sans CN"',
    '"WenQuanYi Micro Hei"',
]
LATIN_SERIF = ['"Times New Roman"', '"Liberation Serif"', '"Noto Serif"', '"DejaVu Serif"']
LATIN_SANS = ['"Arial"', '"Liberation Sans"', '"Noto Sans"', '"DejaVu Sans"', '"Helvetica"']


def css_stack(*parts: list[str], generic: str) -> str:
    seen: list[str] = []
    for part in parts:
        seen += [name for name in part if name not in seen]
    return ", ".join([*seen, generic])
