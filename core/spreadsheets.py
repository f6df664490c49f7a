"""Writing cells that came from outside into spreadsheets people open."""

FORMULA_PREFIXES = ("=", "+", "-", "@")


def formula_safe(text: str) -> str:
    """A value a spreadsheet would run as a formula gets a leading apostrophe (it stays visible as text)."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str):
    """An .xlsx download; the (often Chinese) file name percent-encoded as RFC 6266 asks."""
    from urllib.parse import quote

    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
