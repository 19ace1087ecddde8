"""Workspace routes: the public lists — A-grade publication, D re-check and black list, objections,
enterprise statements (SPEC §5.2–§5.4). Included by workspace/urls.py into the workspace namespace."""

from django.urls import path

from . import views_lists as views

urlpatterns = [
    path("lists/", views.index, name="lists-index"),
    path("lists/a-applications/", views.a_applications, name="lists-a-applications"),
    path("lists/a-applications/<int:pk>/", views.a_application, name="lists-a-application"),
    path("lists/published-a/", views.published_a, name="lists-published-a"),
    path("lists/rechecks/", views.rechecks, name="lists-rechecks"),
    path("lists/rechecks/<int:pk>/", views.recheck, name="lists-recheck"),
    path("lists/blacklist/", views.blacklist, name="lists-blacklist"),
    path("lists/blacklist/<int:pk>/", views.blacklist_entry, name="lists-blacklist-entry"),
    path("lists/objections/", views.objections, name="lists-objections"),
    path("lists/objections/<int:pk>/", views.objection, name="lists-objection"),
    path("lists/objections/<int:pk>/attachments/<int:attachment_pk>/", views.objection_attachment,
         name="lists-objection-attachment"),
    path("lists/statements/", views.statements, name="lists-statements"),
    path("lists/statements/<int:pk>/moderate/", views.statement_moderate, name="lists-statement-moderate"),
]
