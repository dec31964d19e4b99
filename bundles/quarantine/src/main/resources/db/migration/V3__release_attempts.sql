-- A released copy passes the milter while its release still holds the message's row lock: a
-- foreign key on release_passes would make the milter's insert wait for that lock, and the release
-- waits for the milter. The rows go with their message at retention instead.
ALTER TABLE release_passes DROP CONSTRAINT release_passes_message_fkey;

-- Releases under way: written (committed) before the copy is sent, deleted with the release's
-- commit or when the listener refused. A row left by a node that died mid-release says which
-- recipients the copy with that nonce was for; if the nonce is in release_passes, the copy passed
-- the milter (it was delivered) and the next release marks them released without sending again.
CREATE TABLE release_attempts (
    nonce      text PRIMARY KEY,
    message    bigint NOT NULL,
    recipients text[] NOT NULL,
    started    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX release_attempts_message ON release_attempts (message);
