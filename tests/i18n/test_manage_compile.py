"""The install step of `manage.py run`/`test` compiles the catalogues (the .mo files are not in git)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import manage
from tests.support.external import missing

ROOT = Path(__file__).resolve().parents[2]


def test_install_step_compiles_every_catalogue(tmp_path, monkeypatch):
    pybabel = Path(sys.executable).with_name("pybabel")
    if not pybabel.exists():
        missing(f"no pybabel next to {sys.executable} (Babel installs it)")
    shutil.copytree(ROOT / "translations", tmp_path / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(manage, "ROOT", tmp_path)
    monkeypatch.setattr(manage, "BIN", pybabel.parent)
    manage.compile_translations()
    from babel.support import Translations
    for language, text in (("pl", "Powiedz nam, co poszło nie tak"), ("cs", "Řekněte nám, co se nepovedlo"),
                           ("ru", "Расскажите, что пошло не так"), ("ro", "Spuneți-ne ce nu a mers bine")):
        mo = tmp_path / "translations" / language / "LC_MESSAGES" / "messages.mo"
        assert mo.exists(), language
        assert Translations.load(str(tmp_path / "translations"), [language]).gettext("Tell us what went wrong") == text
