#!/usr/bin/python3
"""Write src/table/colormaps.json: 256 colours per matplotlib colour map.

Run with Debian's matplotlib (apt-get install -y python3-matplotlib):
    /usr/bin/python3 scripts/gen-colormaps.py
The output is a plain {name: ["#rrggbb", ...]} object read by the TypeScript
table model and by the Python helper.
"""
import json
import os

import matplotlib
from matplotlib import colors

NAMES = ["Reds", "Blues", "Greens", "Greys", "Oranges", "Purples", "viridis", "magma", "RdBu"]
LEVELS = 256


def sample(name):
    cmap = matplotlib.colormaps[name].resampled(LEVELS)
    return [colors.to_hex(cmap(i), keep_alpha=False) for i in range(LEVELS)]


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "table", "colormaps.json")
    data = {name: sample(name) for name in NAMES}
    with open(out, "w", encoding="utf-8") as handle:
        # One colour per line: the layout prettier keeps as is.
        handle.write(json.dumps(data, indent=2) + "\n")
    print("wrote %s (matplotlib %s)" % (os.path.normpath(out), matplotlib.__version__))


if __name__ == "__main__":
    main()
