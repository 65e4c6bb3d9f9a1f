from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from yangfan.accounts.models import ApiToken, User
from yangfan.audit.admin import ReadOnlyModelAdmin

# Users manage their own second factor on “我的账号”; the admin form would bypass the audit trail.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(ReadOnlyModelAdmin):
    list_display = ["username", "first_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name"]
    exclude = ["password"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at"]
    exclude = ["digest"]
