from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from yangfan.api import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("indicators/", views.IndicatorValuesView.as_view(), name="indicator_values"),
    path("v1/orgunits/", views.OrgUnitListView.as_view(), name="orgunits"),
    path("v1/orgunits/<str:code>/", views.OrgUnitDetailView.as_view(), name="orgunit"),
    path("v1/plans/<slug:plan>/tasks/", views.TaskListView.as_view(), name="tasks"),
    path("v1/plans/<slug:plan>/indicators/", views.IndicatorListView.as_view(), name="indicators"),
    path(
        "v1/plans/<slug:plan>/indicators/<str:code>/", views.IndicatorDetailView.as_view(), name="indicator"
    ),
]
