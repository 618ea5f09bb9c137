"""Printable PDFs about the portal: a person's instruction sheet (ACC-7) and the handout (ACC-12).

WeasyPrint renders them from the templates in ``templates/pdf/``. Everything a PDF shows travels
inside its HTML: the logo and the QR code are data: URIs and the URL fetcher refuses anything
else, so rendering never reaches the network or the file system, whatever a template asks for.
"""

from __future__ import annotations

import hashlib
from typing import Any

from haven.core.cache import remembered
from haven.core.pdf import date_in_practice_zone, logo_data_uri, qr_data_uri, write_pdf
from haven.portal_access.models import AccessStatus, ProfileAccess
from haven.practices.models import Practice


def _practice_context(practice: Practice) -> dict[str, Any]:
    return {
        "practice": practice,
        "portal_url": practice.portal_url,
        "logo_uri": logo_data_uri(practice),
        "qr_uri": qr_data_uri(practice.portal_url),
    }


def render_instruction_sheet(access: ProfileAccess, *, pin: str) -> bytes:
    """ACC-7: one printable page telling this person how to reach this client's profile.

    ``pin`` is the one-time portal PIN just issued, shown once on the sheet; pass "" when
    there is none (the link is already confirmed, or no PIN was issued).
    """
    practice = access.practice
    return write_pdf(
        "pdf/instruction_sheet.html",
        {
            **_practice_context(practice),
            "account": access.account,
            "client": access.client,
            "capacity": access.capacity_label,
            "pin": pin,
            "pin_expires_on": date_in_practice_zone(access.pin_expires_at, practice) if pin else None,
            "confirmed": access.status == AccessStatus.ACTIVE,
        },
    )


def render_portal_handout(practice: Practice) -> bytes:
    """ACC-12: the practice's handout about the portal, with its own words when it has written some.

    Anyone may download it, so the rendering is cached until something it shows changes.
    """
    shown = [practice.pk, practice.name, practice.phone, practice.email, practice.address]
    shown += [practice.portal_handout_text, practice.portal_url, practice.logo_content_type]
    fingerprint = hashlib.sha256(repr(shown).encode("utf-8") + bytes(practice.logo or b"")).hexdigest()
    key = f"haven:portal-handout:{fingerprint}"
    return remembered(key, lambda: write_pdf("pdf/handout.html", _practice_context(practice)), timeout=24 * 3600)
