"""Test setup: import the package from this checkout and locate the test fixtures."""

import os
import sys

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

FIXTURES = os.path.join(REPO_ROOT, "test", "fixtures")
TOKENIZER_CASES = os.path.join(FIXTURES, "keras-tokenizer")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds (runs nbconvert)")


@pytest.fixture
def repo_root():
    return REPO_ROOT
