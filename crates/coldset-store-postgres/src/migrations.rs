//! Embedded schema migrations, applied in order inside one transaction each; the
//! `schema_migrations` table records which ran. A migration is never edited once released:
//! add a new one.
//!
//! The tables mirror the SQLite adapter's so that the two backends hold the same data in
//! the same shape (text ids, integer milliseconds, raw bytes for hashes and event bodies).

/// Creates the bookkeeping table itself. Run once, by `PostgresStore::create`, in the same
/// transaction as the first migrations so that a failed `init` leaves nothing behind.
pub const BOOTSTRAP: &str = r#"
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
"#;

pub const MIGRATIONS: &[&str] = &[
    // 1: the ledger, projections, checkpoints and accounts.
    r#"
    CREATE TABLE productions (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    -- The event log: canonical bytes are the truth; seq is per production.
    CREATE TABLE events (
        production TEXT NOT NULL,
        seq BIGINT NOT NULL,
        kind TEXT NOT NULL,
        at BIGINT NOT NULL,
        body BYTEA NOT NULL,
        leaf_hash BYTEA NOT NULL,
        PRIMARY KEY (production, seq)
    );
    -- Hashes of complete perfect subtrees (level >= 1) of each production's Merkle tree.
    CREATE TABLE tree_nodes (
        production TEXT NOT NULL,
        level SMALLINT NOT NULL,
        idx BIGINT NOT NULL,
        hash BYTEA NOT NULL,
        PRIMARY KEY (production, level, idx)
    );
    -- Current state of each record, rebuilt from the log by `coldset verify`.
    CREATE TABLE projections (
        production TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        version BIGINT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (production, kind, id)
    );
    CREATE TABLE checkpoints (
        production TEXT NOT NULL,
        size BIGINT NOT NULL,
        root BYTEA NOT NULL,
        at BIGINT NOT NULL,
        note TEXT NOT NULL,
        PRIMARY KEY (production, size)
    );
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        is_admin BOOLEAN NOT NULL,
        created_at BIGINT NOT NULL
    );

    -- Second line of defence behind the code (R-REC-6): the log, the tree and the
    -- checkpoints are append-only. The message to raise is the trigger's argument.
    CREATE FUNCTION coldset_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
        RAISE EXCEPTION '%', TG_ARGV[0];
    END;
    $fn$;
    -- Statement-level so that TRUNCATE (which skips row triggers) is refused too.
    CREATE TRIGGER events_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON events
        FOR EACH STATEMENT
        EXECUTE FUNCTION coldset_append_only('events are append-only (R-REC-6): record a correction instead');
    CREATE TRIGGER tree_nodes_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON tree_nodes
        FOR EACH STATEMENT
        EXECUTE FUNCTION coldset_append_only('tree nodes are append-only');
    CREATE TRIGGER checkpoints_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON checkpoints
        FOR EACH STATEMENT
        EXECUTE FUNCTION coldset_append_only('checkpoints are append-only');
    "#,
    // 2: access: accounts acting as people, API tokens, confirmation PINs, idempotency keys.
    r#"
    -- One person per (account, production).
    CREATE TABLE account_people (
        account TEXT NOT NULL REFERENCES accounts(name),
        production TEXT NOT NULL,
        person TEXT NOT NULL,
        PRIMARY KEY (account, production)
    );
    -- Only the SHA-256 (hex) of a token's secret is kept; scopes are comma-joined.
    CREATE TABLE api_tokens (
        hash TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        scopes TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT
    );
    CREATE TABLE person_pins (
        production TEXT NOT NULL,
        person TEXT NOT NULL,
        pin_hash TEXT NOT NULL,
        PRIMARY KEY (production, person)
    );
    -- Written in the same transaction as the command's events.
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
    -- Written in the same transaction as the events that caused each notification.
    CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        production TEXT NOT NULL,
        event_seq BIGINT NOT NULL,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        delivered_at BIGINT,
        last_error TEXT
    );
    -- Only undelivered items are ever looked up by due time.
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
    "#,
    // 4: content-addressed attachments (report photos).
    r#"
    -- Keyed by the SHA-256 (hex) of the bytes, which the event that mentions it records:
    -- storing the same file twice keeps the first copy.
    CREATE TABLE attachments (
        hash TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        bytes BYTEA NOT NULL
    );
    "#,
    // 5: TOTP second factor per account.
    r#"
    CREATE TABLE account_totp (
        account TEXT PRIMARY KEY REFERENCES accounts(name),
        secret TEXT NOT NULL,
        confirmed BOOLEAN NOT NULL
    );
    "#,
    // 6: passkeys (WebAuthn credentials) people confirm with, like a PIN.
    r#"
    CREATE TABLE person_passkeys (
        production TEXT NOT NULL,
        credential_id TEXT NOT NULL,
        person TEXT NOT NULL,
        public_key TEXT NOT NULL,
        counter BIGINT NOT NULL,
        PRIMARY KEY (production, credential_id)
    );
    "#,
    // 7: several nodes on one database: who is alive, and which node writes each
    // production (a lease with a fencing token, timed by the database's clock).
    r#"
    CREATE TABLE cluster_nodes (
        node TEXT PRIMARY KEY,
        seen_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE leases (
        production TEXT PRIMARY KEY,
        node TEXT NOT NULL,
        token BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
    );
    "#,
];
