from typing import Any

from django.core.management.base import BaseCommand

from haven.documents.models import DocumentVersion
from haven.documents.storage import rotate, rotate_token
from haven.portal_access.models import PortalTwoFactor


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored document, and every portal two-step sign-in key, with the first key in "
        "HAVEN_FILE_KEYS (after putting a new key first)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        names = DocumentVersion.objects.values_list("storage_name", flat=True).iterator(chunk_size=500)
        count = 0
        for name in names:
            rotate(name)
            count += 1
        keys = 0
        for pk, token in PortalTwoFactor.objects.values_list("pk", "secret_encrypted").iterator(chunk_size=500):
            PortalTwoFactor.objects.filter(pk=pk, secret_encrypted=token).update(secret_encrypted=rotate_token(token))
            keys += 1
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {count} files and {keys} two-step sign-in keys with the current key.")
        )
