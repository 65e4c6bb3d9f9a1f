from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("扬帆 管理后台")
admin.site.site_title = _("扬帆")

urlpatterns = [
    path("", include("yangfan.portal.urls")),
    path("plans/", include("yangfan.portal.actionplans.urls")),
    path("orgunits/", include("yangfan.portal.orgunits.urls")),
    path("collection/", include("yangfan.collection.urls")),
    path("supervision/", include("yangfan.supervision.urls")),
    path("reports/", include("yangfan.reports.urls")),
    path("registries/", include("yangfan.registries.urls")),
    path("goals/", include("yangfan.goals.urls")),
    path("security/", include("yangfan.security.urls")),
    path("ingest/", include("yangfan.ingests.urls")),
    path("", include("yangfan.accounts.urls")),
    path("", include("yangfan.notifications.urls")),
    path("audit/", include("yangfan.portal.audit.urls")),
    path("api/", include("yangfan.api.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# a failure on the server's side: 503 when the database is out of reach, the path when the disk is full, the
# request id always; JSON under /api/ (portal.errors)
handler500 = "yangfan.portal.errors.server_error"
