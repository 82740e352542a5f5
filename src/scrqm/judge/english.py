"""English words: whether a word is one, from symspellpy's frequency list.

Its own module because both the prose helpers (is an acronym a word?) and the
substance measures (is a text English?) ask, and neither may import the other.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

# The list is sorted from the most frequent word down: the most frequent words
# settle most texts, so the whole list is read only for a text they do not.
COMMON_WORDS = 20_000


@lru_cache(maxsize=2)
def english_words(most_common: int | None = None) -> frozenset[str]:
    """English words: symspellpy's frequency dictionary (82,765 words, British and US spellings).

    Only the data file is read, never the package's code (importing it costs
    more than reading the list), and only the first time a text needs it;
    `most_common` reads only that many of the most frequent words.
    """
    with word_list_path().open(encoding="utf-8") as handle:
        # Each line is "word count": split on blanks, the words are every other piece. Split in
        # C, not line by line (about half the instructions; the set of strings is the rest).
        if most_common is None:
            return frozenset(handle.read().split()[0::2])
        text = handle.read(_BYTES_A_LINE * most_common)
        while text.count("\n") < most_common and (more := handle.read(_BYTES_A_LINE * most_common)):
            text += more
    # No word of the list holds a digit: deleting the counts (in C, for ASCII text) leaves the
    # words alone to split, two fifths less work than splitting out the counts as well.
    return frozenset(text.translate(_NO_DIGITS).split(None, most_common)[:most_common])


_BYTES_A_LINE = 17  # a little more than the list's average line (16.1 characters), so one read is enough
_NO_DIGITS = str.maketrans("", "", "0123456789")


def word_list_path() -> Path:
    spec = importlib.util.find_spec("symspellpy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the English word list (package symspellpy) is not installed; pip install symspellpy")
    return Path(next(iter(spec.submodule_search_locations))) / "frequency_dictionary_en_82_765.txt"


_SUFFIXES = ("'s", "\u2019s", "s", "es", "ed", "d", "ing", "ly", "er", "ers")


def is_english(word: str, known: frozenset[str] | None = None) -> bool:
    """A word of the list, or one once a plural, tense or hyphenated part is taken off."""
    known = english_words() if known is None else known
    word = word.casefold().replace("\u2019", "'")
    if word in known or word.replace("'", "") in known:
        return True
    if "-" in word or "\u2010" in word or "\u2011" in word:
        return any(is_english(part, known) for part in re.split(r"[-\u2010\u2011]", word) if len(part) > 2)
    if "'" in word:
        return is_english(word.split("'", 1)[0], known)
    return any(word.endswith(s) and word[: -len(s)] in known for s in _SUFFIXES if len(word) > len(s) + 2)
