"""Fixtures for the GitHub client tests: the fake GitHub and a client wired to it."""

from __future__ import annotations

from tests.fakes.github import fake_github
from tests.github.helpers import clock

__all__ = ["clock", "fake_github"]
