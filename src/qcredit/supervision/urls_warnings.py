"""Early warning (SPEC §9, QCO 四(三)), included by :mod:`qcredit.supervision.urls` (namespace
``supervision``): the warning queue, yellow-card letters, review items of honours and policies,
and the enterprise's own letters (its account; never public)."""

from django.urls import path

from . import views_warnings as views

urlpatterns = [
    path("warnings/", views.queue, name="warnings"),
    path("warnings/issue/<str:uscc>/", views.issue, name="warning-issue"),
    path("warnings/letters/", views.letters, name="warning-letters"),
    path("warnings/letters/<int:pk>/", views.letter, name="warning-letter"),
    path("warnings/letters/<int:pk>/pdf/", views.letter_pdf, name="warning-letter-pdf"),
    path("warnings/reviews/", views.reviews, name="honour-reviews"),
    path("warnings/reviews/<int:pk>/", views.review, name="honour-review"),
    path("warnings/mine/", views.enterprise_letters, name="enterprise-warning-letters"),
]
