"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with a key that is not the installation's.
from bangfu.core.checks import refuse_wrong_keys  # noqa: E402

refuse_wrong_keys()
