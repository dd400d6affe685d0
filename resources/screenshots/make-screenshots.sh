#!/bin/sh
# Renders the README screenshots: the real application with --demo traffic,
# a 1600x1000 window in the default layout, saved by its hidden --screenshot
# option after a few seconds of traffic.
#
#   resources/screenshots/make-screenshots.sh [path/to/zmqscope]
#
# Uses Xvfb (xvfb-run) when it is installed, the offscreen platform otherwise.
# Writes main-window.png (JSON telemetry in the detail pane), hex-view.png
# (the demo's PNG image in the hex view), capture-window.png (the demo traffic
# recorded and opened as a capture), library.png (the Library panel of saved
# messages), tap.png (the demo's quote clients and service through a tap, with
# the Tap Monitor), new-tap.png (Capture > New Tap), and tap-messages.png plus
# tap-messages-frames.png (a req-rep tap in front of the demo's echo service:
# c2s/s2c rows with their peer, the Envelope and Frames tabs), security-dialog.png (New Socket's
# Security tab for a CURVE client, its keys loaded from a certificate file, the secret masked),
# handshake-failed.png (a CURVE client with the wrong server key: its row, state tool tip and the
# Events lines; the tool tip is a window of its own, so this one needs Xvfb), pcap.png (the packet-capture fixture
# tests/capture/data/conversations.pcap with its Connections panel), decoded.png (protobuf bodies from
# tests/interop/payload_peer.py decoded by a workspace's decode rules: the JSON tab's tree, the rule named;
# needs protoc and python3-protobuf), filter-error.png (a filter expression with a mistake: the error and
# its column under the box), diff.png (a demo telemetry reading in the Diff tab against the previous one with
# its id, field by field), conversations.png (the demo DEALER's requests with their replies and latency
# histogram), health.png (the demo telemetry's sequence gaps and their likely cause), plot.png (its celsius
# readings, a series per sensor) and, as root, sniff.png (the demo's traffic sniffed live on lo: the sniffer's
# and its connections' rows) next to this script.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
app=${1:-}
if [ -z "$app" ]; then
    for candidate in "$here/../../build/app/gui/zmqscope" "$here"/../../build-*/app/gui/zmqscope; do
        if [ -x "$candidate" ]; then
            app=$candidate
            break
        fi
    done
fi
if [ -z "$app" ] || [ ! -x "$app" ]; then
    echo "make-screenshots.sh: no zmqscope executable found; build it first or pass its path" >&2
    exit 2
fi

# A settings folder of its own, so the user's saved layout, recent endpoints and library stay out.
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT INT TERM
export XDG_CONFIG_HOME="$config"
export XDG_DATA_HOME="$config"
export XDG_RUNTIME_DIR="$config"

run() {
    if command -v xvfb-run >/dev/null 2>&1; then
        xvfb-run -a -s "-screen 0 1600x1000x24" "$app" -platform xcb "$@"
    else
        QT_QPA_PLATFORM=offscreen "$app" "$@"
    fi
}

run --demo --screenshot "$here/main-window.png" --screenshot-tab json
run --demo --screenshot "$here/hex-view.png" --screenshot-tab hex
run --demo --screenshot "$here/capture-window.png" --screenshot-tab capture
run --demo --screenshot "$here/library.png" --screenshot-tab library
run --demo --screenshot "$here/tap.png" --screenshot-tab tap
run --demo --screenshot "$here/new-tap.png" --screenshot-tab newtap
run --demo --screenshot "$here/tap-messages.png" --screenshot-tab tapmessages
run --demo --screenshot "$here/security-dialog.png" --screenshot-tab security
run --demo --screenshot "$here/handshake-failed.png" --screenshot-tab handshake
run --demo --screenshot "$here/filter-error.png" --screenshot-tab filtererror
run --demo --screenshot "$here/diff.png" --screenshot-tab diff
run --demo --screenshot "$here/conversations.png" --screenshot-tab conversations
run --demo --screenshot "$here/health.png" --screenshot-tab health
run --demo --screenshot "$here/plot.png" --screenshot-tab plot
# Protobuf decoded: the test protos compiled, a workspace with a PULL and the decode rules, and the
# python peer sending its cases to that PULL once the app listens.
src="$here/../.."
if command -v protoc >/dev/null 2>&1; then
    protoc -I"$src/tests/analysis/data" --python_out="$config" --descriptor_set_out="$config/telemetry.desc" \
        --include_imports "$src/tests/analysis/data/telemetry.proto" "$src/tests/analysis/data/units.proto"
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat >"$config/decoders.zmqscope" <<EOF
{"zmqscope_workspace": 1,
 "sockets": [{"name": "telemetry", "type": "PULL", "binds": ["tcp://127.0.0.1:$port"], "connects": [],
              "subscriptions": [], "options": []}],
 "decoders": ["id=protobuf-batch:protobuf:$config/telemetry.desc:demo.Batch",
              "id=protobuf-*:protobuf:$config/telemetry.desc:demo.Reading"]}
EOF
    (sleep 2 && /usr/bin/python3 "$src/tests/interop/payload_peer.py" send --connect "tcp://127.0.0.1:$port" \
        --proto-dir "$config" >/dev/null) &
    run --session "$config/decoders.zmqscope" --screenshot "$here/decoded.png" --screenshot-tab decoded \
        --screenshot-delay 5000
    wait
else
    echo "make-screenshots.sh: decoded.png needs protoc (Debian's protobuf-compiler); skipped" >&2
fi
run --screenshot "$here/pcap.png" --screenshot-tab pcap "$here/../../tests/capture/data/conversations.pcap"
# The demo's traffic sniffed on lo: capturing needs root (or cap_net_raw on the app); without it the
# picture shows the sniffer's error row instead, and sniff.png is left as it was.
if [ "$(id -u)" = 0 ]; then
    run --demo --screenshot "$here/sniff.png" --screenshot-tab sniff
else
    echo "make-screenshots.sh: sniff.png needs root (live capture on lo); skipped" >&2
fi
