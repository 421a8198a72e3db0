#!/usr/bin/env bash
# One Terraform step of the CI workflows, for one synthesized stack directory (cdktf.out/stacks/<stack>):
#
#   scripts/ci/terraform-stack.sh plan  DIR   init; plan -lock=false -out=tfplan      (pull requests)
#   scripts/ci/terraform-stack.sh apply DIR   init; plan -out=tfplan; apply tfplan     (deploy)
#   scripts/ci/terraform-stack.sh drift DIR   init; plan -lock=false -detailed-exitcode (drift detection)
#
# Writes into DIR: plan.txt (the human-readable plan or Terraform's error), report.md (a Markdown report for
# the job summary and the pull-request comment) and, for drift, drift.json ({"stack", "status"}). Appends
# report.md to $GITHUB_STEP_SUMMARY and `status=<clean|changes|drift|failed>` to $GITHUB_OUTPUT when set.
# Exit status: 0 when Terraform succeeded (drift found is a success here: the workflow reports it), 1 when
# Terraform failed, 2 on a usage error.
#
# Plans never take the state lock (-lock=false): a plan writes no state, and the read-only plan role may not
# write the lock file. Run with the setup-terraform wrapper off (terraform_wrapper: false), so the exit code
# of `plan -detailed-exitcode` is Terraform's own.
set -uo pipefail

usage() {
  echo "usage: $0 plan|apply|drift STACK_DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
mode=$1
dir=$2
case "$mode" in plan | apply | drift) ;; *) usage ;; esac
[ -d "$dir" ] || {
  echo "$0: no stack directory $dir (run npm run synth first)" >&2
  exit 2
}
stack=$(basename "$(cd "$dir" && pwd)")
cd "$dir" || exit 2

# Comments and summaries hold at most 65536 characters: keep the plan well below that.
max_plan_chars=${MAX_PLAN_CHARS:-60000}
log=terraform.log
rm -f tfplan plan.txt report.md drift.json
: >"$log"
tf() { terraform "$@" -no-color >>"$log" 2>&1; }

init_ok=true
tf init -input=false || init_ok=false

status=failed
code=0
if $init_ok; then
  case "$mode" in
    plan)
      if tf plan -input=false -lock=false -out=tfplan; then status=planned; fi
      ;;
    apply)
      if tf plan -input=false -lock-timeout=10m -out=tfplan; then
        if tf apply -input=false -lock-timeout=10m tfplan; then status=applied; fi
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

if [ "$status" != failed ] && [ -f tfplan ]; then
  terraform show -no-color tfplan >plan.txt 2>>"$log" || cp "$log" plan.txt
else
  cp "$log" plan.txt
fi
if [ "$status" = planned ]; then
  if grep -q '^No changes\.' plan.txt; then status=clean; else status=changes; fi
fi

headline=$(grep -hE '^(Plan:|No changes\.|Apply complete!|Error:)' plan.txt "$log" 2>/dev/null | tail -n 1 || true)
case "$status" in
  clean) icon="✅ no changes" ;;
  changes) icon="📝 changes" ;;
  applied) icon="✅ applied" ;;
  drift) icon="⚠️ drift" ;;
  *) icon="❌ failed" ;;
esac
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

[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat report.md >>"$GITHUB_STEP_SUMMARY"
[ -n "${GITHUB_OUTPUT:-}" ] && echo "status=${status}" >>"$GITHUB_OUTPUT"
if [ "$status" = failed ]; then
  echo "terraform ${mode} of ${stack} failed:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "terraform ${mode} of ${stack}: ${status}"
