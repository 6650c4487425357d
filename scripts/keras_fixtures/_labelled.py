"""Labelled test files for the evaluation feature, with what Python's `csv`
module reads from them and what Keras predicts for each row.

- `labelled.csv`: UTF-8 with a BOM, CRLF line ends, header `text,label`,
  quoted fields with commas, doubled quotes, LF and CRLF inside quotes, a
  quoted label, non-ASCII text, an empty text; labels 0/1;
- `labelled.tsv`, `labelled.jsonl`: the same rows (TSV: LF, no BOM, quoted
  only where csv.writer quotes; JSONL: one object per line, numeric labels);
- `labelled-classes.csv`: the same texts with class names as labels, for
  `classes = ["negative", "positive", "neutral"]`;
- `labelled.expected.json`: per row what `csv.reader` gave and, for the
  sigmoid and softmax models, prediction, predicted class, correct, loss;
- `malformed-*.csv` and `malformed.expected.json`: one problem each, with
  the line numbers Python's csv reader reports.
"""
import csv
import io
import json
import math
import os

import numpy as np
import keras

from keras_fixtures import _oracle as oracle

CLASSES = ["negative", "positive", "neutral"]
EPS = 1e-7
READER = 'csv.reader(open(path, encoding="utf-8-sig", newline=""))'
# (text, label); label 2 only in the class-name file (see NEUTRAL)
ROWS = [
    ("it was bad", 0), ("so good", 1), ("fine, I guess", 1), ('she said "wow"', 1),
    ("line one\nline two", 0), ("crlf one\r\ncrlf two", 1), ("", 0), ("café au lait", 1),
    ("naïve straße", 0), ("日本語のテキスト", 1), ("emoji 🙂 ok", 1), ("ÜBER LOUD TEXT!", 0),
    ("the quick brown fox", 1), ("jumps over the lazy dog", 0), ("pack my box", 1),
    ("with five dozen liquor jugs", 0), ("how vexingly quick", 1), ("daft zebras jump", 0),
    ("sphinx of black quartz", 1), ("judge my vow.", 0), ("a, b, and c", 1), ('"quoted" start', 0),
    ('end "quoted"', 1), ('only ""double"" quotes', 0), ("tab\tinside", 1), ("  leading spaces", 0),
    ("trailing spaces  ", 1), ("zzz", 0), ("a much longer text that will not fit in the window", 1),
    ("x", 0), ("quiz", 1), ("buzz, fizz", 0), ("no", 0), ("yes!", 1), ("maybe.", 0),
    ("why, oh why", 1), ("good bad good", 1), ("bad good bad", 0), ("ok ok ok", 1), ("the end", 0),
]
NEUTRAL = {"fine, I guess", "maybe.", "ok ok ok", "x", "no"}
# Raw records written as they are (a needlessly quoted field, a quoted label).
RAW = {"so good": '"so good",1', "pack my box": 'pack my box,"1"'}


def texts():
    return [t for t, _ in ROWS]


def _csv_text(rows, delimiter, terminator, raw=None):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(["text", "label"])
    for text, label in rows:
        if raw and text in raw:
            out.write(raw[text] + terminator)
        else:
            writer.writerow([text, label])
    return out.getvalue()


def _write(path, text, bom=False):
    with open(path, "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def read_rows(path, delimiter=","):
    """What Python's csv reader gives: [(first line, last line, fields)] after the header."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        header = next(reader)
        rows, last = [], reader.line_num
        for fields in reader:
            rows.append((last + 1, reader.line_num, fields))
            last = reader.line_num
    return header, rows


def _sigmoid_row(p, label):
    q = min(max(p, EPS), 1 - EPS)
    predicted = int(p > 0.5)
    loss = -(label * math.log(q) + (1 - label) * math.log(1 - q))
    keras_loss = float(keras.losses.binary_crossentropy(
        np.array([[label]], "float32"), np.array([[p]], "float32"))[0])
    return {"prediction": p, "predictedClass": predicted, "correct": predicted == label,
            "loss": loss, "kerasLoss": keras_loss}


def _softmax_row(probs, label):
    predicted = int(np.argmax(probs))
    q = min(max(float(probs[label]), EPS), 1 - EPS)
    keras_loss = float(keras.losses.sparse_categorical_crossentropy(
        np.array([label]), np.array([probs], "float32"))[0])
    return {"probabilities": [float(v) for v in probs], "prediction": float(probs[predicted]),
            "predictedClass": predicted, "correct": predicted == label, "loss": -math.log(q),
            "kerasLoss": keras_loss}


def _predict(model, tokenizer, maxlen, texts):
    _, xs = oracle.encode(tokenizer, texts, maxlen)
    return xs, model.predict(xs, verbose=0).astype("float64")


def write_all(out_dir, tokenizer, maxlen, sigmoid, softmax):
    texts = [t for t, _ in ROWS]
    _write(os.path.join(out_dir, "labelled.csv"), _csv_text(ROWS, ",", "\r\n", RAW), bom=True)
    _write(os.path.join(out_dir, "labelled.tsv"), _csv_text(ROWS, "\t", "\n"))
    named = [(t, "neutral" if t in NEUTRAL else CLASSES[l]) for t, l in ROWS]
    _write(os.path.join(out_dir, "labelled-classes.csv"), _csv_text(named, ",", "\r\n"), bom=True)
    with open(os.path.join(out_dir, "labelled.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for t, label in ROWS:
            f.write(json.dumps({"text": t, "label": label}, ensure_ascii=False) + "\n")
    header, rows = read_rows(os.path.join(out_dir, "labelled.csv"))
    assert header == ["text", "label"] and [(r[2][0], int(r[2][1])) for r in rows] == ROWS
    _, tsv = read_rows(os.path.join(out_dir, "labelled.tsv"), "\t")
    assert [(r[2][0], int(r[2][1])) for r in tsv] == ROWS
    _, classes_rows = read_rows(os.path.join(out_dir, "labelled-classes.csv"))
    assert [(r[2][0], r[2][1]) for r in classes_rows] == named
    xs, p_sig = _predict(sigmoid, tokenizer, maxlen, texts)
    _, p_soft = _predict(softmax, tokenizer, maxlen, texts)
    records = []
    for i, ((first, last, (text, label)), x) in enumerate(zip(rows, xs)):
        name = classes_rows[i][2][1]
        records.append({
            "index": i, "line": first, "lastLine": last, "text": text, "label": int(label),
            "input": x.tolist(), "tsvLine": tsv[i][0],
            "sigmoid": _sigmoid_row(float(p_sig[i, 0]), int(label)),
            "softmax": _softmax_row(p_soft[i], int(label)),
            "className": name,
            "softmaxByName": _softmax_row(p_soft[i], CLASSES.index(name)),
        })
    oracle.write_json(os.path.join(out_dir, "labelled.expected.json"), {
        "reader": READER, "tsvReader": READER[:-1] + ', delimiter="\\t")',
        "files": {"csv": "labelled.csv", "tsv": "labelled.tsv", "jsonl": "labelled.jsonl",
                  "classNames": "labelled-classes.csv"},
        "header": header, "classes": CLASSES,
        "models": {"sigmoid": "faith_sigmoid", "softmax": "faith_softmax"},
        "tokenizer": "tokenizer.json", "inputLength": maxlen, "padding": "pre", "truncating": "pre",
        "predictedClass": "sigmoid: 1 if prediction > 0.5 else 0; softmax: argmax (first on ties)",
        "loss": "binary / categorical cross-entropy of the prediction clipped to [1e-7, 1 - 1e-7], "
        "float64; kerasLoss: keras.losses.binary_crossentropy / sparse_categorical_crossentropy "
        "(float32)",
        "rows": records,
    })
    _malformed(out_dir)
    print(f"  labelled: {len(records)} rows; malformed files written", flush=True)


MALFORMED = {
    "unterminated-quote": 'text,label\r\n"fine",1\r\n"never closed,0\r\nnext,1\r\n',
    "wrong-column-count": 'text,label\n"multi\nline text",1\nok,0\ntoo,many,1\nlast,0\n',
    "missing-text-column": "review,label\ngood,1\nbad,0\n",
    "non-numeric-label": "text,label\nhello,1\n\"a, b\",0\nworld,yes\n",
}


def _strict_error(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            for _ in reader:
                pass
        except csv.Error as err:
            return {"message": str(err), "lineNum": reader.line_num}
    return None


def _problem(kind, header, rows):
    """The first problem of a file, with the line numbers csv reported."""
    if "text" not in header:
        return {"line": 1, "detail": f"no 'text' column in the header {header}"}
    for first, last, fields in rows:
        if len(fields) != len(header):
            return {"line": first, "lastLine": last, "fields": fields,
                    "detail": f"{len(fields)} fields, the header has {len(header)}"}
        label = fields[header.index("label")]
        try:
            float(label)
        except ValueError:
            return {"line": first, "lastLine": last, "fields": fields,
                    "detail": f"label {label!r} is not a number"}
    raise AssertionError(f"{kind}: no problem found")


def _malformed(out_dir):
    expected = {}
    for kind, text in MALFORMED.items():
        name = f"malformed-{kind}.csv"
        path = os.path.join(out_dir, name)
        _write(path, text)
        header, rows = read_rows(path)
        expected[kind] = {"file": name, "header": header,
                          "rowsParsed": [{"line": a, "lastLine": b, "fields": f} for a, b, f in rows],
                          "problem": _problem(kind, header, rows), "strictError": _strict_error(path)}
    # Python's default (non-strict) reader takes the unterminated quote to the end of the
    # file as one field: the problem shows as a one-field record starting on line 3.
    assert expected["unterminated-quote"]["problem"]["line"] == 3
    assert expected["unterminated-quote"]["strictError"]["lineNum"] == 4
    assert expected["wrong-column-count"]["problem"]["line"] == 5
    assert expected["non-numeric-label"]["problem"]["line"] == 4
    oracle.write_json(os.path.join(out_dir, "malformed.expected.json"), {
        "reader": READER, "strictReader": READER[:-1] + ", strict=True)",
        "lines": "1-based physical lines; `line` = first line of the record, `lastLine` = the reader's "
        "line_num after it; strictError.lineNum = line_num when csv.Error was raised",
        "files": expected,
    })
