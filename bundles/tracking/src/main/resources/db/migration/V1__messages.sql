-- One row per mail-log record: a message's end, a recipient refused at RCPT, a message refused at MAIL.
CREATE TABLE messages (
    id             bigserial PRIMARY KEY,
    logged         timestamptz NOT NULL,
    queue_id       text NOT NULL,
    stage          text NOT NULL CHECK (stage IN ('end', 'rcpt', 'mail')),
    client_name    text NOT NULL,
    client_address text NOT NULL,
    sender         text NOT NULL,
    recipients     text[] NOT NULL,
    size           bigint NOT NULL,
    message_id     text NOT NULL,
    list_entry     text NOT NULL,
    scanners       text[] NOT NULL,
    score          text NOT NULL,
    error          text NOT NULL,
    verdict        text NOT NULL,
    reply          text NOT NULL,
    millis         bigint NOT NULL,
    -- sender and recipients, lower case: what a user's scope (its addresses) is matched against
    addresses      text[] NOT NULL,
    -- their domains and every parent domain: what a domain-admin's scope (its domains) is matched against
    domains        text[] NOT NULL
);
CREATE INDEX messages_logged ON messages (logged);
CREATE INDEX messages_queue_id ON messages (queue_id);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_addresses ON messages USING gin (addresses);
CREATE INDEX messages_domains ON messages USING gin (domains);
