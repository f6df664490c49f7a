"""gunicorn's settings for every way we start it (dev.py up, the Dockerfile, docker-compose): `--config` this file.

The access log leaves query strings and the Referer out: searches and links could carry an ID number or a phone
there (the pages never generate such URLs, see graduates/search_tokens.py, but a hand-typed or old one may).
%(U)s is the path without its query string; %(r)s (the request line) and %(q)s would include it.
"""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
