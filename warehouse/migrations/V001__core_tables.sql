-- V001: core tables. Analysts use the views in the main schema (views.sql);
-- these tables are the storage behind them and may change between versions.
CREATE SCHEMA IF NOT EXISTS core;

-- Each run of the pipeline.
CREATE TABLE core.runs (
    run_id          VARCHAR NOT NULL,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    landing         VARCHAR,
    parser_version  VARCHAR,
    files_seen      INTEGER,
    files_unchanged INTEGER,
    files_processed INTEGER,
    loaded          INTEGER,
    duplicate       INTEGER,
    quarantined     INTEGER,
    ignored         INTEGER,
    consensus_at    TIMESTAMPTZ
);

-- One row per distinct document content (sha256 of the bytes).
CREATE TABLE core.documents (
    document_id     VARCHAR NOT NULL,   -- sha256 hex of the bytes
    path            VARCHAR,            -- landing-relative path where first seen
    size_bytes      BIGINT,
    text_sha256     VARCHAR,            -- sha256 of the normalised visible text
    source          VARCHAR,
    url             VARCHAR,
    fetched_at      TIMESTAMPTZ,
    status          VARCHAR NOT NULL,   -- loaded | duplicate | quarantined
    duplicate_of    VARCHAR,            -- document_id of the loaded original
    reason_code     VARCHAR,
    detail          VARCHAR,
    parser_version  VARCHAR,
    first_seen      TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- One row per (landing path, content): the accounting of every landing file.
CREATE TABLE core.landing_files (
    path            VARCHAR NOT NULL,   -- relative to the landing folder
    document_id     VARCHAR,            -- null when the bytes could not be read
    size_bytes      BIGINT,
    mtime_ns        BIGINT,
    status          VARCHAR NOT NULL,   -- loaded | duplicate | quarantined
    duplicate_of    VARCHAR,
    reason_code     VARCHAR,
    detail          VARCHAR,
    is_current      BOOLEAN NOT NULL,   -- this content is what the path holds now
    first_seen      TIMESTAMPTZ NOT NULL,
    last_seen       TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- One row per loaded document: its headline assessment, normalised.
CREATE TABLE core.assessments (
    document_id       VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    extraction_method VARCHAR NOT NULL,
    confidence        DOUBLE,
    occupation_raw    VARCHAR,
    occupation        VARCHAR NOT NULL,
    occupation_slug   VARCHAR NOT NULL,
    raw_score         VARCHAR NOT NULL,
    raw_value         DOUBLE NOT NULL,
    scale_min         DOUBLE NOT NULL,
    scale_max         DOUBLE NOT NULL,
    polarity          VARCHAR NOT NULL,
    risk_score        DOUBLE NOT NULL,
    score_band        VARCHAR,
    label             VARCHAR,
    label_band        VARCHAR,
    label_conflict    BOOLEAN,
    scale_expected    BOOLEAN,           -- the scale/polarity the registry expects for the source
    industry          VARCHAR,
    page_date         VARCHAR,
    url               VARCHAR,
    fetched_at        TIMESTAMPTZ NOT NULL,
    parser_version    VARCHAR NOT NULL,
    score_span_start  INTEGER,
    score_span_end    INTEGER,
    score_snippet     VARCHAR,
    occupation_snippet VARCHAR,
    label_snippet     VARCHAR
);

CREATE TABLE core.task_automation (
    document_id VARCHAR NOT NULL, task VARCHAR, pct_automatable DOUBLE, rationale VARCHAR,
    span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
CREATE TABLE core.task_mentions (
    document_id VARCHAR NOT NULL, task VARCHAR, stance VARCHAR, description VARCHAR,
    span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
CREATE TABLE core.salary_bands (
    document_id VARCHAR NOT NULL, seniority VARCHAR, low DOUBLE, high DOUBLE,
    open_ended BOOLEAN, currency VARCHAR, period VARCHAR, region VARCHAR,
    span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
CREATE TABLE core.salary_growth (
    document_id VARCHAR NOT NULL, low_pct DOUBLE, high_pct DOUBLE, period VARCHAR,
    span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
CREATE TABLE core.recommendations (
    document_id VARCHAR NOT NULL, ordinal INTEGER, action VARCHAR, description VARCHAR,
    horizon VARCHAR, span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
CREATE TABLE core.tool_mentions (
    document_id VARCHAR NOT NULL, tool VARCHAR,
    span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
CREATE TABLE core.career_paths (
    document_id VARCHAR NOT NULL, step INTEGER, title VARCHAR, description VARCHAR,
    years_min DOUBLE, years_max DOUBLE, span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
CREATE TABLE core.pivots (
    document_id VARCHAR NOT NULL, role VARCHAR, description VARCHAR, ease VARCHAR,
    span_start INTEGER, span_end INTEGER, snippet VARCHAR
);
