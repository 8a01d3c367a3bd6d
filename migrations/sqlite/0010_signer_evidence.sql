-- What a signer did on a signing page the portal hosts (services without a
-- signer page of their own: CertEurope SignAPI): consent, each one-time
-- code sent and checked (the result, never the code), the signature or the
-- refusal, with the time, the address and browser, and the SHA-256 of
-- every document shown. Kept for the evidence bundle.
CREATE TABLE signer_evidence (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id BIGINT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    signer_key TEXT NOT NULL,
    event TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    documents TEXT NOT NULL DEFAULT '[]',
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX signer_evidence_signer ON signer_evidence (request_id, signer_key, id);
