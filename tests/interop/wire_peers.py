#!/usr/bin/python3
"""ZeroMQ conversations over TCP on 127.0.0.1 for passive-capture tests (issue 15).

Each scenario binds a server on a free port, connects a client, exchanges messages and closes.
Every message is printed as it goes on the wire, one JSON object per line on stdout:
  {"scenario": S, "port": P, "dir": "c2s"|"s2c", "frames": [base64...]}     a message
  {"scenario": S, "port": P, "dir": "c2s", "event": "subscribe"|"unsubscribe", "topic": base64}
  {"scenario": S, "port": P, "security": "NULL"|"PLAIN"|"CURVE", "user": ..., "client_type": T,
   "server_type": T, "client_identity": base64}                                  once per scenario
"frames" are what the sender put on the wire: REQ's empty delimiter included, ROUTER's routing
frame excluded. A last line {"done": true} says every connection was closed.

--host binds and connects on another loopback address (any of 127.0.0.0/8 is lo's), so that a
capture filtered on it sees these conversations and nothing of other programs on lo; --port gives
the servers' ports in scenario order (one per scenario run), for a capture filtered on ports.

Run with Debian's python3-zmq: /usr/bin/python3 wire_peers.py [--scenario NAME]... [--host ADDR]
[--port P]...
"""

import argparse
import base64
import json
import sys
import time

import zmq

SIZES = [0, 1, 255, 256, 70000]


def b64(data):
    return base64.b64encode(data).decode("ascii")


def say(**fields):
    print(json.dumps(fields), flush=True)


# Where the servers bind: set by main() from --host and --port.
WHERE = {"host": "127.0.0.1", "ports": []}


def pair(context, server_type, client_type, server_setup=None, client_setup=None):
    server = context.socket(server_type)
    server.linger = 1000
    if server_setup:
        server_setup(server)
    host = WHERE["host"]
    if WHERE["ports"]:
        port = WHERE["ports"].pop(0)
        server.bind("tcp://%s:%d" % (host, port))
    else:
        port = server.bind_to_random_port("tcp://" + host)
    client = context.socket(client_type)
    client.linger = 1000
    if client_setup:
        client_setup(client)
    client.connect("tcp://%s:%d" % (host, port))
    return server, client, port


def describe(scenario, port, security, client_type, server_type, identity=b"", user=""):
    say(scenario=scenario, port=port, security=security, client_type=client_type,
        server_type=server_type, client_identity=b64(identity), user=user)


def request_reply(context, scenario, server_setup=None, client_setup=None, security="NULL", user=""):
    server, client, port = pair(context, zmq.REP, zmq.REQ, server_setup, client_setup)
    describe(scenario, port, security, "REQ", "REP", user=user)
    for i in range(3):
        request = [b"id-%d" % i, b"text/plain", b"request %d" % i]
        client.send_multipart(request)
        say(scenario=scenario, port=port, dir="c2s", frames=[b64(f) for f in [b""] + request])
        got = server.recv_multipart()
        assert got == request, got
        reply = [b"id-%d" % i, b"application/json", b'{"n": %d}' % i]
        server.send_multipart(reply)
        say(scenario=scenario, port=port, dir="s2c", frames=[b64(f) for f in [b""] + reply])
        assert client.recv_multipart() == reply
    client.close()
    server.close()


def dealer_router(context):
    identity = b"dealer-1"
    server, client, port = pair(context, zmq.ROUTER, zmq.DEALER,
                                client_setup=lambda s: s.setsockopt(zmq.ROUTING_ID, identity))
    describe("dealer-router", port, "NULL", "DEALER", "ROUTER", identity)
    for i in range(3):
        request = [b"", b"id-%d" % i, b"text/plain", b"ask %d" % i]
        client.send_multipart(request)
        say(scenario="dealer-router", port=port, dir="c2s", frames=[b64(f) for f in request])
        got = server.recv_multipart()
        assert got[0] == identity, got
        reply = [b"", b"id-%d" % i, b"text/plain", b"answer %d" % i]
        server.send_multipart([identity] + reply)
        say(scenario="dealer-router", port=port, dir="s2c", frames=[b64(f) for f in reply])
        assert client.recv_multipart() == reply
    client.close()
    server.close()


def pub_sub(context):
    server, client, port = pair(context, zmq.PUB, zmq.SUB)
    describe("pub-sub", port, "NULL", "SUB", "PUB")
    client.setsockopt(zmq.SUBSCRIBE, b"quote.")
    say(scenario="pub-sub", port=port, dir="c2s", event="subscribe", topic=b64(b"quote."))
    time.sleep(0.3)  # the subscription reaches the publisher
    for i in range(4):
        message = [b"quote.%d" % i, b"text/plain", b"price %d" % (100 + i)]
        server.send_multipart(message)
        say(scenario="pub-sub", port=port, dir="s2c", frames=[b64(f) for f in message])
        assert client.recv_multipart() == message
    client.setsockopt(zmq.UNSUBSCRIBE, b"quote.")
    say(scenario="pub-sub", port=port, dir="c2s", event="unsubscribe", topic=b64(b"quote."))
    time.sleep(0.2)
    client.close()
    server.close()


def push_pull(context):
    server, client, port = pair(context, zmq.PULL, zmq.PUSH)
    describe("push-pull", port, "NULL", "PUSH", "PULL")
    messages = [[b"x" * size] for size in SIZES]
    messages.append([b"a" * size for size in SIZES])  # one multipart message of every size
    messages.append([b"id", b"application/octet-stream", bytes(range(256)) * 300])
    for message in messages:
        client.send_multipart(message)
        say(scenario="push-pull", port=port, dir="c2s", frames=[b64(f) for f in message])
        assert server.recv_multipart() == message
    client.close()
    server.close()


def plain(context):
    from zmq.auth.thread import ThreadAuthenticator
    auth = ThreadAuthenticator(context)
    auth.start()
    auth.configure_plain(domain="*", passwords={"alice": "s3cret-pw"})

    def server_setup(s):
        s.plain_server = True

    def client_setup(s):
        s.plain_username = b"alice"
        s.plain_password = b"s3cret-pw"

    request_reply(context, "plain", server_setup, client_setup, "PLAIN", "alice")
    auth.stop()


def curve(context):
    server_public, server_secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()

    def server_setup(s):
        s.curve_server = True
        s.curve_secretkey = server_secret
        s.curve_publickey = server_public

    def client_setup(s):
        s.curve_serverkey = server_public
        s.curve_publickey = client_public
        s.curve_secretkey = client_secret

    request_reply(context, "curve", server_setup, client_setup, "CURVE")


SCENARIOS = {
    "req-rep": lambda c: request_reply(c, "req-rep"),
    "dealer-router": dealer_router,
    "pub-sub": pub_sub,
    "push-pull": push_pull,
    "plain": plain,
    "curve": curve,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS),
                        help="run only these (repeatable); default: all")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the loopback address to bind and connect on (default 127.0.0.1)")
    parser.add_argument("--port", action="append", type=int, default=[],
                        help="the servers' ports, one per scenario in order (default: random)")
    args = parser.parse_args()
    scenarios = args.scenario or list(SCENARIOS)
    if args.port and len(args.port) != len(scenarios):
        parser.error("--port given %d times for %d scenarios" % (len(args.port), len(scenarios)))
    WHERE["host"] = args.host
    WHERE["ports"] = list(args.port)
    context = zmq.Context()
    for name in scenarios:
        SCENARIOS[name](context)
    context.term()
    time.sleep(0.2)  # the FINs are on the wire before the capture stops
    say(done=True)


if __name__ == "__main__":
    sys.exit(main())
