#!/usr/bin/env bash
# Two `linkwell serve` processes on one PostgreSQL behave as one service:
# a session made on one works on the other, sign-out and deactivation on one
# take effect on the other at once, and login throttling counts attempts
# made on both.
BIN=${1:?usage: test_multiprocess.sh PATH_TO_LINKWELL}
source "$(dirname "$0")/lib.sh"

pg_start
"$BIN" init --db "$URL" >/dev/null
"$BIN" demo --db "$URL" >/dev/null
serve A
serve B

login='{"email": "admin@demo.linkwell.example", "password": "linkwell-demo"}'
status=$(http POST "$PORT_A" /api/v1/session "$login" -c "$TMP/cookies")
check "sign in on A" 201 "$status"
csrf=$(jq -r .csrf_token "$TMP/body")

status=$(http GET "$PORT_B" /api/v1/users/me "" -b "$TMP/cookies")
check "the session from A works on B" 200 "$status"
check "B knows who it is" admin "$(jq -r .role "$TMP/body")"

status=$(http POST "$PORT_B" /api/v1/organisations '{"name": "Made on B", "kind": "vcse"}' \
  -b "$TMP/cookies" -H "X-CSRF-Token: $csrf")
check "a CSRF-protected write on B with A's session" 201 "$status"
status=$(http GET "$PORT_A" "/api/v1/organisations?per_page=100" "" -b "$TMP/cookies")
check "A sees the organisation made on B" 1 "$(jq '[.contents[] | select(.name == "Made on B")] | length' "$TMP/body")"

# A referrer's token is refused on B as soon as an admin deactivates them on A.
token=$("$BIN" token --db "$URL" --email gp@demo.linkwell.example)
status=$(http GET "$PORT_B" /api/v1/users/me "" -H "Authorization: Bearer $token")
check "the referrer's token works on B" 200 "$status"
gp_id=$(jq -r .id "$TMP/body")
status=$(http PATCH "$PORT_A" "/api/v1/users/$gp_id" '{"active": false}' -b "$TMP/cookies" -H "X-CSRF-Token: $csrf")
check "deactivate the referrer on A" 200 "$status"
status=$(http GET "$PORT_B" /api/v1/users/me "" -H "Authorization: Bearer $token")
check "the deactivated referrer's token is refused on B at once" 401 "$status"

# Throttling: failures on A and B add up (5 per account in 15 minutes).
bad='{"email": "peer@demo.linkwell.example", "password": "not the password"}'
for port in "$PORT_A" "$PORT_B" "$PORT_A" "$PORT_B" "$PORT_A"; do http POST "$port" /api/v1/session "$bad" >/dev/null; done
good='{"email": "peer@demo.linkwell.example", "password": "linkwell-demo"}'
status=$(http POST "$PORT_B" /api/v1/session "$good" -D "$TMP/headers")
check "the sixth attempt, on B, is throttled after five failures split over A and B" 429 "$status"
if grep -qi '^Retry-After: [0-9]' "$TMP/headers"; then ok "429 carries Retry-After"; else not_ok "429 carries Retry-After"; fi

# Sign-out on B ends the session on A.
status=$(http DELETE "$PORT_B" /api/v1/session "" -b "$TMP/cookies" -H "X-CSRF-Token: $csrf")
check "sign out on B" 204 "$status"
status=$(http GET "$PORT_A" /api/v1/users/me "" -b "$TMP/cookies")
check "the session is gone on A too" 401 "$status"

finish
