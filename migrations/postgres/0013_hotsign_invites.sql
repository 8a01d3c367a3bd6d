-- A document written in the portal rather than uploaded (Hotsign's HTML or
-- markdown with field markup): {"format":"markdown","signers":[1,2],"fields":3}.
-- NULL for a PDF.
ALTER TABLE documents ADD COLUMN markup TEXT;

-- A job that waits for a person rather than for time (an admin reconnecting
-- a service): the service it waits for. It keeps its attempts and runs again
-- the moment that service is back.
ALTER TABLE jobs ADD COLUMN paused_for TEXT;
CREATE INDEX jobs_paused_for ON jobs (paused_for) WHERE paused_for IS NOT NULL;

-- The built-in Hotsign simulator's invites: the invite as it reads back and
-- its content, as versioned JSON, so two signers at once cannot overwrite
-- each other.
CREATE TABLE sandbox_hotsign_invites (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    external_id TEXT,
    invite TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sandbox_hotsign_invites_created ON sandbox_hotsign_invites (created_at);

-- Invite credits per account (new accounts start with 10).
CREATE TABLE sandbox_hotsign_credits (
    account TEXT PRIMARY KEY,
    credits BIGINT NOT NULL
);
