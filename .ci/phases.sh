# Sourced by the deploy stages: `phase NAME` starts a timed phase; `phases_table` prints them all.
phases=() phase_start=$SECONDS phases_started=$SECONDS
phase() {
  [[ ${#phases[@]} -gt 0 ]] && phases[-1]+="|$((SECONDS - phase_start))"
  phases+=("$*") phase_start=$SECONDS
  printf '\n--- %s ---\n' "$*"
}
phases_table() {
  [[ ${#phases[@]} -gt 0 ]] || return 0
  [[ ${phases[-1]} == *"|"* ]] || phases[-1]+="|$((SECONDS - phase_start))"
  printf '\n%-80s %8s\n' "phase" "seconds"
  for p in "${phases[@]}"; do printf '%-80s %8s\n' "${p%|*}" "${p##*|}"; done
  printf '%-80s %8s\n' "total" "$((SECONDS - phases_started))"
}
