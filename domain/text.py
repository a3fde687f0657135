"""Checks on text people type: control characters and numbers that look like a BSN.

Pure functions, used by the API's request bodies, the forms and the CLI alike.
"""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL; free text may keep tab, newline and return
CONTROL_CLASS = "\\x00-\\x1f\\x7f-\\x9f"
CONTROL_BUT_LINES_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
# invisible characters that hide or reorder text: soft hyphen, zero-width characters,
# bidirectional overrides and isolates, word joiners, the byte order mark
HIDDEN_CLASS = "\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\ufeff"
# the same rules as JSON-schema patterns (the OpenAPI publishes them)
NAME_PATTERN = f"^[^{CONTROL_CLASS}{HIDDEN_CLASS}]*$"
FREE_TEXT_PATTERN = f"^[^{CONTROL_BUT_LINES_CLASS}]*$"
_NAME = re.compile(NAME_PATTERN)
_FREE_TEXT = re.compile(FREE_TEXT_PATTERN)

# digits with at most three separators (anything but a letter or digit) between them
_NUMBER_RUN = re.compile(r"\d(?:[^0-9A-Za-z]{0,3}\d)*")
BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def has_control_characters(value: str, *, free_text: bool = False) -> bool:
    """True for NUL and other control characters (and invisible format characters in
    names and identifiers). ``free_text`` allows tab, newline and carriage return."""
    pattern = _FREE_TEXT if free_text else _NAME
    return pattern.fullmatch(value) is None


def passes_elfproef(digits: str) -> bool:
    """The BSN check ("elfproef"): 9 digits, weighted sum divisible by 11, not zero."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, BSN_WEIGHTS, strict=True))
    return total % 11 == 0 and total != 0


def bsn_like(value: str) -> bool:
    """True when ``value`` holds a number that could be a BSN: anywhere, whatever the
    separators (``BSN123456782``, ``123_456_782``, ``123.456.782``):

    - any nine consecutive digits of a number that pass the elfproef, or
    - a value that is nothing but nine digits (and separators), elfproef or not.
    """
    for run in _NUMBER_RUN.findall(value):
        digits = re.sub(r"\D", "", run)
        for start in range(len(digits) - 8):
            if passes_elfproef(digits[start : start + 9]):
                return True
    only_digits = re.sub(r"[^0-9A-Za-z]", "", value)
    return len(only_digits) == 9 and only_digits.isdigit()
