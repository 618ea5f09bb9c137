from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "haven.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from haven.core.encrypted import EncryptedColumn, EncryptedFiles, register

        register(
            EncryptedColumn("scheduling.AppointmentRequest", "preferred_times_encrypted", what="appointment requests"),
            EncryptedColumn("scheduling.AppointmentRequest", "note_encrypted", what="appointment request notes"),
            EncryptedColumn("scheduling.AppointmentRequest", "decline_reason_encrypted", what="appointment declines"),
            EncryptedColumn("scheduling.HomeActivity", "title_encrypted", what="home activity titles"),
            EncryptedColumn("scheduling.HomeActivity", "instructions_encrypted", what="home activity instructions"),
            EncryptedColumn("scheduling.HomeActivity", "file_name_encrypted", what="home activity file names"),
            EncryptedColumn("scheduling.HomeActivity", "completed_name_encrypted", what="completed worksheet names"),
            EncryptedFiles("scheduling.HomeActivity", "file_storage_name", what="home activity files"),
            EncryptedFiles("scheduling.HomeActivity", "completed_storage_name", what="completed worksheets"),
        )
