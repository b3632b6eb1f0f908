-- Foundation schema (SQLite). Mirrors postgres/0001_foundation.sql; dates are ISO text,
-- timestamps RFC 3339 text, booleans 0/1, money INTEGER minor units.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    time_zone TEXT NOT NULL DEFAULT 'Europe/Bucharest',
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'collector', 'partner')),
    language TEXT NOT NULL DEFAULT 'ro',
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, email)
);

CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    tax_id TEXT NOT NULL,
    tax_id_valid INTEGER NOT NULL,
    name TEXT NOT NULL,
    registration_no TEXT,
    address TEXT,
    city TEXT,
    country TEXT,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, tax_id)
);

CREATE TABLE entity_accounts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    iban TEXT NOT NULL,
    UNIQUE (org_id, iban)
);

CREATE TABLE debtor_groups (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE debtors (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    tax_id TEXT NOT NULL,
    tax_id_valid INTEGER NOT NULL,
    registration_no TEXT,
    group_id INTEGER REFERENCES debtor_groups(id),
    country TEXT,
    city TEXT,
    address TEXT,
    language TEXT NOT NULL DEFAULT 'ro',
    owner_email TEXT,
    policy TEXT,
    payment_terms_days INTEGER,
    requires_po INTEGER NOT NULL DEFAULT 0,
    required_mention TEXT,
    required_documents TEXT NOT NULL DEFAULT '',
    requires_confirmation INTEGER NOT NULL DEFAULT 0,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, code)
);
CREATE INDEX debtors_tax_id ON debtors (org_id, tax_id);
CREATE INDEX debtors_group ON debtors (org_id, group_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('finance', 'purchasing', 'management', 'legal', 'general')),
    is_primary INTEGER NOT NULL DEFAULT 0,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, debtor_id, name)
);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    number TEXT NOT NULL,
    signed_on TEXT,
    valid_from TEXT,
    valid_until TEXT,
    payment_terms_days INTEGER,
    currency TEXT,
    penalty_rate_per_day TEXT,
    requires_po INTEGER NOT NULL DEFAULT 0,
    required_mention TEXT,
    required_documents TEXT NOT NULL DEFAULT '',
    requires_confirmation INTEGER NOT NULL DEFAULT 0,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, entity_id, number)
);
CREATE INDEX contracts_debtor ON contracts (org_id, debtor_id);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    contract_id INTEGER REFERENCES contracts(id),
    series TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    match_key TEXT NOT NULL,
    -- '' for invoices from tables (mutable records); the SHA-256 of the XML for e-invoices,
    -- which are immutable documents: a different document with the same number is a second
    -- invoice (the check reports it as duplicate_number), never an edit of the first.
    doc_key TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    total INTEGER NOT NULL,
    paid INTEGER NOT NULL DEFAULT 0,
    buyer_tax_id TEXT NOT NULL,
    buyer_name TEXT,
    po_number TEXT,
    contract_number TEXT,
    mentions TEXT,
    iban TEXT,
    sent_to TEXT,
    sent_on TEXT,
    source TEXT NOT NULL,
    injected_errors TEXT NOT NULL DEFAULT '',
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, entity_id, series, number, doc_key)
);
CREATE INDEX invoices_debtor ON invoices (org_id, debtor_id, due_date);
CREATE INDEX invoices_due ON invoices (org_id, due_date);
CREATE INDEX invoices_match ON invoices (org_id, match_key);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    transaction_id TEXT NOT NULL,
    date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    payer_name TEXT,
    payer_tax_id TEXT,
    payer_iban TEXT,
    reference TEXT,
    invoice_number TEXT,
    debtor_id INTEGER REFERENCES debtors(id),
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, transaction_id)
);
CREATE INDEX payments_debtor ON payments (org_id, debtor_id);

CREATE TABLE allocations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    amount INTEGER NOT NULL,
    UNIQUE (payment_id, invoice_id)
);
CREATE INDEX allocations_invoice ON allocations (org_id, invoice_id);

CREATE TABLE blobs (
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (org_id, sha256)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    sha256 TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    debtor_id INTEGER REFERENCES debtors(id),
    invoice_id INTEGER REFERENCES invoices(id),
    contract_id INTEGER REFERENCES contracts(id),
    link_key TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (org_id, sha256, doc_type, link_key)
);
CREATE INDEX documents_invoice ON documents (org_id, invoice_id);
CREATE INDEX documents_debtor ON documents (org_id, debtor_id);

-- Append-only activity log. Each row's hash covers its content and the previous row's
-- hash, so any later edit or deletion breaks the chain and shows.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    seq INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id INTEGER,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX events_subject ON events (org_id, subject_type, subject_id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
