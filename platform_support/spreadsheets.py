"""CSV files as people really have them, in and out.

In: Excel in pl, cs, ru and ro writes `;`-separated files in the Windows code page of the
language (cp1250, cp1251) or UTF-16; others write UTF-8 with or without a BOM, or Latin-1.
`read_table` detects the encoding (BOMs first, then strict UTF-8, then charset-normalizer among
the code pages our users' spreadsheets use) and the separator (`,` `;` or tab), and names both
in the import report. Fields over FIELD_MAX characters are parsed but flagged, so the row is
refused with a reason instead of the whole file failing.

Out: `csv_lines` writes UTF-8 with a BOM (Excel then reads Polish and Cyrillic names right),
every cell quoted, formulas neutralised, amounts as exact decimals, `,` or `;` as asked.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Iterator

FIELD_MAX = 128 * 1024  # characters in one cell
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "utf-16-le": "UTF-16 LE",
                  "utf-16-be": "UTF-16 BE", "cp1250": "Windows-1250", "cp1251": "Windows-1251",
                  "latin_1": "Latin-1 (ISO-8859-1)"}
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
_CODE_PAGES = ["cp1250", "cp1251", "latin_1"]
_USUAL_PUNCTUATION = set("«»„“”‘’‚–—…€№§°±×·•")
_LATIN_1_LANGUAGES = {"English", "Spanish", "Portuguese", "French", "German", "Italian", "Dutch", "Catalan",
                      "Swedish", "Norwegian", "Finnish", "Icelandic", "Basque", "Galician"}
_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


class TableError(ValueError):
    """The file cannot be read as a table at all (the message says why and where)."""


@dataclass
class Table:
    encoding: str
    separator: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number, column → value)
    oversize: dict[int, list[str]]  # line → columns longer than FIELD_MAX

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)

    @property
    def separator_name(self) -> str:
        return SEPARATORS.get(self.separator, self.separator)


def detect_encoding(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if _looks_like_utf16(data):
        return "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:200_000]
    scored = sorted((_misreading_score(sample.decode(code_page, "replace")), index, code_page)
                    for index, code_page in enumerate(_CODE_PAGES))
    best_score, _index, best = scored[0]
    tied = [code_page for score, _i, code_page in scored if score == best_score]
    if "cp1250" in tied and "latin_1" in tied:
        # Text that reads equally well in cp1250 and Latin-1 differs only in letters like ń/ñ:
        # the language charset-normalizer hears decides (Spanish "señor" is not Polish "seńor").
        from charset_normalizer import from_bytes

        match = from_bytes(sample, cp_isolation=["latin_1"]).best()
        if match is not None and match.language in _LATIN_1_LANGUAGES:
            return "latin_1"
        return "cp1250"
    return best


def _misreading_score(text: str) -> int:
    """How wrong a decoding looks: symbols where letters belong (¸ ¤ ¦ …), C1 control
    characters, and words that mix Latin and Cyrillic letters (Јukasz, Фёдор read as Ôёäîđ)."""
    score = 0
    for word in re.findall(r"[^\W\d_]+|[^\w\s]", text):
        if len(word) == 1 and not word.isalpha():
            if ord(word) > 127 and word not in _USUAL_PUNCTUATION:
                score += 2
            continue
        scripts = {"cyrillic" if "\u0400" <= ch <= "\u04ff" else "latin" for ch in word if ord(ch) > 64}
        if len(scripts) > 1:
            score += 3
    score += 5 * sum(1 for ch in text if "\x80" <= ch <= "\x9f")
    return score


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: every other byte of ASCII text is NUL."""
    sample = data[:2000]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def detect_separator(first_line: str) -> str:
    counts = {separator: first_line.count(separator) for separator in SEPARATORS}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] else ","


def read_table(data: bytes, *, required: Iterable[str] = (), expected: Iterable[str] = ()) -> Table:
    """Decode and parse a CSV file with a header row; TableError for a file that is no table."""
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise TableError(f"The file is not readable as {encoding} text.") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    separator = detect_separator(first_line)
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, 64 * FIELD_MAX))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        try:
            header = [name.strip().lstrip("\ufeff").lower() for name in next(reader)]
        except StopIteration:
            raise TableError("The file is empty.") from None
        missing = [name for name in required if name not in header]
        if missing:
            raise TableError("The header row lacks: %s (expected columns: %s; separator found: %s)."
                             % (", ".join(missing), ", ".join(expected), SEPARATORS.get(separator, separator)))
        rows, oversize = [], {}
        try:
            for values in reader:
                line = reader.line_num
                if not any(value.strip() for value in values):
                    continue
                row = dict(zip(header, values))
                long = [name for name, value in row.items() if len(value) > FIELD_MAX]
                if long:
                    oversize[line] = long
                    row = {name: (value[:200] + "…" if len(value) > FIELD_MAX else value) for name, value in row.items()}
                rows.append((line, row))
        except csv.Error as exc:
            raise TableError(f"Line {reader.line_num}: the file cannot be read as CSV ({exc}).") from None
    finally:
        csv.field_size_limit(previous)
    return Table(encoding=encoding, separator=separator, header=header, rows=rows, oversize=oversize)


# --- out ---------------------------------------------------------------------------------------------

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """One cell as text: a formula-looking text gets an apostrophe so a spreadsheet shows it
    as text (OWASP "CSV injection"); numbers stay numbers, floats without binary noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        # 87.99000000000001 is a binary artefact of summing floats: nine decimals are more than
        # any figure we export carries, and drop the artefact.
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return format(Decimal(repr(round(value, 9))).normalize(), "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS_FIRST) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
        return True
    except ArithmeticError:
        return False


def csv_lines(header: list[str], rows: Iterable[Iterable], *, separator: str = ",") -> Iterator[str]:
    """The CSV text in chunks of about 500 rows: a BOM first, every cell quoted."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=separator, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def csv_download(filename: str, header: list[str], rows: Iterable[Iterable], *, keep_context: bool = True):
    """A streamed CSV answer; `?separator=semicolon` gives the `;` that Excel expects in the
    locales with a decimal comma (pl, cs, ru, ro). With keep_context=False the rows generator
    opens its own app contexts (the request's is gone while the body is sent)."""
    from flask import Response, request, stream_with_context

    separator = ";" if request.args.get("separator") == "semicolon" else ","
    body = csv_lines(header, rows, separator=separator)
    response = Response(stream_with_context(body) if keep_context else body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"  # exports carry personal data
    return response
