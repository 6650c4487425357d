"""See which characters your model attends to, in JupyterLab.

The kernel-side helper builds ``application/x-char-attention+json`` payloads
(with a static ``text/html`` fallback) from texts and attention values; the
JupyterLab extension bundled with this package renders them.
"""

try:
    from ._version import __version__
except ImportError:  # running from a source checkout that was never built
    __version__ = "0.0.0+unknown"

from .payload import MIME_TYPE, attention_payload, batch_payload, validate_payload
from .display import AttentionView, display_attention, to_html
from .align import align, encode_texts
from .keras import from_keras
from .keras_h5 import load_keras_h5
from .evaluate import evaluate

__all__ = [
    "MIME_TYPE",
    "AttentionView",
    "align",
    "attention_payload",
    "batch_payload",
    "display_attention",
    "encode_texts",
    "evaluate",
    "from_keras",
    "load_keras_h5",
    "to_html",
    "validate_payload",
]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-char-attention"}]
