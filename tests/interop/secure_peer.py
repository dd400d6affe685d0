#!/usr/bin/python3
"""A ZeroMQ peer with CURVE or PLAIN security for the security tests (issue 16).

Runs on Debian's python3-zmq (/usr/bin/python3), independent of ZmqScope's code: certificates through
zmq.auth (create_certificates, load_certificate, load_certificates), client checks through
zmq.auth.thread.ThreadAuthenticator, as a pyzmq user would write it.

Commands:
  keygen DIR NAME      zmq.auth.create_certificates(DIR, NAME); prints the two paths
  load FILE            zmq.auth.load_certificate(FILE); prints {"public": ..., "secret": ...}
  server [options]     a REP that echoes --count requests; line 1 is its endpoint
  client [options]     a REQ that sends "hello" and prints the reply, or exits 3 when none came
Server options: --bind URI, --curve-secret FILE (its certificate), --allow-dir DIR (client
certificates, ThreadAuthenticator.configure_curve), --allow-any (CURVE_ALLOW_ANY), --plain-user
NAME:PASSWORD (repeatable; configure_plain), --allow-ip ADDR, --deny-ip ADDR, --no-auth (no
ZAP handler at all).
Client options: --connect URI, --curve-secret FILE (own certificate), --server-key FILE (the
server's public certificate), --plain NAME:PASSWORD.
Every wait is bounded by --timeout (ms).
"""

import argparse
import json
import sys

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator


def line(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def server(args, ctx):
    auth = None
    if not args.no_auth:
        auth = ThreadAuthenticator(ctx)
        auth.start()
        if args.allow_ip:
            auth.allow(*args.allow_ip)
        if args.deny_ip:
            auth.deny(*args.deny_ip)
        if args.allow_any:
            auth.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
        elif args.allow_dir:
            auth.configure_curve(domain="*", location=args.allow_dir)
        if args.plain_user:
            auth.configure_plain(domain="*", passwords=dict(u.split(":", 1) for u in args.plain_user))
    sock = ctx.socket(zmq.REP)
    sock.linger = 0
    if args.curve_secret:
        public, secret = zmq.auth.load_certificate(args.curve_secret)
        sock.curve_publickey = public
        sock.curve_secretkey = secret
        sock.curve_server = True
    if args.plain_user:
        sock.plain_server = True
    sock.bind(args.bind)
    line(sock.getsockopt(zmq.LAST_ENDPOINT).decode())
    sock.rcvtimeo = args.timeout
    try:
        for _ in range(args.count):
            sock.send(sock.recv())
    except zmq.Again:
        sys.stderr.write("secure_peer: no request within %d ms\n" % args.timeout)
        return 3
    finally:
        sock.close()
        if auth:
            auth.stop()
    return 0


def client(args, ctx):
    sock = ctx.socket(zmq.REQ)
    sock.linger = 0
    if args.curve_secret:
        public, secret = zmq.auth.load_certificate(args.curve_secret)
        sock.curve_publickey = public
        sock.curve_secretkey = secret
        sock.curve_serverkey, _ = zmq.auth.load_certificate(args.server_key)
    if args.plain:
        user, password = args.plain.split(":", 1)
        sock.plain_username = user.encode()
        sock.plain_password = password.encode()
    sock.connect(args.connect)
    sock.rcvtimeo = args.timeout
    sock.send(b"hello")
    try:
        line("reply " + sock.recv().decode())
    except zmq.Again:
        line("no reply")
        return 3
    finally:
        sock.close()
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["keygen", "load", "server", "client"])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--bind", default="tcp://127.0.0.1:*")
    parser.add_argument("--connect")
    parser.add_argument("--curve-secret")
    parser.add_argument("--server-key")
    parser.add_argument("--allow-dir")
    parser.add_argument("--allow-any", action="store_true")
    parser.add_argument("--allow-ip", action="append")
    parser.add_argument("--deny-ip", action="append")
    parser.add_argument("--plain-user", action="append")
    parser.add_argument("--plain")
    parser.add_argument("--no-auth", action="store_true")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=10000)
    args = parser.parse_args()

    if args.command == "keygen":
        public, secret = zmq.auth.create_certificates(args.paths[0], args.paths[1])
        line(public)
        line(secret)
        return 0
    if args.command == "load":
        public, secret = zmq.auth.load_certificate(args.paths[0])
        line(json.dumps({"public": public.decode(), "secret": secret.decode() if secret else None}))
        return 0
    ctx = zmq.Context()
    try:
        return server(args, ctx) if args.command == "server" else client(args, ctx)
    finally:
        # Nothing is left to deliver; a connection still retrying its handshake must not hold the exit.
        ctx.destroy(linger=0)


if __name__ == "__main__":
    sys.exit(main())
