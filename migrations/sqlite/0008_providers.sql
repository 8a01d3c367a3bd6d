-- One signing core for several services: the Signhost-named columns move to
-- neutral ones (nothing is dropped that is not kept under its new name).
-- Every request made so far was made at Signhost.
ALTER TABLE requests ADD COLUMN provider TEXT NOT NULL DEFAULT 'signhost';
-- The service's own id of the request (Signhost: the transaction id).
ALTER TABLE requests RENAME COLUMN signhost_id TO external_id;
-- What was sent to create it, to notice a draft changed after a refusal.
ALTER TABLE requests RENAME COLUMN sent_transaction TO sent_payload;
-- The service's status as it said it, in its own words ("30", "partialsigned").
ALTER TABLE requests ADD COLUMN provider_status TEXT;
UPDATE requests SET provider_status = CAST(signhost_status AS TEXT) WHERE signhost_status IS NOT NULL;
ALTER TABLE requests DROP COLUMN signhost_status;
-- Whatever else the adapter must remember between steps (JSON).
ALTER TABLE requests ADD COLUMN provider_state TEXT NOT NULL DEFAULT '{}';
-- When the truth was last asked of the service (news older than that is covered).
ALTER TABLE requests ADD COLUMN fetched_at TEXT;
DROP INDEX requests_signhost_id;
CREATE UNIQUE INDEX requests_external_id ON requests (provider, external_id);

-- Inbound messages from any service.
ALTER TABLE postbacks ADD COLUMN provider TEXT NOT NULL DEFAULT 'signhost';
ALTER TABLE postbacks RENAME COLUMN transaction_id TO external_id;
-- The status the message claims (a hint: the service is asked for the truth).
ALTER TABLE postbacks ADD COLUMN hint TEXT;
UPDATE postbacks SET hint = CAST(status AS TEXT) WHERE status IS NOT NULL;
ALTER TABLE postbacks DROP COLUMN status;
-- The message's own proof of origin (Signhost: its checksum).
ALTER TABLE postbacks RENAME COLUMN checksum TO signature;

-- What happened, in the portal's words; `code` stays the service's number.
ALTER TABLE activities ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';
UPDATE activities SET kind = CASE code
    WHEN 101 THEN 'invited' WHEN 102 THEN 'invitation_received' WHEN 103 THEN 'opened'
    WHEN 104 THEN 'reminded' WHEN 105 THEN 'viewed' WHEN 110 THEN 'identified'
    WHEN 111 THEN 'identity_failed' WHEN 201 THEN 'cancelled' WHEN 202 THEN 'declined'
    WHEN 203 THEN 'signed' WHEN 204 THEN 'delegated' WHEN 301 THEN 'document_sent'
    WHEN 302 THEN 'document_opened' WHEN 303 THEN 'document_downloaded'
    WHEN 401 THEN 'receipt_sent' WHEN 402 THEN 'receipt_opened' WHEN 403 THEN 'receipt_downloaded'
    WHEN 500 THEN 'finished' WHEN 600 THEN 'deleted' WHEN 700 THEN 'expired'
    WHEN 901 THEN 'email_bounced' WHEN 902 THEN 'email_bounced' WHEN 903 THEN 'email_bounced'
    WHEN 904 THEN 'email_bounced' WHEN 999 THEN 'failed' ELSE 'other' END;
