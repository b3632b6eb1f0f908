-- Credit notes settle the invoice they correct (DESIGN.md, "The daily run", point 6: a credit
-- note closes what it credits at once, and reminders about it stop).
ALTER TABLE invoices ADD COLUMN corrects TEXT;

CREATE TABLE credit_allocations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    credit_note_id INTEGER NOT NULL REFERENCES invoices(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    amount INTEGER NOT NULL,
    -- The credit note's issue date: from then on the corrected invoice owes less (interest).
    date TEXT NOT NULL,
    UNIQUE (credit_note_id, invoice_id)
);
CREATE INDEX credit_allocations_invoice ON credit_allocations (org_id, invoice_id);

-- The day a manager approved a step whose message is written then: that message is the
-- debtor's one communication of that day.
ALTER TABLE actions ADD COLUMN approved_on TEXT;
CREATE INDEX actions_approved ON actions (org_id, approved_on);
