#!/usr/bin/env python3
"""A fake Telegram Bot API server for the tests: it speaks the real
protocol (POST /bot<TOKEN>/sendMessage, form or JSON body; JSON answers
{"ok": true, "result": {...}} or {"ok": false, "error_code": N,
"description": "...", "parameters": {"retry_after": S}}), checks the
MarkdownV2 text the way Telegram does (a reserved character that is not
escaped, or an unclosed entity, is "400 Bad Request: can't parse
entities"), and records every request it answered.

    fake-botapi.py --port-file F --log L [--token T] [--host 127.0.0.1]

Each request is one JSON line in L: {"n", "t", "path", "chat_id",
"parse_mode", "text" (as sent), "plain" (the text as the chat shows it,
or null if it did not parse), "status"}.

It is told how to answer by POST /control with a form body:
    mode=ok | 429 | 500 | 400 | hang | close    (default ok)
    retry_after=S       (with 429; default 1)
    count=N             (the mode holds for the next N sendMessage calls,
                         then ok again; default: until changed)
GET /control answers the counters as JSON: "n" requests answered,
"hanging" requests held by mode=hang right now.
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RESERVED = set("_*[]()~`>#+-=|{}.!")
PAIRS = {"*": "bold", "_": "italic", "__": "underline", "~": "strike",
         "||": "spoiler"}


def parse_markdown_v2(text):
    """The text as Telegram would show it, or raise ValueError with
    Telegram's reason.  Supports what a notifier needs: escapes, *bold*,
    _italic_, __underline__, ~strike~, ||spoiler||, `code`; links and
    pre blocks are refused (never sent by v2ray-stat)."""
    out = []
    open_ent = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                raise ValueError("can't parse entities: Can't find end of "
                                 "the entity starting at byte offset %d" % i)
            nxt = text[i + 1]
            if ord(nxt) > 126 or not (0x21 <= ord(nxt) <= 0x7e):
                # Telegram allows escaping any char 1..126
                pass
            out.append(nxt)
            i += 2
            continue
        if c in ("*", "~"):
            tok = c
        elif c == "_":
            tok = "__" if text.startswith("__", i) else "_"
        elif c == "|" and text.startswith("||", i):
            tok = "||"
        elif c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise ValueError("can't parse entities: Can't find end of "
                                 "Code entity at byte offset %d" % i)
            out.append(text[i + 1:j])
            i = j + 1
            continue
        elif c in RESERVED:
            raise ValueError("can't parse entities: Character '%s' is "
                             "reserved and must be escaped with the "
                             "preceding '\\'" % c)
        else:
            out.append(c)
            i += 1
            continue
        if open_ent and open_ent[-1] == tok:
            open_ent.pop()
        elif tok in open_ent:
            raise ValueError("can't parse entities: Can't find end of %s "
                             "entity" % PAIRS[tok])
        else:
            open_ent.append(tok)
        i += len(tok)
    if open_ent:
        raise ValueError("can't parse entities: Can't find end of %s "
                         "entity" % PAIRS[open_ent[-1]].capitalize())
    return "".join(out)


class State:
    def __init__(self, log, token):
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        self.mode = "ok"
        self.retry_after = 1
        self.count = None
        self.n = 0
        self.gen = 0
        self.log = log
        self.token = token
        self.msg_id = 0
        self.hanging = 0

    def take_mode(self):
        with self.lock:
            mode, ra = self.mode, self.retry_after
            if self.count is not None:
                self.count -= 1
                if self.count <= 0:
                    self.mode, self.count = "ok", None
            return mode, ra, self.gen


STATE = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_form(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0]
        if ctype == "application/json":
            try:
                return {k: str(v) for k, v in json.loads(raw).items()}
            except Exception:
                return None
        q = urllib.parse.parse_qs(raw.decode("utf-8", "replace"),
                                  keep_blank_values=True)
        form = {k: v[-1] for k, v in q.items()}
        url = urllib.parse.urlparse(self.path)
        for k, v in urllib.parse.parse_qs(url.query).items():
            form.setdefault(k, v[-1])
        return form

    def do_GET(self):
        if self.path.startswith("/control"):
            with STATE.lock:
                self.answer(200, {"mode": STATE.mode, "n": STATE.n,
                                  "hanging": STATE.hanging})
            return
        self.answer(404, {"ok": False, "error_code": 404,
                          "description": "Not Found"})

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path
        form = self.read_form()
        if path == "/control":
            with STATE.lock:
                STATE.mode = form.get("mode", "ok")
                STATE.retry_after = int(form.get("retry_after", "1"))
                STATE.count = (int(form["count"]) if "count" in form
                               else None)
                STATE.gen += 1
                STATE.cond.notify_all()
            self.answer(200, {"ok": True})
            return
        parts = path.split("/")
        if len(parts) != 3 or not parts[1].startswith("bot") or \
                parts[2] != "sendMessage":
            self.answer(404, {"ok": False, "error_code": 404,
                              "description": "Not Found"})
            return
        mode, retry_after, gen = STATE.take_mode()
        if mode == "hang":
            with STATE.lock:
                STATE.hanging += 1
                STATE.cond.wait_for(lambda: STATE.gen != gen, timeout=3600)
                STATE.hanging -= 1
            mode = "ok"
        if mode == "close":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if form is None:
            form = {}
        text = form.get("text", "")
        plain, err = None, None
        status, obj = 200, None
        if STATE.token is not None and parts[1] != "bot" + STATE.token:
            status, obj = 401, {"ok": False, "error_code": 401,
                                "description": "Unauthorized"}
        elif mode == "429":
            status, obj = 429, {
                "ok": False, "error_code": 429,
                "description": "Too Many Requests: retry after %d"
                % retry_after,
                "parameters": {"retry_after": retry_after}}
        elif mode == "500":
            status, obj = 500, {"ok": False, "error_code": 500,
                                "description": "Internal Server Error"}
        elif mode == "400":
            status, obj = 400, {"ok": False, "error_code": 400,
                                "description": "Bad Request: chat not "
                                "found"}
        elif not form.get("chat_id"):
            status, obj = 400, {"ok": False, "error_code": 400,
                                "description": "Bad Request: chat_id is "
                                "empty"}
        elif not text:
            status, obj = 400, {"ok": False, "error_code": 400,
                                "description": "Bad Request: message text "
                                "is empty"}
        else:
            try:
                if form.get("parse_mode", "") == "MarkdownV2":
                    plain = parse_markdown_v2(text)
                else:
                    plain = text
            except ValueError as e:
                err = str(e)
            if err is not None:
                status, obj = 400, {"ok": False, "error_code": 400,
                                    "description": "Bad Request: " + err}
            elif len(plain) > 4096:
                status, obj = 400, {"ok": False, "error_code": 400,
                                    "description": "Bad Request: message "
                                    "is too long"}
        with STATE.lock:
            STATE.n += 1
            if status == 200:
                STATE.msg_id += 1
                obj = {"ok": True, "result": {
                    "message_id": STATE.msg_id, "date": int(time.time()),
                    "chat": {"id": form.get("chat_id")}, "text": plain}}
            rec = {"n": STATE.n, "t": time.time(), "path": path,
                   "chat_id": form.get("chat_id"),
                   "parse_mode": form.get("parse_mode"), "text": text,
                   "plain": plain, "status": status}
            with open(STATE.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
        self.answer(status, obj)


def main():
    global STATE
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log", required=True)
    ap.add_argument("--token")
    a = ap.parse_args()
    STATE = State(a.log, a.token)
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
