-- A document's bytes get a table of their own (as on SQLite, where this lets
-- an upload be written into its row in pieces).
CREATE TABLE document_content (
    document_id BIGINT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content BYTEA NOT NULL
);
INSERT INTO document_content (document_id, content) SELECT id, content FROM documents;
ALTER TABLE documents DROP COLUMN content;
