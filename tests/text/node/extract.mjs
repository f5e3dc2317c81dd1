// Test oracle: X's hashtag and mention extraction, the official twitter-text.
//
// Reads a JSON array of strings on stdin and prints a JSON array with, for
// each string, {"hashtags": [[tag, start, end], ...], "mentions": [[name,
// start, end], ...]} from twitter-text's extractHashtagsWithIndices and
// extractMentionsWithIndices. Indices are JavaScript's: UTF-16 code units,
// start at the '#' or '@', end exclusive.
import twitter from 'twitter-text'
import { readStrings } from './strings.mjs'

const texts = await readStrings('extract.mjs')

const out = texts.map((text) => ({
  hashtags: twitter.extractHashtagsWithIndices(text).map((h) => [h.hashtag, ...h.indices]),
  mentions: twitter.extractMentionsWithIndices(text).map((m) => [m.screenName, ...m.indices]),
}))
process.stdout.write(JSON.stringify(out) + '\n')
