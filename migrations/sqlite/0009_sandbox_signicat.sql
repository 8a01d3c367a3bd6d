-- The built-in Signicat simulator keeps its documents, files and events
-- here. A document is its JSON state with a version, so two signers
-- signing at the same moment cannot overwrite each other.
CREATE TABLE sandbox_signicat_documents (
    id TEXT PRIMARY KEY,
    external_id TEXT NOT NULL,
    document TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    -- When something is due without anyone asking (packaging, the deadline).
    due_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sandbox_signicat_documents_external ON sandbox_signicat_documents (external_id);
CREATE INDEX sandbox_signicat_documents_due ON sandbox_signicat_documents (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE sandbox_signicat_files (
    document_id TEXT NOT NULL REFERENCES sandbox_signicat_documents (id) ON DELETE CASCADE,
    -- "data" for the document to sign, else the attachment's id.
    file_id TEXT NOT NULL,
    content BLOB NOT NULL,
    signed BLOB,
    PRIMARY KEY (document_id, file_id)
);

CREATE TABLE sandbox_signicat_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    handled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);

-- Each simulator signs its outbound messages in its own header.
ALTER TABLE sandbox_postbacks ADD COLUMN signature_header TEXT NOT NULL DEFAULT 'Checksum';
