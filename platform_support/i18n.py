"""Form validation messages in the customer's language.

Flask-WTF translates WTForms' built-in messages ("This field is required.") with the catalogue
that ships with WTForms, but that catalogue is incomplete for some of our languages (Czech lacks
the length messages, Polish the time and choice messages). So WTForms looks up our own catalogue
first — which repeats the built-in messages below, translated and checked by tests/i18n — and
falls back to the shipped one for anything we did not list.
"""
from __future__ import annotations

from babel.support import NullTranslations, Translations
from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms.i18n import messages_path

# The WTForms built-in messages our forms can show (wording exactly as in WTForms 3.x), listed
# here so `manage.py i18n` extracts them into our catalogues. Markers only: never evaluated.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    # Plural entries: WTForms asks for them with ngettext(singular, plural, n).
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Field must be equal to %(other_name)s."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    # (CSRF failures never reach a form: CSRFProtect answers them with a translated error page.)
)


def _form_translations(locale: str) -> NullTranslations:
    cache = current_app.extensions.setdefault("form_translations", {})
    if locale not in cache:
        ours = Translations.load(current_app.config["BABEL_TRANSLATION_DIRECTORIES"], [locale], domain="messages")
        shipped = Translations.load(messages_path(), [locale], domain="wtforms")
        ours.add_fallback(shipped)
        cache[locale] = ours
    return cache[locale]


class _CurrentLocaleFormTranslations:
    """Looks the locale up at each message, so a view that switches language (speak()) after
    the request began still gets its form errors in the new language."""

    def ugettext(self, string: str) -> str:
        return _form_translations(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _form_translations(str(get_locale())).ungettext(singular, plural, n)

    gettext, ngettext = ugettext, ungettext


_CURRENT_LOCALE_FORM_TRANSLATIONS = _CurrentLocaleFormTranslations()


def use_our_form_translations() -> None:
    # Flask-WTF's translations object reads this request attribute before loading its own.
    request.wtforms_translations = _CURRENT_LOCALE_FORM_TRANSLATIONS


def register(app: Flask) -> None:
    app.before_request(use_our_form_translations)


def speak(language: str | None) -> None:
    """Show a customer's own page (tracking, survey) in the language they chose for their
    complaint — unless this visitor picked a language with the switcher (?lang=, remembered in
    the session), which always wins. Accept-Language only decides when neither is known."""
    from flask import g, session
    from flask_babel import refresh

    if language in current_app.config["LANGUAGES"] and "lang" not in request.args and "lang" not in session:
        g.locale_override = language
        refresh()
