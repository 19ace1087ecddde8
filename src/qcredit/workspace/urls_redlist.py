"""Workspace routes: redlist (included by workspace/urls.py into the workspace namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
