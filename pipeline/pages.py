"""Submission -> Pages -> PreparedPage.

`render_pages` turns every attachment into raster pages (images decoded,
PDFs rendered) or into an `UnreadableAttachment` naming why not; it never
raises on bad bytes. A page that holds several documents side by side
(cards scanned together) becomes one page per document (`split_page`).
`prepare_page` straightens one page for OCR and measures whether it can
be trusted (see pipeline.imaging).
"""

from __future__ import annotations

import numpy as np

from pipeline.adapters.ocr import OcrEngine
from pipeline.imaging.decode import (IMAGE_TYPES, DecodeProblem, count_frames, decode_image,
                                     render_pdf)
from pipeline.imaging.enhance import (estimate_text_heights, normalise_illumination, to_grey,
                                      upscale_small_text)
from pipeline.imaging.geometry import (deskew_angle, estimate_orientation, find_document_quad,
                                       rotate_quarter, rotate_small, warp_quad)
from pipeline.imaging.quality import bright_blobs, measure_quality, washed_spots
from pipeline.imaging.split import cut_out, find_documents
from pipeline.settings import LimitSettings
from pipeline.sniff import sniff_type
from pipeline.types import (Attachment, AttachmentProblem, Box, Page, PageProblem, PageRef,
                            PreparedPage, Submission, UnreadableAttachment)

# Upper bound for the prepared image after upscaling small text.
MAX_PREPARED_PIXELS = 16_000_000


def _unreadable(attachment: Attachment, problem: PageProblem | AttachmentProblem, detail: str,
                page_number: int = 1) -> UnreadableAttachment:
    return UnreadableAttachment(ref=PageRef(attachment_index=attachment.index,
                                            page_number=page_number),
                                filename=attachment.filename, problem=problem, detail=detail)


def _attachment_pages(attachment: Attachment, limits: LimitSettings, room: int
                      ) -> tuple[list[Page], list[UnreadableAttachment]]:
    """Pages of one attachment, at most `room` of them."""
    data = attachment.data
    kind = sniff_type(data)
    if kind == "application/pdf":
        rendered = render_pdf(data, min(limits.max_pdf_pages, room), limits.max_image_pixels)
        images, total, dpi = rendered.pages, rendered.page_count, rendered.dpi
    elif kind in IMAGE_TYPES:
        images = decode_image(data, kind, limits.max_image_pixels, min(limits.max_pdf_pages, room))
        total, dpi = max(count_frames(data), len(images)), None
    else:
        detail = f"{kind} is not a scan (declared {attachment.declared_type})"
        return [], [_unreadable(attachment, PageProblem.UNSUPPORTED_TYPE, detail)]
    pages = [Page(ref=PageRef(attachment_index=attachment.index, page_number=number),
                  filename=attachment.filename, image=image, dpi=dpi)
             for number, image in enumerate(images, start=1)]
    dropped: list[UnreadableAttachment] = []
    if total > len(pages):
        first = len(pages) + 1
        dropped.append(_unreadable(attachment, PageProblem.TOO_MANY_PAGES,
                                   f"pages {first}-{total} of {total} not read", first))
    return pages, dropped


def split_page(page: Page) -> list[Page]:
    """The documents on a page, each as a page of its own; the page itself when it holds one.

    Each piece keeps the page's attachment and page number, `part` numbering
    the pieces in reading order, so a finding about one still names the
    file and page the participant sent.
    """
    found = find_documents(page.image)
    if not found.several:
        return [page]
    return [Page(ref=page.ref.model_copy(update={"part": number}), filename=page.filename,
                 image=cut_out(page.image, region, found.background), dpi=page.dpi)
            for number, region in enumerate(found.regions, start=1)]


def render_pages(submission: Submission, limits: LimitSettings
                 ) -> tuple[list[Page], list[UnreadableAttachment]]:
    """Every attachment as pages, or as an unreadable attachment with its reason.

    Pages across the submission are capped by `limits.max_pages_per_submission`
    and per PDF by `limits.max_pdf_pages`; what is cut is reported as
    TOO_MANY_PAGES. Attachments intake already refused keep intake's problem.
    A page holding several documents is returned as one page per document
    (`split_page`); the caps count the pages as sent.
    """
    pages: list[Page] = []
    unreadable: list[UnreadableAttachment] = []
    for attachment in submission.attachments:
        if attachment.problem is not None:
            unreadable.append(_unreadable(attachment, attachment.problem, "refused at intake"))
            continue
        if not attachment.data:
            unreadable.append(_unreadable(attachment, AttachmentProblem.EMPTY,
                                          "attachment has no data"))
            continue
        room = limits.max_pages_per_submission - len(pages)
        if room <= 0:
            unreadable.append(_unreadable(attachment, PageProblem.TOO_MANY_PAGES,
                                          "submission page limit reached"))
            continue
        try:
            new_pages, dropped = _attachment_pages(attachment, limits, room)
        except DecodeProblem as problem:
            unreadable.append(_unreadable(attachment, problem.problem, problem.detail))
            continue
        except MemoryError:
            unreadable.append(_unreadable(attachment, PageProblem.TOO_LARGE,
                                          "not enough memory to decode"))
            continue
        pages.extend(new_pages)
        unreadable.extend(dropped)
    return [piece for page in pages for piece in split_page(page)], unreadable


def prepare_page(page: Page, *, engine: OcrEngine | None = None) -> PreparedPage:
    """A greyscale, upright, straightened page with its quality measured.

    Steps: warp a card or sheet photographed on a background to a flat
    rectangle (only when its outline is clear), turn it upright (a cheap
    text-shape test; with `engine`, tesseract's orientation detection
    decides instead when it is confident), remove small skew, flatten the
    lighting, and enlarge small text. Quality is measured on the capture
    and the result so that an unreadable page says so.
    """
    colour = page.image
    grey = to_grey(colour)
    quad = find_document_quad(grey)
    if quad is not None:
        grey = warp_quad(grey, quad)
    rotation: int | None = None
    if engine is not None:
        rotation = engine.detect_orientation(grey)
    if rotation is None:
        rotation = estimate_orientation(grey)
    grey = rotate_quarter(grey, rotation)
    skew = deskew_angle(grey)
    if abs(skew) >= 0.3:
        grey = rotate_small(grey, skew)
    flat = normalise_illumination(grey)
    # The text heights are measured once and passed on: every later step needs them.
    heights = estimate_text_heights(flat)
    char, letter = (None, None) if heights is None else heights
    prepared, scale = upscale_small_text(flat, MAX_PREPARED_PIXELS, char)
    # Bright blobs feed both the glare share and the spots extractors heed.
    blobs = bright_blobs(grey)
    quality = measure_quality(grey, prepared, flat=flat, char=char, letter=letter,
                              original=colour, blobs=blobs)
    # Highlights are found on the straightened capture, before the lighting is
    # evened out (which paints them paper-white), and scaled as the text was.
    spots = washed_spots(grey, blobs)
    glare = tuple(Box(x=int(b.x * scale), y=int(b.y * scale), w=int(np.ceil(b.w * scale)),
                      h=int(np.ceil(b.h * scale))) for b in spots)
    return PreparedPage(ref=page.ref, filename=page.filename, image=np.ascontiguousarray(prepared),
                        rotation=rotation, skew=round(float(skew), 2), quality=quality,
                        char_height=None if char is None else round(char * scale, 1),
                        glare=glare)
