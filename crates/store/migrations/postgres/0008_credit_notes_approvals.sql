-- Credit notes settle the invoice they correct. Mirrors sqlite/0008_credit_notes.sql.
ALTER TABLE invoices ADD COLUMN corrects TEXT;

CREATE TABLE credit_allocations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    credit_note_id BIGINT NOT NULL REFERENCES invoices(id),
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    amount BIGINT NOT NULL,
    date DATE NOT NULL,
    UNIQUE (credit_note_id, invoice_id)
);
CREATE INDEX credit_allocations_invoice ON credit_allocations (org_id, invoice_id);

ALTER TABLE actions ADD COLUMN approved_on DATE;
CREATE INDEX actions_approved ON actions (org_id, approved_on);
