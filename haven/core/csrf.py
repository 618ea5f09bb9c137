"""The CSRF mask in one read of the system's random source.

Every page carries a CSRF token, and Django masks it afresh on each response (so the token in a page never
repeats, against BREACH). Django draws the mask with ``get_random_string``: 32 calls of ``secrets.choice``,
each a system call for a byte or two. Under load on a small machine those system calls were about 5 % of a
page's time in the web process (py-spy on granian's workers, 32 connections). ``new_csrf_string`` draws the
same thing, 32 characters each equally likely from Django's CSRF alphabet, from one read of ``secrets``.
``install`` puts it in place of Django's ``_get_new_csrf_string`` (which makes both the mask and a new
cookie's secret); ``haven/core/tests/test_csrf.py`` fails if Django stops calling it by that name.
"""

from __future__ import annotations

import secrets

from django.middleware import csrf

_ALPHABET = csrf.CSRF_ALLOWED_CHARS
_LENGTH = csrf.CSRF_SECRET_LENGTH
# A byte is used only below the largest multiple of the alphabet's size that fits in a byte (248 for 62
# characters), so that each character is equally likely; the rest are drawn again.
_LIMIT = 256 - 256 % len(_ALPHABET)


def new_csrf_string() -> str:
    """``_LENGTH`` characters drawn uniformly and independently from the CSRF alphabet, by the system's CSPRNG."""
    chosen: list[str] = []
    while len(chosen) < _LENGTH:
        # 3 of 100 bytes are refused on average: 1.5 times the length leaves 32 usable ones all but always.
        chosen.extend(
            _ALPHABET[byte % len(_ALPHABET)] for byte in secrets.token_bytes(_LENGTH * 3 // 2) if byte < _LIMIT
        )
    return "".join(chosen[:_LENGTH])


def install() -> None:
    """Make Django's CSRF middleware draw its masks and secrets with ``new_csrf_string``."""
    csrf._get_new_csrf_string = new_csrf_string
