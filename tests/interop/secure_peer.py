#!/usr/bin/python3
"""An independent CURVE/PLAIN peer for the security tests (issue 16).

Runs on Debian's python3-zmq (/usr/bin/python3), not on ZmqScope code: certificates through
zmq.auth (create_certificates, load_certificate), client checks through pyzmq's own ZAP handler
(zmq.auth.thread.ThreadAuthenticator), as a pyzmq user would write it. The core, engine and CLI
security tests check ZmqScope against this second, separate implementation of keys, certificates
and ZAP.

Commands:
  keygen DIR NAME...  zmq.auth.create_certificates(DIR, NAME) for each NAME; prints the two paths
                      of each (public, then secret), one a line
  load FILE...        zmq.auth.load_certificate(FILE) for each FILE; prints one line a file,
                      {"public": KEY, "secret": KEY or null}
  server              a REP bound to --bind that answers --count requests with the same frames
  client              a REQ connected to --connect that sends one request (--send) and reports the
                      reply
  greeting            a plain TCP listener on 127.0.0.1 that answers one connection with a ZMTP 3.0
                      greeting of --mechanism and then only reads: the peer sees a mechanism mismatch
                      for certain (a real server closing the connection races with the greeting it
                      sent)

Options (each with one meaning for every command that takes it):
  --bind URI          server: where to bind (default tcp://127.0.0.1:*)
  --connect URI       client: where to connect
  --curve-cert FILE   server and client: its own certificate (a .key_secret file). A server with it
                      is a CURVE server; a CURVE client without it uses a fresh key pair
  --curve-server-key FILE|KEY
                      client: the server's public key, from a certificate file or as 40 characters
                      of Z85; makes the client a CURVE client
  --plain NAME:PASSWORD
                      server: a user it accepts (repeatable) and a PLAIN server;
                      client: its credentials (once) and a PLAIN client
  --allow-dir DIR     server: allow the client certificates in DIR (configure_curve)
  --allow-any         server: allow any client key (CURVE_ALLOW_ANY)
  --allow-ip ADDR     server: allow only these addresses (repeatable)
  --deny-ip ADDR      server: refuse these addresses (repeatable)
  --no-auth           server: no ZAP handler at all
  --send FRAME        client: one frame of the request (repeatable); default the envelope
                      "sec-1", "text/plain", "hello over security"
  --count N           server: how many requests to answer (default 1)
  --mechanism NAME    greeting: NULL, PLAIN or CURVE (default NULL)
  --timeout MS        bounds every wait (default 10000)

Output on stdout, one line each, flushed: for server, client and greeting first the endpoint (the
real one when binding: tcp://127.0.0.1:* resolved; the one connected to for a client), then
{"frames": ["<base64>", ...]} for each message received, and for a client whose handshake failed
{"event": "HANDSHAKE_...", "value": N} (from a socket monitor). Errors go to stderr.
Exit status: 0 when everything expected happened; 3 when a client got no reply (its handshake
failed: the event line says how, or --timeout passed: stderr says so); 1 otherwise, 2 for bad
arguments. A peer stuck past its own --timeout dumps where it is to stderr and ends.
"""

import argparse
import base64
import faulthandler
import json
import os
import socket as socket_module
import sys

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message

ENVELOPE = [b"sec-1", b"text/plain", b"hello over security"]

HANDSHAKE_FAILURES = {
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "HANDSHAKE_FAILED_NO_DETAIL",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "HANDSHAKE_FAILED_PROTOCOL",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "HANDSHAKE_FAILED_AUTH",
}


def line(text):
    print(text, flush=True)


def emit(obj):
    line(json.dumps(obj))


def emit_frames(frames):
    emit({"frames": [base64.b64encode(f).decode("ascii") for f in frames]})


def fail(message):
    print("secure_peer: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


def own_certificate(path):
    public, secret = zmq.auth.load_certificate(path)
    if secret is None:
        fail("%s has no secret key" % path)
    return public, secret


def server_key(text):
    """A certificate file's public key, else a 40-character Z85 key as it is (a file's path may be
    40 characters long too)."""
    if os.path.isfile(text):
        public, _ = zmq.auth.load_certificate(text)
        return public
    if len(text) != 40:
        fail("--curve-server-key %r: neither a certificate file nor a 40-character Z85 key" % text)
    return text.encode("ascii")


def credentials(entry):
    if ":" not in entry:
        fail("--plain %r: expected NAME:PASSWORD" % entry)
    return entry.split(":", 1)


def server(context, args):
    if args.curve_cert and args.plain:
        fail("server: --curve-cert and --plain cannot go together")
    passwords = dict(credentials(entry) for entry in args.plain or [])  # checked before any thread starts
    auth = None
    if not args.no_auth:
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
    if args.curve_cert:
        socket.curve_publickey, socket.curve_secretkey = own_certificate(args.curve_cert)
        socket.curve_server = True
        if auth and (args.allow_any or args.allow_dir):
            auth.configure_curve(domain="*",
                                 location=zmq.auth.CURVE_ALLOW_ANY if args.allow_any else args.allow_dir)
    elif args.plain:
        socket.plain_server = True
        if auth:
            auth.configure_plain(domain="*", passwords=passwords)
    socket.bind(args.bind)
    line(socket.getsockopt_string(zmq.LAST_ENDPOINT))
    try:
        for _ in range(args.count):
            try:
                frames = socket.recv_multipart()
            except zmq.Again:
                fail("server: nothing arrived within %d ms" % args.timeout)
            emit_frames(frames)
            socket.send_multipart(frames)
    finally:
        socket.close()
        if auth:
            auth.stop()


def client(context, args):
    socket = context.socket(zmq.REQ)
    socket.linger = 0
    if args.curve_server_key:
        socket.curve_serverkey = server_key(args.curve_server_key)
        if args.curve_cert:
            public, secret = own_certificate(args.curve_cert)
        else:
            public, secret = zmq.curve_keypair()
        socket.curve_publickey = public
        socket.curve_secretkey = secret
    elif args.curve_cert:
        fail("client: --curve-cert needs --curve-server-key")
    if args.plain:
        if len(args.plain) != 1:
            fail("client: --plain is given once")
        user, password = credentials(args.plain[0])
        socket.plain_username = user.encode("utf-8")
        socket.plain_password = password.encode("utf-8")
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
    line(args.connect)
    request = [frame.encode("utf-8") for frame in args.send] if args.send else ENVELOPE
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
            emit_frames(socket.recv_multipart())
            return 0
    print("secure_peer: client: no reply within %d ms" % args.timeout, file=sys.stderr, flush=True)
    return 3


def greeting(args):
    """Sends a ZMTP 3.0 greeting (RFC 23) and keeps the connection open until the peer closes it."""
    listener = socket_module.socket(socket_module.AF_INET, socket_module.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(args.timeout / 1000)
    line("tcp://127.0.0.1:%d" % listener.getsockname()[1])
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


def keygen(args):
    if len(args.paths) < 2:
        fail("keygen needs DIR NAME...")
    for name in args.paths[1:]:
        public, secret = zmq.auth.create_certificates(args.paths[0], name)
        line(public)
        line(secret)


def load(args):
    if not args.paths:
        fail("load needs FILE...")
    for path in args.paths:
        public, secret = zmq.auth.load_certificate(path)
        emit({"public": public.decode("ascii"), "secret": secret.decode("ascii") if secret else None})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["keygen", "load", "server", "client", "greeting"])
    parser.add_argument("paths", nargs="*", help="keygen: DIR NAME...; load: FILE...")
    parser.add_argument("--bind", default="tcp://127.0.0.1:*")
    parser.add_argument("--connect")
    parser.add_argument("--curve-cert")
    parser.add_argument("--curve-server-key")
    parser.add_argument("--plain", action="append")
    parser.add_argument("--allow-dir")
    parser.add_argument("--allow-any", action="store_true")
    parser.add_argument("--allow-ip", action="append")
    parser.add_argument("--deny-ip", action="append")
    parser.add_argument("--no-auth", action="store_true")
    parser.add_argument("--send", action="append")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--mechanism", default="NULL", choices=["NULL", "PLAIN", "CURVE"])
    parser.add_argument("--timeout", type=int, default=10000)
    args = parser.parse_args()
    # A peer stuck past its own --timeout says where, on stderr, and ends: tests read a running process
    # as a failure without a reason.
    faulthandler.dump_traceback_later(args.timeout / 1000 + 5, exit=True)
    if args.command == "keygen":
        return keygen(args)
    if args.command == "load":
        return load(args)
    if args.command == "greeting":
        return greeting(args)
    context = zmq.Context()
    try:
        return server(context, args) if args.command == "server" else client(context, args)
    finally:
        # Nothing is left to deliver; a connection still retrying its handshake must not hold the exit.
        context.destroy(linger=0)


if __name__ == "__main__":
    sys.exit(main())
