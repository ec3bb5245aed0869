#!/usr/bin/env bash
# Fuzzes every parser for a fixed time: bash scripts/fuzz.sh [SECONDS_PER_TARGET] (default 30).
# Installs the nightly toolchain and cargo-fuzz when missing, builds the seed corpora into
# target/fuzz-seeds/<target>/ from the project's own fixtures (and, when present, a few
# files of ../shared/corpus/, read in place), runs each target, and fails on any crash,
# printing the reproducer. Reproduce one with:
#   cd fuzz && cargo +nightly fuzz run --dev -s none TARGET artifacts/TARGET/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
ROOT="$PWD"
SEEDS="$ROOT/target/fuzz-seeds"
SHARED="$ROOT/../shared/corpus"
TARGETS=(front_matter shortcode liquid refs mapping archive wxr wordpress)
# A dev build (debug assertions, overflow checks; opt-level 1 in fuzz/Cargo.toml): the
# release build forces one codegen unit and takes over ten minutes on 2 cores. No
# sanitizer: the parsers are safe Rust, and libFuzzer still catches panics, stack
# overflows, timeouts and memory blow-ups, several times faster than under ASan.
FUZZ_FLAGS=(--dev -s none)

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# --- Seeds ---------------------------------------------------------------------------------

# Writes every string literal (plain or raw) of at least 3 characters of the Rust files
# given into DIR, one file each: the inputs the unit tests use.
literals() {
    local dir="$1"
    shift
    perl -CSD -e '
        use strict;
        my ($dir, @files) = @ARGV;
        my $n = 0;
        sub unescape {
            my $s = shift;
            $s =~ s/\\\n\s*//g;
            $s =~ s/\\u\{([0-9a-fA-F]+)\}/chr(hex($1))/ge;
            my %e = (n => "\n", t => "\t", r => "\r", 0 => "\0", "\\" => "\\", "\"" => "\"", "'"'"'" => "'"'"'");
            $s =~ s/\\(.)/exists $e{$1} ? $e{$1} : "\\$1"/ge;
            return $s;
        }
        for my $f (@files) {
            open(my $in, "<", $f) or die "$f: $!";
            local $/;
            my $src = <$in>;
            while ($src =~ /\br(#*)"(.*?)"\1|"((?:[^"\\]|\\.)*)"/gs) {
                my $v = defined $2 ? $2 : unescape($3);
                next if length($v) < 3;
                open(my $out, ">", sprintf("%s/lit-%04d", $dir, $n++)) or die;
                print $out $v;
            }
        }
    ' "$dir" "$@"
}

# Copies the first COUNT files smaller than MAX bytes (default 16 KiB) listed on stdin into
# DIR, named PREFIX-N. Reads all of stdin, so that the command piping in never gets SIGPIPE.
take() {
    local dir="$1" count="$2" prefix="$3" max="${4:-16384}" n=0 f
    while IFS= read -r f; do
        if [ -n "$f" ] && [ "$n" -lt "$count" ] && [ "$(wc -c <"$f")" -lt "$max" ]; then
            cp "$f" "$dir/$prefix-$n"
            n=$((n + 1))
        fi
    done
}

echo "fuzz: building seeds in target/fuzz-seeds/" >&2
rm -rf "$SEEDS"
for t in "${TARGETS[@]}"; do mkdir -p "$SEEDS/$t"; done

DEMO_PAGES=$(find examples/demo-hugo/content -name '*.md' | sort)
for t in front_matter shortcode refs liquid; do
    take "$SEEDS/$t" 100 demo <<<"$DEMO_PAGES"
done
literals "$SEEDS/front_matter" src/source/split.rs src/source/hugo.rs
literals "$SEEDS/shortcode" src/source/shortcode/tests.rs
literals "$SEEDS/liquid" src/source/liquid/tests.rs src/source/jekyll/tests.rs
literals "$SEEDS/refs" src/source/refs/tests.rs
literals "$SEEDS/mapping" src/mapping/mod.rs src/mapping/template.rs
cp mappings/*.yaml "$SEEDS/mapping/"
cp tests/fixtures/*.yaml "$SEEDS/mapping/" 2>/dev/null || true
literals "$SEEDS/wordpress" src/source/wordpress/tests.rs
literals "$SEEDS/wxr" src/source/wxr/tests.rs
# The tests' fragments inside a minimal export, so that they reach the item reader.
for f in "$SEEDS"/wxr/lit-*; do
    {
        printf '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n<wp:wxr_version>1.2</wp:wxr_version>\n'
        cat "$f"
        printf '\n</channel>\n</rss>\n'
    } >"$f.xml"
done

# A real archive: the demo site exported with the current carton, zipped with one top
# folder (as carton writes it) and flat (as other tools zip a bag).
cargo build --quiet --locked --bin carton
if ! out=$(target/debug/carton export examples/demo-hugo -o "$SEEDS/archive/demo.zip" 2>&1); then
    echo "$out" >&2
    exit 1
fi
python3 - "$SEEDS/archive/demo.zip" "$SEEDS/archive/flat.zip" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w") as dst:
    for info in src.infolist():
        name = info.filename.split("/", 1)[1] if "/" in info.filename else ""
        if name:
            dst.writestr(name, src.read(info), compress_type=info.compress_type)
EOF

# Real sites, read in place (never copied into the repository tree).
if [ -d "$SHARED" ]; then
    find "$SHARED/eig-hugo/content" -name '*.md' | sort | take "$SEEDS/front_matter" 30 hugo
    find "$SHARED/eig-jekyll" -name '*.md' | sort | take "$SEEDS/front_matter" 20 jekyll
    { grep -rl --include='*.md' '{{[<%]' "$SHARED/eig-hugo/content" || true; } | sort |
        take "$SEEDS/shortcode" 40 hugo
    find "$SHARED/eig-hugo/content" -name '*.md' | sort | take "$SEEDS/refs" 40 hugo
    { grep -rlE --include='*.md' --include='*.html' '\{[{%]' "$SHARED/eig-jekyll" || true; } | sort |
        take "$SEEDS/liquid" 40 jekyll
    find "$SHARED/wxr" -name '*.xml' | sort | take "$SEEDS/wxr" 100 wxr 65536
    # Post bodies (content:encoded) of the WordPress test exports: blocks and shortcodes.
    DIR="$SEEDS/wordpress" perl -0777 -ne '
        BEGIN { $n = 0 }
        while (/<content:encoded><!\[CDATA\[(.*?)\]\]><\/content:encoded>/gs) {
            next if length($1) < 3 || length($1) > 16384 || $n >= 300;
            open(my $out, ">", sprintf("%s/body-%04d", $ENV{DIR}, $n++)) or die;
            print $out $1;
        }
    ' "$SHARED"/wxr/*.xml
fi
for t in "${TARGETS[@]}"; do
    echo "fuzz: $t: $(find "$SEEDS/$t" -type f | wc -l) seeds" >&2
done

# --- Build and run -------------------------------------------------------------------------

cd fuzz
cargo +nightly fuzz build "${FUZZ_FLAGS[@]}"
failed=()
declare -A execs
for t in "${TARGETS[@]}"; do
    echo "fuzz: running $t for ${SECONDS_PER_TARGET}s" >&2
    mkdir -p "artifacts/$t"
    before=$(find "artifacts/$t" -type f | sort)
    log="$ROOT/target/fuzz-seeds/$t.log"
    if cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$t" "$SEEDS/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1; then
        :
    else
        failed+=("$t")
        tail -n 40 "$log" >&2
        new=$(comm -13 <(echo "$before") <(find "artifacts/$t" -type f | sort))
        for f in $new; do echo "fuzz: $t: reproducer fuzz/$f" >&2; done
    fi
    execs[$t]=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
done

echo "fuzz: executions per target (${SECONDS_PER_TARGET}s each):"
for t in "${TARGETS[@]}"; do
    printf '  %-14s %s\n' "$t" "${execs[$t]:-?}"
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashes in: ${failed[*]} (logs in target/fuzz-seeds/TARGET.log)" >&2
    exit 1
fi
