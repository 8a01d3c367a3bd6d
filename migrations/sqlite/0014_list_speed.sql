-- The requests list at any size: what it counts and searches is kept beside
-- the requests, so neither the status tabs nor a search reads every request.

-- Requests per owner and status, kept by triggers (the status tabs and
-- "only mine" read a few rows, whatever the number of requests).
CREATE TABLE request_counts (
    owner_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (owner_id, status)
);
INSERT INTO request_counts (owner_id, status, n)
    SELECT owner_id, status, COUNT(*) FROM requests GROUP BY owner_id, status;

CREATE TRIGGER request_counts_insert AFTER INSERT ON requests BEGIN
    INSERT INTO request_counts (owner_id, status, n) VALUES (NEW.owner_id, NEW.status, 1)
        ON CONFLICT (owner_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_counts_update AFTER UPDATE OF owner_id, status ON requests
    WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.status IS NOT NEW.status BEGIN
    UPDATE request_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND status = OLD.status;
    INSERT INTO request_counts (owner_id, status, n) VALUES (NEW.owner_id, NEW.status, 1)
        ON CONFLICT (owner_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_counts_delete AFTER DELETE ON requests BEGIN
    UPDATE request_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND status = OLD.status;
END;

-- What a search looks in (title, reference, the signers' names and emails),
-- indexed by three-letter pieces so that any part of a word is found without
-- reading every request.
CREATE VIRTUAL TABLE requests_search USING fts5(
    title, reference, signers, content = 'requests', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO requests_search (requests_search) VALUES ('rebuild');

CREATE TRIGGER requests_search_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_search (rowid, title, reference, signers)
        VALUES (NEW.id, NEW.title, NEW.reference, NEW.signers);
END;
CREATE TRIGGER requests_search_update AFTER UPDATE OF title, reference, signers ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, title, reference, signers)
        VALUES ('delete', OLD.id, OLD.title, OLD.reference, OLD.signers);
    INSERT INTO requests_search (rowid, title, reference, signers)
        VALUES (NEW.id, NEW.title, NEW.reference, NEW.signers);
END;
CREATE TRIGGER requests_search_delete AFTER DELETE ON requests BEGIN
    INSERT INTO requests_search (requests_search, rowid, title, reference, signers)
        VALUES ('delete', OLD.id, OLD.title, OLD.reference, OLD.signers);
END;

-- "Only mine", in each order the list offers.
CREATE INDEX requests_owner_updated ON requests (owner_id, updated_at, id);
CREATE INDEX requests_owner_created ON requests (owner_id, created_at, id);
CREATE INDEX requests_owner_title ON requests (owner_id, lower(title), id);

-- The "no news for a while" warning on the list counts waiting requests by
-- their last news; without this it read every waiting request each time.
CREATE INDEX requests_quiet ON requests (COALESCE(last_postback_at, started_at)) WHERE status = 'waiting';
