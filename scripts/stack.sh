#!/usr/bin/env bash
# usage: scripts/stack.sh <up|preview> <stack> [more pulumi flags]
# Runs pulumi for a stack of this project with its policy pack, so no stack goes up without the
# guard rails. State is local (Pulumi.yaml backend file://.). The CLI is yours when the one on PATH
# fits, else the `pulumi` npm package's (scripts/pulumi-cli.ts chooses, and stack.sh says which).
set -euo pipefail
cd "$(dirname "$0")/.."

verb="${1:-}"
stack="${2:-}"
case "$verb" in
    up | preview) ;;
    *) echo "usage: npm run up -- <stack>   or   npm run preview -- <stack>" >&2; exit 2 ;;
esac
known="$(ls Pulumi.*.yaml | sed -E 's/^Pulumi\.(.*)\.yaml$/\1/' | tr '\n' ' ')"
if [ -z "$stack" ] || [ ! -f "Pulumi.$stack.yaml" ]; then
    echo "stack.sh: unknown stack '${stack}'; known stacks: ${known}" >&2
    exit 2
fi
policy_config="policies/config/$stack.json"
if [ ! -f "$policy_config" ]; then
    echo "stack.sh: no policy pack config for stack '$stack' ($policy_config); copy one from policies/config/" >&2
    exit 2
fi
if [ ! -d policies/node_modules ]; then
    echo "stack.sh: the policy pack is not installed; run npm install first" >&2
    exit 2
fi
shift 2

# A cloud stack's secrets (API token) must not be encrypted with an empty passphrase.
if grep -Eq '^\s*devkube:target:\s*digitalocean' "Pulumi.$stack.yaml" && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
    if grep -Eq '^\s*digitalocean:token:' "Pulumi.$stack.yaml"; then
        echo "stack.sh: stack '$stack' holds a DigitalOcean token, encrypted with your passphrase; export PULUMI_CONFIG_PASSPHRASE (the one you set it with) first" >&2
    else
        cat >&2 <<MSG
stack.sh: stack '$stack' runs on DigitalOcean and needs an API token, kept encrypted with a passphrase of your own. In this order:
  1. export PULUMI_CONFIG_PASSPHRASE='<a passphrase of your own>'   (keep it: every later up, sleep and wake needs it)
  2. npx pulumi stack init $stack                                    (once; skip it if the stack exists)
  3. npx pulumi -s $stack config set --secret digitalocean:token <API token with read/write scope>
  4. npm run up -- $stack
MSG
    fi
    exit 2
fi
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"

# Which CLI, the stack selected (created the first time), refused while awake in another namespace, and
# its pack config: one process, started by plain node through the compile cache (scripts/ts-run.js), as
# each tsx or npx start costs about half a second (scripts/stack-prepare.ts).
if [ ! -d node_modules/typescript ]; then
    echo "stack.sh: the project is not installed; run npm install first" >&2
    exit 2
fi
prepared="$(node scripts/ts-run.js scripts/stack-prepare.ts "$stack")" || exit $?
{ read -r cli; read -r policy_config; read -r path_first; read -r node_options; } <<<"$prepared"
if [ -n "$path_first" ]; then
    export PATH="$path_first:$PATH"
fi
# The program's and the policy pack's Node.js processes preload scripts/fast-start.js (pulumi-cli.ts, fastStartNodeOptions).
export NODE_OPTIONS="$node_options"
if [ "$cli" = launcher ]; then
    pulumi=(npx --no-install pulumi)
else
    pulumi=("$cli")
fi
# DEVKUBE_POLICY_PACK=policies/analyzer starts the same pack as a binary analyzer, for CLIs whose
# language host cannot start a policy pack folder (the e2e toolchain's); see policies/analyzer.
flags=(--stack "$stack" --policy-pack "${DEVKUBE_POLICY_PACK:-policies}" --policy-pack-config "$policy_config")
# Never --skip-preview: the preview is where a mandatory policy refuses the whole plan before the
# first change; without it, resources are checked one step at a time and some may already be updated.
if [ "$verb" = up ] && [ -n "${CI:-}" ]; then
    flags+=(--yes)
fi
exec "${pulumi[@]}" "$verb" "${flags[@]}" "$@"
