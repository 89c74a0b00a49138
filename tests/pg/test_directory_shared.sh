#!/usr/bin/env bash
# Two `linkwell serve` processes on one PostgreSQL share one directory: a
# service created, renamed, described or deactivated through A is found (or
# no longer found) by a search on B — both /api/v1/services and
# /openreferral/services — and a service imported by `linkwell import oruk`
# is found on both, within the documented bound: each process checks
# the directory_state version row at most once a second (LW_DIR_POLL_MS) and
# rebuilds its search index when it has moved (docs/architecture.md). Each
# wait below polls B until a deadline of that bound plus a margin
# (BOUND_MS + MARGIN_MS) and fails if B still answers the old way.
BIN=${1:?usage: test_directory_shared.sh PATH_TO_LINKWELL}
source "$(dirname "$0")/lib.sh"
BOUND_MS=1000 # LW_DIR_POLL_MS in src/api/directory.h
MARGIN_MS=${MARGIN_MS:-4000} # the rebuild, a loaded machine, sanitizers

pg_start
"$BIN" init --db "$URL" >/dev/null
"$BIN" demo --db "$URL" >/dev/null
serve A
serve B

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# signin NAME EMAIL: a session on A; sets COOKIES_NAME (a file) and CSRF_NAME.
signin() {
  local status
  status=$(http POST "$PORT_A" /api/v1/session \
    "{\"email\": \"$2\", \"password\": \"linkwell-demo\"}" -c "$TMP/cookies.$1")
  [ "$status" = 201 ] || { echo "sign in as $2 on A: $status" >&2; exit 1; }
  printf -v "CSRF_$1" '%s' "$(jq -r .csrf_token "$TMP/body")"
}
signin provider provider@demo.linkwell.example
signin gp gp@demo.linkwell.example

# count_on_b PATH: how many results B's search gives (its "total"), or the status if not 200.
count_on_b() {
  local status
  status=$(http GET "$PORT_B" "$1" "" -b "$TMP/cookies.gp")
  # /api/v1 pages say "total", Open Referral pages "total_items".
  if [ "$status" = 200 ]; then jq -r '.total // .total_items' "$TMP/body"; else echo "status $status"; fi
}

# wait_on_b DESCRIPTION PATH EXPECTED: polls B until PATH's total is EXPECTED, at most
# BOUND_MS + MARGIN_MS after the change was acknowledged (START, set by the caller).
wait_on_b() {
  local got deadline=$((START + BOUND_MS + MARGIN_MS))
  while :; do
    got=$(count_on_b "$2")
    [ "$got" = "$3" ] && break
    [ "$(now_ms)" -gt "$deadline" ] && break
    sleep 0.05
  done
  local took=$(($(now_ms) - START))
  if [ "$got" = "$3" ]; then
    ok "$1 (after ${took} ms)"
  else
    not_ok "$1: B still answers '$got', expected '$3', ${took} ms after the change"
  fi
}

api=/api/v1/services
oruk=/openreferral/services

# B builds its index now, before the changes, so that it has an old one to keep.
check "B finds no zebrafish before" 0 "$(count_on_b "$api?search=zebrafish")"
check "B's Open Referral search finds no zebrafish before" 0 "$(count_on_b "$oruk?search=zebrafish")"
check "B finds no quokka before" 0 "$(count_on_b "$api?search=quokka")"

# A provider creates a service through A.
status=$(http POST "$PORT_A" $api \
  '{"name": "Zebrafish Knitting Circle", "description": "Knitting and a cup of tea on Tuesdays."}' \
  -b "$TMP/cookies.provider" -H "X-CSRF-Token: $CSRF_provider")
check "the provider creates a service on A" 201 "$status"
id=$(jq -r .id "$TMP/body")
START=$(now_ms)
check "A finds it at once (its own change rebuilds its index)" 1 \
  "$(http GET "$PORT_A" "$api?search=zebrafish" "" -b "$TMP/cookies.gp" >/dev/null && jq .total "$TMP/body")"
wait_on_b "B's search finds the service created on A" "$api?search=zebrafish" 1
wait_on_b "B's Open Referral search finds it" "$oruk?search=zebrafish" 1
check "B's result is the service made on A" "$id" "$(jq -r '.contents[0].id' "$TMP/body")"

# The provider renames it and changes its description through A.
status=$(http PATCH "$PORT_A" "$api/$id" \
  '{"name": "Quokka Knitting Circle", "description": "Knitting, marmalade and a cup of tea."}' \
  -b "$TMP/cookies.provider" -H "X-CSRF-Token: $CSRF_provider")
check "the provider renames it on A" 200 "$status"
START=$(now_ms)
# (Open Referral first this time: either search notices the change.)
wait_on_b "B's Open Referral search finds the new name" "$oruk?search=quokka" 1
check "B's Open Referral search shows the new name" "Quokka Knitting Circle" "$(jq -r '.contents[0].name' "$TMP/body")"
wait_on_b "B's Open Referral search no longer finds the old name" "$oruk?search=zebrafish" 0
wait_on_b "B's search finds the new name" "$api?search=quokka" 1
wait_on_b "B's search no longer finds the old name" "$api?search=zebrafish" 0
wait_on_b "B's search finds a word of the new description" "$api?search=marmalade" 1
check "B shows the new description" "Knitting, marmalade and a cup of tea." "$(jq -r '.contents[0].description' "$TMP/body")"

# The provider deactivates it through A: B's search (active services only) drops it, and
# B's Open Referral feed (every status) shows it inactive.
status=$(http PATCH "$PORT_A" "$api/$id" '{"status": "inactive"}' \
  -b "$TMP/cookies.provider" -H "X-CSRF-Token: $CSRF_provider")
check "the provider deactivates it on A" 200 "$status"
START=$(now_ms)
wait_on_b "the deactivated service disappears from B's search" "$api?search=quokka" 0
check "B still finds it when asked for inactive services" 1 "$(count_on_b "$api?search=quokka&status=inactive")"
http GET "$PORT_B" "$oruk?search=quokka" "" >/dev/null
check "B's Open Referral feed shows it inactive" inactive "$(jq -r '.contents[0].status' "$TMP/body")"

# An import by `linkwell import oruk` (a third process, no server involved) reaches both.
cat >"$TMP/feed.json" <<'JSON'
[{"id": "5a1c0de0-0000-4000-8000-00000000a101", "name": "Axolotl Allotment Club",
  "description": "Growing vegetables together.", "status": "active",
  "organization": {"id": "5a1c0de0-0000-4000-8000-00000000a100", "name": "Axolotl Trust"}}]
JSON
"$BIN" import oruk --db "$URL" "$TMP/feed.json" >"$TMP/import.out" 2>&1
check "the import adds one service" 1 "$(grep -c '^services: 1 imported' "$TMP/import.out" || true)"
START=$(now_ms)
wait_on_b "B's search finds the imported service" "$api?search=axolotl" 1
wait_on_b "B's Open Referral search finds it" "$oruk?search=axolotl" 1
got=""
while :; do
  got=$(http GET "$PORT_A" "$oruk?search=axolotl" "" >/dev/null && jq .total_items "$TMP/body")
  [ "$got" = 1 ] || [ "$(now_ms)" -gt $((START + BOUND_MS + MARGIN_MS)) ] && break
  sleep 0.05
done
check "A finds it too, within the bound" 1 "$got"

# A change that is not this service's: B does not lose or gain anything else.
check "B's whole active directory matches A's" \
  "$(http GET "$PORT_A" "$api?per_page=1" "" -b "$TMP/cookies.gp" >/dev/null && jq .total "$TMP/body")" \
  "$(count_on_b "$api?per_page=1")"

finish
