#!/usr/bin/env bash
# make run: create or migrate the database, load the demo area (idempotent:
# it adds only what is missing), print the logins and the URL, and serve.
set -euo pipefail
bin=$1 db=$2 listen=$3

"$bin" init --db "$db"
"$bin" demo --db "$db"
echo
echo "linkwell is at http://$listen/  (Ctrl-C stops it)"
echo "Sign in as a demo user, e.g.:"
echo "  curl -i -X POST http://$listen/api/v1/session -H 'Content-Type: application/json' \\"
echo "       -d '{\"email\": \"admin@demo.linkwell.example\", \"password\": \"linkwell-demo\"}'"
echo
exec "$bin" serve --db "$db" --listen "$listen"
