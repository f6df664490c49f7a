"""The addresses a page loads or links to, to check that it reaches no other origin (no CDN, no web font)."""

import re

_REF = re.compile(r"""\b(?:src|href|action)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)""", re.IGNORECASE)


def foreign_refs(html: str) -> list[str]:
    """Every src/href/action and CSS url() that leaves the site (an absolute or protocol-relative address)."""
    refs = _REF.findall(html) + _CSS_URL.findall(html)
    return [ref for ref in refs if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", ref.strip(), re.IGNORECASE)]
