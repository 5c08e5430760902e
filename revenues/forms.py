"""Forms of the revenue pages: the report period and a creator's revenue share."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from .services import SORTABLE, Period, period_named

PERIOD_CHOICES = [
    ("last_30_days", "Last 30 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("custom", "Custom range"),
]
MAX_DAYS = 3 * 366
MIN_YEAR, MAX_YEAR = 2000, 2100  # as the monthly statements


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        choices=[(k, k) for k in SORTABLE] + [(f"-{k}", f"-{k}") for k in SORTABLE], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("A custom range needs a start and an end date.")
            if start > end:
                raise forms.ValidationError("The start date must come before the end date.")
            # The report also reads the period before the chosen one: year 1 would overflow.
            if start.year < MIN_YEAR or end.year > MAX_YEAR:
                raise forms.ValidationError(f"Choose dates between {MIN_YEAR} and {MAX_YEAR}.")
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError("A range can span three years at most.")
        return data

    def get_period(self) -> Period:
        """The chosen period; the last 30 days when the form is empty or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("period") == "custom":
            return Period(data["start"], data["end"], f"{data['start']} to {data['end']}")
        return period_named(data.get("period") or "last_30_days")

    def get_order(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("sort") or "-gross"


class ShareForm(forms.Form):
    percent = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        label="Creator's share (%)",
    )
    effective_from = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    note = forms.CharField(max_length=255, required=False)

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        if value > timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError("Choose a date within the next year.")
        return value
