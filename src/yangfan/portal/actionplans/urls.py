from django.urls import path

from yangfan.portal.actionplans import views

app_name = "actionplans"
urlpatterns = [
    path("<slug:plan>/", views.PlanStructureView.as_view(), name="plan"),
    path("<slug:plan>/source/", views.PlanSourceView.as_view(), name="source"),
    path("<slug:plan>/goals/", views.GoalListView.as_view(), name="goals"),
    path("<slug:plan>/tasks/<str:code>/", views.TaskDetailView.as_view(), name="task"),
    path("<slug:plan>/units/", views.UnitListView.as_view(), name="units"),
    path("<slug:plan>/units/<str:code>/", views.UnitDetailView.as_view(), name="unit"),
    path("<slug:plan>/indicators/", views.IndicatorListView.as_view(), name="indicators"),
    path("<slug:plan>/indicators/<str:code>/", views.IndicatorDetailView.as_view(), name="indicator"),
    path("<slug:plan>/indicators/<str:code>/targets/", views.IndicatorTargetsView.as_view(), name="targets"),
    path(
        "<slug:plan>/indicators/<str:code>/targets/<str:org>/<str:date>/delete/",
        views.IndicatorTargetDeleteView.as_view(),
        name="target_delete",
    ),
]
