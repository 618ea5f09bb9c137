"""Create the reference's database with TechEmpower's twelve fortunes: `python -m benchmarks.reference.prepare`."""

from __future__ import annotations

import os

FORTUNES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]


def prepare() -> None:
    """Make the table and its rows afresh (the settings' BENCH_REFERENCE_DB names the file)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.reference.settings")
    django.setup()
    from django.db import connection

    from benchmarks.reference.models import Fortune

    with connection.schema_editor() as editor:
        if Fortune._meta.db_table in connection.introspection.table_names():
            editor.delete_model(Fortune)
        editor.create_model(Fortune)
    Fortune.objects.bulk_create(Fortune(id=n, message=message) for n, message in enumerate(FORTUNES, start=1))


if __name__ == "__main__":
    prepare()
