import os

from django.core.wsgi import get_wsgi_application

# Served by a WSGI server means production unless said otherwise (manage.py defaults to dev).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.conf.production")
application = get_wsgi_application()
