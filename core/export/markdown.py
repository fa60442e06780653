"""Values from the data inside Markdown: made inert, so a name holding a link, an image or emphasis shows as
written. Used by the pages (``ui.components.plain``) and by core's Markdown texts (the churn model card)."""

from __future__ import annotations

import re

#: characters that give Markdown meaning inside a sentence (emphasis, links, images, code, HTML, tables, math);
#: a hyphen or a full stop only means something at the start of a line, and a value never starts one here
_MARKDOWN = re.compile(r"([\\`*_\[\]<>!|~$])")


def plain(value) -> str:
    """``value`` as text made inert inside Markdown: every Markdown character backslash-escaped, line breaks as
    spaces, so a name like ``![x](http://tracker)`` or ``**bold**`` shows as written and never loads or formats
    anything.

    Examples
    --------
    >>> plain("**bold** [x](y)")
    '\\\\*\\\\*bold\\\\*\\\\* \\\\[x\\\\](y)'
    """
    return _MARKDOWN.sub(r"\\\1", str(value)).replace("\n", " ")
