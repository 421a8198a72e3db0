#!/usr/bin/env bash
# CI: synthesizes the config of one environment, once per workflow run.
#   BRIDGE_ENVIRONMENT=prod scripts/ci/synth.sh
# Checks the environment name and that config/<environment>.json is that environment's config, runs
# `npm run synth`, then builds the CI plan (scripts/ci/stack-matrix.ts) against the committed list of the
# environment's stacks (scripts/ci/known-stacks.json):
#   - a synthesized stack the list does not name fails the run (name it, so that removing it later is planned);
#   - a listed stack the config no longer synthesizes (an optional stack turned off) is synthesized from the
#     newest earlier config/<environment>.json that still has it (git history: check out with fetch-depth 0)
#     and planned for destruction, through the same review as every change; once destroyed, remove it from
#     the list.
# Writes to $GITHUB_OUTPUT (when set): environment, matrix (the stack rows, apply order, destroys first),
# stacks (their names), accounts (CI roles per account), account_1/deploy_role_1 and account_2/deploy_role_2
# (the same, for the apply job), removed, identity_propagation.
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
known=${KNOWN_STACKS_FILE:-scripts/ci/known-stacks.json}
matrix() { npx --no-install tsx scripts/ci/stack-matrix.ts cdktf.out "$env_name" --known "$known" "$@"; }

export BRIDGE_CONFIG="$config"
npm run synth
plan=$(matrix)
unknown=$(jq -r '.unknown | join(", ")' <<<"$plan")
if [ -n "$unknown" ]; then
  suffixes=$(jq -c --arg e "${env_name}-" '.unknown | map(ltrimstr($e))' <<<"$plan")
  echo "::error::${known} does not list ${unknown}: add ${suffixes} to \"${env_name}\" there (CI plans a destroy for a listed stack the config stops synthesizing)" >&2
  exit 1
fi

previous_args=()
removed=$(jq -r '.removed[]' <<<"$plan")
if [ -n "$removed" ]; then
  # shellcheck disable=SC2086 # one argument per stack
  if ! found=$(npx --no-install tsx scripts/ci/previous-config.ts "$config" cdktf.out.previous $removed); then
    echo "::error::no earlier ${config} synthesizes $(jq -r '.removed | join(", ")' <<<"$plan") (fetch the history: actions/checkout with fetch-depth: 0), so it cannot be destroyed" >&2
    exit 1
  fi
  echo "::notice::planning the destruction of $(jq -r '.removed | join(", ")' <<<"$plan"), synthesized from ${config} at ${found}"
  for stack in $removed; do cp -R "cdktf.out.previous/stacks/${stack}" "cdktf.out/stacks/${stack}"; done
  previous_args=(--previous cdktf.out.previous)
fi
plan=$(matrix "${previous_args[@]}" --write-overrides)
echo "CI plan: ${plan}"
stacks=$(jq -c '[.stacks[].stack]' <<<"$plan")
identity_propagation=$(jq --arg s "${env_name}-identity-propagation" '[.stacks[] | select(.destroy | not) | .stack] | index($s) != null' <<<"$plan")
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "environment=${env_name}"
    echo "matrix=$(jq -c '.stacks' <<<"$plan")"
    echo "stacks=${stacks}"
    echo "accounts=$(jq -c '.accounts' <<<"$plan")"
    echo "removed=$(jq -c '.removed' <<<"$plan")"
    # The (at most two) accounts, for jobs that need every account's role (the one apply job).
    for i in 1 2; do
      echo "account_${i}=$(jq -r --argjson i "$i" '.accounts[$i - 1].account // ""' <<<"$plan")"
      echo "deploy_role_${i}=$(jq -r --argjson i "$i" '.accounts[$i - 1].deploy_role // ""' <<<"$plan")"
    done
    echo "identity_propagation=${identity_propagation}"
  } >>"$GITHUB_OUTPUT"
fi
