"""Real-Keras oracles for the tests: each module here builds small models with
Keras 3 / TensorFlow, saves them (.keras and legacy .h5) and writes what Keras
computes for them (predictions, layer outputs, attributions) as JSON.

Run all modules with ``npm run fixtures`` (or ``.venv/bin/python
scripts/make-keras-fixtures.py [module ...]``); each module writes below
``test/fixtures/keras/<module>/``. The outputs are committed; keep them small.
"""
