#!/usr/bin/env bash
# One Terraform step of the CI workflows, for one synthesized stack directory (cdktf.out/stacks/<stack>):
#
#   scripts/ci/terraform-stack.sh plan         DIR  init; plan -lock=false -out=tfplan            (review)
#   scripts/ci/terraform-stack.sh plan-destroy DIR  init; plan -destroy -lock=false -out=tfplan   (a removed stack)
#   scripts/ci/terraform-stack.sh apply        DIR  init; apply DIR/tfplan, the reviewed plan, only if a fresh
#                                                   plan still makes exactly its changes             (deploy)
#   scripts/ci/terraform-stack.sh drift        DIR  init; plan -lock=false -detailed-exitcode       (drift)
#
# Writes into DIR: plan.txt (the human-readable plan or Terraform's error), report.md (a Markdown report for
# the job summary and the pull-request comment), plan-mode (normal|destroy, next to tfplan) and, for drift,
# drift.json ({"stack", "status"}). Appends report.md to $GITHUB_STEP_SUMMARY and
# `status=<clean|changes|waiting|applied|drift|stale|failed>` to $GITHUB_OUTPUT when set.
# `waiting`: the stack reads an upstream stack's outputs that are not in its state yet (the upstream stack
# has never been applied): neutral, planned again once the upstream stack is deployed.
# Exit status: 0 when Terraform succeeded (drift found and waiting are successes here: the workflow reports
# them), 1 when Terraform failed or the reviewed plan is stale, 2 on a usage error.
#
# Environment: STACK_ACCOUNT (the stack's AWS account, when the config names one): Terraform then uses the
# AWS CLI profile bridge-<account> (scripts/ci/aws-profile.sh), which the backend and every provider pinned to
# that account share. BRIDGE_ENVIRONMENT: with it, the committed provider lock file
# terraform-locks/<stack without the environment>.terraform.lock.hcl (scripts/ci/lock-providers.sh) is used,
# read-only.
#
# Plans never take the state lock (-lock=false): a plan writes no state, and the read-only plan role may not
# write the lock file. Run with the setup-terraform wrapper off (terraform_wrapper: false), so the exit code
# of `plan -detailed-exitcode` is Terraform's own.
set -uo pipefail

usage() {
  echo "usage: $0 plan|plan-destroy|apply|drift STACK_DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
mode=$1
dir=$2
case "$mode" in plan | plan-destroy | apply | drift) ;; *) usage ;; esac
[ -d "$dir" ] || {
  echo "$0: no stack directory $dir (run npm run synth first)" >&2
  exit 2
}
root=$(cd "$(dirname "$0")/../.." && pwd)
stack=$(basename "$(cd "$dir" && pwd)")
cd "$dir" || exit 2

if [ -n "${STACK_ACCOUNT:-}" ]; then
  # The SDKs prefer keys in the environment to a profile.
  export AWS_PROFILE="bridge-${STACK_ACCOUNT}"
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
fi

# Comments and summaries hold at most 65536 characters: keep the plan well below that.
max_plan_chars=${MAX_PLAN_CHARS:-60000}
log=terraform.log
rm -f plan.txt report.md drift.json fresh.tfplan
[ "$mode" = apply ] || rm -f tfplan plan-mode
: >"$log"
tf() { terraform "$@" -no-color >>"$log" 2>&1; }
# The resource changes a plan makes, to compare the reviewed plan with a fresh one (values stay in memory).
changes() { terraform show -json "$1" 2>>"$log" | jq -S '[.resource_changes[]? | select(.change.actions != ["no-op"]) | {address, actions: .change.actions, after: .change.after, after_unknown: .change.after_unknown}]'; }

lockfile=()
kind=${stack#"${BRIDGE_ENVIRONMENT:-}-"}
if [ -n "${BRIDGE_ENVIRONMENT:-}" ] && [ -f "$root/terraform-locks/${kind}.terraform.lock.hcl" ]; then
  cp "$root/terraform-locks/${kind}.terraform.lock.hcl" .terraform.lock.hcl
  lockfile=(-lockfile=readonly)
fi

init_ok=true
tf init -input=false "${lockfile[@]}" || init_ok=false

status=failed
code=0
if $init_ok; then
  case "$mode" in
    plan)
      if tf plan -input=false -lock=false -out=tfplan; then status=planned; fi
      echo normal >plan-mode
      ;;
    plan-destroy)
      if tf plan -destroy -input=false -lock=false -out=tfplan; then status=planned; fi
      echo destroy >plan-mode
      ;;
    apply)
      if [ ! -f tfplan ]; then
        echo "no reviewed plan (tfplan) in $dir" >>"$log"
      else
        destroy=()
        [ "$(cat plan-mode 2>/dev/null)" = destroy ] && destroy=(-destroy)
        if tf plan "${destroy[@]}" -input=false -lock=false -out=fresh.tfplan; then
          if [ "$(changes tfplan)" = "$(changes fresh.tfplan)" ]; then
            if tf apply -input=false -lock-timeout=10m tfplan; then status=applied; fi
          else
            status=stale
            echo "The reviewed plan of ${stack} no longer matches what Terraform would do now (an upstream stack's apply or a change outside Terraform changed its inputs): nothing applied. Run the deploy again to review the new plan." >>"$log"
          fi
        fi
      fi
      ;;
    drift)
      tf plan -input=false -lock=false -detailed-exitcode -out=tfplan
      code=$?
      case $code in
        0) status=clean ;;
        2) status=drift ;;
        *) status=failed ;;
      esac
      ;;
  esac
fi

# A stack whose upstream stack was never applied finds no remote state (or not the outputs it reads).
upstream=""
if [ "$status" = failed ] && [ "$mode" != apply ] &&
  grep -qE 'Unable to find remote state|does not have an attribute named "cross-stack-output-' "$log"; then
  upstream=$(grep -o 'terraform_remote_state\.cross-stack-reference-input-[A-Za-z0-9_-]*' "$log" | sed 's/.*cross-stack-reference-input-//' | sort -u | paste -sd, - | sed 's/,/, /g')
  status=waiting
fi

if [ "$status" != failed ] && [ "$status" != waiting ] && [ "$status" != stale ] && [ -f tfplan ]; then
  terraform show -no-color tfplan >plan.txt 2>>"$log" || cp "$log" plan.txt
else
  cp "$log" plan.txt
fi
if [ "$status" = planned ]; then
  if grep -q '^No changes\.' plan.txt; then status=clean; else status=changes; fi
fi

headline=$(grep -hE '^(Plan:|No changes\.|Apply complete!|Destroy complete!|Error:)' plan.txt "$log" 2>/dev/null | tail -n 1 || true)
case "$status" in
  clean) icon="✅ no changes" ;;
  changes) icon="📝 changes" ;;
  applied) icon="✅ applied" ;;
  drift) icon="⚠️ drift" ;;
  waiting) icon="⏳ waiting for ${upstream:-an upstream stack}" ;;
  stale) icon="⛔ plan changed since review" ;;
  *) icon="❌ failed" ;;
esac
[ "$status" = waiting ] && headline="Not planned yet: it reads outputs of ${upstream:-an upstream stack}, which has not been applied yet. The first deploy applies that stack; this one is planned in the next run."
[ "$mode" = plan-destroy ] && [ "$status" = changes ] && headline="The config no longer has this stack: this plan destroys it. ${headline}"
chars=$(wc -c <plan.txt)
{
  echo "### Terraform ${mode}: \`${stack}\` — ${icon}"
  echo
  [ -n "$headline" ] && printf '%s\n\n' "$headline"
  echo "<details><summary>Terraform output</summary>"
  echo
  echo '```'
  head -c "$max_plan_chars" plan.txt
  [ "$chars" -gt "$max_plan_chars" ] && printf '\n… (%s more characters: see the plan artifact)' "$((chars - max_plan_chars))"
  echo
  echo '```'
  echo
  echo "</details>"
  if [ -n "${GITHUB_RUN_ID:-}" ]; then
    echo
    echo "Workflow run: ${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID}"
  fi
} >report.md
if [ "$mode" = drift ]; then
  printf '{"stack":"%s","status":"%s"}\n' "$stack" "$status" >drift.json
fi
printf '{"stack":"%s","status":"%s"}\n' "$stack" "$status" >status.json
rm -f fresh.tfplan

[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat report.md >>"$GITHUB_STEP_SUMMARY"
[ -n "${GITHUB_OUTPUT:-}" ] && echo "status=${status}" >>"$GITHUB_OUTPUT"
if [ "$status" = failed ] || [ "$status" = stale ]; then
  echo "terraform ${mode} of ${stack} failed:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "terraform ${mode} of ${stack}: ${status}"
