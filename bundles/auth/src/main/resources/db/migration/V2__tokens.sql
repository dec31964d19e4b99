-- Session tokens of the REST API and the web console. Only a SHA-256 of each token is kept.
CREATE TABLE tokens (
    token_sha256 text PRIMARY KEY,
    account      text NOT NULL REFERENCES accounts (name) ON DELETE CASCADE,
    created      timestamptz NOT NULL DEFAULT now(),
    expires      timestamptz NOT NULL
);
CREATE INDEX tokens_expires ON tokens (expires);
