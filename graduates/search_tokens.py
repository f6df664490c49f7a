"""Searches by ID number or phone never travel in a URL (access logs, browser history, Referer headers).

The search box posts the text; anything holding a digit (an ID number, a phone, part of one — names have
none) is kept in the user's session under a short random token and the list's URL carries `q=@<token>`
instead. The token means nothing outside that session and ends with it.
"""

from __future__ import annotations

import re
import secrets

from .checks import normalize_text

SESSION_KEY = "graduates.search_tokens"
MAX_TOKENS = 30  # the newest searches of a session; older tokens lapse
TOKEN_PATTERN = re.compile(r"@[A-Za-z0-9_-]{8}")


def is_sensitive(text: str | None) -> bool:
    """Whether TEXT may be (part of) an ID number or phone number: it holds a digit."""
    return any(c.isdigit() for c in normalize_text(text))


def is_token(text: str | None) -> bool:
    return bool(text) and TOKEN_PATTERN.fullmatch(text) is not None


def store(session, text: str) -> str:
    """Keep TEXT in SESSION; returns the token that stands for it in URLs (the same text keeps its token)."""
    tokens: dict[str, str] = dict(session.get(SESSION_KEY, {}))
    for token, value in tokens.items():
        if value == text:
            return token
    token = "@" + secrets.token_urlsafe(6)[:8]
    tokens[token] = text
    session[SESSION_KEY] = dict(list(tokens.items())[-MAX_TOKENS:])
    return token


def load(session, token: str) -> str | None:
    """The text TOKEN stands for in SESSION, or None when it lapsed or belongs to another session."""
    return session.get(SESSION_KEY, {}).get(token)


def hide_sensitive(session, params, *, fields: tuple[str, ...] = ("q",)):
    """A copy of the query PARAMS whose sensitive FIELDS are replaced by tokens, empty values dropped."""
    query = params.copy()
    for key in list(query.keys()):
        values = [v for v in query.getlist(key) if v not in ("", None)]
        if values:
            query.setlist(key, values)
        else:
            del query[key]
    for field in fields:
        value = query.get(field)
        if value and not is_token(value) and is_sensitive(value):
            query[field] = store(session, normalize_text(value))
    return query
