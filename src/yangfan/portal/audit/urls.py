from django.urls import path

from yangfan.portal.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEntryListView.as_view(), name="list"),
    path("export/", views.AuditExportView.as_view(), name="export"),
    path("verify/", views.AuditVerifyView.as_view(), name="verify"),
    path("<int:seq>/", views.AuditEntryDetailView.as_view(), name="detail"),
]
