#!/usr/bin/env bash
# `make fuzz`: every native Go fuzz target (func FuzzXxx in a _test.go file
# of any module), one after the other, FUZZTIME each. Targets are found
# with `go test -list`, so a new FuzzXxx anywhere is picked up without
# touching this script.
#
#   scripts/fuzz.sh                 FUZZTIME each (default 60s)
#   scripts/fuzz.sh smoke           what `make test` runs: FUZZ_SMOKE_TIME each
#                                   (default 10s), cut so that all of them
#                                   together stay within FUZZ_SMOKE_TOTAL
#                                   (default 120s, at least 2s a target)
#   scripts/fuzz.sh list            print the targets (package dir, name)
#
# A failing input is written by Go under the package's testdata/fuzz/FuzzXxx/
# and fails the run; plain `go test` replays every file there, so commit it
# with the fix as the regression test. A run that ends only in Go 1.26's
# "context deadline exceeded" race (go.dev/issue/75804), with no failing
# input, is a warning. FUZZ_PARALLEL bounds the fuzzing workers (default:
# GOMAXPROCS).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$PL_ROOT"

# fuzz_targets prints "dir name" for every fuzz target: packages whose
# test files declare a FuzzXxx are listed by the go tool itself, which
# compiles them and so never names a commented-out or misspelt target.
fuzz_targets() {
  local dir names name
  for dir in $(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_]' services | xargs -r -n1 dirname | sort -u); do
    names=$(go test -list '^Fuzz' "./$dir") || return 1
    for name in $(grep -E '^Fuzz' <<<"$names"); do echo "$dir $name"; done
  done
}

# run_target DIR NAME TIME: fuzz one target; go test -fuzz takes one
# package and a pattern that matches exactly one target.
run_target() {
  local dir=$1 name=$2 out before par=()
  [ -n "${FUZZ_PARALLEL:-}" ] && par=(-parallel "$FUZZ_PARALLEL")
  say "fuzz $dir $name for $3"
  before=$(corpus "$dir" "$name")
  out=$(mktemp)
  if (cd "$dir" && go test -run '^$' -fuzz "^$name\$" -fuzztime "$3" "${par[@]}" .) >"$out" 2>&1; then
    grep -v '^fuzz: elapsed' "$out" || true
    rm -f "$out"
    return 0
  fi
  grep -v '^fuzz: elapsed' "$out" >&2 || true
  if deadline_race "$out" && [ "$before" = "$(corpus "$dir" "$name")" ]; then
    say "warning: $name stopped on Go 1.26's fuzztime race (go.dev/issue/75804): no failing input, not a finding"
    rm -f "$out"
    return 0
  fi
  rm -f "$out"
  die "fuzz target $name in $dir failed; a failing input is under $dir/testdata/fuzz/$name/ (commit it with the fix)"
}

# corpus DIR NAME lists the target's committed and new failing inputs.
corpus() { ls "$1/testdata/fuzz/$2" 2>/dev/null || true; }

# deadline_race OUTPUT: did go test fail only with "context deadline
# exceeded" as -fuzztime ran out (a coordinator bug fixed in Go 1.27), with
# no seed or input failing?
deadline_race() {
  grep -q '^    context deadline exceeded$' "$1" && ! grep -qE -- '--- FAIL: [^ ]+/' "$1" && ! grep -q 'Failing input written' "$1"
}

mode=${1:-full}
list=$(fuzz_targets) || die "could not list the fuzz targets (does every test package compile?)"
mapfile -t targets <<<"$list"
[ -n "$list" ] || die "no fuzz targets found"
case "$mode" in
  list) printf '%s\n' "${targets[@]}"; exit 0 ;;
  full) each=${FUZZTIME:-60s} ;;
  smoke)
    per=${FUZZ_SMOKE_TIME:-10}; total=${FUZZ_SMOKE_TOTAL:-120}
    per=${per%s}; total=${total%s}
    (( per * ${#targets[@]} > total )) && per=$(( total / ${#targets[@]} ))
    (( per < 2 )) && per=2
    each=${per}s
    ;;
  *) die "unknown mode $mode (full, smoke, list)" ;;
esac
say "${#targets[@]} fuzz targets, $each each"
for t in "${targets[@]}"; do
  read -r dir name <<<"$t"
  run_target "$dir" "$name" "$each"
done
say "fuzzing found nothing"
