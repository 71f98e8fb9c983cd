"""The bare app's votes table: created by the runner before the load, dropped after."""

BARE_VOTES_TABLE = "bench_bare_votes"
CREATE_BARE_VOTES = f"""
CREATE TABLE IF NOT EXISTS {BARE_VOTES_TABLE} (
    question_id integer NOT NULL, reader_hash varchar(64) NOT NULL,
    choice_id integer NOT NULL, created_at timestamp NOT NULL,
    PRIMARY KEY (question_id, reader_hash)
)"""
