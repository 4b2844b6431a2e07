// Versioned schema migrations for the SQLite backend; PRAGMA user_version records how far a file has come.

/** Each entry migrates from version i to i + 1. Never edit a shipped entry: append a new one. */
export const MIGRATIONS: readonly string[] = [
  /* 0 -> 1: traces, places, tags, full-text index, annotations, the event log, identity, trails */ `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

  CREATE TABLE traces (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    trust TEXT NOT NULL,
    status TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_model TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    strength REAL NOT NULL,
    strength_at INTEGER NOT NULL,
    decay_key REAL NOT NULL,
    content_hash TEXT NOT NULL,
    follows INTEGER NOT NULL,
    version INTEGER NOT NULL,
    places TEXT NOT NULL,
    tags TEXT NOT NULL,
    meta TEXT NOT NULL
  ) STRICT;
  CREATE INDEX traces_status_key ON traces (status, decay_key DESC);
  CREATE INDEX traces_author ON traces (author_name);
  CREATE INDEX traces_created ON traces (created_at);
  CREATE INDEX traces_content_hash ON traces (content_hash);

  CREATE TABLE trace_places (place TEXT NOT NULL, trace_seq INTEGER NOT NULL, PRIMARY KEY (place, trace_seq)) STRICT, WITHOUT ROWID;
  CREATE INDEX trace_places_seq ON trace_places (trace_seq);
  CREATE TABLE trace_tags (tag TEXT NOT NULL, trace_seq INTEGER NOT NULL, PRIMARY KEY (tag, trace_seq)) STRICT, WITHOUT ROWID;
  CREATE INDEX trace_tags_seq ON trace_tags (trace_seq);

  -- Contentless: the index keeps no copy of the text. Entries are removed with the 'delete' command and
  -- the indexed values, which with secure-delete takes a forgotten trace's terms out of the index pages
  -- themselves instead of leaving them behind delete markers.
  CREATE VIRTUAL TABLE traces_fts USING fts5 (
    text, tags, places, author,
    content = '',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  INSERT INTO traces_fts (traces_fts, rank) VALUES ('secure-delete', 1);

  CREATE TABLE annotations (
    id TEXT PRIMARY KEY,
    trace_id TEXT NOT NULL,
    stance TEXT NOT NULL,
    text TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_role TEXT NOT NULL,
    author_model TEXT,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX annotations_trace ON annotations (trace_id, created_at);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_model TEXT,
    trace_id TEXT,
    subject TEXT,
    reason TEXT,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX events_trace ON events (trace_id, seq);
  CREATE INDEX events_subject ON events (subject, seq);
  CREATE INDEX events_actor ON events (actor_name, seq);
  -- The palimpsest is append-only: the database itself refuses to change or drop an event.
  CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

  CREATE TABLE identity_versions (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    version INTEGER,
    base_version INTEGER NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at INTEGER NOT NULL,
    decided_by TEXT,
    decided_at INTEGER,
    decision_note TEXT,
    UNIQUE (doc, version)
  ) STRICT;
  CREATE INDEX identity_versions_doc ON identity_versions (doc, status);

  CREATE TABLE trails (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    steps TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  /* 1 -> 2: the board: instances, claims, messages with per-reader read state, handoffs */ `
  CREATE TABLE instances (
    name TEXT PRIMARY KEY,
    model TEXT,
    project TEXT,
    host TEXT,
    pid INTEGER,
    registered_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ended_at INTEGER,
    places TEXT NOT NULL,
    last_check_in TEXT
  ) STRICT;

  CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    holder TEXT NOT NULL,
    note TEXT,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    released_at INTEGER
  ) STRICT;
  CREATE INDEX claims_open ON claims (target, expires_at) WHERE released_at IS NULL;
  CREATE INDEX claims_holder ON claims (holder) WHERE released_at IS NULL;

  CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    from_author TEXT NOT NULL,
    from_name TEXT NOT NULL,
    to_name TEXT,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX messages_to ON messages (to_name, created_at);
  CREATE TABLE message_reads (
    message_id TEXT NOT NULL,
    reader TEXT NOT NULL,
    read_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, reader)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE handoffs (
    id TEXT PRIMARY KEY,
    instance TEXT NOT NULL,
    summary TEXT NOT NULL,
    open_threads TEXT NOT NULL,
    trace_ids TEXT NOT NULL,
    trails TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX handoffs_created ON handoffs (created_at);
  `,
  /* 2 -> 3: emergent trails: movement between places reinforces directed edges that decay like traces */ `
  CREATE TABLE movements (
    from_place TEXT NOT NULL,
    to_place TEXT NOT NULL,
    strength REAL NOT NULL,
    strength_at INTEGER NOT NULL,
    decay_key REAL NOT NULL,
    count INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    last_instance TEXT NOT NULL,
    PRIMARY KEY (from_place, to_place)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX movements_key ON movements (decay_key DESC);
  CREATE INDEX movements_to ON movements (to_place);
  ALTER TABLE instances ADD COLUMN last_place TEXT;
  ALTER TABLE instances ADD COLUMN last_place_at INTEGER;
  `,
  /* 3 -> 4: find traces by where they came from (ingest keeps sources in step with their documents) */ `
  CREATE INDEX traces_source ON traces (source);
  `,
  /* 4 -> 5: receipts of portable writes, so a write retried after its committer died is applied once */ `
  CREATE TABLE write_receipts (key TEXT PRIMARY KEY, op TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL) STRICT, WITHOUT ROWID;
  CREATE INDEX write_receipts_at ON write_receipts (at);
  `,
  /* 5 -> 6: new traces join the full-text index in batches; every trace up to indexed_seq is in it */ `
  CREATE TABLE text_index_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_seq INTEGER NOT NULL) STRICT;
  INSERT INTO text_index_state (id, indexed_seq) SELECT 1, coalesce(max(seq), 0) FROM traces;
  `,
  /* 6 -> 7: two indexes hold only the rows they are for, so a deposit writes two index pages fewer: events by
     subject (trace events have none), traces by source (only ingested sources are looked up) */ `
  DROP INDEX events_subject;
  CREATE INDEX events_subject ON events (subject, seq) WHERE subject IS NOT NULL;
  DROP INDEX traces_source;
  CREATE INDEX traces_ingest_source ON traces (source) WHERE source GLOB 'ingest:*';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
