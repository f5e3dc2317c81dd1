// Test oracle: X's hashtag and mention extraction, the official twitter-text.
//
// Reads a JSON array of strings on stdin and prints a JSON array with, for
// each string, {"hashtags": [[tag, start, end], ...], "mentions": [[name,
// start, end], ...]} from twitter-text's extractHashtagsWithIndices and
// extractMentionsWithIndices. Indices are JavaScript's: UTF-16 code units,
// start at the '#' or '@', end exclusive.
import twitter from 'twitter-text'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'))
if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
  console.error('extract.mjs: expected a JSON array of strings on stdin')
  process.exit(2)
}

const out = texts.map((text) => ({
  hashtags: twitter.extractHashtagsWithIndices(text).map((h) => [h.hashtag, ...h.indices]),
  mentions: twitter.extractMentionsWithIndices(text).map((m) => [m.screenName, ...m.indices]),
}))
process.stdout.write(JSON.stringify(out) + '\n')
