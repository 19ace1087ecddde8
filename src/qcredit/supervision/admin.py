"""Admin of the supervision app: each part of the app registers its models in its own module."""

from . import admin_warnings  # noqa: F401  (preferential policies, warning letters, reviews)
