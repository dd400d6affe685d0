#!/usr/bin/python3
"""A raw-frame ZeroMQ peer for the tap tests: a client or a server on either side of a tap.

Runs on Debian's python3-zmq (/usr/bin/python3), independent of ZmqScope's code.

Output on stdout, one line each, flushed:
  line 1   the endpoint (the real one when binding tcp://127.0.0.1:*)
  then     one JSON object per received message:
           {"sizes": [...], "sha256": [hex, ...], "frames": [base64, ...]}
           ("frames" only while the message has at most 1 MiB), and for --mode publish one
           {"subscription": base64} per subscription message the XPUB saw
Errors go to stderr; the exit status is 0 when everything expected happened. Every wait is
bounded by --timeout, so the peer always exits by itself.

Modes:
  send     send the messages (--messages FILE, --generate N, --big SIZE); with --replies
           receive one reply after each send (REQ, DEALER) and print it
  echo     receive --count messages, print each and send it back as it came (REP, ROUTER, PAIR)
  recv     receive --count messages and print them (PULL, SUB, XSUB, PAIR)
  publish  (XPUB) wait for --wait-subscriptions subscription messages, print them, then send
Messages to send: --messages FILE (a JSON list of messages, each a list of base64 frames),
--generate N (N one-frame messages b"<tag>-<i>", padded with dots to --size), --big SIZE (one frame of SIZE bytes 0..255
repeating); --delimiter puts an empty frame first in each. --subscribe TOPIC subscribes a SUB (setsockopt) or an XSUB (b"\\x01" + topic).
--wait-stdin reads one line from stdin before the mode starts; --pause-after N reads another
line after N messages of the mode (sent or received). --linger MS (default --timeout) bounds the wait
for unsent messages at the end.
"""

import argparse
import base64
import hashlib
import json
import sys

import zmq

SMALL = 1 << 20


def line(obj):
    sys.stdout.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
    sys.stdout.flush()


def describe(frames):
    obj = {"sizes": [len(f) for f in frames], "sha256": [hashlib.sha256(f).hexdigest() for f in frames]}
    if sum(obj["sizes"]) <= SMALL:
        obj["frames"] = [base64.b64encode(f).decode("ascii") for f in frames]
    return obj


def messages(args):
    result = []
    if args.messages:
        with open(args.messages, encoding="utf-8") as f:
            result += [[base64.b64decode(x) for x in m] for m in json.load(f)]
    for i in range(args.generate):
        body = b"%s-%d" % (args.tag.encode(), i)
        result.append([body + b"." * max(0, args.size - len(body))])
    if args.big:
        pattern = bytes(range(256))
        result.append([pattern * (args.big // 256) + pattern[: args.big % 256]])
    if args.delimiter:
        result = [[b""] + m for m in result]
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--type", required=True)
    p.add_argument("--bind")
    p.add_argument("--connect")
    p.add_argument("--mode", required=True, choices=["send", "echo", "recv", "publish"])
    p.add_argument("--messages")
    p.add_argument("--generate", type=int, default=0)
    p.add_argument("--tag", default="m")
    p.add_argument("--size", type=int, default=0, help="pad generated messages with dots to this size")
    p.add_argument("--big", type=int, default=0)
    p.add_argument("--delimiter", action="store_true", help="an empty frame first (a DEALER talking to a REP)")
    p.add_argument("--replies", action="store_true")
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--subscribe", action="append", default=[])
    p.add_argument("--wait-subscriptions", type=int, default=0)
    p.add_argument("--wait-stdin", action="store_true")
    p.add_argument("--pause-after", type=int, default=0)
    p.add_argument("--hwm", type=int, default=0, help="sndhwm and rcvhwm when not 0")
    p.add_argument("--sockbuf", type=int, default=0,
                   help="the kernel's send and receive buffers (SO_SNDBUF, SO_RCVBUF) when not 0: fixed, not autotuned")
    p.add_argument("--timeout", type=int, default=20000)
    p.add_argument("--linger", type=int, help="linger in ms (default: --timeout); 0 for a client whose tap may "
                   "be gone when it closes (a SUB would wait to resend its subscriptions)")
    args = p.parse_args()

    ctx = zmq.Context()
    sock = ctx.socket(getattr(zmq, args.type.upper()))
    sock.setsockopt(zmq.RCVTIMEO, args.timeout)
    sock.setsockopt(zmq.SNDTIMEO, args.timeout)
    sock.setsockopt(zmq.LINGER, args.timeout if args.linger is None else args.linger)
    if args.hwm:
        sock.setsockopt(zmq.SNDHWM, args.hwm)
        sock.setsockopt(zmq.RCVHWM, args.hwm)
    if args.sockbuf:
        sock.setsockopt(zmq.SNDBUF, args.sockbuf)
        sock.setsockopt(zmq.RCVBUF, args.sockbuf)
    if args.bind:
        sock.bind(args.bind)
        line(sock.getsockopt(zmq.LAST_ENDPOINT).decode())
    else:
        sock.connect(args.connect)
        line(args.connect)
    for topic in args.subscribe:
        if sock.socket_type == zmq.SUB:
            sock.setsockopt(zmq.SUBSCRIBE, topic.encode())
        else:
            sock.send(b"\x01" + topic.encode())
    if args.wait_stdin:
        sys.stdin.readline()

    done = 0

    def step():
        nonlocal done
        done += 1
        if args.pause_after and done == args.pause_after:
            sys.stdin.readline()

    try:
        if args.mode == "publish":
            seen = 0
            while seen < args.wait_subscriptions:
                msg = sock.recv()
                if msg[:1] in (b"\x00", b"\x01"):
                    seen += 1
                    line({"subscription": base64.b64encode(msg).decode("ascii")})
            for m in messages(args):
                sock.send_multipart(m)
                step()
        elif args.mode == "send":
            for m in messages(args):
                sock.send_multipart(m)
                if args.replies:
                    line(describe(sock.recv_multipart()))
                step()
        elif args.mode == "echo":
            for _ in range(args.count):
                m = sock.recv_multipart()
                line(describe(m))
                sock.send_multipart(m)
                step()
        else:
            for _ in range(args.count):
                line(describe(sock.recv_multipart()))
                step()
    except zmq.Again:
        sys.stderr.write("timed out after %d message(s)\n" % done)
        return 1
    sock.close()
    ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
