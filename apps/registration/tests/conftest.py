import pytest


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded scans go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
