//! Versioned schema migrations, applied in order, each in its own transaction, and the
//! concern (domain data or audit trail) each belongs to.

use super::Concern;

/// (version, concern, name, SQL). Versions are one sequence across concerns, so that a
/// database holding both (an older one, or one named by both URLs) records them in one
/// table; a database gets the migrations of the concerns it is opened for. Append only: a
/// released migration never changes.
pub type Migration = (u32, Concern, &'static str, &'static str);

pub const MIGRATIONS: &[Migration] = &[
    (
        1,
        Concern::Domain,
        "agents, creations, registry",
        r#"
CREATE TABLE agents (
    name            TEXT PRIMARY KEY,
    display_name    TEXT NOT NULL,
    domain          TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    project_dir     TEXT NOT NULL,
    repository_url  TEXT,
    commit_id       TEXT,
    template        TEXT NOT NULL,
    creation_id     TEXT NOT NULL,
    spec            TEXT NOT NULL
);
CREATE TABLE creations (
    id          TEXT PRIMARY KEY,
    agent_name  TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    failed_step TEXT,
    error       TEXT
);
CREATE INDEX creations_by_agent ON creations(agent_name, started_at);
CREATE TABLE creation_steps (
    creation_id TEXT NOT NULL REFERENCES creations(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT,
    message     TEXT,
    PRIMARY KEY (creation_id, position)
);
CREATE TABLE mcp_servers (
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    agent_name    TEXT REFERENCES agents(name) ON DELETE CASCADE,
    manifest      TEXT NOT NULL,
    phase         TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
"#,
    ),
    (
        2,
        Concern::Domain,
        "registry entries keep their source document, format and validation report",
        r#"
ALTER TABLE mcp_servers ADD COLUMN format TEXT NOT NULL DEFAULT 'manifest';
ALTER TABLE mcp_servers ADD COLUMN source TEXT;
ALTER TABLE mcp_servers ADD COLUMN report TEXT;
UPDATE mcp_servers SET source = manifest WHERE source IS NULL;
CREATE INDEX mcp_servers_by_kind ON mcp_servers(kind, name);
"#,
    ),
    (
        3,
        Concern::Domain,
        "deployments",
        r#"
CREATE TABLE deployments (
    agent_name      TEXT NOT NULL,
    target          TEXT NOT NULL,
    environment     TEXT NOT NULL,
    status          TEXT NOT NULL,
    replicas_wanted INTEGER NOT NULL,
    artifact        TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    detail          TEXT NOT NULL,
    PRIMARY KEY (agent_name, target)
);
"#,
    ),
    (
        4,
        Concern::Audit,
        "audit trail",
        r#"
CREATE TABLE audit_events (
    sequence    INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    timestamp   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    severity    TEXT NOT NULL,
    status      TEXT NOT NULL,
    resource    TEXT NOT NULL,
    agent_id    TEXT,
    body        BLOB NOT NULL,
    hash        BLOB NOT NULL
);
CREATE INDEX audit_by_time ON audit_events(timestamp);
CREATE INDEX audit_by_user ON audit_events(user_id, timestamp);
CREATE INDEX audit_by_type ON audit_events(event_type, timestamp);
CREATE INDEX audit_by_agent ON audit_events(agent_id, timestamp);
CREATE TABLE audit_checkpoints (
    sequence    INTEGER PRIMARY KEY,
    hash        BLOB NOT NULL,
    at          TEXT NOT NULL,
    signature   BLOB NOT NULL,
    public_key  BLOB NOT NULL
);
"#,
    ),
    (
        5,
        Concern::Audit,
        "audit sink cursors",
        r#"
CREATE TABLE audit_sinks (
    name      TEXT PRIMARY KEY,
    sequence  INTEGER NOT NULL
);
"#,
    ),
    (
        6,
        Concern::Audit,
        "audit events are unique by (timestamp, event_id): the time index finds duplicates at its right edge instead of a random-order id index",
        r#"
CREATE TABLE audit_events_v6 (
    sequence    INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL,
    timestamp   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    severity    TEXT NOT NULL,
    status      TEXT NOT NULL,
    resource    TEXT NOT NULL,
    agent_id    TEXT,
    body        BLOB NOT NULL,
    hash        BLOB NOT NULL
);
INSERT INTO audit_events_v6 SELECT sequence, event_id, timestamp, user_id, event_type, severity, status, resource, agent_id, body, hash FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_v6 RENAME TO audit_events;
CREATE UNIQUE INDEX audit_by_time ON audit_events(timestamp, event_id);
CREATE INDEX audit_by_user ON audit_events(user_id, timestamp);
CREATE INDEX audit_by_type ON audit_events(event_type, timestamp);
CREATE INDEX audit_by_agent ON audit_events(agent_id, timestamp);
"#,
    ),
    (
        7,
        Concern::Audit,
        "checkpoints say whether they anchor a retention purge",
        r#"
ALTER TABLE audit_checkpoints ADD COLUMN anchors_purge INTEGER NOT NULL DEFAULT 0;
"#,
    ),
    (
        8,
        Concern::Audit,
        "audit events are found by user, type and agent through postings, one row per stretch of the chain, instead of three indexes that every event updated at scattered places; the next writer posts the events already stored",
        r#"
CREATE TABLE audit_postings (
    first_seq INTEGER PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    min_ts    TEXT NOT NULL,
    max_ts    TEXT NOT NULL,
    directory BLOB NOT NULL
);
CREATE INDEX audit_postings_by_time ON audit_postings(max_ts, min_ts, last_seq);
CREATE TABLE audit_posted (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    upto INTEGER NOT NULL
);
INSERT INTO audit_posted VALUES (1, 0);
DROP INDEX audit_by_user;
DROP INDEX audit_by_type;
DROP INDEX audit_by_agent;
"#,
    ),
    (
        9,
        Concern::Executions,
        "executions and their feedback",
        r#"
CREATE TABLE executions (
    id             TEXT PRIMARY KEY,
    at_us          INTEGER NOT NULL,
    agent_id       TEXT NOT NULL,
    tool           TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    organization   TEXT,
    session_id     TEXT,
    replica        INTEGER,
    latency_us     INTEGER NOT NULL,
    status         TEXT NOT NULL,
    request_bytes  INTEGER NOT NULL,
    response_bytes INTEGER NOT NULL,
    tokens_in      INTEGER,
    tokens_out     INTEGER,
    cost_micros    INTEGER,
    model          TEXT,
    trace_id       TEXT,
    error          TEXT
);
CREATE INDEX executions_by_time ON executions(at_us);
CREATE INDEX executions_by_agent ON executions(agent_id, at_us);
CREATE INDEX executions_by_user ON executions(user_id, at_us);
CREATE TABLE execution_feedback (
    execution_id TEXT PRIMARY KEY REFERENCES executions(id) ON DELETE CASCADE,
    rating       INTEGER NOT NULL,
    correct      INTEGER,
    user_id      TEXT NOT NULL,
    given_at_us  INTEGER NOT NULL
);
"#,
    ),
    (
        10,
        Concern::Domain,
        "tool definitions pinned per server",
        r#"
CREATE TABLE tool_pins (
    server             TEXT NOT NULL,
    tool               TEXT NOT NULL,
    hash               TEXT NOT NULL,
    definition         TEXT NOT NULL,
    pinned_at          TEXT NOT NULL,
    pending_hash       TEXT,
    pending_definition TEXT,
    PRIMARY KEY (server, tool)
);
"#,
    ),
    (
        11,
        Concern::Executions,
        "the arguments of executions: their shape, or their values where allowed",
        "ALTER TABLE executions ADD COLUMN arguments TEXT;",
    ),
    (
        12,
        Concern::Executions,
        "rollups of executions per hour, per day, and per day and user; replica counts over time",
        r#"
CREATE TABLE rollup_hour (
    bucket INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    model TEXT NOT NULL,
    calls INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    timeouts INTEGER NOT NULL,
    denied INTEGER NOT NULL,
    latency_sum_us INTEGER NOT NULL,
    latency_min_us INTEGER NOT NULL,
    latency_max_us INTEGER NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost_micros INTEGER NOT NULL,
    costed_calls INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    unpriced_tokens_in INTEGER NOT NULL,
    unpriced_tokens_out INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    ratings INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    judged INTEGER NOT NULL,
    histogram BLOB NOT NULL,
    PRIMARY KEY (bucket, agent_id, tool, model)
) WITHOUT ROWID;
CREATE TABLE rollup_day (
    bucket INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    model TEXT NOT NULL,
    calls INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    timeouts INTEGER NOT NULL,
    denied INTEGER NOT NULL,
    latency_sum_us INTEGER NOT NULL,
    latency_min_us INTEGER NOT NULL,
    latency_max_us INTEGER NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost_micros INTEGER NOT NULL,
    costed_calls INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    unpriced_tokens_in INTEGER NOT NULL,
    unpriced_tokens_out INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    ratings INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    judged INTEGER NOT NULL,
    histogram BLOB NOT NULL,
    PRIMARY KEY (bucket, agent_id, tool, model)
) WITHOUT ROWID;
CREATE TABLE rollup_day_user (
    bucket INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    model TEXT NOT NULL,
    calls INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    timeouts INTEGER NOT NULL,
    denied INTEGER NOT NULL,
    latency_sum_us INTEGER NOT NULL,
    latency_min_us INTEGER NOT NULL,
    latency_max_us INTEGER NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost_micros INTEGER NOT NULL,
    costed_calls INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    unpriced_tokens_in INTEGER NOT NULL,
    unpriced_tokens_out INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    ratings INTEGER NOT NULL,
    correct INTEGER NOT NULL,
    judged INTEGER NOT NULL,
    histogram BLOB NOT NULL,
    PRIMARY KEY (user_id, bucket, agent_id, model)
) WITHOUT ROWID;
CREATE TABLE replica_changes (
    agent_id TEXT NOT NULL,
    target   TEXT NOT NULL,
    at_us    INTEGER NOT NULL,
    replicas INTEGER NOT NULL,
    PRIMARY KEY (agent_id, target, at_us)
);
"#,
    ),    (
        13,
        Concern::Executions,
        "alerts that fired, and whether they were sent",
        r#"
CREATE TABLE alerts (
    id        INTEGER PRIMARY KEY,
    alert_key TEXT NOT NULL,
    rule      TEXT NOT NULL,
    fired_us  INTEGER NOT NULL,
    message   TEXT NOT NULL,
    delivered INTEGER NOT NULL,
    throttled INTEGER NOT NULL
);
CREATE INDEX alerts_by_key ON alerts(alert_key, fired_us);
CREATE INDEX alerts_by_time ON alerts(fired_us);
"#,
    ),
];

/// The migration that adds the rollups: applying it builds them from the executions stored.
pub const ROLLUPS: u32 = 12;

pub fn latest() -> u32 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// The newest migration of `concerns`: the schema version a database opened for them gets.
#[cfg(test)]
pub fn latest_of(concerns: &[Concern]) -> u32 {
    MIGRATIONS
        .iter()
        .filter(|m| concerns.contains(&m.1))
        .map(|m| m.0)
        .max()
        .unwrap_or(0)
}

/// The schema version of a database holding the migrations `applied`, as opened for
/// `concerns`: the last one of theirs it holds.
pub fn version_of(applied: &[u32], concerns: &[Concern]) -> u32 {
    MIGRATIONS
        .iter()
        .filter(|m| concerns.contains(&m.1) && applied.contains(&m.0))
        .map(|m| m.0)
        .max()
        .unwrap_or(0)
}

/// The same schema for PostgreSQL, version for version. Timestamps stay RFC 3339 text so
/// that both stores compare and return them alike; canonical event bodies are text (they
/// are UTF-8 JSON) so that `strpos` can search them.
pub const PG_MIGRATIONS: &[Migration] = &[
    (
        1,
        Concern::Domain,
        "agents, creations, registry",
        r#"
CREATE TABLE agents (
    name            TEXT PRIMARY KEY,
    display_name    TEXT NOT NULL,
    domain          TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    project_dir     TEXT NOT NULL,
    repository_url  TEXT,
    commit_id       TEXT,
    template        TEXT NOT NULL,
    creation_id     TEXT NOT NULL,
    spec            TEXT NOT NULL
);
CREATE TABLE creations (
    id          TEXT PRIMARY KEY,
    agent_name  TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    failed_step TEXT,
    error       TEXT
);
CREATE INDEX creations_by_agent ON creations(agent_name, started_at);
CREATE TABLE creation_steps (
    creation_id TEXT NOT NULL REFERENCES creations(id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT,
    message     TEXT,
    PRIMARY KEY (creation_id, position)
);
CREATE TABLE mcp_servers (
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    agent_name    TEXT REFERENCES agents(name) ON DELETE CASCADE,
    manifest      TEXT NOT NULL,
    phase         TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
"#,
    ),
    (
        2,
        Concern::Domain,
        "registry entries keep their source document, format and validation report",
        r#"
ALTER TABLE mcp_servers ADD COLUMN format TEXT NOT NULL DEFAULT 'manifest';
ALTER TABLE mcp_servers ADD COLUMN source TEXT;
ALTER TABLE mcp_servers ADD COLUMN report TEXT;
UPDATE mcp_servers SET source = manifest WHERE source IS NULL;
CREATE INDEX mcp_servers_by_kind ON mcp_servers(kind, name);
"#,
    ),
    (
        3,
        Concern::Domain,
        "deployments",
        r#"
CREATE TABLE deployments (
    agent_name      TEXT NOT NULL,
    target          TEXT NOT NULL,
    environment     TEXT NOT NULL,
    status          TEXT NOT NULL,
    replicas_wanted BIGINT NOT NULL,
    artifact        TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    detail          TEXT NOT NULL,
    PRIMARY KEY (agent_name, target)
);
"#,
    ),
    (
        4,
        Concern::Audit,
        "audit trail",
        r#"
CREATE TABLE audit_events (
    sequence    BIGINT PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    timestamp   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    severity    TEXT NOT NULL,
    status      TEXT NOT NULL,
    resource    TEXT NOT NULL,
    agent_id    TEXT,
    body        TEXT NOT NULL,
    hash        BYTEA NOT NULL
);
CREATE INDEX audit_by_time ON audit_events(timestamp);
CREATE INDEX audit_by_user ON audit_events(user_id, timestamp);
CREATE INDEX audit_by_type ON audit_events(event_type, timestamp);
CREATE INDEX audit_by_agent ON audit_events(agent_id, timestamp);
CREATE TABLE audit_checkpoints (
    sequence    BIGINT PRIMARY KEY,
    hash        BYTEA NOT NULL,
    at          TEXT NOT NULL,
    signature   BYTEA NOT NULL,
    public_key  BYTEA NOT NULL
);
"#,
    ),
    (
        5,
        Concern::Audit,
        "audit sink cursors",
        r#"
CREATE TABLE audit_sinks (
    name      TEXT PRIMARY KEY,
    sequence  BIGINT NOT NULL
);
"#,
    ),
    (
        6,
        Concern::Audit,
        "audit events are unique by (timestamp, event_id): the time index finds duplicates at its right edge instead of a random-order id index",
        r#"
ALTER TABLE audit_events DROP CONSTRAINT audit_events_event_id_key;
DROP INDEX audit_by_time;
CREATE UNIQUE INDEX audit_by_time ON audit_events(timestamp, event_id);
"#,
    ),
    (
        7,
        Concern::Audit,
        "checkpoints say whether they anchor a retention purge",
        r#"
ALTER TABLE audit_checkpoints ADD COLUMN anchors_purge BOOLEAN NOT NULL DEFAULT false;
"#,
    ),
    (
        8,
        Concern::Audit,
        "audit postings (SQLite only: PostgreSQL keeps its user, type and agent indexes)",
        "SELECT 1;",
    ),
    (
        9,
        Concern::Executions,
        "executions and their feedback",
        r#"
CREATE TABLE executions (
    id             TEXT PRIMARY KEY,
    at_us          BIGINT NOT NULL,
    agent_id       TEXT NOT NULL,
    tool           TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    organization   TEXT,
    session_id     TEXT,
    replica        INTEGER,
    latency_us     BIGINT NOT NULL,
    status         TEXT NOT NULL,
    request_bytes  BIGINT NOT NULL,
    response_bytes BIGINT NOT NULL,
    tokens_in      BIGINT,
    tokens_out     BIGINT,
    cost_micros    BIGINT,
    model          TEXT,
    trace_id       TEXT,
    error          TEXT
);
CREATE INDEX executions_by_time ON executions(at_us);
CREATE INDEX executions_by_agent ON executions(agent_id, at_us);
CREATE INDEX executions_by_user ON executions(user_id, at_us);
CREATE TABLE execution_feedback (
    execution_id TEXT PRIMARY KEY REFERENCES executions(id) ON DELETE CASCADE,
    rating       SMALLINT NOT NULL,
    correct      BOOLEAN,
    user_id      TEXT NOT NULL,
    given_at_us  BIGINT NOT NULL
);
"#,
    ),
    (
        10,
        Concern::Domain,
        "tool definitions pinned per server",
        r#"
CREATE TABLE tool_pins (
    server             TEXT NOT NULL,
    tool               TEXT NOT NULL,
    hash               TEXT NOT NULL,
    definition         TEXT NOT NULL,
    pinned_at          TEXT NOT NULL,
    pending_hash       TEXT,
    pending_definition TEXT,
    PRIMARY KEY (server, tool)
);
"#,
    ),
    (
        11,
        Concern::Executions,
        "the arguments of executions: their shape, or their values where allowed",
        "ALTER TABLE executions ADD COLUMN arguments TEXT;",
    ),
    (
        12,
        Concern::Executions,
        "rollups of executions per hour, per day, and per day and user; replica counts over time",
        r#"
CREATE TABLE rollup_hour (
    bucket BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    model TEXT NOT NULL,
    calls BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    timeouts BIGINT NOT NULL,
    denied BIGINT NOT NULL,
    latency_sum_us BIGINT NOT NULL,
    latency_min_us BIGINT NOT NULL,
    latency_max_us BIGINT NOT NULL,
    tokens_in BIGINT NOT NULL,
    tokens_out BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    costed_calls BIGINT NOT NULL,
    unpriced_calls BIGINT NOT NULL,
    unpriced_tokens_in BIGINT NOT NULL,
    unpriced_tokens_out BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    ratings BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    judged BIGINT NOT NULL,
    histogram BYTEA NOT NULL,
    PRIMARY KEY (bucket, agent_id, tool, model)
);
CREATE TABLE rollup_day (
    bucket BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    model TEXT NOT NULL,
    calls BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    timeouts BIGINT NOT NULL,
    denied BIGINT NOT NULL,
    latency_sum_us BIGINT NOT NULL,
    latency_min_us BIGINT NOT NULL,
    latency_max_us BIGINT NOT NULL,
    tokens_in BIGINT NOT NULL,
    tokens_out BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    costed_calls BIGINT NOT NULL,
    unpriced_calls BIGINT NOT NULL,
    unpriced_tokens_in BIGINT NOT NULL,
    unpriced_tokens_out BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    ratings BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    judged BIGINT NOT NULL,
    histogram BYTEA NOT NULL,
    PRIMARY KEY (bucket, agent_id, tool, model)
);
CREATE TABLE rollup_day_user (
    bucket BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    model TEXT NOT NULL,
    calls BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    timeouts BIGINT NOT NULL,
    denied BIGINT NOT NULL,
    latency_sum_us BIGINT NOT NULL,
    latency_min_us BIGINT NOT NULL,
    latency_max_us BIGINT NOT NULL,
    tokens_in BIGINT NOT NULL,
    tokens_out BIGINT NOT NULL,
    cost_micros BIGINT NOT NULL,
    costed_calls BIGINT NOT NULL,
    unpriced_calls BIGINT NOT NULL,
    unpriced_tokens_in BIGINT NOT NULL,
    unpriced_tokens_out BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    ratings BIGINT NOT NULL,
    correct BIGINT NOT NULL,
    judged BIGINT NOT NULL,
    histogram BYTEA NOT NULL,
    PRIMARY KEY (user_id, bucket, agent_id, model)
);
CREATE TABLE replica_changes (
    agent_id TEXT NOT NULL,
    target   TEXT NOT NULL,
    at_us    BIGINT NOT NULL,
    replicas INTEGER NOT NULL,
    PRIMARY KEY (agent_id, target, at_us)
);
"#,
    ),    (
        13,
        Concern::Executions,
        "alerts that fired, and whether they were sent",
        r#"
CREATE TABLE alerts (
    id        BIGSERIAL PRIMARY KEY,
    alert_key TEXT NOT NULL,
    rule      TEXT NOT NULL,
    fired_us  BIGINT NOT NULL,
    message   TEXT NOT NULL,
    delivered BOOLEAN NOT NULL,
    throttled BOOLEAN NOT NULL
);
CREATE INDEX alerts_by_key ON alerts(alert_key, fired_us);
CREATE INDEX alerts_by_time ON alerts(fired_us);
"#,
    ),
];
