// The archive's schema as an ordered list of migrations. Migration i (0-based) takes a database
// from schema version i to i + 1; openStore applies the missing ones, each in its own
// transaction. Never edit a migration that has shipped: append a new one.
//
// Design choices (why the tables look like this):
// - papers: the whole archive, one row per paper, never pruned. text_hash = sha1(title, text)
//   tells a changed abstract from a re-delivered one. A normal rowid table: rows carry whole
//   abstracts, which WITHOUT ROWID tables store badly.
// - run_assignments: one row per run holding the run's assignment as three compressed BLOBs
//   (paper ids, Int32 clusters, Float32 scores) instead of one row per (run, paper). At 75k
//   papers a night a row-per-paper table grows by 75k rows and ~5 MB of index a night and costs
//   ~0.2 s of inserts; the BLOB is ~0.5 MB, written and read in milliseconds, and the pipeline
//   only ever reads a whole run's assignment. Only the last N runs are kept (Store option).
// - topics: small (k rows a run) and kept for every run: it is the lineage history.
// - editor_labels: keyed by stable topic id, with the topic's terms at naming time so that a
//   drifting topic can be flagged for review.
// - meta: key/value pairs; next_topic_id is the next stable topic id to hand out (ids are never
//   reused, even after a topic died).

export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO meta (key, value) VALUES ('next_topic_id', '0');

  CREATE TABLE papers (
    id             TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    text           TEXT NOT NULL,
    date           TEXT NOT NULL,
    label          TEXT,
    url            TEXT,
    source         TEXT NOT NULL,
    text_hash      TEXT NOT NULL,
    first_seen_run TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    extra_json     TEXT
  );
  CREATE INDEX papers_by_date ON papers (date, id);
  CREATE INDEX papers_by_first_seen_run ON papers (first_seen_run, id);

  CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL CHECK (status IN ('running', 'published', 'failed')),
    config_json TEXT NOT NULL,
    counts_json TEXT,
    report_dir  TEXT
  );
  CREATE INDEX runs_by_status ON runs (status, created_at);

  CREATE TABLE topics (
    run_id       TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    cluster      INTEGER NOT NULL CHECK (cluster >= 0),
    topic_id     INTEGER NOT NULL CHECK (topic_id >= 0),
    label        TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    terms_json   TEXT NOT NULL,
    metrics_json TEXT NOT NULL,
    PRIMARY KEY (run_id, cluster),
    UNIQUE (run_id, topic_id)
  );
  CREATE INDEX topics_by_topic_id ON topics (topic_id);

  CREATE TABLE run_assignments (
    run_id    TEXT PRIMARY KEY REFERENCES runs (run_id) ON DELETE CASCADE,
    count     INTEGER NOT NULL,
    paper_ids BLOB NOT NULL,
    clusters  BLOB NOT NULL,
    scores    BLOB NOT NULL
  );

  CREATE TABLE editor_labels (
    topic_id      INTEGER PRIMARY KEY,
    label         TEXT NOT NULL,
    set_at        TEXT NOT NULL,
    set_from_run  TEXT NOT NULL,
    terms_json    TEXT NOT NULL,
    needs_review  INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
    review_reason TEXT
  );
  `,
];
