from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tongban.core import views as core_views
from tongban.portal import views as portal_views
from tongban.workbench import access

urlpatterns = [
    path("api/v1/", include("tongban.api_urls")),  # first: every request to it would try the pages' patterns
    path("", portal_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", access.me, name="me"),
    path("", include("tongban.portal.urls")),
    path("", include("tongban.workbench.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.queueing.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "tongban.core.views.permission_denied"
handler404 = "tongban.core.views.not_found"
handler500 = "tongban.core.views.server_error"
