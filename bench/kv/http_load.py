#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# http_load.py: the thin adapter that drives etcd for bench/kv/peers.sh,
# as "smpkit-kv load --window" drives our nodes: W requests in flight
# (one thread and one keep-alive connection each, spread over the
# members), closed loop for SEC seconds over K keys, each request timed
# from its own start. Talks to etcd's JSON gateway (/v3/kv/put,
# /v3/kv/range); --serializable reads any member's copy instead of a
# linearizable read. Prints "ops/s p50_us p99_us errors".
#   http_load.py put|get HOST:PORT,... [--window W] [--seconds SEC]
#                [--keys K] [--serializable]
import argparse
import base64
import http.client
import json
import random
import threading
import time


def b64(s):
    return base64.b64encode(s.encode()).decode()


def worker(op, host, stop, keys, serializable, lat, errs, seed):
    h, p = host.split(':')
    conn = http.client.HTTPConnection(h, int(p), timeout=5)
    rnd = random.Random(seed)
    i = 0
    while time.monotonic() < stop:
        k = b64('bench:%d' % rnd.randrange(keys))
        if op == 'put':
            path, body = '/v3/kv/put', {'key': k, 'value': b64('v%d' % i)}
        else:
            path, body = '/v3/kv/range', {'key': k}
            if serializable:
                body['serializable'] = True
        t = time.monotonic()
        try:
            conn.request('POST', path, json.dumps(body),
                         {'Content-Type': 'application/json'})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                errs.append(1)
                continue
        except (OSError, http.client.HTTPException):
            errs.append(1)
            conn = http.client.HTTPConnection(h, int(p), timeout=5)
            continue
        lat.append(time.monotonic() - t)
        i += 1


def main():
    a = argparse.ArgumentParser()
    a.add_argument('op', choices=['put', 'get'])
    a.add_argument('hosts')
    a.add_argument('--window', type=int, default=16)
    a.add_argument('--seconds', type=float, default=3)
    a.add_argument('--keys', type=int, default=1000)
    a.add_argument('--serializable', action='store_true')
    o = a.parse_args()
    hosts = o.hosts.split(',')
    lat, errs = [], []
    t0 = time.monotonic()
    stop = t0 + o.seconds
    th = [threading.Thread(target=worker,
                           args=(o.op, hosts[i % len(hosts)], stop, o.keys,
                                 o.serializable, lat, errs, i))
          for i in range(o.window)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    secs = time.monotonic() - t0
    lat.sort()
    if not lat:
        print('0 0 0 %d' % len(errs))
        return
    q = lambda f: int(lat[min(len(lat) - 1, int(len(lat) * f))] * 1e6)
    print('%d %d %d %d' % (len(lat) / secs, q(0.5), q(0.99), len(errs)))


main()
