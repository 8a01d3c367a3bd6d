-- The requests list at any size: what it counts and searches is kept beside
-- the requests, so neither the status tabs nor a search reads every request.

-- Requests per owner and status, kept by a trigger (the status tabs and
-- "only mine" read a few rows, whatever the number of requests).
CREATE TABLE request_counts (
    owner_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (owner_id, status)
);
INSERT INTO request_counts (owner_id, status, n)
    SELECT owner_id, status, COUNT(*) FROM requests GROUP BY owner_id, status;

CREATE FUNCTION request_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.owner_id = NEW.owner_id AND OLD.status = NEW.status THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE request_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO request_counts (owner_id, status, n) VALUES (NEW.owner_id, NEW.status, 1)
            ON CONFLICT (owner_id, status) DO UPDATE SET n = request_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_counts_keep AFTER INSERT OR DELETE OR UPDATE OF owner_id, status
    ON requests FOR EACH ROW EXECUTE FUNCTION request_counts_keep();

-- A search finds any part of a title, reference or signer through trigram
-- indexes where the pg_trgm extension is available (it ships with
-- PostgreSQL's contrib; without it a search reads the requests, as before).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX requests_title_trgm ON requests USING gin (lower(title) gin_trgm_ops);
        CREATE INDEX requests_reference_trgm ON requests USING gin (lower(reference) gin_trgm_ops);
        CREATE INDEX requests_signers_trgm ON requests USING gin (lower(signers) gin_trgm_ops);
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm could not be created here: searches read every request';
END
$$;

-- "Only mine", in each order the list offers.
CREATE INDEX requests_owner_updated ON requests (owner_id, updated_at, id);
CREATE INDEX requests_owner_created ON requests (owner_id, created_at, id);
CREATE INDEX requests_owner_title ON requests (owner_id, lower(title), id);

-- The "no news for a while" warning on the list counts waiting requests by
-- their last news; without this it read every waiting request each time.
CREATE INDEX requests_quiet ON requests (COALESCE(last_postback_at, started_at)) WHERE status = 'waiting';
