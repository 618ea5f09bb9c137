"""Passwords: Argon2 first, at least 8 characters, common and personal passwords refused, long passphrases fine.

The test run swaps in a fast MD5 hasher (conftest), so the hasher order is read from the settings module itself.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.test import override_settings

from haven.staff.forms.auth import SetPasswordForm

SETTINGS = importlib.import_module("haven.settings")
ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
PASSPHRASE_64 = "my grandmother's blue bicycle still squeaks on every single hill!"
PASSPHRASE_128 = "the quiet river runs past the old mill where we used to fish on sunday mornings in summer " * 2


def refusal_codes(password: str, user: Any = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {str(item.code) for item in error.error_list}
    return set()


def test_argon2_is_the_first_hasher_in_the_real_settings():
    """New and re-hashed passwords use Argon2 (the test run's MD5 override is not what ships)."""
    assert SETTINGS.PASSWORD_HASHERS[0] == ARGON2
    assert "MD5PasswordHasher" not in " ".join(SETTINGS.PASSWORD_HASHERS)


def test_the_real_settings_hash_with_argon2():
    """With the shipped hasher list a new hash is Argon2 (argon2-cffi installed) and verifies."""
    with override_settings(PASSWORD_HASHERS=SETTINGS.PASSWORD_HASHERS):
        encoded = make_password(PASSPHRASE_64)
        assert encoded.startswith("argon2$")
        assert identify_hasher(encoded).algorithm == "argon2"
        assert check_password(PASSPHRASE_64, encoded)
        assert not check_password(PASSPHRASE_64 + "x", encoded)


def test_an_older_hash_is_upgraded_to_argon2_at_next_login():
    """A PBKDF2 hash still verifies and is re-hashed with Argon2 when the right password is given."""
    upgraded: list[str] = []
    with override_settings(PASSWORD_HASHERS=SETTINGS.PASSWORD_HASHERS):
        old = make_password(PASSPHRASE_64, hasher="pbkdf2_sha256")
        assert check_password(PASSPHRASE_64, old, setter=lambda raw: upgraded.append(make_password(raw)))
    assert len(upgraded) == 1 and upgraded[0].startswith("argon2$")


def test_a_seven_character_password_is_refused_as_too_short():
    """Eight characters is the minimum; seven is refused for its length alone (no composition rules)."""
    assert refusal_codes("k7#Qz9v") == {"password_too_short"}
    assert refusal_codes("k7#Qz9vX") == set()


@pytest.mark.parametrize("password", ["password1", "123456789", "qwertyuiop", "iloveyou"])
def test_a_common_password_is_refused(password):
    """Passwords on the common-passwords list are refused even when long enough."""
    assert "password_too_common" in refusal_codes(password)


@pytest.mark.django_db
def test_a_password_like_the_users_email_is_refused(world):
    """A password resembling the person's own email is refused."""
    assert "password_too_similar" in refusal_codes("theo@riverside.example", world.theo.user)


@pytest.mark.parametrize(("password", "length"), [(PASSPHRASE_64, 64), (PASSPHRASE_128, 128)])
def test_a_passphrase_of_64_or_more_characters_is_accepted(password, length):
    """Long passphrases are allowed: there is no maximum that cuts them off."""
    assert len(password) >= length
    assert refusal_codes(password) == set()


def test_no_composition_rules_are_imposed():
    """Only lowercase letters and spaces is fine: no digits, capitals or symbols are demanded."""
    assert refusal_codes("all lowercase words and nothing else at all") == set()


@pytest.mark.django_db
def test_the_set_password_form_applies_the_validators(world):
    """The invitation / reset form refuses short and common passwords and accepts a long passphrase."""
    user = world.theo.user
    short = SetPasswordForm({"password1": "k7#Qz9v", "password2": "k7#Qz9v"}, user=user)
    assert not short.is_valid() and "password1" in short.errors
    common = SetPasswordForm({"password1": "password1", "password2": "password1"}, user=user)
    assert not common.is_valid() and "password1" in common.errors
    long = SetPasswordForm({"password1": PASSPHRASE_128, "password2": PASSPHRASE_128}, user=user)
    assert long.is_valid(), long.errors


@pytest.mark.django_db
def test_a_long_passphrase_works_at_the_login_form(world):
    """A 128-character passphrase is neither truncated nor refused when logging in."""
    user = world.theo.user
    user.set_password(PASSPHRASE_128)
    user.save()
    http = HttpClient()
    wrong = http.post("/staff/login/", {"username": user.email, "password": PASSPHRASE_128[:-1]})
    assert wrong.status_code == 200
    right = http.post("/staff/login/", {"username": user.email, "password": PASSPHRASE_128})
    assert right.status_code == 302 and "_auth_user_id" in http.session
