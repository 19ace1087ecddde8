#!/usr/bin/env python3
"""Screenshots of the main pages into docs/screens/ (issue 4 item 5).

Drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser) through Playwright
against a running demo server, logs in with the demo accounts of the role each page is for,
and saves PNGs with stable names: ``public-home.png``, ``staff-dashboard.png`` … at 1280 px
wide, and the public home and an enterprise page also at 375 px (``…-phone.png``).

    .venv/bin/qcredit demo                      # in one terminal (http://127.0.0.1:8000)
    .venv/bin/python scripts/screenshots.py     # in another
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8106 --only public-

URLs come from the project's URLconf by name (``reverse``), so a page whose route does not
exist yet, or that answers with an error, is skipped with a printed note; the script never
fails because a page is missing. Pages of one enterprise take the first enterprise linked
from a list page of the running site. Long pages are cut at ``--max-height`` pixels.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "qcredit-demo-2026"  # qcredit.accounts.demo.DEMO_PASSWORD
ADMIN = ("admin", "qcredit-demo-admin")  # qcredit.demo_setup.DEMO_SUPERUSER
DESKTOP, PHONE = (1280, 900), (375, 812)


@dataclass
class Shot:
    name: str  # file name without .png
    account: str | None  # demo login, None for the public
    url_name: str  # a URL name of the project, or "discover:<kind>"
    query: str = ""
    args: tuple = ()
    phone: bool = False  # also at 375 px, as <name>-phone.png
    notes: list = field(default_factory=list)


SHOTS = [
    # The public portal (anonymous).
    Shot("public-home", None, "portal:home", phone=True),
    Shot("public-search", None, "portal:search", query="q=有限公司"),
    Shot("public-redlist", None, "portal:redlist"),
    Shot("public-a-list", None, "portal:a-list"),
    Shot("public-blacklist", None, "portal:blacklist"),
    Shot("public-enterprise", None, "discover:public-enterprise", phone=True),
    Shot("public-objection", None, "portal:objection"),
    Shot("public-objection-track", None, "portal:objection-track"),
    Shot("public-open-data", None, "portal:open-data"),
    Shot("public-notices", None, "portal:notices"),
    Shot("login", None, "login"),
    # The staff workspace, each page as the role that works with it.
    Shot("staff-dashboard", "sheng-office", "workspace:home"),
    Shot("staff-search", "sheng-division", "workspace:search", query="q=机械"),
    Shot("staff-enterprise", "sheng-division", "discover:staff-enterprise"),
    Shot("staff-records", "sheng-division", "discover:staff-records"),
    Shot("staff-imports", "sheng-division", "workspace:imports"),
    Shot("staff-redlist", "sheng-office", "workspace:redlist-index"),
    Shot("staff-redlist-detail", "sheng-office", "discover:staff-redlist-detail"),
    Shot("staff-redlist-legal-review", "sheng-legal", "discover:staff-redlist-legal-queue"),
    Shot("staff-redlist-meetings", "sheng-office", "discover:staff-redlist-meetings"),
    Shot("staff-lists", "sheng-office", "workspace:lists-index"),
    Shot("staff-a-applications", "sheng-evaluator", "workspace:lists-a-applications"),
    Shot("staff-rechecks", "sheng-reviewer", "workspace:lists-rechecks"),
    Shot("staff-blacklist", "sheng-office", "workspace:lists-blacklist"),
    Shot("staff-objections", "sheng-office", "workspace:lists-objections"),
    Shot("staff-statements", "sheng-office", "workspace:lists-statements"),
    Shot("staff-rulesets", "sheng-admin", "workspace:rulesets"),
    Shot("staff-holidays", "sheng-admin", "workspace:holidays"),
    Shot("staff-audit-log", "sheng-auditor", "workspace:audit-log"),
    Shot("staff-access-log", "sheng-auditor", "workspace:access-log"),
    Shot("staff-password-change", "sheng-division", "password_change"),
    # Enterprise self-service.
    Shot("enterprise-home", "enterprise", "selfservice:home"),
    Shot("enterprise-a-applications", "enterprise", "selfservice:a-applications"),
    Shot("enterprise-objections", "enterprise", "selfservice:objections"),
    Shot("enterprise-statements", "enterprise", "selfservice:statements"),
    # The technical admin.
    Shot("admin-index", "admin", "admin:index"),
    # issue 5: supervision, exchange, reports, the partner API
    Shot("public-inspections", None, "inspections:index"),
    Shot("staff-supervision", "sheng-division", "supervision:index"),
    Shot("staff-measures", "sheng-admin", "supervision:measures"),
    Shot("staff-plans", "sheng-division", "supervision:plans"),
    Shot("staff-warnings", "sheng-division", "supervision:warnings"),
    Shot("staff-honour-reviews", "sheng-division", "supervision:honour-reviews"),
    Shot("staff-reports", "sheng-office", "reports:grades"),
    Shot("staff-report-movements", "sheng-office", "reports:movements"),
    Shot("staff-exports", "sheng-office", "exchange:exports"),
    Shot("staff-outbox", "sheng-office", "exchange:outbox"),
    Shot("api-docs", None, "api:docs"),
]

# Where to find one enterprise (or one list) on the running site: (page URL name, query, link pattern).
DISCOVER = {
    "public-enterprise": [("portal:redlist", "", r"^/enterprises/[0-9A-Z]{18}/$"),
                          ("portal:a-list", "", r"^/enterprises/[0-9A-Z]{18}/$"),
                          ("portal:search", "q=有限公司", r"^/enterprises/[0-9A-Z]{18}/$")],
    "staff-enterprise": [("workspace:search", "grade=C", r"^/workspace/enterprises/[0-9A-Z]{18}/$"),
                         ("workspace:search", "", r"^/workspace/enterprises/[0-9A-Z]{18}/$"),
                         ("workspace:home", "", r"^/workspace/enterprises/[0-9A-Z]{18}/$")],
    "staff-records": [("workspace:search", "grade=C", r"^/workspace/enterprises/[0-9A-Z]{18}/$")],
    "staff-redlist-detail": [("workspace:redlist-index", "", r"^/workspace/redlist/\d+/$")],
    "staff-redlist-legal-queue": [("workspace:redlist-index", "", r"^/workspace/redlist/\d+/$")],
    "staff-redlist-meetings": [("workspace:redlist-index", "", r"^/workspace/redlist/\d+/$")],
}
# A discovered link turned into the page wanted: (suffix appended to the discovered path).
DISCOVERED_SUFFIX = {"staff-records": "records/", "staff-redlist-legal-queue": "legal-review/",
                     "staff-redlist-meetings": "meetings/"}


def reverse_or_none(url_name: str, args=()) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return None


class Session:
    """One browser context per account (logged in once) and width."""

    def __init__(self, browser, base_url: str, account: str | None, size: tuple[int, int]):
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN",
                                           timezone_id="Asia/Shanghai", device_scale_factor=1)
        self.page = self.context.new_page()
        # Script errors and CSP violations, reported with the page (the CSP forbids inline code).
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.base_url = base_url
        self.ok = True
        if account is not None:
            self.ok = self._login(account)

    def _login(self, account: str) -> bool:
        username, password = ADMIN if account == "admin" else (account, DEMO_PASSWORD)
        login = reverse_or_none("admin:login" if account == "admin" else "login")
        self.page.goto(self.base_url + login)
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.locator("form input[type=submit], form button[type=submit]").last.click()
        self.page.wait_for_load_state()
        return "/login/" not in self.page.url

    def links(self, path: str, pattern: str) -> list[str]:
        response = self.page.goto(self.base_url + path)
        if response is None or response.status >= 400:
            return []
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        return [h for h in hrefs if re.match(pattern, h or "")]

    def close(self):
        self.context.close()


def discover(session: Session, kind: str) -> str | None:
    for url_name, query, pattern in DISCOVER[kind]:
        path = reverse_or_none(url_name)
        if path is None:
            continue
        found = session.links(path + (f"?{query}" if query else ""), pattern)
        if found:
            return found[0] + DISCOVERED_SUFFIX.get(kind, "")
    return None


def capture(session: Session, path: str, target: Path, max_height: int) -> str | None:
    """Save a screenshot of ``path``; returns why not, or None."""
    session.console_errors.clear()
    response = session.page.goto(session.base_url + path)
    session.page.wait_for_load_state("networkidle")
    if response is None:
        return "无响应"
    if response.status >= 400:
        return f"HTTP {response.status}"
    width = session.page.viewport_size["width"]
    height = session.page.evaluate("Math.ceil(document.documentElement.scrollHeight)")
    session.page.screenshot(path=str(target), full_page=True,
                            clip={"x": 0, "y": 0, "width": width, "height": min(height, max_height)})
    return None


def compress(target: Path) -> None:
    """256-colour palette PNG (about a third of the size; text stays sharp: no dithering).
    Pillow comes with WeasyPrint; without it the PNG stays as Chromium wrote it."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(target) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE)
    palette.save(target, optimize=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of the main pages into docs/screens/")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(REPO / "docs" / "screens"))
    parser.add_argument("--only", default="", help="only the shots whose name starts with this")
    parser.add_argument("--max-height", type=int, default=2400)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--no-compress", action="store_true", help="keep Chromium's full-colour PNGs")
    options = parser.parse_args(argv)

    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcredit.config.settings")
    import django

    django.setup()  # for reverse() only: the pages come from the running server
    from playwright.sync_api import sync_playwright

    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    base = options.base_url.rstrip("/")
    saved, missing = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=options.chromium)
        sessions: dict[tuple, Session] = {}

        def session_for(account, size):
            key = (account, size)
            if key not in sessions:
                sessions[key] = Session(browser, base, account, size)
            return sessions[key]

        for shot in SHOTS:
            if not shot.name.startswith(options.only):
                continue
            desktop = session_for(shot.account, DESKTOP)
            if not desktop.ok:
                missing.append((shot.name, f"演示账号 {shot.account} 无法登录"))
                continue
            if shot.url_name.startswith("discover:"):
                path = discover(desktop, shot.url_name.split(":", 1)[1])
                why = None if path else "在列表页上没有找到可用的链接"
            else:
                path = reverse_or_none(shot.url_name, shot.args)
                why = None if path else f"URL 名称 {shot.url_name} 尚不存在"
            if path and shot.query:
                path += "?" + shot.query
            for size, suffix in [(DESKTOP, "")] + ([(PHONE, "-phone")] if shot.phone else []):
                if path is None:
                    break
                target = out / f"{shot.name}{suffix}.png"
                why = capture(session_for(shot.account, size), path, target, options.max_height)
                for error in desktop.console_errors if size == DESKTOP else []:
                    print(f"  控制台错误 {shot.name}: {error}")
                if why is None:
                    if not options.no_compress:
                        compress(target)
                    saved.append((target.name, path))
                    print(f"已保存 {target.name:34s} {path}")
            if why is not None:
                missing.append((shot.name, why))
        for s in sessions.values():
            s.close()
        browser.close()

    for name, why in missing:
        print(f"跳过 {name}: {why}")
    print(f"共保存 {len(saved)} 张截图到 {out}，跳过 {len(missing)} 个页面")
    return 0


if __name__ == "__main__":
    sys.exit(main())
