#!/usr/bin/env python3
"""Executable specification of how CatBoost (1.2.10) applies a model with categorical features,
checked against the fixtures in Tests/ModelTests/Fixtures/categorical/.

Needs numpy only (pandas is not used: the CSV is read with Python's csv module, as a Swift reader
would read it). For every case <case> in the fixture directory it

  1. reads <case>.json and evaluates every row of <case>_features.csv with `JsonModel`;
  2. reads <case>.cbm with `read_cbm` (flatbuffer core *and* the "static_provider_v1" CTR tables
     that follow it) and evaluates the rows again with `CbmModel`, a second, independent
     evaluator that works the way CatBoost's CPU evaluator does (bucket bytes, RepackedBins,
     open-addressing lookups in the raw CTR hash index);
  3. checks that the .cbm holds exactly what the JSON holds (trees, borders, one-hot values, CTR
     descriptions, and every CTR table: the JSON `ctr_data.hash_map` is rebuilt from the .cbm's raw
     buckets, artefact entry included);
  4. compares both evaluators with <case>_expected.txt ("raw,predict" from CatBoost itself);
     predict = raw for RMSE/MAE/Quantile, exp(raw) for Poisson/Tweedie, sigmoid(raw) (the
     probability of class 1) for Logloss;
  5. checks hash_vectors.csv (CatBoost's own hashes of ~300 strings) against `cat_hash`.

It exits non-zero unless every prediction agrees within 1e-9 relative and every structure matches.
See docs/categorical-format.md for the format and the formulas with their CatBoost sources.

Usage: python3 scripts/check_categorical_fixtures.py [fixture-dir]
"""
import csv
import glob
import json
import math
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "..", "Tests", "ModelTests", "Fixtures", "categorical")

M64 = (1 << 64) - 1
EMPTY_BUCKET_HASH = M64          # NCatboost::TBucket::InvalidHashValue (dense_hash_view.h)
NOT_FOUND_INDEX = 0xFFFFFFFF     # TDenseIndexHashView::NotFoundIndex
MAX_VALUES_PER_BIN = 254         # catboost/libs/model/model.h


# ---------------------------------------------------------------------------------------------
# 1. Hashing a categorical value: CalcCatFeatureHash (catboost/libs/cat_feature/cat_feature.cpp)
#    = CityHash64(UTF-8 bytes) & 0xffffffff.  CityHash64 is Google CityHash v1.0.x as vendored
#    in CatBoost's util/digest/city.cpp; this is a straight port of it.
# ---------------------------------------------------------------------------------------------
K0 = 0xC3A5C85C97CB3127
K1 = 0xB492B66FBE98F273
K2 = 0x9AE16A3B2F90404F
K3 = 0xC949D7C7509E6557


def _fetch64(s, i):
    return int.from_bytes(s[i:i + 8], "little")


def _fetch32(s, i):
    return int.from_bytes(s[i:i + 4], "little")


def _rotate(v, shift):              # Rotate(): shift 0 allowed
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & M64


def _rotate_at_least_1(v, shift):   # RotateByAtLeast1(): 1 <= shift <= 63
    return ((v >> shift) | (v << (64 - shift))) & M64


def _shift_mix(v):
    return v ^ (v >> 47)


def _hash128_to_64(lo, hi):
    kmul = 0x9DDFEA08EB382D69
    a = ((lo ^ hi) * kmul) & M64
    a ^= a >> 47
    b = ((hi ^ a) * kmul) & M64
    b ^= b >> 47
    return (b * kmul) & M64


def _hash_len_0_to_16(s):
    n = len(s)
    if n > 8:
        a = _fetch64(s, 0)
        b = _fetch64(s, n - 8)
        return _hash128_to_64(a, _rotate_at_least_1((b + n) & M64, n)) ^ b
    if n >= 4:
        a = _fetch32(s, 0)
        return _hash128_to_64((n + (a << 3)) & M64, _fetch32(s, n - 4))
    if n > 0:
        a, b, c = s[0], s[n >> 1], s[n - 1]
        y = (a + (b << 8)) & 0xFFFFFFFF
        z = (n + (c << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * K2) ^ (z * K3)) & M64) * K2) & M64
    return K2


def _hash_len_17_to_32(s):
    n = len(s)
    a = (_fetch64(s, 0) * K1) & M64
    b = _fetch64(s, 8)
    c = (_fetch64(s, n - 8) * K2) & M64
    d = (_fetch64(s, n - 16) * K0) & M64
    return _hash128_to_64((_rotate((a - b) & M64, 43) + _rotate(c, 30) + d) & M64,
                          (a + _rotate(b ^ K3, 20) - c + n) & M64)


def _weak_hash_len_32_with_seeds(s, i, a, b):
    w, x, y, z = _fetch64(s, i), _fetch64(s, i + 8), _fetch64(s, i + 16), _fetch64(s, i + 24)
    a = (a + w) & M64
    b = _rotate((b + a + z) & M64, 21)
    c = a
    a = (a + x + y) & M64
    b = (b + _rotate(a, 44)) & M64
    return (a + z) & M64, (b + c) & M64


def _hash_len_33_to_64(s):
    n = len(s)
    z = _fetch64(s, 24)
    a = (_fetch64(s, 0) + (n + _fetch64(s, n - 16)) * K0) & M64
    b = _rotate((a + z) & M64, 52)
    c = _rotate(a, 37)
    a = (a + _fetch64(s, 8)) & M64
    c = (c + _rotate(a, 7)) & M64
    a = (a + _fetch64(s, 16)) & M64
    vf = (a + z) & M64
    vs = (b + _rotate(a, 31) + c) & M64
    a = (_fetch64(s, 16) + _fetch64(s, n - 32)) & M64
    z = _fetch64(s, n - 8)
    b = _rotate((a + z) & M64, 52)
    c = _rotate(a, 37)
    a = (a + _fetch64(s, n - 24)) & M64
    c = (c + _rotate(a, 7)) & M64
    a = (a + _fetch64(s, n - 16)) & M64
    wf = (a + z) & M64
    ws = (b + _rotate(a, 31) + c) & M64
    r = _shift_mix(((vf + ws) * K2 + (wf + vs) * K0) & M64)
    return (_shift_mix((r * K0 + vs) & M64) * K2) & M64


def cityhash64(s: bytes) -> int:
    n = len(s)
    if n <= 32:
        return _hash_len_0_to_16(s) if n <= 16 else _hash_len_17_to_32(s)
    if n <= 64:
        return _hash_len_33_to_64(s)
    x = _fetch64(s, 0)
    y = _fetch64(s, n - 16) ^ K1
    z = _fetch64(s, n - 56) ^ K0
    v = _weak_hash_len_32_with_seeds(s, n - 64, n, y)
    w = _weak_hash_len_32_with_seeds(s, n - 32, (n * K1) & M64, K0)
    z = (z + _shift_mix(v[1]) * K1) & M64
    x = (_rotate((z + x) & M64, 39) * K1) & M64
    y = (_rotate(y, 33) * K1) & M64
    remaining = (n - 1) & ~63
    p = 0
    while True:
        x = (_rotate((x + y + v[0] + _fetch64(s, p + 16)) & M64, 37) * K1) & M64
        y = (_rotate((y + v[1] + _fetch64(s, p + 48)) & M64, 42) * K1) & M64
        x ^= w[1]
        y ^= v[0]
        z = _rotate(z ^ w[0], 33)
        v = _weak_hash_len_32_with_seeds(s, p, (v[1] * K1) & M64, (x + w[0]) & M64)
        w = _weak_hash_len_32_with_seeds(s, p + 32, (z + w[1]) & M64, y)
        z, x = x, z
        p += 64
        remaining -= 64
        if remaining == 0:
            break
    return _hash128_to_64((_hash128_to_64(v[0], w[0]) + _shift_mix(y) * K1 + z) & M64,
                          (_hash128_to_64(v[1], w[1]) + x) & M64)


def cat_hash(text: str) -> int:
    """CatBoost's hash of a categorical value given as text: an unsigned 32-bit integer."""
    return cityhash64(text.encode("utf-8")) & 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# 2. Arithmetic shared by both evaluators
# ---------------------------------------------------------------------------------------------
F32 = np.float32
MAGIC_MULT = 0x4906BA494954CB65


def calc_hash(a: int, b: int) -> int:
    """CalcHash(a, b) of catboost/libs/model/hash.h, on ui64 with wrap-around."""
    return (MAGIC_MULT * ((a + MAGIC_MULT * b) & M64)) & M64


def sign_extend_hash(h: int) -> int:
    """(ui64)(int)hash: the ui32 cat hash reinterpreted as int32, then widened to ui64 (ctr_provider.h)."""
    return h if h < 0x80000000 else (h | 0xFFFFFFFF00000000)


def model_ctr_calc(count_in_class, total_count, prior_num, prior_denom, shift, scale) -> float:
    """TModelCtr::Calc (catboost/libs/model/online_ctr.h), every operation in float32:
        ctr = (countInClass + PriorNum) / (totalCount + PriorDenom); return (ctr + Shift) * Scale."""
    ctr = (F32(count_in_class) + F32(prior_num)) / (F32(total_count) + F32(prior_denom))
    return F32((ctr + F32(shift)) * F32(scale))


def ctr_good_total(ctr_type, target_border_idx, entry, counter_denominator):
    """(countInClass, totalCount) that the static CTR provider passes to TModelCtr::Calc for one
    table entry; `entry` is None for a projection hash that is not in the table.
    Source: TStaticCtrProvider::CalcCtrs (catboost/libs/model/static_ctr_provider.cpp)."""
    if ctr_type in ("Counter", "FeatureFreq"):
        # entry = [count]; an unseen value counts 0 but keeps the denominator.
        return (0 if entry is None else entry[0]), counter_denominator
    if entry is None:
        return 0, 0
    if ctr_type in ("BinarizedTargetMeanValue", "FloatTargetMeanValue"):
        total_sum, count = entry            # TCtrMeanHistory{float Sum; int Count}
        return F32(total_sum), count
    if ctr_type == "Buckets":
        # entry = per-target-class counts; the class itself is "good".
        return entry[target_border_idx], sum(entry)
    if ctr_type == "Borders":
        if len(entry) == 2:                 # the common 2-class case, written out separately
            return entry[1], entry[0] + entry[1]
        # classes above the border are "good"; total = all classes
        return sum(entry[target_border_idx + 1:]), sum(entry)
    raise ValueError(f"unknown CTR type {ctr_type}")


def float_bit(x: float, border: float, nan_treatment: str) -> bool:
    """A float split: float32(x) > float32(border); NaN per nan_value_treatment
    (AsFalse: NaN -> -inf, AsTrue: NaN -> +inf, AsIs: NaN compares false)."""
    if math.isnan(x):
        return nan_treatment == "AsTrue"
    return bool(F32(x) > F32(border))


def transform(loss: str, raw: float) -> float:
    """model.predict() for the losses in the fixtures (Logloss: probability of class 1)."""
    if loss in ("Poisson", "Tweedie"):
        return math.exp(raw)
    if loss == "Logloss":
        return 1.0 / (1.0 + math.exp(-raw))
    return raw


# ---------------------------------------------------------------------------------------------
# 3. Evaluator over the JSON model (save_model(format="json"))
# ---------------------------------------------------------------------------------------------
def parse_ctr_table(table, ctr_type):
    """ctr_data[identifier] -> ({projection hash: entry}, counter_denominator).
    hash_map is flat: "hash as decimal string", then hash_stride-1 numbers. The entry whose hash is
    2^64-1 is not a value: it is the JSON writer listing an *empty* bucket of the open-addressing
    index (empty buckets hold hash 2^64-1 and index 0, so it repeats entry 0's numbers). CatBoost's
    lookup stops at empty buckets and never matches it, so it is dropped here."""
    stride = table["hash_stride"]
    flat = table["hash_map"]
    assert len(flat) % stride == 0
    entries = {}
    for i in range(0, len(flat), stride):
        h = int(flat[i])
        if h == EMPTY_BUCKET_HASH:
            continue
        values = flat[i + 1:i + stride]
        if ctr_type in ("BinarizedTargetMeanValue", "FloatTargetMeanValue"):
            entries[h] = [float(values[0]), int(values[1])]
        else:
            entries[h] = [int(v) for v in values]
    return entries, table.get("counter_denominator", 0)


class JsonModel:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        info = d["features_info"]
        self.loss = d["model_info"]["params"]["loss_function"]["type"]
        self.float_features = info.get("float_features", [])
        self.cat_features = info.get("categorical_features", [])
        self.ctrs = info.get("ctrs", [])
        scale, bias = d["scale_and_bias"]
        self.scale, self.bias = scale, (bias[0] if bias else 0.0)
        # A tree without splits (depth 0, one leaf; Tweedie makes some) has "splits": null.
        self.trees = [dict(t, splits=t.get("splits") or []) for t in d["oblivious_trees"]]
        # split_index enumerates: every float border (features in order), then every one-hot
        # value, then every CTR border (ctrs in order).  See CalcBinFeatures in model.cpp.
        self.bin_features = []
        for ff in self.float_features:
            self.bin_features += [("float", ff, b) for b in ff["borders"]]
        for cf in self.cat_features:
            self.bin_features += [("onehot", cf, v & 0xFFFFFFFF) for v in cf.get("values", [])]
        for ci, ctr in enumerate(self.ctrs):
            self.bin_features += [("ctr", ci, b) for b in ctr["borders"]]
        self.tables = {key: parse_ctr_table(t, json.loads(key)["type"])
                       for key, t in d.get("ctr_data", {}).items()}

    def projection_hash(self, elements, row):
        """ctr_provider.h CalcHashes: cat values first, then float-split bits, then one-hot bits,
        each folded with CalcHash in the order listed in `elements` (which is that order)."""
        h = 0
        kinds = [e["combination_element"] for e in elements]
        assert kinds == sorted(kinds, key=["cat_feature_value", "float_feature",
                                           "cat_feature_exact_value"].index), kinds
        for e in elements:
            kind = e["combination_element"]
            if kind == "cat_feature_value":
                cf = self.cat_features[e["cat_feature_index"]]
                h = calc_hash(h, sign_extend_hash(cat_hash(row[cf["flat_feature_index"]])))
            elif kind == "float_feature":
                ff = self.float_features[e["float_feature_index"]]
                bit = float_bit(float(row[ff["flat_feature_index"]]), e["border"], ff["nan_value_treatment"])
                h = calc_hash(h, int(bit))
            elif kind == "cat_feature_exact_value":
                cf = self.cat_features[e["cat_feature_index"]]
                bit = cat_hash(row[cf["flat_feature_index"]]) == (e["value"] & 0xFFFFFFFF)
                h = calc_hash(h, int(bit))
            else:
                raise ValueError(kind)
        return h

    def ctr_value(self, ctr, row):
        entries, denominator = self.tables[ctr["identifier"]]
        entry = entries.get(self.projection_hash(ctr["elements"], row))
        good, total = ctr_good_total(ctr["ctr_type"], ctr["target_border_idx"], entry, denominator)
        return model_ctr_calc(good, total, ctr["prior_numerator"], ctr["prior_denomerator"],
                              ctr["shift"], ctr["scale"])

    def predict_raw(self, row):
        """row: list of strings (cat columns as text, float columns as text like "1.5"/"nan")."""
        ctr_values = {}
        bits = []
        for kind, a, b in self.bin_features:
            if kind == "float":
                bits.append(float_bit(float(row[a["flat_feature_index"]]), b, a["nan_value_treatment"]))
            elif kind == "onehot":
                bits.append(cat_hash(row[a["flat_feature_index"]]) == b)
            else:
                if a not in ctr_values:
                    ctr_values[a] = self.ctr_value(self.ctrs[a], row)
                bits.append(bool(ctr_values[a] > F32(b)))   # CTR values are binarized with >, no NaN
        total = 0.0
        for tree in self.trees:
            index = 0
            for depth, split in enumerate(tree["splits"]):
                index |= int(bits[split["split_index"]]) << depth
            total += tree["leaf_values"][index]
        return self.scale * total + self.bias


# ---------------------------------------------------------------------------------------------
# 4. Reader for .cbm (core flatbuffer + static_provider_v1 part)
# ---------------------------------------------------------------------------------------------
class FlatBuffer:
    """Just enough flatbuffers: tables, scalars (with schema defaults), vectors, strings."""

    def __init__(self, buf):
        self.b = buf

    def u32(self, p):
        return struct.unpack_from("<I", self.b, p)[0]

    def field(self, table, index):
        vtable = table - struct.unpack_from("<i", self.b, table)[0]
        vtable_size = struct.unpack_from("<H", self.b, vtable)[0]
        slot = 4 + 2 * index
        if slot >= vtable_size:
            return None
        offset = struct.unpack_from("<H", self.b, vtable + slot)[0]
        return None if offset == 0 else table + offset

    def scalar(self, table, index, fmt, default):
        p = self.field(table, index)
        return default if p is None else struct.unpack_from("<" + fmt, self.b, p)[0]

    def ref(self, table, index):
        p = self.field(table, index)
        return None if p is None else p + self.u32(p)

    def string(self, table, index):
        p = self.ref(table, index)
        return None if p is None else bytes(self.b[p + 4:p + 4 + self.u32(p)]).decode("utf-8")

    def vector(self, table, index, fmt):
        p = self.ref(table, index)
        if p is None:
            return []
        n = self.u32(p)
        size = struct.calcsize("<" + fmt)
        return [struct.unpack_from("<" + fmt, self.b, p + 4 + size * i) for i in range(n)]

    def bytes_vector(self, table, index):
        p = self.ref(table, index)
        return b"" if p is None else bytes(self.b[p + 4:p + 4 + self.u32(p)])

    def tables(self, table, index):
        p = self.ref(table, index)
        if p is None:
            return []
        return [p + 4 + 4 * i + self.u32(p + 4 + 4 * i) for i in range(self.u32(p))]

    def strings(self, table, index):
        return [bytes(self.b[q + 4:q + 4 + self.u32(q)]).decode("utf-8") for q in self.tables(table, index)]


# Field ids = declaration order in catboost/libs/model/flatbuffers/{model,features,ctr_data}.fbs
CORE = dict(FormatVersion=0, ModelTrees=1, InfoMap=2, ModelPartIds=3)
TREES = dict(ApproxDimension=0, TreeSplits=1, TreeSizes=2, TreeStartOffsets=3, CatFeatures=4,
             FloatFeatures=5, OneHotFeatures=6, CtrFeatures=7, LeafValues=8, LeafWeights=9,
             NonSymmetricStepNodes=10, NonSymmetricNodeIdToLeafId=11, TextFeatures=12,
             EstimatedFeatures=13, Scale=14, Bias=15, MultiBias=16, RepackedBins=17,
             EmbeddingFeatures=18)
FLOAT_FEATURE = dict(HasNans=0, Index=1, FlatIndex=2, Borders=3, FeatureId=4, NanValueTreatment=5)
CAT_FEATURE = dict(Index=0, FlatIndex=1, FeatureId=2, UsedInModel=3)
ONE_HOT_FEATURE = dict(Index=0, Values=1, StringValues=2)
FEATURE_COMBINATION = dict(CatFeatures=0, FloatSplits=1, OneHotSplits=2)
MODEL_CTR_BASE = dict(FeatureCombination=0, CtrType=1)
MODEL_CTR = dict(Base=0, TargetBorderIdx=1, PriorNum=2, PriorDenom=3, Shift=4, Scale=5)
CTR_FEATURE = dict(Ctr=0, Borders=1)
CTR_VALUE_TABLE = dict(ModelCtrBase=0, IndexHashRaw=1, CTRBlob=2, CounterDenominator=3, TargetClassesCount=4)
NAN_TREATMENT = {0: "AsIs", 1: "AsFalse", 2: "AsTrue"}
CTR_TYPE = {0: "Borders", 1: "Buckets", 2: "BinarizedTargetMeanValue", 3: "FloatTargetMeanValue",
            4: "Counter", 5: "FeatureFreq"}


def read_size(raw, pos):
    """util/ysaveload SaveSize/LoadSize: ui32, or 0xFFFFFFFF followed by a ui64."""
    n = struct.unpack_from("<I", raw, pos)[0]
    if n != 0xFFFFFFFF:
        return n, pos + 4
    return struct.unpack_from("<Q", raw, pos + 4)[0], pos + 12


def read_ctr_base(fb, t):
    comb = fb.ref(t, MODEL_CTR_BASE["FeatureCombination"])
    return {
        "cat_features": [v[0] for v in fb.vector(comb, FEATURE_COMBINATION["CatFeatures"], "i")],
        # struct TFloatSplit { Index:int; Border:float }, struct TOneHotSplit { Index:int; Value:int }
        "float_splits": [(i, b) for i, b in fb.vector(comb, FEATURE_COMBINATION["FloatSplits"], "if")],
        "one_hot_splits": [(i, v) for i, v in fb.vector(comb, FEATURE_COMBINATION["OneHotSplits"], "ii")],
        "type": CTR_TYPE[fb.scalar(t, MODEL_CTR_BASE["CtrType"], "b", 0)],
    }


def read_ctr_value_table(buf):
    """One TCtrValueTable flatbuffer (ctr_value_table.cpp TCtrValueTable::Save/LoadSolid)."""
    fb = FlatBuffer(buf)
    t = fb.u32(0)
    raw_index = fb.bytes_vector(t, CTR_VALUE_TABLE["IndexHashRaw"])
    assert len(raw_index) % 12 == 0
    # NCatboost::TBucket is #pragma pack(1) { ui64 Hash; ui32 IndexValue; } = 12 bytes; the bucket
    # count is a power of two (open addressing, linear probing; dense_hash_view.h).
    buckets = [struct.unpack_from("<QI", raw_index, 12 * i) for i in range(len(raw_index) // 12)]
    assert buckets and (len(buckets) & (len(buckets) - 1)) == 0
    return {
        "base": read_ctr_base(fb, fb.ref(t, CTR_VALUE_TABLE["ModelCtrBase"])),
        "buckets": buckets,
        "blob": fb.bytes_vector(t, CTR_VALUE_TABLE["CTRBlob"]),
        "counter_denominator": fb.scalar(t, CTR_VALUE_TABLE["CounterDenominator"], "i", 0),
        "target_classes_count": fb.scalar(t, CTR_VALUE_TABLE["TargetClassesCount"], "i", 0),
    }


def read_cbm(path):
    raw = open(path, "rb").read()
    assert raw[:4] == b"CBM1", raw[:4]
    size, start = read_size(raw, 4)
    fb = FlatBuffer(memoryview(raw)[start:start + size])
    core = fb.u32(0)
    m = {"format_version": fb.string(core, CORE["FormatVersion"]),
         "info": {fb.string(kv, 0): fb.string(kv, 1) for kv in fb.tables(core, CORE["InfoMap"])},
         "model_part_ids": fb.strings(core, CORE["ModelPartIds"])}
    assert m["format_version"] == "FlabuffersModel_v1"
    t = fb.ref(core, CORE["ModelTrees"])
    m["approx_dimension"] = fb.scalar(t, TREES["ApproxDimension"], "i", 0)
    m["tree_splits"] = [v[0] for v in fb.vector(t, TREES["TreeSplits"], "i")]
    m["tree_sizes"] = [v[0] for v in fb.vector(t, TREES["TreeSizes"], "i")]
    m["leaf_values"] = [v[0] for v in fb.vector(t, TREES["LeafValues"], "d")]
    m["scale"] = fb.scalar(t, TREES["Scale"], "d", 1.0)
    multi_bias = [v[0] for v in fb.vector(t, TREES["MultiBias"], "d")]
    m["bias"] = multi_bias[0] if multi_bias else fb.scalar(t, TREES["Bias"], "d", 0.0)
    # struct TRepackedBin { FeatureIndex:uint16; XorMask:uint8; SplitIdx:uint8 }
    m["repacked_bins"] = fb.vector(t, TREES["RepackedBins"], "HBB")
    m["float_features"] = [{
        "has_nans": bool(fb.scalar(f, FLOAT_FEATURE["HasNans"], "B", 0)),
        "index": fb.scalar(f, FLOAT_FEATURE["Index"], "i", -1),
        "flat_index": fb.scalar(f, FLOAT_FEATURE["FlatIndex"], "i", -1),
        "borders": [v[0] for v in fb.vector(f, FLOAT_FEATURE["Borders"], "f")],
        "feature_id": fb.string(f, FLOAT_FEATURE["FeatureId"]) or "",
        "nan_value_treatment": NAN_TREATMENT[fb.scalar(f, FLOAT_FEATURE["NanValueTreatment"], "b", 0)],
    } for f in fb.tables(t, TREES["FloatFeatures"])]
    m["cat_features"] = [{
        "index": fb.scalar(c, CAT_FEATURE["Index"], "i", -1),
        "flat_index": fb.scalar(c, CAT_FEATURE["FlatIndex"], "i", -1),
        "feature_id": fb.string(c, CAT_FEATURE["FeatureId"]) or "",
        "used_in_model": bool(fb.scalar(c, CAT_FEATURE["UsedInModel"], "B", 1)),
    } for c in fb.tables(t, TREES["CatFeatures"])]
    m["one_hot_features"] = [{
        "cat_feature_index": fb.scalar(o, ONE_HOT_FEATURE["Index"], "i", -1),
        "values": [v[0] for v in fb.vector(o, ONE_HOT_FEATURE["Values"], "i")],
    } for o in fb.tables(t, TREES["OneHotFeatures"])]
    m["ctr_features"] = []
    for c in fb.tables(t, TREES["CtrFeatures"]):
        ctr = fb.ref(c, CTR_FEATURE["Ctr"])
        m["ctr_features"].append({
            "base": read_ctr_base(fb, fb.ref(ctr, MODEL_CTR["Base"])),
            "target_border_idx": fb.scalar(ctr, MODEL_CTR["TargetBorderIdx"], "i", 0),
            "prior_num": fb.scalar(ctr, MODEL_CTR["PriorNum"], "f", 0.0),
            "prior_denom": fb.scalar(ctr, MODEL_CTR["PriorDenom"], "f", 1.0),
            "shift": fb.scalar(ctr, MODEL_CTR["Shift"], "f", 0.0),
            "scale": fb.scalar(ctr, MODEL_CTR["Scale"], "f", 1.0),
            "borders": [v[0] for v in fb.vector(c, CTR_FEATURE["Borders"], "f")],
        })
    # Model parts after the core, in ModelPartIds order (TFullModel::Save).  static_provider_v1 =
    # TCtrData::Save: SaveSize(table count), then per table SaveSize(n) + n bytes of a
    # TCtrValueTable flatbuffer, tables sorted by TModelCtrBase.
    pos = start + size
    m["ctr_tables"] = []
    for part in m["model_part_ids"]:
        assert part == "static_provider_v1", part
        count, pos = read_size(raw, pos)
        for _ in range(count):
            n, pos = read_size(raw, pos)
            m["ctr_tables"].append(read_ctr_value_table(raw[pos:pos + n]))
            pos += n
    assert pos == len(raw), (pos, len(raw))
    return m


def base_key(base):
    """A hashable identity for TModelCtrBase (projection + CTR type)."""
    return (tuple(base["cat_features"]),
            tuple((i, float(F32(b))) for i, b in base["float_splits"]),
            tuple(base["one_hot_splits"]), base["type"])


def table_entry(table, index, ctr_type):
    blob = table["blob"]
    if ctr_type in ("BinarizedTargetMeanValue", "FloatTargetMeanValue"):
        s, c = struct.unpack_from("<fi", blob, 8 * index)     # TCtrMeanHistory
        return [s, c]
    if ctr_type in ("Counter", "FeatureFreq"):
        return [struct.unpack_from("<i", blob, 4 * index)[0]]
    k = table["target_classes_count"]
    return list(struct.unpack_from("<%di" % k, blob, 4 * k * index))


def table_lookup(table, h):
    """TDenseIndexHashView::GetIndex: probe from h & mask until an empty bucket (hash 2^64-1)."""
    buckets = table["buckets"]
    mask = len(buckets) - 1
    i = h & mask
    while buckets[i][0] != EMPTY_BUCKET_HASH:
        if buckets[i][0] == h:
            return buckets[i][1]
        i = (i + 1) & mask
    return NOT_FOUND_INDEX


class CbmModel:
    """Evaluates like catboost/libs/model/cpu: quantize to bucket bytes (floats, then one-hot, then
    CTRs), then test each split with its RepackedBin: ((byte ^ XorMask) >= SplitIdx)."""

    def __init__(self, m):
        self.m = m
        self.tables = {base_key(t["base"]): t for t in m["ctr_tables"]}
        self.cat_flat = {c["index"]: c["flat_index"] for c in m["cat_features"]}
        # bucket layout (TModelTrees::CalcBinFeatures): used float features, then one-hot, then CTRs;
        # ceil(n / 254) byte buckets per feature.
        self.float_bucket = {}      # (float feature index, float32 border) -> (bucket, 1-based value)
        self.one_hot_bucket = {}    # (cat feature index, int32 value)      -> (bucket, 1-based value)
        bucket = 0
        for f in m["float_features"]:
            for j, b in enumerate(f["borders"]):
                self.float_bucket[(f["index"], float(F32(b)))] = (bucket + j // MAX_VALUES_PER_BIN,
                                                                 j % MAX_VALUES_PER_BIN + 1)
            bucket += -(-len(f["borders"]) // MAX_VALUES_PER_BIN)
        for o in m["one_hot_features"]:
            for j, v in enumerate(o["values"]):
                self.one_hot_bucket[(o["cat_feature_index"], v)] = (bucket + j // MAX_VALUES_PER_BIN,
                                                                    j % MAX_VALUES_PER_BIN + 1)
            bucket += -(-len(o["values"]) // MAX_VALUES_PER_BIN)
        self.bucket_count_before_ctrs = bucket

    def quantize(self, row):
        m = self.m
        out = []
        for f in m["float_features"]:                       # cpu/quantization.h BinarizeFloats
            if not f["borders"]:
                continue
            x = float(row[f["flat_index"]])
            if math.isnan(x) and f["nan_value_treatment"] != "AsIs":
                x = -math.inf if f["nan_value_treatment"] == "AsFalse" else math.inf
            x = F32(x)
            for s in range(0, len(f["borders"]), MAX_VALUES_PER_BIN):
                out.append(sum(1 for b in f["borders"][s:s + MAX_VALUES_PER_BIN] if x > F32(b)))
        hashes = {c["index"]: cat_hash(row[c["flat_index"]]) for c in m["cat_features"]}
        for o in m["one_hot_features"]:                     # OneHotBinsFromTransposedCatFeatures
            h = hashes[o["cat_feature_index"]]
            h = h - (1 << 32) if h >= 0x80000000 else h     # compared as int32
            for s in range(0, len(o["values"]), MAX_VALUES_PER_BIN):
                block = o["values"][s:s + MAX_VALUES_PER_BIN]
                out.append(block.index(h) + 1 if h in block else 0)
        assert len(out) == self.bucket_count_before_ctrs
        for c in m["ctr_features"]:                         # CalcCtrs, then BinarizeFloats<false>
            v = self.ctr_value(c, out, hashes)
            for s in range(0, len(c["borders"]), MAX_VALUES_PER_BIN):
                out.append(sum(1 for b in c["borders"][s:s + MAX_VALUES_PER_BIN] if v > F32(b)))
        return out

    def ctr_value(self, c, buckets, hashes):
        base = c["base"]
        h = 0                                               # ctr_provider.h CalcHashes
        for cat in base["cat_features"]:
            h = calc_hash(h, sign_extend_hash(hashes[cat]))
        for index, border in base["float_splits"]:
            bucket, value = self.float_bucket[(index, float(F32(border)))]
            h = calc_hash(h, int(buckets[bucket] >= value))
        for index, value in base["one_hot_splits"]:
            bucket, v = self.one_hot_bucket[(index, value)]
            h = calc_hash(h, int(buckets[bucket] == v))
        table = self.tables[base_key(base)]
        i = table_lookup(table, h)
        entry = None if i == NOT_FOUND_INDEX else table_entry(table, i, base["type"])
        good, total = ctr_good_total(base["type"], c["target_border_idx"], entry, table["counter_denominator"])
        return model_ctr_calc(good, total, c["prior_num"], c["prior_denom"], c["shift"], c["scale"])

    def predict_raw(self, row):
        m = self.m
        buckets = self.quantize(row)
        total, pos, leaf = 0.0, 0, 0
        for depth in m["tree_sizes"]:
            index = 0
            for k in range(depth):
                feature, xor_mask, split_idx = m["repacked_bins"][pos + k]
                index |= int((buckets[feature] ^ xor_mask) >= split_idx) << k
            total += m["leaf_values"][leaf + index]
            leaf += (1 << depth) * m["approx_dimension"]
            pos += depth
        return m["scale"] * total + m["bias"]


# ---------------------------------------------------------------------------------------------
# 5. .cbm == JSON
# ---------------------------------------------------------------------------------------------
def json_hash_map_from_cbm_table(table):
    """Rebuilds ctr_data[...]["hash_map"] exactly as json_model_helpers.cpp ConvertCtrsToJson
    writes it: buckets in index order, each distinct hash once (so of the empty buckets, which
    all hold hash 2^64-1 and index 0, only the first is written, with entry 0's numbers)."""
    ctr_type = table["base"]["type"]
    out, seen = [], set()
    for h, index in table["buckets"]:
        if index == NOT_FOUND_INDEX or h in seen:
            continue
        seen.add(h)
        out.append(str(h))
        out += table_entry(table, index, ctr_type)
    return out, len(seen)


def json_elements_to_base(elements, ctr_type):
    return {
        "cat_features": [e["cat_feature_index"] for e in elements if e["combination_element"] == "cat_feature_value"],
        "float_splits": [(e["float_feature_index"], e["border"]) for e in elements
                         if e["combination_element"] == "float_feature"],
        "one_hot_splits": [(e["cat_feature_index"], e["value"]) for e in elements
                           if e["combination_element"] == "cat_feature_exact_value"],
        "type": ctr_type,
    }


def compare_cbm_with_json(m, path_json):
    with open(path_json, encoding="utf-8") as f:
        j = json.load(f)
    problems = []

    def check(what, ok):
        if not ok:
            problems.append(what)

    info = j["features_info"]
    trees = [dict(t, splits=t.get("splits") or []) for t in j["oblivious_trees"]]
    check("leaf values", m["leaf_values"] == [v for t in trees for v in t["leaf_values"]])
    check("tree splits", m["tree_splits"] == [s["split_index"] for t in trees for s in t["splits"]])
    check("tree sizes", m["tree_sizes"] == [len(t["splits"]) for t in trees])
    check("scale and bias", [m["scale"], [m["bias"]]] == j["scale_and_bias"])
    jf = info.get("float_features", [])
    check("float features", [(f["index"], f["flat_index"], f["has_nans"], f["nan_value_treatment"],
                              [float(F32(b)) for b in f["borders"]]) for f in m["float_features"]]
          == [(f["feature_index"], f["flat_feature_index"], f["has_nans"], f["nan_value_treatment"],
               [float(F32(b)) for b in f["borders"]]) for f in jf])
    jc = info.get("categorical_features", [])
    check("cat features", [(c["index"], c["flat_index"], c["feature_id"]) for c in m["cat_features"]]
          == [(c["feature_index"], c["flat_feature_index"], c["feature_id"]) for c in jc])
    check("one-hot values", {o["cat_feature_index"]: o["values"] for o in m["one_hot_features"]}
          == {c["feature_index"]: c["values"] for c in jc if "values" in c})
    jctrs = info.get("ctrs", [])
    check("ctr feature count", len(m["ctr_features"]) == len(jctrs))
    for c, jc_ in zip(m["ctr_features"], jctrs):
        check("ctr feature", base_key(c["base"]) == base_key(json_elements_to_base(jc_["elements"], jc_["ctr_type"]))
              and c["target_border_idx"] == jc_["target_border_idx"]
              and F32(c["prior_num"]) == F32(jc_["prior_numerator"])
              and F32(c["prior_denom"]) == F32(jc_["prior_denomerator"])
              and F32(c["shift"]) == F32(jc_["shift"]) and F32(c["scale"]) == F32(jc_["scale"])
              and [F32(b) for b in c["borders"]] == [F32(b) for b in jc_["borders"]])
    jdata = j.get("ctr_data", {})
    check("ctr table count", len(m["ctr_tables"]) == len(jdata))
    json_tables = {base_key(json_elements_to_base(json.loads(k)["identifier"], json.loads(k)["type"])): v
                   for k, v in jdata.items()}
    for t in m["ctr_tables"]:
        jt = json_tables.get(base_key(t["base"]))
        if jt is None:
            check("ctr table present in JSON", False)
            continue
        flat, distinct = json_hash_map_from_cbm_table(t)
        stride = len(flat) // distinct
        jflat = [int(v) if isinstance(v, str) else v for v in jt["hash_map"]]
        flat = [int(v) if isinstance(v, str) else v for v in flat]
        same = len(flat) == len(jflat) and all(
            (F32(a) == F32(b)) if isinstance(a, float) else a == b for a, b in zip(flat, jflat))
        check(f"ctr table {t['base']['type']} {t['base']['cat_features']}", same
              and stride == jt["hash_stride"] and t["counter_denominator"] == jt["counter_denominator"]
              and (t["base"]["type"] not in ("Borders", "Buckets") or t["target_classes_count"] == stride - 1))
    return problems


# ---------------------------------------------------------------------------------------------
# 6. Driver
# ---------------------------------------------------------------------------------------------
def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [row for row in csv.reader(f)]


def relative_error(mine, theirs):
    return abs(mine - theirs) / max(1.0, abs(theirs))


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR
    worst, failures = 0.0, []
    cases = sorted(os.path.basename(p)[:-len("_expected.txt")]
                   for p in glob.glob(os.path.join(directory, "*_expected.txt")))
    assert cases, f"no fixtures in {directory}"
    for case in cases:
        base = os.path.join(directory, case)
        rows = read_rows(base + "_features.csv")
        expected = [tuple(map(float, line.split(","))) for line in open(base + "_expected.txt")]
        cat_columns = [int(v) for v in open(base + "_catcolumns.txt").read().strip().split(",")]
        assert len(rows) == len(expected), case
        jm = JsonModel(base + ".json")
        assert sorted(c["flat_feature_index"] for c in jm.cat_features) == cat_columns, case
        cbm = read_cbm(base + ".cbm")
        cm = CbmModel(cbm)
        problems = compare_cbm_with_json(cbm, base + ".json")
        if problems:
            failures.append(f"{case}: .cbm differs from .json: {problems}")
        err = {"json raw": 0.0, "cbm raw": 0.0, "predict": 0.0}
        for row, (raw, pred) in zip(rows, expected):
            a, b = jm.predict_raw(row), cm.predict_raw(row)
            err["json raw"] = max(err["json raw"], relative_error(a, raw))
            err["cbm raw"] = max(err["cbm raw"], relative_error(b, raw))
            err["predict"] = max(err["predict"], relative_error(transform(jm.loss, a), pred))
        case_worst = max(err.values())
        worst = max(worst, case_worst)
        if case_worst > 1e-9:
            failures.append(f"{case}: error {case_worst:.3e}")
        print(f"{case:28s} rows={len(rows):5d} trees={len(jm.trees):3d} ctrs={len(jm.ctrs):3d} "
              f"tables={len(cbm['ctr_tables']):3d} loss={jm.loss:9s} max rel. error: "
              + " ".join(f"{k}={v:.1e}" for k, v in err.items()))
    vectors = os.path.join(directory, "hash_vectors.csv")
    with open(vectors, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        assert next(reader) == ["text", "hash"]
        pairs = [(text, int(h)) for text, h in reader]
    bad = [text for text, h in pairs if cat_hash(text) != h]
    print(f"hash_vectors.csv: {len(pairs)} strings, {len(bad)} mismatches")
    if bad:
        failures.append(f"hash_vectors.csv: {len(bad)} mismatches, e.g. {bad[:3]!r}")
    for failure in failures:
        print("FAIL", failure)
    print("OK" if not failures else "FAIL", f"worst relative error {worst:.3e}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
