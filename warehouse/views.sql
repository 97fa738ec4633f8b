-- Analyst-facing views: the stable, documented contract (docs/warehouse.md).
-- Recreated by every migration run, so they always match the current tables.

CREATE OR REPLACE VIEW documents AS
SELECT
    lf.document_id,
    lf.path,
    d.source,
    d.url,
    d.fetched_at,
    lf.status,
    lf.duplicate_of,
    lf.reason_code,
    lf.detail,
    d.parser_version,
    lf.size_bytes,
    d.text_sha256,
    lf.is_current,
    lf.first_seen,
    lf.last_seen
FROM core.landing_files AS lf
LEFT JOIN core.documents AS d USING (document_id);

CREATE OR REPLACE VIEW quarantine AS
SELECT
    path,
    document_id,
    document_id AS sha256,
    size_bytes,
    reason_code,
    detail,
    first_seen,
    last_seen,
    is_current
FROM core.landing_files
WHERE status = 'quarantined';

CREATE OR REPLACE VIEW assessments AS
SELECT
    a.*,
    row_number() OVER (
        PARTITION BY a.source, a.occupation_slug
        ORDER BY a.fetched_at DESC, a.document_id ASC  -- same tie-break as transforms.normalise.latest_flags
    ) = 1 AS is_latest,
    d.path
FROM core.assessments AS a
LEFT JOIN core.documents AS d USING (document_id);

CREATE OR REPLACE VIEW score_history AS
SELECT
    occupation_slug,
    occupation,
    source,
    document_id,
    fetched_at,
    raw_score,
    risk_score,
    lag(risk_score) OVER w AS previous_risk_score,
    risk_score - lag(risk_score) OVER w AS change,
    row_number() OVER w AS capture_no,
    url,
    path
FROM assessments
WINDOW w AS (PARTITION BY source, occupation_slug ORDER BY fetched_at, document_id);

CREATE OR REPLACE VIEW score_changes AS
SELECT
    occupation_slug,
    occupation,
    source,
    lag(document_id) OVER w AS previous_document_id,
    lag(fetched_at) OVER w AS previous_fetched_at,
    lag(raw_score) OVER w AS previous_raw_score,
    lag(risk_score) OVER w AS previous_risk_score,
    document_id,
    fetched_at,
    raw_score,
    risk_score,
    risk_score - lag(risk_score) OVER w AS change
FROM assessments
WINDOW w AS (PARTITION BY source, occupation_slug ORDER BY fetched_at, document_id)
QUALIFY previous_document_id IS NOT NULL AND change <> 0;

CREATE OR REPLACE VIEW source_coverage AS
SELECT
    source,
    count(DISTINCT occupation_slug) AS n_occupations,
    count(*) AS n_documents,
    min(fetched_at) AS first_fetched_at,
    max(fetched_at) AS last_fetched_at
FROM assessments
GROUP BY source;

CREATE OR REPLACE VIEW source_occupations AS
SELECT occupation_slug, occupation, source, risk_score, raw_score, fetched_at, document_id
FROM assessments
WHERE is_latest;

CREATE OR REPLACE VIEW runs AS SELECT * FROM core.runs;
