#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kv_drive_test: "smpkit-kv load --backend", the one client of the peer
# comparison. Against fake servers (Python, in this file) that check
# every request byte by byte: redis's SET/GET in RESP and etcd's JSON
# gateway (put, linearizable and serializable range) are well formed and
# answered, with no error. A server that refuses, answers garbage, says
# nothing, closes or is not there costs counted errors of that kind and
# the run still ends in time. Then short real runs (1 s): our three nodes
# always; redis-server and etcd where installed (scripts/deps --peers),
# else SKIP. Each must report ok > 0 and 0 errors.
bin=$(cd "$(dirname "$0")/../.." && pwd)/bin/smpkit-kv
. "$(dirname "$0")/../lib/ktap.sh"
[ -x "$bin" ] || ktap_skip_all "$bin is not built"
command -v python3 >/dev/null || ktap_skip_all "python3 is needed for the fake servers"
tmp=$(mktemp -d)
pids=(0 0 0)
. "$(dirname "$0")/kvlib.sh" || exit 1
trap cleanup EXIT
ktap_plan 8
base=$((21000 + $$ % 30000))
peers=$(at 0),$(at 1),$(at 2)

cat >"$tmp/fake.py" <<'PY'
# fake.py redis|etcd MODE PORTFILE LOG: a stand-in server on 127.0.0.1
# that checks each request and logs "put", "get", "get ser" or "bad WHY".
# MODE: ok answers; err refuses; garbage answers nonsense; silent never
# answers; close hangs up. It ends itself after a minute.
import base64, json, re, socketserver, sys, threading
proto, mode, portfile, logname = sys.argv[1:5]
log = open(logname, 'a', buffering=1)
lock = threading.Lock()
store = {}
KEY = re.compile(rb'load:[0-9]+\Z')
VAL = re.compile(rb'v[0-9a-f]+\.[0-9]+\Z')


def note(s):
    with lock:
        log.write(s + '\n')


def resp_command(f):
    line = f.readline()
    if not line:
        return None
    m = re.match(rb'\*([0-9]+)\r\n\Z', line)
    if not m:
        raise ValueError('not an array: %r' % line[:40])
    args = []
    for _ in range(int(m.group(1))):
        m = re.match(rb'\$([0-9]+)\r\n\Z', f.readline())
        if not m:
            raise ValueError('not a bulk string')
        n = int(m.group(1))
        b = f.read(n + 2)
        if len(b) != n + 2 or b[n:] != b'\r\n':
            raise ValueError('bulk string of the wrong length')
        args.append(b[:n])
    return args


def redis_answer(args):
    if len(args) == 3 and args[0] == b'SET' and KEY.match(args[1]) \
            and VAL.match(args[2]):
        store[args[1]] = args[2]
        note('put')
        return b'+OK\r\n'
    if len(args) == 2 and args[0] == b'GET' and KEY.match(args[1]):
        note('get')
        v = store.get(args[1])
        return b'$-1\r\n' if v is None else \
            b'$%d\r\n%s\r\n' % (len(v), v)
    raise ValueError('not SET key value or GET key: %r' % args)


def http_request(f, port):
    line = f.readline()
    if not line:
        return None
    m = re.match(rb'POST /v3/kv/(put|range) HTTP/1\.1\r\n\Z', line)
    if not m:
        raise ValueError('request line %r' % line[:60])
    hdr = {}
    while True:
        h = f.readline()
        if h == b'\r\n':
            break
        k, sep, v = h.partition(b':')
        if not sep or not h.endswith(b'\r\n'):
            raise ValueError('header %r' % h[:60])
        hdr[k.strip().lower()] = v.strip()
    if hdr.get(b'host') != b'127.0.0.1:%d' % port or \
            hdr.get(b'content-type') != b'application/json':
        raise ValueError('host or content type %r' % hdr)
    body = f.read(int(hdr[b'content-length']))
    return m.group(1), json.loads(body)


def b64(s):
    return base64.b64decode(s, validate=True)


def etcd_answer(op, req):
    head = '"header":{"cluster_id":"1","member_id":"1","revision":"2"}'
    key = b64(req['key'])
    if not KEY.match(key):
        raise ValueError('key %r' % key)
    if op == b'put':
        if set(req) != {'key', 'value'} or not VAL.match(b64(req['value'])):
            raise ValueError('put %r' % req)
        store[key] = req['value']
        note('put')
        return '{%s}' % head
    if set(req) - {'key', 'serializable'} or \
            req.get('serializable', True) is not True:
        raise ValueError('range %r' % req)
    note('get ser' if 'serializable' in req else 'get')
    if key not in store:
        return '{%s}' % head
    return '{%s,"kvs":[{"key":"%s","value":"%s"}],"count":"1"}' % (
        head, req['key'], store[key])


def http_reply(status, body):
    return b'HTTP/1.1 %d X\r\nContent-Type: application/json\r\n' \
        b'Content-Length: %d\r\n\r\n%s' % (status, len(body), body.encode())


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        port = self.server.server_address[1]
        while True:
            try:
                if proto == 'redis':
                    args = resp_command(self.rfile)
                    if args is None:
                        return
                    out = redis_answer(args)
                else:
                    r = http_request(self.rfile, port)
                    if r is None:
                        return
                    out = http_reply(200, etcd_answer(*r))
            except (ValueError, KeyError, TypeError) as e:
                note('bad %s' % e)
                return
            if mode == 'err':
                out = b'-ERR fake refusal\r\n' if proto == 'redis' else \
                    http_reply(500, '{"error":"fake refusal"}')
            elif mode == 'garbage':
                out = b'?what\r\n' if proto == 'redis' else \
                    b'NOT-HTTP nonsense\r\n\r\n'
            elif mode == 'silent':
                continue
            elif mode == 'close':
                return
            self.wfile.write(out)


socketserver.ThreadingTCPServer.daemon_threads = True
srv = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
with open(portfile + '.tmp', 'w') as f:
    f.write('%d\n' % srv.server_address[1])
import os
os.rename(portfile + '.tmp', portfile)
threading.Timer(60, os._exit, (0,)).start()
srv.serve_forever()
PY

# fake PROTO MODE: a fake server in the background; its port in $port.
fake() {
	rm -f "$tmp/port"
	python3 "$tmp/fake.py" "$1" "$2" "$tmp/port" "$tmp/$1-$2.log" 2>>"$tmp/fake.err" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
	port=$(cat "$tmp/port" 2>/dev/null)
}
# drive OUT BACKEND NODES ARGS...: one bounded run, its report in OUT;
# a generous timeout (ARGS may shorten it) so a loaded host is no error.
drive() {
	local out=$1 be=$2 nodes=$3
	shift 3
	timeout 30 "$bin" load --backend "$be" --nodes "$nodes" --window 4 \
		--duration 1 --keys 50 --dist uniform --timeout 5000 "$@" >"$out" 2>&1
	echo "rc $?" >>"$out"
}
# the run ended with its report, and no sanitizer spoke (under SAN=1)
whole() { grep -q '^throughput' "$1" && ! grep -q 'Sanitizer\|runtime error' "$1"; }
# field OUT NAME: the count after NAME in the report
field() { sed -n "s/.*[ ,(]$2 \([0-9][0-9]*\).*/\1/p" "$1" | head -1; }
clean_run() {	# OUT: ok > 0, no error, exit 0
	whole "$1" && [ "$(field "$1" ok)" -gt 0 ] 2>/dev/null && [ "$(field "$1" errors)" = 0 ] &&
		grep -q '^rc 0$' "$1"
}
count() { grep -c "^$2\$" "$1" 2>/dev/null; }

fake redis ok
drive "$tmp/r" redis "127.0.0.1:$port" --reads 50
clean_run "$tmp/r" && [ "$(count "$tmp/redis-ok.log" put)" -gt 0 ] &&
	[ "$(count "$tmp/redis-ok.log" get)" -gt 0 ] &&
	! grep -q '^bad' "$tmp/redis-ok.log"
ok $? "redis backend: every SET and GET is well-formed RESP and answered ($(field "$tmp/r" ok) ok, $(count "$tmp/redis-ok.log" put) SET)"

fake etcd ok
drive "$tmp/e" etcd "127.0.0.1:$port" --reads 50
drive "$tmp/es" etcd "127.0.0.1:$port" --reads 100 --serializable
clean_run "$tmp/e" && clean_run "$tmp/es" &&
	[ "$(count "$tmp/etcd-ok.log" put)" -gt 0 ] &&
	[ "$(count "$tmp/etcd-ok.log" get)" -gt 0 ] &&
	[ "$(count "$tmp/etcd-ok.log" 'get ser')" -gt 0 ] &&
	[ "$(field "$tmp/es" 'found nothing')" -lt "$(field "$tmp/es" ok)" ] &&
	! grep -q '^bad' "$tmp/etcd-ok.log"
ok $? "etcd backend: put, linearizable and serializable range are well-formed JSON over HTTP/1.1 and answered"
grep -h '^bad' "$tmp"/*-ok.log 2>/dev/null | head -3 | sed 's/^/# /'

# bad RESULT KIND BACKEND MODE: a server misbehaving in MODE costs errors of KIND
bad() {
	local out="$tmp/$2-$3"
	if [ "$3" = refused ]; then
		port=$((base + 9))	# nothing listens there
	else
		fake "$2" "$3"
	fi
	drive "$out" "$2" "127.0.0.1:$port" --timeout 200
	[ "$3" = refused ] || { kill "${pids[-1]}"; wait "${pids[-1]}"; } 2>/dev/null
	whole "$out" && [ "$(field "$out" ok)" = 0 ] &&
		[ "$(field "$out" "$1")" -gt 0 ] &&
		grep -q '^rc 1$' "$out" || { echo "# $2 $3:"; sed 's/^/#   /' "$out"; return 1; }
}
r=0
for be in redis etcd; do
	bad server "$be" err || r=1
	bad 'malformed replies' "$be" garbage || r=1
	bad timeouts "$be" silent || r=1
	bad 'connections failed' "$be" close || r=1
	bad 'connections failed' "$be" refused || r=1
done
ok $r "refusals, garbage, silence, hang-ups and a closed port are counted by kind; every run ends in time"

"$bin" load --backend etcd --window 4 --nodes 10.0.0.1:2379 >"$tmp/o1" 2>&1
r1=$?
"$bin" load --backend nosuch --window 4 --nodes "$(at 0)" >"$tmp/o2" 2>&1
r2=$?
"$bin" load --backend redis --nodes "$(at 0)" --serializable --window 4 >"$tmp/o3" 2>&1
r3=$?
"$bin" load --backend redis --nodes "$(at 0)" --rate 100 --window 4 >"$tmp/o4" 2>&1
r4=$?
[ $r1 != 0 ] && grep -q '127.0.0.1 only' "$tmp/o1" &&
	[ $r2 != 0 ] && grep -q 'ours, redis or etcd' "$tmp/o2" &&
	[ $r3 != 0 ] && grep -q 'serializable is for' "$tmp/o3" &&
	[ $r4 != 0 ] && grep -q 'takes neither' "$tmp/o4"
ok $? "another address than 127.0.0.1, an unknown backend and options of the open loop are refused"

for i in 0 1 2; do start_node $i; done
ready 0 && ready 1 && ready 2
ok $? "three store nodes answer"
drive "$tmp/o" ours "$peers" --reads 0
drive "$tmp/og" ours "$peers" --reads 100
clean_run "$tmp/o" && clean_run "$tmp/og" &&
	[ "$(field "$tmp/og" 'found nothing')" -lt "$(field "$tmp/og" ok)" ]
ok $? "ours backend, real nodes: puts then gets, $(field "$tmp/o" ok) and $(field "$tmp/og" ok) ok, no error"
sed -n '/^first error/s/^/# /p' "$tmp/o" "$tmp/og"

if command -v redis-server >/dev/null; then
	rp=$((base + 5))
	redis-server --port $rp --bind 127.0.0.1 --dir "$tmp" --save "" \
		--appendonly no --daemonize no >"$tmp/redis.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$rp") 2>/dev/null && break
		sleep 0.1
	done
	drive "$tmp/rr" redis "127.0.0.1:$rp" --reads 50
	clean_run "$tmp/rr"
	ok $? "redis backend, real redis-server: $(field "$tmp/rr" ok) ok, no error"
else
	skip "redis-server is not installed (scripts/deps --peers)"
fi

# etcd_health PORT: etcd on PORT says it is healthy (it has a leader);
# asked over bash's /dev/tcp, so the probe does not depend on our client.
etcd_health() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1" &&
		printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
		timeout 2 cat <&3) 2>/dev/null | grep -q '"health":"true"'
}
# etcd_up: a one-member etcd in the background with its client port in
# $c; up to three port pairs (a pair may be taken on a busy host), each
# given 60 s to report healthy. Fails when none did.
etcd_up() {
	local try i
	for try in 0 1 2; do
		c=$((base + 6 + 2 * try)) p=$((base + 7 + 2 * try))
		rm -rf "$tmp/etcd"
		etcd --name e0 --data-dir "$tmp/etcd" \
			--listen-client-urls "http://127.0.0.1:$c" \
			--advertise-client-urls "http://127.0.0.1:$c" \
			--listen-peer-urls "http://127.0.0.1:$p" \
			--initial-advertise-peer-urls "http://127.0.0.1:$p" \
			--initial-cluster "e0=http://127.0.0.1:$p" >>"$tmp/etcd.log" 2>&1 &
		pids+=($!)
		for i in $(seq 300); do
			etcd_health "$c" && return 0
			kill -0 "${pids[-1]}" 2>/dev/null || break
			sleep 0.2
		done
		kill "${pids[-1]}" 2>/dev/null
		wait "${pids[-1]}" 2>/dev/null
	done
	return 1
}

if ! command -v etcd >/dev/null; then
	skip "etcd is not installed (scripts/deps --peers)"
elif ! etcd_up; then
	tail -n 5 "$tmp/etcd.log" | sed 's/^/# /'
	skip "etcd did not report healthy in 60 s on three port pairs (its log above): the peer, not our client"
else
	drive "$tmp/er" etcd "127.0.0.1:$c" --reads 50
	drive "$tmp/ers" etcd "127.0.0.1:$c" --reads 100 --serializable
	clean_run "$tmp/er" && clean_run "$tmp/ers"
	r=$?
	ok $r "etcd backend, real etcd: $(field "$tmp/er" ok) and $(field "$tmp/ers" ok) ok (serializable), no error"
	[ $r = 0 ] || { sed 's/^/# /' "$tmp/er" "$tmp/ers"; tail -n 5 "$tmp/etcd.log" | sed 's/^/# etcd: /'; }
fi

exit $fail
