#!/usr/bin/env bash
# The deploy's one apply job, after the approval: applies exactly the reviewed plans, in order, and stops at
# the first failure.
#   MATRIX='[…]' APPLY='["prod-cognito",…]' PLAN_ARTIFACT_PASSPHRASE=… scripts/ci/apply-reviewed.sh PLANS_DIR
# For each stack in APPLY: decrypts PLANS_DIR/plan-<stack>/tfplan.enc into cdktf.out/stacks/<stack>/tfplan and
# runs `scripts/ci/terraform-stack.sh apply` there with the stack's account (STACK_ACCOUNT from MATRIX), which
# applies the saved plan only if a fresh plan still makes exactly its changes.
set -euo pipefail
plans="${1:?usage: apply-reviewed.sh PLANS_DIR}"
: "${MATRIX:?MATRIX is required}" "${APPLY:?APPLY is required}"
: "${PLAN_ARTIFACT_PASSPHRASE:?PLAN_ARTIFACT_PASSPHRASE is required to read the reviewed plans}"
root=$(cd "$(dirname "$0")/../.." && pwd)
outdir=${CDKTF_OUT:-cdktf.out}
for stack in $(jq -r '.[]' <<<"$APPLY"); do
  dir="$outdir/stacks/$stack"
  [ -f "$plans/plan-${stack}/tfplan.enc" ] || {
    echo "::error::no reviewed plan of ${stack}" >&2
    exit 1
  }
  openssl enc -d -aes-256-cbc -pbkdf2 -in "$plans/plan-${stack}/tfplan.enc" -out "$dir/tfplan" -pass env:PLAN_ARTIFACT_PASSPHRASE
  cp "$plans/plan-${stack}/plan-mode" "$dir/plan-mode"
  account=$(jq -r --arg s "$stack" '.[] | select(.stack == $s) | .account' <<<"$MATRIX")
  STACK_ACCOUNT="$account" bash "$root/scripts/ci/terraform-stack.sh" apply "$dir"
done
