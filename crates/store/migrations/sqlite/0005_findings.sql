-- The pre-flight check (issue 4). One row per checked invoice, with its open counts, so that
-- delivery and the lists ask one indexed row instead of counting findings.
CREATE TABLE invoice_checks (
    invoice_id INTEGER PRIMARY KEY REFERENCES invoices(id),
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    checked_at TEXT NOT NULL,
    open_errors INTEGER NOT NULL,
    open_warnings INTEGER NOT NULL
);
CREATE INDEX invoice_checks_org ON invoice_checks (org_id, open_errors);

-- Every finding ever opened. A finding is closed (never deleted) when a later check no
-- longer finds it; the same problem found again after that is a new row. `detail` is the
-- domain's JSON description, from which the message and fix are written in either language.
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
    field TEXT NOT NULL,
    detail TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX findings_invoice ON findings (org_id, invoice_id);
CREATE INDEX findings_open ON findings (org_id, code) WHERE closed_at IS NULL;

-- The totals of an e-invoice (JSON), which the amount rules (BR-CO-10/13/15/16) compare.
ALTER TABLE invoices ADD COLUMN ubl_totals TEXT;
