"""Browser tests: the fixtures (``page``, ``phone_page``) are in tests/browser/fixtures.py,
registered in tests/conftest.py for the whole suite."""

from .fixtures import login  # noqa: F401 - the journeys import it from here
