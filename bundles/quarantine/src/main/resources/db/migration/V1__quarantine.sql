-- One row per held message; its content in chunks; one row per recipient with its own state.
CREATE TABLE messages (
    id             bigserial PRIMARY KEY,
    held           timestamptz NOT NULL DEFAULT now(),
    queue_id       text NOT NULL,
    message_id     text NOT NULL,
    sender         text NOT NULL,
    client_address text NOT NULL,
    category       text NOT NULL CHECK (category IN ('sandbox', 'virus', 'spam', 'policy')),
    reason         text NOT NULL,
    details        text[] NOT NULL,
    size           bigint NOT NULL,
    sha256         text NOT NULL,
    -- false once retention has deleted the content (the rows stay as the record of what happened)
    has_content    boolean NOT NULL DEFAULT true
);
CREATE INDEX messages_held ON messages (held);
CREATE INDEX messages_sender ON messages (lower(sender));

-- The raw message (headers, blank line, body, CRLF) in order, at most 256 KiB a row: never whole in memory.
CREATE TABLE chunks (
    message bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (message, seq)
);

CREATE TABLE recipients (
    message    bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    recipient  text NOT NULL,
    state      text NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'released', 'deleted', 'expired')),
    changed    timestamptz NOT NULL DEFAULT now(),
    -- the account that released or deleted it ('' while held or when expired)
    changed_by text NOT NULL DEFAULT '',
    -- the re-injection listener's reply to the release
    reply      text NOT NULL DEFAULT '',
    PRIMARY KEY (message, recipient)
);
CREATE INDEX recipients_recipient ON recipients (lower(recipient));
CREATE INDEX recipients_held ON recipients (message) WHERE state = 'held';
