"""Colour maps, contrast and the colour scale of the static table.

Mirrors ``src/table/colormaps.ts`` and ``computeScale`` of
``src/payload/normalize.ts``: the same maps (``colormaps.json``), the same
convention for signed values (red raises the explained output, blue lowers
it: the diverging map is drawn reversed, as matplotlib's ``RdBu_r``), the
same scale.
"""

import json
import os

DEFAULT_COLORMAP = "Reds"
DIVERGING = ("RdBu",)
REVERSED = ("RdBu",)
"""Maps drawn from their last colour to their first (blue for the lowest values, red for the highest)."""

SIGNED_MEANING = "\u2212 lowers \u00b7 raises +"
"""What the two ends of a diverging legend mean (the extension's words)."""
SIGNED_MEANING_DETAIL = (
    "Signed values: blue (\u2212) lowers the explained output, red (+) raises it, white is 0."
)

BUCKETS = 32
"""Colour steps of the static table: each used step is one CSS class."""

_HERE = os.path.dirname(os.path.abspath(__file__))
_COLORMAP_FILES = (
    os.path.join(_HERE, "colormaps.json"),  # shipped in the wheel
    os.path.join(_HERE, "..", "src", "table", "colormaps.json"),  # a source checkout
)
_colormaps_cache = None


def load_colormaps():
    """Return ``{name: [\"#rrggbb\", ...]}``: the colour maps the extension uses, as matplotlib defines them.

    Read from the package's ``colormaps.json`` (or ``src/table/colormaps.json``
    in a source checkout). Raises ``FileNotFoundError`` naming both places
    when neither exists.
    """
    global _colormaps_cache
    if _colormaps_cache is None:
        for path in _COLORMAP_FILES:
            if os.path.exists(path):
                with open(path, encoding="utf-8") as fh:
                    _colormaps_cache = json.load(fh)
                break
        else:
            raise FileNotFoundError(
                "colormaps.json not found in " + " or ".join(os.path.normpath(p) for p in _COLORMAP_FILES)
            )
    return _colormaps_cache


def colormap(name):
    """The colours of a map from the lowest value to the highest, as drawn (``RdBu`` reversed)."""
    maps = load_colormaps()
    key = name if name in maps else DEFAULT_COLORMAP
    return maps[key][::-1] if key in REVERSED else maps[key]


def _hex_to_rgb(color):
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))


def _luminance(color):
    """WCAG relative luminance of a #rrggbb colour."""

    def channel(c):
        c = c / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_color_for(background):
    """Black or white, whichever contrasts more with ``background`` (WCAG)."""
    lum = _luminance(background)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def bucket_color(stops, bucket):
    """Colour of bucket ``bucket`` (0..BUCKETS-1): the map at the bucket's centre."""
    t = (bucket + 0.5) / BUCKETS
    return stops[min(len(stops) - 1, int(t * len(stops)))]


def bucket(value, lo, hi):
    """The colour step of a value on the scale [lo, hi]."""
    # Halves first: exact, and ``hi - lo`` cannot overflow for values near +-1.8e308.
    t = (value / 2 - lo / 2) / (hi / 2 - lo / 2)
    t = 0.0 if not t > 0 else 1.0 if t > 1 else t
    return min(BUCKETS - 1, int(t * BUCKETS))


def sample_rows(sample):
    """[(name or None, values)] of a sample."""
    if "series" in sample:
        return [(row.get("name"), row.get("values") or []) for row in sample["series"]]
    return [(None, sample.get("attention") or [])]


def _seen_values(sample):
    """Values at unmasked positions (None skipped)."""
    mask = sample.get("mask")
    for _, values in sample_rows(sample):
        if mask is None:
            yield from (v for v in values if v is not None)
        else:
            yield from (v for i, v in enumerate(values) if v is not None and not (i < len(mask) and mask[i] is False))


def resolved_colormap(samples, options):
    """The payload's colour map, or ``RdBu`` for signed values when it names none (as the extension)."""
    name = options.get("colormap")
    if isinstance(name, str) and name in load_colormaps():
        return name
    for sample in samples:
        if any(v < 0 for v in _seen_values(sample)):
            return "RdBu"
    return DEFAULT_COLORMAP


def scale(samples, options, colormap_name):
    """Return (lo, hi) of the colour scale for a group of samples (as the extension)."""
    lo_value = hi_value = None
    for sample in samples:
        for v in _seen_values(sample):
            if lo_value is None or v < lo_value:
                lo_value = v
            if hi_value is None or v > hi_value:
                hi_value = v
    diverging = colormap_name in DIVERGING
    normalize = options.get("normalize", "none")
    if lo_value is None:
        lo, hi = (-1.0 if diverging else 0.0), 1.0
    else:
        peak = max(abs(lo_value), abs(hi_value))
        if normalize == "minmax":
            lo, hi = lo_value, hi_value
        elif normalize == "max":
            hi = peak
            lo = -peak if diverging or lo_value < 0 else 0.0
        elif diverging:
            lo, hi = -peak, peak
        else:
            lo, hi = min(0.0, lo_value), hi_value
    if "vmin" in options:
        lo = options["vmin"]
    if "vmax" in options:
        hi = options["vmax"]
    if not hi > lo:
        if hi > 0:
            lo = 0.0
        elif lo < 0:
            hi = 0.0
        else:
            hi = lo + 1.0
        if not hi > lo:
            hi = lo + 1.0
    return float(lo), float(hi)
