#!/usr/bin/python3
"""An independent CURVE/PLAIN peer for zmqscope-cli's security tests (issue 16).

Runs on Debian's python3-zmq (/usr/bin/python3), not on ZmqScope code: the server
authenticates with pyzmq's own ZAP handler (zmq.auth.thread.ThreadAuthenticator)
and reads czmq-format certificates with zmq.auth, so the CLI is checked against
a second, separate implementation of keys, certificates and ZAP.

Output on stdout, one line each, flushed:
  line 1   the endpoint: the real one when binding (tcp://127.0.0.1:* resolved),
           else the one connected to
  then     {"frames": ["<base64>", ...]} per message received, and for a client
           {"event": "HANDSHAKE_...", "value": N} when its handshake failed
Errors go to stderr. Every wait is bounded by --timeout.
Exit status: 0 when everything expected happened, 3 when a client's handshake
failed (the event line says how), 1 otherwise.

Modes:
  server  REP bound to --bind: answers --count requests with the same frames
  client  REQ connected to --connect: sends one envelope, prints the reply
  greeting  a plain TCP listener on 127.0.0.1 that answers one connection with a ZMTP 3.0
          greeting of --mechanism and then only reads: the peer sees a mechanism mismatch
          for certain (a real server closing the connection races with the greeting it sent)
  keys    prints the public key of each certificate FILE given (zmq.auth.load_certificate),
          then its secret key or "-" when the file has none; one line per key
"""

import argparse
import base64
import faulthandler
import json
import socket as socket_module
import sys

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message


def emit(obj):
    print(json.dumps(obj), flush=True)


def fail(message):
    print("zap_peer: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


def key_arg(text):
    """A 40-character Z85 key as it is, anything else a certificate file's public key."""
    if len(text) == 40:
        return text.encode("ascii")
    public, _ = zmq.auth.load_certificate(text)
    return public


HANDSHAKE_FAILURES = {
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "HANDSHAKE_FAILED_NO_DETAIL",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "HANDSHAKE_FAILED_PROTOCOL",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "HANDSHAKE_FAILED_AUTH",
}


def server(context, args):
    auth = ThreadAuthenticator(context)
    auth.start()
    for address in args.allow_ip or []:
        auth.allow(address)
    for address in args.deny_ip or []:
        auth.deny(address)
    socket = context.socket(zmq.REP)
    socket.linger = 1000
    socket.rcvtimeo = args.timeout
    socket.sndtimeo = args.timeout
    if args.curve_secret:
        public, secret = zmq.auth.load_certificate(args.curve_secret)
        if secret is None:
            fail("%s has no secret key" % args.curve_secret)
        socket.curve_publickey = public
        socket.curve_secretkey = secret
        socket.curve_server = True
        auth.configure_curve(domain="*",
                             location=zmq.auth.CURVE_ALLOW_ANY if args.allow_any else args.allow_dir)
    elif args.plain_user:
        passwords = dict(entry.split(":", 1) for entry in args.plain_user)
        socket.plain_server = True
        auth.configure_plain(domain="*", passwords=passwords)
    socket.bind(args.bind)
    print(socket.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    try:
        for _ in range(args.count):
            try:
                frames = socket.recv_multipart()
            except zmq.Again:
                fail("server: nothing arrived within %d ms" % args.timeout)
            emit({"frames": [base64.b64encode(f).decode("ascii") for f in frames]})
            socket.send_multipart(frames)
    finally:
        socket.close()
        auth.stop()


def client(context, args):
    socket = context.socket(zmq.REQ)
    socket.linger = 0
    if args.curve_server_key:
        socket.curve_serverkey = key_arg(args.curve_server_key)
        if args.curve_cert:
            public, secret = zmq.auth.load_certificate(args.curve_cert)
        else:
            public, secret = zmq.curve_keypair()
        socket.curve_publickey = public
        socket.curve_secretkey = secret
    if args.plain_user is not None:
        socket.plain_username = args.plain_user.encode("utf-8")
        socket.plain_password = (args.plain_password or "").encode("utf-8")
    monitor = socket.get_monitor_socket()
    try:
        return converse(socket, monitor, args)
    finally:
        # Stopped before the context ends: a monitor still attached can keep the context's end
        # waiting while libzmq reconnects (the refused client does, every 100 ms).
        socket.disable_monitor()
        monitor.close(linger=0)
        socket.close(linger=0)


def converse(socket, monitor, args):
    """Sends the request and waits for the reply or a failed handshake; returns the exit status."""
    socket.connect(args.connect)
    print(args.connect, flush=True)
    request = [b"sec-1", b"text/plain", b"hello over security"]
    poller = zmq.Poller()
    poller.register(socket, zmq.POLLIN)
    poller.register(monitor, zmq.POLLIN)
    deadline_ms = args.timeout
    while deadline_ms > 0:
        # Not blocking: a handshake refused before the send leaves the REQ without a peer, and a
        # blocking send would wait for one forever while libzmq reconnects to be refused again.
        if request:
            try:
                socket.send_multipart(request, flags=zmq.NOBLOCK)
                request = None
            except zmq.Again:
                pass
        ready = dict(poller.poll(100))
        deadline_ms -= 100
        if monitor in ready:
            event = recv_monitor_message(monitor)
            name = HANDSHAKE_FAILURES.get(event["event"])
            if name:
                emit({"event": name, "value": event["value"]})
                return 3
        if socket in ready:
            frames = socket.recv_multipart()
            emit({"frames": [base64.b64encode(f).decode("ascii") for f in frames]})
            return 0
    print("zap_peer: client: no reply within %d ms" % args.timeout, file=sys.stderr, flush=True)
    return 1


def greeting(args):
    """Sends a ZMTP 3.0 greeting (RFC 23) and keeps the connection open until the peer closes it."""
    listener = socket_module.socket(socket_module.AF_INET, socket_module.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(args.timeout / 1000)
    print("tcp://127.0.0.1:%d" % listener.getsockname()[1], flush=True)
    try:
        connection, _ = listener.accept()
    except socket_module.timeout:
        fail("greeting: nobody connected within %d ms" % args.timeout)
    connection.settimeout(args.timeout / 1000)
    mechanism = args.mechanism.encode("ascii").ljust(20, b"\0")
    connection.sendall(b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + mechanism + b"\0" + b"\0" * 31)
    try:
        while connection.recv(4096):
            pass
    except socket_module.timeout:
        fail("greeting: the peer kept the connection open for %d ms" % args.timeout)
    connection.close()


def keys(args):
    for path in args.files:
        public, secret = zmq.auth.load_certificate(path)
        print(public.decode("ascii"), flush=True)
        print(secret.decode("ascii") if secret else "-", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["server", "client", "greeting", "keys"])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--bind")
    parser.add_argument("--connect")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=10000)
    parser.add_argument("--curve-secret", help="server: its certificate (a .key_secret file)")
    parser.add_argument("--allow-dir", help="server: the directory of allowed client certificates")
    parser.add_argument("--allow-any", action="store_true")
    parser.add_argument("--allow-ip", action="append")
    parser.add_argument("--deny-ip", action="append")
    parser.add_argument("--curve-server-key", help="client: the server's key or certificate")
    parser.add_argument("--curve-cert", help="client: its own certificate (.key_secret)")
    parser.add_argument("--plain-user", action="append" if "server" in sys.argv[1:2] else "store",
                        help="server: NAME:PASSWORD (repeatable); client: NAME")
    parser.add_argument("--plain-password")
    parser.add_argument("--mechanism", default="NULL", help="greeting: NULL, PLAIN or CURVE")
    args = parser.parse_args()
    # A peer stuck past its own --timeout says where, on stderr, and ends: tests read a running process
    # as a failure without a reason.
    faulthandler.dump_traceback_later(args.timeout / 1000 + 5, exit=True)
    if args.mode == "keys":
        keys(args)
        return
    if args.mode == "greeting":
        greeting(args)
        return
    context = zmq.Context()
    status = 0
    try:
        if args.mode == "server":
            server(context, args)
        else:
            status = client(context, args)
    finally:
        context.destroy(linger=0)
    sys.exit(status)


if __name__ == "__main__":
    main()
