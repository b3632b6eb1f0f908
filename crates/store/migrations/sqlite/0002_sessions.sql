-- Browser sessions and login throttling. The cookie holds a random token; only its SHA-256
-- is stored, so a copy of the database does not let anyone in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Unix seconds: compared as numbers on both backends.
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (org_id, user_id);

-- Failed logins by email, for the rate limit and lock-out.
CREATE TABLE login_failures (
    email TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
