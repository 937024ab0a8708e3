"""One private storage (lms/private_storage.py) for every app's private files."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from lecturer_corps.storage import private_storage as sheets
from practicum.storage import private_storage as evidence


def test_each_area_follows_the_settings_at_each_use(settings, tmp_path):
    settings.PRACTICUM_PRIVATE_ROOT = tmp_path / "private"
    settings.LECTURER_CORPS_PRIVATE_ROOT = ""
    assert Path(evidence.location) == (tmp_path / "private").resolve()
    assert Path(sheets.location) == (tmp_path / "private" / "lecturer_corps").resolve()
    settings.LECTURER_CORPS_PRIVATE_ROOT = str(tmp_path / "elsewhere")
    assert Path(sheets.location) == (tmp_path / "elsewhere").resolve()


@pytest.mark.parametrize("storage", [evidence, sheets])
def test_private_files_have_no_public_url_and_are_not_under_media(storage, settings, tmp_path):
    settings.PRACTICUM_PRIVATE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    name = storage.save("area/test.txt", ContentFile(b"private"))
    assert storage.exists(name)
    assert not str(storage.path(name)).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        storage.url(name)


def test_the_apps_storages_keep_their_migration_paths():
    assert evidence.deconstruct()[0] == "practicum.storage.PrivateStorage"
    assert sheets.deconstruct()[0] == "lecturer_corps.storage.PrivateStorage"
