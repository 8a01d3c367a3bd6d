-- The portal's one connection to a Hotsign account (three-legged OAuth).
-- The tokens are sealed (XChaCha20-Poly1305) with the installation's key:
-- the database alone does not reveal them.
CREATE TABLE hotsign_connection (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    account TEXT NOT NULL,
    access_sealed TEXT NOT NULL,
    refresh_sealed TEXT NOT NULL,
    access_expires_at TIMESTAMPTZ NOT NULL,
    refresh_expires_at TIMESTAMPTZ NOT NULL,
    connected_by BIGINT REFERENCES users (id),
    connected_at TIMESTAMPTZ NOT NULL
);
