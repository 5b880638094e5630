#!/usr/bin/env python3
"""Writes the safetensors compatibility golden for @evejs/tensor.

    python3 tools/safetensors-fixtures/make_golden.py

Outputs, in packages/tensor/test/fixtures/safetensors/: golden.safetensors (every dtype evejs reads,
I64 included, a scalar and an empty tensor, `{"format": "pt"}` metadata), golden-without-i64.safetensors
(the same minus the I64 tensor, since evejs never writes I64), and golden.json (the values as exact
bit patterns, plus provenance).

Provenance, honestly: the Python `safetensors` library is not installable on our machines (Debian
bookworm has no python3-safetensors and PyPI is not reachable), so this script serialises with its
own ~30 lines that follow the reference writer (huggingface/safetensors
`safetensors/src/tensor.rs`, `prepare` + `serialize`): tensors sorted by descending position in
the reference `Dtype` enum, then by name (UTF-8 byte order); compact JSON with `__metadata__` first;
header padded with spaces to a multiple of 8. Before writing anything, `serialize` is checked
against byte strings that the reference's own test suites assert (tensor.rs `test_serialization`,
`test_empty`, `test_serialization_forced_alignement`; bindings/python/tests/test_pt_comparison.py
`test_serialization`), so the golden is as trustworthy as those vectors cover. Values come from
torch with a fixed seed, so the f16/bf16 bit patterns are torch's own roundings.
"""
import json
import os
import platform
import struct
import sys

import torch

SEED = 20240611
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "packages", "tensor", "test", "fixtures", "safetensors")

# The reference Dtype enum, in order (increasing alignment); the writer sorts by descending position.
ENUM_ORDER = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
              "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64",
              "F64", "I64", "U64"]
TORCH_DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int32: "I32",
               torch.int64: "I64", torch.uint8: "U8", torch.bool: "BOOL"}


def serialize(tensors, metadata=None):
    """tensors: {name: (file dtype, shape, little-endian bytes)} -> file bytes, as the reference writes."""
    items = sorted(tensors.items(), key=lambda kv: (-ENUM_ORDER.index(kv[1][0]), kv[0].encode("utf-8")))
    header = {}
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    for name, (dtype, shape, data) in items:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(data for _, (_, _, data) in items)


def check_against_reference_vectors():
    f32 = struct.pack("<6f", 0, 1, 2, 3, 4, 5)
    # tensor.rs test_serialization
    assert serialize({"attn.0": ("F32", [1, 2, 3], f32)}) == bytes(
        [64, 0, 0, 0, 0, 0, 0, 0]) + b'{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}' + f32
    # tensor.rs test_serialization_forced_alignement
    assert serialize({"attn0": ("F32", [1, 1, 2, 3], f32)}) == bytes(
        [72, 0, 0, 0, 0, 0, 0, 0]) + b'{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' + b" " * 7 + f32
    # tensor.rs test_empty
    assert serialize({}) == bytes([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
    assert serialize({}, {"framework": "pt"}) == bytes(
        [40, 0, 0, 0, 0, 0, 0, 0]) + b'{"__metadata__":{"framework":"pt"}}' + b" " * 5
    # test_pt_comparison.py test_serialization
    assert serialize({"test": ("I32", [2, 2], bytes(16))}) == (
        b'@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    ' + bytes(16))
    bf16 = torch.ones((2, 2), dtype=torch.bfloat16)
    bf16[0, 0] = 2.25
    assert serialize({"test": ("BF16", [2, 2], raw(bf16))}) == (
        b'@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}    \x10@\x80?\x80?\x80?')


def raw(t):
    """A tensor's bytes, little-endian (torch's in-memory layout on little-endian hosts)."""
    assert sys.byteorder == "little"
    t = t.contiguous()
    view = {torch.bfloat16: torch.int16, torch.float16: torch.int16, torch.bool: torch.uint8}.get(t.dtype)
    return (t.view(view) if view else t).numpy().tobytes()


def bits(t):
    """Exact values for the JSON sidecar: float bit patterns as unsigned ints, integers as ints."""
    if t.dtype == torch.float32:
        return [v & 0xFFFFFFFF for v in t.reshape(-1).view(torch.int32).tolist()]
    if t.dtype in (torch.float16, torch.bfloat16):
        return [v & 0xFFFF for v in t.reshape(-1).view(torch.int16).tolist()]
    return [int(v) for v in t.reshape(-1).tolist()]


def make_tensors():
    g = torch.Generator().manual_seed(SEED)
    i64 = torch.randint(-(2**31), 2**31, (4,), generator=g, dtype=torch.int64)
    i64[0], i64[1] = -(2**31), 2**31 - 1  # the i32 range's ends must survive the I64 -> i32 narrowing
    return {
        "model.embed.weight": torch.randn(3, 5, generator=g),  # F32, odd sizes
        "model.norm.weight": torch.randn(7, generator=g).to(torch.float16),
        "model.layers.0.mlp.weight": torch.randn(2, 3, 2, generator=g).to(torch.bfloat16),
        "model.layers.0.mlp.bias": (torch.randn(3, generator=g) * 1e4).to(torch.bfloat16),
        "positions": torch.randint(-(2**31), 2**31, (5,), generator=g, dtype=torch.int32),
        "position_ids": i64,
        "pixels": torch.randint(0, 256, (2, 3, 1), generator=g, dtype=torch.uint8),
        "mask": torch.rand(3, 3, generator=g) > 0.5,
        "logit_scale": torch.randn((), generator=g),  # scalar, shape []
        "empty": torch.empty(0, 4),  # no elements
    }


def main():
    check_against_reference_vectors()
    tensors = make_tensors()
    metadata = {"format": "pt"}
    data = serialize({k: (TORCH_DTYPE[t.dtype], list(t.shape), raw(t)) for k, t in tensors.items()}, metadata)
    # The same minus the I64 tensor: what evejs' Tensor-level writer can reproduce (it never writes I64).
    writable = serialize({k: (TORCH_DTYPE[t.dtype], list(t.shape), raw(t))
                          for k, t in tensors.items() if t.dtype != torch.int64}, metadata)
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "golden.safetensors"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT_DIR, "golden-without-i64.safetensors"), "wb") as f:
        f.write(writable)
    sidecar = {
        "generator": "tools/safetensors-fixtures/make_golden.py",
        "seed": SEED,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "writer": "this script's reference-following serializer (the safetensors library was not available)",
        "metadata": metadata,
        "tensors": {k: {"dtype": TORCH_DTYPE[t.dtype], "shape": list(t.shape), "values": bits(t)}
                    for k, t in tensors.items()},
    }
    with open(os.path.join(OUT_DIR, "golden.json"), "w") as f:
        json.dump(sidecar, f, indent=1)
        f.write("\n")
    print(f"wrote golden.safetensors ({len(data)} bytes) and golden.json to {os.path.normpath(OUT_DIR)}")


if __name__ == "__main__":
    main()
