"""Text that learner code wrote (printed output, exception messages, reprs, file names), made
safe to show: in a terminal, in Jupyter and in every file the grader writes.

Control characters become visible and inert (ESC is shown as ␛, so `\\x1b[2J` cannot clear the
screen, set a window title or draw a link), invisible format characters that reorder or hide
text are written as escapes, and the text is cut to a stated length, saying so.
"""

from __future__ import annotations

import re

TEXT_LIMIT = 20_000  # characters of any one piece of learner text the grader keeps
MESSAGE_LIMIT = 2_000  # of an exception's message
PRINTED_LIMIT = 2_000  # of a call's printed output

# C0 controls but tab and newline, DEL, C1 controls; zero-width and bidirectional marks.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _visible(match: re.Match) -> str:
    code = ord(match[0])
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ ␍ ␇ ...
    return "\u2421" if code == 0x7F else f"\\u{code:04x}"


def visible(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` with every control or hidden character made visible, cut after `limit`
    characters (a cut text ends by saying how many were cut)."""
    shown = _HIDDEN.sub(_visible, text[:limit])
    return shown if len(text) <= limit else f"{shown} [... {len(text) - limit:,} more characters cut]"
