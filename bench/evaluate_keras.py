"""Real Keras side of `bench/evaluate.js`: the same labelled CSV through Keras.

    python bench/evaluate_keras.py MODEL.keras TOKENIZER.json FILE.csv   # JSON timings on stdout

Reads the file with Python's csv module, encodes each text with the {char: index} map (unknown
characters dropped, as Keras's char Tokenizer without an oov token), pads with
keras.utils.pad_sequences (pre), then model.predict(batch_size=256) on the CPU; reports the whole
time, the predict time alone, the accuracy and the mean binary cross-entropy (p clipped to 1e-7).
"""
import csv
import json
import math
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def main(model_path, tokenizer_path, data_path):
    import keras
    import numpy as np

    model = keras.models.load_model(model_path)
    index = json.load(open(tokenizer_path, encoding="utf-8"))
    maxlen = model.input_shape[1]
    model.predict(np.zeros((8, maxlen), dtype="int32"), verbose=0)  # warm up
    start = time.perf_counter()
    with open(data_path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    sequences = [[index[c] for c in row["text"] if c in index] for row in rows]
    x = keras.utils.pad_sequences(sequences, maxlen=maxlen)
    predict_start = time.perf_counter()
    p = model.predict(x, batch_size=256, verbose=0)[:, 0]
    predict_seconds = time.perf_counter() - predict_start
    labels = [int(row["label"]) for row in rows]
    correct = sum(int(pi > 0.5) == y for pi, y in zip(p, labels))
    clip = [min(1 - 1e-7, max(1e-7, float(pi))) for pi in p]
    loss = sum(-(y * math.log(c) + (1 - y) * math.log(1 - c)) for c, y in zip(clip, labels)) / len(rows)
    json.dump(
        {
            "keras": keras.__version__,
            "rows": len(rows),
            "seconds": time.perf_counter() - start,
            "predictSeconds": predict_seconds,
            "accuracy": correct / len(rows),
            "meanLoss": loss,
            "firstPrediction": float(p[0]),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
