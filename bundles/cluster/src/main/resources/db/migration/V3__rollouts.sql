-- Cluster updates: every node updated one at a time. A rollout holds the package (in chunks, so
-- each node fetches the very bytes the admin's node verified) and one row per node in the order
-- the nodes take their turn: Secondaries first, the Primary last. Each node's own agent takes
-- its turn, runs its own update and writes how it ended; the rollout stops at the first failure.

CREATE TABLE rollouts (
    id              bigserial PRIMARY KEY,
    from_version    text NOT NULL,
    to_version      text NOT NULL,
    package_name    text NOT NULL,
    package_sha256  text NOT NULL,
    package_size    bigint NOT NULL,
    started_by      text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    state           text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    message         text NOT NULL DEFAULT '',
    finished_at     timestamptz
);
-- one cluster update at a time
CREATE UNIQUE INDEX rollouts_one_running ON rollouts ((true)) WHERE state = 'running';

CREATE TABLE rollout_chunks (
    rollout_id  bigint NOT NULL REFERENCES rollouts ON DELETE CASCADE,
    seq         int NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (rollout_id, seq)
);

CREATE TABLE rollout_nodes (
    rollout_id   bigint NOT NULL REFERENCES rollouts ON DELETE CASCADE,
    position     int NOT NULL,
    node_id      text NOT NULL,
    address      text NOT NULL,
    primary_node boolean NOT NULL,
    state        text NOT NULL CHECK (state IN ('waiting', 'applying', 'done', 'failed')),
    message      text NOT NULL DEFAULT '',
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (rollout_id, node_id),
    UNIQUE (rollout_id, position)
);
