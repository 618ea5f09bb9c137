"""Django's SQLite backend with writers queued at a gate (``haven.core.sqlite.base``)."""
