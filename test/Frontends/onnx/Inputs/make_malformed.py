#!/usr/bin/env python3
"""Writes the malformed ONNX models of malformed.test into a directory, one
`<case>.onnx` per case below: each is the smallest model of one crash class
the importer must refuse with a message (issue 17).

    python3 make_malformed.py OUT_DIR

Standard library only (the python3 that lit runs has no onnx package): the
protobuf encoding is written here, with the field numbers of onnx.proto.
"""
import math
import os
import struct
import sys

FLOAT, INT64, BOOL = 1, 7, 9  # TensorProto.DataType


def varint(n):
    n &= (1 << 64) - 1  # a negative int64 is its two's complement
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def num(field, n):
    return varint(field << 3) + varint(n)


def message(field, payload):
    payload = payload.encode() if isinstance(payload, str) else payload
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def tensor(name, dtype, dims, values):
    """A TensorProto with its values as raw_data."""
    fmt = {FLOAT: "f", INT64: "q", BOOL: "?"}[dtype]
    raw = struct.pack("<%d%s" % (len(values), fmt), *values)
    return (b"".join(num(1, d) for d in dims) + num(2, dtype) + message(8, name) +
            message(9, raw))


def attribute(name, value):
    """An AttributeProto: an int, a float, a list of ints or a tensor."""
    a = message(1, name)
    if isinstance(value, float):
        return a + num(20, 1) + varint(2 << 3 | 5) + struct.pack("<f", value)
    if isinstance(value, int):
        return a + num(20, 2) + num(3, value)
    if isinstance(value, list):
        return a + num(20, 7) + b"".join(num(8, v) for v in value)
    return a + num(20, 4) + message(5, value)


def node(op, inputs, outputs, **attributes):
    """A NodeProto named after its first output."""
    return (b"".join(message(1, i) for i in inputs) + b"".join(message(2, o) for o in outputs) +
            message(3, outputs[0]) + message(4, op) +
            b"".join(message(5, attribute(k, v)) for k, v in attributes.items()))


def value(name, dims=None, dtype=FLOAT):
    """A ValueInfoProto of a float tensor; dims None gives it no shape."""
    tensor_type = num(1, dtype)
    if dims is not None:
        tensor_type += message(2, b"".join(message(1, num(1, d)) for d in dims))
    return message(1, name) + message(2, message(1, tensor_type))


def model(nodes, inputs=(), outputs=("y",), initializers=()):
    graph = (b"".join(message(1, n) for n in nodes) + message(2, "g") +
             b"".join(message(5, t) for t in initializers) +
             b"".join(message(11, v) for v in inputs) +
             b"".join(message(12, message(1, o)) for o in outputs))
    return num(1, 8) + message(8, num(2, 17)) + message(7, graph)


def f32(name, dims, values=None):
    n = math.prod(dims)
    return tensor(name, FLOAT, dims, values if values is not None else [1.0] * n)


def i64(name, values, dims=None):
    return tensor(name, INT64, [len(values)] if dims is None else dims, values)


BIG = 1 << 40
X = [value("x", [2, 3])]  # a graph input: its nodes are emitted, not folded

CASES = {
    # Import-time folding (every input a constant).
    "concat_dims": model([node("Concat", ["a", "b"], ["y"], axis=0)],
                         initializers=[f32("a", [2, 3]), f32("b", [2, 4])]),
    "concat_scalar": model([node("Concat", ["a", "a"], ["y"], axis=0)],
                           initializers=[f32("a", [])]),
    "concat_empty_input": model([node("Concat", ["a", "", "a"], ["y"], axis=0)],
                                initializers=[f32("a", [2])]),
    "gather_scalar": model([node("Gather", ["a", "i"], ["y"])],
                           initializers=[f32("a", []), i64("i", [0])]),
    "squeeze_scalar": model([node("Squeeze", ["a", "axes"], ["y"])],
                            initializers=[f32("a", []), i64("axes", [0])]),
    "transpose_short": model([node("Transpose", ["a"], ["y"], perm=[0])],
                             initializers=[f32("a", [2, 3])]),
    "transpose_repeated": model([node("Transpose", ["a"], ["y"], perm=[1, 1])],
                                initializers=[f32("a", [2, 3])]),
    "transpose_range": model([node("Transpose", ["a"], ["y"], perm=[0, 7])],
                             initializers=[f32("a", [2, 3])]),
    "reshape_one_input": model([node("Reshape", ["a"], ["y"])], initializers=[f32("a", [2, 3])]),
    "range_two_inputs": model([node("Range", ["s", "l"], ["y"])],
                              initializers=[f32("s", []), f32("l", [], [4.0])]),
    "slice_empty_ends": model([node("Slice", ["a", "s", ""], ["y"])],
                              initializers=[f32("a", [4]), i64("s", [1])]),
    # The two sizes multiply to 6 modulo 2^64.
    "reshape_overflow": model([node("Reshape", ["a", "s"], ["y"])],
                              initializers=[f32("a", [2, 3]),
                                            i64("s", [(1 << 33) + 3, 6148914685509894146])]),
    # A shape computed by a product that overflows int64 (wrapped, 1 << 62
    # times 4 is 0).
    "mul_overflow": model([node("Mul", ["s1", "s2"], ["s"]), node("Reshape", ["a", "s"], ["y"])],
                          initializers=[f32("a", [2, 3]), i64("s1", [1 << 62, 1]),
                                        i64("s2", [4, 6])]),
    "slice_axis": model([node("Slice", ["a", "s", "e", "ax"], ["y"])],
                        initializers=[f32("a", [4]), i64("s", [0]), i64("e", [2]),
                                      i64("ax", [3])]),
    "unsqueeze_axis": model([node("Unsqueeze", ["a", "axes"], ["y"])],
                            initializers=[f32("a", [2]), i64("axes", [5])]),
    "gather_index": model([node("Gather", ["a", "i"], ["y"])],
                          initializers=[f32("a", [3]), i64("i", [3])]),
    "split_negative": model([node("Split", ["a", "s"], ["y", "z"])], outputs=("y", "z"),
                            initializers=[f32("a", [4]), i64("s", [5, -1])]),
    "constantofshape_huge": model([node("ConstantOfShape", ["s"], ["y"])],
                                  initializers=[i64("s", [BIG, BIG])]),
    "constantofshape_large": model([node("ConstantOfShape", ["s"], ["y"])],
                                   initializers=[i64("s", [1 << 20, 1 << 20])]),
    "constantofshape_negative": model([node("ConstantOfShape", ["s"], ["y"])],
                                      initializers=[i64("s", [2, -3])]),
    "constantofshape_no_value": model(
        [node("ConstantOfShape", ["s"], ["y"], value=tensor("v", FLOAT, [0], []))],
        initializers=[i64("s", [2])]),
    "expand_huge": model([node("Expand", ["a", "s"], ["y"])],
                         initializers=[f32("a", [1]), i64("s", [BIG, BIG])]),
    "expand_negative": model([node("Expand", ["a", "s"], ["y"])],
                             initializers=[f32("a", [1]), i64("s", [-2])]),
    "range_huge": model([node("Range", ["s", "l", "d"], ["y"])],
                        initializers=[f32("s", [], [0.0]), f32("l", [], [1e30]),
                                      f32("d", [], [1.0])]),
    "range_nan": model([node("Range", ["s", "l", "d"], ["y"])],
                       initializers=[f32("s", [], [0.0]), f32("l", [], [math.nan]),
                                     f32("d", [], [1.0])]),
    "range_empty_start": model([node("Range", ["s", "l", "d"], ["y"])],
                               initializers=[f32("s", [0], []), f32("l", [], [4.0]),
                                             f32("d", [], [1.0])]),
    "trilu_empty_k": model([node("Trilu", ["a", "k"], ["y"])],
                           initializers=[f32("a", [2, 2]), i64("k", [], [0])]),
    # 2^26 elements: more than folding holds on the host (as doubles).
    "add_broadcast_large": model([node("Add", ["a", "b"], ["y"])],
                                 initializers=[f32("a", [8192, 1], list(range(8192))),
                                               f32("b", [1, 8192], list(range(8192)))]),
    # Emitted nodes (an input is a graph input).
    "emit_transpose": model([node("Transpose", ["x"], ["y"], perm=[2, 0])], inputs=X),
    "emit_shape_empty": model([node("Shape", [""], ["y"])], inputs=X),
    "emit_pow_empty": model([node("Pow", ["x", ""], ["y"])], inputs=X),
    "emit_concat_dims": model([node("Concat", ["x", "a"], ["y"], axis=0)], inputs=X,
                              initializers=[f32("a", [2, 4])]),
    "emit_gemm_scalar": model([node("Gemm", ["a", "x"], ["y"])], inputs=X,
                              initializers=[f32("a", [])]),
    "emit_matmul_scalar": model([node("MatMul", ["x", "a"], ["y"])], inputs=X,
                                initializers=[f32("a", [])]),
    "emit_layernorm_scale": model([node("LayerNormalization", ["x", "s"], ["y"])], inputs=X,
                                  initializers=[f32("s", [4, 3])]),
    "emit_gather_none": model([node("Gather", ["x", "i"], ["y"])], inputs=X,
                              initializers=[i64("i", [], [0])]),
    # Attributes, graph inputs and names.
    "float_attribute": model([node("Concat", ["x", "x"], ["y"], axis=1.0)], inputs=X),
    "input_shapeless": model([node("Neg", ["x"], ["y"])], inputs=[value("x")]),
    "input_negative": model([node("Neg", ["x"], ["y"])], inputs=[value("x", [2, -3])]),
    "input_huge": model([node("Neg", ["x"], ["y"])], inputs=[value("x", [BIG, BIG])]),
    "duplicate_output": model([node("Neg", ["x"], ["y"])], inputs=X, outputs=("y", "y")),
    "redefined_value": model([node("Neg", ["x"], ["y"]), node("Abs", ["x"], ["y"])], inputs=X),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in CASES.items():
        with open(os.path.join(out, name + ".onnx"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
