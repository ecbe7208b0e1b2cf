"""`intake extract`: read local image and PDF files page by page.

The same stages as for an emailed attachment (render, prepare, OCR,
classify, extract), for officers and for tuning: one JSON object per page.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from extractors import read_page
from pipeline.adapters.ocr import OcrEngine
from pipeline.pages import prepare_page, render_pages
from pipeline.settings import LimitSettings
from pipeline.sniff import sniff_type
from pipeline.types import Attachment, Document, Submission, UnreadableAttachment

READABLE_TYPES = ("image/", "application/pdf")


class NotADocument(Exception):
    """The file is not an image or a PDF."""


def _as_submission(path: Path, data: bytes) -> Submission:
    kind = sniff_type(data)
    if not kind.startswith(READABLE_TYPES):
        raise NotADocument(f"{path}: not an image or PDF (looks like {kind})")
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(index=0, filename=path.name, declared_type=kind, sniffed_type=kind,
                            size=len(data), sha256=digest, data=data)
    return Submission(branch_id="local", message_sha256=digest, message_id=None, sender=None,
                      sender_name=None, subject=path.name, received_at=datetime.now(UTC),
                      attachments=(attachment,))


def page_record(path: Path, document: Document) -> dict[str, Any]:
    """One page's reading as printed by `intake extract --json`.

    A page holding several cards gives one record per card, numbered by
    `part` (reading order); the key is present only then.
    """
    part = {"part": document.ref.part} if document.ref.part is not None else {}
    return {
        "file": str(path),
        "page": document.ref.page_number,
        **part,
        "kind": document.kind.value,
        "kind_confidence": round(document.kind_confidence, 3),
        "quality": document.quality.model_dump(mode="json") if document.quality else None,
        "fields": {f.name: {"value": f.value, "confidence": round(f.confidence, 3),
                            "box": f.box.model_dump() if f.box else None}
                   for f in document.fields},
    }


def problem_record(path: Path, item: UnreadableAttachment) -> dict[str, Any]:
    return {"file": str(path), "page": item.ref.page_number, "kind": None,
            "problem": str(item.problem), "detail": item.detail}


def extract_file(path: Path, engine: OcrEngine, limits: LimitSettings,
                 today: date) -> list[dict[str, Any]]:
    """One record per page; an unreadable file (encrypted PDF...) gives a problem record."""
    submission = _as_submission(path, path.read_bytes())
    pages, unreadable = render_pages(submission, limits)
    records = [page_record(path, read_page(prepare_page(page), engine, today=today))
               for page in pages]
    return records + [problem_record(path, item) for item in unreadable]
