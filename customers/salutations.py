"""How to greet a customer at the top of an e-mail, in their language (seed 002: "addressed by
name, and patronymic where the culture uses it").

The words come from the catalogues (pgettext with a grammatical-gender context); this module only
holds the rules that decide which form applies, because they differ per language:

- Russian: given name + patronymic ("Уважаемая Анна Сергеевна!"); the patronymic's ending tells
  the gender (-вич/-ич masculine, -вна/-чна/-ична feminine).
- Polish: the customer's own form of address, "Pani Anno" / "Panie Janie" ("Szanowna Pani Anno,").
- Czech: the vocative the customer gave us, "paní Nováková" / "pane Nováku" ("Vážený pane Nováku,").
- Romanian: "doamnă Popescu" / "domnule Popescu" ("Stimată doamnă Popescu,").
- Otherwise a neutral form: with the name in English and Russian, where the name reads well in
  the nominative; without it in Polish, Czech and Romanian, where a bare name in a greeting would
  need a case or a gender we do not know.

Call `salutation(customer, language=…, name=…)` anywhere with an app context (in e-mail
templates it is the global `salutation(complaint.customer, name=complaint.contact_name)`).
"""
from __future__ import annotations

from flask_babel import force_locale, get_translations, pgettext

FEMININE, MASCULINE, UNKNOWN = "feminine", "masculine", "unknown"
_NAME_IN_NEUTRAL_FORM = {"en", "ru"}

# Leading words of a customer-given form of address that tell its gender, per language.
_HONORIFICS = {
    "pl": {"pani": FEMININE, "panie": MASCULINE, "pan": MASCULINE},
    "cs": {"paní": FEMININE, "pane": MASCULINE, "slečno": FEMININE},
    "ro": {"doamnă": FEMININE, "doamna": FEMININE, "domnișoară": FEMININE, "domnule": MASCULINE,
           "domnul": MASCULINE, "domn": MASCULINE, "dl.": MASCULINE, "dna.": FEMININE},
}
# A form of address is written the way each language writes it in a letter.
_CANONICAL_HONORIFIC = {
    "pl": {"pani": "Pani", "panie": "Panie", "pan": "Pan"},
    "cs": {"paní": "paní", "pane": "pane", "slečno": "slečno"},
    "ro": {"doamna": "doamnă", "doamnă": "doamnă", "dna.": "doamnă", "domnul": "domnule", "domn": "domnule",
           "dl.": "domnule", "domnule": "domnule", "domnișoară": "domnișoară"},
}


def patronymic_gender(patronymic: str) -> str:
    """Russian patronymics: Петрович, Ильич (masculine); Петровна, Ильинична, Кузьминична (feminine)."""
    word = (patronymic or "").strip().lower()
    if word.endswith(("вна", "чна", "шна")):
        return FEMININE
    if word.endswith(("вич", "ич")):
        return MASCULINE
    return UNKNOWN


def _honorific(address: str, language: str) -> tuple[str, str]:
    """(gender, address with its honorific written canonically)."""
    first, _sep, rest = address.partition(" ")
    key = first.lower()
    gender = _HONORIFICS.get(language, {}).get(key, UNKNOWN)
    if gender != UNKNOWN and rest:
        return gender, f"{_CANONICAL_HONORIFIC[language].get(key, first)} {rest.strip()}"
    return UNKNOWN, address


def _address(language: str, name: str, salutation: str, patronymic: str) -> tuple[str, str]:
    """(gender, form of address) or (UNKNOWN, "") when we only have a bare name."""
    salutation = " ".join((salutation or "").split())
    patronymic = (patronymic or "").strip()
    if language == "ru":
        if salutation:
            return patronymic_gender(salutation.split()[-1]), salutation
        if patronymic and name.strip():
            given = name.split()[0]
            return patronymic_gender(patronymic), f"{given} {patronymic}"
        return UNKNOWN, ""
    if salutation:
        return _honorific(salutation, language)
    return UNKNOWN, ""


def salutation_line(*, language: str, name: str = "", salutation: str = "", patronymic: str = "",
                    translations=None) -> str:
    """The greeting line, e.g. "Szanowna Pani Anno," — punctuation included. `translations` (the
    catalogue of `language`, e.g. from `catalogue_for`) saves switching the locale per call when
    greeting many customers."""
    gender, address = _address(language, name or "", salutation, patronymic)
    if translations is None:
        with force_locale(language):
            return _greeting(pgettext, gender, address, name or "", language)
    return _greeting(_bound_pgettext(translations), gender, address, name or "", language)


def catalogue_for(language: str):
    """The gettext catalogue of `language` (for `salutation_line(translations=…)`)."""
    with force_locale(language):
        return get_translations()


def _bound_pgettext(translations):
    def bound(context: str, message: str, **variables) -> str:  # as flask_babel.pgettext, one catalogue
        text = translations.upgettext(context, message)
        return text % variables if variables else text
    return bound


def _greeting(pgettext, gender: str, address: str, name: str, language: str) -> str:
    # The calls are spelt pgettext(...) so that message extraction finds them.
    if address and gender == FEMININE:
        return pgettext("salutation to a woman", "Dear %(salutation)s,", salutation=address)
    if address and gender == MASCULINE:
        return pgettext("salutation to a man", "Dear %(salutation)s,", salutation=address)
    if address:
        return pgettext("salutation, gender unknown", "Dear %(salutation)s,", salutation=address)
    if name.strip() and language in _NAME_IN_NEUTRAL_FORM:
        return pgettext("neutral salutation with the full name", "Dear %(name)s,", name=name.strip())
    return pgettext("neutral salutation without a name", "Hello,")


def salutation(customer=None, *, language: str | None = None, name: str | None = None, translations=None) -> str:
    """The greeting for a customer file (or just a name when there is no file)."""
    language = language or (customer.language if customer is not None else "en")
    if name is None:
        name = customer.name if customer is not None else ""
    return salutation_line(
        language=language, name=name,
        salutation=getattr(customer, "salutation", "") or "",
        patronymic=getattr(customer, "patronymic", "") or "", translations=translations)
