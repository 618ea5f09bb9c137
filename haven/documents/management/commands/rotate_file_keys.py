from typing import Any

from django.core.management.base import BaseCommand

from haven.documents.models import DocumentVersion
from haven.documents.storage import rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored document with the first key in HAVEN_FILE_KEYS (after putting a new key first)."

    def handle(self, *args: Any, **options: Any) -> None:
        names = DocumentVersion.objects.values_list("storage_name", flat=True).iterator(chunk_size=500)
        count = 0
        for name in names:
            rotate(name)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} files with the current key."))
