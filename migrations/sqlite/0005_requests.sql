-- Signing requests: drafts staff prepare, then the request as sent.
CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    flow TEXT NOT NULL DEFAULT 'invite',
    language TEXT NOT NULL DEFAULT 'nl-NL',
    days_to_expire BIGINT NOT NULL DEFAULT 30,
    remind_days BIGINT NOT NULL DEFAULT 7,
    sequential BOOLEAN NOT NULL DEFAULT FALSE,
    notify_sender BOOLEAN NOT NULL DEFAULT TRUE,
    -- Signers and receivers as edited (JSON lists, in order).
    signers TEXT NOT NULL DEFAULT '[]',
    receivers TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'draft',
    failure TEXT,
    signhost_id TEXT,
    -- The create request sent to Signhost, to notice a draft changed after a failure.
    sent_transaction TEXT,
    started_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX requests_owner ON requests (owner_id, id);
CREATE UNIQUE INDEX requests_signhost_id ON requests (signhost_id);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    -- [{"width":…,"height":…,"rotate":…}] as displayed, in points.
    pages TEXT NOT NULL,
    -- [{"signer":1,"page":2,"text":"{{Signer1}}"}] found in the text.
    tags TEXT NOT NULL DEFAULT '[]',
    -- Fields placed by staff (JSON list).
    fields TEXT NOT NULL DEFAULT '[]',
    content BLOB NOT NULL,
    uploaded_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX documents_request ON documents (request_id, position);

-- Durable work: claimed with a lease, retried with backoff.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at TEXT NOT NULL,
    locked_until TEXT,
    locked_by TEXT,
    last_error TEXT,
    done_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE done_at IS NULL;
CREATE UNIQUE INDEX jobs_one_open ON jobs (kind, request_id) WHERE done_at IS NULL;

-- Portal links handed to signers in the direct flow.
CREATE TABLE signer_links (
    token TEXT PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    signer_key TEXT NOT NULL,
    signer_id TEXT NOT NULL,
    sign_url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (request_id, signer_key)
);
