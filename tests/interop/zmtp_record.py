#!/usr/bin/python3
"""Records the bytes real ZeroMQ peers put on the wire, for the ZMTP decoder tests.

Runs on Debian's python3-zmq (/usr/bin/python3), independent of ZmqScope's code. For each
scenario a server socket binds tcp://127.0.0.1:*, a plain TCP relay listens on another port and
the client socket connects to the relay, which forwards both directions byte for byte and
records them. Written into OUTDIR/<scenario>/:
  c2s.bin, s2c.bin   the bytes of each direction (client = the side that connected)
  expected.json      {"c2s": [message, ...], "s2c": [...], "libzmq": "4.3.4", ...} where a
                     message is a list of base64 frames as they travel on the wire (REQ's and
                     REP's empty delimiter included, no routing-id frames), plus per scenario
                     what else the test checks (identity, username, password, topics).
Prints "ok <scenario>" per scenario; errors go to stderr with exit status 1. Every wait is
bounded, so the script always ends by itself.

Usage: zmtp_record.py OUTDIR [SCENARIO ...]   (all scenarios without names)
"""

import base64
import json
import os
import socket
import sys
import threading
import time

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

TIMEOUT_MS = 10000


class Relay:
    """Accepts one TCP connection, connects it to the server and records both directions.

    With server_minor, the minor version byte of the server's greeting is replaced on its way to
    the client (and in the recording), so that the client speaks ZMTP 3.0 to it."""

    def __init__(self, server_port, server_minor=None):
        self.server_port = server_port
        self.server_minor = server_minor
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(TIMEOUT_MS / 1000)
        self.port = self.listener.getsockname()[1]
        self.c2s = bytearray()
        self.s2c = bytearray()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        client, _ = self.listener.accept()
        self.listener.close()
        server = socket.create_connection(("127.0.0.1", self.server_port), timeout=TIMEOUT_MS / 1000)
        pumps = [threading.Thread(target=self.pump, args=(client, server, self.c2s), daemon=True),
                 threading.Thread(target=self.pump, args=(server, client, self.s2c, self.server_minor),
                                  daemon=True)]
        for p in pumps:
            p.start()
        for p in pumps:
            p.join(TIMEOUT_MS / 1000)
        client.close()
        server.close()

    @staticmethod
    def pump(source, destination, record, minor=None):
        source.settimeout(None)
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    destination.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            if minor is not None and len(record) <= 11 < len(record) + len(data):
                data = bytearray(data)
                data[11 - len(record)] = minor
                data = bytes(data)
            record += data
            destination.sendall(data)

    def finish(self):
        self.thread.join(TIMEOUT_MS / 1000)
        if self.thread.is_alive():
            raise RuntimeError("the relay did not see both directions end")


def b64(frames):
    return [base64.b64encode(f).decode("ascii") for f in frames]


def sock(ctx, kind):
    s = ctx.socket(kind)
    s.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    s.setsockopt(zmq.LINGER, TIMEOUT_MS)
    return s


def pair(ctx, server_kind, client_kind, server_setup=None, client_setup=None, server_minor=None):
    server = sock(ctx, server_kind)
    if server_setup:
        server_setup(server)
    server.bind("tcp://127.0.0.1:*")
    port = int(server.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])
    relay = Relay(port, server_minor)
    client = sock(ctx, client_kind)
    if client_setup:
        client_setup(client)
    client.connect("tcp://127.0.0.1:%d" % relay.port)
    return server, client, relay


BIG = bytes(range(256)) * (70000 // 256) + bytes(range(70000 % 256))
SIZES_MESSAGE = [b"", b"x", b"a" * 255, b"b" * 256, BIG]


def request_reply(server, client, requests, req_delimiter, rep_delimiter, expected, route=False):
    """Client sends each request and the server answers it with a reply derived from it."""
    for i, request in enumerate(requests):
        client.send_multipart(request)
        got = server.recv_multipart()
        reply = [b"reply-%d" % i] + got[-1:]
        if route:
            server.send_multipart(got[:1] + reply)
        else:
            server.send_multipart(reply)
        back = client.recv_multipart()
        if back != reply:
            raise RuntimeError("reply %d came back as %r" % (i, back[:3]))
        expected["c2s"].append(b64(([b""] if req_delimiter else []) + request))
        expected["s2c"].append(b64(([b""] if rep_delimiter else []) + reply))


def scenario_reqrep(ctx, expected):
    server, client, relay = pair(ctx, zmq.REP, zmq.REQ)
    requests = [[b"hello"], SIZES_MESSAGE, [b"", b""], [b"q" * 1000, b"end"]]
    requests += [[b"r-%d" % i, b"." * i] for i in range(10)]
    request_reply(server, client, requests, True, True, expected)
    return server, client, relay


def scenario_dealer_router(ctx, expected):
    def client_setup(s):
        s.setsockopt(zmq.IDENTITY, b"client-7")
        s.setsockopt(zmq.HEARTBEAT_IVL, 50)
        s.setsockopt(zmq.HEARTBEAT_TTL, 2000)
        s.setsockopt(zmq.HEARTBEAT_TIMEOUT, 5000)

    server, client, relay = pair(ctx, zmq.ROUTER, zmq.DEALER, client_setup=client_setup)
    requests = [[b"one"], [b"two", b"parts"], SIZES_MESSAGE]
    request_reply(server, client, requests, False, False, expected, route=True)
    time.sleep(0.4)  # a few heartbeats: PING from the client, PONG from the server
    expected["identity"] = base64.b64encode(b"client-7").decode("ascii")
    expected["heartbeat_ttl_deciseconds"] = 20
    return server, client, relay


def scenario_pubsub(ctx, expected, server_minor=None):
    server, client, relay = pair(ctx, zmq.PUB, zmq.SUB, server_minor=server_minor)
    topics = [b"news", b"A"]
    for t in topics:
        client.setsockopt(zmq.SUBSCRIBE, t)
    # Publish until the subscriptions have arrived (the first messages go nowhere before that).
    client.setsockopt(zmq.RCVTIMEO, 50)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        server.send_multipart([b"news", b"warm-up"])
        server.send_multipart([b"A", b"warm-up"])
        try:
            got = [client.recv_multipart(), client.recv_multipart()]
            if sorted(m[0] for m in got) == [b"A", b"news"]:
                break
        except zmq.Again:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the subscriptions never arrived")
    while True:  # what was already on its way
        try:
            client.recv_multipart()
        except zmq.Again:
            break
    client.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    # The warm-up messages the SUB received are on the wire too: record what it receives.
    received = []
    published = [[b"news", b"first"], [b"other", b"filtered out"], [b"A", b"x" * 300, b""],
                 [b"news", b""], [b"AB", b"prefix match"]]
    for m in published:
        server.send_multipart(m)
    for m in published:
        if m[0].startswith(b"news") or m[0].startswith(b"A"):
            received.append(client.recv_multipart())
    client.setsockopt(zmq.UNSUBSCRIBE, b"A")
    time.sleep(0.2)
    expected["topics"] = [base64.b64encode(t).decode("ascii") for t in topics]
    expected["cancelled"] = [base64.b64encode(b"A").decode("ascii")]
    expected["s2c_tail"] = [b64(m) for m in received]
    return server, client, relay


def scenario_pubsub30(ctx, expected):
    """PUB/SUB with the PUB's greeting turned into ZMTP 3.0: the SUB subscribes with messages."""
    return scenario_pubsub(ctx, expected, server_minor=0)


def scenario_pushpull(ctx, expected):
    server, client, relay = pair(ctx, zmq.PULL, zmq.PUSH)
    messages = [[b"m-%d" % i + b"." * (i * 37 % 300)] for i in range(60)]
    messages += [SIZES_MESSAGE, [b"after-big", b"", b"z"]]
    messages += [[b"n-%d" % i, b"second"] for i in range(60)]
    for m in messages:
        client.send_multipart(m)
    for m in messages:
        got = server.recv_multipart()
        if got != m:
            raise RuntimeError("PULL received %r" % got[:2])
    expected["c2s"] = [b64(m) for m in messages]
    return server, client, relay


def scenario_plain(ctx, expected):
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_plain(domain="*", passwords={"admin": "secret-pass-42"})

    def server_setup(s):
        s.setsockopt(zmq.PLAIN_SERVER, 1)

    def client_setup(s):
        s.setsockopt(zmq.PLAIN_USERNAME, b"admin")
        s.setsockopt(zmq.PLAIN_PASSWORD, b"secret-pass-42")

    server, client, relay = pair(ctx, zmq.ROUTER, zmq.DEALER, server_setup, client_setup)
    requests = [[b"plain-body"], [b"two", b"frames"]] + [[b"plain-%d" % i] for i in range(10)]
    request_reply(server, client, requests, False, False, expected, route=True)
    expected["username"] = base64.b64encode(b"admin").decode("ascii")
    expected["password"] = base64.b64encode(b"secret-pass-42").decode("ascii")
    expected["cleanup"] = auth
    return server, client, relay


def scenario_curve(ctx, expected):
    server_public, server_secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()

    def server_setup(s):
        s.setsockopt(zmq.CURVE_SERVER, 1)
        s.setsockopt(zmq.CURVE_SECRETKEY, server_secret)

    def client_setup(s):
        s.setsockopt(zmq.CURVE_SERVERKEY, server_public)
        s.setsockopt(zmq.CURVE_PUBLICKEY, client_public)
        s.setsockopt(zmq.CURVE_SECRETKEY, client_secret)

    server, client, relay = pair(ctx, zmq.REP, zmq.REQ, server_setup, client_setup)
    requests = [[b"curve-secret-body"], [b"curve-two", b"y" * 300], [b"curve-big", BIG]]
    requests += [[b"curve-after-%d" % i, b"." * i] for i in range(10)]
    request_reply(server, client, requests, True, True, expected)
    return server, client, relay


SCENARIOS = {
    "reqrep": scenario_reqrep,
    "dealer-router": scenario_dealer_router,
    "pubsub": scenario_pubsub,
    "pubsub30": scenario_pubsub30,
    "pushpull": scenario_pushpull,
    "plain": scenario_plain,
    "curve": scenario_curve,
}


def record(outdir, name):
    ctx = zmq.Context()
    expected = {"c2s": [], "s2c": [], "libzmq": zmq.zmq_version()}
    server, client, relay = SCENARIOS[name](ctx, expected)
    # The client goes first: its side of the relay ends, which ends the server's side.
    client.close()
    relay.finish()
    server.close()
    auth = expected.pop("cleanup", None)
    if auth:
        auth.stop()
    ctx.term()
    directory = os.path.join(outdir, name)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "c2s.bin"), "wb") as f:
        f.write(relay.c2s)
    with open(os.path.join(directory, "s2c.bin"), "wb") as f:
        f.write(relay.s2c)
    with open(os.path.join(directory, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f)
    print("ok", name, flush=True)


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    names = sys.argv[2:] or list(SCENARIOS)
    for name in names:
        if name not in SCENARIOS:
            sys.stderr.write("unknown scenario %s; known: %s\n" % (name, " ".join(SCENARIOS)))
            return 2
    for name in names:
        record(sys.argv[1], name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
