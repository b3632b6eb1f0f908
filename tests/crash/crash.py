"""Crash test of the daily run (issue 5): 10,000 debtors are due for a reminder; `creanta run`
is killed with SIGKILL at random moments, 20 times, then run to completion. Every due
communication must reach the real SMTP server on loopback exactly once, except messages
caught inside an SMTP call, which are marked `uncertain` (0 or 1 per kill) and never resent
by themselves.

Usage: crash.py BIN WORKDIR [--debtors N] [--kills K] [--seed S]
"""

import argparse
import collections
import email
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time

DAY = "2025-03-03"  # a Monday: invoices due 2025-02-21 are at their +10 step


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bin")
    p.add_argument("work")
    p.add_argument("--debtors", type=int, default=10_000)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--seed", type=int, default=int(time.time()))
    a = p.parse_args()
    random.seed(a.seed)
    print(f"crash test: {a.debtors} debtors, {a.kills} kills, seed {a.seed}", flush=True)

    data = os.path.join(a.work, "data")
    mail = os.path.join(a.work, "mail")
    port = free_port()
    env = dict(os.environ, CREANTA_DATA_DIR=data, DATABASE_URL="",
               # One connection: a kill can then catch at most one message inside an SMTP call.
               CREANTA_SMTP_URL=f"smtp://127.0.0.1:{port}?tls=none&timeout=2&connections=1",
               CREANTA_MAIL_FROM="facturare@alfa-distributie.ro")
    env.pop("CREANTA_ORG", None)

    def creanta(*args, check=True):
        r = subprocess.run([a.bin, *args], env=env, capture_output=True, text=True)
        if check and r.returncode != 0:
            sys.exit(f"creanta {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
        return r

    files = os.path.join(a.work, "files")
    os.makedirs(files, exist_ok=True)
    debtors = ["code,name,tax_id,language"]
    contacts = ["debtor_code,name,email,role"]
    invoices = ["entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,debtor_code,currency,total"]
    for n in range(a.debtors):
        debtors.append(f"D{n:05},Client Ștefănescu {n} SRL,RO14840784,{'ro' if n % 3 else 'en'}")
        contacts.append(f"D{n:05},Contabil {n},plati{n}@client{n}.ro,finance")
        invoices.append(f"18547290,F,{n:05},2025-01-21,2025-02-21,14840784,D{n:05},RON,{1000 + n}.00")
    creanta("import", "entities", write(os.path.join(files, "e.csv"),
            "tax_id,name,ibans\n18547290,Alfa Distribuție SRL,RO49AAAA1B31007593840000\n"))
    for kind, rows in (("debtors", debtors), ("contacts", contacts), ("invoices", invoices)):
        creanta("import", kind, write(os.path.join(files, f"{kind}.csv"), "\n".join(rows) + "\n"))

    sink = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(__file__), "../../crates/app/tests/smtp/sink.py"),
         "--port", str(port), "--dir", mail],
        stdout=subprocess.PIPE, text=True)
    try:
        if not sink.stdout.readline().startswith("ready"):
            sys.exit("the SMTP sink did not start")
        def received_so_far():
            return len([f for f in os.listdir(mail) if f.endswith(".eml")])

        for k in range(a.kills):
            before = received_so_far()
            run = subprocess.Popen([a.bin, "run", "--date", DAY], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # A third of the kills land anywhere (often while the day is being planned and
            # recorded); the others once this run is sending, at a random moment of it.
            if random.random() < 1 / 3:
                phase = "anywhere"
                time.sleep(random.uniform(0.05, 3.0))
            else:
                phase = "sending"
                deadline = time.time() + 120
                while received_so_far() == before and run.poll() is None and time.time() < deadline:
                    time.sleep(0.02)
                time.sleep(random.uniform(0.0, 3.0))
            run.kill()
            run.wait()
            print(f"  kill {k + 1} ({phase}): {received_so_far()} messages received so far", flush=True)
        creanta("run", "--date", DAY)
        # A message caught in an SMTP call keeps its claim until the lease (2 × timeout + 60 s)
        # runs out; then the next delivery marks it uncertain instead of sending it again.
        time.sleep(65)
        creanta("run", "--date", DAY)
        received = collections.Counter()
        for f in sorted(os.listdir(mail)):
            if f.endswith(".eml"):
                with open(os.path.join(mail, f), "rb") as fh:
                    received[email.message_from_bytes(fh.read())["Message-ID"].strip()] += 1
    finally:
        sink.kill()

    db = sqlite3.connect(os.path.join(data, "creanta.db"))
    rows = db.execute("SELECT message_id, status FROM outbox WHERE kind = 'reminder'").fetchall()
    actions = db.execute("SELECT COUNT(*), COUNT(DISTINCT debtor_id) FROM actions").fetchone()
    status = collections.Counter(s for _, s in rows)
    by_id = dict(rows)
    failures = []
    if len(rows) != a.debtors:
        failures.append(f"{len(rows)} messages queued for {a.debtors} due debtors")
    if actions != (a.debtors, a.debtors):
        failures.append(f"actions recorded: {actions}, expected one per debtor")
    twice = [m for m, n in received.items() if n > 1]
    if twice:
        failures.append(f"{len(twice)} messages received more than once, e.g. {twice[:3]}")
    unknown = [m for m in received if m not in by_id]
    if unknown:
        failures.append(f"{len(unknown)} received messages not in the outbox")
    lost = [m for m, s in by_id.items() if s == "sent" and m not in received]
    if lost:
        failures.append(f"{len(lost)} messages marked sent but never received")
    missing = [m for m, s in by_id.items() if s not in ("sent", "uncertain")]
    if missing:
        failures.append(f"{len(missing)} messages neither sent nor uncertain: {collections.Counter(by_id[m] for m in missing)}")
    uncertain = [m for m, s in by_id.items() if s == "uncertain"]
    if len(uncertain) > a.kills:
        failures.append(f"{len(uncertain)} uncertain messages after {a.kills} kills")
    delivered_uncertain = sum(1 for m in uncertain if m in received)
    print(json.dumps({
        "debtors": a.debtors, "kills": a.kills, "seed": a.seed,
        "outbox": dict(status), "received": sum(received.values()),
        "uncertain": len(uncertain), "uncertain_received": delivered_uncertain,
        "duplicates": len(twice),
    }))
    if failures:
        sys.exit("crash test FAILED:\n  " + "\n  ".join(failures))
    print(f"crash test passed: {status['sent']} sent exactly once, {len(uncertain)} uncertain "
          f"({delivered_uncertain} of them had reached the server), no duplicates")


if __name__ == "__main__":
    main()
