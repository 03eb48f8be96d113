"""Tables a secretary keeps in a spreadsheet program: .xlsx (read with openpyxl) and .csv.

Read as the sheets are really made: a merged title row above the header, empty rows, headers
in Chinese or English, a .csv in UTF-8 (with or without a BOM) or in GBK/GB18030 as spreadsheet
programs on Chinese Windows save it. Positions are said as the spreadsheet program shows
them: row 5 is the sheet's fifth row (header and title included), a column by its letter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from retreat.agenda.yaml import Located, locate
from retreat.errors import AgendaError, AgendaErrors
from retreat.i18n import _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000


class SheetError(AgendaError):
    """A problem at a cell: `file:row:column: header: message`, the column by its letter."""

    def __init__(
        self, message: str, *, file: str, row: int | None = None, column: str = "", header: str = "", key: str = "file"
    ) -> None:
        self.letter = column
        self.key = key  # what in the agenda to point at when the problem has no cell: file or sheet
        super().__init__(message, file=file, line=row, field=header)

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.letter:
                where += f":{self.letter}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: as the spreadsheet program labels its columns."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


@dataclass(frozen=True)
class Row:
    number: int  # 1-based, as the spreadsheet program shows it
    cells: tuple[object, ...]


@dataclass(frozen=True)
class Table:
    file: str
    title: str  # the text of a (merged) title row above the header, if any
    header_row: int
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> the header as written
    rows: tuple[Row, ...]

    def cell(self, row: Row, field: str) -> object:
        index = self.columns.get(field)
        if index is None or index >= len(row.cells):
            return None
        return row.cells[index]

    def text(self, row: Row, field: str) -> str:
        return cell_text(self.cell(row, field))

    def error(self, row: Row | int, field: str, message: str) -> SheetError:
        number = row.number if isinstance(row, Row) else row
        index = self.columns.get(field)
        letter = column_letter(index) if index is not None else ""
        return SheetError(message, file=self.file, row=number, column=letter, header=self.headers.get(field, ""))


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()


def _norm(header: object) -> str:
    text = cell_text(header).lower()
    return re.sub(r"[\s*:：()（）_\-]", "", text)


def read_rows(path: Path, shown: str, sheet: str | None = None) -> list[Row]:
    """Every row of the first (or the named) sheet, empty rows included, numbered from 1."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SheetError(_("no such file"), file=shown) from None
    except OSError as e:
        raise SheetError(_("cannot read the file: {reason}").format(reason=e.strerror), file=shown) from None
    if path.is_dir():
        raise SheetError(_("this is a folder, not a spreadsheet"), file=shown)
    if size > MAX_BYTES:
        raise SheetError(_("the file is {size} bytes; a sheet may be at most 20 MiB").format(size=size), file=shown)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path.read_bytes(), shown)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, shown, sheet)
    raise SheetError(
        _("{suffix} is not a sheet retreat reads; save it as .xlsx or .csv").format(suffix=suffix or path.name),
        file=shown,
    )


def _csv_rows(raw: bytes, shown: str) -> list[Row]:
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                # GB18030 is a superset of GBK and GB2312: what Excel and WPS save on Chinese Windows.
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise SheetError(
                    _("the file is neither UTF-8 nor GBK text; save it as CSV UTF-8"), file=shown
                ) from None
    rows = []
    for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if n > MAX_ROWS:
            raise SheetError(_("more than {n} rows").format(n=MAX_ROWS), file=shown, row=n)
        rows.append(Row(n, tuple(cells)))
    return rows


def _xlsx_rows(path: Path, shown: str, sheet: str | None) -> list[Row]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise SheetError(
            _("cannot read this .xlsx ({reason}); open it and save it again as .xlsx").format(reason=e),
            file=shown,
        ) from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise SheetError(
                _('no sheet "{sheet}"; the sheets are: {names}').format(
                    sheet=sheet, names=", ".join(book.sheetnames)
                ),
                file=shown,
                key="sheet",
            )
        rows = []
        for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            if n > MAX_ROWS:
                raise SheetError(_("more than {n} rows").format(n=MAX_ROWS), file=shown, row=n)
            rows.append(Row(n, tuple(cells)))
        return rows
    finally:
        book.close()


def find_table(rows: list[Row], shown: str, fields: dict[str, tuple[str, ...]], required: str) -> Table:
    """The header is the first row naming the `required` field; rows above it give the title."""
    wanted = {name: field for field, names in fields.items() for name in names}
    for at, row in enumerate(rows):
        found: dict[str, int] = {}
        written: dict[str, str] = {}
        for index, cell in enumerate(row.cells):
            field = wanted.get(_norm(cell))
            if field is not None and field not in found:
                found[field] = index
                written[field] = cell_text(cell)
        if required in found:
            title = next(
                (cell_text(c) for above in rows[:at] for c in above.cells if cell_text(c)), ""
            )
            body = tuple(r for r in rows[at + 1 :] if any(cell_text(c) for c in r.cells))
            return Table(shown, title, row.number, found, written, body)
    names = " / ".join(fields[required][:2])
    raise SheetError(
        _("no header row with a {names} column; the first row of the table names its columns").format(names=names),
        file=shown,
        row=1,
    )


CANDIDATE_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("项目名称", "title", "名称", "项目", "候选项目", "name"),
    "department": ("申报部门", "department", "部门", "责任部门", "单位"),
    "description": ("说明", "notes", "description", "备注", "项目说明", "简介"),
    "id": ("编号", "id"),
}


def read_candidates(path: Path, shown: str, sheet: str | None = None) -> list[dict[str, str]]:
    """Candidates as the agenda writes them ({id, title, department, description})."""
    table = find_table(read_rows(path, shown, sheet), shown, CANDIDATE_FIELDS, "title")
    out: list[dict[str, str]] = []
    errors: list[AgendaError] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        title = table.text(row, "title")
        if not title:
            errors.append(table.error(row, "title", _("empty; every candidate needs a title")))
            continue
        candidate = {"title": title}
        ident = table.text(row, "id")
        if ident:
            candidate["id"] = f"c{ident}" if ident.isdigit() else ident
            if candidate["id"] in seen:
                errors.append(
                    table.error(row, "id", _("{id} is already the number of row {row}; numbers must be unique").format(
                        id=ident, row=seen[candidate["id"]]
                    ))
                )
            seen.setdefault(candidate["id"], row.number)
        for field in ("department", "description"):
            if value := table.text(row, field):
                candidate[field] = value
        out.append(candidate)
    if errors:
        raise AgendaErrors(errors)
    if not out:
        raise SheetError(
            _("no candidates below the header; list one per row"), file=shown, row=table.header_row
        )
    return out


def expand_candidate_files(located: Located, text: str) -> str:
    """Replace each vote's `candidates: {file: ...}` in the located data by the rows read, and
    return the agenda text with the same candidates written in, so a session that stores the
    text never needs the spreadsheet again."""
    data, file = located.data, located.file
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return text
    base = Path(file).parent if not file.startswith("<") else Path.cwd()
    spans: list[tuple[int, int, str]] = []
    errors: list[AgendaError] = []
    for i, item in enumerate(items):
        source = item.get("candidates") if isinstance(item, dict) else None
        if not (isinstance(source, dict) and isinstance(source.get("file"), str)):
            continue
        name = source["file"]
        sheet = source.get("sheet")
        path = Path(name) if Path(name).is_absolute() else base / name
        shown = str(path) if not file.startswith("<") else name
        try:
            candidates = read_candidates(path, shown, str(sheet) if sheet is not None else None)
        except AgendaErrors as e:
            errors.extend(e.errors)
            continue
        except SheetError as e:
            if e.line is not None:
                errors.append(e)
            else:  # the file or the sheet itself: said where the agenda names it
                errors.append(located.error(("items", i, "candidates", e.key), f"{shown}: {e.message}"))
            continue
        item["candidates"] = candidates
        node, _key = locate(located.root, ("items", i, "candidates"))
        inline = json.dumps(candidates, ensure_ascii=False)
        spans.append((node.start_mark.index, _span_end(text, node.end_mark.index), inline))
    if errors:
        raise AgendaErrors(errors)
    for start, end, inline in sorted(spans, reverse=True):
        text = text[:start] + inline + text[end:]
    return text


def _span_end(text: str, end: int) -> int:
    """A block mapping ends where the next key starts: keep the line break and indentation."""
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end

