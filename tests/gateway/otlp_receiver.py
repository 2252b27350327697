"""A real HTTP receiver of OTLP/HTTP JSON for the gateway tests: every POST to /v1/traces is
appended (one JSON body per line) to the file given, answered 200; prints its port."""

import http.server
import sys

OUT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        ok = self.path == "/v1/traces" and self.headers.get("content-type") == "application/json"
        if ok:
            with open(OUT, "ab") as f:
                f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200 if ok else 400)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *a):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
