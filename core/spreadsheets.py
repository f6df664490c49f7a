"""Writing cells that came from outside into spreadsheets people open."""

FORMULA_PREFIXES = ("=", "+", "-", "@")


def formula_safe(text: str) -> str:
    """A value a spreadsheet would run as a formula gets a leading apostrophe (it stays visible as text)."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
