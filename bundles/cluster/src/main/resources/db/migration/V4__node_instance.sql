-- Which running process wrote a node's row last (a random id per start of the cluster component):
-- two processes that beat under one node id (a data/ folder copied from another node) find each
-- other's writes between their own heartbeats, say so, and neither leads while it lasts.
ALTER TABLE nodes ADD COLUMN instance text;
