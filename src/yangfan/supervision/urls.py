"""任务督导: each part keeps its routes beside its views."""

from yangfan.supervision.views import boards, evaluation, notices, reports, tasks

app_name = "supervision"
urlpatterns = [
    *boards.urlpatterns,
    *reports.urlpatterns,
    *tasks.urlpatterns,
    *notices.urlpatterns,
    *evaluation.urlpatterns,
]
