"""Regenerates the real-Keras test fixtures (see scripts/keras_fixtures/).

Usage: .venv/bin/python scripts/make-keras-fixtures.py [MODULE ...]
Every module of scripts/keras_fixtures/ with a ``build(out_dir)`` function
runs (or only the named ones) and writes into test/fixtures/keras/MODULE/.
"""
import importlib
import os
import pkgutil
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import keras_fixtures  # noqa: E402


def main(names):
    available = sorted(
        m.name for m in pkgutil.iter_modules(keras_fixtures.__path__) if not m.name.startswith("_")
    )
    unknown = [n for n in names if n not in available]
    if unknown:
        sys.exit(f"unknown fixture module(s) {unknown}; available: {available}")
    for name in names or available:
        module = importlib.import_module(f"keras_fixtures.{name}")
        if not hasattr(module, "build"):
            continue
        out_dir = os.path.join(ROOT, "test", "fixtures", "keras", name)
        os.makedirs(out_dir, exist_ok=True)
        print(f"== {name} -> {os.path.relpath(out_dir, ROOT)}", flush=True)
        module.build(out_dir)


if __name__ == "__main__":
    main(sys.argv[1:])
