"""A real SMTP server on loopback for the delivery tests (aiosmtpd).

Every accepted message is saved in --dir as NNNN.eml (the bytes received) and NNNN.json
(envelope: mail_from, rcpt_tos), each written to a temporary name and renamed, so a reader
never sees half a file. --fail-first N answers --fail-code (451 by default) to the DATA of
the first N messages. Prints "ready PORT" once it accepts connections; runs until killed.
"""

import argparse
import json
import os
import signal
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, fail_first, fail_code):
        self.out = out
        self.fail_first = fail_first
        self.fail_code = fail_code
        self.refused = 0
        self.accepted = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refused < self.fail_first:
                self.refused += 1
                if self.fail_code.startswith("5"):
                    return f"{self.fail_code} 5.7.1 Message refused by the test server"
                return f"{self.fail_code} 4.3.0 Try again later (test server)"
            self.accepted += 1
            n = self.accepted
        base = os.path.join(self.out, f"{n:04d}")
        for ext, data in (
            (".eml", envelope.original_content or envelope.content),
            (
                ".json",
                json.dumps(
                    {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}
                ).encode(),
            ),
        ):
            tmp = base + ext + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, base + ext)
        return f"250 2.0.0 Ok: queued as TEST{n:04d}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--fail-code", default="451")
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    controller = Controller(
        Sink(a.dir, a.fail_first, a.fail_code), hostname="127.0.0.1", port=a.port
    )
    controller.start()
    print(f"ready {a.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
