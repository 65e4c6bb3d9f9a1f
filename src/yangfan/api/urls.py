from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from yangfan.api import goals, ingests, registries, security, supervision, views

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
    path("v1/datavalues/", views.DataValueListView.as_view(), name="datavalues"),
    path("v1/datavalues/<int:pk>/lineage/", ingests.DataValueLineageView.as_view(), name="datavalue_lineage"),
    path("v1/submissions/", views.SubmissionListView.as_view(), name="submissions"),
    path("v1/submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission"),
    path(
        "v1/submissions/<int:pk>/<str:action>/",
        views.SubmissionActionView.as_view(),
        name="submission_action",
    ),
    path("v1/completeness/", views.CompletenessAPIView.as_view(), name="completeness"),
    # task supervision (任务督导)
    path("v1/assignments/", supervision.AssignmentListView.as_view(), name="assignments"),
    path("v1/assignments/<int:pk>/", supervision.AssignmentDetailView.as_view(), name="assignment"),
    path(
        "v1/assignments/<int:pk>/reports/<str:period>/",
        supervision.ProgressReportView.as_view(),
        name="progress_report",
    ),
    path(
        "v1/assignments/<int:pk>/reports/<str:period>/evidence/",
        supervision.ProgressReportEvidenceView.as_view(),
        name="progress_report_evidence",
    ),
    path(
        "v1/assignments/<int:pk>/reports/<str:period>/<str:action>/",
        supervision.ProgressReportActionView.as_view(),
        name="progress_report_action",
    ),
    path("v1/progress-reports/", supervision.ProgressReportListView.as_view(), name="progress_reports"),
    path("v1/notices/", supervision.NoticeListView.as_view(), name="notices"),
    path("v1/notices/<int:pk>/", supervision.NoticeDetailView.as_view(), name="notice"),
    path("v1/notices/<int:pk>/answers/", supervision.NoticeAnswerView.as_view(), name="notice_answers"),
    path("v1/notices/<int:pk>/sign/", supervision.NoticeSignView.as_view(), name="notice_sign"),
    path("v1/notices/<int:pk>/close/", supervision.NoticeCloseView.as_view(), name="notice_close"),
    path("v1/tasks/overdue/", supervision.OverdueView.as_view(), name="tasks_overdue"),
    # qualitative goals judged (定性目标评估): the published verdicts
    path("v1/goal-verdicts/", goals.GoalVerdictListView.as_view(), name="goal_verdicts"),
    # registries (登记簿); counts/ before <slug>/, which would take it for a registry's name
    path("v1/registries/counts/", registries.RegistryCountsView.as_view(), name="registry_counts"),
    path("v1/registries/<slug:slug>/", registries.RegistryEntryListView.as_view(), name="registry_entries"),
    path(
        "v1/registries/<slug:slug>/<int:pk>/",
        registries.RegistryEntryDetailView.as_view(),
        name="registry_entry",
    ),
    # 5G应用安全 (read-only): the 扬帆监测口径 measures, the risk register, the assessments
    path("v1/security/measures/", security.SecurityMeasuresView.as_view(), name="security_measures"),
    path("v1/security/risks/", security.SecurityRiskListView.as_view(), name="security_risks"),
    path(
        "v1/security/assessments/", security.SecurityAssessmentListView.as_view(), name="security_assessments"
    ),
    # the ingest pipeline (原始数据汇总): runs and their lineage
    path("v1/ingest-runs/", ingests.IngestRunListView.as_view(), name="ingest_runs"),
    path("v1/ingest-runs/<int:pk>/", ingests.IngestRunDetailView.as_view(), name="ingest_run"),
]
