-- Failed-login counts (LoginThrottle), in the database so that every node of a cluster counts
-- the same attempts. A key is an account at a source address ("pair:...") or an address
-- ("source:..."); a row goes with a successful login, or once it has been quiet for twice the
-- longest hold.
CREATE TABLE login_failures (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    locked_until timestamptz,
    last         timestamptz NOT NULL
);
CREATE INDEX login_failures_last ON login_failures (last);
