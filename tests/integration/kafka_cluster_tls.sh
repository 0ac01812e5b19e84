#!/usr/bin/env bash
# The cluster over TLS (CAF's OpenSSL module): a `counter` worker and its
# client processes with certificates of one test CA. A client with the
# same CA's certificate asks directly (`--via caf`) and is answered; a
# plain-TCP client and a client whose certificate another CA signed are
# refused at the connection: their asks fail, and nothing ran (the next
# ask's count says so).
#   kafka_cluster_tls.sh FAUST_BROKER_BIN COUNTER_BIN
set -euo pipefail
FAUST_BROKER_BIN=$1 COUNTER=$2
source "$(dirname "$0")/kafka_lib.sh"

# cert NAME CA: a key and a certificate for 127.0.0.1 signed by CA.
cert() {
  openssl req -newkey rsa:2048 -nodes -keyout "$WORK/$1.key" \
    -out "$WORK/$1.csr" -subj "/CN=127.0.0.1" 2>>"$WORK/openssl.log"
  openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/$2.pem" \
    -CAkey "$WORK/$2.key" -CAcreateserial -out "$WORK/$1.pem" -days 2 \
    2>>"$WORK/openssl.log"
}
for ca in ca other-ca; do
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/$ca.key" \
    -out "$WORK/$ca.pem" -days 2 -subj "/CN=faust-test-$ca" \
    2>>"$WORK/openssl.log" || fail "openssl could not make a CA"
done
cert worker ca && cert client ca && cert stranger other-ca ||
  fail "openssl could not make the certificates: $(tail -n 3 "$WORK/openssl.log")"

# tls NAME CA: the environment of a process with NAME's certificate.
tls() {
  echo "F_CLUSTER_TLS_CERTIFICATE=$WORK/$1.pem F_CLUSTER_TLS_KEY=$WORK/$1.key" \
    "F_CLUSTER_TLS_CAFILE=$WORK/$2.pem"
}

start_broker --partitions 4
env $(tls worker ca) "$COUNTER" worker --broker "kafka://$BOOTSTRAP" \
  --worker-id w1 --datadir "$WORK/w1-data" -l info \
  >"$WORK/w1.out" 2>"$WORK/w1.log" &
PIDS+=($!)
wait_log "$WORK/w1.log" "cluster: worker 'w1' listens on 127.0.0.1:[0-9]+ \(TLS\)" 60

# Until the view shows w1 owning all 4 request partitions, ready.
end=$((SECONDS + $(bound "$(scaled 60)")))
until "$COUNTER" cluster --broker "kafka://$BOOTSTRAP" --json 2>/dev/null |
  python3 -c '
import json, sys
v = json.load(sys.stdin)
own = [p["partition"] for w in v["workers"] for p in w["active"]
       if p["topic"] == "counter-requests" and p["state"] == "ready"]
sys.exit(0 if sorted(own) == [0, 1, 2, 3] else 1)'; do
  ((SECONDS < end)) || fail "w1 did not own the request partitions in time"
  sleep 0.5 # polling the cluster topic: it reports no completion event
done

# ask ENV... : asks once directly for account "probe"; prints the answer.
ask() {
  local n=$1
  shift
  env "$@" "$COUNTER" ask @count "{\"account\": \"probe\", \"id\": $n}" \
    --key probe --via caf --timeout 8 --broker "kafka://$BOOTSTRAP" \
    2>>"$WORK/ask.log"
}

got=$(ask 1 $(tls client ca)) || fail "the TLS client's ask failed: $(tail -n 3 "$WORK/ask.log")"
[[ $got == 1 ]] || fail "the TLS client's ask answered '$got', expected 1"

if got=$(ask 2 F_LOG_LEVEL=info); then
  fail "a plain-TCP client was answered ('$got') by a TLS worker"
fi
if got=$(ask 3 $(tls stranger other-ca)); then
  fail "a client with another CA's certificate was answered ('$got')"
fi

got=$(ask 4 $(tls client ca)) || fail "the TLS client's second ask failed: $(tail -n 3 "$WORK/ask.log")"
[[ $got == 2 ]] ||
  fail "the second TLS ask answered '$got', expected 2 (a refused ask ran?)"
echo "ok: TLS client answered; plain and foreign-CA clients refused, nothing ran"
