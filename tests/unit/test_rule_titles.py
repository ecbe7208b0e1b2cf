"""Every finding has a short Indonesian title, the name officers read it by on the desk."""

from __future__ import annotations

from pipeline.resubmission import MERGE_NOTE_ID, MERGE_NOTE_TITLE, MERGE_NOTE_TITLE_ID
from pipeline.web.labels import RULE_TITLES, rule_title
from rules.registry import RULES


def test_every_rule_has_an_indonesian_title_of_its_own() -> None:
    for rule in RULES:
        assert rule.title_id.strip(), rule.id
        assert rule.title_id != rule.title, rule.id
        assert rule.title_id == rule.title_id.strip() and "  " not in rule.title_id, rule.id


def test_titles_tell_rules_apart() -> None:
    titles = [rule.title_id for rule in RULES]
    assert len(set(titles)) == len(titles)


def test_the_desk_shows_the_indonesian_titles() -> None:
    assert rule_title("DOC-002") == "Kartu Keluarga tidak ada"
    assert rule_title("REC-002") == "Nama KTP berbeda dengan data peserta"
    assert set(RULE_TITLES) == {rule.id for rule in RULES} | {MERGE_NOTE_ID}
    assert rule_title(MERGE_NOTE_ID) == MERGE_NOTE_TITLE_ID != MERGE_NOTE_TITLE
    assert rule_title("OLD-001") == "OLD-001"  # a retired rule's stored finding: its id
