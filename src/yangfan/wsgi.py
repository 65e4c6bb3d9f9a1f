"""WSGI entry point for gunicorn/granian: ``yangfan.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangfan.settings")
application = get_wsgi_application()
