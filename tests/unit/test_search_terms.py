"""The search box's words, folded like the index (complaints.search.terms): pure, no database."""
from complaints.search import MAX_TERM_LENGTH, MAX_TERMS, terms


def test_words_are_folded_and_stripped_of_syntax():
    # Lower case, and the letters neither database folds by itself (ł, ё); the rest (ż, ó, ź…) is
    # folded by unaccent / FTS5's tokenizer on the query as on the text.
    assert terms("Żółty KUBEK") == ["żólty", "kubek"]
    assert terms("ёлка Łódź") == ["елка", "lódź"]
    assert terms('"a*" OR (b) NEAR c - d:*') == ["or", "near"]  # query syntax never passes through
    assert terms("jan.kowalski@example.com") == ["jan", "kowalski", "example", "com"]


def test_single_letters_beside_longer_words_are_dropped():
    assert terms("C-7KQ3AB") == ["7kq3ab"]
    assert terms("x") == ["x"]
    assert terms("  ,;* ") == [] and terms(None) == []


def test_bounded():
    assert len(terms(" ".join(f"w{i}" for i in range(50)))) == MAX_TERMS
    assert terms("a" * 500) == ["a" * MAX_TERM_LENGTH]
    assert terms("kot kot KOT") == ["kot"]
