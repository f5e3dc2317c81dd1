// Test oracle: the official Bluesky facet detection.
//
// Reads a JSON array of strings on stdin and prints a JSON array with, for
// each string, the facets that @atproto/api's
// `new RichText({text}).detectFacetsWithoutResolution()` produces ([] where
// it finds none). Mentions stay unresolved: their `did` holds the handle.
import { RichText } from '@atproto/api'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'))
if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
  console.error('facets.mjs: expected a JSON array of strings on stdin')
  process.exit(2)
}

const out = texts.map((text) => {
  const rt = new RichText({ text })
  rt.detectFacetsWithoutResolution()
  return rt.facets ?? []
})
process.stdout.write(JSON.stringify(out) + '\n')
