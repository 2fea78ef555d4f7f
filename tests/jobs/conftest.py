"""The worker's tests build accounts and promises with the health engine's fixtures."""

from tests.health.conftest import clean_registries, english, frozen  # noqa: F401
