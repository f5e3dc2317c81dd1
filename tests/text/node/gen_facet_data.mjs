// Generates the data block at the end of smmgen/text/richtext.py from the
// packages pinned here, so the Python facet detection uses exactly the data
// the official library uses:
//   - the `tlds` package's list of top-level domains (the ASCII ones: the
//     patterns that consult it only ever match ASCII domains);
//   - JavaScript's \p{P} (Unicode punctuation) for this Node's Unicode version.
//
// Usage (from the repository root, after `npm ci --prefix tests/text/node`):
//   node tests/text/node/gen_facet_data.mjs            # print the block
//   node tests/text/node/gen_facet_data.mjs --write    # rewrite richtext.py
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const target = join(here, '..', '..', '..', 'smmgen', 'text', 'richtext.py')
const BEGIN = '# --- begin generated data (tests/text/node/gen_facet_data.mjs) ---'
const END = '# --- end generated data ---'

const tlds = require('tlds')
const tldsVersion = require('tlds/package.json').version
const ascii = tlds.filter((t) => /^[\x21-\x7e]+$/.test(t)).sort()

function wrap(words, indent, width) {
  const lines = []
  let line = indent
  for (const w of words) {
    if (line.length > indent.length && line.length + 1 + w.length > width) {
      lines.push(line)
      line = indent
    }
    line += (line.length > indent.length ? ' ' : '') + w
  }
  if (line.length > indent.length) lines.push(line)
  return lines
}

const P = /\p{P}/u
const ranges = []
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue
  if (!P.test(String.fromCodePoint(cp))) continue
  const last = ranges[ranges.length - 1]
  if (last && last[1] === cp - 1) last[1] = cp
  else ranges.push([cp, cp])
}
const esc = (cp) =>
  cp <= 0xffff
    ? '\\u' + cp.toString(16).padStart(4, '0')
    : '\\U' + cp.toString(16).padStart(8, '0')
const items = ranges.map(([a, b]) => (a === b ? esc(a) : `${esc(a)}-${esc(b)}`))

const out = [
  BEGIN,
  `# Top-level domains from the npm package \`tlds\` ${tldsVersion} (MIT licence,`,
  '# copyright Stephen Mathieson), the list @atproto/api checks domains against;',
  '# only the ASCII ones, since both patterns that consult it match ASCII only.',
  `TLDS_VERSION = "${tldsVersion}"`,
  '_TLD_LIST = """',
  ...wrap(ascii, '', 99),
  '"""',
  '_TLDS = frozenset(_TLD_LIST.split())',
  `# Unicode general category P (punctuation), as JavaScript's \\p{P} has it`,
  `# in Unicode ${process.versions.unicode} (the version of the Node that generated this).`,
  `PUNCTUATION_UNICODE_VERSION = "${process.versions.unicode}"`,
  '_PUNCTUATION = (',
  ...wrap(items, '', 94).map((l) => `    r"${l.replaceAll(' ', '')}"`),
  ')',
  END,
].join('\n')

if (process.argv.includes('--write')) {
  const src = readFileSync(target, 'utf8')
  const a = src.indexOf(BEGIN)
  const b = src.indexOf(END)
  if (a < 0 || b < a) {
    console.error(`gen_facet_data.mjs: no generated block in ${target}`)
    process.exit(1)
  }
  writeFileSync(target, src.slice(0, a) + out + src.slice(b + END.length))
  console.error(`gen_facet_data.mjs: rewrote ${target}`)
} else {
  process.stdout.write(out + '\n')
}
