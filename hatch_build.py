"""Hatchling hooks for the Python package (offline replacements for the
hatch-nodejs-version and hatch-jupyter-builder plugins).

- metadata: version, description, keywords and URLs come from package.json,
  so the npm package and the Python package never disagree;
- build: the wheel is refused, with the command to run, when the prebuilt
  JupyterLab extension (made by npm) is missing.
"""

import json
import os
import re

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

_PRERELEASE = {"alpha": "a", "beta": "b", "rc": "rc"}


def npm_to_pep440(version):
    """``1.2.3`` stays; ``1.2.3-alpha.4`` becomes ``1.2.3a4``; ``1.2.3-rc.1`` becomes ``1.2.3rc1``."""
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.?(\d+))?", version)
    if not match:
        raise ValueError(f"package.json: version {version!r} is not MAJOR.MINOR.PATCH[-alpha|beta|rc.N]")
    release, tag, number = match.groups()
    return release + (f"{_PRERELEASE[tag]}{number}" if tag else "")


class PackageJsonMetadataHook(MetadataHookInterface):
    def update(self, metadata):
        with open(os.path.join(self.root, "package.json"), encoding="utf-8") as fid:
            pkg = json.load(fid)
        metadata["version"] = npm_to_pep440(pkg["version"])
        metadata["description"] = pkg.get("description", "")
        metadata["keywords"] = pkg.get("keywords", [])
        urls = {}
        if pkg.get("homepage"):
            urls["Homepage"] = pkg["homepage"]
        repository = pkg.get("repository")
        if isinstance(repository, dict) and repository.get("url"):
            urls["Source"] = repository["url"]
        bugs = pkg.get("bugs")
        if isinstance(bugs, dict) and bugs.get("url"):
            urls["Bug Tracker"] = bugs["url"]
        metadata["urls"] = urls


class EnsuredTargetsBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        missing = [
            path
            for path in self.config.get("ensured-targets", [])
            if not os.path.isfile(os.path.join(self.root, path))
        ]
        if missing:
            raise RuntimeError(
                "Cannot build the wheel, missing: "
                + ", ".join(missing)
                + ". Build the JavaScript first: `npm ci && npm run build:prod` "
                "(or `npm run build:wheel` for both steps)."
            )
