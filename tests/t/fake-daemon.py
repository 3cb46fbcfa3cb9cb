#!/usr/bin/env python3
# fake-daemon.py - the part of mmstormd that `mmstorm verdict --runs` talks
# to, over a unix socket, with runs that come from files instead of a
# workload: each run a job asks for is the next file of QUEUE_DIR (sorted
# by name, `mmstorm export` of one run) imported into DB.  Every job's
# repeat count is appended to LOG, one line each.  No workload runs, so
# tests of verdict's sequential testing need no machine lock.
#
#   fake-daemon.py SOCKET DB QUEUE_DIR LOG
import json
import os
import socketserver
import subprocess
import sys
from http.server import BaseHTTPRequestHandler

SOCKET, DB, QUEUE, LOG = sys.argv[1:5]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    # BaseHTTPRequestHandler wants an address pair; a unix socket has none.
    def address_string(self):
        return "unix"

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/v1/status":
            self.reply(200, {"current": None, "queue": 0})
        elif self.path.startswith("/v1/jobs/"):
            self.reply(200, {"job": self.path[9:], "state": "done"})
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        jobs = json.loads(self.rfile.read(n))
        repeat = sum(int(j.get("repeat", 1)) for j in jobs)
        with open(LOG, "a") as f:
            f.write("%d\n" % repeat)
        files = sorted(os.listdir(QUEUE))
        if len(files) < repeat:
            self.reply(503, {"error": "no more runs in the queue"})
            return
        for name in files[:repeat]:
            path = os.path.join(QUEUE, name)
            subprocess.run(["mmstorm", "--db", DB, "import", path],
                           check=True, stdout=subprocess.DEVNULL)
            os.unlink(path)
        self.reply(201, [{"job": "job-%d" % i} for i in range(len(jobs))])


class Server(socketserver.UnixStreamServer):
    def get_request(self):
        request, _ = super().get_request()
        return request, ("unix", 0)


if os.path.exists(SOCKET):
    os.unlink(SOCKET)
Server(SOCKET, Handler).serve_forever()
