-- The built-in Hotsign simulator's OAuth grants: authorization codes (15
-- seconds, used once), access tokens (1 hour) and refresh tokens (24 hours,
-- replaced on use), as Hotsign's overview states them.
CREATE TABLE sandbox_hotsign_grants (
    token TEXT PRIMARY KEY,
    -- code, access or refresh
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    redirect_uri TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
