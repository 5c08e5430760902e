"""A stand-in for the portal's ingestion endpoints, served by live_server in crawler tests."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

FEEDS: dict[str, list[dict]] = {}
CALLBACKS: list[list[dict]] = []


def users(request):
    if request.GET.get("token") != settings.SYNDICATION_TOKENS[0]:
        return JsonResponse({"error": "token"}, status=401)
    token = settings.SYNDICATION_TOKENS[0]
    return JsonResponse(
        [
            {
                "id": uid,
                "feed_url": f"{settings.PUBLIC_BASE_URL}/syndication/feeds/{uid}.xml?token={token}",
            }
            for uid in FEEDS
        ],
        safe=False,
    )


def feed(request, uid):
    items = "".join(
        f"<item><title>{escape(i['title'])}</title><guid>{i['guid']}</guid>"
        f'<media:content url="{i["url"]}" type="video/mp4"/></item>'
        for i in FEEDS[uid]
    )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        f'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>f</title>{items}</channel></rss>'
    )
    return HttpResponse(xml, content_type="application/rss+xml; charset=utf-8")


@csrf_exempt
def callback(request):
    if request.GET.get("token") != settings.CALLBACK_TOKENS[0]:
        return JsonResponse({"error": "token"}, status=403)
    CALLBACKS.append(json.loads(request.body))
    return JsonResponse({"stored": len(CALLBACKS[-1])})


urlpatterns = [
    path("syndication/users.json", users),
    path("syndication/feeds/<str:uid>.xml", feed),
    path("syndication/callback/", callback),
    path("sandbox/", include("sandbox.urls")),
]
