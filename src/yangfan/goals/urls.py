"""定性目标评估: an expert's reviews and a recorded verdict first, whose first part no plan code takes."""

from django.urls import path

from yangfan.goals import views

app_name = "goals"
urlpatterns = [
    path("reviews/", views.ReviewListView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", views.ReviewView.as_view(), name="review"),
    path("verdicts/<int:pk>/", views.VerdictDetailView.as_view(), name="detail"),
    path("<slug:plan>/", views.BoardView.as_view(), name="board"),
    path("<slug:plan>/<str:code>/<str:org>/<str:period>/", views.VerdictView.as_view(), name="verdict"),
]
