// Test oracle: the official Bluesky facet detection.
//
// Reads a JSON array of strings on stdin and prints a JSON array with, for
// each string, the facets that @atproto/api's
// `new RichText({text}).detectFacetsWithoutResolution()` produces ([] where
// it finds none). Mentions stay unresolved: their `did` holds the handle.
import { RichText } from '@atproto/api'
import { readStrings } from './strings.mjs'

const texts = await readStrings('facets.mjs')

const out = texts.map((text) => {
  const rt = new RichText({ text })
  rt.detectFacetsWithoutResolution()
  return rt.facets ?? []
})
process.stdout.write(JSON.stringify(out) + '\n')
