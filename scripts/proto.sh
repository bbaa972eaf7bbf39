#!/usr/bin/env bash
# Generates the Go code of the service contracts and checks that it is current.
#
#   scripts/proto.sh generate   regenerate services/platform/gen from proto/
#   scripts/proto.sh check      fail when the generated code is stale, or proto/
#                               is unformatted, fails lint, or breaks the
#                               contracts of the committed proto/
#
# PATHOLABEL_PROTO_AGAINST is the git revision whose proto/ `check` compares
# against for breaking changes (default HEAD: the uncommitted edits are judged).
# Everything runs offline: buf, protoc-gen-go and protoc-gen-go-grpc are the
# pinned local builds of scripts/tool.sh, and proto/ has no remote deps.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
gen_dir=services/platform/gen
cache=${PATHOLABEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/patholabel}
# buf would otherwise cache under $HOME/.cache/buf; keep it with the other tools.
export BUF_CACHE_DIR=${BUF_CACHE_DIR:-$cache/buf}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# setup_tools builds the pinned tools once and exposes the plugins on PATH
# under the names that proto/buf.gen.yaml asks for.
setup_tools() {
  local go_plugin grpc_plugin
  buf=$("$root/scripts/tool.sh" buf)
  go_plugin=$("$root/scripts/tool.sh" protoc-gen-go)
  grpc_plugin=$("$root/scripts/tool.sh" protoc-gen-go-grpc)
  mkdir -p "$tmp/bin"
  ln -s "$go_plugin" "$tmp/bin/protoc-gen-go"
  ln -s "$grpc_plugin" "$tmp/bin/protoc-gen-go-grpc"
  PATH="$tmp/bin:$PATH"
}

# generate_into DIR writes the generated tree under DIR/$gen_dir.
generate_into() {
  (cd "$root" && "$buf" generate --template proto/buf.gen.yaml -o "$1") ||
    { echo "proto.sh: buf generate failed" >&2; return 1; }
}

# pb_files DIR lists the generated files below DIR, relative to it.
pb_files() {
  [ -d "$1" ] || return 0
  (cd "$1" && find . -name '*.pb.go' | sed 's|^\./||')
}

generate() {
  generate_into "$tmp/out"
  # Replace rather than overlay, so a removed .proto takes its .pb.go with it;
  # hand-written files (tests) in the same folders stay.
  pb_files "$root/$gen_dir" | while read -r f; do rm -f "$root/$gen_dir/$f"; done
  mkdir -p "$root/$gen_dir"
  cp -R "$tmp/out/$gen_dir/." "$root/$gen_dir/"
  echo "proto.sh: generated $gen_dir"
}

# check_generated fails naming every generated file that is missing, extra or different.
check_generated() {
  local want="$tmp/out/$gen_dir" have="$root/$gen_dir" f stale=()
  generate_into "$tmp/out"
  while read -r f; do
    cmp -s "$want/$f" "$have/$f" || stale+=("$gen_dir/$f")
  done < <({ pb_files "$want"; pb_files "$have"; } | sort -u)
  [ ${#stale[@]} -eq 0 ] && return 0
  echo "proto.sh: generated code is stale, run 'scripts/proto.sh generate':" >&2
  printf '  %s\n' "${stale[@]}" >&2
  return 1
}

# check_breaking compares proto/ with its state at $PATHOLABEL_PROTO_AGAINST.
check_breaking() {
  local ref=${PATHOLABEL_PROTO_AGAINST:-HEAD}
  if ! git -C "$root" rev-parse -q --verify "$ref^{commit}" >/dev/null 2>&1; then
    # A fresh repository has no HEAD yet; a revision asked for by name must exist.
    if [ -n "${PATHOLABEL_PROTO_AGAINST:-}" ]; then
      echo "proto.sh: PATHOLABEL_PROTO_AGAINST=$ref is not a commit" >&2
      return 1
    fi
    echo "proto.sh: no commit $ref to compare against; breaking check compares against nothing"
    return 0
  fi
  if ! git -C "$root" cat-file -e "$ref:proto/buf.yaml" 2>/dev/null; then
    echo "proto.sh: $ref has no proto/ yet; breaking check compares against nothing"
    return 0
  fi
  mkdir -p "$tmp/against"
  git -C "$root" archive "$ref" proto | tar -x -C "$tmp/against"
  (cd "$root" && "$buf" breaking proto --against "$tmp/against/proto")
}

check() {
  local failed=()
  check_generated || failed+=(generated)
  (cd "$root" && "$buf" format -d --exit-code proto) || failed+=(format)
  (cd "$root" && "$buf" lint proto) || failed+=(lint)
  check_breaking || failed+=(breaking)
  if [ ${#failed[@]} -gt 0 ]; then
    echo "proto.sh: check failed: ${failed[*]}" >&2
    return 1
  fi
  echo "proto.sh: generated code current; format, lint and breaking checks pass"
}

case ${1:-} in
  generate) setup_tools; generate ;;
  check) setup_tools; check ;;
  *) echo "usage: scripts/proto.sh generate|check" >&2; exit 2 ;;
esac
