"""A CURVE REP server for the UI tests, an independent peer (pyzmq, zmq.auth).

Usage: /usr/bin/python3 curve_server.py DIR

Writes its certificates into DIR (zmq.auth.create_certificates: server.key and
server.key_secret), binds a CURVE server REP on tcp://127.0.0.1:* with a
ThreadAuthenticator that lets in any client key, prints one JSON line
{"endpoint": "...", "public_key": "..."} and echoes every request until
stdin closes.
"""

import json
import sys
import threading

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator


def main():
    directory = sys.argv[1]
    public_file, secret_file = zmq.auth.create_certificates(directory, "server")
    public, secret = zmq.auth.load_certificate(secret_file)
    context = zmq.Context()
    auth = ThreadAuthenticator(context)
    auth.start()
    auth.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
    socket = context.socket(zmq.REP)
    socket.setsockopt(zmq.LINGER, 0)
    socket.curve_secretkey = secret
    socket.curve_publickey = public
    socket.curve_server = True
    socket.bind("tcp://127.0.0.1:*")
    print(json.dumps({"endpoint": socket.getsockopt_string(zmq.LAST_ENDPOINT),
                      "public_key": public.decode()}), flush=True)

    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    while not done.is_set():
        if socket.poll(100):
            socket.send_multipart(socket.recv_multipart())
    socket.close()
    auth.stop()
    context.term()


if __name__ == "__main__":
    main()
