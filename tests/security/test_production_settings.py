"""Production settings: ``check --deploy`` is clean, missing secrets stop start-up, env helpers check their input.

Production settings are loaded in a fresh process (``HAVEN_ENV=production``), because the test process
already runs under the test settings.
"""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from haven.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def random_secret(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def production_env(data_dir: Path, **overrides: str | None) -> dict[str, str]:
    """The inherited environment without Haven's, the database's or the test run's settings, plus a production set."""
    test_only = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if not key.startswith("HAVEN_") and key not in test_only}
    env.update(
        HAVEN_ENV="production",
        HAVEN_SECRET_KEY=random_secret(),
        HAVEN_ALLOWED_HOSTS="haven.example.org",
        HAVEN_BASE_URL="https://haven.example.org",
        HAVEN_SMTP_HOST="smtp.example.org",
        HAVEN_FILE_KEYS=Fernet.generate_key().decode("ascii"),
        HAVEN_AUDIT_KEYS=secrets.token_urlsafe(32),
        HAVEN_DATA_DIR=str(data_dir),
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    """``manage.py check --deploy --fail-level WARNING`` passes with the production settings."""
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_really_checks_the_production_settings(tmp_path):
    """A weak secret key makes the same command fail, so the clean result above is not vacuous."""
    result = check_deploy(production_env(tmp_path, HAVEN_SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    """No HAVEN_SECRET_KEY: start-up stops with ImproperlyConfigured naming the variable (no generated key)."""
    result = check_deploy(production_env(tmp_path, HAVEN_SECRET_KEY=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "HAVEN_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("missing", ["HAVEN_ALLOWED_HOSTS", "HAVEN_BASE_URL", "HAVEN_SMTP_HOST", "HAVEN_AUDIT_KEYS"])
def test_production_refuses_to_start_without_required_settings(tmp_path, missing):
    """Production cannot guess its host names, public address or mail server: missing ones stop start-up."""
    result = check_deploy(production_env(tmp_path, **{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_a_public_address_that_is_not_https(tmp_path):
    """Emailed links would otherwise go out as plain HTTP (or to 127.0.0.1)."""
    result = check_deploy(production_env(tmp_path, HAVEN_BASE_URL="http://127.0.0.1:8000"))
    assert result.returncode != 0
    assert "HAVEN_BASE_URL" in result.stderr


def production_setting(tmp_path: Path, name: str, **overrides: str | None) -> object:
    script = (
        f"import json, django; django.setup(); from django.conf import settings; print(json.dumps(settings.{name}))"
    )
    result = run(["-c", script], production_env(tmp_path, DJANGO_SETTINGS_MODULE="haven.settings", **overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_trusts_x_forwarded_proto_only_behind_a_declared_proxy(tmp_path):
    """Without HAVEN_TRUSTED_PROXIES a client reaching Haven directly can't claim HTTPS with a header."""
    assert production_setting(tmp_path, "SECURE_PROXY_SSL_HEADER") is None
    assert production_setting(tmp_path, "SECURE_PROXY_SSL_HEADER", HAVEN_TRUSTED_PROXIES="1") == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_production_refuses_a_short_audit_key(tmp_path):
    """An audit key anyone could guess would let the trail be rewritten: start-up stops, naming the variable."""
    result = check_deploy(production_env(tmp_path, HAVEN_AUDIT_KEYS="too-short"))
    assert result.returncode != 0
    assert "HAVEN_AUDIT_KEYS" in result.stderr


def test_production_refuses_a_file_key_that_is_not_a_fernet_key(tmp_path):
    """A mistyped file key would only fail at the first upload or seal: start-up stops, naming the variable
    and not the key."""
    good = Fernet.generate_key().decode("ascii")
    result = check_deploy(production_env(tmp_path, HAVEN_FILE_KEYS=f"{good},not-a-fernet-key"))
    assert result.returncode != 0
    assert "HAVEN_FILE_KEYS" in result.stderr and "not-a-fernet-key" not in result.stderr


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    """HAVEN_SECRET_KEY_FILE (a mounted container secret) works in place of HAVEN_SECRET_KEY."""
    key_file = tmp_path / "secret"
    key_file.write_text(random_secret() + "\n", encoding="utf-8")
    result = check_deploy(production_env(tmp_path, HAVEN_SECRET_KEY=None, HAVEN_SECRET_KEY_FILE=str(key_file)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_and_transport_are_locked_down(tmp_path):
    """Secure, HttpOnly, SameSite=Lax cookies with __Host- names; HTTPS redirect and HSTS; no DEBUG."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'session_secure': s.SESSION_COOKIE_SECURE, 'session_httponly': s.SESSION_COOKIE_HTTPONLY,"
        "'session_samesite': s.SESSION_COOKIE_SAMESITE, 'session_name': s.SESSION_COOKIE_NAME,"
        "'csrf_secure': s.CSRF_COOKIE_SECURE, 'csrf_samesite': s.CSRF_COOKIE_SAMESITE, 'csrf_name': s.CSRF_COOKIE_NAME,"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS}))"
    )
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="haven.settings")
    result = run(["-c", script], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["debug"] is False
    assert values["session_secure"] is True and values["session_httponly"] is True
    assert values["session_samesite"] == "Lax" and values["csrf_samesite"] == "Lax"
    assert values["csrf_secure"] is True
    assert values["session_name"].startswith("__Host-") and values["csrf_name"].startswith("__Host-")
    assert values["ssl_redirect"] is True
    assert values["hsts"] >= 31536000


# --- haven.env helpers --------------------------------------------------------------------------

VAR = "HAVEN_SECURITY_TEST_VALUE"


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    monkeypatch.delenv(f"{VAR}_FILE", raising=False)
    return monkeypatch


def test_env_file_variant_is_read_and_stripped(clean_env, tmp_path):
    """NAME_FILE is read when set (trailing newline stripped), and wins over NAME."""
    secret_file = tmp_path / "value"
    secret_file.write_text("from-the-file\n", encoding="utf-8")
    clean_env.setenv(VAR, "from-the-variable")
    clean_env.setenv(f"{VAR}_FILE", str(secret_file))
    assert env_str(VAR) == "from-the-file"
    secret_file.write_text("42\n", encoding="utf-8")
    assert env_int(VAR, 0) == 42
    secret_file.write_text("yes", encoding="utf-8")
    assert env_bool(VAR, False) is True


def test_env_unreadable_file_is_a_clear_error(clean_env, tmp_path):
    """A NAME_FILE pointing nowhere stops start-up and says which variable and file."""
    missing = tmp_path / "does-not-exist"
    clean_env.setenv(f"{VAR}_FILE", str(missing))
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}_FILE points at .*does-not-exist"):
        env_str(VAR)


def test_env_missing_required_value_is_a_clear_error(clean_env):
    """A required variable that is unset or empty names both NAME and NAME_FILE."""
    with pytest.raises(ImproperlyConfigured, match=rf"Set the environment variable {VAR} \(or {VAR}_FILE\)"):
        env_str(VAR, required=True)
    clean_env.setenv(VAR, "")
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_str(VAR, required=True)


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "tru"])
def test_env_bad_boolean_is_a_clear_error(clean_env, raw):
    """Anything but true/false/yes/no/on/off/1/0 is refused, naming the variable and the value."""
    clean_env.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be true or false, not '{raw}'"):
        env_bool(VAR, False)


@pytest.mark.parametrize(("raw", "expected"), [("TRUE", True), (" on ", True), ("0", False), ("No", False), ("", True)])
def test_env_booleans_accept_the_usual_spellings(clean_env, raw, expected):
    """Case and surrounding spaces do not matter; empty means the default."""
    clean_env.setenv(VAR, raw)
    assert env_bool(VAR, True) is expected


@pytest.mark.parametrize("raw", ["ten", "1.5", "15m", "0x10"])
def test_env_bad_integer_is_a_clear_error(clean_env, raw):
    """A value that is not a whole number is refused, naming the variable and the value."""
    clean_env.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be a whole number, not '{raw}'"):
        env_int(VAR, 1)


def test_env_integer_below_minimum_is_a_clear_error(clean_env):
    """A number under the minimum is refused with the minimum in the message."""
    clean_env.setenv(VAR, "0")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be at least 1, not 0"):
        env_int(VAR, 15, minimum=1)
    clean_env.setenv(VAR, "1")
    assert env_int(VAR, 15, minimum=1) == 1


def test_env_list_splits_on_commas_and_drops_blanks(clean_env):
    """Lists are comma-separated, trimmed, empty items dropped; unset gives a copy of the default."""
    clean_env.setenv(VAR, " a.example , ,b.example,")
    assert env_list(VAR) == ["a.example", "b.example"]
    clean_env.delenv(VAR)
    default = ["x"]
    result = env_list(VAR, default)
    assert result == ["x"] and result is not default
