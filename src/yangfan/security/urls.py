"""5G应用安全: each part keeps its routes beside its views."""

from yangfan.security.views import assessments, overview, questionnaires, risks

app_name = "security"
urlpatterns = [
    *overview.urlpatterns,
    *questionnaires.urlpatterns,
    *assessments.urlpatterns,
    *risks.urlpatterns,
]
