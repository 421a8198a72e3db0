#!/usr/bin/env bash
# Runs a command with the CI role of one account: the AWS profile bridge-<account> (scripts/ci/aws-profile.sh)
# instead of the credentials in the environment. Without an account (a config that names none), as is.
#   scripts/ci/with-account.sh ACCOUNT COMMAND [ARGS…]
set -euo pipefail
account=${1?usage: with-account.sh ACCOUNT COMMAND [ARGS…]}
shift
if [ -n "$account" ]; then
  export AWS_PROFILE="bridge-${account}"
  # The SDKs prefer keys in the environment to a profile.
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
fi
exec "$@"
