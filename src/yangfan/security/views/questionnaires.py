"""questionnaires pages of the security assessment."""

urlpatterns: list = []
