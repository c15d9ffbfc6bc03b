#!/usr/bin/env python3
"""Multi-model endpoint figures: how long loading a 1,000-tree CatBoost model takes, what each
loaded model costs in memory, and 1-row invoke CPU and latency with 1,000 models loaded next to
the single-model /invocations of the same server binary and model, measured with wrk on loopback
in alternating rounds (median shown), servers on CPU 0 and wrk on CPU 1.

Usage: python3 Benchmarks/compare_mme.py [--models 1000] [--seconds 4] [--rounds 3] [--backend auto]
Needs (installed here when missing): wrk from apt; catboost from PyPI.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from compare_predict import FEATURES, WORK  # noqa: E402
from compare_serve import cpu_seconds, ensure_tools, stop_all, wait_ready  # noqa: E402

SINGLE_PORT, MULTI_PORT = 18090, 18091


def prepare_model():
    """A 1,000-tree depth-6 CatBoost model over FEATURES columns, as users ship them (.cbm)."""
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, "bench_1000x6.cbm")
    if not os.path.exists(path):
        from catboost import CatBoostRegressor
        rng = np.random.default_rng(11)
        X = rng.normal(size=(20_000, FEATURES))
        y = X @ rng.normal(size=FEATURES) + np.sin(3 * X[:, 0]) + 0.1 * rng.normal(size=len(X))
        CatBoostRegressor(iterations=1000, depth=6, learning_rate=0.05, random_seed=0, verbose=False, thread_count=2,
                          allow_writing_files=False).fit(X, y).save_model(path)
    return path


def rss_bytes(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def post_json(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request) as answer:
        answer.read()
        return answer.status, time.perf_counter() - start


def run_wrk(url, connections, seconds, body, models, path):
    env = dict(os.environ, WRK_BODY=body, WRK_MODELS=str(models), WRK_PATH=path)
    # wrk on CPU 1, the servers on CPU 0: the client does not steal the measured server's core.
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
               "-s", os.path.join(HERE, "reference", "invoke_models.lua"), url]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout

    def latency(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": latency("50"), "p99": latency("99"), "errors": int(errors.group(1)) if errors else 0}


def measure(pid, url, connections, seconds, body, models=0, path="/invocations"):
    before = cpu_seconds([pid])
    result = run_wrk(url, connections, seconds, body, models, path)
    result["cpu_us"] = 1e6 * (cpu_seconds([pid]) - before) / max(result["requests"], 1)
    return result


def load_all(count, model_path, work):
    """Loads `count` copies (hard links, one folder each, as SageMaker unpacks them) one by one."""
    latencies = []
    for index in range(count):
        folder = os.path.join(work, "models", f"m{index}", "model")
        os.makedirs(folder)
        os.link(model_path, os.path.join(folder, "model"))
        status, seconds = post_json(f"http://127.0.0.1:{MULTI_PORT}/models", {"model_name": f"m{index}", "url": folder})
        assert status == 200, status
        latencies.append(seconds * 1e3)
    return latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", default="auto")
    args = parser.parse_args()
    ensure_tools()
    model_path = prepare_model()
    subprocess.run(["swift", "build", "-c", "release", "--product", "symmetree"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                         capture_output=True, text=True).stdout.strip(), "symmetree")
    work = tempfile.mkdtemp(prefix="symmetree-mme-bench-")
    single_dir = os.path.join(work, "single")
    os.makedirs(single_dir)
    shutil.copy(model_path, os.path.join(single_dir, "model"))
    body = os.path.join(work, "row.csv")
    np.savetxt(body, np.random.default_rng(3).normal(size=(1, FEATURES)), delimiter=",", fmt="%.6g")
    processes = []
    try:
        common = ["--backend", args.backend]
        single = subprocess.Popen(["taskset", "-c", "0", binary, "serve", "--model-dir", single_dir, "--port", str(SINGLE_PORT)] + common,
                                  stdout=open(os.path.join(work, "single.log"), "w"), stderr=subprocess.STDOUT)
        multi = subprocess.Popen(["taskset", "-c", "0", binary, "serve", "--multi-model", "--port", str(MULTI_PORT)] + common,
                                 stdout=open(os.path.join(work, "multi.log"), "w"), stderr=subprocess.STDOUT)
        processes += [single, multi]
        wait_ready(f"http://127.0.0.1:{SINGLE_PORT}/ping")
        wait_ready(f"http://127.0.0.1:{MULTI_PORT}/ping")

        rss_before = rss_bytes(multi.pid)
        latencies = load_all(args.models, model_path, work)
        rss_after = rss_bytes(multi.pid)
        reported = re.findall(r"in ([\d.]+) ms: (\d+) trees, (\d+) bytes", open(os.path.join(work, "multi.log")).read())
        server_ms = [float(ms) for ms, _, _ in reported]
        resident = [int(b) for _, _, b in reported]
        print(f"model: {os.path.getsize(model_path):,} bytes of .cbm, {reported[0][1]} trees, {FEATURES} features")
        print(f"load ({args.models} models, one after another): POST /models round trip median {statistics.median(latencies):.2f} ms, "
              f"p99 {np.percentile(latencies, 99):.2f} ms, max {max(latencies):.2f} ms; "
              f"server-side load median {statistics.median(server_ms):.2f} ms, max {max(server_ms):.2f} ms")
        print(f"memory: {statistics.median(resident):,} resident bytes reported per model; server RSS "
              f"{rss_before / 2**20:.1f} -> {rss_after / 2**20:.1f} MiB, {(rss_after - rss_before) / args.models:,.0f} bytes per model")

        # The same row must get the same answer from both endpoints before anything is timed.
        row = open(body, "rb").read()
        answers = []
        for url in (f"http://127.0.0.1:{SINGLE_PORT}/invocations", f"http://127.0.0.1:{MULTI_PORT}/models/m{args.models - 1}/invoke"):
            answers.append(float(urllib.request.urlopen(urllib.request.Request(url, data=row, headers={"Content-Type": "text/csv"})).read()))
        assert answers[0] == answers[1], answers

        # Three workloads: the single-model endpoint; one model of the thousand (what the registry
        # costs); a random one of the thousand each request (what a cold model costs on top).
        single_url, multi_url = f"http://127.0.0.1:{SINGLE_PORT}", f"http://127.0.0.1:{MULTI_PORT}"
        workloads = [
            ("/invocations, 1 model", lambda c: measure(single.pid, single_url, c, args.seconds, body)),
            (f"/models/m0/invoke, {args.models} loaded", lambda c: measure(multi.pid, multi_url, c, args.seconds, body, path="/models/m0/invoke")),
            (f"/models/m<random>/invoke, {args.models} loaded", lambda c: measure(multi.pid, multi_url, c, args.seconds, body, args.models)),
        ]
        samples = {(name, c): [] for name, _ in workloads for c in (1, 16)}
        for _ in range(args.rounds):
            for connections in (1, 16):
                for name, run in workloads:
                    samples[(name, connections)].append(run(connections))
        print(f"\n1-row invokes, median of {args.rounds} alternating rounds ({args.seconds} s each):")
        medians = {}
        for (name, connections), results in samples.items():
            median = {key: statistics.median(s[key] for s in results) for key in ("rps", "p50", "p99", "cpu_us")}
            medians[(name, connections)] = median
            errors = sum(s["errors"] for s in results)
            print(f"  {name:<42} conns={connections:>2}  {median['rps']:>9,.0f} req/s  p50 {median['p50']:.3f} ms  "
                  f"p99 {median['p99']:.3f} ms  CPU {median['cpu_us']:.1f} us/req" + (f"  ERRORS {errors}" if errors else ""))
        for name, _ in workloads[1:]:
            for connections in (1, 16):
                s, m = medians[(workloads[0][0], connections)], medians[(name, connections)]
                print(f"  {name} / single, conns={connections:>2}: CPU/req {m['cpu_us'] / s['cpu_us']:.3f}x  "
                      f"p99 {m['p99'] / s['p99']:.3f}x  req/s {m['rps'] / s['rps']:.3f}x")
    finally:
        stop_all(processes)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
