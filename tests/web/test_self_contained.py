"""Every page loads nothing from outside the server (issue 4: the networks these systems run on
are often closed — no CDN, every script, style, font and chart served locally).

Scans every template and static file of every qcredit app for an external resource load: a
``<script src>``, ``<link href>``, ``<img src>`` … or a CSS ``url()`` / ``@import`` that points
at another origin (``http:``, ``https:`` or protocol-relative ``//``). Links a person may follow
(``<a href>``) and XML namespaces are not loads and are allowed. The browser tests complement
this at run time (tests/browser: console errors, including CSP violations, fail a journey).
"""

from __future__ import annotations

import re
from pathlib import Path

import qcredit

ROOT = Path(qcredit.__file__).parent
EXTERNAL = r"""(?:https?:)?//"""
LOADING_TAG = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object|track|input)\b[^>]*?\b(?:src|href|data|srcset|poster)\s*=\s*"
    r"[\"']?\s*" + EXTERNAL, re.IGNORECASE)
CSS_LOAD = re.compile(r"(?:url\(\s*[\"']?\s*" + EXTERNAL + r"|@import\s+[\"']?\s*(?:url\()?\s*[\"']?\s*" + EXTERNAL + ")",
                      re.IGNORECASE)
JS_LOAD = re.compile(r"""(?:fetch|importScripts|import)\s*\(\s*["']""" + EXTERNAL + r"|\bfrom\s+[\"']" + EXTERNAL,
                     re.IGNORECASE)


def _files(suffixes: tuple[str, ...]):
    for path in sorted(ROOT.rglob("*")):
        if path.is_file() and path.suffix in suffixes and {"templates", "static"} & set(path.parts):
            yield path


def test_the_scan_finds_what_it_is_meant_to_find():
    assert LOADING_TAG.search('<script src="https://cdn.example.com/echarts.js"></script>')
    assert LOADING_TAG.search("<link rel=stylesheet href=//fonts.example.com/a.css>")
    assert CSS_LOAD.search("body { background: url('https://example.com/x.png') }")
    assert CSS_LOAD.search('@import "https://example.com/a.css";')
    assert JS_LOAD.search('fetch("https://api.example.com/x")')
    assert not LOADING_TAG.search('<a href="https://www.creditchina.gov.cn/">信用中国</a>')
    assert not LOADING_TAG.search('<svg xmlns="http://www.w3.org/2000/svg">')
    assert not LOADING_TAG.search('<script src="/static/web/qcredit.js"></script>')


def test_no_template_or_static_file_loads_anything_from_another_origin():
    offending = []
    scanned = 0
    for path in _files((".html", ".xml", ".txt", ".svg", ".css", ".js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        scanned += 1
        for pattern in (LOADING_TAG, CSS_LOAD, JS_LOAD):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offending.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)[:80]}")
    assert scanned > 5
    assert not offending, "external resources:\n" + "\n".join(offending)
