-- Cluster-wide settings: the shared keys of some configuration PIDs, as the last node to change
-- one wrote it; every node applies them to its ConfigurationAdmin. value NULL: the key is unset
-- (the component's default). version: the product version of the node that wrote it (a node on
-- another version does not apply it).
CREATE TABLE settings (
    pid         text NOT NULL,
    key         text NOT NULL,
    value       text,
    version     text NOT NULL,
    node_id     text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (pid, key)
);

-- Nothing here goes into a backup, and a restore leaves it as it is: membership, lease, terms and job
-- runs are live state, and the shared settings are in every node's etc/ (a restore's configuration
-- part, applied on one node, becomes the cluster's from there).
COMMENT ON SCHEMA cluster IS 'portcullis:not-backed-up (the cluster''s live state)';

-- Every change wakes every node (LISTEN portcullis_cluster_settings), which then re-reads the table.
CREATE FUNCTION settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portcullis_cluster_settings', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION settings_changed();
