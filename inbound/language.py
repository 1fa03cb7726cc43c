"""The language of an e-mailed complaint: its Content-Language when we speak it, else what the text
is written in (py3langid, limited to our languages), else the default."""
from __future__ import annotations

from functools import lru_cache

_MIN_LETTERS = 12  # fewer letters than this say nothing reliable
_MIN_PROBABILITY = 0.6


@lru_cache(maxsize=1)
def _identifier(languages: tuple[str, ...]):
    # Loading the model takes a few seconds: once per process, and only when a text needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def from_header(value: str, languages: tuple[str, ...]) -> str | None:
    for tag in (value or "").split(","):
        primary = tag.strip().split("-")[0].lower()
        if primary in languages:
            return primary
    return None


def detect(content_language: str, text: str, languages: tuple[str, ...], default: str) -> str:
    declared = from_header(content_language, languages)
    if declared:
        return declared
    if sum(ch.isalpha() for ch in text) < _MIN_LETTERS:
        return default
    language, probability = _identifier(tuple(languages)).classify(text[:2000])
    return language if probability >= _MIN_PROBABILITY and language in languages else default
