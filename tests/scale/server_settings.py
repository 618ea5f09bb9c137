"""Settings of the web processes that the stateless-tier test starts: Haven's own, from the same environment
variables, pointed at the test run's database (whose name pytest-django chose) and able to check the personas'
passwords (made with the fast hasher the tests use)."""

from __future__ import annotations

import os

from haven.settings import *  # noqa: F403
from haven.settings import DATABASES, PASSWORD_HASHERS

DATABASES["default"]["NAME"] = os.environ["HAVEN_TEST_DATABASE_NAME"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
