-- The mail outbox (DESIGN.md, "The daily run", point 5). A message is queued once per
-- idempotency key, claimed by one sender (status 'sending' with a lease), then recorded as
-- sent with the SMTP answer. A message found 'sending' after its lease ran out was caught in
-- the SMTP call by a crash: it becomes 'uncertain' and is resent only by a person, with the
-- same Message-ID. Times the sender compares (next_attempt_at, lease_until) are Unix seconds,
-- so that both backends order them as numbers.
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    idempotency_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'reminder', 'notice', 'statement', 'other')),
    debtor_id BIGINT REFERENCES debtors(id),
    from_addr TEXT NOT NULL,
    reply_to TEXT,
    -- JSON list of mailboxes ("Name <a@b.ro>").
    to_addrs TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    -- JSON list of {document_id, sha256, file_name, media_type}; the bytes are blobs.
    attachments TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain', 'cancelled')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    -- 'smtp' or 'file': how the last claim meant to deliver it.
    transport TEXT,
    smtp_response TEXT,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    cancelled_reason TEXT,
    UNIQUE (org_id, idempotency_key)
);
CREATE INDEX outbox_due ON outbox (org_id, status, next_attempt_at);
CREATE INDEX outbox_debtor ON outbox (org_id, debtor_id);

-- The invoices a message is about: re-checked just before sending (a message whose
-- invoices were all paid meanwhile is cancelled), and how delivery knows what went out.
CREATE TABLE outbox_invoices (
    outbox_id BIGINT NOT NULL REFERENCES outbox(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    PRIMARY KEY (outbox_id, invoice_id)
);
CREATE INDEX outbox_invoices_invoice ON outbox_invoices (org_id, invoice_id);

-- A manager's decision to deliver an invoice despite open errors of the check.
CREATE TABLE delivery_overrides (
    invoice_id BIGINT PRIMARY KEY REFERENCES invoices(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    decided_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX delivery_overrides_org ON delivery_overrides (org_id);
