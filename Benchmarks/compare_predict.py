#!/usr/bin/env python3
"""Side-by-side batch prediction: CatBoost's in-process predict (thread_count=1) vs Symmetree's
fast evaluator (one core), same model, same rows, in one run. Prints rows/s and the ratio.

The model is a 500-tree, depth-6 CatBoost regressor on 30 features (trained here, seeded, on
100k synthetic rows); scoring uses 1M fresh rows. Both sides are pinned to CPU 0 when taskset
exists, so neither borrows the second core.

Both sides are measured in alternating rounds (ours at every batch size, then CatBoost's) and
the median round is reported, so a slow spell on a shared machine hits both sides alike.

Usage: python3 Benchmarks/compare_predict.py [--seconds S] [--rounds N]
Needs: pip install catboost==1.2.10 numpy; builds ModelBenchmarks in release mode.
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


def catboost_rate(model_path, rows, batch, seconds):
    model = CatBoostRegressor()
    model.load_model(model_path)
    batches = [rows[i * batch:(i + 1) * batch] for i in range(min(len(rows) // batch, 64))]
    scored, start, i = 0, time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        model.predict(batches[i % len(batches)], thread_count=1)
        scored += batch
        i += 1
    return scored / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    model_path, rows_path = prepare()
    env = dict(os.environ, SYMMETREE_BENCHMARKS="1")
    subprocess.run(["swift", "build", "-c", "release", "--product", "ModelBenchmarks"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    binary = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout.strip()

    def ours_round():
        output = subprocess.run(pin() + [os.path.join(binary, "ModelBenchmarks"), model_path, rows_path, str(FEATURES),
                                         str(args.seconds)], check=True, capture_output=True, text=True).stdout
        return [json.loads(line) for line in output.strip().splitlines()]

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
        records = ours_round()
        csv_rates += [r["csv_rows_per_second"] for r in records if "csv_rows_per_second" in r]
        for r in records:
            if "batch" in r:
                ours.setdefault(r["batch"], []).append(r["rows_per_second"])
        if shutil.which("taskset"):
            os.sched_setaffinity(0, {0})
        for batch in sorted(ours):
            theirs.setdefault(batch, []).append(catboost_rate(model_path, rows, batch, args.seconds))
        os.sched_setaffinity(0, range(os.cpu_count()))

    print(f"median of {args.rounds} rounds, one core each")
    print(f"{'batch':>9} {'catboost rows/s':>16} {'symmetree rows/s':>17} {'ratio':>7}")
    for batch in sorted(ours):
        a, b = statistics.median(theirs[batch]), statistics.median(ours[batch])
        print(f"{batch:>9} {a:>16,.0f} {b:>17,.0f} {b / a:>6.1f}x")
    if csv_rates:
        print(f"Symmetree CSV parsing (10k x {FEATURES} request rows): {statistics.median(csv_rates):,.0f} rows/s")


if __name__ == "__main__":
    sys.exit(main())
