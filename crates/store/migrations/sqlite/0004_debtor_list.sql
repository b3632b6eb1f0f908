-- The debtors list's own index: one row per debtor with what the list searches, filters and
-- sorts on, and the debtor's open amounts aged on the snapshot's day. Derived data: rebuilt
-- from debtors and invoices whenever the day changes, refreshed per debtor on every import.
CREATE TABLE debtor_list (
    debtor_id INTEGER PRIMARY KEY REFERENCES debtors(id),
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    code TEXT NOT NULL,
    -- name, code and tax id, lower case and without diacritics, for substring search
    search_key TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    owner_email TEXT,
    group_id INTEGER,
    -- bit i set when aging bucket i (0 = not due … 4 = over 90 days) holds money
    buckets INTEGER NOT NULL DEFAULT 0,
    -- the largest open amount over the debtor's currencies (amounts in different currencies
    -- are never added), and the same for the over-90-days bucket
    open_key INTEGER NOT NULL DEFAULT 0,
    over_90_key INTEGER NOT NULL DEFAULT 0,
    -- the aging lines themselves (JSON, as debtor_aging holds them), for the page's rows
    lines TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX debtor_list_code ON debtor_list (org_id, code);
CREATE INDEX debtor_list_name ON debtor_list (org_id, sort_name);
CREATE INDEX debtor_list_open ON debtor_list (org_id, open_key);
CREATE INDEX debtor_list_over_90 ON debtor_list (org_id, over_90_key);
CREATE INDEX debtor_list_owner ON debtor_list (org_id, owner_email);
CREATE INDEX debtor_list_group ON debtor_list (org_id, group_id);

-- Open amounts per debtor and currency by aging bucket, on the snapshot's day.
CREATE TABLE debtor_aging (
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    currency TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    not_due INTEGER NOT NULL,
    d1_30 INTEGER NOT NULL,
    d31_60 INTEGER NOT NULL,
    d61_90 INTEGER NOT NULL,
    over_90 INTEGER NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (debtor_id, currency)
);
-- No index on org_id alone: SQLite would prefer it to the primary key for a page's few
-- debtors and read every line of the organization.

-- The day the snapshot was aged for, per organization.
CREATE TABLE debtor_list_state (
    org_id INTEGER PRIMARY KEY REFERENCES organizations(id),
    as_of TEXT NOT NULL
);

-- Count and totals of the big one-filter views (everything, one owner, one bucket), so that
-- these pages do not add up every debtor on each request. Rewritten with every refresh.
-- filter_key: '' (no filter), 'owner:<email>', 'bucket:<index>'.
CREATE TABLE debtor_list_cache (
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    filter_key TEXT NOT NULL,
    debtors INTEGER NOT NULL,
    -- JSON list of {"currency", "amounts": [5 buckets, total]}
    totals TEXT NOT NULL,
    PRIMARY KEY (org_id, filter_key)
);

-- Substring search over debtor_list.search_key (rowid = debtor id): a trigram index answers
-- "name, code or CUI contains …" without reading every debtor. PostgreSQL uses LIKE.
CREATE VIRTUAL TABLE debtor_search USING fts5(search_key, tokenize = 'trigram');
