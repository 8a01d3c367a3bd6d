-- The built-in Signhost sandbox keeps its state here.
CREATE TABLE sandbox_transactions (
    id TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    purged BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sandbox_files (
    transaction_id TEXT NOT NULL REFERENCES sandbox_transactions (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL,
    meta TEXT,
    content BYTEA,
    signed BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (transaction_id, file_id)
);

CREATE TABLE sandbox_sign_links (
    token TEXT PRIMARY KEY,
    transaction_id TEXT NOT NULL REFERENCES sandbox_transactions (id) ON DELETE CASCADE,
    signer_id TEXT NOT NULL
);
