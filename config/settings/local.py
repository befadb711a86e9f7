"""The demo and local development: SQLite and in-process Celery unless told otherwise."""

from .base import *  # noqa: F403
from .base import env

# The demo runs with DEBUG off, as people will use it: friendly error pages (404, 500), no
# tracebacks. WhiteNoise serves static/ straight from the finders, so no collectstatic is
# needed. Developers who want Django's debug pages set DJANGO_DEBUG=true.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
SECRET_KEY = env("SECRET_KEY", default="demo-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# The embedded SQLite database and uploaded files live in .data/ (git-ignored).
(BASE_DIR / ".data" / "media").mkdir(parents=True, exist_ok=True)  # noqa: F405
