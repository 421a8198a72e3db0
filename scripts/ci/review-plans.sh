#!/usr/bin/env bash
# The deploy's review step, between planning every stack and the one approval:
#   MATRIX='[{"stack":…},…]' scripts/ci/review-plans.sh PLANS_DIR
# PLANS_DIR holds one folder per planned stack, plan-<stack>/ with status.json (scripts/ci/terraform-stack.sh).
# Writes a table of every stack's plan (apply order) to $GITHUB_STEP_SUMMARY and to $GITHUB_OUTPUT:
#   apply   = JSON array of the stacks to apply, in order: those whose plan has changes (no-change plans are
#             skipped, a stack waiting for its upstream is planned in the next run)
#   changes = true when there is anything to apply (else no approval is asked for)
# Fails when a stack has no plan result or its plan failed: nothing is applied then.
set -euo pipefail
plans="${1:?usage: review-plans.sh PLANS_DIR}"
: "${MATRIX:?MATRIX (the matrix output of the synth job) is required}"
rows=$(jq -c '.[]' <<<"$MATRIX")
apply='[]'
failed=()
waiting=()
table="| stack | plan |"$'\n'"|---|---|"
while IFS= read -r row; do
  stack=$(jq -r '.stack' <<<"$row")
  status=$(jq -r '.status' "$plans/plan-${stack}/status.json" 2>/dev/null || echo missing)
  headline=$(grep -hE '^(Plan:|No changes\.)' "$plans/plan-${stack}/plan.txt" 2>/dev/null | tail -n 1 || true)
  case "$status" in
    changes) apply=$(jq -c --arg s "$stack" '. + [$s]' <<<"$apply") ;;
    clean) headline="no changes: skipped" ;;
    waiting)
      waiting+=("$stack")
      headline="waiting for its upstream stack's first apply: planned in the next deploy"
      ;;
    *) failed+=("$stack") ;;
  esac
  if [ "$(jq -r '.destroy' <<<"$row")" = true ]; then headline="destroy (no longer in the config): ${headline}"; fi
  table+=$'\n'"| \`${stack}\` | ${status}${headline:+ — ${headline}} |"
done <<<"$rows"

changes=$([ "$apply" = '[]' ] && echo false || echo true)
{
  echo "### Deploy review"
  echo
  echo "$table"
  echo
  if [ ${#failed[@]} -gt 0 ]; then
    echo "❌ No plan for ${failed[*]}: nothing is applied."
  elif $changes; then
    echo "One approval (the GitHub environment) applies exactly these plans, in this order: $(jq -r 'join(" → ")' <<<"$apply")."
  else
    echo "Nothing to apply."
  fi
  if [ ${#waiting[@]} -gt 0 ]; then
    echo
    echo "⏳ ${waiting[*]}: run the deploy again after this one to plan them."
  fi
} | tee -a "${GITHUB_STEP_SUMMARY:-/dev/null}"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "apply=${apply}" >>"$GITHUB_OUTPUT"
  echo "changes=${changes}" >>"$GITHUB_OUTPUT"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "::error::no plan for ${failed[*]}" >&2
  exit 1
fi
