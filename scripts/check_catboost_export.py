#!/usr/bin/env python3
"""Loads Symmetree's CatBoost-JSON exports with CatBoostRegressor and compares its predict()
(which applies the loss's transform, e.g. exp for Poisson) with ours.

Usage: check_catboost_export.py EXPORT_DIR FIXTURE_DIR NAME...
For each NAME: EXPORT_DIR/NAME.json is our export, EXPORT_DIR/NAME_ours.txt our predictions,
FIXTURE_DIR/NAME_features.csv the rows. Prints one line per model and OK when all agree
within 1e-9 relative (both sides evaluate the same float32 borders and float64 leaves).
"""
import sys

import numpy as np
from catboost import CatBoostRegressor


def main():
    export_dir, fixture_dir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    worst = 0.0
    for name in names:
        model = CatBoostRegressor()
        model.load_model(f"{export_dir}/{name}.json", format="json")
        rows = np.loadtxt(f"{fixture_dir}/{name}_features.csv", delimiter=",", ndmin=2)
        theirs = model.predict(rows, thread_count=1)
        ours = np.loadtxt(f"{export_dir}/{name}_ours.txt", ndmin=1)
        error = float(np.max(np.abs(theirs - ours) / np.maximum(1.0, np.abs(theirs))))
        worst = max(worst, error)
        print(f"{name}: max relative difference {error:.3e}")
    print("OK" if worst <= 1e-9 else "FAIL")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
