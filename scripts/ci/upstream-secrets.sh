#!/usr/bin/env bash
# Exports the client secrets of upstream OIDC IdPs as the Terraform variables the cognito stack declares.
# UPSTREAM_CLIENT_SECRETS (a GitHub secret, may be unset) is a JSON object such as
#   {"TF_VAR_upstream_google_client_secret": "…"}
# Each value is masked in the log, then appended to $GITHUB_ENV for the following steps.
set -euo pipefail
if [ -z "${UPSTREAM_CLIENT_SECRETS:-}" ]; then
  echo "UPSTREAM_CLIENT_SECRETS not set: no upstream OIDC client secrets"
  exit 0
fi
if ! jq -e 'type == "object" and all(to_entries[]; (.key | test("^TF_VAR_upstream_[a-z0-9_]+_client_secret$")) and (.value | type == "string" and test("^[^\r\n]+$")))' \
  >/dev/null 2>&1 <<<"$UPSTREAM_CLIENT_SECRETS"; then
  echo "::error::UPSTREAM_CLIENT_SECRETS must be a JSON object of TF_VAR_upstream_<name>_client_secret keys with one-line string values" >&2
  exit 1
fi
jq -r '.[]' <<<"$UPSTREAM_CLIENT_SECRETS" | while IFS= read -r value; do echo "::add-mask::${value}"; done
jq -r 'to_entries[] | "\(.key)=\(.value)"' <<<"$UPSTREAM_CLIENT_SECRETS" >>"${GITHUB_ENV:?GITHUB_ENV not set}"
echo "exported $(jq -r 'keys | join(", ")' <<<"$UPSTREAM_CLIENT_SECRETS")"
