#!/usr/bin/env bash
# The one command a developer (and CI) needs:
#
#   packaging/dev.sh run [app args]   install what is missing, build build/, start the app with demo peers
#   packaging/dev.sh test             install what is missing, build and run every test (+ ASan/UBSan core tests)
#   packaging/dev.sh bench [name|all] [args]
#                                     build build/ and run a benchmark (default transport; args go to it)
#   packaging/dev.sh package [DIR]    build the DEB and RPM packages into DIR and check them with lintian/rpmlint
#
# Works from any directory and on a fresh clone of Debian 12.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JOBS="$(nproc 2>/dev/null || echo 2)"
PACKAGES_FILE="$ROOT/packaging/debian-packages.txt"

say() { printf '==> %s\n' "$*"; }
die() {
    printf 'dev.sh: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<'EOF'
usage: packaging/dev.sh <command> [args]

  run [app args]   install missing Debian packages, build build/ (RelWithDebInfo)
                   and start ZmqScope with its demo peers (args go to the app)
  test             install missing Debian packages, check every source file with clang-format,
                   build build-ci/ with -Werror, run every test, run clang-tidy on the changed
                   .cpp files, then build build-asan/ (ASan+UBSan) and run the core tests
  bench [NAME|all] [args]
                   build build/ (RelWithDebInfo) and run tests/bench/NAME_bench with args
                   (default transport); NAME is transport, ingest, memory, responsiveness,
                   filter, cli, tap, pcap or analysis; "all" runs every one with its defaults (try: bench ingest --help)
  package [DIR]    build build-package/ with Debian's hardening flags, make the DEB and RPM
                   packages in DIR (default build-package/packages), run lintian and rpmlint
                   (`test` runs the packaging test, label "packaging", with the others)
EOF
}

# Installs the packages of packaging/debian-packages.txt that are not installed yet.
install_missing() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        say "not a Debian system: install the equivalents of packaging/debian-packages.txt yourself"
        return 0
    fi
    local wanted=() missing=() pkg
    mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$PACKAGES_FILE" | grep -v '^$')
    for pkg in "${wanted[@]}"; do
        if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "all ${#wanted[@]} Debian packages of packaging/debian-packages.txt are installed"
        return 0
    fi
    say "installing missing Debian packages: ${missing[*]}"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get)
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            apt=(sudo "${apt[@]}")
        else
            die "missing Debian packages: ${missing[*]}; run this as root or install them: apt-get install ${missing[*]}"
        fi
    fi
    "${apt[@]}" update
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
}

# configure <build dir> <cmake args...>; keeps the generator of an existing build dir.
configure() {
    local dir=$1
    shift
    local generator=()
    [ -f "$dir/CMakeCache.txt" ] || generator=(-G Ninja)
    cmake -S "$ROOT" -B "$dir" "${generator[@]}" "$@"
}

build() {
    local dir=$1
    shift
    cmake --build "$dir" -j"$JOBS" "$@"
}

# A small command-line demo, used until the desktop app (app/gui) is built: an echo REP
# bound to a free loopback port answers three requests sent by zmqscope-cli.
cli_demo() {
    local cli="$ROOT/build/app/cli/zmqscope-cli"
    [ -x "$cli" ] || die "neither build/app/gui/zmqscope nor build/app/cli/zmqscope-cli was built"
    DEMO_LOG="$(mktemp)"
    say "the desktop app is not built yet: a zmqscope-cli demo instead"
    "$cli" echo --type rep --bind 'tcp://127.0.0.1:*' --count 3 --timeout 20000 2> >(tee "$DEMO_LOG" >&2) &
    DEMO_PID=$!
    trap 'kill "$DEMO_PID" 2>/dev/null || true; rm -f "$DEMO_LOG"' EXIT
    local endpoint="" tries=0
    # The echo prints "... bound to tcp://127.0.0.1:PORT" once it listens.
    while [ -z "$endpoint" ] && [ "$tries" -lt 100 ] && kill -0 "$DEMO_PID" 2>/dev/null; do
        endpoint="$(grep -o 'tcp://127\.0\.0\.1:[0-9]*' "$DEMO_LOG" | head -n 1 || true)"
        [ -n "$endpoint" ] || sleep 0.1
        tries=$((tries + 1))
    done
    [ -n "$endpoint" ] || die "the zmqscope-cli echo did not report its endpoint"
    local i
    for i in 1 2 3; do
        say "zmqscope-cli send --type req --connect $endpoint --id demo-$i --text 'hello $i'"
        "$cli" send --type req --connect "$endpoint" --id "demo-$i" --text "hello $i" --timeout 5000
    done
    wait "$DEMO_PID"
}

cmd_run() {
    install_missing
    configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    build build
    if [ -x build/app/gui/zmqscope ]; then
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
            say "no DISPLAY or WAYLAND_DISPLAY: the window needs a desktop session (or try xvfb-run)"
        fi
        exec build/app/gui/zmqscope --demo "$@"
    fi
    cli_demo
}

# Runs ctest in <dir> with <args...>; adds "passed failed" to the totals and the stage report.
TOTAL_PASSED=0
TOTAL_FAILED=0
REPORT=()
FAILED_STAGES=()
# What each failed test said (QtTest's FAIL! and Loc lines, ctest's failing names), repeated at the
# end of the run so the tail of a long log shows why, not only that, something failed.
FAILURE_DIGEST=()

run_ctest() {
    local dir=$1 stage=$2
    shift 2
    local log="$dir/dev-ctest.log" status=0
    (cd "$dir" && ctest --output-on-failure --no-tests=error --timeout 300 "$@") 2>&1 | tee "$log" || status=$?
    local line failed=0 total=0
    line="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)"
    if [ -n "$line" ]; then
        failed="$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")"
        total="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")"
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + total - failed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    REPORT+=("$stage: $((total - failed)) passed, $failed failed")
    if [ "$status" -ne 0 ] || [ -z "$line" ]; then
        FAILED_STAGES+=("$stage tests")
        local digest
        digest="$(grep -E '^(FAIL!  :|   Loc: |   Actual |   Expected | *[0-9]+/[0-9]+ Test +#[0-9]+: .*(Failed|Timeout|Exception|Not Run))' "$log" \
            | head -n 60 || true)"
        [ -z "$digest" ] || FAILURE_DIGEST+=("$stage:" "$digest")
    fi
}

# Builds only what `ctest -L core` runs (each test is named after its executable target);
# builds everything when that is not possible.
build_core_tests() {
    local dir=$1 targets=()
    mapfile -t targets < <(cd "$dir" && ctest -N -L core 2>/dev/null | sed -nE 's/^ *Test +#[0-9]+: +([^ ]+)$/\1/p')
    if [ ${#targets[@]} -gt 0 ] && build "$dir" --target "${targets[@]}"; then
        return 0
    fi
    build "$dir"
}

# Every C++ source file of the repository, tracked or new (not ignored).
source_files() {
    git -C "$ROOT" ls-files --cached --others --exclude-standard -- '*.cpp' '*.h' \
        | while read -r f; do [ -f "$ROOT/$f" ] && printf '%s\n' "$f"; done
}

# clang-format with the repo's .clang-format on every source file: any deviation fails.
check_format() {
    local files=()
    mapfile -t files < <(source_files)
    if clang-format-14 --dry-run -Werror "${files[@]}"; then
        REPORT+=("clang-format: ${#files[@]} files clean")
    else
        FAILED_STAGES+=("clang-format")
        REPORT+=("clang-format: deviations above (fix with: clang-format-14 -i FILE)")
    fi
}

# The .cpp files changed since ZMQSCOPE_TIDY_BASE (default: the fork point from origin/main,
# or the previous commit when this is origin/main), plus uncommitted ones.
changed_sources() {
    local base="${ZMQSCOPE_TIDY_BASE:-}"
    if [ -z "$base" ]; then
        if git -C "$ROOT" rev-parse -q --verify origin/main >/dev/null \
            && [ "$(git -C "$ROOT" rev-parse HEAD)" != "$(git -C "$ROOT" rev-parse origin/main)" ]; then
            base="$(git -C "$ROOT" merge-base HEAD origin/main)"
        elif git -C "$ROOT" rev-parse -q --verify HEAD~1 >/dev/null; then
            base=HEAD~1
        else
            source_files | grep '\.cpp$' || true
            return 0
        fi
    fi
    { git -C "$ROOT" diff --name-only --diff-filter=d "$base" -- '*.cpp'
      git -C "$ROOT" ls-files --others --exclude-standard -- '*.cpp'; } | sort -u \
        | while read -r f; do [ -f "$ROOT/$f" ] && printf '%s\n' "$f"; done
}

# clang-tidy with the repo's .clang-tidy on the changed .cpp files that <dir> compiles; any
# finding fails (fix it, or justify switching its check off in .clang-tidy).
check_tidy() {
    local dir=$1 files=() compiled=() f
    mapfile -t files < <(changed_sources)
    for f in "${files[@]}"; do
        grep -q "\"file\": \"$ROOT/$f\"" "$dir/compile_commands.json" && compiled+=("$f")
    done
    if [ ${#compiled[@]} -eq 0 ]; then
        REPORT+=("clang-tidy: no changed .cpp file to check")
        return 0
    fi
    say "clang-tidy on ${#compiled[@]} changed files: ${compiled[*]}"
    local log="$dir/dev-tidy.log"
    # --quiet: only findings; a file with findings exits non-zero (WarningsAsErrors: '*').
    if (cd "$ROOT" && printf '%s\n' "${compiled[@]}" \
        | xargs -P "$JOBS" -n 4 clang-tidy-14 --quiet -p "$dir" --warnings-as-errors='*') >"$log" 2>&1; then
        REPORT+=("clang-tidy: ${#compiled[@]} changed files clean")
    else
        grep -E 'error:|warning:' "$log" | grep -v 'warnings generated' || cat "$log"
        FAILED_STAGES+=("clang-tidy")
        REPORT+=("clang-tidy: findings above (in $log)")
    fi
}

cmd_test() {
    local started=$SECONDS
    install_missing

    say "clang-format: every source file"
    check_format

    say "build-ci: RelWithDebInfo, -Werror, everything"
    if configure build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZMQSCOPE_WERROR=ON && build build-ci; then
        run_ctest build-ci "build-ci (all labels)"
        # The UI suites again with another application font and smaller windows: a test that
        # expects the row heights, text widths or viewport sizes of the machine it was written on
        # fails here, not on the next machine (tests/ui/testappearance.h).
        say "build-ci: the ui label again, DejaVu Serif 12 pt, windows at 0.8 of their size"
        ZMQSCOPE_TEST_FONT="DejaVu Serif,12" ZMQSCOPE_TEST_WINDOW_SCALE=0.8 \
            run_ctest build-ci "build-ci (ui, DejaVu Serif 12 pt, windows x0.8)" -L ui
        check_tidy build-ci
    else
        FAILED_STAGES+=("build-ci build")
        REPORT+=("build-ci (all labels): build FAILED, no test ran")
    fi

    say "build-asan: Debug, AddressSanitizer + UndefinedBehaviorSanitizer, core tests"
    if configure build-asan -DCMAKE_BUILD_TYPE=Debug -DZMQSCOPE_SANITIZE=ON -DZMQSCOPE_BUILD_GUI=OFF \
        && build_core_tests build-asan; then
        ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1}" \
            UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
            run_ctest build-asan "build-asan (core, ASan+UBSan)" -L core
    else
        FAILED_STAGES+=("build-asan build")
        REPORT+=("build-asan (core, ASan+UBSan): build FAILED, no test ran")
    fi

    echo
    local line
    for line in "${REPORT[@]}"; do
        say "$line"
    done
    say "took $((SECONDS - started)) s"
    if [ ${#FAILURE_DIGEST[@]} -ne 0 ]; then
        say "what the failed tests said:"
        printf '%s\n' "${FAILURE_DIGEST[@]}"
    fi
    if [ ${#FAILED_STAGES[@]} -ne 0 ]; then
        say "FAILED: ${FAILED_STAGES[*]}"
    fi
    echo "summary: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
    [ ${#FAILED_STAGES[@]} -eq 0 ]
}

BENCHMARKS=(transport ingest memory responsiveness filter cli tap pcap analysis page)

cmd_bench() {
    local which=transport selected=()
    # "bench --messages 10" keeps meaning the transport benchmark, as before there were several.
    if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
        which=$1
        shift
    fi
    case "$which" in
    all)
        [ $# -eq 0 ] || die "bench all runs every benchmark with its defaults; give arguments to one: bench <name> $*"
        selected=("${BENCHMARKS[@]}")
        ;;
    transport | ingest | memory | responsiveness | filter | cli | tap | pcap | analysis | page) selected=("$which") ;;
    *) die "unknown benchmark \"$which\"; valid: ${BENCHMARKS[*]}, all" ;;
    esac
    install_missing
    configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    build build --target "${selected[@]/%/_bench}"
    local name failed=()
    for name in "${selected[@]}"; do
        say "benchmark: $name"
        "build/tests/bench/${name}_bench" "$@" || failed+=("$name")
    done
    # A benchmark exits non-zero when a run fails or (responsiveness) misses its goal.
    [ ${#failed[@]} -eq 0 ] || die "benchmark failed or missed its goal: ${failed[*]}"
}

# Builds the Linux packages from build-package/ (RelWithDebInfo plus the flags Debian's own
# packages get from dpkg-buildflags, hardening included) and checks them; lintian errors and
# rpmlint errors fail, packaging/README.md explains every message that is left.
cmd_package() {
    local dest="${1:-$ROOT/build-package/packages}"
    install_missing
    local cxxflags="" ldflags=""
    if command -v dpkg-buildflags >/dev/null 2>&1; then
        local flags=(env DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get)
        cxxflags="$("${flags[@]}" CPPFLAGS) $("${flags[@]}" CXXFLAGS)"
        ldflags="$("${flags[@]}" LDFLAGS)"
    fi
    configure build-package -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
        "-DCMAKE_CXX_FLAGS=$cxxflags" "-DCMAKE_EXE_LINKER_FLAGS=$ldflags"
    build build-package
    mkdir -p "$dest"
    dest="$(cd "$dest" && pwd)"
    rm -rf "$dest"/zmqscope[-_]*.deb "$dest"/zmqscope-*.rpm "$dest"/*.sha256 "$dest/_CPack_Packages"
    local generators=DEB
    if command -v rpmbuild >/dev/null 2>&1; then
        generators="DEB;RPM"
    fi
    say "cpack -G \"$generators\" into $dest"
    (cd build-package && cpack -G "$generators" -B "$dest")
    rm -rf "$dest/_CPack_Packages"
    say "lintian"
    lintian --fail-on error --display-info "$dest"/*.deb
    if [ "$generators" = "DEB;RPM" ]; then
        say "rpmlint (settings and filters: packaging/rpmlint.toml)"
        rpmlint -c "$ROOT/packaging/rpmlint.toml" "$dest"/*.rpm
        local rpm
        for rpm in "$dest"/*.rpm; do
            say "rpm -qpR $(basename "$rpm")"
            rpm -qpR "$rpm"
        done
    fi
    say "packages:"
    ls -l "$dest"/*.deb "$dest"/*.rpm 2>/dev/null || true
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
run) cmd_run "$@" ;;
test) cmd_test "$@" ;;
bench) cmd_bench "$@" ;;
package) cmd_package "$@" ;;
-h | --help | help)
    usage
    ;;
*)
    usage >&2
    [ -n "$command" ] && printf 'dev.sh: unknown command "%s"\n' "$command" >&2
    exit 2
    ;;
esac
