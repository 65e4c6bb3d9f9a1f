"""The API tests' client: a user's personal token, no session (the token alone identifies the caller)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yangfan.accounts.services import token_create


class Api:
    """A token-authenticated client of one user (no session: the token alone identifies the caller)."""

    def __init__(self, client, user):
        self.client, self.user = client, user
        self.auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(actor=None, user=user, days=1)[1]}

    def url(self, name, **kwargs):
        return reverse(f"api:{name}", kwargs=kwargs or None)

    def get(self, name, query=None, **kwargs):
        return self.client.get(self.url(name, **kwargs), query or {}, **self.auth)

    def post(self, name, body=None, **kwargs):
        return self.client.post(
            self.url(name, **kwargs),
            body if body is not None else {},
            content_type="application/json",
            **self.auth,
        )

    def put(self, name, body, **kwargs):
        return self.client.put(self.url(name, **kwargs), body, content_type="application/json", **self.auth)

    def delete(self, name, **kwargs):
        return self.client.delete(self.url(name, **kwargs), **self.auth)

    def upload(self, name, data, **kwargs):
        """A multipart POST (files under ``files``)."""
        return self.client.post(self.url(name, **kwargs), data, **self.auth)


@pytest.fixture
def api(client, make_user):
    """``api(role)``: a new user of ``role`` (scoped as tests/conftest.py's ROLE_USERS) and its client."""

    def make(role, **user):
        return Api(client, make_user(role, **user))

    return make
