"""The public portal at the site root (namespace ``portal``)."""

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("redlist/", views.redlist, name="redlist"),
    path("a-list/", views.a_list, name="a-list"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("enterprises/<str:uscc>/", views.enterprise, name="enterprise"),
    path("objection/", views.objection, name="objection"),
    path("objection/track/", views.objection_track, name="objection-track"),
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/<slug:list_slug>.<str:fmt>", views.open_data_file, name="open-data-file"),
    path("feed.atom", views.feed, name="feed"),
    path("notices/", views.notices, name="notices"),
    path("notices/<slug:kind>/<str:on>.pdf", views.notice, name="notice"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
