"""Re-encrypt everything Haven keeps encrypted with the first key in HAVEN_FILE_KEYS, so older keys can be retired."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core.encrypted import BATCH_SIZE, rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted file and secret (documents, signature images, notes waiting for their "
        "render, seal keys, portal two-step keys) with the first key in HAVEN_FILE_KEYS, after putting a new "
        "key first. With --check, only count what an older key still reads, and fail if anything is left."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: report what older keys still read, and fail unless everything is current.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows read at a time.")

    def handle(self, *args: Any, **options: Any) -> None:
        check: bool = options["check"]
        results = rotate_all(batch_size=options["batch_size"], dry_run=check)
        for entry, counts in results:
            done = "under an older key" if check else "re-encrypted"
            line = f"{entry.what} ({entry.key}): {counts.re_encrypted} {done}, {counts.current} already current"
            if counts.missing:
                line += f", {counts.missing} missing"
            if counts.unreadable:
                line += f", {counts.unreadable} unreadable with every configured key"
            self.stdout.write(line)
        unreadable = sum(counts.unreadable for _entry, counts in results)
        stale = sum(counts.re_encrypted for _entry, counts in results)
        if unreadable:
            raise CommandError(
                f"{unreadable} item(s) could not be read with any key in HAVEN_FILE_KEYS: do not retire a key yet."
            )
        if check and stale:
            raise CommandError(f"{stale} item(s) still need an older key: run rotate_file_keys before retiring it.")
        if check:
            self.stdout.write(self.style.SUCCESS("Everything is encrypted with the current key."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Re-encrypted {stale} item(s) with the current key."))
