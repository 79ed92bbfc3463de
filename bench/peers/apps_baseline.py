#!/usr/bin/python3
"""Classical baselines of the `apps` bench suite: what a few lines of scikit-learn (or counting) reach on the same fixed
splits the suite trains Recur and PyTorch on (apps_torch.py). No torch; deterministic (no randomness is involved).

classify: TF-IDF + logistic regression.
    Files: UTF-8 TSV, header naming the columns `text` and `label` (other columns are ignored), then one example per
    line; no quoting (fields hold no tab or newline and may hold bare quotes, which stay part of the text). Empty lines
    are skipped. Labels are compared as strings.
    Features: TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\\b\\w+\\b")
    (1-character tokens such as "a" or "I" are kept), fitted on TRAIN only.
    Model: LogisticRegression(max_iter=2000) (lbfgs, multinomial when more than 2 classes). C is chosen from
    0.25, 0.5, 1, 2, 4, 8, 16, 32 by accuracy on VALID of the model fitted on TRAIN (ties: the smallest C); the model is
    then refitted on TRAIN with that C (VALID is never trained on) and TEST is scored once.
    Metrics on TEST: accuracy, macro_f1 and weighted_f1 (sklearn.metrics.f1_score over the labels present in TEST or
    predicted, zero_division=0). train_seconds: wall clock of everything from fitting the vectorizer to the refitted
    model (the C search included), excluding file reading and the TEST scoring. The BLAS runs on 1 thread: the
    problem is tiny, and on a loaded machine OpenMP OpenBLAS at 2 threads made the fits ~10x slower.

tag: most frequent tag per word.
    Files: one sentence per line of white-space separated tokens `word/TAG`, the tag after the LAST '/' (so `1/2/CD` is
    the word `1/2` tagged CD); empty lines are skipped; a token without '/' or with an empty tag is an error.
    Model: each word form of TRAIN (case-sensitive) gets its most frequent tag in TRAIN; ties go to the tag that
    occurred first with that word in TRAIN (reading order). A word form absent from TRAIN gets the most frequent tag
    of TRAIN overall (ties: the tag that occurred first in TRAIN).
    Metrics on TEST: token accuracy, and accuracy over the tokens whose word form is absent from TRAIN
    (accuracy_unseen; null when there are none).

Usage: /usr/bin/python3 bench/peers/apps_baseline.py classify TRAIN.tsv VALID.tsv TEST.tsv
         last stdout line: {"accuracy": a, "macro_f1": f, "weighted_f1": f, "C": c, "valid_accuracy": a,
                            "train_seconds": s, "baseline": "TF-IDF (1-2 grams) + logistic regression, scikit-learn X.Y"}
       /usr/bin/python3 bench/peers/apps_baseline.py tag TRAIN.txt TEST.txt
         last stdout line: {"accuracy": a, "accuracy_unseen": a|null, "unseen_tokens": n, "tokens": n,
                            "tags": distinct TRAIN tags, "baseline": "most frequent tag per word"}
       progress on stderr; errors exit non-zero with one line on stderr. Installs python3-sklearn with apt-get when
       missing (classify only; see common/torch_env.py).
"""
import json
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "common"))
import torch_env  # noqa: E402  (only its apt-get helper: torch is never imported here)

C_GRID = [0.25, 0.5, 1, 2, 4, 8, 16, 32]
TOKEN_PATTERN = r"(?u)\b\w+\b"


def read_tsv(path):
    """(texts, labels) of a `text<TAB>label` file without quoting."""
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="\n") as f:
        header = f.readline().rstrip("\r\n").split("\t")
        if "text" not in header or "label" not in header:
            sys.exit(f"error: {path}: the header must name the columns text and label, got {header}")
        ti, li = header.index("text"), header.index("label")
        for n, line in enumerate(f, start=2):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != len(header):
                sys.exit(f"error: {path}:{n}: {len(fields)} tab-separated fields, the header has {len(header)}")
            texts.append(fields[ti])
            labels.append(fields[li])
    if not texts:
        sys.exit(f"error: {path} holds no examples")
    return texts, labels


def classify(train_path, valid_path, test_path):
    torch_env.ensure_packages(["python3-sklearn"])
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):  # read when numpy loads the BLAS, i.e. just below
        os.environ[var] = "1"
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = (read_tsv(p) for p in (train_path, valid_path, test_path))
    print(f"# {len(x_train)} train, {len(x_valid)} valid, {len(x_test)} test examples, "
          f"{len(set(y_train))} training labels", file=sys.stderr)
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN_PATTERN)
    f_train = vectorizer.fit_transform(x_train)
    f_valid = vectorizer.transform(x_valid)
    best_c, best_acc = None, -1.0
    for c in C_GRID:
        acc = accuracy_score(y_valid, LogisticRegression(C=c, max_iter=2000).fit(f_train, y_train).predict(f_valid))
        print(f"# C {c:5g}: valid accuracy {acc:.4f}", file=sys.stderr)
        if acc > best_acc:  # strictly better: ties keep the smaller C
            best_c, best_acc = c, acc
    model = LogisticRegression(C=best_c, max_iter=2000).fit(f_train, y_train)
    train_seconds = time.perf_counter() - start
    predicted = model.predict(vectorizer.transform(x_test))
    version = ".".join(sklearn.__version__.split(".")[:2])
    result = {
        "accuracy": accuracy_score(y_test, predicted),
        "macro_f1": f1_score(y_test, predicted, average="macro", zero_division=0),
        "weighted_f1": f1_score(y_test, predicted, average="weighted", zero_division=0),
        "C": best_c,
        "valid_accuracy": best_acc,
        "train_seconds": train_seconds,
        "baseline": f"TF-IDF (1-2 grams) + logistic regression, scikit-learn {version}",
    }
    print(f"# {len(vectorizer.vocabulary_)} features, C {best_c}, test accuracy {result['accuracy']:.4f}",
          file=sys.stderr)
    print(json.dumps(result), flush=True)


def read_tagged(path):
    """Sentences as lists of (word, tag), the tag after the last '/' of each token."""
    sentences = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            tokens = line.split()
            if not tokens:
                continue
            sentence = []
            for token in tokens:
                word, slash, tag = token.rpartition("/")
                if not slash or not tag:
                    sys.exit(f"error: {path}:{n}: token {token!r} is not word/TAG")
                sentence.append((word, tag))
            sentences.append(sentence)
    if not sentences:
        sys.exit(f"error: {path} holds no sentences")
    return sentences


def tag(train_path, test_path):
    train, test = read_tagged(train_path), read_tagged(test_path)
    per_word, overall = {}, Counter()
    for sentence in train:
        for word, t in sentence:
            per_word.setdefault(word, Counter())[t] += 1
            overall[t] += 1
    # max() returns the first maximal item and Counters iterate in insertion order: ties go to the tag seen first.
    best = {word: max(counts, key=counts.__getitem__) for word, counts in per_word.items()}
    default = max(overall, key=overall.__getitem__)
    tokens = correct = unseen = unseen_correct = 0
    for sentence in test:
        for word, t in sentence:
            hit = best.get(word, default) == t
            tokens += 1
            correct += hit
            if word not in best:
                unseen += 1
                unseen_correct += hit
    print(f"# {len(train)} train sentences ({sum(overall.values())} tokens, {len(best)} word forms, {len(overall)} tags), "
          f"{len(test)} test sentences; unseen-word tag {default}", file=sys.stderr)
    print(json.dumps({"accuracy": correct / tokens, "accuracy_unseen": unseen_correct / unseen if unseen else None,
                      "unseen_tokens": unseen, "tokens": tokens, "tags": len(overall),
                      "baseline": "most frequent tag per word"}), flush=True)


def main():
    usage = ("usage: apps_baseline.py classify TRAIN.tsv VALID.tsv TEST.tsv\n"
             "       apps_baseline.py tag TRAIN.txt TEST.txt")
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == "classify":
        classify(*args[1:])
    elif len(args) == 3 and args[0] == "tag":
        tag(*args[1:])
    else:
        sys.exit(usage)


if __name__ == "__main__":
    main()
