"""The load run's practice, made through Haven's own actions on top of ``seed_demo``.

Run inside Haven (``python -m benchmarks.load.seed OUT.json --staff N --clients M``): staff members with
a password and an enrolled authenticator device (two-factor sign-in becomes required for the practice),
and clients with an email, each invited to the portal (the invitation email goes out through the task
worker; the users accept it over HTTP). Writes what the simulated users need to know to OUT.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
from pathlib import Path

import django


def seed(*, staff: int, clients: int, password: str) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.clients.actions import create_client
    from haven.demo.management.commands.seed_demo import DEMO_SLUG
    from haven.portal_access.actions.invitations import invite_to_portal
    from haven.portal_access.status import PersonRecord
    from haven.practices.actions import set_staff_permission, update_practice_settings
    from haven.practices.models import ROLE_TEMPLATES, Permission, Practice, Role, StaffMember

    practice = Practice.objects.get(slug=DEMO_SLUG)
    admin = StaffMember.objects.select_related("user", "practice").get(practice=practice, role=Role.ADMINISTRATOR)
    with transaction.atomic():
        update_practice_settings(by=admin, changes={"require_staff_two_factor": True})
        members: list[dict[str, object]] = []
        for n in range(staff):
            user = get_user_model().objects.create_user(
                email=f"load-staff-{n}@riverbend.example", full_name=f"Load Therapist {n}", password=password
            )
            member = StaffMember.objects.create(
                user=user,
                practice=practice,
                role=Role.THERAPIST,
                title="Therapist",
                permissions=sorted(ROLE_TEMPLATES[Role.THERAPIST]),
            )
            set_staff_permission(by=admin, member=member, permission=Permission.WEB_PORTAL, granted=True)
            key = secrets.token_hex(20)
            TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=True)
            members.append({"email": user.email, "totp_key": key})
        people: list[dict[str, object]] = []
        born = datetime.date(1980, 1, 1)
        for n in range(clients):
            client = create_client(
                by=admin,
                data={
                    "first_name": "Load",
                    "last_name": f"Client {n:03d}",
                    "date_of_birth": born + datetime.timedelta(days=97 * n),
                    "email": f"load-client-{n}@example.com",
                },
            )
            invite_to_portal(by=admin, record=PersonRecord(client=client))
            people.append({"email": client.email, "client_id": client.pk, "name": client.full_name})
    return {"practice": practice.slug, "staff": members, "clients": people, "password": password}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--staff", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    django.setup()
    world = seed(staff=args.staff, clients=args.clients, password=secrets.token_urlsafe(18))
    args.out.write_text(json.dumps(world, indent=2), encoding="utf-8")
    args.out.chmod(0o600)


if __name__ == "__main__":
    main()
