from __future__ import annotations

from django.db import models


class Fortune(models.Model):
    message = models.CharField(max_length=2048)

    objects: models.Manager[Fortune] = models.Manager()

    class Meta:
        db_table = "fortune"

    def __str__(self) -> str:
        return self.message
