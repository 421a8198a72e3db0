#!/usr/bin/env bash
# Creates (or updates) the committed provider lock files, one per kind of stack:
#   npm run synth && scripts/ci/lock-providers.sh [cdktf.out] [ENVIRONMENT]
# For each synthesized stack, `terraform providers lock` records the checksums of the exact provider versions
# the stack pins, for the platforms CI and people use, in terraform-locks/<stack>.terraform.lock.hcl (the stack
# name without the environment: every environment uses the same providers). Commit them: CI copies each into
# its stack's directory and runs `terraform init -lockfile=readonly`, so a provider package whose checksum
# differs fails the run instead of being installed. Run it again after changing a provider version.
set -euo pipefail
cd "$(dirname "$0")/../.."
outdir=${1:-cdktf.out}
env_name=${2:-${BRIDGE_ENVIRONMENT:-$(jq -r '.environment' "${BRIDGE_CONFIG:-config/example.json}")}}
mkdir -p terraform-locks
for stack in $(jq -r '.stacks | keys[]' "$outdir/manifest.json"); do
  dir="$outdir/stacks/$stack"
  terraform -chdir="$dir" providers lock -platform=linux_amd64 -platform=linux_arm64 -platform=darwin_amd64 -platform=darwin_arm64 -platform=windows_amd64
  cp "$dir/.terraform.lock.hcl" "terraform-locks/${stack#"${env_name}-"}.terraform.lock.hcl"
  echo "terraform-locks/${stack#"${env_name}-"}.terraform.lock.hcl"
done
