"""What the chart tells the apps built on it, which it must not import (``portal_access`` ends the portal
access a removed contact had)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``remove_contact`` inside its transaction, before the contact is deleted: contact=, by=.
contact_removing = Signal()
