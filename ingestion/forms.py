from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .models import Video


class VideoFilterForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[("", "Any state"), *Video.State.choices, ("stuck", "Crawled, no callback")],
    )
    creator = forms.CharField(required=False, max_length=32, label="Creator (Dailymotion id)")
    q = forms.CharField(required=False, max_length=255, label="Title, uid or Dailymotion id")


class CatalogUploadForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with the header owner,uid,title,description,video_url,thumbnail_url,"
        "channel,tags,published_at (or JSON Lines with the same keys)."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CATALOG_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the browser import takes up to "
                f"{filesizeformat(limit)}. Split it, or run manage.py import_catalog FILE."
            )
        return upload
