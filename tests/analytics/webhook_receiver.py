"""A real HTTP receiver standing in for a Slack incoming webhook: every POST to PATH is
appended (one JSON body per line, with the attempt's answer) to the file given. The first
FAIL requests are answered 500, the next one 429 with Retry-After: 1, then 200; prints its
port."""

import http.server
import json
import sys

OUT, PATH, FAIL = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        seen += 1
        if self.path != PATH or self.headers.get("content-type") != "application/json":
            code = 404
        elif seen <= FAIL:
            code = 500
        elif seen == FAIL + 1:
            code = 429
        else:
            code = 200
        with open(OUT, "a") as f:
            f.write(json.dumps({"code": code, "body": json.loads(body or b"null")}) + "\n")
        self.send_response(code)
        if code == 429:
            self.send_header("retry-after", "1")
        self.send_header("content-type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if code == 200 else b"no")

    def log_message(self, *a):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
