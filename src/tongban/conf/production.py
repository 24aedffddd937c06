"""Production: refuses to start with the development secret key or with DEBUG on."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEVELOPMENT_SECRET_KEY, SECRET_KEY, env_bool

DEBUG = False
if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("生产环境必须通过 SECRET_KEY 环境变量设置至少 32 个字符的随机密钥，不能使用开发密钥。")
if env_bool("DEBUG", False):
    raise ImproperlyConfigured("生产环境不能开启 DEBUG。")
if not os.environ.get("TONGBAN_HOME"):
    # Installed with pip, the package's own folder is inside the virtualenv: never a place for data.
    raise ImproperlyConfigured("生产环境须设置 TONGBAN_HOME（存放 var/media 与 var/static 的目录）。")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
