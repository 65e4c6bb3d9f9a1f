from django.urls import path

from yangfan.portal.orgunits import views

app_name = "orgunits"
urlpatterns = [
    path("", views.OrgTreeView.as_view(), name="tree"),
    path("<str:code>/", views.OrgUnitDetailView.as_view(), name="detail"),
]
