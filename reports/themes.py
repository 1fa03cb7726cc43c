"""Themes in what customers write: complaint descriptions, e-mailed (and tracking-page) replies and
survey answers' texts ("what would you change?" and every other open question), in en/pl/ru/ro/cs.

The scheduled job `compute_themes_job(now)` reads only the texts new since its last run (a cursor
per source, `report_theme_cursors`) plus the texts of recent runs that fitted no theme yet:

1. Each text becomes a hashed bag of word stems (accents folded, the language's
   stopwords from YAKE's lists dropped, words cut to STEM_LENGTH characters so "dostawa",
   "dostawy", "dostawą" count as one), l2-normalised; no vocabulary, no downloaded model.
2. A text joins the existing theme of its language whose centroid is nearest, when the cosine
   is at least ASSIGN_SIMILARITY (the centroid moves to the running mean).
3. The rest of each language is clustered with scikit-learn's MiniBatchKMeans (over-split, then
   centres closer than MERGE_SIMILARITY joined by average-linkage clustering); a cluster of at
   least THEME_MIN_TEXTS texts that hang together (mean cosine to its centre at least
   MIN_COHESION) becomes a theme, labelled by YAKE's best keyphrases over its most typical texts.
   The others stay pending (theme_id NULL) for later runs, for PENDING_DAYS.

Themes are per language: the same complaint in Polish and in Czech are two themes (each labelled
in its own words) — the dashboard lists them side by side. Quotes are never copied: a mention
points at its source row, so erasing a complaint or an answer removes its quote too.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, func, select, update

from complaints.models import Complaint, ComplaintEvent
from extensions import db
from reports.models import Theme, ThemeCursor, ThemeMention
from surveys.models import SurveyAnswer, SurveyResponse

LANGUAGES = ("en", "pl", "ru", "ro", "cs")
YAKE_LANGUAGE = {"cs": "cz"}  # YAKE's own code for Czech stopwords
N_FEATURES = 2 ** 15  # a language's stems are a few thousand: few collisions, k-means stays fast
FIT_SAMPLE = 6000  # k-means learns its centres on at most this many texts, then labels all
STEM_LENGTH = 5
MIN_WORD = 3
ASSIGN_SIMILARITY = 0.3
MERGE_SIMILARITY = 0.18
MIN_COHESION = 0.25
THEME_MIN_TEXTS = 5
CENTROID_TERMS = 300
PENDING_DAYS = 90
PENDING_LIMIT = 20000
LABEL_TEXTS = 40
MAX_CLUSTERS = 40
TEXT_CHARS = 2000
SOURCES = ("complaint", "reply", "answer")

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "đ": "d", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without accents (Cyrillic letters stay Cyrillic; й/ё fold to и/е)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=None)
def stopwords(language: str) -> frozenset[str]:
    import yake
    folder = Path(yake.__file__).parent / "core" / "StopwordsList"
    path = folder / f"stopwords_{YAKE_LANGUAGE.get(language, language)}.txt"
    if not path.exists():
        return frozenset()
    words = path.read_text(encoding="utf-8", errors="ignore").split()
    return frozenset(fold(w) for w in words)


def features(text: str, language: str) -> list[str]:
    stop = stopwords(language)
    stems = [w[:STEM_LENGTH] for w in _WORD.findall(fold(text[:TEXT_CHARS])) if len(w) >= MIN_WORD and w not in stop]
    return stems


@lru_cache(maxsize=1)
def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer
    return HashingVectorizer(analyzer=lambda doc: doc, n_features=N_FEATURES, alternate_sign=False, norm="l2")


def vectorize(texts: list[str], language: str):
    import numpy as np
    from sklearn.preprocessing import normalize
    matrix = _vectorizer().transform([features(t, language) for t in texts])
    matrix.data = np.sqrt(matrix.data)  # damp a word repeated many times
    return normalize(matrix)


@dataclass
class Text:
    source: str
    source_id: int
    complaint_id: int | None
    language: str
    written_at: datetime
    body: str
    mention_id: int | None = None  # set for pending texts read again


@dataclass
class ThemeRun:
    read: dict[str, int] = field(default_factory=dict)  # new texts per source
    reconsidered: int = 0
    assigned: int = 0
    new_themes: int = 0
    pending: int = 0


def _language(code: str | None) -> str:
    code = (code or "en")[:2].lower()
    return code if code in LANGUAGES else "en"


def _cursor(source: str) -> int:
    return db.session.scalar(select(ThemeCursor.last_id).where(ThemeCursor.source == source)) or 0


def _new_texts(source: str, after: int, limit: int | None) -> list[Text]:
    if source == "complaint":
        query = (select(Complaint.id, Complaint.id, Complaint.language, Complaint.created_at, Complaint.description)
                 .where(Complaint.id > after).order_by(Complaint.id))
    elif source == "reply":
        query = (select(ComplaintEvent.id, ComplaintEvent.complaint_id, Complaint.language, ComplaintEvent.created_at,
                        ComplaintEvent.body)
                 .join(Complaint, Complaint.id == ComplaintEvent.complaint_id)
                 .where(ComplaintEvent.id > after, ComplaintEvent.kind == "customer_message",
                        ComplaintEvent.by_customer.is_(True))
                 .order_by(ComplaintEvent.id))
    else:
        query = (select(SurveyAnswer.id, SurveyResponse.complaint_id, SurveyResponse.language,
                        SurveyResponse.submitted_at, SurveyAnswer.text)
                 .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
                 .where(SurveyAnswer.id > after, SurveyAnswer.qtype == "text", SurveyAnswer.text.is_not(None),
                        SurveyResponse.submitted_at.is_not(None))
                 .order_by(SurveyAnswer.id))
    if limit:
        query = query.limit(limit)
    return [Text(source, row[0], row[1], _language(row[2]), row[3], row[4] or "") for row in db.session.execute(query)]


def _pending_texts(now: datetime) -> list[Text]:
    """Texts read before that fitted no theme, still recent enough to start one."""
    rows = db.session.execute(
        select(ThemeMention.id, ThemeMention.source, ThemeMention.source_id, ThemeMention.complaint_id,
               ThemeMention.language, ThemeMention.written_at)
        .where(ThemeMention.theme_id.is_(None), ThemeMention.written_at >= now - timedelta(days=PENDING_DAYS))
        .order_by(ThemeMention.written_at.desc()).limit(PENDING_LIMIT)).all()
    by_source: dict[str, dict[int, tuple]] = defaultdict(dict)
    for row in rows:
        by_source[row.source][row.source_id] = row
    texts = []
    for source, refs in by_source.items():
        for source_id, body in _bodies(source, list(refs)).items():
            row = refs[source_id]
            texts.append(Text(source, source_id, row.complaint_id, row.language, row.written_at, body, row.id))
    return texts


def _bodies(source: str, ids: list[int]) -> dict[int, str]:
    column = {"complaint": (Complaint.id, Complaint.description), "reply": (ComplaintEvent.id, ComplaintEvent.body),
              "answer": (SurveyAnswer.id, SurveyAnswer.text)}[source]
    found: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        found.update({i: b or "" for i, b in db.session.execute(select(*column).where(column[0].in_(chunk)))})
    return found


def _centroid_matrix(themes: list[Theme]):
    from scipy.sparse import csr_matrix
    rows, cols, data = [], [], []
    for i, theme in enumerate(themes):
        for index, weight in theme.centroid.items():
            rows.append(i)
            cols.append(int(index))
            data.append(float(weight))
    return csr_matrix((data, (rows, cols)), shape=(len(themes), N_FEATURES))


def _trimmed(vector) -> dict[str, float]:
    """The strongest CENTROID_TERMS weights of a dense or 1-row sparse vector, renormalised."""
    import numpy as np
    dense = np.asarray(vector.todense()).ravel() if hasattr(vector, "todense") else np.asarray(vector).ravel()
    top = np.argsort(dense)[::-1][:CENTROID_TERMS]
    top = top[dense[top] > 0]
    norm = math.sqrt(float((dense[top] ** 2).sum())) or 1.0
    return {str(int(i)): round(float(dense[i]) / norm, 5) for i in top}


def keyphrases(texts: list[str], language: str, top: int = 5) -> list[str]:
    """YAKE's best keyphrases (lowest scores) over the joined texts, without near-duplicates."""
    import yake
    extractor = yake.KeywordExtractor(lan=YAKE_LANGUAGE.get(language, language), n=3, dedupLim=0.7, top=top * 3)
    found: list[str] = []
    seen: set[str] = set()
    for phrase, _score in sorted(extractor.extract_keywords(" \n".join(t[:600] for t in texts)), key=lambda k: k[1]):
        key = fold(phrase)
        if key in seen or any(key in fold(other) or fold(other) in key for other in found):
            continue
        seen.add(key)
        found.append(phrase)
        if len(found) >= top:
            break
    return found


def _cluster(matrix, k: int):
    """k-means over-splits on purpose (k grows with the texts); centres closer than
    MERGE_SIMILARITY (average linkage on cosine) are then one cluster."""
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
    from sklearn.preprocessing import normalize
    model = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=2, batch_size=2048, max_iter=50)
    if matrix.shape[0] > FIT_SAMPLE:
        sample = np.random.default_rng(0).choice(matrix.shape[0], FIT_SAMPLE, replace=False)
        model.fit(matrix[np.sort(sample)])
        labels = model.predict(matrix)
    else:
        labels = model.fit_predict(matrix)
    centres = normalize(model.cluster_centers_)
    used = np.unique(labels)
    if len(used) < 2:
        return labels
    merge = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=1 - MERGE_SIMILARITY).fit_predict(centres[used])
    mapping = dict(zip(used.tolist(), merge.tolist()))
    return np.array([mapping[label] for label in labels])


def _clusters_for(language: str, texts: list[Text], now: datetime, run: ThemeRun) -> list[int | None]:
    """The theme id of every text (None: still pending); creates new themes."""
    import numpy as np
    if not texts:
        return []
    matrix = vectorize([t.body for t in texts], language)
    result: list[int | None] = [None] * len(texts)
    themes = list(db.session.scalars(select(Theme).where(Theme.language == language).order_by(Theme.id)))
    if themes:
        similarity = (matrix @ _centroid_matrix(themes).T).toarray()
        best = similarity.argmax(axis=1)
        best_value = similarity[np.arange(len(texts)), best]
        for theme_index, theme in enumerate(themes):
            members = np.where((best == theme_index) & (best_value >= ASSIGN_SIMILARITY))[0]
            if not len(members):
                continue
            for i in members:
                result[i] = theme.id
            old = _centroid_matrix([theme]) * theme.size
            theme.centroid = _trimmed(old + matrix[members].sum(axis=0))
            theme.size += len(members)
            theme.updated_at = now
            run.assigned += len(members)
    rest = [i for i, r in enumerate(result) if r is None]
    nonempty = [i for i in rest if matrix[i].nnz]
    if len(nonempty) >= THEME_MIN_TEXTS:
        sub = matrix[nonempty]
        k = max(1, min(MAX_CLUSTERS, len(nonempty) // THEME_MIN_TEXTS, int(math.sqrt(len(nonempty) / 2)) + 1))
        labels = _cluster(sub, k) if k > 1 else np.zeros(len(nonempty), dtype=int)
        for cluster in np.unique(labels):
            members = np.where(labels == cluster)[0]
            if len(members) < THEME_MIN_TEXTS:
                continue
            centre = sub[members].mean(axis=0)
            centre = np.asarray(centre).ravel()
            centre = centre / (np.linalg.norm(centre) or 1.0)
            closeness = np.asarray(sub[members] @ centre).ravel()
            # Members far from the centre do not belong; the rest must hang together.
            members = members[closeness >= MIN_COHESION / 2]
            closeness = closeness[closeness >= MIN_COHESION / 2]
            if len(members) < THEME_MIN_TEXTS or float(closeness.mean()) < MIN_COHESION:
                continue
            typical = [texts[nonempty[i]].body for i in members[np.argsort(closeness)[::-1][:LABEL_TEXTS]]]
            phrases = keyphrases(typical, language) or ["…"]
            theme = Theme(language=language, label=phrases[0][:200], keyphrases=phrases,
                          centroid=_trimmed(sub[members].mean(axis=0)), size=len(members), created_at=now,
                          updated_at=now)
            db.session.add(theme)
            db.session.flush()
            run.new_themes += 1
            for i in members:
                result[nonempty[i]] = theme.id
    return result


def compute_themes(now: datetime, *, limit_per_source: int | None = None) -> ThemeRun:
    """Read what is new since the last run (and the still-pending texts), file each under a theme."""
    run = ThemeRun()
    new: list[Text] = []
    cursors: dict[str, int] = {}
    for source in SOURCES:
        texts = _new_texts(source, _cursor(source), limit_per_source)
        run.read[source] = len(texts)
        if texts:
            cursors[source] = max(t.source_id for t in texts)
        new.extend(texts)
    pending = _pending_texts(now)
    run.reconsidered = len(pending)
    by_language: dict[str, list[Text]] = defaultdict(list)
    for text in pending + new:
        by_language[text.language].append(text)
    mentions, moved = [], defaultdict(list)
    for language, texts in by_language.items():
        for text, theme_id in zip(texts, _clusters_for(language, texts, now, run)):
            if text.mention_id is not None:
                if theme_id is not None:
                    moved[theme_id].append(text.mention_id)
                continue
            mentions.append({"theme_id": theme_id, "source": text.source, "source_id": text.source_id,
                             "complaint_id": text.complaint_id, "language": text.language,
                             "written_at": text.written_at})
            run.pending += theme_id is None
    for theme_id, ids in moved.items():
        for start in range(0, len(ids), 900):
            db.session.execute(update(ThemeMention).where(ThemeMention.id.in_(ids[start:start + 900]))
                               .values(theme_id=theme_id))
    run.pending += len(pending) - sum(len(ids) for ids in moved.values())
    for start in range(0, len(mentions), 5000):
        db.session.execute(ThemeMention.__table__.insert(), mentions[start:start + 5000])
    for source, last_id in cursors.items():
        cursor = db.session.get(ThemeCursor, source)
        if cursor is None:
            db.session.add(ThemeCursor(source=source, last_id=last_id, updated_at=now))
        else:
            cursor.last_id, cursor.updated_at = last_id, now
    db.session.commit()
    return run


def compute_themes_job(now: datetime) -> dict:
    run = compute_themes(now, limit_per_source=50000)
    return {"read": run.read, "reconsidered": run.reconsidered, "assigned": run.assigned,
            "new_themes": run.new_themes, "pending": run.pending}


# ---- reading (dashboard, drill-down, alerts) -------------------------------------------------

def weekly_counts(theme_ids: list[int], start: datetime, weeks: int, condition=None) -> dict[int, list[int]]:
    """Mentions per theme per week from `start` (week 0) — counted in Python over the index."""
    counts = {theme_id: [0] * weeks for theme_id in theme_ids}
    if not theme_ids:
        return counts
    query = (select(ThemeMention.theme_id, ThemeMention.written_at)
             .where(ThemeMention.theme_id.in_(theme_ids), ThemeMention.written_at >= start,
                    ThemeMention.written_at < start + timedelta(weeks=weeks)))
    if condition is not None:
        query = query.where(condition)
    for theme_id, written_at in db.session.execute(query):
        counts[theme_id][(written_at - start).days // 7] += 1
    return counts


def theme_counts(condition=None, limit: int = 20) -> list[tuple[Theme, int]]:
    count = func.count(ThemeMention.id)
    query = (select(Theme, count).join(ThemeMention, ThemeMention.theme_id == Theme.id)
             .group_by(Theme.id).order_by(count.desc(), Theme.id).limit(limit))
    if condition is not None:
        query = query.where(condition)
    return [(theme, int(n)) for theme, n in db.session.execute(query)]


def quotes(theme_id: int, condition=None, limit: int = 3, offset: int = 0) -> list[dict]:
    """The latest texts of a theme (under `condition`: the reader's visibility), read live."""
    query = (select(ThemeMention).where(ThemeMention.theme_id == theme_id)
             .order_by(ThemeMention.written_at.desc(), ThemeMention.id.desc()).limit(limit).offset(offset))
    if condition is not None:
        query = query.where(condition)
    mentions = list(db.session.scalars(query))
    bodies: dict[str, dict[int, str]] = {}
    for source in SOURCES:
        ids = [m.source_id for m in mentions if m.source == source]
        bodies[source] = _bodies(source, ids) if ids else {}
    references = dict(db.session.execute(select(Complaint.id, Complaint.reference).where(
        Complaint.id.in_([m.complaint_id for m in mentions if m.complaint_id]))).all()) if mentions else {}
    out = []
    for mention in mentions:
        body = bodies[mention.source].get(mention.source_id)
        if body is None:
            continue
        out.append({"mention": mention, "text": body.strip(), "reference": references.get(mention.complaint_id)})
    return out


TREND_WEEKS = 8


def visibility(actor):
    """The one rule (complaints.queries): an agent reads only texts of complaints they may see
    (and survey answers tied to no complaint)."""
    from complaints.queries import tied_to_visible
    return tied_to_visible(actor, ThemeMention.complaint_id)


def dashboard_themes(actor, now: datetime, *, limit: int = 10, quotes_per_theme: int = 2) -> list[dict]:
    """The themes most written about in the last TREND_WEEKS complete weeks and this one, as the
    reader may see them: count, weekly counts (oldest first, this week last), trend, quotes."""
    condition = visibility(actor)
    monday = now.date() - timedelta(days=now.weekday())
    start = datetime.combine(monday - timedelta(weeks=TREND_WEEKS), datetime.min.time())
    count = func.count(ThemeMention.id)
    window = and_(ThemeMention.written_at >= start, ThemeMention.written_at <= now)
    rows = db.session.execute(
        select(Theme, count).join(ThemeMention, ThemeMention.theme_id == Theme.id)
        .where(condition, window)
        .group_by(Theme.id).order_by(count.desc(), Theme.id).limit(limit)).all()
    weekly = weekly_counts([theme.id for theme, _n in rows], start, TREND_WEEKS + 1, condition)
    out = []
    for theme, n in rows:
        weeks = weekly[theme.id]
        previous = weeks[:-2]  # the complete weeks before the last complete one
        baseline = sum(previous) / len(previous) if previous else 0.0
        last = weeks[-2]
        # A direction only when there are enough texts for it to mean something.
        trend = ("up" if last >= 3 and last > baseline * 1.5 else
                 "down" if baseline >= 2 and last < baseline * 0.5 else "flat")
        phrases = phrases_for(theme, actor, condition)
        out.append({"theme": theme, "phrases": phrases, "count": int(n), "weeks": weeks, "last_week": last,
                    "baseline": round(baseline, 1), "trend": trend,
                    "quotes": _distinct(quotes(theme.id, and_(condition, window), limit=quotes_per_theme * 3),
                                        quotes_per_theme)})
    return out


def _distinct(found: list[dict], n: int) -> list[dict]:
    """The first `n` quotes with different texts (customers often write the same short line)."""
    seen, out = set(), []
    for quote in found:
        key = fold(quote["text"])
        if key not in seen:
            seen.add(key)
            out.append(quote)
    return out[:n]


def phrases_for(theme: Theme, actor, condition=None, sample: int = 200) -> list[str]:
    """The theme's keyphrases the reader may read: a manager all of them; anyone else only those
    found in one of the (latest `sample`) texts of this theme they may see — a label made from
    another agent's complaints must not tell what they say."""
    if actor.is_manager:
        return list(theme.keyphrases)
    texts = [fold(q["text"]) for q in quotes(theme.id, condition if condition is not None else visibility(actor),
                                              limit=sample)]
    return [p for p in theme.keyphrases if any(fold(p) in t for t in texts)]
