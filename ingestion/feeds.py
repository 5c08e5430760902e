"""The MRSS feed and the user list as pure streaming builders (no HTTP, no queries of their own)."""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Iterable, Iterator
from datetime import UTC
from email.utils import format_datetime
from urllib.parse import quote, urlsplit

from lxml import etree

MEDIA_NS = "http://search.yahoo.com/mrss/"
DCTERMS_NS = "http://purl.org/dc/terms/"
DM_NS = "http://www.dailymotion.com/dmrss/"
NSMAP = {"media": MEDIA_NS, "dcterms": DCTERMS_NS, "dm": DM_NS}
CONTENT_TYPE = "application/rss+xml; charset=utf-8"
CHUNK_BYTES = 64 * 1024

# Characters XML 1.0 forbids (C0 controls except tab/newline/return, surrogates, U+FFFE/U+FFFF).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """The value as text that XML 1.0 can carry: illegal control characters are dropped."""
    return _ILLEGAL_XML.sub("", str(value or ""))


def rfc822(dt) -> str:
    """RFC 822 date in GMT, as RSS 2.0 wants for pubDate."""
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def media_type(url: str) -> str:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed if guessed and guessed.startswith("video/") else "video/mp4"


def feed_url(*, base_url: str, dailymotion_id: str, token: str) -> str:
    path = f"/syndication/feeds/{quote(dailymotion_id, safe='')}.xml"
    return f"{base_url}{path}?token={quote(token, safe='')}"


class _Sink:
    """File-like target for lxml's incremental writer: keeps bytes until the caller takes them."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def _leaf(xf, tag: str, text: object = None, **attrs: str) -> None:
    with xf.element(tag, {k: xml_text(v) for k, v in attrs.items()}):
        if text is not None:
            xf.write(xml_text(text))


def _write_item(xf, video) -> None:
    with xf.element("item"):
        _leaf(xf, "title", video.title)
        _leaf(xf, "description", video.description)
        _leaf(xf, "guid", video.uid, isPermaLink="false")
        _leaf(xf, "pubDate", rfc822(video.published_at))
        _leaf(xf, "category", video.channel)
        if video.language:
            _leaf(xf, f"{{{DCTERMS_NS}}}language", video.language)
        content = {"url": video.video_url, "type": media_type(video.video_url), "medium": "video"}
        if video.duration:
            content["duration"] = str(video.duration)
        if video.language:
            content["lang"] = video.language
        with xf.element(f"{{{MEDIA_NS}}}content", {k: xml_text(v) for k, v in content.items()}):
            _leaf(xf, f"{{{MEDIA_NS}}}title", video.title)
            _leaf(xf, f"{{{MEDIA_NS}}}description", video.description)
        if video.thumbnail_url:
            _leaf(xf, f"{{{MEDIA_NS}}}thumbnail", url=video.thumbnail_url)
        if video.tags:
            _leaf(xf, f"{{{MEDIA_NS}}}keywords", ", ".join(video.tags))
        _leaf(xf, f"{{{MEDIA_NS}}}category", video.channel)
        if video.geoblocking:
            relationship, _, countries = video.geoblocking.partition(" ")
            _leaf(
                xf,
                f"{{{MEDIA_NS}}}restriction",
                countries.strip(),
                relationship=relationship,
                type="country",
            )


def feed_stream(*, creator, videos: Iterable, link: str) -> Iterator[bytes]:
    """RSS 2.0 + Media RSS of the videos, written item by item, yielded in ~64 KB chunks."""
    sink = _Sink()
    with etree.xmlfile(sink, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("rss", {"version": "2.0"}, nsmap=NSMAP), xf.element("channel"):
            _leaf(xf, "title", f"{creator.screenname or creator.username} · MCN catalog")
            _leaf(xf, "link", link)
            _leaf(xf, "description", f"Videos of {creator.username} waiting for Dailymotion")
            for video in videos:
                _write_item(xf, video)
                if sink.size >= CHUNK_BYTES:
                    xf.flush()
                    yield sink.take()
    yield sink.take()


def users_stream(*, ids: Iterable[str], base_url: str, token: str) -> Iterator[bytes]:
    """The crawler's user list as a JSON array, yielded in chunks while the ids are read."""
    yield b"["
    buffer: list[str] = []
    first = True
    for dailymotion_id in ids:
        entry = json.dumps(
            {
                "id": dailymotion_id,
                "feed_url": feed_url(base_url=base_url, dailymotion_id=dailymotion_id, token=token),
            }
        )
        buffer.append(entry if first else "," + entry)
        first = False
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer.clear()
    buffer.append("]")
    yield "".join(buffer).encode()
