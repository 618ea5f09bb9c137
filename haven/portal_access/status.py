"""The portal account status icon (ACC-5): four states, worked out for many records in three queries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from haven.clients.models import Client, RelatedContact
from haven.portal_access.models import AccessKind, AccessStatus, PortalAccount, ProfileAccess


class PortalState(StrEnum):
    NO_EMAIL = "no_email"  # all gray
    NO_ACCOUNT = "no_account"  # gray globe, highlighted person
    ACCOUNT = "account"  # blue globe, highlighted person
    ELSEWHERE = "elsewhere"  # gray globe, red warning


STATE_LABELS = {
    PortalState.NO_EMAIL: _("No email on record: add an email address to set up portal access."),
    PortalState.NO_ACCOUNT: _("Has an email but no portal account. Create the account and send the invitation."),
    PortalState.ACCOUNT: _("Has a portal account."),
    PortalState.ELSEWHERE: _(
        "This email belongs to a portal account linked to another client's record. No action can be taken."
    ),
}


SHORT_LABELS = {
    PortalState.NO_EMAIL: _("No email"),
    PortalState.NO_ACCOUNT: _("Invite to portal"),
    PortalState.ACCOUNT: _("Link portal account"),
    PortalState.ELSEWHERE: _("Email used by another client"),
}


@dataclass(frozen=True)
class PersonRecord:
    """A person who may get portal access for a client: the client themself, or one of their contacts."""

    client: Client
    contact: RelatedContact | None = None

    @property
    def email(self) -> str:
        return (self.contact.contact_email if self.contact is not None else self.client.email).strip().lower()

    @property
    def name(self) -> str:
        return self.contact.full_name if self.contact is not None else self.client.full_name

    @property
    def own_client_id(self) -> int | None:
        """The client record that is this person's own, if they are a client of the practice."""
        if self.contact is None:
            return self.client.pk
        return self.contact.linked_client_id


@dataclass(frozen=True)
class PortalStatus:
    state: PortalState
    account: PortalAccount | None = None
    access: ProfileAccess | None = None  # the open access of this record, if linked

    @property
    def label(self) -> str:
        if self.state == PortalState.ACCOUNT and self.access is not None:
            if self.access.status == AccessStatus.PENDING:
                return str(
                    _("Has a portal account, linked; waiting for the person to confirm with their PIN or invitation.")
                )
            return str(_("Has a portal account, linked and confirmed. Print the instruction sheet."))
        if self.state == PortalState.ACCOUNT:
            return str(_("Has a portal account that is not linked to this record yet. Link it, then print."))
        return str(STATE_LABELS[self.state])

    @property
    def short_label(self) -> str:
        if self.state == PortalState.ACCOUNT and self.access is not None:
            if self.access.status == AccessStatus.PENDING:
                return str(_("Linked, not yet confirmed"))
            return str(_("Portal access"))
        return str(SHORT_LABELS[self.state])

    @property
    def is_linked(self) -> bool:
        return self.access is not None


def _access_matches(access: ProfileAccess, record: PersonRecord) -> bool:
    if access.client_id != record.client.pk:
        return False
    if record.contact is None:
        return access.kind == AccessKind.SELF
    return access.contact_id == record.contact.pk


def portal_statuses(records: list[PersonRecord]) -> list[PortalStatus]:
    """The status of each record, with a fixed number of queries however many records there are."""
    emails = {record.email for record in records if record.email}
    accounts = {
        account.email.lower(): account
        for account in PortalAccount.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    open_access = list(
        ProfileAccess.objects.filter(
            account__in=accounts.values(), status__in=[AccessStatus.PENDING, AccessStatus.ACTIVE]
        ).select_related("client")
    )
    statuses = []
    for record in records:
        if not record.email:
            statuses.append(PortalStatus(PortalState.NO_EMAIL))
            continue
        account = accounts.get(record.email)
        if account is None:
            statuses.append(PortalStatus(PortalState.NO_ACCOUNT))
            continue
        mine = [access for access in open_access if access.account_id == account.pk]
        linked = next((access for access in mine if _access_matches(access, record)), None)
        if linked is not None:
            statuses.append(PortalStatus(PortalState.ACCOUNT, account, linked))
            continue
        # The account is someone's own login for another client of this practice: not this person.
        someone_else = any(
            access.kind == AccessKind.SELF
            and access.client.practice_id == record.client.practice_id
            and access.client_id != record.own_client_id
            for access in mine
        )
        statuses.append(PortalStatus(PortalState.ELSEWHERE if someone_else else PortalState.ACCOUNT, account))
    return statuses


def portal_status(record: PersonRecord) -> PortalStatus:
    return portal_statuses([record])[0]
