//! Embedded schema migrations, applied in order; `PRAGMA user_version` records how many ran.
//! A migration is never edited once released: add a new one.

pub const MIGRATIONS: &[&str] = &[
    // 1: the ledger, projections, checkpoints and accounts.
    r#"
    CREATE TABLE productions (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    -- The event log: canonical bytes are the truth; seq is per production.
    CREATE TABLE events (
        production TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        body BLOB NOT NULL,
        leaf_hash BLOB NOT NULL,
        PRIMARY KEY (production, seq)
    ) WITHOUT ROWID;
    -- Second line of defence behind the code (R-REC-6): the log is append-only.
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only (R-REC-6): record a correction instead'); END;
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only (R-REC-6): record a correction instead'); END;
    -- Hashes of complete perfect subtrees (level >= 1) of each production's Merkle tree.
    CREATE TABLE tree_nodes (
        production TEXT NOT NULL,
        level INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (production, level, idx)
    ) WITHOUT ROWID;
    CREATE TRIGGER tree_nodes_append_only_update BEFORE UPDATE ON tree_nodes
        BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;
    CREATE TRIGGER tree_nodes_append_only_delete BEFORE DELETE ON tree_nodes
        BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;
    -- Current state of each record, rebuilt from the log by `coldset verify`.
    CREATE TABLE projections (
        production TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (production, kind, id)
    ) WITHOUT ROWID;
    CREATE TABLE checkpoints (
        production TEXT NOT NULL,
        size INTEGER NOT NULL,
        root BLOB NOT NULL,
        at INTEGER NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (production, size)
    ) WITHOUT ROWID;
    CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
    CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        is_admin INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    "#,
    // 2: access: accounts acting as people, API tokens, confirmation PINs, idempotency keys.
    r#"
    CREATE TABLE account_people (
        account TEXT NOT NULL REFERENCES accounts(name),
        production TEXT NOT NULL,
        person TEXT NOT NULL,
        PRIMARY KEY (account, production)
    );
    CREATE TABLE api_tokens (
        hash TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        scopes TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER
    );
    CREATE TABLE person_pins (
        production TEXT NOT NULL,
        person TEXT NOT NULL,
        pin_hash TEXT NOT NULL,
        PRIMARY KEY (production, person)
    );
    CREATE TABLE idempotency_keys (
        account TEXT NOT NULL,
        key TEXT NOT NULL,
        production TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        seqs TEXT NOT NULL,
        PRIMARY KEY (account, key)
    );
    "#,
    // 3: the notification outbox (webhooks, e-mail) and its delivery log.
    r#"
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        production TEXT NOT NULL,
        event_seq INTEGER NOT NULL,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_at INTEGER,
        last_error TEXT
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
    "#,
    // 4: content-addressed attachments (report photos).
    r#"
    CREATE TABLE attachments (
        hash TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        bytes BLOB NOT NULL
    );
    "#,
    // 5: TOTP second factor per account.
    r#"
    CREATE TABLE account_totp (
        account TEXT PRIMARY KEY REFERENCES accounts(name),
        secret TEXT NOT NULL,
        confirmed INTEGER NOT NULL
    );
    "#,
    // 6: passkeys (WebAuthn credentials) people confirm with, like a PIN.
    r#"
    CREATE TABLE person_passkeys (
        production TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        person TEXT NOT NULL,
        public_key TEXT NOT NULL,
        counter INTEGER NOT NULL,
        PRIMARY KEY (production, credential_id)
    );
    "#,
];
