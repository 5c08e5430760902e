from __future__ import annotations

from django import forms
from django.db.models import F

from accounts.models import Creator

from .models import AuditEvent, BulkJob, Drift

# Unknown figures sort last on every database (PostgreSQL puts NULL first when descending).
SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "username": ("username", "id"),
    "followers": (F("followers_total").desc(nulls_last=True), "-id"),
    "videos": (F("videos_total").desc(nulls_last=True), "-id"),
    "views": (F("views_total").desc(nulls_last=True), "-id"),
    "revenue": (F("revenues_total").desc(nulls_last=True), "-id"),
    "decided": ("-status_changed_at", "-id"),
}


class CreatorFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Creator.Status.choices, ("reconnect", "Needs reconnect")],
        required=False,
    )
    q = forms.CharField(required=False, max_length=150, label="Search")
    sort = forms.ChoiceField(
        choices=[(key, key.replace("_", " ").capitalize()) for key in SORTS], required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), strip=True)


class BulkForm(forms.Form):
    action = forms.ChoiceField(choices=BulkJob.Action.choices)
    ids = forms.ModelMultipleChoiceField(queryset=Creator.objects.all())
    reason = forms.CharField(max_length=2000, required=False, strip=True)

    def clean(self):
        data = super().clean()
        if data.get("action") == BulkJob.Action.REJECT and not data.get("reason"):
            self.add_error("reason", "Please give a reason for the rejection.")
        return data


class DriftFixForm(forms.Form):
    fix = forms.ChoiceField(choices=Drift.Fix.choices)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditEvent.Action.choices], required=False
    )
    actor = forms.CharField(required=False, max_length=150, label="Staff username")
    q = forms.CharField(required=False, max_length=150, label="Creator")


class AddCreatorForm(forms.Form):
    """An account the network controls; the password is sent to Dailymotion once, never stored."""

    username = forms.CharField(max_length=150, label="Dailymotion username or e-mail")
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), strip=False)
