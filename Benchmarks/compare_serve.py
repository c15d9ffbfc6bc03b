#!/usr/bin/env python3
"""Side-by-side serving: Symmetree's server vs the seed-style reference stack (nginx -> gunicorn
-> flask -> CatBoost predict, Benchmarks/reference/) vs a static-200 nginx, same model, loaded with
wrk on loopback in one run. Bodies of 1, 100 and 10k CSV rows at 1, 16 and 64 connections.
Prints req/s, rows/s, p50/p99 latency and server CPU per request (utime+stime of every server
process from /proc, divided by requests), then the ratios the serving issue asks for. Every
cell is measured in each of --rounds rounds, the servers alternating, and the median is shown.

Usage: python3 Benchmarks/compare_serve.py [--seconds S] [--rounds N] [--backend auto|io_uring|epoll]
Needs (installed here when missing): wrk and nginx from apt; gunicorn, flask, catboost from PyPI.
"""
import argparse
import os
import re
import shutil
import signal
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
from compare_predict import FEATURES, prepare  # noqa: E402

OURS_PORT, REFERENCE_PORT, STATIC_PORT = 18080, 18081, 18082
ROWS = [1, 100, 10_000]
CONNECTIONS = [1, 16, 64]


def ensure_tools():
    missing = [tool for tool in ("wrk", "nginx") if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}")]
    if missing:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk", "nginx-light"], check=True)
    try:
        import flask  # noqa: F401
        import gunicorn  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "flask", "gunicorn"], check=True)


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def process_tree(root_pid):
    pids, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        try:
            children = open(f"/proc/{pid}/task/{pid}/children").read().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            if child not in pids:
                pids.add(child)
                frontier.append(child)
    return pids


def stop_all(processes, seconds=30):
    """SIGTERM to every process (servers drain and exit), then SIGKILL what has not exited."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_ready(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=1).status == 200:
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not ready")


def run_wrk(url, connections, seconds, body=None, prefix=()):
    """`prefix` goes before the command (e.g. taskset to pin wrk to a core)."""
    env = dict(os.environ)
    command = list(prefix) + ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if body:
        env["WRK_BODY"] = body
        command += ["-s", os.path.join(HERE, "reference", "post.lua")]
    output = subprocess.run(command + [url], capture_output=True, text=True, env=env, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def latency(label):
        match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    return {"requests": requests, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": latency("50"), "p99": latency("99"), "errors": int(errors.group(1)) if errors else 0}


def measure(name, url, pids, connections, seconds, body=None, rows=1, quiet=False):
    before = cpu_seconds(pids)
    result = run_wrk(url, connections, seconds, body)
    spent = cpu_seconds(pids) - before
    result.update(name=name, rows=rows, connections=connections, rows_per_s=result["rps"] * rows,
                  cpu_us=1e6 * spent / max(result["requests"], 1))
    if not quiet:
        report(result)
    return result


def report(result):
    print(f"{result['name']:>10} rows={result['rows']:>6} conns={result['connections']:>3}  {result['rps']:>10,.0f} req/s "
          f"{result['rows_per_s']:>12,.0f} rows/s  p50 {result['p50']:>8.2f} ms  p99 {result['p99']:>8.2f} ms  "
          f"CPU {result['cpu_us']:>9.1f} us/req" + (f"  ERRORS {result['errors']}" if result["errors"] else ""), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_tools()
    model_path, _ = prepare()
    subprocess.run(["swift", "build", "-c", "release", "--product", "symmetree"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    binary = os.path.join(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                                         capture_output=True, text=True).stdout.strip(), "symmetree")
    work = tempfile.mkdtemp(prefix="symmetree-serve-bench-")
    os.chmod(work, 0o755)  # nginx workers run unprivileged and must reach gunicorn's socket
    model_dir = os.path.join(work, "model")
    os.makedirs(model_dir)
    shutil.copy(model_path, os.path.join(model_dir, "model.cbm"))
    rng = np.random.default_rng(7)
    bodies = {}
    for rows in ROWS:
        bodies[rows] = os.path.join(work, f"body_{rows}.csv")
        np.savetxt(bodies[rows], rng.normal(size=(rows, FEATURES)), delimiter=",", fmt="%.6g")

    processes = []
    try:
        ours = subprocess.Popen([binary, "serve", "--model-dir", model_dir, "--port", str(OURS_PORT), "--backend", args.backend],
                                stdout=open(os.path.join(work, "ours.log"), "w"), stderr=subprocess.STDOUT)
        processes.append(ours)
        gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "--umask", "0", "-k", "sync", "-w", str(os.cpu_count()), "--timeout", "120",
                                     "-b", f"unix:{work}/gunicorn.sock", "--chdir", os.path.join(HERE, "reference"), "predictor:app"],
                                    env=dict(os.environ, MODEL_PATH=model_path), stdout=open(os.path.join(work, "gunicorn.log"), "w"),
                                    stderr=subprocess.STDOUT)
        processes.append(gunicorn)
        config = open(os.path.join(HERE, "reference", "nginx.conf.template")).read()
        config = config.replace("{work}", work).replace("{reference_port}", str(REFERENCE_PORT)).replace("{static_port}", str(STATIC_PORT))
        open(os.path.join(work, "nginx.conf"), "w").write(config)
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(work, "nginx.conf"), "-p", work],
                                 stdout=open(os.path.join(work, "nginx.log"), "w"), stderr=subprocess.STDOUT)
        processes.append(nginx)
        wait_ready(f"http://127.0.0.1:{OURS_PORT}/ping")
        wait_ready(f"http://127.0.0.1:{REFERENCE_PORT}/ping")
        print(open(os.path.join(work, "ours.log")).read().strip())

        # Both must give CatBoost's answers before anything is timed.
        body = open(bodies[100], "rb").read()
        answers = []
        for port in (OURS_PORT, REFERENCE_PORT):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body, headers={"Content-Type": "text/csv"})
            answers.append(np.array(urllib.request.urlopen(request).read().split(), dtype=float))
        print(f"max |symmetree - reference| over 100 rows: {np.max(np.abs(answers[0] - answers[1])):.3e}")

        ours_pids = process_tree(ours.pid)
        reference_pids = process_tree(gunicorn.pid) | process_tree(nginx.pid)
        static_pids = {nginx.pid} | process_tree(nginx.pid)
        # Every cell is measured once per round, the three servers alternating, and the median
        # round is reported: on a shared machine a slow spell then hits all of them alike.
        rounds = []
        for _ in range(args.rounds):
            cells = []
            for rows in ROWS:
                for connections in CONNECTIONS:
                    cells.append(measure("symmetree", f"http://127.0.0.1:{OURS_PORT}/invocations", ours_pids, connections,
                                         args.seconds, bodies[rows], rows, quiet=True))
                    cells.append(measure("reference", f"http://127.0.0.1:{REFERENCE_PORT}/invocations", reference_pids,
                                         connections, args.seconds, bodies[rows], rows, quiet=True))
                    if rows == 1:
                        cells.append(measure("static", f"http://127.0.0.1:{STATIC_PORT}/", static_pids, connections,
                                             args.seconds, quiet=True))
            rounds.append(cells)
        results = []
        for index, cell in enumerate(rounds[0]):
            samples = [r[index] for r in rounds]
            median = {key: statistics.median(sample[key] for sample in samples) for key in ("rps", "rows_per_s", "p50", "p99", "cpu_us")}
            results.append(dict(cell, **median, errors=sum(sample["errors"] for sample in samples)))
            report(results[-1])

        def find(name, rows, connections):
            return next(r for r in results if r["name"] == name and r["rows"] == rows and r["connections"] == connections)

        print("\nratios (symmetree / reference; symmetree / static nginx for 1-row req/s)")
        for rows in ROWS:
            for connections in CONNECTIONS:
                ours_r, ref_r = find("symmetree", rows, connections), find("reference", rows, connections)
                line = (f"rows={rows:>6} conns={connections:>3}: req/s {ours_r['rps'] / ref_r['rps']:>7.1f}x  "
                        f"CPU/req {ours_r['cpu_us'] / max(ref_r['cpu_us'], 1e-9):>6.3f}x")
                if rows == 1:
                    line += f"  vs static nginx {ours_r['rps'] / find('static', 1, connections)['rps']:.2f}x"
                print(line)
    finally:
        stop_all(processes, seconds=10)
        if os.environ.get("KEEP_WORK"):
            print("work kept in", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
