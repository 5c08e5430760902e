"""gunicorn settings, read from the working directory (/app in the image, the repository root).

The crawler and Dailymotion's callback poster authenticate with `?token=…` (CONTRACT §2), so the
default access line, whose `%(r)s` is the raw request line, would write SYNDICATION_TOKEN and
CALLBACK_TOKEN into every line of the access log. Log the path (`%(U)s`) without the query.
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
