"""SPEC §5.4 objections (异议): anyone objects to a public entry and follows it with a receipt;
the office of the owning bureau assigns and answers within the working-day deadline (I-9);
a well-founded objection takes the entry's route to correction or removal."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qcredit.accounts.models import Notification
from qcredit.accounts.services import AccessDenied
from qcredit.exchange.models import PublicationEvent
from qcredit.lists import selectors, services
from qcredit.lists.errors import ListsError, ListsErrorCode
from qcredit.lists.models import BlacklistEntry, Objection, PublishedA, Recheck
from qcredit.workdays.errors import MissingHolidayYear

from .world import actions_since, last_seq, redlist_entry, workdays_after

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.QCREDIT_OBJECTION_FILES = str(tmp_path / "objection-files")


@pytest.fixture(autouse=True)
def _a_day_with_a_loaded_schedule(on_day):
    """Due dates need the holiday schedule of every year they reach (SPEC §5): the list services
    act on a fixed working day of 2026, whatever day the suite runs."""
    on_day(date(2026, 6, 15))


@pytest.fixture
def published_a(world, demo):
    enterprise = world.enterprise(name="济南守信机械有限公司")
    account = world.account(enterprise)
    application = services.a_application_submit(enterprise=enterprise, actor=account)
    services.a_application_evaluate(application=application, approved=True, actor=demo["sheng-evaluator"])
    return PublishedA.objects.get(application=application)


def lodge(entry_kind: str, entry_id: int, **changes) -> Objection:
    data = {"target_kind": entry_kind, "target_id": entry_id, "name": "张三", "contact": "13800000000",
            "reasons": "该企业近期产品被消费者投诉质量问题，公示为守信企业与事实不符"}
    data.update(changes)
    return services.objection_lodge(**data)


def test_an_objection_gets_a_receipt_its_due_date_across_a_holiday_and_is_flagged_when_overdue(
        published_a, demo, on_day):
    # Lodged the day before the Mid-Autumn Festival and National Day holidays of 2026.
    lodged_on = on_day(date(2026, 9, 24))
    seq = last_seq()
    objection = lodge("published_a", published_a.pk)
    assert actions_since(seq) == ["lists.objection.lodge"]
    assert re.fullmatch(r"YY-2026-\d{6}-[2-9A-HJKMNP-Z]{8}", objection.receipt)
    due = workdays_after(lodged_on, 15)
    assert objection.due_on == due
    assert (due - lodged_on).days > 21  # the holidays do not count
    assert objection.owner_jurisdiction == "37"  # the province published the A
    assert Notification.objects.filter(recipient=demo["sheng-office"], subject__contains="异议").exists()

    status = selectors.objection_status_public(objection.receipt.lower())
    assert (status.status, status.due_on, status.outcome, status.answer) == ("已受理", due, "", "")

    services.objection_assign(objection=objection, assignee=demo["sheng-office"], actor=demo["sheng-office"])
    assert services.objections_flag_overdue(today=due) == 0  # answering on the due day is in time
    seq = last_seq()
    assert services.objections_flag_overdue(today=due + timedelta(days=1)) == 1
    assert actions_since(seq) == ["lists.objection.flag_overdue"]
    assert services.objections_flag_overdue(today=due + timedelta(days=2)) == 0  # flagged once
    assert Notification.objects.filter(recipient=demo["sheng-office"], subject__contains="逾期").exists()

    seq = last_seq()
    services.objection_answer(objection=objection, well_founded=True, answer="经核实，异议成立，撤下A级公示",
                              actor=demo["sheng-office"])
    assert actions_since(seq) == ["lists.objection.answer"]
    published_a.refresh_from_db()
    assert published_a.state == PublishedA.State.WITHDRAWN
    assert published_a.exit_kind == PublishedA.Exit.OBJECTION
    assert PublicationEvent.objects.filter(entry_key=published_a.entry_key, kind="withdrawn").exists()
    status = selectors.objection_status_public(objection.receipt)
    assert (status.status, status.outcome, status.answer) == ("已答复", "异议成立", "经核实，异议成立，撤下A级公示")


def test_a_due_date_in_a_year_without_a_holiday_schedule_is_an_error_naming_the_year(published_a, on_day):
    on_day(date(2099, 6, 15))
    with pytest.raises(MissingHolidayYear) as missing:
        lodge("published_a", published_a.pk)
    assert missing.value.year == 2099 and "2099" in missing.value.message
    assert not Objection.objects.exists()


def test_a_receipt_tells_nothing_about_other_objections(published_a):
    first, second = lodge("published_a", published_a.pk), lodge("published_a", published_a.pk)
    assert first.receipt[:8] == second.receipt[:8] and first.receipt[-8:] != second.receipt[-8:]
    serial = int(second.receipt.split("-")[2])
    guessed = f"YY-{second.receipt.split('-')[1]}-{serial + 1:06d}-{second.receipt[-8:]}"
    assert selectors.objection_status_public(guessed) is None
    assert selectors.objection_status_public("anything") is None
    status = selectors.objection_status_public(first.receipt)
    assert set(status.as_dict()) == {"receipt", "target", "subject", "lodged_on", "due_on", "status",
                                     "answered_on", "outcome", "answer"}
    assert "张三" not in str(status.as_dict()) and "13800000000" not in str(status.as_dict())


def test_only_a_public_entry_can_be_objected_to_and_the_objector_gives_contact_and_reasons(published_a, world):
    with pytest.raises(ListsError) as no_contact:
        lodge("published_a", published_a.pk, contact=" ")
    assert no_contact.value.code is ListsErrorCode.CONTACT_REQUIRED
    with pytest.raises(ListsError) as no_reasons:
        lodge("published_a", published_a.pk, reasons="")
    assert no_reasons.value.code is ListsErrorCode.REASON_REQUIRED
    with pytest.raises(ListsError) as unknown:
        lodge("blacklist", 999999)
    assert unknown.value.code is ListsErrorCode.UNKNOWN_TARGET
    services.published_a_expire_due(today=published_a.valid_until + timedelta(days=1))
    with pytest.raises(ListsError) as archived:
        lodge("published_a", published_a.pk)
    assert archived.value.code is ListsErrorCode.NOT_PUBLIC
    assert not Objection.objects.exists()


def test_attachments_are_limited_in_number_size_and_type_and_kept_privately(published_a, settings):
    good = SimpleUploadedFile("检测报告.pdf", PDF, content_type="application/pdf")
    objection = lodge("published_a", published_a.pk, attachments=[good])
    [attachment] = objection.attachments.all()
    assert (attachment.original_name, attachment.content_type, attachment.size) == ("检测报告.pdf",
                                                                                    "application/pdf", len(PDF))
    assert attachment.file.path.startswith(settings.QCREDIT_OBJECTION_FILES)
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018  (never served by URL)

    refused = [
        [SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/pdf")],  # type by name
        [SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")],  # by content
        [SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), content_type="application/pdf")],
        [SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(6)],
    ]
    before = Objection.objects.count()
    for attachments in refused:
        with pytest.raises(ListsError) as info:
            lodge("published_a", published_a.pk, attachments=attachments)
        assert info.value.code is ListsErrorCode.ATTACHMENT_REFUSED
    assert Objection.objects.count() == before


def test_the_assignee_of_the_owning_office_answers_and_an_unfounded_objection_changes_nothing(published_a, demo):
    objection = lodge("published_a", published_a.pk)
    with pytest.raises(ListsError) as unassigned:
        services.objection_answer(objection=objection, well_founded=False, answer="不成立", actor=demo["sheng-office"])
    assert unassigned.value.code is ListsErrorCode.WRONG_STATE
    with pytest.raises(ListsError) as not_office:
        services.objection_assign(objection=objection, assignee=demo["sheng-legal"], actor=demo["sheng-office"])
    assert not_office.value.code is ListsErrorCode.ASSIGNEE_NOT_OFFICE
    with pytest.raises(AccessDenied):  # the city office does not answer for the province
        services.objection_assign(objection=objection, assignee=demo["jinan-office"], actor=demo["jinan-office"])
    services.objection_assign(objection=objection, assignee=demo["sheng-office"], actor=demo["sheng-office"])
    answered = services.objection_answer(objection=objection, well_founded=False,
                                         answer="经核实，所述投诉未查实，异议不成立", actor=demo["sheng-office"])
    assert (answered.state, answered.outcome) == (Objection.State.ANSWERED, Objection.Outcome.UNFOUNDED)
    published_a.refresh_from_db()
    assert published_a.state == PublishedA.State.PUBLISHED
    with pytest.raises(ListsError) as twice:
        services.objection_answer(objection=objection, well_founded=True, answer="x", actor=demo["sheng-office"])
    assert twice.value.code is ListsErrorCode.WRONG_STATE


def test_a_well_founded_objection_to_a_red_list_entry_opens_a_removal_item(world, demo, on_day):
    from qcredit.redlist.models import RemovalItem

    red = redlist_entry(world.enterprise(), demo)  # published today, by the red list's own clock
    on_day(red.published_on)  # objections are taken while the entry is public
    objection = lodge("redlist", red.pk, reasons="该企业所获质量奖已被撤销")
    assert objection.owner_jurisdiction == "37"  # the list's own bureau (SRL 第十八条)
    services.objection_assign(objection=objection, assignee=demo["sheng-office"], actor=demo["sheng-office"])
    seq = last_seq()
    services.objection_answer(objection=objection, well_founded=True, answer="经核实，异议成立，提请领导小组研究删除",
                              actor=demo["sheng-office"])
    item = RemovalItem.objects.get(entry=red)
    assert (item.route, item.reference) == ("objection", objection.receipt)
    assert actions_since(seq) == ["redlist.removal_item.open", "lists.objection.answer"]
    # The inbox of answered objections is for looking back; the open one is what the office works.
    from qcredit.lists import selectors

    assert objection in selectors.objections_to_handle(user=demo["sheng-office"])
    assert objection not in selectors.objections_to_handle(user=demo["sheng-office"], open_only=True)


def test_a_well_founded_objection_to_a_black_list_entry_withdraws_it_and_reopens_the_recheck(
        world, demo, django_capture_on_commit_callbacks):
    enterprise = world.enterprise()
    with django_capture_on_commit_callbacks(execute=True):
        world.make_d(enterprise)
    recheck = Recheck.objects.get(enterprise=enterprise)
    services.recheck_confirm(recheck=recheck, facts="故意生产假冒伪劣产品", actor=demo["jinan-reviewer"])
    entry = BlacklistEntry.objects.get(enterprise=enterprise)
    objection = lodge("blacklist", entry.pk, reasons="曝光的事实所涉产品并非本企业生产")
    assert objection.owner_jurisdiction == "3701"  # the bureau that listed it
    services.objection_assign(objection=objection, assignee=demo["jinan-office"], actor=demo["jinan-office"])
    answered = services.objection_answer(objection=objection, well_founded=True, answer="经核实，异议成立",
                                         actor=demo["jinan-office"])
    entry.refresh_from_db()
    assert entry.state == BlacklistEntry.State.WITHDRAWN
    assert selectors.blacklist_public() == []
    again = Recheck.objects.get(enterprise=enterprise, state=Recheck.State.OPEN)
    assert (again.cause, again.objection_id) == (Recheck.Cause.OBJECTION, objection.pk)
    assert answered.route["done"]["recheck"] == again.pk
