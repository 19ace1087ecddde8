"""Workspace routes: redlist (included by workspace/urls.py into the workspace namespace)."""

from django.urls import path

from . import views_redlist as v

urlpatterns: list = [
    path("redlist/", v.index, name="redlist-index"),
    path("redlist/<int:pk>/", v.detail, name="redlist-detail"),
    path("redlist/<int:pk>/candidates/", v.candidates, name="redlist-candidates"),
    path("redlist/<int:pk>/nominations/", v.nominations, name="redlist-nominations"),
    path("redlist/<int:pk>/nominations/new/", v.nomination_new, name="redlist-nomination-new"),
    path("redlist/<int:pk>/legal-review/", v.legal_queue, name="redlist-legal-queue"),
    path("redlist/<int:pk>/meetings/", v.meetings, name="redlist-meetings"),
    path("redlist/<int:pk>/entries/", v.entries, name="redlist-entries"),
    path("redlist/<int:pk>/reviews/", v.reviews, name="redlist-reviews"),
    path("redlist/<int:pk>/removals/", v.removals, name="redlist-removals"),
    path("redlist/<int:pk>/archive/", v.archive, name="redlist-archive"),
    path("redlist/nominations/<int:pk>/", v.nomination, name="redlist-nomination"),
    path("redlist/nominations/<int:pk>/edit/", v.nomination_edit, name="redlist-nomination-edit"),
    path("redlist/nominations/<int:pk>/submit/", v.nomination_submit, name="redlist-nomination-submit"),
    path("redlist/nominations/<int:pk>/withdraw/", v.nomination_withdraw, name="redlist-nomination-withdraw"),
    path("redlist/nominations/<int:pk>/legal-review/", v.nomination_legal_review, name="redlist-nomination-review"),
    path("redlist/nominations/<int:pk>/agenda/", v.nomination_agenda, name="redlist-nomination-agenda"),
    path("redlist/meetings/<int:pk>/", v.meeting, name="redlist-meeting"),
    path("redlist/meetings/<int:pk>/agenda/", v.meeting_add, name="redlist-meeting-add"),
    path("redlist/agenda/<int:pk>/decide/", v.item_decide, name="redlist-item-decide"),
    path("redlist/agenda/<int:pk>/defer/", v.item_defer, name="redlist-item-defer"),
    path("redlist/entries/<int:pk>/", v.entry, name="redlist-entry"),
    path("redlist/entries/<int:pk>/removal/", v.entry_removal, name="redlist-entry-removal"),
    path("redlist/reviews/<int:pk>/", v.review, name="redlist-review"),
    path("redlist/reviews/<int:pk>/propose/", v.review_propose, name="redlist-review-propose"),
]
