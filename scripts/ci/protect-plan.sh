#!/usr/bin/env bash
# Before a plan file leaves the runner as an artifact: a binary plan holds every value Terraform read, the
# sensitive ones (the Cognito client secret, upstream IdP secrets) in plain text; plan.txt redacts them.
# With PLAN_ARTIFACT_PASSPHRASE set (a repository secret) the plan is kept encrypted (AES-256, PBKDF2) as
# tfplan.enc, for `openssl enc -d -aes-256-cbc -pbkdf2 -pass env:PLAN_ARTIFACT_PASSPHRASE`; without it, the
# binary plan is not kept at all, unless REQUIRE_PLAN_PASSPHRASE=1 (the deploy workflow, which applies the
# saved plans): then a missing passphrase is an error.
set -euo pipefail
dir="${1:?usage: protect-plan.sh STACK_DIR}"
[ -f "$dir/tfplan" ] || exit 0
if [ -n "${PLAN_ARTIFACT_PASSPHRASE:-}" ]; then
  openssl enc -aes-256-cbc -pbkdf2 -salt -in "$dir/tfplan" -out "$dir/tfplan.enc" -pass env:PLAN_ARTIFACT_PASSPHRASE
  echo "plan file kept encrypted as tfplan.enc"
elif [ "${REQUIRE_PLAN_PASSPHRASE:-}" = 1 ]; then
  rm -f "$dir/tfplan"
  echo "::error::PLAN_ARTIFACT_PASSPHRASE is not set: the deploy applies the reviewed plans, which it keeps only encrypted (README: CI)" >&2
  exit 1
else
  echo "::notice::PLAN_ARTIFACT_PASSPHRASE is not set: only the redacted plan.txt is kept (the binary plan holds secrets)"
fi
rm -f "$dir/tfplan"
