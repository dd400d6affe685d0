#!/usr/bin/python3
"""Independent encoders for the payload decoder tests (issue 17), on Debian's python3-msgpack,
python3-cbor2 and python3-protobuf (run with /usr/bin/python3), never on ZmqScope code.

Commands:
  cases --proto-dir DIR
      One JSON line per test value: {"name", "format" (json|cbor|msgpack|protobuf), "type"
      (protobuf: the message type), "mimetype", "base64" (the encoded body), "expected" (the JSON
      DESIGN.md section 12 says it decodes to: byte strings as base64, CBOR tags as {"tag", "value"},
      MessagePack extensions as {"ext", "data_base64"}, protobuf as protobuf's own JSON mapping with
      the original field names (google.protobuf.json_format), map keys that are not strings as
      their compact JSON text, NaN and infinities as strings)}.
      DIR holds telemetry_pb2.py made by protoc --python_out.
  send --connect URI [--proto-dir DIR]
      A PUSH that sends every case as a Dploy envelope (id = the case's name, mimetype, body),
      then prints "sent N" and ends.
"""

import argparse
import base64
import json
import math
import sys
import time

import cbor2
import msgpack


def b64(data):
    return base64.b64encode(data).decode("ascii")


def key_text(key):
    if isinstance(key, str):
        return key
    return json.dumps(expected_value(key), separators=(",", ":"))


def float_value(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def expected_value(value):
    """The JSON a decoded value is, by section 12's rules (for msgpack and CBOR values)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return float_value(value)
    if isinstance(value, (bytes, bytearray)):
        return b64(bytes(value))
    if isinstance(value, str):
        return value
    # ExtType and CBORSimpleValue are named tuples: before the lists.
    if isinstance(value, msgpack.ExtType):
        return {"ext": value.code, "data_base64": b64(value.data)}
    if isinstance(value, cbor2.CBORTag):
        return {"tag": value.tag, "value": expected_value(value.value)}
    if isinstance(value, cbor2.CBORSimpleValue):
        return {"simple": value.value}
    if isinstance(value, (list, tuple)):
        return [expected_value(v) for v in value]
    if isinstance(value, dict):
        return {key_text(k): expected_value(v) for k, v in value.items()}
    if value is cbor2.undefined:
        return None
    raise TypeError("no expected form for %r" % (value,))


def cases(proto_dir):
    shared = {
        "scalars": {"seq": 7, "neg": -12345678901, "pi": 3.25, "ok": True, "none": None, "text": "h\u00e9llo \u2603"},
        "nested": {"a": {"b": [1, [2, [3, {"c": "deep"}]]]}, "empty": {}, "list": []},
        "big": {"u64": 2**63 - 1, "min": -2**63},
    }
    out = []
    for name, value in shared.items():
        out.append(("msgpack-" + name, "msgpack", "application/msgpack", msgpack.packb(value), value))
        out.append(("cbor-" + name, "cbor", "application/cbor", cbor2.dumps(value), value))
        out.append(("json-" + name, "json", "application/json", json.dumps(value).encode(), value))
    msgpack_only = {
        "bin": b"\x00\x01\xfe\xff",
        "ext": msgpack.ExtType(5, b"\x01\x02\x03"),
        "keys": {1: "one", -2: "minus two", None: "nil", 2.5: "float", (1, "a"): "array"},
        "bool-key": {True: "yes"},
        "float32": msgpack.unpackb(b"\xca\x3f\xc0\x00\x00"),  # 1.5 as float32
        "nan": float("nan"),
        "inf": float("-inf"),
        "top-string": "just a string",
    }
    for name, value in msgpack_only.items():
        packed = msgpack.packb(value, use_bin_type=True)
        if name == "float32":
            packed = b"\xca\x3f\xc0\x00\x00"
        out.append(("msgpack-" + name, "msgpack", "application/x-msgpack", packed, value))
    cbor_only = {
        "bytes": b"\x00\xff",
        "tag-epoch": cbor2.CBORTag(1, 1700000000),
        "tag-string": cbor2.CBORTag(0, "2026-12-05T10:00:00Z"),
        "tag-nested": cbor2.CBORTag(32, cbor2.CBORTag(99, [1, b"x"])),
        "simple": cbor2.CBORSimpleValue(99),
        "undefined": cbor2.undefined,
        "int-keys": {1: "a", -1: "b"},
        "inf": float("inf"),
        "uint64": 2**64 - 1,
    }
    for name, value in cbor_only.items():
        out.append(("cbor-" + name, "cbor", "application/cbor", cbor2.dumps(value), value))

    lines = []
    for name, fmt, mimetype, body, value in out:
        expected = expected_value(value)
        if name == "cbor-uint64":
            expected = float(value)  # JSON through Qt keeps values beyond int64 as doubles
        lines.append({"name": name, "format": fmt, "mimetype": mimetype, "base64": b64(body),
                      "expected": expected})

    if proto_dir:
        sys.path.insert(0, proto_dir)
        from google.protobuf import json_format
        import telemetry_pb2
        reading = telemetry_pb2.Reading(sensor="boiler", value=71.5, seq=2**40 + 3, tags=["a", "b"],
                                        raw=b"\x00\xff", unit=1, device="dev-7", ok=True, delta=-5)
        reading.where.lat = 0.5
        reading.where.lon = -1.25
        reading.counters["x"] = 3
        batch = telemetry_pb2.Batch(batch_id=2**64 - 2)
        batch.readings.append(reading)
        batch.readings.append(telemetry_pb2.Reading(sensor="second", channel=4))
        for name, message in (("protobuf-reading", reading), ("protobuf-batch", batch),
                              ("protobuf-empty", telemetry_pb2.Reading())):
            lines.append({"name": name, "format": "protobuf", "type": message.DESCRIPTOR.full_name,
                          "mimetype": "application/x-protobuf", "base64": b64(message.SerializeToString()),
                          "expected": json_format.MessageToDict(message, preserving_proto_field_name=True)})
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["cases", "send"])
    parser.add_argument("--proto-dir")
    parser.add_argument("--connect")
    args = parser.parse_args()
    table = cases(args.proto_dir)
    if args.command == "cases":
        for line in table:
            print(json.dumps(line, allow_nan=False), flush=True)
        return 0
    import zmq
    context = zmq.Context()
    socket = context.socket(zmq.PUSH)
    socket.linger = 10000
    socket.sndtimeo = 10000
    socket.connect(args.connect)
    for line in table:
        socket.send_multipart([line["name"].encode(), line["mimetype"].encode(), base64.b64decode(line["base64"])])
    socket.close()
    context.term()
    print("sent %d" % len(table), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
