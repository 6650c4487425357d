"""Test setup: import the package from this checkout and locate the test fixtures."""

import os
import shlex
import shutil
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


CLI_ENTRY = os.path.join(REPO_ROOT, "lib-node", "cli", "main.js")


def cli_command():
    """The command that runs the Node CLI (``CHAR_ATTENTION_CLI`` overrides); fails when it cannot run."""
    override = os.environ.get("CHAR_ATTENTION_CLI")
    if override:
        return shlex.split(override)
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the parity tests run the char-attention CLI with Node.js")
    if not os.path.exists(CLI_ENTRY):
        pytest.fail("the CLI is not built (lib-node/cli/main.js is missing): run `npm run build:node`")
    return ["node", os.path.join(REPO_ROOT, "bin", "char-attention.js")]
