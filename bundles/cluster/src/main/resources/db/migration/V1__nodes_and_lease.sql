-- The cluster: its nodes, the Primary's lease, the terms (one per fencing epoch) and the runs of Primary-only jobs.
-- Every time here is the database's own (clock_timestamp()), so the nodes' clocks never have to agree.

CREATE TABLE nodes (
    node_id      text PRIMARY KEY,
    address      text NOT NULL,
    version      text NOT NULL,
    role         text NOT NULL CHECK (role IN ('primary', 'secondary')),
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

-- One row: who holds the Primary's lease, until when, under which epoch.
CREATE TABLE lease (
    id          int PRIMARY KEY CHECK (id = 1),
    holder      text,
    epoch       bigint NOT NULL,
    expires_at  timestamptz NOT NULL,
    renewed_at  timestamptz NOT NULL
);
INSERT INTO lease (id, holder, epoch, expires_at, renewed_at) VALUES (1, NULL, 0, '-infinity', '-infinity');

-- One row per epoch: when its term began, and when it ended (NULL: it is the current one). How it
-- began: 'expired' (the previous lease ran out), 'released' (handed over), 'promoted' (by an admin).
CREATE TABLE terms (
    epoch     bigint PRIMARY KEY,
    node_id   text NOT NULL,
    began_at  timestamptz NOT NULL,
    ended_at  timestamptz,
    how       text NOT NULL CHECK (how IN ('expired', 'released', 'promoted'))
);

-- Every run of a Primary-only job, written under the fence of its term.
CREATE TABLE jobs (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL,
    node_id     text NOT NULL,
    epoch       bigint NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    outcome     text
);
CREATE INDEX jobs_by_name ON jobs (name, started_at DESC);

-- The fence: inside a Primary-only transaction, refuses unless the term (epoch, node) still holds
-- the lease, and keeps a take-over (an UPDATE of the row) waiting until that transaction ends. A
-- node paused inside that transaction (kill -STOP) would keep the take-over waiting for as long as
-- it sleeps, so the transaction may then sit idle for one second at most: the server ends it
-- (rolled back, its write lost, as a fenced write must be) and the take-over goes on.
CREATE FUNCTION fence(p_epoch bigint, p_node text) RETURNS void LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
DECLARE
    l lease%ROWTYPE;
BEGIN
    PERFORM set_config('idle_in_transaction_session_timeout', '1000', true);
    SELECT * INTO l FROM lease WHERE id = 1 FOR SHARE;
    IF l.epoch <> p_epoch OR l.holder IS DISTINCT FROM p_node OR l.expires_at <= clock_timestamp() THEN
        RAISE EXCEPTION 'fenced: the term of epoch % on node % has ended (the lease is at epoch % on %)',
            p_epoch, p_node, l.epoch, coalesce(l.holder, 'no node') USING ERRCODE = 'PF001';
    END IF;
END;
$$;
