-- V002: remember whether a run changed the loaded data, and which consensus method
-- built the derived tables, so a run over an unchanged landing folder can skip the
-- rebuild of the consensus tables.
ALTER TABLE core.runs ADD COLUMN data_changed BOOLEAN;
ALTER TABLE core.runs ADD COLUMN derived_version VARCHAR;
