-- The ACME account, the names asked for, the certificates issued, and the renewal schedule.
-- Shared by every node: the Primary orders and renews, every node installs the newest certificate.
CREATE TABLE account (
    id          int PRIMARY KEY CHECK (id = 1),
    directory   text NOT NULL,
    key_pem     text NOT NULL,
    url         text NOT NULL,
    contact     text NOT NULL,
    terms       text NOT NULL,
    agreed_by   text NOT NULL,
    agreed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE names (
    name     text PRIMARY KEY,
    state    text NOT NULL CHECK (state IN ('pending', 'valid', 'failed')),
    detail   text NOT NULL DEFAULT '',
    updated  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE certificates (
    id          bigserial PRIMARY KEY,
    names       text[] NOT NULL,
    key_pem     text NOT NULL,
    chain_pem   text NOT NULL,
    serial      text NOT NULL,
    not_before  timestamptz NOT NULL,
    not_after   timestamptz NOT NULL,
    issuer      text NOT NULL,
    renew_at    timestamptz NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    issued_by   text NOT NULL,
    directory   text NOT NULL,
    revoked_at  timestamptz
);

CREATE TABLE schedule (
    id          int PRIMARY KEY CHECK (id = 1),
    failures    int NOT NULL DEFAULT 0,
    next_try    timestamptz,
    ca_retry_after timestamptz,
    last_error  text NOT NULL DEFAULT '',
    last_try    timestamptz
);
INSERT INTO schedule (id) VALUES (1);
