-- The debtors list's own index: one row per debtor with what the list searches, filters and
-- sorts on, and the debtor's open amounts aged on the snapshot's day. Derived data: rebuilt
-- from debtors and invoices whenever the day changes, refreshed per debtor on every import.
-- Text sorts by bytes (COLLATE "C"), as on SQLite, so both backends page the same way.
CREATE TABLE debtor_list (
    debtor_id BIGINT PRIMARY KEY REFERENCES debtors(id),
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    code TEXT COLLATE "C" NOT NULL,
    -- name, code and tax id, lower case and without diacritics, for substring search
    search_key TEXT NOT NULL,
    sort_name TEXT COLLATE "C" NOT NULL,
    owner_email TEXT,
    group_id BIGINT,
    -- bit i set when aging bucket i (0 = not due … 4 = over 90 days) holds money
    buckets BIGINT NOT NULL DEFAULT 0,
    -- the largest open amount over the debtor's currencies (amounts in different currencies
    -- are never added), and the same for the over-90-days bucket
    open_key BIGINT NOT NULL DEFAULT 0,
    over_90_key BIGINT NOT NULL DEFAULT 0,
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
    debtor_id BIGINT NOT NULL REFERENCES debtors(id),
    currency TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    not_due BIGINT NOT NULL,
    d1_30 BIGINT NOT NULL,
    d31_60 BIGINT NOT NULL,
    d61_90 BIGINT NOT NULL,
    over_90 BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (debtor_id, currency)
);
-- No index on org_id alone: SQLite would prefer it to the primary key for a page's few
-- debtors and read every line of the organization.

-- The day the snapshot was aged for, per organization.
CREATE TABLE debtor_list_state (
    org_id BIGINT PRIMARY KEY REFERENCES organizations(id),
    as_of DATE NOT NULL
);

-- Count and totals of the big one-filter views (everything, one owner, one bucket), so that
-- these pages do not add up every debtor on each request. Rewritten with every refresh.
-- filter_key: '' (no filter), 'owner:<email>', 'bucket:<index>'.
CREATE TABLE debtor_list_cache (
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    filter_key TEXT NOT NULL,
    debtors BIGINT NOT NULL,
    -- JSON list of {"currency", "amounts": [5 buckets, total]}
    totals TEXT NOT NULL,
    PRIMARY KEY (org_id, filter_key)
);
