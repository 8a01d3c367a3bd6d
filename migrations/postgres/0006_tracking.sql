-- Following sent requests: Signhost's state, postbacks, activities, the archive, the audit log.
ALTER TABLE requests ADD COLUMN signhost_status BIGINT;
ALTER TABLE requests ADD COLUMN signers_signed BIGINT NOT NULL DEFAULT 0;
-- [{"id":"Signer1","email":…,"status":"signed","at":…,"reason":…}] as last confirmed.
ALTER TABLE requests ADD COLUMN signer_states TEXT NOT NULL DEFAULT '[]';
ALTER TABLE requests ADD COLUMN last_postback_at TIMESTAMPTZ;
ALTER TABLE requests ADD COLUMN next_check_at TIMESTAMPTZ;
ALTER TABLE requests ADD COLUMN check_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN archived_at TIMESTAMPTZ;
CREATE INDEX requests_check ON requests (next_check_at) WHERE status = 'waiting';
CREATE INDEX requests_updated ON requests (updated_at, id);
CREATE INDEX requests_status_updated ON requests (status, updated_at, id);
CREATE INDEX requests_created ON requests (created_at, id);
CREATE INDEX requests_title ON requests (lower(title), id);

CREATE TABLE postbacks (
    id BIGSERIAL PRIMARY KEY,
    received_at TIMESTAMPTZ NOT NULL,
    headers TEXT NOT NULL,
    body TEXT NOT NULL,
    size BIGINT NOT NULL,
    transaction_id TEXT,
    status BIGINT,
    checksum TEXT,
    -- received, applied, duplicate, quarantined
    state TEXT NOT NULL DEFAULT 'received',
    reason TEXT,
    request_id BIGINT REFERENCES requests (id) ON DELETE SET NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    processed_at TIMESTAMPTZ
);
CREATE INDEX postbacks_pending ON postbacks (run_at, id) WHERE state = 'received';
CREATE INDEX postbacks_request ON postbacks (request_id, id);

CREATE TABLE activities (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL,
    signer_id TEXT NOT NULL,
    code BIGINT NOT NULL,
    info TEXT,
    happened_at TEXT NOT NULL,
    UNIQUE (request_id, activity_id, code, happened_at)
);

CREATE TABLE archive_files (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    file_id TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    stored_at TIMESTAMPTZ NOT NULL,
    UNIQUE (request_id, kind, file_id)
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_request ON audit_log (request_id, id);
