# frozen_string_literal: true

# Test oracle: the hashtags and mentions Mastodon's server extracts from a text.
#
# Reads a JSON array of strings on stdin and prints a JSON array with, for each
# string, {"hashtags": [[tag, start, end], ...], "mentions": [[acct, start,
# end], ...]}: indices in characters (code points), start at the '#' or '@',
# end exclusive.
#
# The regular expressions below are Mastodon's own, copied as written (run by
# Ruby, whose [[:word:]], [[:alpha:]], \w and ^ they are written for):
# - Tag::HASHTAG_* from app/models/tag.rb, mastodon/mastodon commit
#   cb8f1ee68fae3e4ad4312abe0e29263de5645a82;
# - Account::USERNAME_RE and MENTION_RE from app/models/account.rb (a version
#   with the `indexable` column);
# - the scanning loops of Extractor.extract_hashtags_with_indices and
#   extract_mentions_or_lists_with_indices from app/lib/extractor.rb, commit
#   9120f1276e28ab81b891d6617e1c23a158975184, with twitter-text-rb's
#   end_mention_match (at signs, Latin accents, "://") that it reuses.
# Mastodon is AGPL-3.0 (https://github.com/mastodon/mastodon/blob/main/LICENSE);
# these few lines are quoted to test smmgen against its rules, not shipped.
require 'json'

HASHTAG_SEPARATORS = "_\u00B7\u30FB\u200c"
HASHTAG_FIRST_SEQUENCE_CHUNK_ONE = "[[:word:]_][[:word:]#{HASHTAG_SEPARATORS}]*[[:alpha:]#{HASHTAG_SEPARATORS}]"
HASHTAG_FIRST_SEQUENCE_CHUNK_TWO = "[[:word:]#{HASHTAG_SEPARATORS}]*[[:word:]_]"
HASHTAG_FIRST_SEQUENCE = "(#{HASHTAG_FIRST_SEQUENCE_CHUNK_ONE}#{HASHTAG_FIRST_SEQUENCE_CHUNK_TWO})"
HASTAG_LAST_SEQUENCE = '([[:word:]_]*[[:alpha:]][[:word:]_]*)'
HASHTAG_NAME_PAT = "#{HASHTAG_FIRST_SEQUENCE}|#{HASTAG_LAST_SEQUENCE}"
HASHTAG_RE = /(?:^|[^\/\)\w])#(#{HASHTAG_NAME_PAT})/i

USERNAME_RE   = /[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?/i
MENTION_RE    = %r{(?<![=/[:word:]])@((#{USERNAME_RE})(?:@[[:word:].-]+[[:word:]]+)?)}i

LATIN_ACCENTS = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b" \
                "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
END_MENTION_MATCH = /\A(?:[@＠]|[#{LATIN_ACCENTS}]|:\/\/)/o
MAX_DOMAIN_LENGTH = 253

def hashtags(text)
  return [] unless text.index('#')

  found = []
  text.scan(HASHTAG_RE) do |hash_text, _|
    match_data = $LAST_MATCH_INFO || Regexp.last_match
    start_position = match_data.begin(1) - 1
    end_position = match_data.end(1)
    after = Regexp.last_match.post_match
    if after.start_with?('://')
      hash_text.match(/(.+)(https?\Z)/) do |matched|
        hash_text = matched[1]
        end_position -= matched[2].length
      end
    end
    found << [hash_text, start_position, end_position]
  end
  found
end

def mentions(text)
  return [] unless text.match?(/[@＠]/)

  found = []
  text.scan(MENTION_RE) do |screen_name, _|
    match_data = Regexp.last_match
    after = match_data.post_match
    next if END_MENTION_MATCH.match?(after)

    _, domain = screen_name.split('@')
    next if domain && !domain.empty? && domain.length > MAX_DOMAIN_LENGTH

    found << [screen_name, match_data.begin(1) - 1, match_data.end(1)]
  end
  found
end

texts = JSON.parse($stdin.read)
out = texts.map { |text| { 'hashtags' => hashtags(text), 'mentions' => mentions(text) } }
$stdout.write(JSON.generate(out) + "\n")
