from __future__ import annotations

from django.shortcuts import render

from accounts.decorators import staff_required
from accounts.models import Creator


@staff_required("accounts.view_creator")
def staff_home(request):
    creators = Creator.objects.all()[:50]
    return render(request, "adoption/staff_home.html", {"creators": creators})
