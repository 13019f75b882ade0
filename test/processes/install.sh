#!/usr/bin/env bash
# Installs what the process tests run: Debian's packages for the images' software, and code-server
# from npm (outside the repo, under ~/.cache/devkube). Prints one line and exits non-zero when it cannot.
set -uo pipefail
PACKAGES=(nfs-ganesha nfs-ganesha-vfs rpcbind dbus libnfs-utils nginx-light postgresql-15 postgresql-client-15
          redis-server redis-tools openssh-server openssh-client busybox-static curl iproute2 util-linux procps gcc libc6-dev)
# The version users run: the tag of the IDE image (components/images.ts).
CODE_SERVER_VERSION=$(sed -n 's|.*"codercom/code-server:\([0-9.]*\)".*|\1|p' components/images.ts)
CACHE=${DEVKUBE_CACHE:-$HOME/.cache/devkube}

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "processes: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$CACHE/apt.log" 2>&1; then
        echo "processes: cannot install Debian packages ${missing[*]}: $(tail -n 1 "$CACHE/apt.log")"
        exit 1
    fi
    # Debian starts the servers it has just installed when it can; the tests start their own.
    for s in nginx postgresql redis-server nfs-ganesha rpcbind ssh; do
        service "$s" stop >/dev/null 2>&1 || true
    done
fi

# code-server runs on Node.js 20, as the image does (its package says engines.node 20). Its postinstall
# fetches VS Code's modules from GitHub, which cannot be reached: install without scripts, then build
# the one native module its login needs (argon2) against this machine's Node headers.
dir="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$dir/.complete" ]; then
    node20=/usr/bin/node
    if [ "$("$node20" --version 2>/dev/null | cut -d. -f1)" != "v20" ] || [ ! -f /usr/include/node/node_api.h ]; then
        echo "processes: code-server $CODE_SERVER_VERSION needs Node.js 20 with its headers at /usr/bin/node and /usr/include/node"
        exit 1
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    echo "processes: installing code-server $CODE_SERVER_VERSION from npm into $dir" >&2
    if ! (cd "$dir" && PATH=/usr/bin:$PATH npm install --silent --no-audit --no-fund --ignore-scripts "code-server@$CODE_SERVER_VERSION" &&
          PATH=/usr/bin:$PATH npm_config_nodedir=/usr npm rebuild --silent argon2 --build-from-source) >"$dir/install.log" 2>&1; then
        echo "processes: cannot install code-server $CODE_SERVER_VERSION: $(grep -m1 -i error "$dir/install.log")"
        exit 1
    fi
    touch "$dir/.complete"
fi
