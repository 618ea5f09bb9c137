from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from haven.core.tokens import new_token
from haven.practices.bootstrap import create_practice_with_administrator
from haven.practices.models import StaffInvitation


class Command(BaseCommand):
    help = "Create a practice and its first administrator, and print a one-time link to set their password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="The portal address, e.g. riverbend")
        parser.add_argument("--time-zone", default="America/New_York")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        member = create_practice_with_administrator(
            name=options["name"],
            slug=options["slug"],
            time_zone=options["time_zone"],
            admin_email=options["admin_email"],
            admin_name=options["admin_name"],
        )
        token, token_hash = new_token()
        invitation = StaffInvitation(member=member, token_hash=token_hash)
        invitation.expires_at = invitation.created_at + StaffInvitation.VALID_FOR
        invitation.save()
        link = settings.HAVEN_BASE_URL + reverse("staff:accept_invitation", kwargs={"token": token})
        self.stdout.write(f"Created {member.practice.name}. The administrator sets a password here (24 hours):")
        self.stdout.write(link)
