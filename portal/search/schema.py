"""The search index, kept by the database itself so that no write path can forget it.

SQLite: FTS5 tables whose content is the comments and posts tables (nothing is stored twice),
kept by triggers, plus a small FTS5 table holding only answered questions for "has this been
asked?". PostgreSQL: generated `tsvector` columns with GIN indexes (English stemming).
Either way a change to the text is indexed in the transaction that makes it; who may see what
is decided when searching (engine.py), never here.

A later migration that rebuilds `comments` or `posts` on SQLite (Alembic's batch mode copies
the table and drops the old one, and its triggers with it) must call `install` again.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

# porter: "treatments" finds "treatment"; remove_diacritics: "cafe" finds "café".
_TOKENIZER = "porter unicode61 remove_diacritics 2"

_ANSWERED = "new.kind = 'question' AND new.question_state = 'answered'"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS comments_fts USING fts5(
        body_source, content='comments', content_rowid='id', tokenize='{_TOKENIZER}')""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(
        title, summary, body_source, references_source,
        content='posts', content_rowid='id', tokenize='{_TOKENIZER}')""",
    # Answered questions alone, each with its answer's words: the "answered" group and "has
    # this been asked?" search this small table instead of every comment.
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS answered_fts USING fts5(
        question, answer, tokenize='{_TOKENIZER}')""",
    # How many answered questions hold each word (stem): "has this been asked?" keeps a
    # draft's rare words and drops the ones half the questions share.
    """CREATE VIRTUAL TABLE IF NOT EXISTS answered_vocab USING fts5vocab(answered_fts, 'row')""",
    """CREATE TRIGGER IF NOT EXISTS comments_fts_insert AFTER INSERT ON comments BEGIN
        INSERT INTO comments_fts(rowid, body_source) VALUES (new.id, new.body_source);
    END""",
    """CREATE TRIGGER IF NOT EXISTS comments_fts_delete AFTER DELETE ON comments BEGIN
        INSERT INTO comments_fts(comments_fts, rowid, body_source)
            VALUES ('delete', old.id, old.body_source);
        DELETE FROM answered_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS comments_fts_update AFTER UPDATE OF body_source ON comments
    BEGIN
        INSERT INTO comments_fts(comments_fts, rowid, body_source)
            VALUES ('delete', old.id, old.body_source);
        INSERT INTO comments_fts(rowid, body_source) VALUES (new.id, new.body_source);
    END""",
    # A question enters when answered and leaves when it is not; its row is made again when
    # its words, or its answer, change.
    f"""CREATE TRIGGER IF NOT EXISTS answered_fts_insert AFTER INSERT ON comments
    WHEN {_ANSWERED} BEGIN
        INSERT INTO answered_fts(rowid, question, answer)
            SELECT new.id, new.body_source, answer.body_source
            FROM comments AS answer WHERE answer.id = new.answer_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS answered_fts_update
    AFTER UPDATE OF kind, question_state, answer_id, body_source ON comments BEGIN
        DELETE FROM answered_fts WHERE rowid = old.id;
        INSERT INTO answered_fts(rowid, question, answer)
            SELECT new.id, new.body_source, answer.body_source
            FROM comments AS answer WHERE answer.id = new.answer_id AND {_ANSWERED};
    END""",
    """CREATE TRIGGER IF NOT EXISTS answered_fts_answer_edited
    AFTER UPDATE OF body_source ON comments BEGIN
        DELETE FROM answered_fts
            WHERE rowid IN (SELECT id FROM comments WHERE answer_id = new.id);
        INSERT INTO answered_fts(rowid, question, answer)
            SELECT question.id, question.body_source, new.body_source
            FROM comments AS question
            WHERE question.answer_id = new.id AND question.kind = 'question'
                AND question.question_state = 'answered';
    END""",
    """CREATE TRIGGER IF NOT EXISTS posts_fts_insert AFTER INSERT ON posts BEGIN
        INSERT INTO posts_fts(rowid, title, summary, body_source, references_source)
            VALUES (new.id, new.title, new.summary, new.body_source, new.references_source);
    END""",
    """CREATE TRIGGER IF NOT EXISTS posts_fts_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, title, summary, body_source, references_source)
            VALUES ('delete', old.id, old.title, old.summary, old.body_source,
                    old.references_source);
    END""",
    """CREATE TRIGGER IF NOT EXISTS posts_fts_update
    AFTER UPDATE OF title, summary, body_source, references_source ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, title, summary, body_source, references_source)
            VALUES ('delete', old.id, old.title, old.summary, old.body_source,
                    old.references_source);
        INSERT INTO posts_fts(rowid, title, summary, body_source, references_source)
            VALUES (new.id, new.title, new.summary, new.body_source, new.references_source);
    END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS comments_fts_insert",
    "DROP TRIGGER IF EXISTS comments_fts_delete",
    "DROP TRIGGER IF EXISTS comments_fts_update",
    "DROP TRIGGER IF EXISTS answered_fts_insert",
    "DROP TRIGGER IF EXISTS answered_fts_update",
    "DROP TRIGGER IF EXISTS answered_fts_answer_edited",
    "DROP TRIGGER IF EXISTS posts_fts_insert",
    "DROP TRIGGER IF EXISTS posts_fts_delete",
    "DROP TRIGGER IF EXISTS posts_fts_update",
    "DROP TABLE IF EXISTS comments_fts",
    "DROP TABLE IF EXISTS posts_fts",
    "DROP TABLE IF EXISTS answered_vocab",
    "DROP TABLE IF EXISTS answered_fts",
]


def _english(column: str) -> str:
    # PostgreSQL's parser reads "<script>…</script>" typed in a comment as a tag and skips the
    # words inside; without the angle brackets both engines find the same words.
    return f"to_tsvector('english'::regconfig, translate(coalesce({column}, ''), '<>', '  '))"


# Marked answers alone: the "answered" group finds a question by its answer's words, and a
# common word matched through the index of every comment made the planner read them all.
POSTGRES_ANSWERS_INDEX = """CREATE INDEX IF NOT EXISTS ix_comments_answer_search ON comments
    USING gin (search_vector) WHERE kind = 'answer'"""

POSTGRES_CREATE = [
    f"""ALTER TABLE comments ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS ({_english("body_source")}) STORED""",
    "CREATE INDEX IF NOT EXISTS ix_comments_search ON comments USING gin (search_vector)",
    # Answered questions alone: "has this been asked?" matches a whole draft against them.
    """CREATE INDEX IF NOT EXISTS ix_comments_answered_search ON comments
        USING gin (search_vector) WHERE question_state = 'answered'""",
    POSTGRES_ANSWERS_INDEX,
    f"""ALTER TABLE posts ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (
            setweight({_english("title")}, 'A') || setweight({_english("summary")}, 'B')
            || setweight({_english("body_source")}, 'C')
            || setweight({_english("references_source")}, 'D')) STORED""",
    "CREATE INDEX IF NOT EXISTS ix_posts_search ON posts USING gin (search_vector)",
]

POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_comments_answer_search",
    "DROP INDEX IF EXISTS ix_comments_answered_search",
    "DROP INDEX IF EXISTS ix_comments_search",
    "DROP INDEX IF EXISTS ix_posts_search",
    "ALTER TABLE comments DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE posts DROP COLUMN IF EXISTS search_vector",
]

_POSTGRES_INDEXES = (
    "ix_comments_search",
    "ix_comments_answered_search",
    "ix_comments_answer_search",
    "ix_posts_search",
)
SQLITE_TABLES = ("comments_fts", "posts_fts", "answered_fts", "answered_vocab")


def install(connection: Connection) -> None:
    """Create the index and what keeps it, if missing. Safe to run again."""
    statements = POSTGRES_CREATE if _is_postgres(connection) else SQLITE_CREATE
    for statement in statements:
        connection.execute(text(statement))


def uninstall(connection: Connection) -> None:
    statements = POSTGRES_DROP if _is_postgres(connection) else SQLITE_DROP
    for statement in statements:
        connection.execute(text(statement))


def fill(connection: Connection) -> None:
    """Index every row from scratch: after installing, or to repair (flask reindex)."""
    if _is_postgres(connection):
        # Generated columns cannot drift from their text; the indexes are rebuilt.
        for index in _POSTGRES_INDEXES:
            connection.execute(text(f"REINDEX INDEX {index}"))
        return
    connection.execute(text("INSERT INTO comments_fts(comments_fts) VALUES ('rebuild')"))
    connection.execute(text("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')"))
    connection.execute(text("DELETE FROM answered_fts"))
    connection.execute(
        text(
            "INSERT INTO answered_fts(rowid, question, answer)"
            " SELECT question.id, question.body_source, answer.body_source"
            " FROM comments AS question JOIN comments AS answer ON answer.id = question.answer_id"
            " WHERE question.kind = 'question' AND question.question_state = 'answered'"
        )
    )


def is_installed(connection: Connection) -> bool:
    if _is_postgres(connection):
        columns = {column["name"] for column in inspect(connection).get_columns("comments")}
        return "search_vector" in columns
    names = set(inspect(connection).get_table_names())
    return set(SQLITE_TABLES) <= names


def is_search_object(name: str | None, kind: str, parent_names: dict) -> bool:
    """For Alembic's comparison with the models: the index is not part of the models."""
    if kind == "table" and name:
        # FTS5 keeps each table's index in shadow tables named after it: comments_fts_data...
        return any(name == table or name.startswith(f"{table}_") for table in SQLITE_TABLES)
    if kind == "column":
        return name == "search_vector"
    if kind == "index":
        return name in _POSTGRES_INDEXES
    return False


def _is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"
