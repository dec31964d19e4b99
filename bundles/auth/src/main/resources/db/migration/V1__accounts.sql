-- Portcullis accounts. Names are lower case; the password is an Argon2id PHC string, never the password.
CREATE TABLE accounts (
    name             text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
    role             text NOT NULL CHECK (role IN ('admin', 'domain-admin', 'user')),
    password_hash    text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created          timestamptz NOT NULL DEFAULT now(),
    password_changed timestamptz NOT NULL DEFAULT now()
);

-- The domains of a domain-admin, or the addresses of a user.
CREATE TABLE account_scopes (
    account text NOT NULL REFERENCES accounts (name) ON DELETE CASCADE,
    scope   text NOT NULL,
    PRIMARY KEY (account, scope)
);

-- Rights granted to one account ('account:<name>') or to every account of a role ('role:<role>').
CREATE TABLE grants (
    subject    text NOT NULL CHECK (subject ~ '^(account|role):'),
    right_name text NOT NULL,
    PRIMARY KEY (subject, right_name)
);
