"""The registries' pages: an overview of the registries the reader may read, a searchable list per registry with
its filters and exports, an entry's page, and the entry form for those who may write the entry. Each page needs
its registry's permission (the spec's ``read`` or ``write``), and each entry is checked itself, so that the
permission module decides on the row (its unit's scope; for an enterprise's user, whether it is its own)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from yangfan.accounts.mixins import PermissionMixin
from yangfan.accounts.permissions import deny, may, may_keep
from yangfan.actionplans.display import localized_name
from yangfan.audit.downloads import audited_download
from yangfan.registries import services
from yangfan.registries.forms import entry_form
from yangfan.registries.selection_views import urlpatterns as selection_urls
from yangfan.registries.selectors import BadFilter, entry_list, registries_readable, related_entries
from yangfan.registries.specs import REGISTRIES, SPECS, RegistrySpec

PAGE = 100


def _slug(slug: str) -> str:
    if slug not in REGISTRIES:
        raise Http404(_("没有这个登记簿。"))
    return slug


class RegistryAccess(PermissionMixin):
    """A page of the registry in the URL: it needs the registry's ``read`` (its ``write`` where ``writes``)."""

    writes = False

    @property
    def permission(self) -> str:
        spec = SPECS[_slug(self.kwargs["slug"])]
        return spec.write if self.writes else spec.read


def _require_keeper(request, spec: RegistrySpec) -> None:
    """A new entry or an import: refused (403, audited) to whom may write no entry of the registry at all, as an
    enterprise's user a registry its enterprise does not keep (the permission module's ``may_keep``)."""
    if not may_keep(request.user, spec.write, spec.model):
        deny(request.user, spec.write, request=request)


class RegistryIndexView(PermissionMixin, TemplateView):
    """登记簿 at a glance: each registry the reader may read, with how many of its entries the reader sees."""

    template_name = "registries/index.html"

    @property
    def permission(self) -> str:
        """The ``read`` of a registry the user reads, if any: a reader of none is refused (and audited) as the
        registries' readers are (``registries.view``)."""
        readable = registries_readable(self.request.user)
        return readable[0].read if readable else "registries.view"

    def get_context_data(self, **kwargs):
        user = self.request.user
        registries = [
            {"slug": spec.slug, "title": spec.title, "count": entry_list(actor=user, slug=spec.slug).count()}
            for spec in registries_readable(user)
        ]
        # 标杆评选 is the cases' (its pages need what the cases are read with)
        return super().get_context_data(registries=registries, calls=may(user, "registries.view"), **kwargs)


class RegistryListView(RegistryAccess, TemplateView):
    template_name = "registries/list.html"

    def get_context_data(self, **kwargs):
        slug = _slug(kwargs.pop("slug"))
        user = self.request.user
        try:
            rows = entry_list(actor=user, slug=slug, params=self.request.GET)
        except BadFilter as exc:
            messages.error(self.request, str(exc))
            rows = entry_list(actor=user, slug=slug)
        total = rows.count()
        try:
            page = max(1, int(self.request.GET.get("page", "1")))
        except ValueError:
            page = 1
        shown = list(rows[(page - 1) * PAGE : page * PAGE])
        spec = SPECS[slug]
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            slug=slug,
            title=spec.title,
            columns=spec.columns,
            rows=[{"entry": e, "cells": [_cell(e, attr) for attr, _h in spec.columns]} for e in shown],
            total=total,
            page=page,
            pages=(total + PAGE - 1) // PAGE,
            query=query.urlencode(),
            params=self.request.GET,
            search_hint=spec.search_hint,
            filters=[
                {
                    "param": f.param,
                    "label": f.label,
                    "widget": f.widget,
                    "options": f.options() if f.options else (),
                    "value": self.request.GET.get(f.param, ""),
                }
                for f in spec.filters
                if f.on_page
            ],
            manages=may_keep(user, spec.write, spec.model),
            **kwargs,
        )


def _cell(entry, attr: str):
    value = getattr(entry, attr)
    return _shown(value() if callable(value) else value)


def _shown(value):
    """A value as a page shows it: 是/否, “—” for nothing, a plan element (sector, operator) by its name in the
    reader's language."""
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if value in (None, ""):
        return "—"
    return localized_name(value) if hasattr(value, "name_en") else value


class RegistryExportView(RegistryAccess, View):
    """The list as the filters give it, in XLSX or CSV (the import reads these files back)."""

    def get(self, request, slug: str, fmt: str):
        slug = _slug(slug)
        if fmt not in ("xlsx", "csv"):
            raise Http404
        from yangfan.registries.exchange import registry_export

        try:
            rows = entry_list(actor=request.user, slug=slug, params=request.GET)
        except BadFilter as exc:
            messages.error(request, str(exc))
            return redirect("registries:list", slug=slug)
        content = registry_export(slug, rows, fmt)
        name = f"{slug}-{timezone.localdate():%Y%m%d}.{fmt}"
        return audited_download(request, content, name, object_type=f"registries.{slug}")


class RegistryImportView(RegistryAccess, TemplateView):
    """Upload a filled XLSX or CSV: all or nothing; every bad row named with its column and reason."""

    template_name = "registries/import.html"
    writes = True

    def get(self, request, *args, **kwargs):
        _require_keeper(request, SPECS[_slug(kwargs["slug"])])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.pop("slug", None)
        slug = _slug(self.kwargs["slug"])
        return super().get_context_data(slug=slug, title=SPECS[slug].title, **kwargs)

    def post(self, request, slug: str):
        slug = _slug(slug)
        _require_keeper(request, SPECS[slug])
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.get_context_data(error=_("请选择文件。")), status=400)
        from yangfan.core.errors import ImportInvalid
        from yangfan.registries.exchange import registry_import

        try:
            outcome = registry_import(
                slug=slug, content=upload.read(), file=upload.name, actor=request.user, request=request
            )
        except ImportInvalid as exc:
            return self.render_to_response(self.get_context_data(errors=exc.errors, refusal=exc), status=400)
        messages.success(
            request,
            _("已导入：新增 %(c)d 条，更新 %(u)d 条，未变 %(n)d 条。")
            % {"c": outcome.created, "u": outcome.updated, "n": outcome.unchanged},
        )
        return redirect("registries:list", slug=slug)


class EntryMixin(RegistryAccess):
    def entry(self):
        slug = _slug(self.kwargs["slug"])
        entry = get_object_or_404(REGISTRIES[slug].objects.select_related("org_unit"), pk=self.kwargs["pk"])
        if not services.may_read(self.request.user, entry):
            deny(self.request.user, SPECS[slug].read, entry, request=self.request)
        return slug, entry


class EntryView(EntryMixin, TemplateView):
    template_name = "registries/entry.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("slug", None)
        kwargs.pop("pk", None)
        slug, entry = self.entry()
        user = self.request.user
        fields = []
        for field in entry._meta.concrete_fields:
            if field.name in ("id", "search_text", "created_by"):
                continue
            display = getattr(entry, f"get_{field.name}_display", None)
            value = display() if display else getattr(entry, field.name)
            fields.append((field.verbose_name, [_linked(user, value)]))
        for field in entry._meta.many_to_many:
            values = [_linked(user, v) for v in getattr(entry, field.name).all()]
            fields.append((field.verbose_name, values or [("—", None)]))
        return super().get_context_data(
            slug=slug,
            title=SPECS[slug].title,
            entry=entry,
            fields=fields,
            may_edit=services.may_manage(self.request.user, entry),
            related=related_entries(actor=self.request.user, entry=entry),
            **kwargs,
        )


def _linked(user, value) -> tuple:
    """(text, link) of a field's value on an entry's page: another registry's entry is a link where the reader may
    open it (its name alone where not: the entry keeps a reference made before, ADR 0011)."""
    if isinstance(value, tuple(REGISTRIES.values())):
        readable = services.may_read(user, value)
        return str(value), value.get_absolute_url() if readable else None
    return _shown(value), None


class EntryFormView(RegistryAccess, TemplateView):
    """New entry (no ``pk``) or an edit; deleting is a POST with ``delete``."""

    template_name = "registries/form.html"
    writes = True

    def instance(self):
        slug = _slug(self.kwargs["slug"])
        spec = SPECS[slug]
        if "pk" not in self.kwargs:
            _require_keeper(self.request, spec)
            return slug, spec.model()
        entry = get_object_or_404(spec.model.objects.select_related("org_unit"), pk=self.kwargs["pk"])
        if not services.may_manage(self.request.user, entry):
            deny(self.request.user, spec.write, entry, request=self.request)
        return slug, entry

    def get(self, request, *args, **kwargs):
        slug, entry = self.instance()
        form = entry_form(slug)(instance=entry, user=request.user)
        return self.render_to_response(
            self.get_context_data(slug=slug, title=SPECS[slug].title, form=form, entry=entry)
        )

    def post(self, request, *args, **kwargs):
        slug, entry = self.instance()
        if "delete" in request.POST and entry.pk:
            if request.POST["delete"] != "confirmed":  # the button asks first; the confirmation deletes
                return self.render_to_response(
                    self.get_context_data(
                        slug=slug,
                        title=SPECS[slug].title,
                        entry=entry,
                        confirming=True,
                        version=request.POST.get("version", ""),  # the version the edit page showed
                    )
                )
            try:
                services.entry_delete(
                    actor=request.user,
                    entry=entry,
                    version=request.POST.get("version") or None,
                    request=request,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(reverse("registries:entry", kwargs={"slug": slug, "pk": entry.pk}))
            messages.success(request, _("已删除。"))
            return redirect("registries:list", slug=slug)
        form = entry_form(slug)(request.POST, instance=entry, user=request.user)
        if form.is_valid():
            saved = form.save(commit=False)
            m2m = {
                f.name: form.cleaned_data[f.name]
                for f in saved._meta.many_to_many
                if f.name in form.cleaned_data
            }
            try:
                services.entry_save(
                    actor=request.user,
                    entry=saved,
                    m2m=m2m,
                    version=form.cleaned_data.get("version") or None,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(reverse("registries:entry", kwargs={"slug": slug, "pk": saved.pk}))
        return self.render_to_response(
            self.get_context_data(slug=slug, title=SPECS[slug].title, form=form, entry=entry), status=400
        )


app_name = "registries"
urlpatterns = [
    path("", RegistryIndexView.as_view(), name="index"),
    *selection_urls,  # before the registries' slugs: "calls" and "reviews" are not registries
    path("<slug:slug>/", RegistryListView.as_view(), name="list"),
    path("<slug:slug>/export.<str:fmt>", RegistryExportView.as_view(), name="export"),
    path("<slug:slug>/import/", RegistryImportView.as_view(), name="import"),
    path("<slug:slug>/new/", EntryFormView.as_view(), name="new"),
    path("<slug:slug>/<int:pk>/", EntryView.as_view(), name="entry"),
    path("<slug:slug>/<int:pk>/edit/", EntryFormView.as_view(), name="edit"),
]
