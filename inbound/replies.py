"""The new text of a customer's e-mail: quoted history and signatures cut off with
mail-parser-reply, in all five of our languages.

The library knows English, Polish and Czech "On … wrote:" headers (its own forms: "On … wrote:",
"Dnia … napisał(a):", "Dne … napsal(a):") but not Russian or Romanian, nor the forms Gmail and
Thunderbird write in Polish and Czech. Those are added through its language table
(`mailparser_reply.constants.MAIL_LANGUAGES`, the documented way to add a language): each a
whole line with one capturing group, as the library's own patterns.
"""
from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser
from mailparser_reply.constants import MAIL_LANGUAGES

LANGUAGES = ("en", "pl", "ru", "ro", "cs")
_EMAIL = r"(?:<[^<>\n]+@[^<>\n]+>)"

# Russian: Gmail "чт, 3 дек. 2026 г. в 10:00, Имя <a@b>:", Thunderbird "03.12.2026 10:00, Имя пишет:",
# Outlook's "От: … Отправлено: …" block.
_RUSSIAN = {
    "wrote_header": [
        rf"^((?:> ?)*[А-Яа-яё]{{2}},? \d{{1,2}} [а-яё]{{3,4}}\.? \d{{4}} г\.(?:,)? в \d{{1,2}}:\d{{2}},? .{{0,200}}{_EMAIL}:)$",
        r"^((?:> ?)*\d{1,2}\.\d{1,2}\.\d{2,4},? \d{1,2}:\d{2},? .{1,200} (?:пишет|написал\(а\)|написал|написала):)$",
    ],
    "from_header": r"((?:(?:^|\n|\n(?:> ?)*)[* ]*(?:От|Отправлено|Кому|Тема|Дата|Копия):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})",
    "disclaimers": ["Внимание:", "Конфиденциально:"],
    "signatures": ["С уважением", "С наилучшими пожеланиями", "Спасибо,"],
    "sent_from": "Отправлено с",
}
# Romanian: Gmail "joi, 3 dec. 2026 la 10:00, Nume <a@b> a scris:", Thunderbird "Pe 03.12.2026 10:00, Nume a scris:".
_ROMANIAN = {
    "wrote_header": [
        r"^((?:> ?)*(?:În|In|Pe) .{1,200}\s?a scris:)$",
        rf"^((?:> ?)*[a-zăâîșşțţ]{{2,5}}\.?, \d{{1,2}} [a-zăâîșşțţ]{{3,5}}\.? \d{{4}} (?:la|,) ?\d{{1,2}}:\d{{2}},? .{{0,200}}{_EMAIL}\s?a scris:)$",
    ],
    "from_header": r"((?:(?:^|\n|\n(?:> ?)*)[* ]*(?:De la|Trimis|Către|Subiect|Data|Cc):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})",
    "disclaimers": ["Atenție:", "Confidențial:"],
    "signatures": ["Cu stimă", "Cu respect", "Mulțumesc,", "Numai bine"],
    "sent_from": "Trimis de pe",
}
# Polish: Gmail "czw., 3 gru 2026 o 10:00 Imię <a@b> napisał(a):", Thunderbird "W dniu 3.12.2026 o 10:00, Imię pisze:".
_POLISH_MORE = [
    r"^((?:> ?)*W dniu .{1,200}(?:pisze|napisał\(a\)|napisał|napisała):)$",
    rf"^((?:> ?)*[a-zśżźćńółęą]{{2,4}}\.?, \d{{1,2}} [a-zśżźćńółęą]{{3,4}}\.? \d{{4}} o \d{{1,2}}:\d{{2}} .{{0,200}}{_EMAIL}\s?(?:napisał\(a\)|napisał|napisała):)$",
]
# Czech: Gmail "čt 3. 12. 2026 v 10:00 odesílatel Jméno <a@b> napsal:", Thunderbird "Dne 3. 12. 2026 v 10:00 Jméno napsal(a):".
_CZECH_MORE = [
    rf"^((?:> ?)*.{{0,40}}\d{{4}} v \d{{1,2}}:\d{{2}} odesílatel .{{0,200}}{_EMAIL}\s?napsal(?:\(a\)|a)?:)$",
    r"^((?:> ?)*Dne .{1,200}\s?napsal(?:\(a\)|a)?:)$",
]


def _as_list(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _register() -> None:
    MAIL_LANGUAGES.setdefault("ru", _RUSSIAN)
    MAIL_LANGUAGES.setdefault("ro", _ROMANIAN)
    for language, more in (("pl", _POLISH_MORE), ("cs", _CZECH_MORE)):
        headers = _as_list(MAIL_LANGUAGES[language]["wrote_header"])
        MAIL_LANGUAGES[language]["wrote_header"] = headers + [p for p in more if p not in headers]


_register()
_PARSER = EmailReplyParser(languages=list(LANGUAGES))
_QUOTED_TAIL = re.compile(r"(?:\n>[^\n]*)+\s*\Z")


def new_text(text: str) -> str:
    """What the customer wrote this time: the first reply, without the quoted history below its
    "On … wrote:" line and without the signature. A message that is nothing but a quote keeps its
    text (staff then see everything rather than nothing)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    message = _PARSER.read(text)
    latest = message.replies[0].body if message.replies else text
    latest = _QUOTED_TAIL.sub("", "\n" + latest).strip()
    return latest or text
