"""Shared test settings: hypothesis without deadlines, since this machine is shared and noisy."""

from hypothesis import settings

settings.register_profile("default", deadline=None, max_examples=60)
settings.load_profile("default")
