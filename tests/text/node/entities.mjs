// Test oracle: what X links in a post, the official twitter-text.
//
// Reads a JSON array of strings on stdin and prints a JSON array with, for each
// string, twitter-text's extractEntitiesWithIndices as [kind, start, end, url]:
// kind "link", "mention" (lists too), "hashtag" or "cashtag"; url the URL as
// written for a link, "" otherwise. Indices are JavaScript's: UTF-16 code
// units, end exclusive, overlapping entities removed as X does.
import twitter from 'twitter-text'
import { readStrings } from './strings.mjs'

const texts = await readStrings('entities.mjs')

const kind = (e) =>
  e.url !== undefined ? 'link' : e.hashtag !== undefined ? 'hashtag' : e.cashtag !== undefined ? 'cashtag' : 'mention'

const out = texts.map((text) =>
  twitter.extractEntitiesWithIndices(text).map((e) => [kind(e), ...e.indices, e.url ?? ''])
)
process.stdout.write(JSON.stringify(out) + '\n')
