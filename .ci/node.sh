# Source this to put Node.js 22 first on PATH when the system's node is older.
# The binaries come from the npm registry's node-linux-<arch> package (no other download),
# cached under ~/.cache/devkube, outside the repo.
DEVKUBE_NODE_VERSION="${DEVKUBE_NODE_VERSION:-22.23.3}"
devkube_node_ensure() {
    local current major arch dir tmp
    current="$(node --version 2>/dev/null || echo v0)"
    major="${current#v}"; major="${major%%.*}"
    if [ "$major" -ge 22 ] 2>/dev/null; then
        return 0
    fi
    case "$(uname -m)" in
        x86_64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) echo "node.sh: no Node.js package for $(uname -m); install Node.js 22 or newer yourself" >&2; return 1 ;;
    esac
    dir="${DEVKUBE_CACHE:-$HOME/.cache/devkube}/node-v${DEVKUBE_NODE_VERSION}-linux-${arch}"
    if [ ! -x "$dir/bin/node" ]; then
        echo "node.sh: fetching Node.js ${DEVKUBE_NODE_VERSION} (node-linux-${arch}) from the npm registry" >&2
        tmp="$(mktemp -d)"
        (cd "$tmp" && npm pack --silent "node-linux-${arch}@${DEVKUBE_NODE_VERSION}" >/dev/null && tar xzf ./*.tgz) || {
            echo "node.sh: could not fetch node-linux-${arch}@${DEVKUBE_NODE_VERSION} from the npm registry" >&2
            rm -rf "$tmp"; return 1
        }
        mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
    fi
    export PATH="$dir/bin:$PATH"
}
devkube_node_ensure
