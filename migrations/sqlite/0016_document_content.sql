-- A document's bytes get a table of their own, as its last column: SQLite
-- can then create the row with zeroblob(size) without allocating it and the
-- upload is written into it in pieces (incremental blob I/O), and reading a
-- document's later columns never walks a 50 MB overflow chain.
CREATE TABLE document_content (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content BLOB NOT NULL
);
INSERT INTO document_content (document_id, content) SELECT id, content FROM documents;
ALTER TABLE documents DROP COLUMN content;
