"""Minimal safetensors writer/reader (the format: u64 little-endian header length, JSON header, raw little-endian data).

Written here so the parity scripts need only torch/numpy; the fixtures it writes are read by the C# tests.
"""
import json
import struct

import numpy as np
import torch

_DTYPES = {torch.float32: ("F32", np.float32), torch.float64: ("F64", np.float64), torch.int64: ("I64", np.int64)}


def save(tensors: dict, path: str, metadata: dict = None) -> None:
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        code, np_type = _DTYPES[t.dtype]
        data = t.numpy().astype(np_type).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def load(path: str) -> dict:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        np_type = {"F32": np.float32, "F64": np.float64, "I64": np.int64}[info["dtype"]]
        b, e = info["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[b:e], dtype=np_type).copy().reshape(info["shape"]))
    return out
