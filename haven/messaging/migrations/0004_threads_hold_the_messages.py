import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The old one-way inbox's columns go once every message is in its thread (a migration of its own, so
    PostgreSQL alters the table in another transaction than the one that wrote the rows)."""

    dependencies = [
        ("messaging", "0003_threads"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="message",
            name="account",
        ),
        migrations.RemoveField(
            model_name="message",
            name="body",
        ),
        migrations.RemoveField(
            model_name="message",
            name="client",
        ),
        migrations.RemoveField(
            model_name="message",
            name="kind",
        ),
        migrations.RemoveField(
            model_name="message",
            name="practice",
        ),
        migrations.RemoveField(
            model_name="message",
            name="read_at",
        ),
        migrations.RemoveField(
            model_name="message",
            name="subject",
        ),
        migrations.AlterField(
            model_name="message",
            name="thread",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="messages", to="messaging.thread"
            ),
        ),
        migrations.AddConstraint(
            model_name="emailpreference",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("account__isnull", False), ("staff__isnull", True)),
                    models.Q(("account__isnull", True), ("staff__isnull", False)),
                    _connector="OR",
                ),
                name="messaging_preference_one_person",
            ),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(fields=["account", "client", "-last_message_at"], name="messaging_portal_inbox"),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["staff", "archived_at", "-last_message_at"], name="messaging_staff_inbox"),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["staff", "unread"], name="messaging_staff_unread"),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("account__isnull", False), ("staff__isnull", True)),
                    models.Q(("account__isnull", True), ("staff__isnull", False)),
                    _connector="OR",
                ),
                name="messaging_participant_one_side",
            ),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(fields=("thread", "staff"), name="messaging_participant_staff_once"),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(fields=("thread", "account"), name="messaging_participant_account_once"),
        ),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["account", "-last_message_at"], name="messaging_account_inbox"),
        ),
    ]
