from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from haven.practices.bootstrap import create_practice_with_administrator
from haven.practices.models import LinkPurpose
from haven.practices.password_links import issue_link


class Command(BaseCommand):
    help = "Create a practice and its first administrator, and print a one-time link to set their password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="The portal address, e.g. riverbend")
        parser.add_argument("--time-zone", default="America/New_York")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            member = create_practice_with_administrator(
                name=options["name"],
                slug=options["slug"],
                time_zone=options["time_zone"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
            )
            link = issue_link(member, LinkPurpose.INVITATION)
        self.stdout.write(f"Created {member.practice.name}. The administrator sets a password here (24 hours):")
        self.stdout.write(link)
