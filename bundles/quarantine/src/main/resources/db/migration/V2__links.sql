-- The appliance's secret keys, one per purpose (random, made by the first node that needs one); a
-- restore brings them back with the rest, so links sent before it still work.
CREATE TABLE keys (
    name    text PRIMARY KEY,
    secret  bytea NOT NULL,
    created timestamptz NOT NULL DEFAULT now()
);

-- Release links that have been used (by their signature), so each works once.
CREATE TABLE link_uses (
    signature text PRIMARY KEY,
    message   bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    recipient text NOT NULL,
    used      timestamptz NOT NULL DEFAULT now()
);

-- The last digest each recipient (lower case) was sent, and the newest hold it listed.
CREATE TABLE digests (
    recipient text PRIMARY KEY,
    sent      timestamptz NOT NULL,
    through   timestamptz NOT NULL
);

-- Released copies that passed the milter again on their release header (by its nonce), so each passes once.
CREATE TABLE release_passes (
    nonce   text PRIMARY KEY,
    message bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    passed  timestamptz NOT NULL DEFAULT now()
);
