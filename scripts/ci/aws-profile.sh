#!/usr/bin/env bash
# Keeps the AWS credentials of the current step environment (what aws-actions/configure-aws-credentials just
# exported: a CI role of one account) as the AWS CLI profile bridge-<account>, so that one job can hold the
# roles of two accounts: scripts/ci/terraform-stack.sh runs each stack with its account's profile, and the
# providers pinned to the other account use theirs (scripts/ci/stack-matrix.ts --write-overrides).
#   scripts/ci/aws-profile.sh ACCOUNT
set -euo pipefail
account="${1:?usage: aws-profile.sh ACCOUNT}"
[[ "$account" =~ ^[0-9]{12}$ ]] || {
  echo "::error::aws-profile.sh: expected a 12-digit account id, got \"${account}\"" >&2
  exit 2
}
: "${AWS_ACCESS_KEY_ID:?no AWS credentials in the environment (run configure-aws-credentials first)}"
profile="bridge-${account}"
aws configure set aws_access_key_id "$AWS_ACCESS_KEY_ID" --profile "$profile"
aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY" --profile "$profile"
aws configure set aws_session_token "${AWS_SESSION_TOKEN:-}" --profile "$profile"
aws configure set region "${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}" --profile "$profile"
echo "AWS profile ${profile} holds the credentials of $(aws sts get-caller-identity --profile "$profile" --query Arn --output text 2>/dev/null || echo "account ${account}")"
