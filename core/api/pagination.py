"""Cursor pagination for big lists: ``{"next": url|null, "previous": url|null, "results": [...]}``.

Ordered by id, newest first: stable while records are added (no page shows a row twice or skips one), and each
page is an index range scan, never an OFFSET or a COUNT over a whole province. A cursor that was not made by us
answers 400 with a Chinese message (never a 500 or a silent first page).
"""

from __future__ import annotations

import re
from base64 import b64decode
from urllib import parse

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination

INVALID_CURSOR = "翻页游标（cursor）无效，请使用上一页返回的 next / previous 链接。"


class IdCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    position_pattern = re.compile(r"\d{1,18}")

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            tokens = parse.parse_qs(
                b64decode(encoded.encode("ascii")).decode("ascii"), keep_blank_values=True
            )
            offset = int(tokens.get("o", ["0"])[0])
            reverse = bool(int(tokens.get("r", ["0"])[0]))
            position = tokens.get("p", [None])[0]
        except (TypeError, ValueError, UnicodeError):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if not 0 <= offset <= self.offset_cutoff or (
            position is not None and not self.position_pattern.fullmatch(position)
        ):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        return Cursor(offset=offset, reverse=reverse, position=position)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"每页条数应为 1 至 {self.max_page_size} 之间的整数。"]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
