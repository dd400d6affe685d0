"""An independent ZeroMQ peer for the UI tests, driven over stdin/stdout.

Usage: /usr/bin/python3 zmqpeer.py TYPE bind|connect ENDPOINT

Prints one JSON line {"endpoint": "..."} once the socket is bound or
connected, then answers JSON lines read from stdin:

    {"send": ["<hex>", ...]}        send one multipart message   -> {"sent": n}
    {"send": [...], "big": [i, n]}  the same with frame i replaced by n bytes 00 01 .. ff 00 01 ..
    {"recv": <timeout ms>}          receive one multipart message -> {"frames": ["<hex>", ...]}
                                                                  or {"timeout": true}
    {"quit": true}                  close and exit

Frames travel as hex so that any bytes (NUL, invalid UTF-8) survive.
"""

import json
import sys

import zmq


def main():
    socket_type, mode, endpoint = sys.argv[1], sys.argv[2], sys.argv[3]
    context = zmq.Context()
    socket = context.socket(getattr(zmq, socket_type.upper()))
    socket.setsockopt(zmq.LINGER, 1000)
    if socket_type.upper() == "SUB":
        socket.setsockopt(zmq.SUBSCRIBE, b"")
    if mode == "bind":
        socket.bind(endpoint)
    else:
        socket.connect(endpoint)
    print(json.dumps({"endpoint": socket.getsockopt_string(zmq.LAST_ENDPOINT)}), flush=True)

    for line in sys.stdin:
        command = json.loads(line)
        if "send" in command:
            frames = [bytes.fromhex(frame) for frame in command["send"]]
            if "big" in command:
                index, size = command["big"]
                frames[index] = (bytes(range(256)) * (size // 256 + 1))[:size]
            socket.send_multipart(frames)
            print(json.dumps({"sent": len(command["send"])}), flush=True)
        elif "recv" in command:
            if socket.poll(command["recv"], zmq.POLLIN):
                frames = socket.recv_multipart()
                print(json.dumps({"frames": [frame.hex() for frame in frames]}), flush=True)
            else:
                print(json.dumps({"timeout": True}), flush=True)
        elif "quit" in command:
            break
    socket.close()
    context.term()


if __name__ == "__main__":
    main()
