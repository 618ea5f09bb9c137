"""PINs: a one-time PIN for a link waiting for confirmation, printed on the instruction sheet, and the
portal user's entering it."""

from __future__ import annotations

import secrets

from django.db import transaction

from haven.audit.actions import record_event
from haven.audit.events import PortalInstructionsPrinted, PortalPinConfirmed, PortalPinFailed, PortalPinIssued
from haven.core.actors import Actor
from haven.core.prepared import Prepared, counting
from haven.portal_access.actions import locked_access, portal_actor, require
from haven.portal_access.models import AccessStatus, PortalAccount, ProfileAccess
from haven.portal_access.policy import ProfileAccessVerb
from haven.practices.models import Practice, StaffMember


def _new_pin() -> str:
    return f"{secrets.randbelow(10**8):08d}"


@transaction.atomic
def issue_pin(*, by: StaffMember, access: ProfileAccess) -> str:
    """A new one-time PIN for a link waiting for confirmation; the previous PIN stops working."""
    require(by, ProfileAccessVerb.ISSUE_PIN, access)
    access = locked_access(by, access)
    if access.status != AccessStatus.PENDING:
        return ""
    pin = _new_pin()
    access.set_pin(pin)
    access.save(update_fields=["pin_hash", "pin_expires_at", "pin_attempts"])
    record_event(
        PortalPinIssued(),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )
    return pin


def print_instruction_sheet(*, by: StaffMember, access: ProfileAccess) -> bytes:
    """The printable instructions (ACC-7); a link waiting for confirmation gets a new PIN, voiding the last one.

    The PIN is issued (and audited) first, the sheet rendered outside any transaction (WeasyPrint is
    slow), and the printing audited once the sheet exists.
    """
    require(by, ProfileAccessVerb.PRINT_INSTRUCTIONS, access)
    from haven.portal_access.documents import render_instruction_sheet  # WeasyPrint is slow to import

    pin = issue_pin(by=by, access=access)
    access.refresh_from_db()
    pdf = render_instruction_sheet(access, pin=pin)
    record_event(
        PortalInstructionsPrinted(with_pin=bool(pin)),
        actor=Actor.staff(by.user),
        practice=by.practice,
        client=access.client,
        target=access,
    )
    return pdf


@transaction.atomic
def confirm_pin(*, account: PortalAccount, practice: Practice, pin: str) -> ProfileAccess | None:
    """Enter the PIN from an instruction sheet: it confirms the link it was printed for."""
    pending = list(
        ProfileAccess.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(account=account, practice=practice, status=AccessStatus.PENDING)
        .exclude(pin_hash="")
    )
    usable = [access for access in pending if access.pin_usable()]
    for access in usable:
        if access.pin_matches(pin.strip()):
            access.mark_confirmed()
            record_event(
                PortalPinConfirmed(),
                actor=portal_actor(account),
                practice=practice,
                client=access.client,
                target=access,
            )
            return access
    for access in usable:
        access.pin_attempts += 1
        access.save(update_fields=["pin_attempts"])
    record_event(
        PortalPinFailed(
            attempts_left=min((ProfileAccess.PIN_MAX_ATTEMPTS - a.pin_attempts for a in usable), default=0)
        ),
        actor=portal_actor(account),
        practice=practice,
    )
    return None


def pending_pin_count(account: PortalAccount, practice: Practice) -> int:
    counted = _PENDING(account.pk, practice.pk)
    return counted[0] if counted else 0


# How many links of a login wait for its PIN in a practice: one row, or none when none wait.
_PENDING: Prepared[int] = Prepared(
    lambda account_id, practice_id: counting(
        ProfileAccess.objects.filter(account_id=account_id, practice_id=practice_id, status=AccessStatus.PENDING),
        "account_id",
    ),
    int,
    int,
)
