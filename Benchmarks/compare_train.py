#!/usr/bin/env python3
"""Side-by-side training: CatBoost (thread_count=2) vs `symmetree train`, same data, same
parameters (500 iterations, depth 6, learning_rate 0.1, other parameters default), in one run.
Prints wall time, peak RSS (GNU time) and held-out RMSE for each, and the ratios.

Data: 1M training rows x 30 features (seeded synthetic), 100k held-out rows, written once to
Benchmarks/out as headerless CSV (target first). Both sides start from that CSV: CatBoost reads
it with pandas (its fit time alone is printed too), Symmetree through the SageMaker contract.

Usage: python3 Benchmarks/compare_train.py [--rows N]
Needs: pip install catboost==1.2.10 numpy pandas; GNU time (/usr/bin/time).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Benchmarks", "out")
PARAMS = {"iterations": 500, "depth": 6, "learning_rate": 0.1}

CATBOOST_RUN = r"""
import sys, time, json, numpy as np, pandas as pd
from catboost import CatBoostRegressor
train, test, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
start = time.perf_counter()
data = pd.read_csv(train, header=None).to_numpy(np.float64)
loaded = time.perf_counter()
model = CatBoostRegressor(**params, thread_count=2, verbose=False, allow_writing_files=False)
model.fit(data[:, 1:], data[:, 0])
fitted = time.perf_counter()
held = pd.read_csv(test, header=None).to_numpy(np.float64)
rmse = float(np.sqrt(np.mean((model.predict(held[:, 1:]) - held[:, 0]) ** 2)))
print(json.dumps({"wall": fitted - start, "fit": fitted - loaded, "rmse": rmse}))
"""


def make_data(rows):
    os.makedirs(OUT, exist_ok=True)
    train = os.path.join(OUT, f"train_{rows}x30.csv")
    test = os.path.join(OUT, "test_100000x30.csv")
    rng = np.random.default_rng(2024)
    weights = rng.normal(size=30)
    for path, n in ((train, rows), (test, 100_000)):
        if os.path.exists(path):
            continue
        X = rng.normal(size=(n, 30)).astype(np.float32)
        y = X @ weights / 5 + np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.3 * rng.normal(size=n)
        np.savetxt(path, np.column_stack([y, X]), delimiter=",", fmt="%.7g")
    return train, test


def peak_rss_mb(stderr):
    for line in stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    train, test = make_data(args.rows)
    subprocess.run(["swift", "build", "-c", "release", "--product", "symmetree"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                         capture_output=True, text=True).stdout.strip(), "symmetree")

    cb = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", CATBOOST_RUN, train, test, json.dumps(PARAMS)],
                        capture_output=True, text=True, check=True)
    theirs = json.loads(cb.stdout.strip().splitlines()[-1])
    theirs["rss"] = peak_rss_mb(cb.stderr)

    with tempfile.TemporaryDirectory() as ml:
        os.makedirs(os.path.join(ml, "input", "config"))
        os.makedirs(os.path.join(ml, "input", "data", "training"))
        os.symlink(train, os.path.join(ml, "input", "data", "training", "train.csv"))
        with open(os.path.join(ml, "input", "config", "hyperparameters.json"), "w") as f:
            json.dump({k: str(v) for k, v in PARAMS.items()} | {"metric_period": "100"}, f)
        import time
        start = time.perf_counter()
        ours_run = subprocess.run(["/usr/bin/time", "-v", binary, "train", "--ml-root", ml], capture_output=True, text=True)
        wall = time.perf_counter() - start
        if ours_run.returncode != 0:
            print(ours_run.stdout, ours_run.stderr)
            return 1
        features = os.path.join(ml, "test_features.csv")
        held = np.loadtxt(test, delimiter=",")
        np.savetxt(features, held[:, 1:], delimiter=",", fmt="%.9g")
        predicted = subprocess.run([binary, "predict", "--model", os.path.join(ml, "model", "model.symmetree"),
                                    "--input", features], capture_output=True, text=True, check=True).stdout
        rmse = float(np.sqrt(np.mean((np.array(predicted.split(), dtype=float) - held[:, 0]) ** 2)))
        ours = {"wall": wall, "rss": peak_rss_mb(ours_run.stderr), "rmse": rmse}

    print(f"{args.rows} rows x 30 features, {PARAMS}")
    print(f"{'':>10} {'wall s':>8} {'peak RSS MB':>12} {'test RMSE':>10}")
    print(f"{'catboost':>10} {theirs['wall']:>8.1f} {theirs['rss']:>12.0f} {theirs['rmse']:>10.5f}   (fit alone {theirs['fit']:.1f} s)")
    print(f"{'symmetree':>10} {ours['wall']:>8.1f} {ours['rss']:>12.0f} {ours['rmse']:>10.5f}")
    print(f"{'ratio':>10} {ours['wall'] / theirs['wall']:>8.2f} {ours['rss'] / theirs['rss']:>12.2f} "
          f"{ours['rmse'] / theirs['rmse']:>10.4f}   (time vs fit alone {ours['wall'] / theirs['fit']:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
