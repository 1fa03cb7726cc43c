"""Files a customer attached to a complaint form that was refused for another reason (a missing
name, a bad date): kept, bound to the form's one-time submission key, so the customer does not
have to attach them again. Filing the complaint takes them; the worker drops what nobody took
within STAGED_HOURS.

Only files that passed the same checks as any attachment (sniffed type, size) are kept; the
form names the refused ones. The key is a secret in the form; only its hash is stored.

The staff complaint page's composer (a reply or note refused: empty text, someone changed the
complaint meanwhile, a file too large) keeps its files the same way, under a key of its own that
is bound to the staff member (`staff_key`).

The form that lists staged files also carries the hidden field `STAGED_FIELD`: a submission
without it has nothing staged (its key is fresh, or was refused without files), so the filing of
a new visitor's complaint — the product's hot path — reads nothing of this table.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from complaints.uploads import Upload, check_uploads, store
from extensions import db
from platform_support import file_store
from platform_support.errors import ServiceError
from platform_support.tokens import hash_secret

STAGED_HOURS = 24
STAGED_FIELD = "staged_files"  # hidden in the form when it lists staged files


class StagedUpload(db.Model):
    __tablename__ = "staged_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_key_hash: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)


KEEP_FIELD = "keep_staged"  # one checkbox per staged file, ticked: send it


def staff_key(staff_id: int, key: str | None) -> str | None:
    """The staging key of a staff composer: the page's secret, bound to the person, so no one
    else's submission can take (or see) what they attached."""
    return f"staff:{staff_id}:{key}" if key and 16 <= len(key) <= 64 else None


def kept_ids(form_data) -> set[int]:
    """The staged files the person left ticked (KEEP_FIELD)."""
    from platform_support.parsing import bounded_int

    return {i for i in (bounded_int(v, minimum=1) for v in form_data.getlist(KEEP_FIELD)) if i is not None}


def staged_for(submission_key: str | None) -> list[StagedUpload]:
    if not submission_key:
        return []
    return list(db.session.scalars(select(StagedUpload).where(
        StagedUpload.submission_key_hash == hash_secret(submission_key)).order_by(StagedUpload.id)))


def may_have_staged(form_data) -> bool:
    """Did the page this submission came from list staged files (see STAGED_FIELD)?"""
    return bool(form_data.get(STAGED_FIELD))


def stage(submission_key: str | None, uploads: list[Upload], *, now: datetime) -> list[str]:
    """Keep the acceptable files among `uploads` for this submission; returns the names of the
    files that were not kept (wrong type, too large, too many) so the form can say which to attach
    again. Commits."""
    if not submission_key:
        return [u.filename for u in uploads if u.content]
    already = len(staged_for(submission_key))
    refused = []
    for upload in [u for u in uploads if u.content]:
        try:
            ((_upload, content_type, extension),) = check_uploads([upload], already=already)
        except ServiceError:
            refused.append(upload.filename)
            continue
        db.session.add(StagedUpload(submission_key_hash=hash_secret(submission_key), stored_name=store(upload.content, extension),
                                    original_name=upload.filename, content_type=content_type,
                                    size_bytes=len(upload.content), created_at=now))
        already += 1
    db.session.commit()
    return refused


def take(submission_key: str | None, keep_ids: set[int] | None = None) -> list[Upload]:
    """The staged files of this submission as uploads for filing (those in `keep_ids` when given:
    the customer may have unticked some); the others are dropped now."""
    uploads = []
    for staged in staged_for(submission_key):
        if keep_ids is not None and staged.id not in keep_ids:
            _drop(staged)
            continue
        try:
            uploads.append(Upload(filename=staged.original_name, content=file_store.read(staged.stored_name)))
        except FileNotFoundError:
            _drop(staged)
    return uploads


def drop_unticked(submission_key: str | None, keep_ids: set[int]) -> None:
    """The files the person unticked on the page that listed them go now (not committed)."""
    for staged in staged_for(submission_key):
        if staged.id not in keep_ids:
            _drop(staged)


def discard(submission_key: str | None) -> None:
    """After filing: the staged copies are no longer needed (the complaint has its own)."""
    for staged in staged_for(submission_key):
        _drop(staged)


def _drop(staged: StagedUpload) -> None:
    file_store.delete(staged.stored_name)
    db.session.delete(staged)


def purge_staged_uploads(now: datetime) -> int:
    """Scheduled: drop what no filing took within STAGED_HOURS."""
    old = list(db.session.scalars(select(StagedUpload).where(StagedUpload.created_at < now - timedelta(hours=STAGED_HOURS))))
    for staged in old:
        file_store.delete(staged.stored_name)
    if old:
        db.session.execute(delete(StagedUpload).where(StagedUpload.id.in_([s.id for s in old])))
    db.session.commit()
    return len(old)
