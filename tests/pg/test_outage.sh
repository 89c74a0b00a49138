#!/usr/bin/env bash
# PostgreSQL stops under load and comes back: while it is down requests get
# 503 problem+json (never another 5xx) and /healthz says the database is down;
# afterwards the same server process answers again without a restart, and
# every write that was acknowledged (201) is in the database.
BIN=${1:?usage: test_outage.sh PATH_TO_LINKWELL}
source "$(dirname "$0")/lib.sh"

pg_start
"$BIN" init --db "$URL" >/dev/null
"$BIN" demo --db "$URL" >/dev/null
token=$("$BIN" token --db "$URL" --email admin@demo.linkwell.example)
serve A

# Writer: creates organisations as fast as it can for a bounded time, logging
# "status name" for each attempt.
writer() {
  local n=0 end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ] && [ $n -lt 5000 ]; do
    n=$((n + 1))
    local name="load-$2-$n"
    local s
    s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "http://127.0.0.1:$PORT_A/api/v1/organisations" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data "{\"name\": \"$name\", \"kind\": \"vcse\"}")
    echo "$s $name"
  done
}
writer 8 w1 >"$TMP/w1.log" &
w1=$!
writer 8 w2 >"$TMP/w2.log" &
w2=$!

sleep 2
pg_ctl_as_owner -D "$PGDIR/data" -m fast -w stop >/dev/null
sleep 0.5
status=$(http GET "$PORT_A" /healthz "")
check "/healthz is 503 while PostgreSQL is down" 503 "$status"
check "/healthz names the database as down" down "$(jq -r .dependencies.database.status "$TMP/body")"
status=$(http GET "$PORT_A" /api/v1/users/me "" -H "Authorization: Bearer $token")
check "an API request is 503 while PostgreSQL is down" 503 "$status"
check "the 503 is a problem+json" 503 "$(jq -r .status "$TMP/body")"
sleep 1.5
pg_ctl_as_owner -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $PGDIR -c max_connections=200" start >/dev/null
wait "$w1" "$w2"

cat "$TMP/w1.log" "$TMP/w2.log" >"$TMP/all.log"
total=$(wc -l <"$TMP/all.log")
created=$(grep -c '^201 ' "$TMP/all.log" || true)
unavailable=$(grep -c '^503 ' "$TMP/all.log" || true)
other=$(grep -vc -e '^201 ' -e '^503 ' "$TMP/all.log" || true)
echo "# $total writes: $created created, $unavailable unavailable, $other other"
[ "$created" -gt 0 ] && ok "writes succeeded around the outage" || not_ok "writes succeeded around the outage"
[ "$unavailable" -gt 0 ] && ok "writes during the outage got 503" || not_ok "writes during the outage got 503 (the outage was not observed)"
check "no status other than 201 and 503 under load" 0 "$other"

# Recovery, same process.
for _ in $(seq 1 50); do
  status=$(http GET "$PORT_A" /healthz "")
  [ "$status" = 200 ] && break
  sleep 0.1
done
check "/healthz is 200 again without a restart" 200 "$status"
status=$(http GET "$PORT_A" /api/v1/users/me "" -H "Authorization: Bearer $token")
check "API requests succeed again" 200 "$status"

# No acknowledged write was lost.
grep '^201 ' "$TMP/all.log" | cut -d' ' -f2 | sort >"$TMP/acked"
psql -qAt "$URL" -c "select name from organisations where name like 'load-%'" | sort >"$TMP/stored"
missing=$(comm -23 "$TMP/acked" "$TMP/stored" | wc -l)
check "every acknowledged write is in the database" 0 "$missing"
kill -0 "${PIDS[0]}" && ok "the server process is still the same one" || not_ok "the server process died"

finish
