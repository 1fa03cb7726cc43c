"""Per-language survey texts with English fallback, and the negative-comment rule."""
from __future__ import annotations

import re

from flask_babel import force_locale, gettext

from surveys.defaults import DEFAULT_MSGIDS


def localized(texts: dict | None, language: str) -> str:
    """The text in `language`; else English — translated through the gettext catalogue when it is
    one of the shipped default texts (so untouched defaults read in the customer's language)."""
    texts = texts or {}
    if texts.get(language):
        return texts[language]
    english = texts.get("en") or next((v for v in texts.values() if v), "")
    if english in DEFAULT_MSGIDS:
        return gettext(english)
    return english


def text_in(texts: dict | None, language: str) -> tuple[str, str]:
    """(text, source) for the survey builder: "stored" (written for this language), "shipped" (a
    default text, translated by the catalogue), "english" (nothing for this language: customers
    read the English text), or "missing" (no text at all)."""
    texts = texts or {}
    if texts.get(language):
        return texts[language], "stored"
    english = texts.get("en") or ""
    if english in DEFAULT_MSGIDS:
        with force_locale(language):
            return gettext(english), "shipped"
    return (english, "english") if english else ("", "missing")


def missing_languages(survey, languages) -> dict[str, int]:
    """language → how many of the survey's texts (title, intro, questions, options) customers
    would read in English there (neither written nor shipped)."""
    texts = [survey.title] + ([survey.intro] if any((survey.intro or {}).values()) else [])
    for question in survey.questions:
        if question.retired:
            continue
        texts.append(question.text)
        texts += [c.get("label") for c in question.choices]
    return {language: sum(1 for t in texts if text_in(t, language)[1] == "english") for language in languages}


# A deliberately simple, documented rule: an open answer is negative when it contains one of
# these words (case-insensitive, whole words) or word stems (ending in "-": any word starting so),
# in any of our five languages. It errs on the side of alerting — a person reads every alert.
NEGATIVE_WORDS = {
    "en": ["bad", "terribl-", "awful", "horribl-", "worst", "disappoint-", "never again", "rude", "useless",
           "angry", "unacceptabl-", "poor", "waste", "scam", "incompetent"],
    "pl": ["źle", "zły", "zła", "fataln-", "okropn-", "rozczarow-", "nigdy więcej", "beznadziej-", "skandal-",
           "niekompetent-", "tragiczn-"],
    "ru": ["плох-", "ужасн-", "разочаров-", "никогда больше", "отвратительн-", "хамств-", "безобраз-", "кошмар-"],
    "ro": ["rău", "groaznic-", "dezamăg-", "niciodată", "îngrozit-", "prost-", "inacceptabil-", "jalnic-"],
    "cs": ["špatn-", "hrozn-", "zklam-", "nikdy víc", "otřesn-", "katastrof-", "nepřijateln-", "nespokoj-"],
}


def _pattern(entry: str) -> str:
    return re.escape(entry[:-1]) if entry.endswith("-") else re.escape(entry) + r"(?!\w)"


_NEGATIVE = re.compile(r"(?<!\w)(?:" + "|".join(_pattern(e) for words in NEGATIVE_WORDS.values() for e in words) + ")",
                       re.IGNORECASE)


def is_negative_comment(text: str | None) -> bool:
    return bool(text and _NEGATIVE.search(text))
