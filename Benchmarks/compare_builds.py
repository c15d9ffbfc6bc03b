#!/usr/bin/env python3
"""A/B of two symmetree server builds on the same model: both servers up at once, each pinned to
CPU 0 and wrk to CPU 1 (so the client does not steal the server's core), wrk runs alternating
between them (order swapped every round), median req/s, p99 and server CPU per request. For
checking that a change keeps serving speeds (`compare_serve.py` measures against other stacks).

Usage: python3 Benchmarks/compare_builds.py BINARY_A BINARY_B [--backend auto|io_uring|epoll]
       [--rounds 6] [--seconds 3] [--rows 1,100,10000] [--connections 1,16,64]
       [--model PATH --lines CSV]   (another model, its request rows taken from the CSV's lines;
                                     e.g. the categorical flights model of compare_predict.py)
Needs (installed here when missing): wrk from apt, util-linux's taskset.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare_predict import FEATURES, prepare  # noqa: E402
from compare_serve import cpu_seconds, ensure_tools, process_tree, run_wrk, stop_all, wait_ready  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binaries", nargs=2)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rows", default="1,100,10000")
    parser.add_argument("--connections", default="1,16,64")
    parser.add_argument("--model")
    parser.add_argument("--lines")
    args = parser.parse_args()
    ensure_tools()
    rows_list = [int(r) for r in args.rows.split(",")]
    connections_list = [int(c) for c in args.connections.split(",")]
    model_path = args.model or prepare()[0]
    work = tempfile.mkdtemp(prefix="symmetree-ab-")
    os.makedirs(os.path.join(work, "model"))
    shutil.copy(model_path, os.path.join(work, "model", "model.cbm"))
    bodies = {}
    lines = None
    if args.lines:
        with open(args.lines) as f:
            lines = [next(f) for _ in range(max(rows_list))]
    for rows in rows_list:
        bodies[rows] = os.path.join(work, f"body_{rows}.csv")
        if lines:
            with open(bodies[rows], "w") as f:
                f.writelines(lines[:rows])
        else:
            np.savetxt(bodies[rows], np.random.default_rng(7).normal(size=(rows, FEATURES)), delimiter=",", fmt="%.6g")
    names = ["A", "B"]
    ports = {"A": 18180, "B": 18181}
    processes = {}
    try:
        for name, binary in zip(names, args.binaries):
            processes[name] = subprocess.Popen(
                ["taskset", "-c", "0", binary, "serve", "--model-dir", os.path.join(work, "model"), "--port", str(ports[name]),
                 "--backend", args.backend], stdout=open(os.path.join(work, f"{name}.log"), "w"), stderr=subprocess.STDOUT)
        for name in names:
            wait_ready(f"http://127.0.0.1:{ports[name]}/ping")
        samples = {}
        for round_index in range(args.rounds):
            for rows in rows_list:
                for connections in connections_list:
                    for name in (names if round_index % 2 == 0 else names[::-1]):
                        pids = process_tree(processes[name].pid)
                        before = cpu_seconds(pids)
                        result = run_wrk(f"http://127.0.0.1:{ports[name]}/invocations", connections, args.seconds, bodies[rows],
                                         prefix=("taskset", "-c", "1"))
                        result["cpu_us"] = 1e6 * (cpu_seconds(pids) - before) / max(result["requests"], 1)
                        samples.setdefault((rows, connections, name), []).append(result)
        print(f"A = {args.binaries[0]}\nB = {args.binaries[1]}\nbackend {args.backend}, median of {args.rounds} alternating rounds "
              f"of {args.seconds} s, server on CPU 0, wrk on CPU 1")
        for rows in rows_list:
            for connections in connections_list:
                medians = {}
                for name in names:
                    results = samples[(rows, connections, name)]
                    medians[name] = {key: statistics.median(r[key] for r in results) for key in ("rps", "p99", "cpu_us")}
                    errors = sum(r["errors"] for r in results)
                    if errors:
                        print(f"  {name}: {errors} non-2xx answers")
                a, b = medians["A"], medians["B"]
                print(f"rows={rows:>6} conns={connections:>3}  req/s {a['rps']:>9,.0f} -> {b['rps']:>9,.0f} ({b['rps'] / a['rps']:.3f}x)  "
                      f"p99 {a['p99']:.3f} -> {b['p99']:.3f} ms  CPU {a['cpu_us']:.2f} -> {b['cpu_us']:.2f} us/req "
                      f"({b['cpu_us'] / a['cpu_us']:.3f}x)")
    finally:
        stop_all(processes.values())
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
