#!/bin/bash
# Records the packet-capture fixtures of tst_passivedecoder from real traffic on lo (needs root and
# tcpdump, and Debian's python3-zmq), then writes the lines each one decodes to (*.jsonl) with the
# build's tst_passivedecoder. Run from the repository: tests/capture/data/make-fixtures.sh BUILD_DIR
#   conversations.pcap    req-rep, dealer-router, pub-sub, PLAIN and CURVE (wire_peers.py)
#   not-zeromq.pcap       a plain TCP request and answer: no ZeroMQ in it
#   zmtp2-greeting.pcap   a ZMTP 2.0 peer's greeting (RFC 15), which is not decoded
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: make-fixtures.sh BUILD_DIR}
python=/usr/bin/python3

record() { # FILE COMMAND... ; the command prints the server ports it used, as "port": N
    local file=$1
    shift
    tcpdump -i lo -U -n --immediate-mode -w "$file.all" 'tcp and host 127.0.0.1' 2>"$file.log" &
    local pid=$!
    until grep -q "listening on" "$file.log"; do sleep 0.1; done
    "$@" >"$file.out"
    sleep 1 # tcpdump writes what it read; reading the ring can lag behind the traffic
    kill -TERM "$pid"
    wait "$pid" || true
    # Only the connections made here: lo carries whatever else runs on the machine.
    local filter
    filter=$(grep -o '"port": [0-9]*' "$file.out" | sort -u | sed 's/"port": /port /' | paste -sd' ' | sed 's/ port/ or port/g')
    tcpdump -r "$file.all" -w "$file" "$filter"
    rm -f "$file.log" "$file.out" "$file.all"
}

record "$here/conversations.pcap" "$python" "$here/../../interop/wire_peers.py" \
    --scenario req-rep --scenario dealer-router --scenario pub-sub --scenario plain --scenario curve

record "$here/not-zeromq.pcap" "$python" -c '
import socket, threading
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
print("\"port\": %d" % server.getsockname()[1])
def answer():
    connection, _ = server.accept()
    connection.recv(100); connection.sendall(b"HTTP/1.0 200 OK\r\n\r\nnot zeromq"); connection.close()
thread = threading.Thread(target=answer); thread.start()
client = socket.create_connection(server.getsockname())
client.sendall(b"GET / HTTP/1.0\r\n\r\n"); client.recv(100); client.close(); thread.join()'

record "$here/zmtp2-greeting.pcap" "$python" -c '
import socket, threading
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
print("\"port\": %d" % server.getsockname()[1])
greeting = bytes([0xff]) + bytes(8) + bytes([0x7f, 0x01, 0x05]) # ZMTP 2.0: signature, revision 1, PULL
def answer():
    connection, _ = server.accept()
    connection.recv(100); connection.sendall(greeting + bytes([0x00, 0x00])); connection.close()
thread = threading.Thread(target=answer); thread.start()
client = socket.create_connection(server.getsockname())
client.sendall(greeting + bytes([0x00, 0x00]) + bytes([0x00, 0x03]) + b"old"); client.recv(100); client.close(); thread.join()'

# The expected lines: what this build decodes, to be read over before committing.
[ -x "$build/tests/capture/tst_passivedecoder" ] && ZMQSCOPE_WRITE_PCAP_FIXTURES="$here" "$build/tests/capture/tst_passivedecoder" fixturesDecodeAsRecorded || true
ls -l "$here"
