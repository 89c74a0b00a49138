#!/usr/bin/env bash
# The command line as a user runs it: every subcommand, its exit codes (0 ok,
# 1 runtime failure, 2 usage error), its messages, and a real `linkwell serve`
# started, used with curl and stopped with SIGTERM.
#
# Usage: tests/cli/test_cli.sh PATH_TO_LINKWELL   (ctest passes the built binary)
# Needs curl and sqlite3 (scripts/deps.sh installs both). Prints one
# "ok - ..." or "not ok - ..." line per check, then "N passed, M failed";
# exits 1 when any check failed.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH_TO_LINKWELL_BINARY" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
for tool in curl sqlite3; do
    command -v "$tool" >/dev/null || {
        echo "$0: needs $tool (scripts/deps.sh installs it)" >&2
        exit 2
    }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/linkwell-cli.XXXXXX")
servers=()
cleanup() {
    for p in "${servers[@]}"; do
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 2

# Nothing from the caller's environment may change what is tested.
unset LINKWELL_DB LINKWELL_LISTEN LINKWELL_TRUSTED_PROXY
export LINKWELL_PASSWORD_COST=min

passed=0 failed=0
ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $1"
    shift
    local line
    for line in "$@"; do
        while IFS= read -r l; do printf '#   %s\n' "$l"; done <<<"$line"
    done
}
# check DESC COMMAND...: passes when COMMAND succeeds.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

# run CMD...: runs CMD with no standard input; sets rc, out (stdout) and err (stderr).
# run_in TEXT CMD...: the same with TEXT (and a newline) on standard input.
run() {
    "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(<"$tmp/out")
    err=$(<"$tmp/err")
}
run_in() {
    local text=$1
    shift
    "$@" <<<"$text" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(<"$tmp/out")
    err=$(<"$tmp/err")
}

# expect DESC RC [WHERE PATTERN]...: checks the last run's exit status and
# output. WHERE is stdout or stderr (PATTERN, an extended regex, must match a
# line), !stdout or !stderr (it must match no line), or stdout= / stderr= (the
# whole stream must be exactly PATTERN, e.g. empty).
expect() {
    local desc=$1 want=$2
    shift 2
    local why=()
    [ "$rc" -eq "$want" ] || why+=("exit status $rc, expected $want")
    while [ $# -ge 2 ]; do
        local where=$1 pat=$2 text
        shift 2
        case $where in
        *stdout*) text=$out ;;
        *) text=$err ;;
        esac
        case $where in
        !*) if grep -Eq -e "$pat" <<<"$text"; then why+=("${where#!} matches /$pat/"); fi ;;
        *=) [ "$text" = "$pat" ] || why+=("${where%=} is not '$pat'") ;;
        *) grep -Eq -e "$pat" <<<"$text" || why+=("$where does not match /$pat/") ;;
        esac
    done
    if [ ${#why[@]} -eq 0 ]; then
        ok "$desc"
    else
        not_ok "$desc" "${why[@]}" "stdout: $out" "stderr: $err"
    fi
}

sql() { sqlite3 "$@" 2>&1; }
parses_as_json() { jq -e . <<<"$1" >/dev/null 2>&1; }
# absent TEXT FILE|-: TEXT (a fixed string) is nowhere in FILE (or standard input).
absent() { ! grep -qF -e "$1" "${2:--}"; }

# ---- version, overview, unknown commands --------------------------------------

run "$bin" --version
expect "--version prints 'linkwell X.Y.Z'" 0 stdout '^linkwell [0-9]+\.[0-9]+\.[0-9]+$' stderr= ''
check "--version prints one line" test "$(wc -l <"$tmp/out")" -eq 1

run "$bin"
expect "no arguments: exit 2 with the usage on stderr" 2 \
    stderr '^usage: linkwell COMMAND' stderr 'org add' stdout= ''

run "$bin" --help
expect "--help: exit 0, lists every command on stdout" 0 \
    stdout '^usage: linkwell COMMAND' stdout '^  init ' stdout '^  serve ' \
    stdout '^  org add ' stdout '^  user add ' stdout '^  token ' stdout '^  demo '

run "$bin" frobnicate
expect "unknown command: exit 2, named on stderr" 2 \
    stderr "unknown command 'frobnicate'" stdout= ''

run "$bin" org
expect "'org' without its subcommand: exit 2" 2 stderr 'org add'

# ---- --help and bad options on every command ----------------------------------

# The options each command's --help must mention. Commands the overview lists
# that are not here are still checked for --help and bad options.
declare -A options=(
    [init]="--db"
    [backup]="--db --to"
    [migrate-to-postgres]="--from --to"
    [serve]="--db --listen --threads --pool --password-cost --cookie-secure --no-access-log --trusted-proxy"
    [org add]="--db --name --kind"
    [user add]="--db --org --role --email --name --password-cost"
    [token]="--db --email"
    [token list]="--db --email"
    [token revoke]="--db --id"
    [demo]="--db"
)
run "$bin" --help
# The overview lists each command as "  NAME   USAGE", NAME and USAGE two or more spaces apart.
mapfile -t commands < <(awk '/^  [a-z]/ { sub(/^  /, ""); split($0, f, /  +/); print f[1] }' <<<"$out")
for cmd in "${!options[@]}"; do
    [[ " ${commands[*]} " == *" $cmd "* ]] || commands+=("$cmd")
done
for cmd in "${commands[@]}"; do
    read -ra words <<<"$cmd"
    run "$bin" "${words[@]}" --help
    pats=(stdout "^usage: linkwell $cmd " stderr= '')
    for o in ${options[$cmd]:-}; do pats+=(stdout "$o( |$)"); done
    expect "'$cmd --help': exit 0, mentions ${options[$cmd]:-its usage}" 0 "${pats[@]}"

    run "$bin" "${words[@]}" --no-such-option
    expect "'$cmd --no-such-option': exit 2, names the option and the usage" 2 \
        stderr "unknown option '--no-such-option'" stderr "^usage: linkwell $cmd" stdout= ''
done

run "$bin" init --db
expect "an option without its value: exit 2" 2 stderr 'needs a value'

# ---- the database: --db, LINKWELL_DB, init ------------------------------------

for cmd in init serve "org add --name N --kind other" "token --email a@example.org" demo \
    "backup --to never.db" "token list --email a@example.org" "token revoke --id 1"; do
    read -ra words <<<"$cmd"
    run "$bin" "${words[@]}"
    expect "'${cmd%% --*}' without --db or LINKWELL_DB: exit 2, names both" 2 \
        stderr '--db' stderr 'LINKWELL_DB'
done
run_in "a long enough password" "$bin" user add --org 1 --role admin --email a@example.org
expect "'user add' without --db or LINKWELL_DB: exit 2, names both" 2 \
    stderr '--db' stderr 'LINKWELL_DB'
check "nothing was created in the working folder by those" \
    test -z "$(find "$tmp" -mindepth 1 ! -name out ! -name err)"

db=$tmp/lw.db
run "$bin" init --db "$db"
expect "init creates the database" 0 stdout 'created' stdout 'schema version [0-9]+'
check "the database file exists after init" test -s "$db"
check "init recorded its schema version" \
    test "$(sql "$db" 'select count(*) from schema_migrations')" -ge 1

run "$bin" init --db "$db"
expect "a second init says the database is up to date" 0 stdout 'up to date'

run "$bin" init --db="$db"
expect "--db=PATH works as well as --db PATH" 0 stdout 'up to date'

envdb=$tmp/env.db
LINKWELL_DB=$envdb run "$bin" init
expect "LINKWELL_DB works instead of --db (init)" 0 stdout 'created'
check "LINKWELL_DB's database exists" test -s "$envdb"
LINKWELL_DB=$envdb run "$bin" org add --name "Env Org" --kind other
expect "LINKWELL_DB works instead of --db (org add)" 0 stdout '^[0-9]+$'
LINKWELL_DB=$tmp/not-this.db run "$bin" init --db "$envdb"
expect "--db wins over LINKWELL_DB" 0 stdout 'up to date'
check "the database LINKWELL_DB names was not created when --db was given" \
    test ! -e "$tmp/not-this.db"

run "$bin" org add --db "$tmp/missing.db" --name X --kind other
expect "org add on a missing database: exit 2, says to run linkwell init" 2 \
    stderr 'linkwell init'
check "org add did not create the missing database" test ! -e "$tmp/missing.db"

# ---- org add ------------------------------------------------------------------

run "$bin" org add --db "$db" --name "Riverside Medical Practice" --kind gp_practice
expect "org add prints the new organisation's id" 0 stdout '^[0-9]+$' stderr= ''
gp_id=$out
check "the organisation is in the database with its kind" \
    test "$(sql "$db" "select kind from organisations where id = $gp_id")" = gp_practice

run "$bin" org add --db "$db" --name "Elsewhere" --kind hospital
expect "org add with a bad --kind: exit 2 with the list of kinds" 2 \
    stderr "'hospital' is not an organisation kind" stderr 'gp_practice' stderr 'cmht' \
    stderr 'inpatient_ward' stderr 'link_worker_service' stderr 'vcse' \
    stderr 'commissioner' stderr 'community' stderr 'other'

run "$bin" org add --db "$db" --name "Riverside Medical Practice" --kind cmht
expect "org add with a name already taken: exit 1" 1 stderr 'already exists'
check "the duplicate organisation was not created" \
    test "$(sql "$db" 'select count(*) from organisations')" -eq 1

run "$bin" org add --db "$db" --kind other
expect "org add without --name: exit 2" 2 stderr '--name is required'

run "$bin" org add --db "$db" --name "Northgate CMHT" --kind cmht
expect "org add: a second organisation" 0 stdout '^[0-9]+$'
cmht_id=$out

# ---- user add -----------------------------------------------------------------

pw="a long enough password"
run_in "$pw" "$bin" user add --db "$db" --org "Riverside Medical Practice" --role referrer \
    --email gp@example.org --name "Dr Priya Shah"
expect "user add (password on stdin, --org by exact name) prints the user's id" 0 \
    stdout '^[0-9]+$'
check "the user belongs to the organisation named" \
    test "$(sql "$db" "select organisation_id from users where email = 'gp@example.org'")" = "$gp_id"

run_in "$pw" "$bin" user add --db "$db" --org "$cmht_id" --role admin --email Admin@Example.org
expect "user add with --org by id prints the user's id" 0 stdout '^[0-9]+$'
check "the user belongs to the organisation with that id" \
    test "$(sql "$db" "select organisation_id from users where email = 'admin@example.org'")" = "$cmht_id"
check "the email is stored in lower case" \
    test "$(sql "$db" "select count(*) from users where email = 'admin@example.org'")" -eq 1
check "the default name is the part of the email before @" \
    test "$(sql "$db" "select name from users where email = 'admin@example.org'")" = Admin
hash=$(sql "$db" "select password_hash from users where email = 'gp@example.org'")
check "the password is stored as an argon2id hash" test "${hash#\$argon2id\$}" != "$hash"
check "the stored hash does not contain the password" test "${hash/"$pw"/}" = "$hash"

run_in "too short" "$bin" user add --db "$db" --org "$gp_id" --role referrer --email s@example.org
expect "user add with a short password: exit 2" 2 stderr 'password' stderr 'at least'

run_in "$pw" "$bin" user add --db "$db" --org "No Such Practice" --role referrer \
    --email n@example.org
expect "user add with an unknown organisation name: exit 2" 2 \
    stderr "no organisation 'No Such Practice'"

run_in "$pw" "$bin" user add --db "$db" --org 9999 --role referrer --email n@example.org
expect "user add with an unknown organisation id: exit 2" 2 stderr "no organisation '9999'"

run_in "$pw" "$bin" user add --db "$db" --org "$gp_id" --role surgeon --email n@example.org
expect "user add with a bad --role: exit 2 with the list of roles" 2 \
    stderr "'surgeon' is not a role" stderr 'referrer' stderr 'link_worker' \
    stderr 'clinician_prescriber' stderr 'admin'

run_in "$pw" "$bin" user add --db "$db" --org "$gp_id" --role referrer --email GP@example.org
expect "user add with an email already taken (in any case): exit 1" 1 stderr 'already exists'

run "$bin" user add --db "$db" --org "$gp_id" --role referrer --email nopw@example.org
expect "user add with nothing on stdin: exit 2, asks for the password on standard input" 2 \
    stderr 'standard input'
check "no user was created by the failed user adds" \
    test "$(sql "$db" 'select count(*) from users')" -eq 2

run_in "$pw" "$bin" user add --db "$db" --role referrer --email x@example.org
expect "user add without --org: exit 2" 2 stderr '--org is required'

# ---- token --------------------------------------------------------------------

run "$bin" token --db "$db" --email gp@example.org
expect "token prints a token starting lw_" 0 stdout '^lw_[A-Za-z0-9_-]{20,}$' stderr= ''
token=$out
sqlite3 "$db" .dump >"$tmp/dump.sql"
check "the token is not stored in clear" absent "$token" "$tmp/dump.sql"

run "$bin" token --db "$db" --email GP@EXAMPLE.ORG
expect "token finds the user whatever the email's case" 0 stdout '^lw_'
check "each token is new" test "$out" != "$token"

run "$bin" token --db "$db" --email nobody@example.org
expect "token for an unknown email: exit 2" 2 stderr 'no user' stdout= ''

run "$bin" token list --db "$db" --email gp@example.org
expect "token list shows the user's two tokens, newest first, never the tokens" 0 \
    stdout '^ID +CREATED +LAST USED$' stdout '^[0-9]+ +20[0-9-]+T[0-9:]+Z +never$' stderr= ''
check "token list: a header and two lines" test "$(grep -c . <<<"$out")" -eq 3
check "token list does not print the token" absent "$token" "$tmp/out"
first_id=$(awk 'NR == 3 { print $1 }' <<<"$out")

run "$bin" token list --db "$db" --email nobody@example.org
expect "token list for an unknown email: exit 2" 2 stderr 'no user' stdout= ''

run "$bin" token revoke --db "$db" --id "$first_id"
expect "token revoke: exit 0, says which" 0 stdout "token $first_id revoked"
check "the revoked token is gone from the database" \
    test "$(sql "$db" "select count(*) from api_tokens where id = $first_id")" -eq 0
check "the other token is kept" test "$(sql "$db" 'select count(*) from api_tokens')" -eq 1
check "the revocation is in the audit log" \
    test "$(sql "$db" "select count(*) from audit_log where action = 'token.revoke'")" -eq 1

before=$(sql "$db" 'select count(*) from audit_log')
run "$bin" token revoke --db "$db" --id "$first_id"
expect "revoking it again: exit 2, no such token" 2 stderr "no token $first_id"
for bad in abc 0 -3 12x; do
    run "$bin" token revoke --db "$db" --id "$bad"
    expect "token revoke --id $bad: exit 2, says what --id must be" 2 stderr 'token.s number'
done
check "the failed revocations wrote nothing" \
    test "$(sql "$db" 'select count(*) from audit_log')" -eq "$before"

# ---- demo ---------------------------------------------------------------------

demodb=$tmp/demo.db
run "$bin" demo --db "$demodb"
pats=()
for role in admin referrer link_worker peer_worker clinician_prescriber provider commissioner; do
    pats+=(stdout "^  $role +[^ ]+@[^ ]+ ")
done
expect "demo (on a new database) prints a login for every role" 0 "${pats[@]}" \
    stdout 'admin@demo\.linkwell\.example' stdout 'linkwell-demo'
users=$(sql "$demodb" 'select count(*) from users')
orgs=$(sql "$demodb" 'select count(*) from organisations')
check "demo created 7 users, one per role" test "$users" -eq 7
check "demo created an organisation of every kind" \
    test "$(sql "$demodb" 'select count(distinct kind) from organisations')" -eq 8

run "$bin" demo --db "$demodb"
expect "demo a second time succeeds" 0 stdout 'admin@demo\.linkwell\.example'
check "demo a second time adds no users" \
    test "$(sql "$demodb" 'select count(*) from users')" -eq "$users"
check "demo a second time adds no organisations" \
    test "$(sql "$demodb" 'select count(*) from organisations')" -eq "$orgs"

# ---- backup and migrate-to-postgres: what needs no running server ----------------

run "$bin" backup --db "$tmp/nothing-here.db" --to "$tmp/b.db"
expect "backup of a missing database: exit 2, says to run linkwell init" 2 stderr 'linkwell init'
check "backup of a missing database creates neither file" \
    test ! -e "$tmp/nothing-here.db" -a ! -e "$tmp/b.db"
run "$bin" backup --db "$demodb"
expect "backup without --to: exit 2" 2 stderr '--to'
run "$bin" migrate-to-postgres --from "$demodb" --to "$tmp/other.db"
expect "migrate-to-postgres to something not postgres://: exit 2" 2 stderr 'postgres://'
check "migrate-to-postgres did not create the file it was given" test ! -e "$tmp/other.db"
run "$bin" migrate-to-postgres --to postgres://localhost/linkwell
expect "migrate-to-postgres without --from: exit 2" 2 stderr '--from'

# ---- serve refuses what it cannot serve ---------------------------------------

run "$bin" serve --db "$tmp/nothing-here.db" --listen 127.0.0.1:0
check "serve on a missing database fails with 1 or 2" test "$rc" -eq 2 -o "$rc" -eq 1
expect "serve on a missing database says to run linkwell init" "$rc" stderr 'linkwell init'
check "serve did not create the missing database" test ! -e "$tmp/nothing-here.db"

: >"$tmp/empty.db"
run "$bin" serve --db "$tmp/empty.db" --listen 127.0.0.1:0
check "serve on an empty file fails with 1 or 2" test "$rc" -eq 2 -o "$rc" -eq 1
expect "serve on an empty file says to run linkwell init" "$rc" stderr 'linkwell init'

newdb=$tmp/newer.db
run "$bin" init --db "$newdb"
sqlite3 "$newdb" "insert into schema_migrations (version, name, applied_at) values (9999, 'from the future', 0)"
run "$bin" serve --db "$newdb" --listen 127.0.0.1:0
check "serve on a database newer than the binary fails" test "$rc" -eq 2 -o "$rc" -eq 1
expect "serve on a newer database says to upgrade linkwell" "$rc" stderr 'upgrade' stderr '9999'
run "$bin" init --db "$newdb"
check "init on a database newer than the binary fails" test "$rc" -eq 2 -o "$rc" -eq 1
expect "init on a newer database says to upgrade linkwell" "$rc" stderr 'upgrade'
check "init left the newer database's version alone" \
    test "$(sql "$newdb" 'select max(version) from schema_migrations')" -eq 9999
run "$bin" demo --db "$newdb"
check "demo on a newer database fails" test "$rc" -eq 2 -o "$rc" -eq 1
expect "demo on a newer database says to upgrade linkwell" "$rc" stderr 'upgrade'

run "$bin" serve --db "$demodb" --listen nowhere
expect "serve with --listen that is not HOST:PORT: exit 2" 2 stderr 'HOST:PORT'
run "$bin" serve --db "$demodb" --listen 127.0.0.1:0 --threads 0
expect "serve with --threads 0: exit 2" 2 stderr '--threads'
run "$bin" serve --db "$demodb" --listen 127.0.0.1:0 --cookie-secure maybe
expect "serve with a bad --cookie-secure: exit 2" 2 stderr '--cookie-secure'
run "$bin" serve --db "$demodb" --listen 127.0.0.1:0 --password-cost huge
expect "serve with a bad --password-cost: exit 2" 2 stderr 'password cost'

# ---- serve, for real ----------------------------------------------------------

# start_server LOG ARGS...: starts `linkwell serve ARGS` with stderr in LOG and
# waits (up to 20 s) for "serving on port N"; sets spid and port (empty on failure).
start_server() {
    local log=$1
    shift
    "$bin" serve "$@" </dev/null >"$tmp/serve.out" 2>"$log" &
    spid=$!
    servers+=("$spid")
    port=
    local i
    for ((i = 0; i < 200; i++)); do
        port=$(sed -n 's/^linkwell: serving on port \([0-9][0-9]*\).*/\1/p' "$log" 2>/dev/null)
        [ -n "$port" ] && return 0
        kill -0 "$spid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# stop_server SIGNAL: sends SIGNAL and waits up to 10 s; sets src to the exit
# status (or 999 when it had to be killed).
stop_server() {
    kill "-$1" "$spid" 2>/dev/null
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$spid" 2>/dev/null; then
        kill -KILL "$spid" 2>/dev/null
        wait "$spid" 2>/dev/null
        src=999
    else
        wait "$spid"
        src=$?
    fi
    # Reaped: its id may be reused, so the clean-up must not signal it.
    local p left=()
    for p in "${servers[@]}"; do [ "$p" = "$spid" ] || left+=("$p"); done
    servers=("${left[@]}")
}

# http METHOD PATH [CURL ARGS...]: sets code (the status) and body.
http() {
    local method=$1 path=$2
    shift 2
    code=$(curl -sS --noproxy '*' --max-time 10 -o "$tmp/body" -w '%{http_code}' \
        -X "$method" "$@" "http://127.0.0.1:$port$path" 2>"$tmp/curl.err")
    body=$(<"$tmp/body")
}

log=$tmp/serve.err
admin_pw=linkwell-demo
wrong_pw=not-the-password-at-all
if start_server "$log" --db "$demodb" --listen 127.0.0.1:0; then
    ok "serve --listen 127.0.0.1:0 prints 'serving on port N' with the real port ($port)"

    # A second server cannot take the same port (and silently share its requests).
    run timeout 10 "$bin" serve --db "$demodb" --listen "127.0.0.1:$port"
    check "a second serve on the same port fails with exit 1" test "$rc" = 1
    check "... and says the address is in use" grep -q 'cannot listen on' <<<"$err"

    http GET /healthz
    check "GET /healthz answers 200" test "$code" = 200
    check "GET /healthz says ok" grep -q '"status":"ok"' <<<"$body"

    http GET /
    check "GET / answers 200 with a page" test "$code" = 200 -a -n "$body"

    http GET /api/v1/users/me
    check "GET /api/v1/users/me without credentials answers 401" test "$code" = 401

    http POST /api/v1/session -H 'Content-Type: application/json' \
        -d "{\"email\": \"admin@demo.linkwell.example\", \"password\": \"$wrong_pw\"}"
    check "signing in with a wrong password answers 401" test "$code" = 401

    http POST /api/v1/session -c "$tmp/cookies" -H 'Content-Type: application/json' \
        -d "{\"email\": \"admin@demo.linkwell.example\", \"password\": \"$admin_pw\"}"
    check "signing in as the demo admin answers 201" test "$code" = 201
    csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' <<<"$body")
    check "signing in returns a CSRF token" test -n "$csrf"
    session=$(awk '$6 == "lw_session" { print $7 }' "$tmp/cookies")
    check "signing in sets the lw_session cookie" test -n "$session"

    http GET /api/v1/users/me -b "$tmp/cookies"
    check "GET /api/v1/users/me with the session cookie answers 200" test "$code" = 200

    run "$bin" token --db "$demodb" --email admin@demo.linkwell.example
    admin_token=$out
    http GET /api/v1/users/me -H "Authorization: Bearer $admin_token"
    check "GET /api/v1/users/me with the token from 'linkwell token' answers 200" \
        test "$code" = 200
    check "... and names the demo admin" grep -q '"email":"admin@demo.linkwell.example"' <<<"$body"
    check "... with the role admin" grep -q '"role":"admin"' <<<"$body"

    run "$bin" token list --db "$demodb" --email admin@demo.linkwell.example
    admin_token_id=$(awk 'NR == 2 { print $1 }' <<<"$out")
    check "token list says when the token was last used" grep -Eq "^$admin_token_id +[^ ]+ +20" "$tmp/out"
    run "$bin" token revoke --db "$demodb" --id "$admin_token_id"
    expect "token revoke while the server runs" 0 stdout 'revoked'
    http GET /api/v1/users/me -H "Authorization: Bearer $admin_token"
    check "a revoked token is refused at once (401)" test "$code" = 401

    http DELETE /api/v1/session -b "$tmp/cookies" -H "X-CSRF-Token: $csrf"
    check "signing out with the cookie and the CSRF token answers 204" test "$code" = 204

    http GET /no/such/page
    check "an unknown address answers 404" test "$code" = 404

    run "$bin" backup --db "$demodb" --to "$tmp/backup.db"
    expect "backup while the server runs" 0 stdout 'backed up'
    check "the backup holds the same users" \
        test "$(sql "$tmp/backup.db" 'select count(*) from users')" -eq "$users"
    run "$bin" init --db "$tmp/backup.db"
    expect "the backup is a linkwell database at the current schema" 0 stdout 'up to date'
    run "$bin" backup --db "$demodb" --to "$tmp/backup.db"
    expect "backup into a file that exists: exit 2, the file is kept" 2 stderr 'already exists'
    check "the existing backup was not overwritten" \
        test "$(sql "$tmp/backup.db" 'select count(*) from users')" -eq "$users"

    stop_server TERM
    check "SIGTERM: serve exits 0 within a few seconds" test "$src" -eq 0
    check "SIGTERM: serve says it stopped" grep -q '^linkwell: stopped' "$log"

    json_lines=$(grep -v '^linkwell: ' "$log")
    n=$(grep -c . <<<"$json_lines")
    check "the access log has a line for each of the 9 requests (it has $n)" test "$n" -ge 9
    bad=$(while IFS= read -r l; do
        [ -z "$l" ] && continue
        [[ $l =~ ^\{.*\}$ && $l == *'"method":'* && $l == *'"route":'* &&
            $l == *'"status":'* && $l == *'"ms":'* ]] || echo "$l"
    done <<<"$json_lines")
    if [ -z "$bad" ]; then ok "every access log line is a JSON object with method, route, status, ms"; else
        not_ok "every access log line is a JSON object with method, route, status, ms" "$bad"
    fi
    if command -v jq >/dev/null; then
        check "jq parses every access log line" parses_as_json "$json_lines"
    fi
    check "the access log names the route pattern" grep -q '"route":"/api/v1/users/me"' "$log"
    declare -A secrets=([the password]=$admin_pw [a wrong password]=$wrong_pw
        [the API token]=$admin_token [the CSRF token]=$csrf [the session id]=$session)
    sqlite3 "$demodb" .dump >"$tmp/dump.sql"
    for what in "the password" "a wrong password" "the API token" "the CSRF token" \
        "the session id"; do
        check "the server's stderr does not contain $what" absent "${secrets[$what]}" "$log"
        check "the database does not contain $what in clear" \
            absent "${secrets[$what]}" "$tmp/dump.sql"
    done
    check "the server's stderr does not contain the email signed in with" \
        absent admin@demo.linkwell.example "$log"
else
    not_ok "serve --listen 127.0.0.1:0 prints 'serving on port N'" "$(cat "$log")"
    kill -KILL "$spid" 2>/dev/null
fi

# LINKWELL_LISTEN instead of --listen, and SIGINT (Ctrl-C).
log2=$tmp/serve2.err
if LINKWELL_LISTEN=127.0.0.1:0 start_server "$log2" --db "$demodb" --no-access-log; then
    ok "LINKWELL_LISTEN works instead of --listen"
    http GET /healthz
    check "the second server answers /healthz" test "$code" = 200
    stop_server INT
    check "SIGINT: serve exits 0" test "$src" -eq 0
    check "SIGINT: serve says it stopped" grep -q '^linkwell: stopped' "$log2"
    check "--no-access-log: no access log lines" test -z "$(grep -v '^linkwell: ' "$log2")"
else
    not_ok "LINKWELL_LISTEN works instead of --listen" "$(cat "$log2")"
    kill -KILL "$spid" 2>/dev/null
fi

# Two servers on one SQLite database: every read's audit row reaches audit_log exactly
# once, though both write the reads' file beside it and both move its rows.
twodb=$tmp/two.db
cp "$demodb" "$twodb"
if start_server "$tmp/two1.err" --db "$twodb" --listen 127.0.0.1:0 --no-access-log; then
    spid1=$spid port1=$port
    if start_server "$tmp/two2.err" --db "$twodb" --listen 127.0.0.1:0 --no-access-log; then
        spid2=$spid port2=$port
        for p in "$port1" "$port2"; do
            port=$p http POST /api/v1/session -c "$tmp/two$p.cookies" -H 'Content-Type: application/json' \
                -d '{"email": "linkworker@demo.linkwell.example", "password": "linkwell-demo"}'
        done
        before=$(sql "$twodb" "select count(*) from audit_log where action = 'case.list'")
        for i in $(seq 1 40); do
            for p in "$port1" "$port2"; do
                curl -sS --noproxy '*' -o /dev/null -b "$tmp/two$p.cookies" \
                    "http://127.0.0.1:$p/api/v1/cases?assignee=me" &
            done
        done
        wait $(jobs -p | grep -v -e "^$spid1\$" -e "^$spid2\$") 2>/dev/null
        spid=$spid2
        stop_server TERM
        spid=$spid1
        stop_server TERM
        after=$(sql "$twodb" "select count(*) from audit_log where action = 'case.list'")
        check "two servers on one SQLite file: 80 caseload reads, 80 audit rows (got $((after - before)))" \
            test "$((after - before))" -eq 80
        check "... and none left behind in the reads' file" \
            test "$(sql "$twodb-reads" 'select count(*) from audit_log')" -eq 0
    else
        not_ok "a second server on the same SQLite file starts" "$(cat "$tmp/two2.err")"
        spid=$spid1
        stop_server KILL
    fi
else
    not_ok "a server on a copy of the demo database starts" "$(cat "$tmp/two1.err")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
