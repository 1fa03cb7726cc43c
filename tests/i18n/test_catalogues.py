"""The five catalogues are complete, current, and safe to format.

- every text marked in the code and templates is in every catalogue (run `python3 manage.py i18n`);
- no entry is untranslated or fuzzy (a fuzzy entry is a guess by `pybabel update`);
- Plural-Forms are right for each language, and every plural entry has all its forms;
- every %(name)s placeholder of the source is in each translation, and nothing else is.
"""
from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("en", "pl", "ru", "ro", "cs")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfir]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
            "N_": None, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2), "lazy_pgettext": ((1, "c"), 2)}

# (nplurals, {n: expected form index}) — CLDR/GNU rules for each language.
PLURAL_RULES = {
    "en": (2, {0: 1, 1: 0, 2: 1, 5: 1, 21: 1}),
    "pl": (3, {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 12: 2, 14: 2, 21: 2, 22: 1, 25: 2, 102: 1, 112: 2}),
    "ru": (3, {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 12: 2, 21: 0, 22: 1, 25: 2, 101: 0, 111: 2}),
    "cs": (3, {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 21: 2, 22: 2}),
    "ro": (3, {0: 1, 1: 0, 2: 1, 19: 1, 20: 2, 100: 2, 101: 1, 119: 1, 120: 2}),
}


def _catalogue(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def catalogues():
    return {language: _catalogue(language) for language in LANGUAGES}


def _messages(catalogue):
    return [m for m in catalogue if m.id]


def _key(message_id, context=None):
    singular = message_id[0] if isinstance(message_id, (tuple, list)) else message_id
    return (context, singular)


@pytest.fixture(scope="module")
def extracted():
    """What the code and templates mark right now, extracted as `manage.py i18n` does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        found[_key(message, context)] = filename
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_contains_every_marked_text(language, catalogues, extracted):
    known = {_key(m.id, m.context) for m in _messages(catalogues[language])}
    missing = sorted(f"{extracted[k]}: {k[1]!r}" for k in extracted.keys() - known)
    assert not missing, "run `python3 manage.py i18n` and translate:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_untranslated_or_fuzzy_entries(language, catalogues):
    problems = []
    for message in _messages(catalogues[language]):
        strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not strings or not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{language}: {len(problems)} entries to translate\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_header_is_right(language, catalogues):
    nplurals, expectations = PLURAL_RULES[language]
    catalogue = catalogues[language]
    assert catalogue.num_plurals == nplurals
    choose = gettext.c2py(catalogue.plural_expr)
    assert {n: choose(n) for n in expectations} == expectations


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_entries_have_every_form(language, catalogues):
    catalogue = catalogues[language]
    for message in _messages(catalogue):
        if message.pluralizable:
            assert len(message.string) == catalogue.num_plurals, f"{language}: {message.id!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language, catalogues):
    problems = []
    for message in _messages(catalogues[language]):
        ids = message.id if isinstance(message.id, (tuple, list)) else [message.id]
        strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if not string:
                continue  # reported by test_no_untranslated_or_fuzzy_entries
            if set(PLACEHOLDER.findall(string)) != expected:
                problems.append(f"{message.id!r} → {string!r}")
    assert not problems, f"{language}: placeholders differ\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_passes_babels_format_checks(language, catalogues):
    errors = [f"{message.id!r}: {'; '.join(map(str, errs))}" for message, errs in catalogues[language].check()]
    assert not errors, "\n".join(errors)
