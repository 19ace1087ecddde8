"""What a crawl of the public site must never find (SPEC §7.1), shared by the server-side crawl
(tests/portal/test_disclosure.py) and the browser crawl (tests/browser/test_public_crawl.py).

The assertion, and why it is built this way:

- **Hidden enterprises** (computed B, C, unpublished A, A with an application pending, a
  published A since withdrawn, unconfirmed D, an undecided red-list candidate) may be named
  on the portal only on their own enterprise page, which is reachable by search (names and
  codes are public registration data, SPEC §7.1 row 1). So no crawled resource other than
  that page may contain their name or USCC: not the lists, the feed, the sitemap, the open
  data, the notices. Their own page must be identical, apart from name/USCC/region/industry,
  to every other hidden enterprise's page — so nothing on it can depend on the grade.
- **Grade labels.** The portal never shows a computed grade: none of the workspace's grade
  labels ("B 基本守信", "C 失信" …), no "B级"/"C级"/"基本守信"/"未定级", no grade CSS class.
  "A级（守信）" and "D级（严重失信）" do appear — as the names of the published-A list and of
  the black list, which are public by definition — so they cannot be forbidden words; that
  they are never attached to a hidden enterprise follows from the first point.
- **Workflow internals** written into the test archive (application remarks, evaluation and
  re-check opinions, meeting minutes, an undecided nomination's facts) and criterion ids
  ("QCO-…", "SRL-…") never appear.
- **Escaping.** The enterprise named ``<script>alert(1)</script>`` is on the black list, so
  it is on many pages; no HTML or XML resource may contain it unescaped, nor the black-list
  facts' ``<img … onerror>``. CSV, JSON and PDF carry it as data (text), which is correct.
"""

from __future__ import annotations

from . import world as w

GRADE_LABELS = ("A 守信", "B 基本守信", "C 失信", "D 严重失信", "B级", "C级", "基本守信", "未定级", "grade-A",
                "grade-B", "grade-C", "grade-D", "grade-N", "机评", "计算机生成")
INTERNAL_TEXT = ("申请说明：内部", "评价意见：内部", "复核意见：内部", "内部纪要：不公开", "候选事实：未决定",
                 "领导小组会议纪要〔2026〕7号", "QCO-", "SRL-", "鲁市监罚〔2026〕9号")
RAW_MARKUP = (w.XSS_NAME, "<img src=x onerror")


def hidden_markers(world) -> dict[str, str]:
    """Text that identifies a hidden enterprise → which one."""
    out = {}
    for key, subject in world.hidden.items():
        out[subject.name] = key
        out[subject.uscc] = key
    return out


def problems(*, url: str, body: str, markup: bool, world, own_page_of: str | None = None) -> list[str]:
    """Everything wrong with one public resource (empty if nothing)."""
    found = []
    for marker, key in hidden_markers(world).items():
        if marker in body and key != own_page_of:
            found.append(f"{url}: names the hidden enterprise {key} ({marker})")
    for label in GRADE_LABELS:
        if label in body:
            found.append(f"{url}: grade label {label!r}")
    for internal in INTERNAL_TEXT:
        if internal in body:
            found.append(f"{url}: internal text {internal!r}")
    if markup:
        for raw in RAW_MARKUP:
            if raw in body:
                found.append(f"{url}: unescaped {raw!r}")
    return found
