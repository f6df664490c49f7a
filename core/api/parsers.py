"""JSON bodies only; text that PostgreSQL cannot store (a lone UTF-16 surrogate, which JSON's \\ud800 escapes
allow) is refused with 400 here instead of failing at the database."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MSG_BAD_TEXT = "请求内容含有无法保存的字符（孤立的 UTF-16 代理项），请检查后重新提交。"


def _storable(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return True


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not _storable(data):
            raise ParseError(MSG_BAD_TEXT)
        return data
