"""Merge pending translations into the five catalogues.

Work done in parallel keeps its new texts in translations/pending/<name>.json instead of editing
the .po files (which every branch would otherwise conflict on). Run after `python3 manage.py i18n`
has put the new msgids into the catalogues:

    python3 manage.py i18n && .venv/bin/python scripts/merge_translations.py && \
        .venv/bin/pybabel compile -d translations

A pending file is a JSON object, msgid → translations:

    {"Save view": {"pl": "Zapisz widok", "ru": "…", "ro": "…", "cs": "…"},
     "%(n)s complaint": {"plural": "%(n)s complaints",
                          "pl": ["%(n)s reklamacja", "%(n)s reklamacje", "%(n)s reklamacji"], …},
     "ctx|Open": {"context": "ctx", "id": "Open", "pl": "…", …}}

English entries get the source text. Entries already translated are left alone
unless --force. Prints what it filled and what is still missing.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("pl", "ru", "ro", "cs")


def load_pending(folder: Path) -> dict:
    merged: dict = {}
    for path in sorted(folder.glob("*.json")):
        for key, entry in json.loads(path.read_text(encoding="utf-8")).items():
            context = entry.get("context")
            msgid = entry.get("id", key)
            merged[(context, msgid)] = entry
    return merged


def _fill_english(force: bool) -> None:
    """The English catalogue's translation is the source text itself (singular and plural)."""
    path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        catalogue = read_po(handle, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        done = all(message.string) if isinstance(message.string, (list, tuple)) else bool(message.string)
        if done and not force:
            continue
        message.string = tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id
        message.flags.discard("fuzzy")
        filled += 1
    with open(path, "wb") as handle:
        write_po(handle, catalogue, width=76)
    print(f"en: {filled} filled")


def main(argv: list[str]) -> int:
    force = "--force" in argv
    pending = load_pending(TRANSLATIONS / "pending")
    missing = 0
    for language in LANGUAGES:
        path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        with open(path, "rb") as handle:
            catalogue = read_po(handle, locale=language)
        filled = 0
        for message in catalogue:
            if not message.id:
                continue
            singular = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            entry = pending.get((message.context, singular))
            done = all(message.string) if isinstance(message.string, (list, tuple)) else bool(message.string)
            if entry is None or language not in entry:
                if not done:
                    missing += 1
                    print(f"{language}: missing {singular[:70]!r}")
                continue
            if done and not force:
                continue
            text = entry[language]
            if isinstance(message.id, (list, tuple)):
                forms = text if isinstance(text, list) else [text]
                message.string = tuple(forms)
            else:
                message.string = text if isinstance(text, str) else text[0]
            message.flags.discard("fuzzy")
            filled += 1
        with open(path, "wb") as handle:
            write_po(handle, catalogue, width=76)
        print(f"{language}: {filled} filled")
    _fill_english(force)
    print(f"still missing: {missing}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
