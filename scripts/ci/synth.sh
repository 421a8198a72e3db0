#!/usr/bin/env bash
# CI: synthesizes the config of one environment, once per workflow run.
#   BRIDGE_ENVIRONMENT=prod scripts/ci/synth.sh
# Checks the environment name and that config/<environment>.json is that environment's config, runs
# `npm run synth`, and writes to $GITHUB_OUTPUT (when set): environment, stacks (JSON array in apply order,
# from the synthesized manifest) and identity_propagation (true when that optional stack was synthesized).
set -euo pipefail
cd "$(dirname "$0")/../.."
env_name=${BRIDGE_ENVIRONMENT:-}
if ! [[ "$env_name" =~ ^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$ ]]; then
  echo "::error::BRIDGE_ENVIRONMENT \"${env_name}\" is not an environment name (1-16 lowercase letters, digits and hyphens, e.g. prod)" >&2
  exit 1
fi
config="config/${env_name}.json"
if [ ! -f "$config" ]; then
  echo "::error::${config} not found: each environment has its config in config/<environment>.json (copy config/example.json)" >&2
  exit 1
fi
declared=$(jq -r '.environment' "$config")
if [ "$declared" != "$env_name" ]; then
  echo "::error::${config} declares environment \"${declared}\", expected \"${env_name}\"" >&2
  exit 1
fi
export BRIDGE_CONFIG="$config"
npm run synth
stacks=$(npx --no-install tsx scripts/stack-order.ts cdktf.out)
echo "stacks in apply order: ${stacks}"
identity_propagation=$(jq --arg s "${env_name}-identity-propagation" 'index($s) != null' <<<"$stacks")
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "environment=${env_name}"
    echo "stacks=${stacks}"
    echo "identity_propagation=${identity_propagation}"
  } >>"$GITHUB_OUTPUT"
fi
