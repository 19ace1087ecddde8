"""The demo's issue-5 chapter (``qcredit demo``): supervision by grade, the partner API and the
outbox, replayed like the rest of the story (:mod:`qcredit.demo_workflows`) — every step a call of
the real service, by the demo account whose role and jurisdiction it checks, on an earlier day
under the demo clock.

- **Inspectors and conflicts** (SPEC §9, 双随机): the provincial and the Jinan product-quality
  institutes, with named inspectors (:data:`INSTITUTES`), created by the system administrators;
  a few declared conflicts of interest (回避).
- **Inspection plans**: a provincial sampling plan over Jinan and Qingdao drawn with a recorded
  seed, published, every result entered (two failures become archive records and regrade their
  enterprises into C), results published; a Jinan inspection plan published with part of its
  results; a draft plan.
- **Early warning** (QCO 四(三)): preferential policies registered for some enterprises — one of
  them the enterprise that fails — so that its fall into C opens review items; one decided. A
  yellow-card letter to that enterprise, downloaded by its own account; another to the riskiest
  C enterprise of Jinan's queue.
- **Partner API** (docs/api.md): a client per scope. Their tokens are *deterministic in the
  demo only* (:func:`demo_token`): the story replaces the token generator of
  :mod:`qcredit.api.tokens` while it creates its own clients, as it replaces the clock — the
  services store the SHA-256 as always, and every other client, and every reissue, gets a random
  token. Calls go through the API itself (an in-process HTTP request: token, scope, rate limit,
  call log, audit): an intake batch, public queries, one query of a grade.
- **Outbox** (docs/exchange.md): 信用中国（山东） is enabled by the provincial admin with an
  address nothing listens on (``127.0.0.1:9``), its earlier events queued, and the cron run of the
  delivery made on the days the clock stops on: its first message waits for a retry with a
  delivery log of refused connections, the rest wait behind it. 国家企业信用信息公示系统（山东）
  stays disabled, as seeded.

:class:`SupervisionStory` is a part of :class:`qcredit.demo_workflows.Story` (it uses its clock,
calendar, offline archive view and step guard). :func:`supervision_summary` and
:func:`demo_api_clients` are for the printout.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import random
from collections.abc import Iterator
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from qcredit.rules.dates import add_months

# (unit code, name, jurisdiction, parent unit code, admin creating it, inspectors (family, given))
INSTITUTES = (
    ("sd-zjy", "山东省产品质量检验研究院", "37", "sd", "sheng-admin",
     (("王", "建国"), ("李", "慧敏"), ("张", "志强"), ("刘", "晓燕"), ("陈", "立新"), ("杨", "帆"))),
    ("jn-zjy", "济南市产品质量检验院", "3701", "jn", "jinan-admin",
     (("赵", "明"), ("孙", "丽华"), ("周", "振宇"), ("吴", "雪"))),
)
PROVINCE_PLAN_SEED = 202607310001  # recorded in the plan; the same seed over the same basis gives the same plan
JINAN_PLAN_SEED = 370120261030
DRAFT_PLAN_SEED = 202612010007
# (code, name, scopes, sources, note): the demo's partner clients, one per scope (docs/api.md §2).
DEMO_CLIENTS = (
    ("xyzg-sd", "信用中国（山东）", ("public",), (),
     "演示客户端：查询公开的红名单、A级公示和黑名单（与公示网站相同）。"),
    ("rzxy-sd", "山东省融资信用服务平台", ("internal-grade",), (),
     "演示客户端：银行授信前查询企业质量信用等级（机密信息，每次查询记入审计日志）。"),
    ("dzjg-sd", "山东省产品质量电子监管网", ("intake",), ("山东省产品质量检验研究院",),
     "演示客户端：报送依法监督检验结果（QCO 五(三) 企业和产品质量信息动态采集）。"),
)
INTAKE_SOURCE = "山东省产品质量检验研究院"
PARTNER_ADDRESS = "10.37.8.21"  # the partners' calls come from the provincial e-government network (demo)
PLAN_LEVELS = {"plan:sd": ("sheng", "鲁质检抽字"), "plan:jn": ("jinan", "济质检查字")}  # (demo bureau, report numbers)
DEMO_PARTNER = "creditchina-sd"  # the partner the demo enables; gsxt-sd stays as seeded
UNREACHABLE_ENDPOINT = "http://127.0.0.1:9/qcredit/list-events"  # the discard port: nothing answers


def demo_token(code: str, n: int = 0) -> str:
    """The ``n``-th token the demo gives its client ``code``: the format of
    :mod:`qcredit.api.tokens`, derived from the code so that every demo database has the same
    tokens (printed by ``qcredit demo``). Demo only, like the demo passwords."""
    seed = hashlib.sha256(f"qcredit-demo-api-token/{code}/{n}".encode()).digest()
    secret = base64.urlsafe_b64encode(hashlib.sha256(seed).digest()).decode().rstrip("=")
    return f"qc_{seed[:4].hex()}_{secret}"


@contextlib.contextmanager
def demo_tokens(code: str) -> Iterator[None]:
    """Within the block the API's token generator gives :func:`demo_token` (``code``, 0, 1, …)."""
    from qcredit.api import tokens

    original = tokens.new_token
    serial = iter(range(1000))

    def new_token() -> tuple[str, str, str]:
        token = demo_token(code, next(serial))
        return token, tokens.prefix_of(token), tokens.digest(token)

    tokens.new_token = new_token
    try:
        yield
    finally:
        tokens.new_token = original


def demo_api_clients() -> list[tuple[object, str | None]]:
    """The demo's clients with their demo token, or None where the token was reissued since
    (a reissued token is random and was shown once)."""
    from qcredit.api import tokens
    from qcredit.api.models import ApiClient

    found = []
    for code, *_ in DEMO_CLIENTS:
        client = ApiClient.objects.filter(code=code).first()
        if client is not None:
            token = next((t for t in (demo_token(code, n) for n in range(3)) if tokens.matches(t, client.token_hash)),
                         None)
            found.append((client, token))
    return found


class SupervisionStory:
    """The issue-5 steps of the story (see the module doc); mixed into ``Story``."""

    def _issue5(self) -> None:
        self._institutes()
        self._province_plan()
        self._jinan_plan()
        self._draft_plan()
        self._second_letter()
        self._partner_api()

    # --- inspectors (双随机: 随机选派执法检查人员) ---------------------------------------------------

    def _institutes(self) -> None:
        def create():
            from qcredit.accounts.models import Role, Unit
            from qcredit.accounts.services import membership_grant, unit_create

            for code, name, jurisdiction, parent, admin, people in INSTITUTES:
                actor = self.people[admin]
                unit = unit_create(code=code, name=name, jurisdiction=jurisdiction,
                                   parent=Unit.objects.get(code=parent), actor=actor)
                for n, (family, given) in enumerate(people, start=1):
                    # Staff of the institute; they are drawn for inspections and do not log in here.
                    user = get_user_model().objects.create(username=f"{code}-{n:02d}", last_name=family,
                                                           first_name=given)
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                    membership_grant(user=user, unit=unit, role=Role.INSPECTION, actor=actor,
                                     reason=f"{name}检验人员，纳入双随机抽查检查人员名录库")

        self.on(self.start, "10:00", "检验机构和检查人员", self.step("检验机构和检查人员", create))

    # --- the provincial sampling plan: drawn, published, every result, results published -------------

    def _province_plan(self) -> None:
        d = self.days
        drawn_on, first, second, third = d.months_back(4), d.mid(4), d.months_back(3), d.mid(3)

        def create():
            from qcredit.accounts.models import Unit
            from qcredit.supervision.services import plan_create

            self.made["plan:sd"] = plan_create(actor=self.person("sheng", "division"), data={
                "name": f"{drawn_on.year}年山东省电气机械和器材产品质量监督抽查（济南、青岛）",
                "note": "按企业质量信用等级分层抽取（C、D级企业抽查比例较高，QCO 四(三)(四)），随机选派山东省产品质量检验研究院"
                        "检验人员，每户2人；抽查结果向社会公开。",
                "kind": "sampling", "record_scope": "quality", "regions": ["3701", "3702"], "industries": ["C38"],
                "pool": "unit", "pool_unit": Unit.objects.get(code="sd-zjy"), "inspectors_per_enterprise": 2,
                "seed": PROVINCE_PLAN_SEED, "starts_on": d.shift(drawn_on, 1), "ends_on": d.shift(third, 2)})

        self.on(d.mid(5), "09:30", "省级抽查计划", self.step("省级抽查计划", create))
        self.on(drawn_on, "09:30", "回避登记", self.step("回避登记", lambda: self._conflicts("plan:sd", "sheng", (
            "该检查人员的配偶在该企业担任质量负责人",
            "该检查人员曾在该企业任职，离职未满三年"))))
        self.on(drawn_on, "10:30", "省级计划抽取", self.step("省级计划抽取", lambda: self._draw("plan:sd", "sheng")))
        self.on(drawn_on, "15:00", "省级计划公示", self.step("省级计划公示", lambda: self._publish("plan:sd", "sheng")))
        self.on(first, "09:00", "扶优政策登记", self.step("扶优政策登记", self._policies))
        self.on(first, "16:00", "抽查结果（一）", self.step("抽查结果（一）", lambda: self._results("plan:sd", 0, 3)))
        self.on(second, "16:00", "抽查结果（二）", self.step("抽查结果（二）", lambda: self._results("plan:sd", 1, 3)))
        self.on(third, "10:00", "黄牌警告", self.step("黄牌警告", self._warn_failed))
        self.on(third, "15:00", "扶优政策审查决定", self.step("扶优政策审查决定", self._decide_policy))
        self.on(third, "16:00", "抽查结果（三）", self.step("抽查结果（三）", lambda: self._results("plan:sd", 2, 3)))
        self.on(d.months_back(2), "09:00", "企业查阅警告书", self.step("企业查阅警告书", self._download_letter))
        self.on(d.months_back(2), "10:00", "抽查结果公示", self.step("抽查结果公示", lambda: self._publish_results(
            "plan:sd", "sheng")))

    def _plan(self, key: str):
        plan = self.need(key)
        plan.refresh_from_db()
        return plan

    def _conflicts(self, key: str, level: str, reasons: tuple[str, ...]):
        """The division registers the conflicts the institute's inspectors declared — here for
        enterprises the plan's draw would pick (:func:`plan_preview`, which writes nothing), so
        that the plan page shows an inspector passed over (回避)."""
        from qcredit.archive.models import Enterprise
        from qcredit.supervision.services import conflict_declare, inspector_users, plan_preview

        plan = self._plan(key)
        _basis, preview = plan_preview(plan)
        items = [i for i in reversed(preview.items) if i.inspectors][:len(reasons)]  # the last strata first
        if not items:
            raise _skipped(f"{key}：抽查范围内没有企业，无回避可登记")
        users = inspector_users(i.inspectors[0][0] for i in items)
        for item, reason in zip(items, reasons, strict=False):
            conflict_declare(inspector=users[item.inspectors[0][0]], enterprise=Enterprise.objects.get(pk=item.enterprise_id),
                             reason=reason, actor=self.person(level, "division"))

    def _draw(self, key: str, level: str):
        from qcredit.supervision.services import plan_draw

        self.made[key] = plan_draw(plan=self._plan(key), actor=self.person(level, "division"))

    def _publish(self, key: str, level: str):
        from qcredit.supervision.services import plan_publish

        self.made[key] = plan_publish(plan=self._plan(key), actor=self.person(level, "division"))

    def _publish_results(self, key: str, level: str):
        from qcredit.supervision.services import plan_publish_results

        self.made[key] = plan_publish_results(plan=self._plan(key), actor=self.person(level, "division"))

    def _items(self, key: str) -> list:
        from qcredit.supervision.models import PlanItem

        return list(PlanItem.objects.filter(plan=self._plan(key)).select_related("enterprise")
                    .order_by("enterprise__uscc"))

    def _failing(self, key: str, day: date) -> list[str]:
        """Up to two drawn enterprises, not otherwise in the story, that a failed sampling on
        ``day`` takes from A or B into C (chosen offline with the rules)."""
        chosen = []
        for item in self._items(key):
            uscc = item.enterprise.uscc
            if not self._free(uscc) or self.view.grade(uscc, day) not in ("A", "B"):
                continue
            fail = {"id": "offline", "kind": "sampling", "date": self.days.shift(day, -2).isoformat(),
                    "source": "offline", "scope": "quality", "result": "fail", "own_fault": True}
            if self.view.grade_with(uscc, fail, day) == "C":
                chosen.append(uscc)
                if len(chosen) == 2:
                    break
        return chosen

    def _policies(self):
        """The division registers preferential policies held by enterprises of the province (in
        force since earlier years): one of them is the enterprise the plan will find failing."""
        from qcredit.supervision.models_warnings import PreferentialPolicy
        from qcredit.supervision.warnings import preferential_policy_save

        today = timezone.localdate()
        failing = self._failing("plan:sd", self.days.months_back(3))
        self.taken.update(failing)
        self.made["failing"] = failing
        others = [u for u in self.view.order if self._free(u) and self.view.grade(u, today) == "A"
                  and self.view.items[u]["established_on"] < "2023-01-01"]
        holders = [*failing[:1], *others[:3]]
        texts = [
            (PreferentialPolicy.Kind.SUPPORT, "质量提升扶优扶强专项支持", "山东省市场监督管理局", date(2025, 3, 18), 36, "鲁市监质发〔2025〕12号"),
            (PreferentialPolicy.Kind.FAMOUS_BRAND, "山东名牌产品", "山东省市场监督管理局", date(2024, 12, 20), 36, "鲁市监质发〔2024〕58号"),
            (PreferentialPolicy.Kind.SUPPORT, "质量标杆企业培育扶持", "山东省市场监督管理局", date(2025, 6, 6), 24, "鲁市监质发〔2025〕31号"),
            (PreferentialPolicy.Kind.EXPORT_EXEMPTION, "出口商品免验", "济南海关", date(2024, 9, 2), 36, "济关检〔2024〕7号"),
        ]
        actor = self.person("sheng", "division")
        for uscc, (kind, name, granted_by, granted_on, months, ref) in zip(holders, texts, strict=False):
            self.taken.add(uscc)
            established = date.fromisoformat(self.view.items[uscc]["established_on"])
            if established >= granted_on:  # a young enterprise: granted after its first year
                granted_on = min(add_months(established, 12), self.days.shift(today, -20))
            preferential_policy_save(actor=actor, reason="登记企业正在享受的扶优政策（QCO 四(三)）", policy=PreferentialPolicy(
                enterprise=self.enterprise(uscc), kind=kind, name=name, granted_by=granted_by, granted_on=granted_on,
                valid_to=add_months(granted_on, months), ref=ref))
        if not failing:
            raise _skipped("省级抽查计划：抽中的企业中没有不合格后会降为C级的企业")

    def _results(self, key: str, part: int, parts: int):
        """One day's results: the ``part``-th of ``parts`` shares of the drawn enterprises by USCC
        (the last share: all that remain), the failing ones with the second share; each
        inspected two working days before."""
        from qcredit.archive.columns import record_to_bundle
        from qcredit.supervision.services import plan_result_record

        plan = self._plan(key)
        level, ref_prefix = PLAN_LEVELS[key]
        items = self._items(key)
        number = {item.pk: n for n, item in enumerate(items, start=1)}
        failing = set(self.made.get("failing", ())) if key == "plan:sd" else set()
        ordinary = [i for i in items if i.enterprise.uscc not in failing]
        share = -(-len(ordinary) // parts)
        todo = ordinary[part * share:(part + 1) * share if part < parts - 1 else None]
        if part == 1:
            todo = [i for i in items if i.enterprise.uscc in failing] + todo
        inspected = max(self.days.shift(timezone.localdate(), -2), plan.starts_on)
        for item in todo:
            uscc, failed = item.enterprise.uscc, item.enterprise.uscc in failing
            item = plan_result_record(
                item=item, result="fail" if failed else "pass", inspected_on=inspected,
                findings=self._finding(item.enterprise.name) if failed else "", own_fault=True if failed else None,
                ref=f"{ref_prefix}〔{inspected.year}〕第{plan.pk}-{number[item.pk]:03d}号",
                actor=self.person(level, "division"))
            self.view.add(uscc, record_to_bundle(item.record, uscc))

    @staticmethod
    def _finding(name: str) -> str:
        if "电线电缆" in name:
            return "抽检样品导体电阻项目不符合 GB/T 3956—2008《电缆的导体》的要求。"
        if "照明" in name:
            return "抽检样品防触电保护项目不符合 GB 7000.1—2015《灯具 第1部分：一般要求与试验》的要求。"
        return "抽检样品标志和使用说明项目不符合产品标准的要求。"

    # --- early warning (QCO 四(三)) ----------------------------------------------------------------

    def _warn_failed(self):
        """The division warns the enterprise that failed (now C): it looks at its risk and facts
        (the letter form, an access event) and issues the letter; the enterprise opened its
        account to receive it."""
        from qcredit.supervision.warnings import warning_candidate, warning_letter_issue

        enterprise = self.enterprise(self._first_failing())
        self.enterprise_login(enterprise)
        division = self.person("sheng", "division")
        if warning_candidate(user=division, enterprise=enterprise) is None:
            raise _skipped(f"黄牌警告：{enterprise.name}不是C级")
        self.made["letter"] = warning_letter_issue(
            enterprise=enterprise, rectification_workdays=20, actor=division,
            remarks="请对不合格产品立即停止生产、销售，查明原因，召回已出厂的不合格产品，并于整改期限内书面报告整改情况。")

    def _first_failing(self) -> str:
        failing = self.made.get("failing")
        if not failing:
            raise _skipped("没有抽查不合格的企业，本步略过", consequence=True)
        return failing[0]

    def _download_letter(self):
        from qcredit.accounts.models import EnterpriseAccount
        from qcredit.supervision.warnings import warning_letter_pdf

        letter = self.need("letter")
        account = EnterpriseAccount.objects.filter(enterprise=letter.enterprise).select_related("user").first()
        if account is None or warning_letter_pdf(letter_id=letter.pk, user=account.user) is None:
            raise _skipped("企业查阅警告书：企业账号不能下载")

    def _decide_policy(self):
        from qcredit.supervision.models_warnings import HonourPolicyReview
        from qcredit.supervision.warnings import honour_review_decide

        review = (HonourPolicyReview.objects.filter(enterprise__uscc=self._first_failing(),
                                                    subject_kind=HonourPolicyReview.Subject.POLICY,
                                                    state=HonourPolicyReview.State.OPEN).first())
        if review is None:
            raise _skipped("扶优政策审查：没有待审查的事项")
        honour_review_decide(review=review, decision=HonourPolicyReview.Decision.SUSPEND, actor=self.person(
            "sheng", "division"), reason="该企业产品在省级监督抽查中不合格，被评为C级（失信），依照 QCO 四(三)暂停其享受的扶优扶强政策；"
                                         "整改完成、等级恢复后另行研究。")

    def _second_letter(self):
        """Jinan's division warns the riskiest C enterprise of its queue (the letter stays unread)."""
        def warn():
            from qcredit.supervision.warnings import warning_letter_issue, warning_queue

            division = self.person("jinan", "division")
            queue = [c for c in warning_queue(user=division, region="3701")
                     if c.enterprise.uscc not in self.taken and c.last_letter is None]
            if not queue:
                raise _skipped("济南黄牌警告：风险预警队列中没有C级企业")
            self.taken.add(queue[0].enterprise.uscc)
            self.made["letter:jn"] = warning_letter_issue(
                enterprise=queue[0].enterprise, rectification_workdays=20, actor=division,
                remarks="请针对警告书所列失信事实逐项整改，并于整改期限内向济南市市场监督管理局书面报告。")

        self.on(self.days.back(14), "11:00", "济南黄牌警告", self.step("济南黄牌警告", warn))

    # --- the Jinan inspection plan (results in part) and a draft -----------------------------------

    def _jinan_plan(self) -> None:
        d = self.days
        made = d.months_back(1)

        def create():
            from qcredit.accounts.models import Unit
            from qcredit.supervision.services import plan_create

            self.made["plan:jn"] = plan_create(actor=self.person("jinan", "division"), data={
                "name": f"{made.year}年济南市食品生产企业质量安全监督检查",
                "note": "双随机、一公开：按质量信用等级分层抽取检查对象，随机选派济南市产品质量检验院检查人员。",
                "kind": "inspection", "record_scope": "quality", "regions": ["3701"],
                "industries": ["C13", "C14", "C15"], "pool": "unit", "pool_unit": Unit.objects.get(code="jn-zjy"),
                "inspectors_per_enterprise": 2, "seed": JINAN_PLAN_SEED, "starts_on": d.shift(made, 1),
                "ends_on": add_months(made, 2)})

        self.on(made, "09:30", "济南检查计划", self.step("济南检查计划", create))
        self.on(made, "11:00", "济南回避登记", self.step("济南回避登记", lambda: self._conflicts(
            "plan:jn", "jinan", ("该检查人员的近亲属持有该企业股份",))))
        self.on(made, "14:00", "济南计划抽取", self.step("济南计划抽取", lambda: self._draw("plan:jn", "jinan")))
        self.on(made, "16:00", "济南计划公示", self.step("济南计划公示", lambda: self._publish("plan:jn", "jinan")))
        self.on(d.mid(1), "16:00", "济南检查结果", self.step("济南检查结果", lambda: self._results("plan:jn", 0, 2)))

    def _draft_plan(self) -> None:
        def create():
            from qcredit.supervision.services import plan_create

            year = self.today.year + 1
            self.made["plan:draft"] = plan_create(actor=self.person("sheng", "division"), data={
                "name": f"{year}年山东省汽车零部件产品质量监督抽查（第一批）",
                "note": "草稿：检查人员库为全省检验单位人员；抽取前可调整范围和比例。",
                "kind": "sampling", "record_scope": "quality", "industries": ["C36"], "seed": DRAFT_PLAN_SEED,
                "starts_on": date(year, 3, 1), "ends_on": date(year, 5, 31)})

        self.on(self.days.back(3), "10:00", "抽查计划草稿", self.step("抽查计划草稿", create))

    # --- the partner API (docs/api.md) ---------------------------------------------------------------

    def _partner_api(self) -> None:
        d = self.days

        def clients():
            from qcredit.api.services import api_client_create

            for code, name, scopes, sources, note in DEMO_CLIENTS:
                with demo_tokens(code):
                    api_client_create(code=code, name=name, scopes=list(scopes), sources=list(sources), note=note,
                                      actor=self.person("sheng", "admin"), reason="接入合作部门系统（SPEC §7.2）")

        self.on(d.months_back(6), "10:00", "接口客户端", self.step("接口客户端", clients))
        self.on(d.back(5), "20:30", "接口报送批次", self.step("接口报送批次", self._intake))
        self.on(d.back(1), "09:00", "接口公开查询", self.step("接口公开查询", self._public_queries))
        self.on(d.back(1), "09:30", "接口等级查询", self.step("接口等级查询", self._grade_query))

    def _api(self, method: str, name: str, code: str, *, args=(), body: str = "", query: str = ""):
        """One request to the partner API, through Django's whole request path in-process."""
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        host = next((h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "localhost")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {demo_token(code)}", REMOTE_ADDR=PARTNER_ADDRESS,
                        HTTP_HOST=host)
        path = reverse(f"api:{name}", args=args) + (f"?{query}" if query else "")
        if method == "POST":
            return client.post(path, data=body, content_type="application/json", secure=True)
        return client.get(path, secure=True)

    def _intake(self):
        """The e-supervision network pushes the institute's statutory-test results (依法监督检验)
        of four enterprises: one batch, validated like an import, the enterprises regraded."""
        today = timezone.localdate()
        chosen = [u for u in self.view.order if self._free(u) and self.view.items[u]["mandatory_testing"]
                  and self.view.items[u]["established_on"] < today.isoformat()][:4]
        if not chosen:
            raise _skipped("接口报送批次：档案中没有依法监督检验的企业")
        tested = self.days.shift(today, -3)
        records = [{"id": f"DZJG-{tested:%Y%m%d}-{n:03d}", "uscc": uscc, "kind": "statutory_test",
                    "date": tested.isoformat(), "source": INTAKE_SOURCE,
                    "ref": f"鲁质检监字〔{tested.year}〕第{2400 + n}号", "pass_rate": 1.0,
                    "serious_nonconformity": False, "shipped_uninspected": False} for n, uscc in enumerate(chosen, 1)]
        response = self._api("POST", "intake-batches", "dzjg-sd",
                             body=json.dumps({"format": "qcredit-archive/1", "records": records}, ensure_ascii=False))
        if response.status_code != 201:
            raise _skipped(f"接口报送批次：接口答复 {response.status_code} {response.content[:300].decode(errors='replace')}")
        self.taken.update(chosen)
        for item in records:
            self.view.add(item["uscc"], item)
        self.made["intake"] = chosen

    def _public_queries(self):
        from qcredit.redlist.models import Entry

        entry = Entry.objects.filter(state=Entry.State.PUBLISHED).order_by("published_on", "pk").first()
        answers = [self._api("GET", "redlist", "xyzg-sd", query="page_size=50"),
                   self._api("GET", "blacklist", "xyzg-sd")]
        if entry is not None:
            answers.append(self._api("GET", "enterprise", "xyzg-sd", args=[entry.uscc]))
        if any(a.status_code != 200 for a in answers):
            raise _skipped(f"接口公开查询：接口答复 {[a.status_code for a in answers]}")

    def _grade_query(self):
        uscc = (self.made.get("failing") or self.made.get("intake") or [None])[0]
        if uscc is None:
            raise _skipped("接口等级查询：前一步未能完成，本步略过", consequence=True)
        answer = self._api("GET", "enterprise-grade", "rzxy-sd", args=[uscc])
        if answer.status_code != 200:
            raise _skipped(f"接口等级查询：接口答复 {answer.status_code}")

    # --- the outbox (docs/exchange.md) ---------------------------------------------------------------

    def _outbox(self) -> None:
        """Registered last: the delivery runs on every stop day after the partner is enabled."""
        enabled = self.days.back(12)

        def enable():
            from qcredit.exchange.models import Partner
            from qcredit.exchange.services import outbox_enqueue, partner_save

            admin = self.person("sheng", "admin")
            partner = Partner.objects.get(code=DEMO_PARTNER)
            partner.endpoint, partner.enabled = UNREACHABLE_ENDPOINT, True
            partner.note = ("演示：接收地址为本机无人监听的端口（127.0.0.1:9），推送消息停留在待发送/等待重试，"
                            "可在发件箱中查看投递记录；正式使用时填写合作系统提供的接收地址和令牌。")
            partner_save(partner=partner, actor=admin, reason="接入信用中国（山东），推送红名单、A级公示和黑名单")
            outbox_enqueue(partner=partner, actor=admin)

        def deliver():
            from qcredit.exchange.delivery import deliver_due

            # What `qcredit exchange deliver` (cron) does; no jitter and one worker name, so the
            # demo is the same on every run.
            deliver_due(clock=lambda: timezone.now(), rand=random.Random(0).random, worker="qcredit-demo")

        self.on(enabled, "10:00", "启用数据推送", self.step("启用数据推送", enable))
        self.on(enabled, "10:30", "推送发送", self.step("推送发送", deliver))
        for day in self.stop_days():
            if enabled < day < self.today:
                self.on(day, "02:00", "推送发送", self.step("推送发送", deliver))


def _skipped(message: str, *, consequence: bool = False) -> Exception:
    """The story's :class:`qcredit.demo_workflows.Skipped` (imported late: that module imports this one)."""
    from qcredit.demo_workflows import Skipped

    return Skipped(message, consequence=consequence)


# --- what is there --------------------------------------------------------------------------------------


def supervision_summary() -> list[str]:
    """Short Chinese lines on supervision, the partner API and the outbox (printed by the demo)."""
    from django.db.models import Count

    from qcredit.api.models import ApiCall, ApiClient, IntakeBatch
    from qcredit.exchange.models import OutboxMessage, Partner
    from qcredit.exchange.selectors import outbox_messages
    from qcredit.supervision.models import Conflict, InspectionPlan, Measure, PlanItem
    from qcredit.supervision.models_warnings import HonourPolicyReview, PreferentialPolicy, WarningLetter

    lines = []
    plans = []
    for plan in InspectionPlan.objects.select_related("unit").order_by("created_at", "pk"):
        items = PlanItem.objects.filter(plan=plan)
        text = f"{plan.name}（{plan.get_state_display()}"
        if plan.drawn_at:
            done = items.exclude(result="").count()
            failed = items.filter(result=PlanItem.Result.FAIL).count()
            text += f"，抽取 {items.count()} 户，已录入结果 {done} 户" + (f"，不合格 {failed} 户" if failed else "")
        plans.append(text + "）")
    conflicts = Conflict.objects.filter(ended_at__isnull=True).count()
    lines.append(f"分级监管：监管措施 {Measure.objects.filter(active=True).count()} 项；回避登记 {conflicts} 条；"
                 f"双随机抽查计划 {len(plans)} 个" + ("：" + "；".join(plans) if plans else ""))
    reviews = dict(HonourPolicyReview.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    letters = WarningLetter.objects.all()
    lines.append(f"风险预警：黄牌警告书 {letters.count()} 份（企业已查阅 {letters.filter(received_at__isnull=False).count()}）；"
                 f"扶优政策 {PreferentialPolicy.objects.count()} 项；质量奖励与扶优政策审查 待审查 "
                 f"{reviews.get(HonourPolicyReview.State.OPEN, 0)}，已决定 {reviews.get(HonourPolicyReview.State.DECIDED, 0)}")
    clients = ApiClient.objects.order_by("code")
    if clients.exists():
        batches = IntakeBatch.objects.filter(status=IntakeBatch.Status.ACCEPTED).count()
        lines.append("合作部门接口：" + "、".join(f"{c.name}（{' '.join(c.scope_list)}）" for c in clients)
                     + f"；报送批次 已接收 {batches}；调用记录 {ApiCall.objects.count()} 条")
    parts = []
    for partner in Partner.objects.order_by("code"):
        if not partner.enabled:
            parts.append(f"{partner.name} 未启用")
            continue
        messages = outbox_messages(scope=None, partner=partner.code)
        states = [f"{label} {messages.filter(**where).count()}" for label, where in (
            ("已送达", {"state": OutboxMessage.State.DELIVERED}),
            ("等待重试", {"state": OutboxMessage.State.PENDING, "failures__gt": 0}),
            ("等待前序消息", {"state": OutboxMessage.State.PENDING, "blocked": True}),
            ("待发送", {"state": OutboxMessage.State.PENDING, "failures": 0, "blocked": False}),
            ("发送失败", {"state": OutboxMessage.State.FAILED}))]
        parts.append(f"{partner.name} 已启用（{partner.endpoint}），消息 {'，'.join(s for s in states if not s.endswith(' 0'))}")
    lines.append("数据推送：" + "；".join(parts))
    return lines
