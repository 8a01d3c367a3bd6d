-- Work that several portal instances share and must do once.

-- A sandbox transaction is changed by one instance at a time (two signers
-- signing at the same moment both keep their signature).
ALTER TABLE sandbox_transactions ADD COLUMN locked_by TEXT;
ALTER TABLE sandbox_transactions ADD COLUMN locked_until TIMESTAMPTZ;

-- Periodic duties (the simulators' clock, sweeps): the instance that moves
-- next_at forward does the round; the others skip it.
CREATE TABLE periodic_duties (
    name TEXT PRIMARY KEY,
    next_at TIMESTAMPTZ NOT NULL,
    last_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
