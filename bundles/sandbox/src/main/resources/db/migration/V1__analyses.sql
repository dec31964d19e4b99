-- One row per held message the sandbox analyses (message: the quarantine's id).
CREATE TABLE analyses (
    message    bigint PRIMARY KEY,
    queue_id   text NOT NULL DEFAULT '',
    state      text NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'clean', 'malicious', 'released-unanalysed', 'gone')),
    attempts   integer NOT NULL DEFAULT 0,
    next_try   timestamptz NOT NULL DEFAULT now(),
    findings   text[] NOT NULL DEFAULT '{}',
    last_error text NOT NULL DEFAULT '',
    updated    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analyses_due ON analyses (next_try) WHERE state = 'pending';
