"""Bluesky rich-text facets: the links, mentions and hashtags in a post's text.

`detect_facets(text)` finds them exactly as the official client library does
(`@atproto/api`'s `RichText.detectFacetsWithoutResolution()`) and returns the
same JSON: facets with UTF-8 byte offsets, sorted by start, mentions still
unresolved (their `did` holds the handle until publishing resolves it).
tests/text/test_facets_official.py compares the two on a corpus, with the
library version pinned in tests/text/node/package.json.

`facets(text)`, the one smmgen publishes (SPEC.md section 6), is the same
except for the few link facets the library gets wrong, which Bluesky would
refuse (the lexicon's `uri` format): a bare domain that happens to start with
"http" (`httpbin.org`, `http.cat/404`) gets `https://` like any other bare
domain, where the library keeps it without a scheme; and a link with nothing
after the scheme (`https://.`, `https:///x`) is dropped.

The rules, as the library has them:

- **Mention**: `@handle` at the start of the text or after whitespace or `(`;
  the handle is ASCII letters, digits, dots and hyphens up to a word boundary
  and must end in `.` plus a known top-level domain (case-sensitive) or in
  `.test`.
- **Link**: after the start of a line, whitespace or `(`: `http(s)://` and
  everything up to whitespace, or a bare domain (`[a-z][a-z0-9]*` then one or
  more `.label` without hyphens, any case) with a known lowercase top-level
  domain and whatever follows it up to whitespace; a bare link gets
  `https://` unless it already starts with `http`. One trailing `.,;:!?` is
  dropped, then one `)` if the link has no `(`.
- **Hashtag**: `#` or its full-width form U+FF03 at the start or after
  whitespace, then the run up to whitespace or a zero-width character; the
  run must not start with U+FE0F and must hold something other than ASCII
  digits and punctuation; trailing punctuation is dropped and the rest may be
  at most 64 UTF-16 code units.
- **Cashtag**: `$` and a letter plus up to four letters or digits, at the
  start or after whitespace or `(`, followed by whitespace, the end, or
  `.,;:!?)"'` or U+2019; a tag facet `$TICKER` in upper case.

"Whitespace" is JavaScript's `\\s`, "word boundary" its ASCII `\\b`, and
"punctuation" its `\\p{P}`: the data block near the end of this module is
generated from the pinned npm packages and Node (see its header).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["detect_facets", "facets", "hashtag_spans", "mention_may_follow"]

_FACET = "app.bsky.richtext.facet"
_MENTION = "app.bsky.richtext.facet#mention"
_LINK = "app.bsky.richtext.facet#link"
_TAG = "app.bsky.richtext.facet#tag"

# JavaScript's \s (and the characters String.prototype.trim removes).
_JS_SPACE = r"\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Characters that end a hashtag besides whitespace (soft hyphen, word joiner,
# zero-width spaces and joiners, combining enclosing screen).
_TAG_STOP = r"\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"

_BAD_LINK_END = (".", ",", ";", ":", "!", "?")


def facets(text: str) -> list[dict[str, Any]]:
    """Return the Bluesky facets of `text`, ready for an `app.bsky.feed.post`.

    Each facet is `{"index": {"byteStart": int, "byteEnd": int}, "features":
    [feature]}` with UTF-8 byte offsets (end exclusive); the feature is a
    `#link` with `uri`, a `#mention` with the handle in `did` (to be resolved
    to a DID before publishing), or a `#tag` with `tag`. Like the library,
    mention facets also carry `"$type": "app.bsky.richtext.facet"`. Sorted by
    `byteStart`. The same as `detect_facets` but for the link facets the
    library gets wrong (see the module's docstring).
    """
    return _detect(text, publishable=True)


def detect_facets(text: str) -> list[dict[str, Any]]:
    """Return exactly what `@atproto/api`'s `detectFacetsWithoutResolution()` finds.

    Including link facets that Bluesky would refuse; publish `facets` instead.
    """
    return _detect(text, publishable=False)


def hashtag_spans(text: str) -> list[tuple[int, int, str]]:
    """The hashtags Bluesky links in `text`, as `detect_facets` finds them:
    (index of the `#`, end, tag), in characters (cashtags aside)."""
    found = []
    for m in _TAG_RE.finditer(text):
        tag = m.group(2)
        if not tag:
            continue
        tag = _strip_trailing_punctuation(tag)
        if not tag or _utf16_len(tag) > 64:
            continue
        start = m.start(1)
        found.append((start, start + 1 + len(tag), tag))
    return found


def mention_may_follow(before: str) -> bool:
    """Whether Bluesky links an `@handle` written right after `before` (the
    character before `@`, "" at the start): the start, whitespace or `(`."""
    return before == "" or before == "(" or _JS_SPACE_RE.fullmatch(before) is not None


def _detect(text: str, *, publishable: bool) -> list[dict[str, Any]]:
    found: list[tuple[int, int, dict[str, Any]]] = []
    for m in _MENTION_RE.finditer(text):
        handle = m.group(2)
        if not (_is_valid_domain(handle) or handle.endswith(".test")):
            continue
        feature = {"$type": _MENTION, "did": handle}
        found.append((m.start(1), m.end(2), feature))
    for m in _URL_RE.finditer(text) if _URL_HINT_RE.search(text) else ():
        uri = m.group(1)
        domain = m.group("domain")
        if not uri.startswith("http") or (publishable and domain):
            if not domain or not _is_valid_domain(domain):
                continue
            uri = "https://" + uri
        start, end = m.span(1)
        if uri.endswith(_BAD_LINK_END):
            uri = uri[:-1]
            end -= 1
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
            end -= 1
        if publishable and not _VALID_URI_RE.match(uri):
            continue
        found.append((start, end, {"$type": _LINK, "uri": uri}))
    for start, end, tag in hashtag_spans(text):
        found.append((start, end, {"$type": _TAG, "tag": tag}))
    for m in _CASHTAG_RE.finditer(text):
        start, end = m.span(1)
        found.append((start, end, {"$type": _TAG, "tag": "$" + m.group(2).upper()}))

    to_bytes = _utf8_offsets(text, [i for start, end, _ in found for i in (start, end)])
    out: list[dict[str, Any]] = []
    for start, end, feature in found:
        facet: dict[str, Any] = {
            "index": {"byteStart": to_bytes[start], "byteEnd": to_bytes[end]},
            "features": [feature],
        }
        if feature["$type"] == _MENTION:
            facet = {"$type": _FACET, **facet}
        out.append(facet)
    out.sort(key=lambda f: f["index"]["byteStart"])  # stable, as in JavaScript
    return out


def _is_valid_domain(name: str) -> bool:
    """Whether `name` ends in a dot and a known top-level domain (case-sensitive)."""
    dot = name.rfind(".")
    return dot >= 0 and name[dot + 1 :] in _TLDS


def _strip_trailing_punctuation(tag: str) -> str:
    end = len(tag)
    while end and _PUNCTUATION_RE.match(tag, end - 1):
        end -= 1
    return tag[:end]


def _utf16_len(s: str) -> int:
    """Length in UTF-16 code units, as JavaScript's `length` counts."""
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _utf8_offsets(text: str, indices: list[int]) -> dict[int, int]:
    """Map code-point indices of `text` to UTF-8 byte offsets."""
    if text.isascii():
        return {i: i for i in indices}
    out: dict[int, int] = {}
    prev = offset = 0
    for i in sorted(set(indices)):
        offset += len(text[prev:i].encode("utf-8", "surrogatepass"))
        out[i] = offset
        prev = i
    return out


# --- begin generated data (tests/text/node/gen_facet_data.mjs) ---
# Top-level domains from the npm package `tlds` 1.261.0 (MIT licence,
# copyright Stephen Mathieson), the list @atproto/api checks domains against;
# only the ASCII ones, since both patterns that consult it match ASCII only.
TLDS_VERSION = "1.261.0"
_TLD_LIST = """
aaa aarp abb abbott abbvie abc able abogado abudhabi ac academy accenture accountant accountants
aco actor ad ads adult ae aeg aero aetna af afl africa ag agakhan agency ai aig airbus airforce
airtel akdn al alibaba alipay allfinanz allstate ally alsace alstom am amazon americanexpress
americanfamily amex amfam amica amsterdam analytics android anquan anz ao aol apartments app apple
aq aquarelle ar arab aramco archi army arpa art arte as asda asia associates at athleta attorney au
auction audi audible audio auspost author auto autos aw aws ax axa az azure ba baby baidu banamex
band bank bar barcelona barclaycard barclays barefoot bargains baseball basketball bauhaus bayern
bb bbc bbt bbva bcg bcn bd be beats beauty beer berlin best bestbuy bet bf bg bh bharti bi bible
bid bike bing bingo bio biz bj black blackfriday blockbuster blog bloomberg blue bm bms bmw bn
bnpparibas bo boats boehringer bofa bom bond boo book booking bosch bostik boston bot boutique box
br bradesco bridgestone broadway broker brother brussels bs bt build builders business buy buzz bv
bw by bz bzh ca cab cafe cal call calvinklein cam camera camp canon capetown capital capitalone car
caravan cards care career careers cars casa case cash casino cat catering catholic cba cbn cbre cc
cd center ceo cern cf cfa cfd cg ch chanel channel charity chase chat cheap chintai christmas
chrome church ci cipriani circle cisco citadel citi citic city ck cl claims cleaning click clinic
clinique clothing cloud club clubmed cm cn co coach codes coffee college cologne com commbank
community company compare computer comsec condos construction consulting contact contractors
cooking cool coop corsica country coupon coupons courses cpa cr credit creditcard creditunion
cricket crown crs cruise cruises cu cuisinella cv cw cx cy cymru cyou cz dad dance data date dating
datsun day dclk dds de deal dealer deals degree delivery dell deloitte delta democrat dental
dentist desi design dev dhl diamonds diet digital direct directory discount discover dish diy dj dk
dm dnp do docs doctor dog domains dot download drive dtv dubai dupont durban dvag dvr dz earth eat
ec eco edeka edu education ee eg email emerck energy engineer engineering enterprises epson
equipment er ericsson erni es esq estate et eu eurovision eus events exchange expert exposed
express extraspace fage fail fairwinds faith family fan fans farm farmers fashion fast fedex
feedback ferrari ferrero fi fidelity fido film final finance financial fire firestone firmdale fish
fishing fit fitness fj fk flickr flights flir florist flowers fly fm fo foo food football ford
forex forsale forum foundation fox fr free fresenius frl frogans frontier ftr fujitsu fun fund
furniture futbol fyi ga gal gallery gallo gallup game games gap garden gay gb gbiz gd gdn ge gea
gent genting george gf gg ggee gh gi gift gifts gives giving gl glass gle global globo gm gmail
gmbh gmo gmx gn godaddy gold goldpoint golf goo goodyear goog google gop got gov gp gq gr grainger
graphics gratis green gripe grocery group gs gt gu gucci guge guide guitars guru gw gy hair hamburg
hangout haus hbo hdfc hdfcbank health healthcare help helsinki here hermes hiphop hisamitsu hitachi
hiv hk hkt hm hn hockey holdings holiday homedepot homegoods homes homesense honda horse hospital
host hosting hot hotels hotmail house how hr hsbc ht hu hughes hyatt hyundai ibm icbc ice icu id ie
ieee ifm ikano il im imamat imdb immo immobilien in inc industries infiniti info ing ink institute
insurance insure int international intuit investments io ipiranga iq ir irish is ismaili ist
istanbul it itau itv jaguar java jcb je jeep jetzt jewelry jio jll jm jmp jnj jo jobs joburg jot
joy jp jpmorgan jprs juegos juniper kaufen kddi ke kerryhotels kerryproperties kfh kg kh ki kia
kids kim kindle kitchen kiwi km kn koeln komatsu kosher kp kpmg kpn kr krd kred kuokgroup kw ky
kyoto kz la lacaixa lamborghini lamer land landrover lanxess lasalle lat latino latrobe law lawyer
lb lc lds lease leclerc lefrak legal lego lexus lgbt li lidl life lifeinsurance lifestyle lighting
like lilly limited limo lincoln link live living lk llc llp loan loans locker locus lol london
lotte lotto love lpl lplfinancial lr ls lt ltd ltda lu lundbeck luxe luxury lv ly ma madrid maif
maison makeup man management mango map market marketing markets marriott marshalls mattel mba mc
mckinsey md me med media meet melbourne meme memorial men menu merckmsd mg mh miami microsoft mil
mini mint mit mitsubishi mk ml mlb mls mm mma mn mo mobi mobile moda moe moi mom monash money
monster mormon mortgage moscow moto motorcycles mov movie mp mq mr ms msd mt mtn mtr mu museum
music mv mw mx my mz na nab nagoya name navy nba nc ne nec net netbank netflix network neustar new
news next nextdirect nexus nf nfl ng ngo nhk ni nico nike nikon ninja nissan nissay nl no nokia
norton now nowruz nowtv np nr nra nrw ntt nu nyc nz obi observer office okinawa olayan olayangroup
ollo om omega one ong onl online ooo open oracle orange org organic origins osaka otsuka ott ovh pa
page panasonic paris pars partners parts party pay pccw pe pet pf pfizer pg ph pharmacy phd philips
phone photo photography photos physio pics pictet pictures pid pin ping pink pioneer pizza pk pl
place play playstation plumbing plus pm pn pnc pohl poker politie porn post pr praxi press prime
pro prod productions prof progressive promo properties property protection pru prudential ps pt pub
pw pwc py qa qpon quebec quest racing radio re read realestate realtor realty recipes red
redumbrella rehab reise reisen reit reliance ren rent rentals repair report republican rest
restaurant review reviews rexroth rich richardli ricoh ril rio rip ro rocks rodeo rogers room rs
rsvp ru rugby ruhr run rw rwe ryukyu sa saarland safe safety sakura sale salon samsclub samsung
sandvik sandvikcoromant sanofi sap sarl sas save saxo sb sbi sbs sc scb schaeffler schmidt
scholarships school schule schwarz science scot sd se search seat secure security seek select sener
services seven sew sex sexy sfr sg sh shangrila sharp shell shia shiksha shoes shop shopping shouji
show si silk sina singles site sj sk ski skin sky skype sl sling sm smart smile sn sncf so soccer
social softbank software sohu solar solutions song sony soy spa space sport spot sr srl ss st stada
staples star statebank statefarm stc stcgroup stockholm storage store stream studio study style su
sucks supplies supply support surf surgery suzuki sv swatch swiss sx sy sydney systems sz tab
taipei talk taobao target tatamotors tatar tattoo tax taxi tc tci td tdk team tech technology tel
temasek tennis teva tf tg th thd theater theatre tiaa tickets tienda tips tires tirol tj tjmaxx tjx
tk tkmaxx tl tm tmall tn to today tokyo tools top toray toshiba total tours town toyota toys tr
trade trading training travel travelers travelersinsurance trust trv tt tube tui tunes tushu tv tvs
tw tz ua ubank ubs ug uk unicom university uno uol ups us uy uz va vacations vana vanguard vc ve
vegas ventures verisign versicherung vet vg vi viajes video vig viking villas vin vip virgin visa
vision viva vivo vlaanderen vn vodka volvo vote voting voto voyage vu wales walmart walter wang
wanggou watch watches weather weatherchannel webcam weber website wed wedding weibo weir wf whoswho
wien wiki williamhill win windows wine winners wme wolterskluwer woodside work works world wow ws
wtc wtf xbox xerox xihuan xin xxx xyz yachts yahoo yamaxun yandex ye yodobashi yoga yokohama you
youtube yt yun za zappos zara zero zip zm zone zuerich zw
"""
_TLDS = frozenset(_TLD_LIST.split())
# Unicode general category P (punctuation), as JavaScript's \p{P} has it
# in Unicode 17.0 (the version of the Node that generated this).
PUNCTUATION_UNICODE_VERSION = "17.0"
_PUNCTUATION = (
    r"\u0021-\u0023\u0025-\u002a\u002c-\u002f\u003a-\u003b\u003f-\u0040\u005b-\u005d\u005f"
    r"\u007b\u007d\u00a1\u00a7\u00ab\u00b6-\u00b7\u00bb\u00bf\u037e\u0387\u055a-\u055f"
    r"\u0589-\u058a\u05be\u05c0\u05c3\u05c6\u05f3-\u05f4\u0609-\u060a\u060c-\u060d\u061b"
    r"\u061d-\u061f\u066a-\u066d\u06d4\u0700-\u070d\u07f7-\u07f9\u0830-\u083e\u085e"
    r"\u0964-\u0965\u0970\u09fd\u0a76\u0af0\u0c77\u0c84\u0df4\u0e4f\u0e5a-\u0e5b"
    r"\u0f04-\u0f12\u0f14\u0f3a-\u0f3d\u0f85\u0fd0-\u0fd4\u0fd9-\u0fda\u104a-\u104f\u10fb"
    r"\u1360-\u1368\u1400\u166e\u169b-\u169c\u16eb-\u16ed\u1735-\u1736\u17d4-\u17d6"
    r"\u17d8-\u17da\u1800-\u180a\u1944-\u1945\u1a1e-\u1a1f\u1aa0-\u1aa6\u1aa8-\u1aad"
    r"\u1b4e-\u1b4f\u1b5a-\u1b60\u1b7d-\u1b7f\u1bfc-\u1bff\u1c3b-\u1c3f\u1c7e-\u1c7f"
    r"\u1cc0-\u1cc7\u1cd3\u2010-\u2027\u2030-\u2043\u2045-\u2051\u2053-\u205e\u207d-\u207e"
    r"\u208d-\u208e\u2308-\u230b\u2329-\u232a\u2768-\u2775\u27c5-\u27c6\u27e6-\u27ef"
    r"\u2983-\u2998\u29d8-\u29db\u29fc-\u29fd\u2cf9-\u2cfc\u2cfe-\u2cff\u2d70\u2e00-\u2e2e"
    r"\u2e30-\u2e4f\u2e52-\u2e5d\u3001-\u3003\u3008-\u3011\u3014-\u301f\u3030\u303d\u30a0"
    r"\u30fb\ua4fe-\ua4ff\ua60d-\ua60f\ua673\ua67e\ua6f2-\ua6f7\ua874-\ua877\ua8ce-\ua8cf"
    r"\ua8f8-\ua8fa\ua8fc\ua92e-\ua92f\ua95f\ua9c1-\ua9cd\ua9de-\ua9df\uaa5c-\uaa5f"
    r"\uaade-\uaadf\uaaf0-\uaaf1\uabeb\ufd3e-\ufd3f\ufe10-\ufe19\ufe30-\ufe52\ufe54-\ufe61"
    r"\ufe63\ufe68\ufe6a-\ufe6b\uff01-\uff03\uff05-\uff0a\uff0c-\uff0f\uff1a-\uff1b"
    r"\uff1f-\uff20\uff3b-\uff3d\uff3f\uff5b\uff5d\uff5f-\uff65\U00010100-\U00010102"
    r"\U0001039f\U000103d0\U0001056f\U00010857\U0001091f\U0001093f\U00010a50-\U00010a58"
    r"\U00010a7f\U00010af0-\U00010af6\U00010b39-\U00010b3f\U00010b99-\U00010b9c\U00010d6e"
    r"\U00010ead\U00010ed0\U00010f55-\U00010f59\U00010f86-\U00010f89\U00011047-\U0001104d"
    r"\U000110bb-\U000110bc\U000110be-\U000110c1\U00011140-\U00011143\U00011174-\U00011175"
    r"\U000111c5-\U000111c8\U000111cd\U000111db\U000111dd-\U000111df\U00011238-\U0001123d"
    r"\U000112a9\U000113d4-\U000113d5\U000113d7-\U000113d8\U0001144b-\U0001144f"
    r"\U0001145a-\U0001145b\U0001145d\U000114c6\U000115c1-\U000115d7\U00011641-\U00011643"
    r"\U00011660-\U0001166c\U000116b9\U0001173c-\U0001173e\U0001183b\U00011944-\U00011946"
    r"\U000119e2\U00011a3f-\U00011a46\U00011a9a-\U00011a9c\U00011a9e-\U00011aa2"
    r"\U00011b00-\U00011b09\U00011be1\U00011c41-\U00011c45\U00011c70-\U00011c71"
    r"\U00011ef7-\U00011ef8\U00011f43-\U00011f4f\U00011fff\U00012470-\U00012474"
    r"\U00012ff1-\U00012ff2\U00016a6e-\U00016a6f\U00016af5\U00016b37-\U00016b3b\U00016b44"
    r"\U00016d6d-\U00016d6f\U00016e97-\U00016e9a\U00016fe2\U0001bc9f\U0001da87-\U0001da8b"
    r"\U0001e5ff\U0001e95e-\U0001e95f"
)
# --- end generated data ---

# The library's patterns, rewritten for Python's `re` with the JavaScript
# meanings spelt out. Its leading `(^|\s|\()` becomes a negative lookbehind
# "not after anything but whitespace or '('", placed after the first literal
# character so that `re` can scan for that character; since no match ends in
# whitespace or '(', this finds what JavaScript's exec loop over a /g pattern
# finds. The URL pattern's ^ also matches after a line break (flag m): that
# adds nothing, as the line break itself is whitespace.
_JS_SPACE_RE = re.compile(f"[{_JS_SPACE}]")
_MENTION_RE = re.compile(
    # /(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)/g; group 1: from '@', group 2: the
    # handle; \b is ASCII (re.ASCII).
    rf"(@(?<![^{_JS_SPACE}(]@)([a-zA-Z0-9.-]+))\b",
    re.ASCII,
)
_URL_HINT_RE = re.compile(r"://|\.[a-zA-Z0-9]")  # in every link
_URL_RE = re.compile(
    # /(^|\s|\()((https?:\/\/[\S]+)|((?<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))/gim
    rf"(?<![^{_JS_SPACE}(])"
    rf"([hH][tT][tT][pP][sS]?://[^{_JS_SPACE}]+"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*+(?:\.[a-zA-Z0-9]+)+)[^{_JS_SPACE}]*)"
)
_TAG_RE = re.compile(
    # group 1: from '#'; group 2: the run after it, if it holds a character
    # that is not an ASCII digit, punctuation, whitespace or a stop.
    rf"([#\uff03](?<![^{_JS_SPACE}][#\uff03])"
    rf"((?!\ufe0f)[^{_JS_SPACE}{_TAG_STOP}]*"
    rf"[^0-9{_JS_SPACE}{_PUNCTUATION}{_TAG_STOP}][^{_JS_SPACE}{_TAG_STOP}]*)?)"
)
_CASHTAG_RE = re.compile(
    # /(^|\s|\()\$([A-Za-z][A-Za-z0-9]{0,4})(?=\s|$|[.,;:!?)"'\u2019])/gu
    rf"(\$(?<![^{_JS_SPACE}(]\$)([A-Za-z][A-Za-z0-9]{{0,4}}))"
    rf"(?=[{_JS_SPACE}]|\Z|[.,;:!?)\"'\u2019])"
)
_PUNCTUATION_RE = re.compile(rf"[{_PUNCTUATION}]")
# The lexicon's `uri` format, as @atproto/syntax's isValidUri checks it.
_VALID_URI_RE = re.compile(rf"[A-Za-z0-9_]+:(?://)?[^{_JS_SPACE}/][^{_JS_SPACE}]*\Z")
