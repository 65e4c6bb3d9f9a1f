"""What the API answers to OPTIONS (``REST_FRAMEWORK["DEFAULT_METADATA_CLASS"]``).

DRF's ``SimpleMetadata`` looks the object up (``get_object``) before describing a PUT, which needs a view-level
``queryset``. Yangfan's object views find their object themselves, scoped to the caller (``_assignment``,
``_entry``), and have none, so OPTIONS on them was a 500. The object lookup adds nothing to a description of the
fields: every view checks its object when it is written to. Here OPTIONS checks the view's permissions and
describes the serializer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


class ApiMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        actions = {}
        for method in sorted({"PUT", "POST"} & set(view.allowed_methods)):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
                actions[method] = self.get_serializer_info(view.get_serializer())
            except (exceptions.APIException, PermissionDenied, Http404):
                continue  # not allowed to: no description
            finally:
                view.request = request
        return actions
