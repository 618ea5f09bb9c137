"""Scale mode is chosen by settings alone: HAVEN_S3_* for files, HAVEN_REDIS_URL for the cache; without them
the embedded default (a local folder, an in-process cache) is unchanged, and production passes its checks
either way."""

from __future__ import annotations

from pathlib import Path

from tests.scale.conftest import haven_settings
from tests.security.test_production_settings import check_deploy, production_env

SCALE_ENVIRONMENT = {
    "HAVEN_S3_BUCKET": "haven-files",
    "HAVEN_S3_ENDPOINT_URL": "https://s3.example.org",
    "HAVEN_S3_REGION": "eu-central-1",
    "HAVEN_S3_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "HAVEN_S3_SECRET_ACCESS_KEY": "example-secret",
    "HAVEN_S3_PREFIX": "/practice-files/",
    "HAVEN_REDIS_URL": "redis://cache.example.org:6379/0",
}


def test_without_scale_settings_files_stay_in_the_data_folder(tmp_path: Path) -> None:
    storage = haven_settings({"HAVEN_DATA_DIR": str(tmp_path)}, "STORAGES")["STORAGES"]["default"]
    assert storage == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "files")},
    }


def test_the_s3_settings_name_the_bucket_service_and_keys_and_keep_objects_private() -> None:
    storage = haven_settings(SCALE_ENVIRONMENT, "STORAGES")["STORAGES"]["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "haven-files",
        "location": "practice-files",
        "endpoint_url": "https://s3.example.org",
        "region_name": "eu-central-1",
        "access_key": "AKIDEXAMPLE",
        "secret_key": "example-secret",
        "addressing_style": None,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": True,
    }


def test_production_in_scale_mode_passes_check_deploy(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, **SCALE_ENVIRONMENT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
