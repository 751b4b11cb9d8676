# Sourced by the deploy stages: `phase NAME` starts a timed phase; `phases_table` prints them all;
# `check NAME COMMAND...` runs a shell check that `write_checks FILE` reports as a JUnit test case.
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

checks=() checks_failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    checks+=("<testcase classname=\"deploy\" name=\"$name\"/>")
  else
    checks+=("<testcase classname=\"deploy\" name=\"$name\"><failure message=\"failed\"/></testcase>")
    checks_failed=$((checks_failed + 1))
    echo "CHECK FAILED: $name" >&2
    return 1
  fi
}
write_checks() {
  [[ ${#checks[@]} -gt 0 ]] || return 0
  mkdir -p "$(dirname "$1")"
  {
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuites><testsuite name=\"$(basename "$1" .xml)\" tests=\"${#checks[@]}\" failures=\"$checks_failed\" errors=\"0\" skipped=\"0\">"
    printf '%s\n' "${checks[@]}"
    echo '</testsuite></testsuites>'
  } >"$1"
}
