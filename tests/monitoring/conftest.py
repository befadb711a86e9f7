import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Originals are written under a temporary MEDIA_ROOT, never into .data/."""
    settings.MEDIA_ROOT = tmp_path / "media"
