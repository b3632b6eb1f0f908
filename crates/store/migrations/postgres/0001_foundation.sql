-- Foundation schema (PostgreSQL). Mirrors sqlite/0001_foundation.sql; dates are DATE,
-- timestamps TIMESTAMPTZ, money BIGINT minor units.
CREATE TABLE organizations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    time_zone TEXT NOT NULL DEFAULT 'Europe/Bucharest',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'collector', 'partner')),
    language TEXT NOT NULL DEFAULT 'ro',
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, email)
);

CREATE TABLE entities (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    tax_id TEXT NOT NULL,
    tax_id_valid BOOLEAN NOT NULL,
    name TEXT NOT NULL,
    registration_no TEXT,
    address TEXT,
    city TEXT,
    country TEXT,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, tax_id)
);

CREATE TABLE entity_accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    entity_id BIGINT NOT NULL REFERENCES entities(id),
    iban TEXT NOT NULL,
    UNIQUE (org_id, iban)
);

CREATE TABLE debtor_groups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE debtors (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    tax_id TEXT NOT NULL,
    tax_id_valid BOOLEAN NOT NULL,
    registration_no TEXT,
    group_id BIGINT REFERENCES debtor_groups(id),
    country TEXT,
    city TEXT,
    address TEXT,
    language TEXT NOT NULL DEFAULT 'ro',
    owner_email TEXT,
    policy TEXT,
    payment_terms_days BIGINT,
    requires_po BOOLEAN NOT NULL DEFAULT FALSE,
    required_mention TEXT,
    required_documents TEXT NOT NULL DEFAULT '',
    requires_confirmation BOOLEAN NOT NULL DEFAULT FALSE,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, code)
);
CREATE INDEX debtors_tax_id ON debtors (org_id, tax_id);
CREATE INDEX debtors_group ON debtors (org_id, group_id);

CREATE TABLE contacts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    debtor_id BIGINT NOT NULL REFERENCES debtors(id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('finance', 'purchasing', 'management', 'legal', 'general')),
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, debtor_id, name)
);

CREATE TABLE contracts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    debtor_id BIGINT NOT NULL REFERENCES debtors(id),
    entity_id BIGINT NOT NULL REFERENCES entities(id),
    number TEXT NOT NULL,
    signed_on DATE,
    valid_from DATE,
    valid_until DATE,
    payment_terms_days BIGINT,
    currency TEXT,
    penalty_rate_per_day TEXT,
    requires_po BOOLEAN NOT NULL DEFAULT FALSE,
    required_mention TEXT,
    required_documents TEXT NOT NULL DEFAULT '',
    requires_confirmation BOOLEAN NOT NULL DEFAULT FALSE,
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, entity_id, number)
);
CREATE INDEX contracts_debtor ON contracts (org_id, debtor_id);

CREATE TABLE invoices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    entity_id BIGINT NOT NULL REFERENCES entities(id),
    debtor_id BIGINT NOT NULL REFERENCES debtors(id),
    contract_id BIGINT REFERENCES contracts(id),
    series TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    match_key TEXT NOT NULL,
    -- '' for invoices from tables (mutable records); the SHA-256 of the XML for e-invoices,
    -- which are immutable documents: a different document with the same number is a second
    -- invoice (the check reports it as duplicate_number), never an edit of the first.
    doc_key TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    issue_date DATE NOT NULL,
    due_date DATE NOT NULL,
    currency TEXT NOT NULL,
    total BIGINT NOT NULL,
    paid BIGINT NOT NULL DEFAULT 0,
    buyer_tax_id TEXT NOT NULL,
    buyer_name TEXT,
    po_number TEXT,
    contract_number TEXT,
    mentions TEXT,
    iban TEXT,
    sent_to TEXT,
    sent_on DATE,
    source TEXT NOT NULL,
    injected_errors TEXT NOT NULL DEFAULT '',
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, entity_id, series, number, doc_key)
);
CREATE INDEX invoices_debtor ON invoices (org_id, debtor_id, due_date);
CREATE INDEX invoices_due ON invoices (org_id, due_date);
CREATE INDEX invoices_match ON invoices (org_id, match_key);

CREATE TABLE payments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    transaction_id TEXT NOT NULL,
    date DATE NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    payer_name TEXT,
    payer_tax_id TEXT,
    payer_iban TEXT,
    reference TEXT,
    invoice_number TEXT,
    debtor_id BIGINT REFERENCES debtors(id),
    attrs TEXT NOT NULL DEFAULT '{}',
    UNIQUE (org_id, transaction_id)
);
CREATE INDEX payments_debtor ON payments (org_id, debtor_id);

CREATE TABLE allocations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    payment_id BIGINT NOT NULL REFERENCES payments(id),
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    amount BIGINT NOT NULL,
    UNIQUE (payment_id, invoice_id)
);
CREATE INDEX allocations_invoice ON allocations (org_id, invoice_id);

CREATE TABLE blobs (
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    PRIMARY KEY (org_id, sha256)
);

CREATE TABLE documents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    sha256 TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    debtor_id BIGINT REFERENCES debtors(id),
    invoice_id BIGINT REFERENCES invoices(id),
    contract_id BIGINT REFERENCES contracts(id),
    link_key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (org_id, sha256, doc_type, link_key)
);
CREATE INDEX documents_invoice ON documents (org_id, invoice_id);
CREATE INDEX documents_debtor ON documents (org_id, debtor_id);

-- Append-only activity log. Each row's hash covers its content and the previous row's
-- hash, so any later edit or deletion breaks the chain and shows.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    seq BIGINT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX events_subject ON events (org_id, subject_type, subject_id);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION events_append_only();
