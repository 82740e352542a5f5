"""Judging whether free text has an answer's substance, not only its length.

RULES-QM1.md's terms, computed here and nowhere else:

* *filler*: one word, phrase or sentence repeated to make up the count; words
  that are not English (lorem ipsum, keyboard runs); and, where asked, fewer
  than a number of distinct content words (:func:`filler_kind`);
* sentences, and a sentence that is itself a placeholder or says details are
  to follow or to be confirmed (:func:`placeholder_sentence`);
* sentences of one text that are also sentences of another, allowing a few
  changed words (:func:`shared_sentences`);
* whether some sentence uses a word of a vocabulary (:func:`uses_vocabulary`).

Every measure is a share of the text, never a single word: a pseudonym, an
agency's name or a professional term cannot make genuine prose filler.  The
functions know nothing of referral fields, rules or severities.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from scrqm.judge.english import COMMON_WORDS, english_words, is_english
from scrqm.judge.prose import is_placeholder

# ---------------------------------------------------------------- words and sentences

_WORD = re.compile(r"[^\W_]+(?:['\u2019\-\u2010\u2011&][^\W_]+)*")

# Common English function words: not content words (RULES-QM1.md: "the", "and", "was").
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves may might must shall upon within without
onto per via yet ever never whether though although however also us its i'm isn't wasn't weren't
didn't don't doesn't hasn't haven't hadn't can't couldn't wouldn't shouldn't won't
""".split())

# A sentence ends at . ! ? or an ellipsis, before a space, or where a new line starts
# a list item (a bullet or a number) or follows a blank line.
_BOUNDARY = re.compile(
    r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+"
    r"|\n\s*\n\s*"
    r"|\n(?=[ \t]*(?:[-*\u2022\u2013]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s))"
)
_LIST_MARK = re.compile(r"^\s*(?:[-*\u2022\u2013]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st no nos e.g i.e eg ie etc vs approx ref para fig cllr sgt insp det supt "
    "dc ds di pc jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text: where it starts, what it says, and the words it is compared by."""

    offset: int  # in the text, where the sentence starts
    text: str
    key: tuple[str, ...]  # its words, case-folded, without punctuation: what "the same sentence" compares


def words(text: str) -> list[str]:
    return _WORD.findall(text)


_JOINERS = re.compile(r"['\u2019\-\u2010\u2011&]")
_NOT_ALNUM = re.compile(r"[\W_]+")


def sentence_key(text: str) -> tuple[str, ...]:
    return tuple(w for w in _NOT_ALNUM.split(_JOINERS.sub("", text.casefold())) if w)


@lru_cache(maxsize=256)
def sentences(text: str) -> tuple[Sentence, ...]:
    """The sentences of text, each with its offset; list marks are not part of them."""
    found: list[Sentence] = []
    start = 0
    pieces: list[tuple[int, int]] = []
    for match in _BOUNDARY.finditer(text):
        before = text[start:match.start()]
        last = before.rsplit(None, 1)[-1].rstrip(".").casefold() if before.strip() else ""
        if last in _ABBREVIATIONS and before.rstrip().endswith(".") or _LIST_MARK.fullmatch(before + " "):
            continue
        pieces.append((start, match.start()))
        start = match.end()
    pieces.append((start, len(text)))
    for begin, end in pieces:
        piece = text[begin:end]
        mark = _LIST_MARK.match(piece)
        skip = mark.end() if mark else len(piece) - len(piece.lstrip())
        body = piece[skip:].rstrip()
        if body:
            found.append(Sentence(begin + skip, body, sentence_key(body)))
    return tuple(found)


def _sentence_starts(text: str) -> set[int]:
    """Where the first word of each sentence begins (what `sentences` would find, more cheaply)."""
    starts = set()
    for at in (0, *(m.end() for m in _BOUNDARY.finditer(text))):
        mark = _LIST_MARK.match(text, at)
        word = _WORD.search(text, mark.end() if mark else at)
        if word is not None:
            starts.add(word.start())
    return starts


# ---------------------------------------------------------------- English words (judge/english.py)


def _not_english(words: list[str], enough: int) -> int:
    """How many of words are in no English word list, or at most `enough - 1` when fewer than `enough` are.

    The common words are asked first; the whole list is read only when the
    words they do not know reach `enough`.
    """
    common = english_words(COMMON_WORDS)
    unknown: list[str] = []
    for index, word in enumerate(words):
        if word.lower() not in common and not is_english(word, common):
            unknown.append(word)
        elif len(unknown) + len(words) - index - 1 < enough:
            return len(unknown)  # too few words left for it to matter
    if len(unknown) < enough:
        return len(unknown)
    everything = english_words()
    return sum(1 for w in unknown if not is_english(w, everything))


# A word of letters only (three or more), hyphens and apostrophes inside; not part of a code such as "LP2".
_ALPHABETIC = re.compile(r"(?<![\w'\u2019\-&])[^\W\d_]{3,}(?:['\u2019\-][^\W\d_]+)*(?![\w&]|['\u2019\-]\w)")


def _plainly_english(text: str, not_english_percent: int) -> bool:
    """Cheaply: the text cannot have too many words that are not English.

    Every lowercase word is among those checked, and a word the common words
    know is English; so if even counting every other word as not English
    leaves the share within the limit, the words checked are within it too.
    """
    common = english_words(COMMON_WORDS)
    found = _ALPHABETIC.findall(text)
    lowercase = sum(map(str.islower, found))
    unknown = len(found) - sum(map(common.__contains__, map(str.lower, found)))
    return unknown * 100 <= not_english_percent * lowercase


def _checked_words(text: str, sentence_starts: Collection[int], ignore: Collection[str]) -> list[str]:
    """The words whose Englishness says something: not names, acronyms, numbers or single letters.

    A capitalised word inside a sentence is taken for a name (a person, an
    agency, a place) and an all-capitals one for an acronym, unless capitals
    are most of the text (a text typed in capitals, or in title case), when
    every word is checked.
    """
    alphabetic = [(m.start(), m.group()) for m in _ALPHABETIC.finditer(text)]
    capitalised = sum(1 for _, w in alphabetic if w[0].isupper())
    every = bool(alphabetic) and capitalised * 10 >= len(alphabetic) * 6
    # Words in capitals are acronyms, unless the text is typed in capitals and long enough to tell.
    shouted = sum(1 for _, w in alphabetic if w.isupper())
    capitals = shouted >= 8 and shouted * 10 >= len(alphabetic) * 8
    checked = []
    for at, word in alphabetic:
        if word.isupper() and (not capitals or word in ignore):
            continue
        if not every and word[0].isupper() and at not in sentence_starts:
            continue
        checked.append(word)
    return checked


# ---------------------------------------------------------------- filler


def _most_repeated(words: list[str], size: int) -> list[tuple[tuple[str, ...], int]]:
    """The phrase of `size` words with the most copies that do not overlap ("no no no" holds one "no no")."""
    grams = Counter(tuple(words[i:i + size]) for i in range(len(words) - size + 1))
    if size == 1 or not grams:
        return grams.most_common(1)
    best: tuple[tuple[str, ...], int] = ((), 0)
    # Copies that do not overlap are never more than all copies: once a phrase has no more
    # copies in all than the best has apart, no later one can beat it.
    for gram, copies in grams.most_common():
        if copies <= best[1]:
            break
        count = i = 0
        while i <= len(words) - size:
            if tuple(words[i:i + size]) == gram:
                count, i = count + 1, i + size
            else:
                i += 1
        best = max(best, (gram, count), key=lambda pair: pair[1])
    return [best]



def filler_kind(
    text: str,
    *,
    content_words: int = 0,
    repeated_percent: int = 50,
    not_english_percent: int = 50,
    repeats: int = 3,
    ignore: Collection[str] = (),
) -> str | None:
    """Say which kind of filler text is, or None when it is not filler.

    * repetition: one sentence, or one word or phrase of up to five words,
      occurs at least `repeats` times and its copies make up more than
      `repeated_percent` per cent of the words;
    * not English: more than `not_english_percent` per cent of the words
      checked (names, acronyms, numbers and words in `ignore` aside) are in no
      English word list, given at least three checked words;
    * too little: fewer than `content_words` distinct content words (three
      letters or more, not stop words), when `content_words` is given.
    """
    all_words = [w.casefold() for w in _WORD.findall(text)]
    total = len(all_words)
    if not total:
        return None
    counts = Counter(all_words)
    # No phrase of five words or fewer occurs more often than its most frequent word, and
    # repeated sentences or phrases are made of words that occur `repeats` times or more.
    most = max(counts.values())
    frequent = sum(count for count in counts.values() if count >= repeats)
    repeated = frequent * 100 > repeated_percent * total
    if repeated:
        keys = Counter(s.key for s in sentences(text) if s.key)
        # Every sentence pasted `repeats` times or more counts: a whole paragraph pasted three times too.
        pasted = [(count, key) for key, count in keys.items() if count >= repeats]
        if pasted and sum(count * len(key) for count, key in pasted) * 100 > repeated_percent * total:
            return f"the same sentence appears {max(pasted)[0]} times"
    for size in range(1, 6) if repeated else ():
        if most < repeats or min(most * size, total) * 100 <= repeated_percent * total:
            continue
        for gram, count in _most_repeated(all_words, size):
            if count >= repeats and min(count * size, total) * 100 > repeated_percent * total:
                if size == 1:
                    return f"one word makes up {count} of its {total} words"
                # Name the whole phrase: the longest one repeated as often.
                while size < 12 and _most_repeated(all_words, size + 1)[0][1] >= count:
                    size += 1
                return f"the same phrase of {size} words is repeated {count} times"
    if _plainly_english(text, not_english_percent):
        checked: list[str] = []
    else:
        checked = _checked_words(text, _sentence_starts(text), ignore)
    if len(checked) >= 3:
        foreign = _not_english(checked, not_english_percent * len(checked) // 100 + 1)
        if foreign * 100 > not_english_percent * len(checked):
            return f"most of its words are not English: {foreign} of the {len(checked)} checked"
    if content_words:
        distinct = {
            w[:-2] if w.endswith(("'s", "\u2019s")) else w for w in all_words
            if w not in STOP_WORDS and sum(map(str.isalpha, w)) >= 3  # three letters or more, digits aside
        }
        if len(distinct) < content_words:
            return f"it has only {len(distinct)} different content words (fewer than {content_words})"
    return None


# ---------------------------------------------------------------- placeholder sentences

_LATER = r"(?=\s*(?:[.!?;:,)\u2026]|$|(?:later|shortly|soon|in\s+due\s+course|separately|when|once|after|under\s+separate|next\s+week|on\s+receipt|as\s+soon)\b))"


@lru_cache(maxsize=None)
def _to_follow() -> re.Pattern[str]:
    """Compiled on first use (~2.5 ms): most referrals hold no sentence that gets this far."""
    return re.compile(
        r"\bt\.?b\.?[cade]\b\.?"
        r"|(?<!\bwas\s)(?<!\bwere\s)(?<!\bwould\s)(?<!\bhad\s)\bto\s+be\s+(?:confirmed|advised|clarified)\b"
        r"|\b(?:to|will|shall)\s+follow\b" + _LATER
        + r"|\b(?:to|will)\s+be\s+(?:provided|sent|added|completed|supplied|shared|circulated|forwarded|updated)\b" + _LATER
        + r"|\b(?:details|information|info|chronology|chronologies|reports?|findings|results|updates?|documents?|more)"
        r"\s+(?:(?:is|are)\s+)?(?:pending|awaited|outstanding|to\s+come)\s*[.!]?\s*$",
        re.IGNORECASE,
    )


_HINTS = ("tb", "t.b", "to be", "follow", "pending", "awaited", "outstanding", "to come")


def placeholder_sentence(sentence: str) -> bool:
    """The sentence is a placeholder ("TBC.", "See attached.") or says details are to follow or be confirmed."""
    if is_placeholder(sentence):
        return True
    # Most sentences hold none of the pattern's words: a substring test settles them.
    folded = sentence.lower()
    return any(hint in folded for hint in _HINTS) and _to_follow().search(sentence) is not None


def placeholder_only(text: str) -> bool:
    """Every sentence of a short text (twelve words or fewer) is a placeholder sentence ("Details to follow. Chronology TBC.")."""
    if sum(1 for _ in islice(_WORD.finditer(text), 13)) > 12:
        return False  # more than twelve words: stops counting at the thirteenth
    parts = sentences(text)
    return bool(parts) and all(placeholder_sentence(s.text) for s in parts)


# ---------------------------------------------------------------- shared sentences


def _changes(a: tuple[str, ...], b: tuple[str, ...], limit: int) -> int:
    """Word edit distance of a and b, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def same_sentence(a: tuple[str, ...], b: tuple[str, ...], changed_words: int) -> bool:
    """The same words in the same order, or with at most `changed_words` changed.

    A change must leave most of the sentence as it was: a sentence of four
    words may differ in one, of two words in none.
    """
    if a == b:
        return bool(a)
    allowed = min(changed_words, (min(len(a), len(b)) - 1) // 2)
    if allowed <= 0 or abs(len(a) - len(b)) > allowed:
        return False
    # Each change removes at most one word of either sentence from what they share.
    if len(set(a) & set(b)) < len(set(a)) - allowed * 2:
        return False
    return _changes(a, b, allowed) <= allowed


def shared_sentences(text: str, other: str, changed_words: int = 2) -> tuple[list[Sentence], list[Sentence]]:
    """(text's sentences, those of them that are also sentences of `other`)."""
    mine = [s for s in sentences(text) if s.key]
    theirs = {s.key for s in sentences(other) if s.key}
    # A sentence with more new words than `changed_words` matches none of them: most are settled so.
    known = {word for key in theirs for word in key}
    shared = [s for s in mine if s.key in theirs or len(set(s.key) - known) <= changed_words
              and any(same_sentence(s.key, t, changed_words) for t in theirs)]
    return mine, shared


# ---------------------------------------------------------------- vocabulary


_ENDING = r"[\w'\u2019-]*"  # what `*` at a word's end stands for


@lru_cache(maxsize=64)
def vocabulary_pattern(entries: frozenset[str]) -> re.Pattern[str]:
    """One pattern for the entries: words or phrases, `*` at a word's end for any ending.

    The one-word entries ending in `*` share one `(?:stem|stem…)` group before a
    single ending: each copy of the ending's class costs its compilation ~0.2 ms.
    """
    def one(entry: str) -> str:
        parts = [re.escape(p.rstrip("*")) + (_ENDING if p.endswith("*") else "") for p in entry.split()]
        return r"\s+".join(parts)

    written = sorted((e for e in entries if e.strip("* ")), key=len, reverse=True)
    stems = [e for e in written if len(e.split()) == 1 and e.strip().endswith("*") and "*" not in e.strip()[:-1]]
    alternatives = [one(e) for e in written if e not in stems]
    if stems:
        alternatives.append(f"(?:{'|'.join(re.escape(e.strip().rstrip('*')) for e in stems)}){_ENDING}")
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives) or '(?!)'})(?![\w-])", re.IGNORECASE)


def uses_vocabulary(text: str, entries: Iterable[str]) -> bool:
    return vocabulary_pattern(frozenset(entries)).search(text) is not None
