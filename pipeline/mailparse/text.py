"""Readable text from text/plain and text/html bodies, with bounded cost."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

MAX_BODY_CHARS = 20_000
# HTML beyond this is not read: the text we keep is far shorter anyway.
MAX_HTML_CHARS = 400_000

_BLOCK_TAGS = frozenset(
    {"br", "p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "pre", "hr", "section", "article", "header", "footer"}
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template"})
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML body: tags stripped, entities unescaped, lines kept."""
    markup = markup[:MAX_HTML_CHARS]
    collector = _TextCollector()
    try:
        collector.feed(markup)
        collector.close()
        text = "".join(collector.parts)
    except Exception:  # noqa: BLE001 - html.parser has asserted on broken markup
        text = html.unescape(_TAG.sub(" ", markup))
    return tidy_text(text)


def tidy_text(text: str) -> str:
    """Normalise line ends and blank runs, drop NULs, cap at MAX_BODY_CHARS."""
    # Cap first so a huge body costs no more than a short one.
    text = text[: MAX_BODY_CHARS * 2]
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.replace("\xa0", " ").rstrip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return text[:MAX_BODY_CHARS]
