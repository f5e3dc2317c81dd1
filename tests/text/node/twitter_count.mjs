// Test oracle: the official JavaScript twitter-text's weighted length.
//
// Reads a JSON array of strings on stdin and prints a JSON array with, for
// each string, [weightedLength, urls]: `twttr.parseTweet(text).weightedLength`
// and the URLs `twttr.extractUrlsWithIndices` finds in the NFC form of the
// text (which parseTweet counts), each as [start, end] in code points.
import twttr from 'twitter-text'
import { readStrings } from './strings.mjs'

const texts = await readStrings('twitter_count.mjs')

const codePoints = (text, index) => Array.from(text.slice(0, index)).length

const out = texts.map((text) => {
  const normalized = text.normalize()
  const urls = twttr
    .extractUrlsWithIndices(normalized)
    .map(({ indices }) => [codePoints(normalized, indices[0]), codePoints(normalized, indices[1])])
  return [twttr.parseTweet(text).weightedLength, urls]
})
process.stdout.write(JSON.stringify(out) + '\n')
