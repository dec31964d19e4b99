-- Allow and Block list entries. scope: 'global', 'domain:<domain>' or 'user:<address>';
-- pattern: the canonical text (see org.portcullis.lists.Pattern).
CREATE TABLE entries (
    id      bigserial PRIMARY KEY,
    list    text NOT NULL CHECK (list IN ('allow', 'block')),
    scope   text NOT NULL CHECK (scope = 'global' OR scope LIKE 'domain:%' OR scope LIKE 'user:%'),
    pattern text NOT NULL,
    comment text NOT NULL DEFAULT '',
    creator text NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    expires timestamptz,
    UNIQUE (list, scope, pattern)
);

-- Every change tells every node (LISTEN portcullis_lists), which reloads its index.
CREATE FUNCTION entries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portcullis_lists', TG_OP);
    RETURN NULL;
END
$$;

CREATE TRIGGER entries_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION entries_changed();
