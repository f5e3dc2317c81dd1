// The input every oracle script of this folder reads: a JSON array of strings
// on stdin. A script that gets anything else says so, naming itself, and exits 2.
export async function readStrings(script) {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
    console.error(`${script}: expected a JSON array of strings on stdin`)
    process.exit(2)
  }
  return texts
}
