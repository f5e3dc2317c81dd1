// Test oracle: validates records with @atproto/lexicon.
//
// Usage: node validate.mjs LEXICON_DIR < records.json
// stdin: a JSON array of {"nsid": "...", "record": {...}}.
// stdout: a JSON array with, for each record, null when it is valid or the
// validation error's message when it is not.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Lexicons, jsonToLex } from '@atproto/lexicon'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node validate.mjs LEXICON_DIR < records.json')
  process.exit(2)
}

function* lexiconFiles(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) yield* lexiconFiles(path)
    else if (entry.name.endsWith('.json')) yield path
  }
}

const docs = []
for (const path of lexiconFiles(dir)) {
  const doc = JSON.parse(readFileSync(path, 'utf8'))
  if (doc && doc.lexicon === 1 && typeof doc.id === 'string') docs.push(doc)
}
const lexicons = new Lexicons(docs)

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const items = JSON.parse(Buffer.concat(chunks).toString('utf8'))

const results = items.map(({ nsid, record }) => {
  try {
    lexicons.assertValidRecord(nsid, jsonToLex(record))
    return null
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
})
process.stdout.write(JSON.stringify(results) + '\n')
