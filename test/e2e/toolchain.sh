#!/usr/bin/env bash
# Local toolchain for the devkube end-to-end tests.
#
# Builds, from the Go module proxy only, the programs the e2e tests need:
#   kwok + kwokctl, etcd, kube-apiserver/-controller-manager/-scheduler + kubectl,
#   the pulumi CLI + pulumi-language-nodejs, and pulumi-resource-kubernetes.
# Binaries go to a cache OUTSIDE the repository, keyed by version:
#   ${DEVKUBE_TOOLCHAIN_CACHE:-$HOME/.cache/devkube/toolchain}/<piece>-<version>/bin/
# and are reused when present (a warm run takes seconds). A binary already on
# PATH whose version matches exactly is used instead of building.
# Nothing is downloaded except through `go` (module proxy); no binary is ever
# written into the repository.
#
# Usage:
#   bash test/e2e/toolchain.sh                 build what is missing, log to stderr, print env
#   eval "$(bash test/e2e/toolchain.sh --env)"  build quietly (logs under the cache), set env
#   bash test/e2e/toolchain.sh --only kwok,etcd  build only some pieces (kwok etcd kubernetes pulumi provider)
#   bash test/e2e/toolchain.sh --check         build nothing; fail if a piece is missing
# On failure it prints one line: toolchain: cannot build <piece> <version>: <reason>
# and exits non-zero. Needs Go >= 1.26 (GO=/path/to/go or /usr/local/go/bin/go).
#
# Printed env: PATH (cache bin dirs first), DEVKUBE_TOOLCHAIN_CACHE, KWOK_RUNTIME=binary,
# KWOK_KUBE_VERSION, KWOK_{KUBE_APISERVER,KUBE_CONTROLLER_MANAGER,KUBE_SCHEDULER,KUBECTL,ETCD,CONTROLLER}_BINARY
# (kwokctl reads these), KWOK_KWOK_CONTROLLER_BINARY (same as KWOK_CONTROLLER_BINARY), KWOK_ETCD_VERSION, PULUMI_HOME (${DEVKUBE_PULUMI_HOME:-$HOME/.cache/devkube/pulumi-home}: holds
# versions/<v>/bin/pulumi for the npm `pulumi` launcher and plugins/resource-kubernetes-v<v>),
# PULUMI_SKIP_UPDATE_CHECK=true, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true.
# npm pins that match: pulumi / @pulumi/pulumi 3.259.0, @pulumi/kubernetes 4.25.0.
set -euo pipefail

# ---- versions (keep in sync with package.json pins) -------------------------
KWOK_VERSION=v0.8.0
ETCD_VERSION=v3.6.16
K8S_VERSION=v1.34.4
PULUMI_VERSION=v3.259.0            # npm pulumi / @pulumi/pulumi 3.259.0
# pulumi-language-nodejs: its own module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
# is refused by the module proxy (403) at the v3.259.0 commit (v3.0.0-20260820084410-a05d88f24d05),
# so the host is built from the last sdk/v3 release that still carried it as a package
# (github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs, sdk v3.68.0). The v3.259.0 CLI
# talks to it through its fallbacks for older hosts (GetRequiredPlugins, no Handshake).
PULUMI_NODEJS_HOST_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
PULUMI_NODEJS_HOST_VERSION=v3.0.0-20260820084410-a05d88f24d05
PULUMI_NODEJS_HOST_FALLBACK_SDK=v3.68.0
# pulumi-resource-kubernetes. The proxy refuses the release tags (github.com/pulumi/pulumi-kubernetes
# @v4.34.2+incompatible, sdk/v4@v4.34.1/.2: 403) and the provider/v4 pseudo-versions built from the
# release commits it does reveal (sdk/v4 tag .info, v4.21.1..v4.34.0 but for 4.27.0 and 4.31.x,
# whose commit it does not give): 403 for all of them. The only provider/v4
# version found served is the pseudo-version crd2pulumi v1.6.1 requires: main at 2026-01-15 03:34 UTC
# (f47bc2d6), 1.5 days before the sdk/v4.25.0 tag (144dd813), labelled 4.25.0 here. The npm
# @pulumi/kubernetes 4.25.0 package is byte-identical to 4.24.1 except for its version, and the
# SDK only changes again in 4.26.0 (new Kubernetes version), so this build serves the 4.25.0 npm SDK.
PULUMI_KUBERNETES_VERSION=4.25.0   # npm @pulumi/kubernetes to pin (= provider plugin version)
PULUMI_KUBERNETES_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
PULUMI_KUBERNETES_MODULE_SUM=h1:j2bphCf7c2YhnBrhwht2f3TNRRgcMImltUlAgzxr9H4=  # no sumdb entry: checked here
PULUMI_KUBERNETES_SDK_VERSION=v4.25.0  # replaces the module's `../sdk`

CACHE=${DEVKUBE_TOOLCHAIN_CACHE:-$HOME/.cache/devkube/toolchain}
DEVKUBE_PULUMI_HOME=${DEVKUBE_PULUMI_HOME:-$HOME/.cache/devkube/pulumi-home}
ALL_PIECES="kwok etcd kubernetes pulumi provider"

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

if [[ -z "${GO:-}" ]]; then
  if [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; else GO=$(command -v go || true); fi
fi
export GO GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off
GODIR=$(dirname "${GO:-/nonexistent}")
export PATH="$GODIR:$PATH"

say() { printf 'toolchain: %s\n' "$*" >&2; }
fail() { # fail <piece> <version> <reason>
  printf 'toolchain: cannot build %s %s: %s\n' "$1" "$2" "$3" >&2
  exit 1
}

# ---- small helpers ------------------------------------------------------------
# value of the first "<key>": "<value>" line of a `go mod download -json` answer
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" | head -n1; }
mod_download() { # mod_download <module@version> -> prints JSON, fails on error
  local out
  out=$("$GO" mod download -json "$1" 2>&1) || true
  if grep -q '"Error"' <<<"$out" || ! grep -q '"Dir"' <<<"$out"; then
    printf '%s\n' "$out" >&2
    echo "go mod download $1 failed: $(json_field Error <<<"$out" | sed 's/\\n\\t*/ /g' | head -c 300)" >&2
    return 1
  fi
  printf '%s\n' "$out"
}
# commit hash of a downloaded module version (from the answer, else from its cached .info)
origin_hash() {
  local h
  h=$(json_field Hash <<<"$1")
  [[ -n "$h" ]] || h=$(sed -n 's/.*"Hash": *"\([0-9a-f]*\)".*/\1/p' "$(json_field Info <<<"$1")" 2>/dev/null || true)
  printf '%s' "$h"
}
# write a wrapper module: new_wrapper <dir> <name> ; then append lines to go.mod
new_wrapper() {
  rm -rf "$1" && mkdir -p "$1"
  printf 'module devkube.local/toolchain/%s\n\ngo 1.26.0\n' "$2" >"$1/go.mod"
}
gobuild() { # gobuild <moddir> <outdir> <ldflags> <pkg>...
  local dir=$1 out=$2 ld=$3; shift 3
  mkdir -p "$out"
  (cd "$dir" && "$GO" build -p 2 -trimpath -ldflags "-s -w $ld" -o "$out/" "$@")
}
# the version a binary reports, without a leading v
ver_of() { # ver_of <piece-binary> <path> -> normalised version or empty
  local v=""
  case $1 in
    kwok|kwokctl) v=$("$2" --version 2>/dev/null | grep -o 'v\{0,1\}[0-9][0-9.]*[0-9]' | head -n1) ;;
    etcd) v=$("$2" --version 2>/dev/null | sed -n 's/^etcd Version: //p') ;;
    kube-*) v=$("$2" --version 2>/dev/null | sed -n 's/^Kubernetes //p') ;;
    kubectl) v=$("$2" version --client 2>/dev/null | sed -n 's/^Client Version: //p') ;;
    pulumi) v=$("$2" version 2>/dev/null) ;;
  esac
  printf '%s' "${v#v}"
}
# path_candidate <binary> <version>: prints the binary found on PATH (outside the cache)
# if it reports exactly that version, else fails
path_candidate() {
  local p
  p=$(command -v "$1" 2>/dev/null || true)
  [[ -n "$p" && "$p" != "$CACHE"/* ]] || return 1
  [[ "$(ver_of "$1" "$p")" == "${2#v}" ]] || return 1
  printf '%s' "$p"
}

# ---- per-piece definitions ------------------------------------------------------
piece_version() {
  case $1 in
    kwok) echo "$KWOK_VERSION" ;; etcd) echo "$ETCD_VERSION" ;; kubernetes) echo "$K8S_VERSION" ;;
    pulumi) echo "$PULUMI_VERSION" ;; provider) echo "v$PULUMI_KUBERNETES_VERSION" ;;
  esac
}
piece_bins() {
  case $1 in
    kwok) echo "kwok kwokctl" ;; etcd) echo "etcd" ;;
    kubernetes) echo "kube-apiserver kube-controller-manager kube-scheduler kubectl" ;;
    pulumi) echo "pulumi pulumi-language-nodejs" ;; provider) echo "pulumi-resource-kubernetes" ;;
  esac
}
piece_dir() { echo "$CACHE/$1-$(piece_version "$1")"; }
provider_plugin_dir() { echo "$DEVKUBE_PULUMI_HOME/plugins/resource-kubernetes-v$PULUMI_KUBERNETES_VERSION"; }

build_kwok() { # $1 = work dir, $2 = out bin dir
  local w=$1 out=$2
  new_wrapper "$w" kwok
  (cd "$w" && "$GO" mod edit -require="sigs.k8s.io/kwok@$KWOK_VERSION" \
      -tool=sigs.k8s.io/kwok/cmd/kwok -tool=sigs.k8s.io/kwok/cmd/kwokctl && "$GO" mod tidy)
  gobuild "$w" "$out" "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" \
    sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
}

build_etcd() {
  local w=$1 out=$2 j sha
  j=$(mod_download "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
  sha=$(origin_hash "$j"); sha=${sha:0:12}
  new_wrapper "$w" etcd
  (cd "$w" && "$GO" mod edit \
      -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/api/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/client/pkg/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/client/v3@$ETCD_VERSION" \
      -require="go.etcd.io/etcd/pkg/v3@$ETCD_VERSION" \
      -tool=go.etcd.io/etcd/server/v3 && "$GO" mod tidy)
  gobuild "$w" "$out" "-X go.etcd.io/etcd/api/v3/version.GitSHA=${sha:-unknown}" go.etcd.io/etcd/server/v3
  mv "$out/v3" "$out/etcd" 2>/dev/null || mv "$out/server" "$out/etcd" 2>/dev/null || true
}

build_kubernetes() {
  local w=$1 out=$2 j gomod commit date minor ld pkgs staging
  j=$(mod_download "k8s.io/kubernetes@$K8S_VERSION")
  gomod=$(json_field GoMod <<<"$j"); commit=$(origin_hash "$j")
  date=$(sed -n 's/.*"Time": *"\([^"]*\)".*/\1/p' "$(json_field Info <<<"$j")")
  minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/.*#\1#p' "$gomod")
  [[ -n "$staging" ]] || { echo "no staging replaces found in $gomod"; return 1; }
  new_wrapper "$w" kubernetes
  local args=(-require="k8s.io/kubernetes@$K8S_VERSION") m
  for m in $staging; do args+=(-replace="$m=$m@v0.${K8S_VERSION#v1.}"); done
  pkgs="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
  for m in $pkgs; do args+=(-tool="$m"); done
  (cd "$w" && "$GO" mod edit "${args[@]}" && "$GO" mod tidy)
  ld=""
  for m in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $m.gitVersion=$K8S_VERSION -X $m.gitMajor=1 -X $m.gitMinor=$minor"
    ld+=" -X $m.gitCommit=$commit -X $m.gitTreeState=clean -X $m.buildDate=$date"
  done
  # shellcheck disable=SC2086
  gobuild "$w" "$out" "$ld" $pkgs
}

# copy the non-local replace directives of a dependency's go.mod (e.g. pulumi's clipboard fork)
replace_args_from() { # replace_args_from <go.mod file> -> prints -replace=old=new@ver lines
  sed -n 's#^\(replace\)\{0,1\}[[:space:]]*\([^ ]*\) => \([^./][^ ]*\) \(v[^ ]*\)[[:space:]]*$#-replace=\2=\3@\4#p' "$1"
}

build_pulumi() {
  local w=$1 out=$2 j gomod
  local cli=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  local verflag="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
  j=$(mod_download "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION"); gomod=$(json_field GoMod <<<"$j")
  new_wrapper "$w/cli" pulumi
  # shellcheck disable=SC2046
  (cd "$w/cli" && "$GO" mod edit -require="github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" \
      -require="github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" $(replace_args_from "$gomod") \
      -tool="$cli" && cat go.mod && "$GO" mod tidy)
  echo "== building $cli"
  gobuild "$w/cli" "$out" "$verflag" "$cli"

  # language host: the module at the CLI's commit if the proxy serves it, else the fallback (see top)
  new_wrapper "$w/nodejs" pulumi-language-nodejs
  if j=$(mod_download "$PULUMI_NODEJS_HOST_MODULE@$PULUMI_NODEJS_HOST_VERSION"); then
    gomod=$(json_field GoMod <<<"$j")
    # shellcheck disable=SC2046
    (cd "$w/nodejs" && "$GO" mod edit -require="$PULUMI_NODEJS_HOST_MODULE@$PULUMI_NODEJS_HOST_VERSION" \
        -require="github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" -require="github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
        $(replace_args_from "$gomod") -tool="$PULUMI_NODEJS_HOST_MODULE" && "$GO" mod tidy)
    gobuild "$w/nodejs" "$out" "$verflag" "$PULUMI_NODEJS_HOST_MODULE"
    mv "$out/v3" "$out/pulumi-language-nodejs"
    echo "$PULUMI_NODEJS_HOST_MODULE@$PULUMI_NODEJS_HOST_VERSION" >"$out/../language-host-source"
  else
    echo "warning: proxy refuses $PULUMI_NODEJS_HOST_MODULE@$PULUMI_NODEJS_HOST_VERSION;" \
         "building pulumi-language-nodejs from github.com/pulumi/pulumi/sdk/v3@$PULUMI_NODEJS_HOST_FALLBACK_SDK"
    local host=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
    (cd "$w/nodejs" && "$GO" mod edit -require="github.com/pulumi/pulumi/sdk/v3@$PULUMI_NODEJS_HOST_FALLBACK_SDK" \
        -tool="$host" && "$GO" mod tidy)
    gobuild "$w/nodejs" "$out" "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_NODEJS_HOST_FALLBACK_SDK" "$host"
    echo "$host@$PULUMI_NODEJS_HOST_FALLBACK_SDK (fallback)" >"$out/../language-host-source"
  fi
}

build_provider() {
  local w=$1 out=$2 j dir sum
  local mod=github.com/pulumi/pulumi-kubernetes/provider/v4
  # this pseudo-version has no checksum-database entry: verify the pinned module hash instead
  j=$(GONOSUMDB=github.com/pulumi/pulumi-kubernetes mod_download "$mod@$PULUMI_KUBERNETES_MODULE_VERSION")
  sum=$(json_field Sum <<<"$j"); dir=$(json_field Dir <<<"$j")
  if [[ "$sum" != "$PULUMI_KUBERNETES_MODULE_SUM" ]]; then
    echo "error: checksum mismatch for $mod@$PULUMI_KUBERNETES_MODULE_VERSION: got $sum"; return 1
  fi
  # main.go embeds files generated next to it, so build from a writable copy of the module
  rm -rf "$w" && mkdir -p "$w" && cp -R "$dir/." "$w/" && chmod -R u+w "$w"
  (cd "$w" && "$GO" mod edit -dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4 \
      -require="github.com/pulumi/pulumi-kubernetes/sdk/v4@$PULUMI_KUBERNETES_SDK_VERSION")
  echo "== generating schema-embed.json for $PULUMI_KUBERNETES_VERSION"
  (cd "$w/cmd/pulumi-resource-kubernetes" && VERSION=$PULUMI_KUBERNETES_VERSION "$GO" run generate.go)
  [[ -s "$w/cmd/pulumi-resource-kubernetes/schema-embed.json" ]] || { echo "error: generate.go produced no schema-embed.json"; return 1; }
  echo "== building pulumi-resource-kubernetes"
  gobuild "$w" "$out" "-X $mod/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" ./cmd/pulumi-resource-kubernetes
  echo "$mod@$PULUMI_KUBERNETES_MODULE_VERSION sdk/v4@$PULUMI_KUBERNETES_SDK_VERSION" >"$out/../source"
}

# ---- driver --------------------------------------------------------------------
# __build <piece>: runs in a child bash so that `set -e` applies inside the build.
if [[ "${1:-}" == "__build" ]]; then
  piece=$2; dir=$(piece_dir "$piece")
  work="$CACHE/.work/$piece-$(piece_version "$piece")"
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp/bin"
  trap 'rm -rf "$tmp"' EXIT
  start=$SECONDS
  "build_$piece" "$work" "$tmp/bin"
  for b in $(piece_bins "$piece"); do
    [[ -x "$tmp/bin/$b" ]] || { echo "build produced no $b"; exit 1; }
  done
  rm -rf "$dir"; mv "$tmp" "$dir"; trap - EXIT
  echo "built $piece $(piece_version "$piece") in $((SECONDS - start))s"
  echo "$((SECONDS - start))" >"$dir/build-seconds"
  rm -rf "$work"
  exit 0
fi

MODE=build
ONLY=$ALL_PIECES
while [[ $# -gt 0 ]]; do
  case $1 in
    --env) MODE="env" ;;
    --check) MODE=check ;;
    --only) ONLY=${2//,/ }; shift ;;
    --only=*) ONLY=${1#--only=}; ONLY=${ONLY//,/ } ;;
    -h|--help) sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "toolchain: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p "$CACHE/logs"
# one builder at a time per cache (parallel test runs wait for each other)
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  if ! flock -n 9; then say "waiting for another toolchain build ($CACHE/.lock)"; flock 9; fi
fi

declare -A BIN   # binary name -> path to use

ensure_piece() {
  local piece=$1 ver dir b p all_on_path=1 log reason
  ver=$(piece_version "$piece"); dir=$(piece_dir "$piece")
  # 1. binaries already on PATH with exactly this version (not for plugins)
  if [[ "$piece" == pulumi ]]; then
    # a pulumi CLI of this version on PATH, with its language host beside it
    if p=$(path_candidate pulumi "$ver") && [[ -x "$(dirname "$p")/pulumi-language-nodejs" ]]; then
      BIN[pulumi]=$p; BIN[pulumi-language-nodejs]=$(dirname "$p")/pulumi-language-nodejs
      post_pulumi; return 0
    fi
  elif [[ "$piece" != provider ]]; then
    local found=()
    for b in $(piece_bins "$piece"); do
      if p=$(path_candidate "$b" "$ver"); then found+=("$b=$p"); else all_on_path=0; fi
    done
    if [[ $all_on_path == 1 ]]; then
      for p in "${found[@]}"; do BIN[${p%%=*}]=${p#*=}; done
      return 0
    fi
  fi
  # 2. cache
  local missing=0
  for b in $(piece_bins "$piece"); do [[ -x "$dir/bin/$b" ]] || missing=1; done
  if [[ $missing == 1 ]]; then
    [[ "$MODE" == check ]] && fail "$piece" "$ver" "not built yet in $dir (run without --check)"
    [[ -x "$GO" ]] || fail "$piece" "$ver" "no go binary (set GO=/path/to/go, Go >= 1.26)"
    log="$CACHE/logs/$piece-$ver.log"
    # --env stays quiet unless a human watches stderr; the failure line below is always printed
    [[ "$MODE" != env || -t 2 ]] && say "building $piece $ver (log: $log)"
    local rc=0
    if [[ "$MODE" == env ]]; then
      bash "$SELF" __build "$piece" >"$log" 2>&1 || rc=$?
    else
      bash "$SELF" __build "$piece" 2>&1 | tee "$log" >&2 || rc=$?
      [[ $rc == 0 ]] && rc=${PIPESTATUS[0]}
    fi
    if [[ $rc != 0 ]]; then
      reason=$(grep -E '403|404|[Ee]rror|cannot|failed|not found|no such|refused|unknown revision|build produced' "$log" \
                 | grep -v '^#' | tail -n1 | cut -c1-240)
      fail "$piece" "$ver" "${reason:-build failed (exit $rc)} (log: $log)"
    fi
    for b in $(piece_bins "$piece"); do
      [[ -x "$dir/bin/$b" ]] || fail "$piece" "$ver" "build finished without $dir/bin/$b (log: $log)"
    done
  fi
  for b in $(piece_bins "$piece"); do BIN[$b]=$dir/bin/$b; done
  case $piece in pulumi) post_pulumi ;; provider) post_provider ;; esac
}

# the npm `pulumi` launcher runs $PULUMI_HOME/versions/<version>/bin/pulumi when it exists
post_pulumi() {
  local vdir="$DEVKUBE_PULUMI_HOME/versions/${PULUMI_VERSION#v}/bin" b
  mkdir -p "$vdir"
  for b in pulumi pulumi-language-nodejs; do
    [[ "$(readlink "$vdir/$b" 2>/dev/null)" == "${BIN[$b]}" ]] || ln -sfn "${BIN[$b]}" "$vdir/$b"
  done
}

# install the provider binary as plugin resource-kubernetes-v<version> into $PULUMI_HOME
post_provider() {
  local pdir bin=${BIN[pulumi-resource-kubernetes]} log="$CACHE/logs/provider-install.log" ver="v$PULUMI_KUBERNETES_VERSION"
  pdir=$(provider_plugin_dir)
  if [[ -x "$pdir/pulumi-resource-kubernetes" ]] && cmp -s "$pdir/pulumi-resource-kubernetes" "$bin"; then return 0; fi
  [[ -n "${BIN[pulumi]:-}" ]] || ensure_piece pulumi
  if ! PULUMI_HOME=$DEVKUBE_PULUMI_HOME PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
       "${BIN[pulumi]}" plugin install resource kubernetes "$PULUMI_KUBERNETES_VERSION" --file "$bin" --reinstall >"$log" 2>&1; then
    fail provider "$ver" "pulumi plugin install failed: $(tail -n1 "$log" | cut -c1-200) (log: $log)"
  fi
  [[ -x "$pdir/pulumi-resource-kubernetes" ]] || fail provider "$ver" "plugin install left no $pdir/pulumi-resource-kubernetes (log: $log)"
}

for piece in $ONLY; do
  case " $ALL_PIECES " in *" $piece "*) ;; *) echo "toolchain: unknown piece $piece" >&2; exit 2 ;; esac
  ensure_piece "$piece"
done

# ---- environment for the caller ----------------------------------------------
emit() { printf 'export %s=%q\n' "$1" "$2"; }
path_add=""
for b in pulumi kubectl kube-apiserver etcd kwokctl; do
  [[ -n "${BIN[$b]:-}" ]] || continue
  d=$(dirname "${BIN[$b]}")
  [[ "$d" == "$CACHE"/* ]] || continue   # taken from PATH: already there
  case ":$path_add:" in *":$d:"*) ;; *) path_add=${path_add:+$path_add:}$d ;; esac
done
{
  # shellcheck disable=SC2016 # ${PATH} is for the caller's shell to expand
  [[ -n "$path_add" ]] && printf 'export PATH=%q"${PATH:+:$PATH}"\n' "$path_add"
  emit DEVKUBE_TOOLCHAIN_CACHE "$CACHE"
  if [[ -n "${BIN[kube-apiserver]:-}" || -n "${BIN[kwokctl]:-}" ]]; then
    emit KWOK_RUNTIME binary
    emit KWOK_KUBE_VERSION "$K8S_VERSION"
  fi
  [[ -n "${BIN[kube-apiserver]:-}" ]] && emit KWOK_KUBE_APISERVER_BINARY "${BIN[kube-apiserver]}"
  [[ -n "${BIN[kube-controller-manager]:-}" ]] && emit KWOK_KUBE_CONTROLLER_MANAGER_BINARY "${BIN[kube-controller-manager]}"
  [[ -n "${BIN[kube-scheduler]:-}" ]] && emit KWOK_KUBE_SCHEDULER_BINARY "${BIN[kube-scheduler]}"
  [[ -n "${BIN[kubectl]:-}" ]] && emit KWOK_KUBECTL_BINARY "${BIN[kubectl]}"
  [[ -n "${BIN[etcd]:-}" ]] && emit KWOK_ETCD_BINARY "${BIN[etcd]}"
  [[ -n "${BIN[etcd]:-}" ]] && emit KWOK_ETCD_VERSION "${ETCD_VERSION#v}"
  if [[ -n "${BIN[kwok]:-}" ]]; then
    emit KWOK_CONTROLLER_BINARY "${BIN[kwok]}"        # the name kwokctl reads
    emit KWOK_KWOK_CONTROLLER_BINARY "${BIN[kwok]}"   # alias for --kwok-controller-binary in scripts
  fi
  if [[ -n "${BIN[pulumi]:-}" ]]; then
    emit PULUMI_HOME "$DEVKUBE_PULUMI_HOME"
    emit PULUMI_SKIP_UPDATE_CHECK true
    emit PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION true
  fi
  :
} >"$CACHE/.env.tmp"
cat "$CACHE/.env.tmp"
rm -f "$CACHE/.env.tmp"
