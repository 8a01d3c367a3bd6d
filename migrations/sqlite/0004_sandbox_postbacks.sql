-- Postbacks the sandbox delivers, one in flight per URL, in order.
CREATE TABLE sandbox_postbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    body TEXT NOT NULL,
    checksum TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    delivered_at TEXT,
    failed BOOLEAN NOT NULL DEFAULT FALSE,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX sandbox_postbacks_pending ON sandbox_postbacks (url, id) WHERE delivered_at IS NULL AND failed = FALSE;
