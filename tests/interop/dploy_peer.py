#!/usr/bin/python3
"""An independent Dploy-envelope peer for ZmqScope's interop and CLI tests.

Runs on Debian's python3-zmq (/usr/bin/python3), not on ZmqScope code: it
re-implements the envelope of dploylib.transport as the original does
(Envelope.transfer_object / from_raw / response_envelope), so our C++ port is
checked against a second, separate implementation on the wire.

Output on stdout, one line each, flushed:
  line 1   the endpoint: the real one when binding (tcp://127.0.0.1:* resolved),
           else the one connected to
  then     one JSON object per received message: {"frames": ["<base64>", ...]}
Errors go to stderr; the exit status is 0 when everything expected happened.
Every wait is bounded by --timeout, so the peer always exits by itself.

Modes:
  rep     REP: answer --count requests with their response envelope
  router  ROUTER: the same, keeping the routing frames (from_raw semantics)
  service ROUTER written as a Dploy service with the original library: a PollLoop
          routes each request to a handler that answers receive_envelope() with
          response_envelope(mimetype, b"re: " + body) through send_envelope();
          a reply whose routing id was lost goes nowhere, as with the original
  req     REQ: send the --send envelopes (--count in total), check each reply
  dealer  DEALER: like req (add --delimiter to talk to a REP)
  pub     PUB (an XPUB, which SUB peers cannot tell apart): wait for
          --wait-subscribers subscriptions, then publish
  sub     SUB: print received messages until --count or --until-id
  push    PUSH: send the --send envelopes
  pull    PULL: print --count received messages
"""

import argparse
import base64
import binascii
import json
import sys

import zmq


class Envelope:
    """dploylib.transport.Envelope, bytes throughout."""

    def __init__(self, id, mimetype, data, request_frames=None):
        self.id = id
        self.mimetype = mimetype
        self.data = data
        self.request_frames = list(request_frames or [])

    @classmethod
    def new(cls, mimetype, data, id=b"", request_frames=None):
        return cls(id, mimetype, data, request_frames)

    @classmethod
    def from_raw(cls, raw):
        # As the original: the last three frames are id, mimetype and body; the frames before
        # the one preceding them (the empty delimiter) are the request frames.
        if len(raw) < 3:
            raise ValueError("%d frame(s) cannot be an envelope" % len(raw))
        request_frames = raw[:-4]
        id, mimetype, data = raw[-3:]
        return cls(id, mimetype, data, request_frames)

    def transfer_object(self):
        frames = []
        if self.request_frames:
            frames.extend(self.request_frames)
            frames.append(b"")
        frames.extend([self.id, self.mimetype, self.data])
        return frames

    def response_envelope(self, mimetype, data, id=None):
        return Envelope(self.id if id is None else id, mimetype, data, self.request_frames)


class Socket:
    """The envelope calls of dploylib.transport.Socket, as the original makes them."""

    def __init__(self, zmq_socket):
        self.zmq_socket = zmq_socket

    def receive_envelope(self):
        return Envelope.from_raw(self.zmq_socket.recv_multipart())

    def send_envelope(self, envelope):
        self.zmq_socket.send_multipart(envelope.transfer_object())


class PollLoop:
    """dploylib.transport.PollLoop: routes the POLLIN events of each socket to its handler."""

    def __init__(self, poller):
        self._poller = poller
        self._handlers = {}

    def register(self, socket, handler):
        self._handlers[socket.zmq_socket] = (socket, handler)
        self._poller.register(socket.zmq_socket, zmq.POLLIN)

    def poll(self, timeout):
        """Handles what is ready within timeout ms; returns how many sockets were handled."""
        events = dict(self._poller.poll(timeout))
        for zmq_socket, event in events.items():
            if event & zmq.POLLIN:
                socket, handler = self._handlers[zmq_socket]
                handler(socket)
        return len(events)


def emit(obj):
    print(json.dumps(obj), flush=True)


def report(frames):
    emit({"frames": [base64.b64encode(f).decode("ascii") for f in frames]})


def fail(message):
    print("dploy_peer: " + message, file=sys.stderr, flush=True)
    sys.exit(1)


def receive(socket, args):
    try:
        return socket.recv_multipart()
    except zmq.Again:
        fail("%s: nothing arrived within %d ms" % (args.mode, args.timeout))


def send(socket, frames, args):
    try:
        socket.send_multipart(frames)
    except zmq.Again:
        fail("%s: no peer took the message within %d ms" % (args.mode, args.timeout))


def outgoing(args):
    """The envelopes to send, --count of them, cycling through --send."""
    envelopes = []
    for id, mimetype, body in args.send or [["", "text/plain", "hello from python"]]:
        if args.hex:
            try:
                id, mimetype, body = (binascii.unhexlify(v) for v in (id, mimetype, body))
            except (binascii.Error, ValueError) as error:
                fail("bad hex in --send: %s" % error)
        else:
            id, mimetype, body = (v.encode("utf-8") for v in (id, mimetype, body))
        envelopes.append(Envelope.new(mimetype, body, id=id))
    count = args.count if args.count is not None else len(envelopes)
    return [envelopes[i % len(envelopes)] for i in range(count)]


def serve(socket, args):
    """rep and router: answer each request with its response envelope."""
    for _ in range(args.count if args.count is not None else 1):
        raw = receive(socket, args)
        report(raw)
        try:
            request = Envelope.from_raw(raw)
        except ValueError as error:
            fail("%s: not an envelope: %s" % (args.mode, error))
        reply = request.response_envelope(request.mimetype, request.data)
        send(socket, reply.transfer_object(), args)


def service(socket, args):
    """service: a Dploy ROUTER service, PollLoop and handler as written with the original library."""
    def answer(dploy_socket):
        raw = dploy_socket.zmq_socket.recv_multipart()
        report(raw)  # what arrived, before from_raw reads it (receive_envelope, unrolled to show it)
        try:
            request = Envelope.from_raw(raw)
        except ValueError as error:
            fail("service: not an envelope: %s" % error)
        dploy_socket.send_envelope(request.response_envelope(request.mimetype, b"re: " + request.data))

    loop = PollLoop(zmq.Poller())
    loop.register(Socket(socket), answer)
    handled = 0
    while handled < (args.count if args.count is not None else 1):
        if loop.poll(args.timeout) == 0:
            fail("service: nothing arrived within %d ms" % args.timeout)
        handled += 1


def request(socket, args):
    """req and dealer: send each envelope, check that the reply echoes it."""
    for envelope in outgoing(args):
        frames = envelope.transfer_object()
        if args.delimiter:
            frames = [b""] + frames
        send(socket, frames, args)
        raw = receive(socket, args)
        report(raw)
        try:
            reply = Envelope.from_raw(raw)
        except ValueError as error:
            fail("%s: the reply is not an envelope: %s" % (args.mode, error))
        if (reply.id, reply.mimetype, reply.data) != (envelope.id, envelope.mimetype, envelope.data):
            fail("%s: the reply %r does not echo the request %r"
                 % (args.mode, reply.transfer_object(), envelope.transfer_object()))


def publish(socket, args):
    subscribers = 0
    while subscribers < args.wait_subscribers:
        message = receive(socket, args)
        if message and message[0][:1] == b"\x01":
            subscribers += 1
    for envelope in outgoing(args):
        send(socket, envelope.transfer_object(), args)


def subscribe(socket, args):
    received = 0
    while args.count is None or received < args.count:
        raw = receive(socket, args)
        report(raw)
        received += 1
        if args.until_id is not None and len(raw) >= 3 and raw[-3] == args.until_id.encode("utf-8"):
            return
        if args.count is None and args.until_id is None:
            return


def push(socket, args):
    for envelope in outgoing(args):
        send(socket, envelope.transfer_object(), args)


def pull(socket, args):
    for _ in range(args.count if args.count is not None else 1):
        report(receive(socket, args))


MODES = {
    "rep": (zmq.REP, serve),
    "router": (zmq.ROUTER, serve),
    "service": (zmq.ROUTER, service),
    "req": (zmq.REQ, request),
    "dealer": (zmq.DEALER, request),
    "pub": (zmq.XPUB, publish),
    "sub": (zmq.SUB, subscribe),
    "push": (zmq.PUSH, push),
    "pull": (zmq.PULL, pull),
}


def main():
    parser = argparse.ArgumentParser(description="Dploy envelope peer on python3-zmq for ZmqScope tests.")
    parser.add_argument("mode", choices=sorted(MODES))
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--bind", metavar="URI")
    where.add_argument("--connect", metavar="URI")
    parser.add_argument("--count", type=int, help="messages to receive, or to send in total")
    parser.add_argument("--timeout", type=int, default=5000, help="ms for every receive and send")
    parser.add_argument("--send", nargs=3, action="append", metavar=("ID", "MIMETYPE", "BODY"),
                        help="an envelope to send (repeatable)")
    parser.add_argument("--hex", action="store_true", help="--send values are hex")
    parser.add_argument("--subscribe", action="append", metavar="PREFIX", help="sub: prefix (repeatable)")
    parser.add_argument("--until-id", metavar="ID", help="sub: stop after the envelope with this id")
    parser.add_argument("--routing-id", metavar="ID", help="req/dealer: the socket's routing id")
    parser.add_argument("--delimiter", action="store_true",
                        help="dealer: put an empty frame first, as a REQ does (to talk to a REP)")
    parser.add_argument("--wait-subscribers", type=int, default=1, metavar="N",
                        help="pub: subscriptions to wait for before publishing (default 1)")
    args = parser.parse_args()

    socket_type, run = MODES[args.mode]
    context = zmq.Context()
    socket = context.socket(socket_type)
    socket.setsockopt(zmq.LINGER, max(args.timeout, 0))
    socket.setsockopt(zmq.RCVTIMEO, args.timeout)
    socket.setsockopt(zmq.SNDTIMEO, args.timeout)
    if args.routing_id is not None:
        socket.setsockopt(zmq.ROUTING_ID, args.routing_id.encode("utf-8"))
    if socket_type == zmq.XPUB:
        socket.setsockopt(zmq.XPUB_VERBOSE, 1)
    if socket_type == zmq.SUB:
        for prefix in args.subscribe or [""]:
            socket.setsockopt(zmq.SUBSCRIBE, prefix.encode("utf-8"))

    if args.bind is not None:
        socket.bind(args.bind)
        print(socket.getsockopt(zmq.LAST_ENDPOINT).decode("utf-8"), flush=True)
    else:
        socket.connect(args.connect)
        print(args.connect, flush=True)

    run(socket, args)
    socket.close()  # waits up to the linger for queued messages to go out
    context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
