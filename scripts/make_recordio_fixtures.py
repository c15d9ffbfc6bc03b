#!/usr/bin/env python3
"""Generates the RecordIO-protobuf fixtures in Tests/ServeTests/Fixtures (seeded, deterministic).

Bodies are written the way the SageMaker Python SDK writes them for `application/x-recordio-protobuf`
(sagemaker.amazon.common, i.e. sagemaker/serializer_utils.py in SDK v2): `write_numpy_to_dense_tensor`
puts each row of a 2-D numpy array in one Record as features["values"] (Int32Tensor for integer
arrays, Float64Tensor for float64, Float32Tensor for float32; with labels, label["values"] holds the
row's label), and `write_spmatrix_to_sparse_tensor` writes each row of a scipy sparse matrix as the
row's stored values, their column indexes as `keys` (uint64) and `shape` = [column count].
`_write_recordio` frames each serialized Record: magic 0xced7230a, length, payload, zero padding to 4.
The writers below restate those functions (the full `sagemaker` package is a heavy install); the
Record classes come from compiling Sources/Serve/Protobuf/record.proto with grpcio-tools' protoc.

The "multipart" case is framed as MXNet's dmlc-core writer does (src/recordio.cc,
RecordIOWriter::WriteRecord): a payload holding the magic at a 4-aligned offset is split there into
parts with continuation flags 1, 2, 3, the magic itself dropped.

For each case it writes:
  <case>.recordio        the request body
  <case>_expected.csv    the rows a reader must decode: one line per record, the float32 values
                         as Python reprs of their exact doubles, absent sparse columns 0, NaN "nan"

The 3-column bodies are also the seeds of the recordio fuzz target (Fuzz/corpus/recordio).

Usage: pip install grpcio-tools numpy scipy; python3 scripts/make_recordio_fixtures.py [output-dir]
"""
import importlib
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import scipy.sparse

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests", "ServeTests", "Fixtures")
PROTO = os.path.join(ROOT, "Sources", "Serve", "Protobuf", "record.proto")
MAGIC = 0xCED7230A


def compile_record_proto():
    """record_pb2 from our record.proto (the SDK's wire schema), compiled into a temporary folder."""
    target = tempfile.mkdtemp(prefix="record_pb2_")
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "-I" + os.path.dirname(PROTO), "--python_out=" + target, PROTO],
        check=True)
    sys.path.insert(0, target)
    return importlib.import_module("record_pb2")


record_pb2 = compile_record_proto()


def frame(payload, flag=0):
    """One RecordIO frame, as the SDK's _write_recordio (flag 0) or one part of dmlc's writer."""
    header = struct.pack("<II", MAGIC, (flag << 29) | len(payload))
    return header + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def tensor(value, dtype):
    """The Value field the SDK's _resolve_type picks for a numpy dtype."""
    if dtype == np.dtype(int):
        return value.int32_tensor
    if dtype == np.dtype(float):
        return value.float64_tensor
    if dtype == np.dtype("float32"):
        return value.float32_tensor
    raise ValueError("unsupported dtype %s" % dtype)


def dense_records(array, labels=None):
    """write_numpy_to_dense_tensor: one Record per row, features["values"].values = the row."""
    records = []
    for index, row in enumerate(array):
        record = record_pb2.Record()
        tensor(record.features["values"], array.dtype).values.extend(row)
        if labels is not None:
            tensor(record.label["values"], labels.dtype).values.extend([labels[index]])
        records.append(record.SerializeToString())
    return records


def sparse_records(matrix):
    """write_spmatrix_to_sparse_tensor: values = stored entries, keys = their columns, shape = [columns]."""
    csr = matrix.tocsr()
    records = []
    for row_index in range(csr.shape[0]):
        record = record_pb2.Record()
        row = csr.getrow(row_index)
        tensor(record.features["values"], csr.dtype).values.extend(row.data)
        tensor(record.features["values"], csr.dtype).keys.extend(row.indices.astype(np.uint64))
        tensor(record.features["values"], csr.dtype).shape.extend([csr.shape[1]])
        records.append(record.SerializeToString())
    return records


def dmlc_frames(payload):
    """RecordIOWriter::WriteRecord: split at each 4-aligned magic, which is dropped."""
    magic = struct.pack("<I", MAGIC)
    parts, start = [], 0
    for offset in range(0, len(payload) - len(payload) % 4, 4):
        if payload[offset:offset + 4] == magic:
            parts.append(payload[start:offset])
            start = offset + 4
    parts.append(payload[start:])
    if len(parts) == 1:
        return frame(payload)
    flags = [1] + [2] * (len(parts) - 2) + [3]
    return b"".join(frame(part, flag) for part, flag in zip(parts, flags))


def expected_text(rows):
    def text(value):
        return "nan" if np.isnan(value) else repr(float(np.float32(value)))
    return "".join(",".join(text(v) for v in row) + "\n" for row in rows)


def write_case(name, body, rows):
    with open(os.path.join(OUT, name + ".recordio"), "wb") as f:
        f.write(body)
    with open(os.path.join(OUT, name + "_expected.csv"), "w") as f:
        f.write(expected_text(rows))


def multipart_case(rng):
    """A dense float32 row holding the magic's bit pattern as a value at a 4-aligned payload offset
    (the column count is searched for that alignment), then an ordinary row."""
    magic_value = np.frombuffer(struct.pack("<I", MAGIC), dtype=np.float32)[0]
    for columns in range(3, 64):
        array = rng.normal(size=(2, columns)).astype(np.float32)
        array[0, 1] = magic_value
        payloads = dense_records(array)
        if payloads[0].find(struct.pack("<I", MAGIC)) % 4 == 0:
            return b"".join(dmlc_frames(p) for p in payloads), array
    raise RuntimeError("no column count puts the magic at an aligned offset")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240611)

    dense32 = np.round(rng.normal(size=(5, 3)), 3).astype(np.float32)
    dense32[2, 1] = np.nan
    write_case("dense_float32", b"".join(frame(p) for p in dense_records(dense32)), dense32)

    dense64 = rng.normal(size=(4, 3))
    labels = rng.normal(size=4)
    write_case("dense_float64_labeled", b"".join(frame(p) for p in dense_records(dense64, labels)), dense64)

    dense_int = rng.integers(-5, 6, size=(4, 3))
    write_case("dense_int32", b"".join(frame(p) for p in dense_records(dense_int)), dense_int)

    sparse_rows = scipy.sparse.random(6, 7, density=0.3, random_state=7, dtype=np.float32).toarray()
    sparse_rows = np.round(sparse_rows * 10, 2).astype(np.float32)
    sparse_rows[3, :] = 0  # an all-zero row: no keys, no values, only the shape
    sparse = scipy.sparse.csr_matrix(sparse_rows)
    assert sparse.getrow(3).nnz == 0
    write_case("sparse_float32", b"".join(frame(p) for p in sparse_records(sparse)), sparse.toarray())

    sparse64 = scipy.sparse.random(3, 5, density=0.4, random_state=11, dtype=np.float64, format="csr")
    write_case("sparse_float64", b"".join(frame(p) for p in sparse_records(sparse64)), sparse64.toarray())

    sparse_int = scipy.sparse.csr_matrix(np.array([[0, 3, 0], [-2, 0, 0], [0, 0, 0], [1, 1, 7]]))
    write_case("sparse_int32", b"".join(frame(p) for p in sparse_records(sparse_int)), sparse_int.toarray())

    body, rows = multipart_case(rng)
    write_case("multipart", body, rows)


if __name__ == "__main__":
    main()
