"""Values from the data inside Markdown: made inert, so a name holding a link, an image or emphasis shows as
written. Used by the pages (``ui.components.plain``) and by core's Markdown texts (the churn model card)."""

from __future__ import annotations

import re

#: characters that give Markdown meaning inside a sentence (emphasis, links, images, code, HTML, tables, math);
#: a hyphen or a full stop only means something at the start of a line, and a value never starts one here
_MARKDOWN = re.compile(r"([\\`*_\[\]<>!|~$])")
#: the starts of the addresses that GitHub-flavoured Markdown turns into links by itself ("http://...", "www.")
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto|www)([:.])")


def plain(value) -> str:
    """``value`` as text made inert inside Markdown: every Markdown character backslash-escaped, line breaks as
    spaces, the colon of a web address and the dot after ``www`` escaped (a bare address is a link otherwise), so a
    name like ``![x](http://tracker)`` or ``**bold**`` shows as written and never loads or formats anything.

    Examples
    --------
    >>> plain("**bold** [x](y)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\](y)'
    """
    text = _MARKDOWN.sub(r"\\\1", str(value)).replace("\n", " ")
    return _AUTOLINK.sub(r"\1\\\2", text)  # "http\://", "www\.": shown the same, never made a link
