"""Every user-facing word in a template goes through gettext.

Each template is lexed with Jinja's own lexer; what is left between the tags ("data") is what
reaches the reader verbatim. HTML templates are then parsed so that text nodes and the
attributes people read (title, alt, placeholder, aria-label, value of buttons) are checked;
`.txt` e-mail templates are checked as plain text. Text inside {% trans %} … {% endtrans %} is
marked by definition.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HOLE = "\x00"  # stands for a Jinja expression or tag while the HTML is parsed
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}

# Words that are the same in every language or are not words at all.
ALLOWED = {
    "Message-ID",   # a header name shown as such in the staff "sent mail" view
    "SLA", "NPS", "CSAT", "CES", "CSV", "JSON", "API", "URL",
    "A", "B", "C",  # ABC segments
    "n =", "n", "z =",  # sample size and z-score, as statisticians write them
}
URL_PATH = re.compile(r"^/[\w/\-.?=&%#]*$")
ENTITY = re.compile(r"&[a-zA-Z]+;|&#\d+;")


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def _literal_source(path: Path) -> str:
    """The template with every Jinja construct replaced by HOLE, and trans blocks removed."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    out: list[str] = []
    in_trans = 0
    tokens = [t for t in env.lex(path.read_text(encoding="utf-8")) if t[1] != "whitespace"]
    for index, (_line, kind, value) in enumerate(tokens):
        if kind == "name" and index > 0 and tokens[index - 1][1] == "block_begin":
            if value == "trans":
                in_trans += 1
            elif value == "endtrans":
                in_trans -= 1
        if kind == "data":
            if not in_trans:
                out.append(value)
        elif kind in ("variable_begin", "block_begin") and (not out or out[-1] != HOLE):
            out.append(HOLE)
    return "".join(out)


def _unmarked_words(text: str) -> list[str]:
    found = []
    for chunk in text.split(HOLE):
        chunk = ENTITY.sub(" ", chunk).strip()
        for piece in re.split(r"\s{2,}|\n", chunk):
            piece = piece.strip(" \t:;,.()[]|—–-•*·")
            if not piece or not LETTER.search(piece) or piece in ALLOWED or URL_PATH.match(piece):
                continue
            found.append(piece)
    return found


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value" and tag in ("button", "input") and attributes.get("type") in ("submit", "button", "reset"))
            if readable and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def unmarked_strings(path: Path) -> list[str]:
    source = _literal_source(path)
    if path.suffix == ".txt":
        return _unmarked_words(source)
    reader = _Reader()
    reader.feed(source)
    reader.close()
    return [word for text in reader.texts for word in _unmarked_words(text)]


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_unmarked_user_facing_text(path):
    assert unmarked_strings(path) == [], f"wrap these in {{{{ _('…') }}}} in {path.relative_to(TEMPLATES)}"


def test_the_checker_finds_unmarked_text(tmp_path):
    """The check itself works: it catches bare words and attributes, and accepts marked text."""
    page = tmp_path / "page.html"
    page.write_text('<h1>{{ _("Marked") }}</h1><p>Bare words</p><img alt="A picture" src="{{ x }}">'
                    '<button aria-label="{{ _(\'ok\') }}">{% trans %}Inside trans{% endtrans %}</button>'
                    '<a href="/staff/{{ ref }}">{{ ref }}</a>', encoding="utf-8")
    assert unmarked_strings(page) == ["Bare words", "A picture"]
    text = tmp_path / "mail.txt"
    text.write_text('{{ _("Dear %(name)s,", name=n) }}\n\nKind regards\n{{ base_url }}/track/{{ t }}\n', encoding="utf-8")
    assert unmarked_strings(text) == ["Kind regards"]
