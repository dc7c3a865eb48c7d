"""Nothing is loaded from another origin: no template or static file references one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What makes a browser fetch: src= anywhere, <link href=>, CSS url() and @import, pointing
# at http(s) or protocol-relative URLs. Plain <a href> links to other sites are not loads.
LOADS = re.compile(
    r"""(?:\bsrc\s*=\s*["']\s*(?:https?:)?//)"""
    r"""|(?:<link\b[^>]*\bhref\s*=\s*["']\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?["']?(?:https?:)?//)""",
    re.IGNORECASE,
)


def _files(folder: str, suffixes: tuple[str, ...]) -> list[Path]:
    return [p for p in (ROOT / folder).rglob("*") if p.suffix in suffixes and p.is_file()]


def test_no_template_loads_anything_from_another_origin() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _files("templates", (".html", ".txt"))
        if LOADS.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_static_file_loads_anything_from_another_origin() -> None:
    offenders = []
    for path in _files("static", (".css", ".js", ".html")):
        text = path.read_text(encoding="utf-8", errors="ignore")
        # Licence headers mention URLs in comments; only loading constructs count.
        if LOADS.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_checker_would_catch_a_cdn_link() -> None:
    assert LOADS.search('<script src="https://cdn.example.com/x.js"></script>')
    assert LOADS.search("@font-face{src:url(//fonts.example.com/a.woff2)}")
    assert LOADS.search('<link rel="stylesheet" href="https://cdn.example.com/b.css">')
    assert not LOADS.search('<a href="https://www.openstreetmap.org/copyright">OSM</a>')
