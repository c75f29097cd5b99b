"""Issue 18, points 1, 3 and 5: the search index keeps step with every write, finds only what
anyone may read, and takes any query without harm. Runs on SQLite (FTS5) and, in CI's second
pass, on PostgreSQL (tsvector).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from portal import rendering
from portal.extensions import db
from portal.models import Comment, Post, utcnow
from portal.search import engine, schema, terms
from portal.search.engine import Filters

from .helpers import TEST_PASSWORD
from .hostile import all_hostile_cases


def found(query: str, kind: engine.Kind = "discussion", **filters) -> list[int]:
    return engine.search(terms.words(query), kind, Filters(**filters), limit=50).ids


def answer(question: Comment, reply: Comment) -> None:
    """As marking an answer leaves them (portal.questions.lifecycle.mark_answer)."""
    question.question_state = "answered"
    question.answer_id = reply.id
    reply.kind = "answer"
    db.session.commit()


@pytest.fixture()
def thread(post, people, make_comment):
    """A patient's answered question, a clinician's answer and a caregiver's tip."""
    question = make_comment(
        post, people["patient"], "Can thyroid problems start years after the second course?"
    )
    reply = make_comment(
        post,
        people["clinician"],
        "Yes: new cases were most frequent in the third year, so monthly blood tests continue.",
        parent=question,
    )
    answer(question, reply)
    tip = make_comment(
        post, people["caregiver"], "Keeping a diary of infusion days helped us.", kind="discussion"
    )
    return {"question": question, "answer": reply, "tip": tip}


# --- words ------------------------------------------------------------------------------------


def test_words_keep_letters_and_digits_only_and_drop_search_syntax():
    typed = 'thyroid NEAR(rash, 2) "second course" body_source:x* -(b12 OR fatigue'
    assert terms.words(typed) == [
        "thyroid",
        "near",
        "rash",
        "2",
        "second",
        "course",
        "body",
        "source",
        "x",
        "b12",
        "fatigue",
    ]


def test_words_are_limited_in_number_length_and_characters():
    assert len(terms.words(" ".join(f"word{n}" for n in range(100)))) == terms.MAX_WORDS
    assert terms.words("a" * 5000) == ["a" * terms.MAX_WORD_LENGTH]
    assert "thyroid" not in terms.words("x " * terms.MAX_QUERY_CHARACTERS + " thyroid")
    assert terms.words("\x00thy\x00roid\x1b[31m") == ["thy", "roid", "31m"]


def test_common_words_are_left_out_unless_nothing_else_was_typed():
    assert terms.words("what is the thyroid risk") == ["thyroid", "risk"]
    assert terms.words("the who") == ["the", "who"]


def test_a_drafts_telling_words_are_its_longest_in_the_order_written():
    draft = "I feel tired and my thyroid results after alemtuzumab are odd, is it the infusion?"
    assert terms.draft_words(draft, limit=4) == ["thyroid", "results", "alemtuzumab", "infusion"]


# --- finding, grouped -------------------------------------------------------------------------


def test_an_answered_question_is_found_by_its_words_or_its_answers(thread):
    question = thread["question"].id
    assert found("thyroid", "answered") == [question]
    assert found("blood tests", "answered") == [question]  # words only in the answer
    assert found("thyroid") == []  # shown as an answered question, not again as discussion
    assert found("blood tests") == []


def test_stemming_and_typing_find_the_word_being_written(thread):
    tip = thread["tip"].id
    assert found("infusions") == [tip]  # "infusions" finds "infusion"
    assert found("diar") == [tip]  # the last word is matched as the start of a word
    assert found("keep diary") == [tip]  # "keep" finds "keeping"


def test_every_word_must_match(thread):
    assert found("diary infusion") == [thread["tip"].id]
    assert found("diary thyroid") == []


def test_posts_are_found_by_title_summary_body_and_references(make_post):
    first = make_post("Ocrelizumab and infections", summary="What the trials saw.")
    second = make_post("Living with fatigue", body="Pacing helps.")
    rendering.set_post_body(second, "Pacing helps.", "Krupp 1989 fatigue scale")
    db.session.commit()
    assert found("ocrelizumab", "posts") == [first.id]
    assert found("trials", "posts") == [first.id]
    assert found("pacing", "posts") == [second.id]
    assert found("krupp", "posts") == [second.id]


def test_a_title_match_ranks_above_a_body_match(make_post):
    body = make_post("Sleep and MS", slug="sleep", body="Cladribine can tire some people.")
    title = make_post("Cladribine explained", slug="cladribine", body="Tablets in two years.")
    assert found("cladribine", "posts") == [title.id, body.id]


def test_filters_by_tag_and_date(make_post, people, make_comment):
    from portal.tags import get_or_create

    tagged = make_post("Alemtuzumab review", slug="alem")
    tagged.tags.append(get_or_create("alemtuzumab"))
    other = make_post("Fampridine review", slug="famp")
    db.session.commit()
    old = make_comment(tagged, people["caregiver"], "Infusion day notes", kind="discussion")
    old.created_at = utcnow() - timedelta(days=400)
    new = make_comment(other, people["caregiver"], "Infusion day snacks", kind="discussion")
    db.session.commit()
    assert set(found("infusion")) == {old.id, new.id}
    assert found("infusion", tag="alemtuzumab") == [old.id]
    assert found("infusion", since=utcnow() - timedelta(days=30)) == [new.id]
    assert found("review", "posts", tag="alemtuzumab") == [tagged.id]
    assert found("review", "posts", tag="no-such-tag") == []


def test_paging_counts_every_match_and_past_the_end_says_how_many(post, people, make_comment):
    for number in range(7):
        make_comment(post, people["caregiver"], f"Relapse note {number}", kind="discussion")
    first = engine.search(["relapse"], "discussion", limit=5)
    second = engine.search(["relapse"], "discussion", limit=5, offset=5)
    beyond = engine.search(["relapse"], "discussion", limit=5, offset=50)
    assert (first.total, len(first.ids), second.total, len(second.ids)) == (7, 5, 7, 2)
    assert not set(first.ids) & set(second.ids)
    assert beyond == engine.Found([], 7)


# --- kept in step, in the same transaction ----------------------------------------------------


def test_an_edit_is_found_by_its_new_words_only(thread):
    tip = thread["tip"]
    rendering.set_comment_body(tip, "A calendar of infusion days helped us.")
    db.session.flush()  # not committed: the index moves with the transaction
    assert found("calendar") == [tip.id]
    assert found("diary") == []
    db.session.rollback()
    assert found("diary") == [tip.id]
    assert found("calendar") == []


def test_deleting_by_the_writer_and_by_account_deletion_empties_the_index(thread, people):
    from portal.accounts import service as accounts
    from portal.comments import service as comments

    comments.delete(db.session.get(Comment, thread["tip"].id), people["caregiver"])
    db.session.commit()
    assert found("diary") == []
    # Not merely hidden: the words themselves are gone from the index.
    assert (
        db.session.execute(select(Comment.id).where(Comment.body_source.contains("diary"))).all()
        == []
    )

    accounts.delete_account(people["patient"], TEST_PASSWORD)
    db.session.commit()
    assert found("thyroid", "answered") == []
    assert found("thyroid") == []


def test_rows_removed_by_plain_sql_leave_the_index(thread):
    db.session.execute(delete(Comment).where(Comment.id == thread["tip"].id))
    db.session.commit()
    assert found("diary") == []


def test_a_question_answered_or_unanswered_by_a_bulk_update_is_regrouped(thread):
    question = thread["question"]
    db.session.execute(
        update(Comment)
        .where(Comment.id == question.id)
        .values(question_state="waiting", answer_id=None)
    )
    db.session.commit()
    assert found("thyroid", "answered") == []
    assert found("thyroid") == [question.id]  # a waiting question is discussion for now
    assert engine.similar_answered("thyroid second course") == []


def test_posts_edited_retitled_or_unpublished(make_post):
    post = make_post("Siponimod notes", slug="siponimod")
    post.title = "Siponimod in secondary progressive MS"
    db.session.commit()
    assert found("progressive", "posts") == [post.id]
    post.status = "draft"
    db.session.commit()
    assert found("siponimod", "posts") == []


def test_reindex_rebuilds_the_index_and_what_keeps_it(app, thread):
    with db.engine.begin() as connection:
        schema.uninstall(connection)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt" in result.output
    question, tip = thread["question"].id, thread["tip"].id
    db.session.remove()
    assert found("thyroid", "answered") == [question]
    tip = db.session.get(Comment, tip)
    rendering.set_comment_body(tip, "A notebook of infusion days.")
    db.session.commit()
    assert found("notebook") == [tip.id]  # the triggers are back
    assert found("diary") == []


def _search_objects() -> set[str]:
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            listed = "SELECT indexname FROM pg_indexes WHERE tablename IN ('comments', 'posts')"
        else:
            listed = "SELECT name FROM sqlite_master"
        return set(connection.exec_driver_sql(listed).scalars())


def test_every_index_the_engine_reads_is_there_and_reindex_makes_it_again(app, thread):
    expected = set(
        schema._POSTGRES_INDEXES if db.engine.dialect.name == "postgresql" else schema.SQLITE_TABLES
    )
    assert expected <= _search_objects()
    question = thread["question"].id
    db.session.remove()  # PostgreSQL drops nothing a transaction still reads from
    with db.engine.begin() as connection:
        schema.uninstall(connection)
    assert not expected & _search_objects()
    assert app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    assert expected <= _search_objects()
    db.session.remove()
    assert found("blood tests", "answered") == [question]  # by the answer's words


# --- nothing hidden leaks ---------------------------------------------------------------------

HIDDEN_STATUSES = ("pending", "rejected", "spam", "removed", "deleted")


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_a_comment_not_approved_is_never_found_in_any_group(thread, status):
    for key in ("question", "answer", "tip"):
        db.session.execute(
            update(Comment).where(Comment.id == thread[key].id).values(status=status)
        )
    db.session.commit()
    for query in ("thyroid", "blood tests", "diary"):
        for kind in engine.KINDS:
            result = engine.search(terms.words(query), kind)
            assert result == engine.Found([], 0), (status, query, kind)
    assert engine.similar_answered("thyroid problems after the second course") == []


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_a_hidden_answer_hides_its_question_from_the_answered_group(thread, status):
    db.session.execute(
        update(Comment).where(Comment.id == thread["answer"].id).values(status=status)
    )
    db.session.commit()
    assert found("thyroid", "answered") == []
    assert engine.similar_answered("thyroid problems after the second course") == []


@pytest.mark.parametrize("status", ("draft",))
def test_comments_under_an_unpublished_post_are_never_found(thread, post, status):
    post.status = status
    db.session.commit()
    for query, kind in (("thyroid", "answered"), ("diary", "discussion"), ("alemtuzumab", "posts")):
        assert engine.search(terms.words(query), kind).total == 0
    assert engine.similar_answered("thyroid second course") == []


def test_members_who_hid_their_comment_list_are_not_gathered_by_search(thread, people):
    people["caregiver"].hide_comment_list = True
    people["patient"].hide_comment_list = True
    db.session.commit()
    assert found("diary") == []
    assert found("thyroid", "answered") == []
    # The clinician's answer is still findable as what it is: a reply in the discussion.
    assert found("blood tests") == [thread["answer"].id]


def test_a_suspended_members_held_text_is_never_found(post, people, make_comment):
    make_comment(post, people["suspended"], "Rituximab worked for me", status="pending")
    assert found("rituximab") == []
    assert engine.search(["rituximab"], "answered").total == 0


def test_a_search_by_anyone_returns_only_what_a_visitor_may_read(
    thread, post, people, make_comment
):
    """The engine takes no viewer: a member's own pending comment is not found even by them,
    so results, snippets and counts are alike for everyone."""
    make_comment(post, people["patient"], "My own pending diary entry", status="pending")
    assert found("diary") == [thread["tip"].id]


# --- similar questions ------------------------------------------------------------------------


def test_similar_answered_questions_are_found_from_a_chatty_draft(
    thread, post, people, make_comment
):
    waiting = make_comment(post, people["caregiver"], "Thyroid worries after the second course")
    draft = (
        "Hello, I had my second course of alemtuzumab last year and I'm worried about my "
        "thyroid. Could problems still start now?"
    )
    assert engine.similar_answered(draft) == [thread["question"].id]
    assert waiting.id not in engine.similar_answered(draft)  # not answered: not offered
    assert engine.similar_answered("") == []
    assert engine.similar_answered("the and is it") == []


def test_similar_questions_are_at_most_five_best_first(post, people, make_comment):
    questions = []
    for number in range(8):
        question = make_comment(
            post, people["patient"], "Vertigo " + "dizziness " * number + f"spells {number}"
        )
        reply = make_comment(post, people["clinician"], "See your GP.", parent=question)
        answer(question, reply)
        questions.append(question)
    similar = engine.similar_answered("dizziness and vertigo")
    assert len(similar) == 5
    assert set(similar) <= {question.id for question in questions}


# --- hostile queries --------------------------------------------------------------------------

FTS_SYNTAX = [
    '"',
    '"unbalanced',
    "(((",
    "thyroid)",
    "NEAR(a b, 3)",
    "a NEAR/2 b",
    "*",
    "thy*",
    "^thyroid",
    "body_source:thyroid",
    "{body_source}: x",
    "- thyroid",
    "thyroid AND OR NOT",
    "AND",
    "NOT thyroid",
    "thyroid & blood | !x <-> y:*",
    "!!!",
    "'; DROP TABLE comments; --",
    "\x00\x01\x02\x7f",
    "\u202e\u200b\ufeff",
    "é" * 1000,
    "x " * 3000,
]


@pytest.mark.parametrize("query", FTS_SYNTAX)
def test_search_syntax_is_only_ever_words(thread, query):
    for kind in engine.KINDS:
        result = engine.search(terms.words(query), kind)
        assert result.total == len(result.ids) <= 10
    engine.similar_answered(query)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 3


def test_every_hostile_input_is_a_harmless_query(thread):
    for case in all_hostile_cases():
        words = terms.words(case)
        for kind in engine.KINDS:
            result = engine.search(words, kind, limit=3)
            assert len(result.ids) <= 3
        assert len(engine.similar_answered(case)) <= 5


def test_the_index_lives_beside_the_tables_it_indexes(app):
    with db.engine.connect() as connection:
        assert schema.is_installed(connection)
        posts = db.session.scalar(select(func.count()).select_from(Post))
    assert posts == 0


# --- speed: large match sets, answers edited, telling words -----------------------------------


def test_many_matches_are_listed_newest_first_and_counted_as_more(
    post, people, make_comment, monkeypatch
):
    monkeypatch.setattr(engine, "RANKED_AT_MOST", 3)
    made = [
        make_comment(post, people["caregiver"], f"Relapse diary {n}", kind="discussion").id
        for n in range(5)
    ]
    first = engine.search(["relapse"], "discussion", limit=2)
    second = engine.search(["relapse"], "discussion", limit=2, offset=2)
    assert first == engine.Found(made[::-1][:2], 3, more=True)
    assert second.ids == made[::-1][2:4]
    few = engine.search(["diary", "4"], "discussion")
    assert few == engine.Found([made[4]], 1)  # few enough to rank: counted exactly


def test_an_edited_answer_is_found_by_its_new_words(thread):
    reply = thread["answer"]
    rendering.set_comment_body(reply, "Checks continue for four years after the last dose.")
    db.session.commit()
    assert found("dose", "answered") == [thread["question"].id]
    assert found("blood tests", "answered") == []
    assert engine.similar_answered("how many years do the checks continue after a dose") == [
        thread["question"].id
    ]


def test_similar_questions_leave_out_words_most_questions_share(post, people, make_comment):
    def answered_question(words: str) -> int:
        question = make_comment(post, people["patient"], words)
        answer(question, make_comment(post, people["clinician"], "Ask us.", parent=question))
        return question.id

    for number in range(11):
        answered_question(f"Medication timing question {number}")
    vertigo = answered_question("Medication and vertigo in the morning")
    assert engine.similar_answered("My medication gives me vertigo") == [vertigo]


def test_words_typed_inside_angle_brackets_are_found_by_both_engines(post, people, make_comment):
    typed = make_comment(
        post,
        people["caregiver"],
        "My <script>zebrafish</script> <b>lamotrigine</b> notes",
        kind="discussion",
    )
    assert found("zebrafish") == [typed.id]
    assert found("lamotrigine") == [typed.id]


def test_redacted_words_leave_the_index_and_resanitizing_keeps_it(thread, people):
    from portal.moderation import redaction

    tip = db.session.get(Comment, thread["tip"].id)
    redaction.redact(
        tip,
        people["admin"],
        "Keeping a diary helped us.",
        "Dates of treatment can identify someone",
        approve=False,
    )
    db.session.commit()
    assert found("infusion") == []
    assert found("diary") == [tip.id]
    rendering.resanitize_all()
    db.session.commit()
    assert found("diary") == [tip.id]
    assert found("thyroid", "answered") == [thread["question"].id]
