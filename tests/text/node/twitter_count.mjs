// Test oracle: the official JavaScript twitter-text's weighted length.
//
// Reads a JSON array of strings on stdin and prints a JSON array with, for
// each string, [weightedLength, urls]: `twttr.parseTweet(text).weightedLength`
// and the URLs `twttr.extractUrlsWithIndices` finds in the NFC form of the
// text (which parseTweet counts), each as [start, end] in code points.
import twttr from 'twitter-text'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'))
if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
  console.error('twitter_count.mjs: expected a JSON array of strings on stdin')
  process.exit(2)
}

const codePoints = (text, index) => Array.from(text.slice(0, index)).length

const out = texts.map((text) => {
  const normalized = text.normalize()
  const urls = twttr
    .extractUrlsWithIndices(normalized)
    .map(({ indices }) => [codePoints(normalized, indices[0]), codePoints(normalized, indices[1])])
  return [twttr.parseTweet(text).weightedLength, urls]
})
process.stdout.write(JSON.stringify(out) + '\n')
