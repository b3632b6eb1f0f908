-- The action calendar (DESIGN.md, "The daily run"). Mirrors sqlite/0007_calendar.sql.

-- Policies: the steps are the domain's JSON, checked by Policy::parse before every write.
CREATE TABLE policies (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    steps TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, code)
);

-- Communication templates edited by the organization; the built-in ones apply otherwise.
CREATE TABLE templates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    code TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, code, language)
);

ALTER TABLE contracts ADD COLUMN policy TEXT;
ALTER TABLE invoices ADD COLUMN policy TEXT;

-- One step for one debtor on one day. `key` is debtor:policy:step:date, so that running the
-- same date twice (or in several processes at once) records each action once.
CREATE TABLE actions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    key TEXT NOT NULL,
    debtor_id BIGINT NOT NULL REFERENCES debtors(id),
    run_date DATE NOT NULL,
    policy TEXT NOT NULL,
    step TEXT NOT NULL,
    step_offset BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'call', 'letter', 'escalate', 'internal_alert')),
    -- open: a task for a person; awaiting_approval: nothing goes out before a manager says so;
    -- done: sent to the outbox, or the task was done; cancelled: no longer applies.
    status TEXT NOT NULL CHECK (status IN ('open', 'awaiting_approval', 'done', 'cancelled')),
    outbox_id BIGINT REFERENCES outbox(id),
    owner_email TEXT,
    reason TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    closed_by TEXT,
    outcome TEXT,
    cancelled_reason TEXT,
    UNIQUE (org_id, key)
);
CREATE INDEX actions_debtor ON actions (org_id, debtor_id, run_date);
CREATE INDEX actions_status ON actions (org_id, status);

-- The invoices an action is about, each with the step it was at: "step done for the invoice".
CREATE TABLE action_invoices (
    action_id BIGINT NOT NULL REFERENCES actions(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    step TEXT NOT NULL,
    PRIMARY KEY (action_id, invoice_id)
);
CREATE INDEX action_invoices_invoice ON action_invoices (org_id, invoice_id);

-- Objections on an invoice; an open one pauses the calendar for it. `reason` is the
-- taxonomy of DESIGN.md ("Words").
CREATE TABLE disputes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    reason TEXT NOT NULL,
    note TEXT,
    opened_at TIMESTAMPTZ NOT NULL,
    opened_by TEXT NOT NULL,
    resolved_at TIMESTAMPTZ,
    resolved_by TEXT,
    resolution TEXT
);
CREATE INDEX disputes_invoice ON disputes (org_id, invoice_id);

-- Promises to pay: the debtor's invoices (or the one named) wait until `promised_for`.
CREATE TABLE promises (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    debtor_id BIGINT NOT NULL REFERENCES debtors(id),
    invoice_id BIGINT REFERENCES invoices(id),
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    promised_for DATE NOT NULL,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    cancelled_at TIMESTAMPTZ
);
CREATE INDEX promises_debtor ON promises (org_id, debtor_id);

-- Pauses, exclusions and partner hand-offs, for a debtor or one of its invoices.
CREATE TABLE holds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    debtor_id BIGINT NOT NULL REFERENCES debtors(id),
    invoice_id BIGINT REFERENCES invoices(id),
    kind TEXT NOT NULL CHECK (kind IN ('paused', 'excluded', 'partner')),
    until DATE,
    partner TEXT,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    released_at TIMESTAMPTZ,
    released_by TEXT
);
CREATE INDEX holds_debtor ON holds (org_id, debtor_id);

-- Rate histories: the BNR reference rate ('bnr_reference', percent per year) and exchange
-- rates ('fx_EUR': RON per EUR …), each value from its date on. Decimal text, read with
-- rust_decimal: never a float.
CREATE TABLE rates (
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    effective_from DATE NOT NULL,
    value TEXT NOT NULL,
    source TEXT,
    PRIMARY KEY (org_id, kind, effective_from)
);
