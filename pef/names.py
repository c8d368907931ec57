"""Name normalisation and Google's truncation arithmetic, for the matcher.

Everything here is a pure function of strings. Two kinds of string appear:

* a *spaced* name: NFC, unusual spaces turned into a plain space. It keeps one
  character per character of the name, so lengths measured on it are the
  lengths Google cut at;
* a *key*: a spaced name folded for comparison (invisible direction marks and
  zero-width spaces removed, case-folded). Keys are only ever compared, never
  measured.

Google cuts names to a length limit. What its "characters" are is not
documented, so a cut is tried under several measures: code points; UTF-16 code
units and UTF-8 bytes, dropping the character the limit falls in (a surrogate
pair or a byte sequence is never split); and UTF-16 units keeping the symbol the
limit falls in, whole -- a code point, or a user-perceived character (a base and
its variation selectors, skin tones, joined emoji: `symbols`). The last is the one
real exports show for long emoji names: a title of emoji had its media stem cut to
24 symbols (48 units, the 24th straddling the 47th unit) and its sidecar to 23
(46 units), which neither code points nor a cut that drops the straddling symbol
explain (immich-go issue 35). Each measure is tried on the name as found and on
its NFC form (an export unpacked on macOS holds NFD names).
"""

from __future__ import annotations

import re
import unicodedata

# Sidecar names are at most 51 characters: 46 of name, then ".json".
SIDECAR_NAME_LIMIT = 51
SIDECAR_BODY_LIMIT = SIDECAR_NAME_LIMIT - len(".json")
# Media names keep their extension; the part before it is cut to 47.
MEDIA_STEM_LIMIT = 47
SUPPLEMENTAL = "supplemental-metadata"

_UNUSUAL_SPACES = (
    "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000\t"
)
_SPACE_TABLE = {ord(c): " " for c in _UNUSUAL_SPACES}
# Invisible marks that say nothing about which file is meant: zero-width space,
# direction marks and embeddings (right-to-left names), BOM, soft hyphen.
_INVISIBLE = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad"
_FOLD_TABLE = {**_SPACE_TABLE, **{ord(c): None for c in _INVISIBLE}}

_INDEX_RE = re.compile(r"\((\d{1,5})\)$")


def spaced(name: str) -> str:
    """NFC, with unusual spaces made plain spaces (length-preserving after NFC)."""
    if name.isascii():
        return name.replace("\t", " ") if "\t" in name else name
    return unicodedata.normalize("NFC", name).translate(_SPACE_TABLE)


def fold(name: str) -> str:
    """The comparison key of a name: NFC, plain spaces, no invisible marks, case-folded."""
    if name.isascii():
        return name.lower().replace("\t", " ") if "\t" in name else name.lower()
    text = unicodedata.normalize("NFC", name).translate(_FOLD_TABLE).casefold()
    return unicodedata.normalize("NFC", text)


def forms(name: str) -> tuple[str, ...]:
    """The name as found and its NFC form (each with plain spaces), without repeats."""
    if name.isascii():
        return (name,)
    raw = name.translate(_SPACE_TABLE)
    nfc = unicodedata.normalize("NFC", raw)
    return (nfc,) if nfc == raw else (nfc, raw)


def split_ext(name: str) -> tuple[str, str]:
    """("IMG_1", ".jpg") for "IMG_1.jpg": the extension runs from the last dot and
    keeps it, as `os.path.splitext` does; ("photo", "") without one, (".hidden", "")
    when only dots come before it. `stem + ext` is always the name."""
    dot = name.rfind(".")
    if dot <= 0 or not name[:dot].strip("."):
        return name, ""
    return name[:dot], name[dot:]


def join_ext(stem: str, ext: str) -> str:
    return stem + ext


def split_index(stem: str) -> tuple[str, int]:
    """("IMG", 1) for "IMG(1)": Google's duplicate index; ("IMG", 0) without one."""
    if not stem.endswith(")"):
        return stem, 0
    found = _INDEX_RE.search(stem)
    if found is None or found.start() == 0:
        return stem, 0
    return stem[: found.start()], int(found.group(1))


# ---------------------------------------------------------------------------
# Lengths and cuts
# ---------------------------------------------------------------------------


def _u8_width(ch: str) -> int:
    o = ord(ch)
    return 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4


def _cut_utf8(text: str, limit: int) -> str:
    """The longest start of `text` that fits in `limit` UTF-8 bytes (a character is never split)."""
    used = 0
    for i, ch in enumerate(text):
        used += _u8_width(ch)
        if used > limit:
            return text[:i]
    return text


def _u16_cuts(text: str, limit: int) -> tuple[str, str, str]:
    """`text` cut to `limit` UTF-16 units three ways: dropping the code point the
    limit falls in (a surrogate pair is never split), keeping it, and keeping the
    whole symbol it falls in."""
    used = 0
    down = -1
    for i, ch in enumerate(text):
        if used >= limit:
            j = i
            while j < len(text) and _joins(text, j):
                j += 1
            return text[: i if down < 0 else down], text[:i], text[:j]
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit and down < 0:
            down = i
    return (text if down < 0 else text[:down]), text, text


def _u16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# Code points that never start a symbol of their own: zero-width joiner, variation
# selectors, emoji skin tones, tag characters (flags of regions), Hangul vowel and
# final jamo (NFD names); combining marks are found by their category.
_EXTENDERS = frozenset(
    [0x200D, *range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080),
     *range(0xE0100, 0xE01F0), *range(0x1160, 0x1200)]
)


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _joins(text: str, i: int) -> bool:
    """Whether text[i] belongs to the symbol before it: it extends it (a mark, a
    variation selector, a skin tone...), follows a zero-width joiner, or is the
    second regional indicator of a flag."""
    if i == 0:
        return False
    ch = text[i]
    o = ord(ch)
    if o in _EXTENDERS or text[i - 1] == "\u200d" or (o >= 0x300 and unicodedata.category(ch)[0] == "M"):
        return True
    if _regional(ch):
        run = 0
        while i - run - 1 >= 0 and _regional(text[i - run - 1]):
            run += 1
        return run % 2 == 1
    return False


def symbols(text: str) -> list[str]:
    """`text` split into user-perceived characters: a base with what extends it,
    emoji joined by a zero-width joiner, pairs of regional indicators (flags).
    An approximation of Unicode's extended grapheme clusters (UAX #29) that covers
    what file names hold."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if out and _joins(text, i):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _last_symbol_start(text: str) -> int:
    i = len(text) - 1
    while i > 0 and _joins(text, i):
        i -= 1
    return max(i, 0)


def cuts(name: str, limit: int) -> list[tuple[str, bool]]:
    """Every cut of `name` to `limit` that is shorter than the name itself, as
    (cut, weak): code points first (weak=False), then (weak=True, unless the same
    cut) UTF-16 units and UTF-8 bytes dropping the character the limit falls in,
    and UTF-16 units keeping the code point, or the symbol, it falls in; each on
    the name and its NFC form."""
    if name.isascii():
        return [(name[:limit], False)] if len(name) > limit else []
    found: dict[str, bool] = {}
    for form in forms(name):
        if len(form) > limit:
            found[form[:limit]] = False
    for form in forms(name):
        down16, kept, whole = _u16_cuts(form, limit)
        for cut in (down16, _cut_utf8(form, limit), kept, whole):
            if len(cut) < len(form):
                found.setdefault(cut, True)
    return list(found.items())


def reaches(name: str, limit: int) -> bool:
    """Whether `name` is as long as a cut to `limit` can leave it, under some measure.

    Code points: exactly `limit`. UTF-16: `limit` or one less (a surrogate pair
    that did not fit), or past `limit` by less than its last symbol (kept whole).
    UTF-8: `limit` down to three less (a 4-byte character that did not fit). The
    media side then checks the cut exactly."""
    if name.isascii():
        return len(name) == limit
    for form in forms(name):
        if len(form) == limit:
            return True
        units = _u16_len(form)
        if limit - 1 <= units <= limit:
            return True
        if units > limit and units - _u16_len(form[_last_symbol_start(form) :]) < limit:
            return True
        if limit - 3 <= len(form.encode("utf-8", "surrogatepass")) <= limit:
            return True
    return False


def reaches_media_stem(stem: str) -> bool:
    """Whether a media stem is as long as Google's media-name cut leaves it."""
    return reaches(stem, MEDIA_STEM_LIMIT)


def media_names_for_title(title: str) -> list[tuple[str, bool]]:
    """The file names the media with this title can get, as (name, weak): the
    title itself and its stem cut to 47, extension kept; weak for cuts under the
    less usual length measures."""
    names: dict[str, bool] = {title: False}
    stem, ext = split_ext(title)
    for cut, weak in cuts(stem, MEDIA_STEM_LIMIT):
        names.setdefault(join_ext(cut, ext), weak)
    return list(names.items())
