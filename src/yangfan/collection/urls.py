"""数据报送: each part of the collection context keeps its own routes beside its views."""

from yangfan.collection.views import checks, entry, status, workbook

app_name = "collection"
urlpatterns = [*entry.urlpatterns, *workbook.urlpatterns, *checks.urlpatterns, *status.urlpatterns]
