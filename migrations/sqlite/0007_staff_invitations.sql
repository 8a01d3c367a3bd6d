-- One-time links with which a staff member chooses their own password
-- (a new account, or a forgotten password). Only the token's SHA-256 is kept.
CREATE TABLE staff_invitations (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX staff_invitations_user ON staff_invitations (user_id);
