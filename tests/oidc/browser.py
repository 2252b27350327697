"""The person at the browser, for the tests: opens a URL of the test OpenID provider and
fills in its own pages (the user code, the login, the consent, the device confirmation) the
way a person would, following every redirect, including the last one to pc-hybrid's
loopback callback. Standard library only.

Usage: python3 tests/oidc/browser.py URL [--user LOGIN] [--abort] [--user-code CODE]
Prints the last URL it reached and exits 0, or prints why it stopped and exits 1.
"""

import argparse
import html.parser
import http.cookiejar
import sys
import urllib.error
import urllib.parse
import urllib.request


class Forms(html.parser.HTMLParser):
    """The forms of a page: their action, method, fields, and the submit buttons that name
    them (oidc-provider puts its buttons outside the form, with `form=`)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.buttons = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {
                "id": a.get("id"),
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "fields": {},
            }
            self.forms.append(self.current)
        elif tag == "input" and self.current is not None and a.get("name"):
            self.current["fields"][a["name"]] = a.get("value", "")
        elif tag == "button":
            self.buttons.append(a)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--user", default="alice")
    p.add_argument("--abort", action="store_true", help="abort at the device confirmation")
    p.add_argument("--user-code", help="type this code into the user code page")
    args = p.parse_args()

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url, data = args.url, None
    aborted = False
    for _ in range(20):
        try:
            with opener.open(urllib.request.Request(url, data=data), timeout=30) as r:
                final = r.geturl()
                body = r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            final = e.geturl()
            body = e.read().decode("utf-8", "replace")
            print(f"{final} answered {e.code}: {body[:300]}")
            sys.exit(1)
        forms = Forms()
        forms.feed(body)
        if not forms.forms or aborted:
            print(final)
            return
        form = forms.forms[0]
        fields = dict(form["fields"])
        if "login" in fields or form["fields"].get("prompt") == "login":
            fields["login"] = args.user
            fields["password"] = "any"
        if "user_code" in fields and not fields["user_code"]:
            fields["user_code"] = args.user_code or ""
        if form.get("id") == "op.deviceConfirmForm" and args.abort:
            fields["abort"] = "yes"
            aborted = True
        url = urllib.parse.urljoin(final, form["action"])
        data = urllib.parse.urlencode(fields).encode()
    print("too many pages")
    sys.exit(1)


if __name__ == "__main__":
    main()
