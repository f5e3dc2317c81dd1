"""A deterministic corpus of post texts for comparing facet detection.

`CORPUS` (built once at import) holds hand-written cases for links, mentions,
hashtags and cashtags in many scripts, then the same pieces crossed with
trailing punctuation, with each kind of whitespace before them, at hashtag
length limits, inside sentences in other scripts, and a seeded random mix of
tricky fragments. The order and content never change between runs.
"""

# ruff: noqa: RUF001  (full-width and curly characters are the point here)

from __future__ import annotations

import random

# Every JavaScript \s character, and a few that Python's str.isspace() counts
# as whitespace but JavaScript does not (they must not start a facet).
JS_SPACES = [
    "\t", "\n", "\x0b", "\x0c", "\r", " ", "\xa0", "\u1680", "\u2000", "\u2005",
    "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff",
]  # fmt: skip
PY_ONLY_SPACES = ["\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u180e", "\u200b"]

URLS = [
    "https://example.com",
    "http://example.com/path?q=1&r=2#frag",
    "https://bsky.app/profile/alice.bsky.social/post/3k2a",
    "https://en.wikipedia.org/wiki/Fish_(disambiguation)",
    "https://example.com/a_(b)_c",
    "HTTPS://EXAMPLE.COM/",
    "Https://example.com",
    "https://localhost:8080/x",
    "http://192.168.0.1/admin",
    "https://example.com:443",
    "https://例子.测试/路径",
    "https://xn--bcher-kva.de",
    "https://a",
    "https://",
    "ftp://example.com/file.txt",
    "mailto:alice@example.com",
    "example.com",
    "www.example.com/page.html",
    "sub.domain.example.co.uk/path",
    "Example.COM",
    "EXAMPLE.com",
    "example.c",
    "example.notatld",
    "my-site.com",
    "a.my-site.com",
    "x.com",
    "t.co/abc123",
    "httpbin.org",
    "https.com",
    "http.cat/404",
    "bücher.de",
    "example.xn--p1ai",
    "example.com/👍",
    "example.com/path/to/file.pdf?download=1",
    "1example.com",
    "example.123",
    "a.b",
    "foo.test",
    "foo.app",
    "dev.local",
    "openai.ai/chat",
    "example.com/#anchor",
    "example.com/@user",
]

HANDLES = [
    "@alice.bsky.social",
    "@alice",
    "@alice.test",
    "@bob.example.test",
    "@Alice.Bsky.Social",
    "@alice.bsky.SOCIAL",
    "@ALICE.BSKY.SOCIAL",
    "@alice_bob.bsky.social",
    "@a-b.com",
    "@-a.com",
    "@.com",
    "@alice..com",
    "@alice.com-",
    "@123.com",
    "@alice.invalidtld",
    "@xn--80ak6aa92e.com",
    "@alice.co.uk",
    "@did:plc:z72i7hdynmk6r22z27h6tvur",
    "@@alice.com",
    "@alice.bsky.socialx",
    "@alice.bsky.social_",
    "@jay.bsky.team",
    "@a.b.c.d.e.f.g.com",
    "@éve.com",
    "@alice.com.",
    "@",
]

TAGS = [
    "#tag",
    "#Tag",
    "#123",
    "#123abc",
    "#abc123",
    "#１２３",
    "＃tag",
    "＃123",
    "#日本語",
    "#한국어",
    "#العربية",
    "#עברית",
    "#café",
    "#cafe\u0301",
    "#👍",
    "#👍🏽",
    "#👨‍👩‍👧",
    "#🏳️‍🌈",
    "#️⃣",
    "#\ufe0ftag",
    "#",
    "##",
    "##tag",
    "#tag#tag2",
    "#tag\u00adfoo",
    "#tag\u2060x",
    "#tag\u200bx",
    "#tag\u20e2",
    "#\u200btag",
    "#_",
    "#_tag",
    "#-",
    "#a-b",
    "#a_b",
    "#tag_",
    "#tag-",
    "#c++",
    "#c#",
    "#1.0",
    "#2024!",
    "#1a",
    "#$tag",
    "#€",
    "#%",
    "#+",
    "#=",
    "#|",
    "#~",
    "#@",
    "#'",
    "#...",
    "#tag's",
    "#tag’s",
    "#tag…",
    "#tag。",
    "#タグ、",
    "#tag!?",
    "#tag!!!a!!!",
    "#🇫🇷",
    "#x\u0301\u0302\u0303",
]

CASHTAGS = [
    "$AAPL",
    "$aapl",
    "$BRK",
    "$TOOLONG",
    "$A1",
    "$1A",
    "$BTC-USD",
    "$5",
    "US$5",
    "$AAPL$TSLA",
    "$",
    "$A",
    "$ABCDE",
    "$ABCDEF",
]

EMAILS = [
    "alice@example.com",
    "alice.smith+tag@mail.example.co.uk",
    "mailto:alice@example.com",
    "alice@bsky.social",
]

TRAILING = [
    ".",
    ",",
    ";",
    ":",
    "!",
    "?",
    ")",
    '"',
    "'",
    "…",
    "。",
    "’",
    "]",
    "}",
    ".)",
    ").",
    "?!",
    "),",
]

HAND_WRITTEN = [
    "",
    " ",
    "hello world",
    "Just posted! Check it out at https://example.com/blog.",
    "see (https://example.com) and (example.com/foo_(bar)) too",
    "(example.com).",
    "(https://example.com/a(b)c))",
    "example.com/a(b)c)",
    "links: example.com, example.org; example.net: done!",
    "trailing dots example.com.. and example.com?!",
    "two in a row https://a.com https://b.com",
    "no space:https://example.com",
    "comma,example.com",
    'quote"example.com"',
    "'example.com'",
    "«https://example.com»",
    "「https://example.com」",
    "newline\nexample.com\nexample.org",
    "crlf\r\nexample.com",
    "line sep\u2028example.com",
    "para sep\u2029example.com",
    "emoji 🎉example.com",
    "example.com日本語",
    "日本語 example.com です",
    "https://example.com/路径?q=値",
    "hi @alice.bsky.social!",
    "hi @alice.bsky.social's post",
    "(@alice.bsky.social)",
    "cc @alice.bsky.social @bob.bsky.social @carol.test",
    "@alice.bsky.social at the start",
    "ends with @alice.bsky.social",
    "email me at alice@example.com please",
    "x@alice.com is not a mention",
    "@alice.bsky.social@bob.bsky.social",
    "mention then link @alice.com/path",
    "#tag at start",
    "ends with #tag",
    "multiple #one #two #three",
    "#one#two",
    "a#notatag",
    "(#tag)",
    "#tag)",
    "numbers #123 #2024 #1st",
    "punct #tag. #tag, #tag; #tag: #tag! #tag? #tag) #tag\" #tag'",
    "full width ＃タグ and ＃１２３",
    "keycap #️⃣ and #️⃣tag",
    "zwj #👨‍💻dev",
    "skin #👋🏿 #👋🏻",
    "flag #🇯🇵",
    "price $AAPL is up, $TSLA down; ($BTC)",
    "$AAPL. $aapl! $GOOGL? $MSFT) $AMZN\" $META' $NFLX’s",
    "RTL: مرحبا @alice.bsky.social #مرحبا https://example.com",
    "עברית #שלום example.co.il",
    "mixed مرحبا#tag",
    "\u202ehttps://example.com\u202c",
    "\u200fexample.com",
    "combining e\u0301 #e\u0301 e\u0301xample.com",
    "zalgo #t\u0334\u0308a\u0335\u0301g\u0336\u0300",
    "👩‍👩‍👧‍👦 family #family 👩🏽‍🚀 https://nasa.gov",
    "emoji 👍🏽👍🏾👍🏿 @alice.bsky.social",
    "CJK 你好世界 #你好 https://例子.测试",
    "Korean 안녕하세요 #안녕 @alice.bsky.social",
    "Thai สวัสดี #สวัสดี",
    "Devanagari नमस्ते #नमस्ते",
    "all: @alice.bsky.social https://x.com #tag $AAPL example.com",
    "tab\t@alice.bsky.social\t#tag\thttps://example.com",
    "nbsp\xa0@alice.bsky.social\xa0#tag\xa0example.com",
    "ideographic\u3000@alice.bsky.social\u3000#tag\u3000example.com",
    "bom\ufeff@alice.bsky.social\ufeff#tag\ufeffexample.com",
    "nel\x85@alice.bsky.social\x85#tag\x85example.com",
    "fs\x1c@alice.bsky.social\x1c#tag\x1cexample.com",
    "A" * 290 + " #tag",
    "https://example.com/" + "a" * 280,
    "#" + "a" * 64,
    "#" + "a" * 65,
    "#" + "a" * 64 + "!",
    "#" + "👍" * 32,
    "#" + "👍" * 33,
    "#" + "日" * 64,
    "#" + "日" * 65,
    "#" + "1" * 70,
    "#" + "a" * 63 + "👍",
    "#" + "a" * 300,
    "@" + "a" * 250 + ".com",
    "example" + ".a" * 60 + ".com",
    "https://example.com/\u00adsoft",
    "upper HTTP://EXAMPLE.COM and Http://Example.com",
    "http://example.com.",
    "http://example.com,",
    "https://example.com)",
    "https://example.com/(x)",
    "(https://example.com/(x))",
    "example.com:8080/path",
    "user:pass@example.com",
    "https://user:pass@example.com",
    "@alice.bsky.social.",
    "@alice.bsky.social,",
    "@alice.bsky.social:",
    "@alice.bsky.social)",
    "@alice.bsky.social-",
    "@alice.bsky.social…",
    "#tag.with.dots",
    "#tag/slash",
    "#tag:colon",
    "#?",
    "#?a",
    "#!a!",
    "#\u00ad",
    "#\u00adtag",
    "# spaced",
    "## heading",
    "### heading",
    "#tag\n#tag2\n#3",
    "trailing whitespace #tag   ",
    "  leading whitespace #tag",
    # Where JavaScript's regular expressions differ from Python's re.
    "@alice.comé is a mention (ASCII word boundary)",
    "@alice.com日本",
    "@alice.com\u0301",
    "@alice.com_x",
    "\u212aelvin.com and \u017ftuff.com and \u0131stanbul.com",
    "kelvin.com \u212a.com",
    "http\u017f://example.com and \u0131ttps://example.com",
    "#１２３ #٣٤٥ #১২৩ #\u0663",
    "#\u1b4e #a\u1b4e #a\u1b4e\u1b4f #1\U00011b00 #x\U00011b00y",
    "#\u2e5d #a\u2e5d #\U0001e5ff #a\U0001e5ff",
    "#tag\x1cfoo #tag\x85foo #tag\u180efoo",
    "\x1c#tag \x85#tag \u180e#tag \u2007#tag",
    "example.com\n",
    "#tag\n",
    "$AAPL\n",
]


def _crossed() -> list[str]:
    out: list[str] = []
    pieces = [*URLS, *HANDLES, *TAGS, *CASHTAGS, *EMAILS]
    for piece in pieces:
        out.append(piece)
        out.append(f"see {piece} now")
    for piece in [*URLS[:20], *HANDLES[:8], *TAGS[:12], *CASHTAGS[:4]]:
        for end in TRAILING:
            out.append(f"x {piece}{end} y")
        out.append(f"({piece})")
    for piece in ["https://example.com", "example.com", "@alice.bsky.social", "#tag", "$AAPL"]:
        for space in [*JS_SPACES, *PY_ONLY_SPACES, "", "(", ",", "🎉", "日"]:
            out.append(f"a{space}{piece}")
            out.append(f"{space}{piece}{space}")
    for n in range(58, 70):
        out.append("#" + "x" * n)
        out.append("#" + "é" * n)
        out.append("#" + "🦋" * (n // 2))
        out.append("#" + "a" * n + "…")
    return out


SENTENCES = [
    "مرحبا {} كيف حالك",
    "שלום {} מה שלומך",
    "你好 {} 世界",
    "こんにちは {}。",
    "Привет {}!",
    "🎉🎉 {} 🎉🎉",
    "👨‍👩‍👧‍👦 {} 👍🏽",
    "e\u0301\u0301 {} a\u0308",
    "({})",
    "«{}»",
]


def _sentences() -> list[str]:
    fills = [
        "https://example.com/path",
        "example.org",
        "@alice.bsky.social",
        "@bob.test",
        "#tag",
        "#日本",
        "＃タグ",
        "$AAPL",
        "alice@example.com",
    ]
    return [s.format(f) for s in SENTENCES for f in fills]


FRAGMENTS = [
    " ", " ", " ", "\n", "\xa0", "\u3000", "(", ")", ".", ",", "!", "?", "'", '"', "#", "＃",
    "@", "$", "-", "_", "/", ":", "a", "Z", "1", "é", "e\u0301", "日本", "مرحبا", "שלום",
    "👍🏽", "👨‍👩‍👧", "🇫🇷", "\ufe0f", "\u200d", "\u200b", "\u00ad", "…", "。", "’",
    "https://", "http://", "www.", "example", ".com", ".social", ".test", ".co", ".zz",
    "alice", "bsky", "tag", "AAPL", "x.com", "@alice.bsky.social", "#tag", "#123",
]  # fmt: skip


def _random_mix(count: int, seed: int = 20240601) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 24))) for _ in range(count)]


def _build() -> list[str]:
    seen: set[str] = set()
    corpus: list[str] = []
    for text in [*HAND_WRITTEN, *_crossed(), *_sentences(), *_random_mix(600)]:
        if text not in seen:
            seen.add(text)
            corpus.append(text)
    return corpus


CORPUS: list[str] = _build()
