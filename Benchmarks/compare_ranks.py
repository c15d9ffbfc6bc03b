#!/usr/bin/env python3
"""Multi-host scaling on one machine: `symmetree train` as 1 rank x 1 thread against
`mpirun -np 2` x 1 thread each (the issue's goal: >= 1.7x faster), same data (1M rows x 30
features, compare_train.py's seeded synthetic set, split into two CSV files read
ShardedByS3Key, so each rank parses only its own half), 500 trees, depth 6, learning rate 0.1,
other parameters default. Prints wall time, held-out RMSE and the bytes each rank all-reduced
per tree (rank 0's log line).

With --builds BEFORE AFTER it instead times two single-process builds alternately (order swapped
every round, default thread_count), for checking that a change keeps one-host training speed.

Usage: python3 Benchmarks/compare_ranks.py [--rows N] [--rounds 2]
       python3 Benchmarks/compare_ranks.py --builds OLD_BINARY NEW_BINARY [--rounds 3]
Needs: openmpi-bin (mpirun), numpy; run it alone on the machine (flock /tmp/build.lock ...).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from compare_train import OUT, PARAMS, synthetic  # noqa: E402

# One single-threaded rank per core, pinned: unpinned ranks migrate and lose their caches
# (150 trees: 11.1 s unpinned, 10.3 s pinned on this machine). The SageMaker launcher does not
# pin, because there each rank runs thread_count threads.
# MALLOC_ARENA_MAX=1 as the SageMaker launcher passes it (MPILaunchPlan): without it each rank's
# arrays are faulted in afresh every tree.
MPIRUN = ["mpirun", "--allow-run-as-root", "--bind-to", "core", "-x", "MALLOC_ARENA_MAX=1"]


def shards(train, rows):
    """The training CSV as two files of about half the rows each (written once)."""
    paths = [os.path.join(OUT, f"train_{rows}x30.part{i}.csv") for i in range(2)]
    if not all(os.path.exists(p) for p in paths):
        with open(train) as source:
            lines = source.readlines()
        half = len(lines) // 2
        for path, part in zip(paths, (lines[:half], lines[half:])):
            with open(path, "w") as f:
                f.writelines(part)
    return paths


def ml_root(directory, files, parameters):
    os.makedirs(os.path.join(directory, "input", "config"))
    os.makedirs(os.path.join(directory, "input", "data", "training"))
    for path in files:
        os.symlink(path, os.path.join(directory, "input", "data", "training", os.path.basename(path)))
    with open(os.path.join(directory, "input", "config", "hyperparameters.json"), "w") as f:
        json.dump({k: str(v) for k, v in parameters.items()}, f)
    with open(os.path.join(directory, "input", "config", "inputdataconfig.json"), "w") as f:
        json.dump({"training": {"S3DistributionType": "ShardedByS3Key", "TrainingInputMode": "File"}}, f)


def train(binary, files, parameters, ranks=1):
    with tempfile.TemporaryDirectory() as ml:
        ml_root(ml, files, parameters)
        command = [binary, "train", "--ml-root", ml]
        if ranks > 1:
            command = MPIRUN + ["-np", str(ranks)] + command
        start = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(f"training failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
        traffic = re.search(r"All-reduced (\d+) bytes per rank over (\d+) trees \((\d+) per tree\)", run.stdout + run.stderr)
        with open(os.path.join(ml, "model", "model.json")) as f:
            trees = len(json.load(f)["oblivious_trees"])
        model = os.path.join(OUT, f"ranks{ranks}.symmetree")
        subprocess.run(["cp", os.path.join(ml, "model", "model.symmetree"), model], check=True)
        return {"wall": wall, "bytes_per_tree": int(traffic.group(3)) if traffic else 0, "trees": trees, "model": model}


def rmse(binary, model, test):
    held = np.loadtxt(test, delimiter=",")
    with tempfile.NamedTemporaryFile("w", suffix=".csv") as features:
        np.savetxt(features.name, held[:, 1:], delimiter=",", fmt="%.9g")
        predicted = subprocess.run([binary, "predict", "--model", model, "--input", features.name],
                                   capture_output=True, text=True, check=True).stdout
    return float(np.sqrt(np.mean((np.array(predicted.split(), dtype=float) - held[:, 0]) ** 2)))


def binary_path():
    return os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout.strip(), "symmetree")


def compare_ranks(args):
    train_csv, test_csv = synthetic(args.rows)
    files = shards(train_csv, args.rows)
    binary = binary_path()
    parameters = PARAMS | {"thread_count": 1, "metric_period": 100}
    results = {1: [], 2: []}
    for round_index in range(args.rounds):
        for ranks in ((1, 2) if round_index % 2 == 0 else (2, 1)):
            results[ranks].append(train(binary, files, parameters, ranks))
    print(f"{args.rows} rows x 30 features, {parameters}, two ShardedByS3Key files, {args.rounds} round(s)")
    print(f"{'':>16} {'wall s (median)':>16} {'test RMSE':>10} {'bytes/tree':>11}")
    walls = {}
    for ranks, runs in results.items():
        walls[ranks] = statistics.median(r["wall"] for r in runs)
        error = rmse(binary, runs[-1]["model"], test_csv)
        print(f"{f'{ranks} rank x 1 thread':>16} {walls[ranks]:>16.1f} {error:>10.5f} {runs[-1]['bytes_per_tree']:>11}")
    print(f"speedup 1 -> 2 ranks: {walls[1] / walls[2]:.2f}x")
    trees = results[1][-1]["trees"]
    scaling_table(walls[1] / (args.rows * trees), results[2][-1]["bytes_per_tree"])


def scaling_table(seconds_per_row_tree, bytes_per_tree, levels=6, cores_per_host=16, latency=50e-6):
    """The README's scaling model, from the measured 1-rank time and bytes per tree:
    per tree, compute = rows per host x seconds per row-tree / cores (assumed to scale with
    cores), communication = levels x 2 log2(hosts) x latency (a reduce-scatter and the gather of
    the best split per level) + (hosts - 1) / hosts x bytes / bandwidth (a ring reduce-scatter
    moves that share of the histogram bytes through each host's link)."""
    import math
    print(f"\npredicted seconds per tree ({cores_per_host} cores per host, {latency * 1e6:.0f} us per message):")
    print(f"{'rows':>6} {'hosts':>6} {'compute':>9} {'comm 10G':>9} {'comm 25G':>9} {'comm share 10G':>15}")
    for rows in (100e6, 1e9):
        for hosts in (4, 16, 64):
            compute = rows / hosts * seconds_per_row_tree / cores_per_host
            comm = {gbit: levels * 2 * math.log2(hosts) * latency + (hosts - 1) / hosts * bytes_per_tree * 8 / (gbit * 1e9)
                    for gbit in (10, 25)}
            print(f"{rows:>6.0e} {hosts:>6} {compute:>9.4f} {comm[10]:>9.4f} {comm[25]:>9.4f} "
                  f"{comm[10] / (compute + comm[10]):>15.0%}")
    crossover = (levels * 2 * math.log2(16) * latency + 15 / 16 * bytes_per_tree * 8 / 10e9) * cores_per_host / seconds_per_row_tree
    print(f"communication equals compute at about {crossover / 1e6:.1f}M rows per host (10 Gbit/s, 16 hosts)")


def compare_builds(args):
    train_csv, _ = synthetic(args.rows)
    files = shards(train_csv, args.rows)
    walls = {args.builds[0]: [], args.builds[1]: []}
    for round_index in range(args.rounds):
        order = args.builds if round_index % 2 == 0 else args.builds[::-1]
        for binary in order:
            walls[binary].append(train(binary, files, PARAMS | {"metric_period": 100})["wall"])
    for binary, runs in walls.items():
        print(f"{binary}: median {statistics.median(runs):.2f} s over {runs}")
    before, after = (statistics.median(walls[b]) for b in args.builds)
    print(f"after / before: {after / before:.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--builds", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.builds:
        compare_builds(args)
    else:
        compare_ranks(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
