// A real Bluesky PDS (with its PLC directory) on 127.0.0.1, for smmgen's tests.
//
// Usage: node start.mjs PDS_PORT PLC_PORT DATA_DIR
//
// Starts @atproto/dev-env's TestNetworkNoAppView (a PDS and a PLC, no App
// View), creates the accounts alice.test (who posts) and bob.test (who is
// mentioned), and prints one line:
//
//   PDS_READY {"pdsUrl": ..., "plcUrl": ..., "handle": ..., "did": ..., "password": ..., "accounts": {...}}
//
// It stays up until its stdin closes (the test process ended, however it
// ended) or it gets SIGTERM/SIGINT, then closes the network and exits.
// Every server binds 127.0.0.1 only; nothing here talks to a real network.
import { mkdirSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import devEnv from '@atproto/dev-env'

const [pdsPort, plcPort, dataDir] = process.argv.slice(2)
if (!pdsPort || !plcPort || !dataDir) {
  console.error('usage: node start.mjs PDS_PORT PLC_PORT DATA_DIR')
  process.exit(2)
}

// The PDS and the PLC listen on every interface by default: loopback only.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1')
  } else if (args[0] && typeof args[0] === 'object' && !args[0].host && !args[0].path) {
    args[0] = { ...args[0], host: '127.0.0.1' }
  }
  return listen.apply(this, args)
}

let network = null
let stopping = false

async function stop(code) {
  if (stopping) return
  stopping = true
  const timer = setTimeout(() => process.exit(code), 5000)
  timer.unref()
  try {
    if (network) await network.close()
  } catch (err) {
    console.error('closing the network failed:', err)
  }
  process.exit(code)
}

// Registered before startup, so a stop during startup still closes what started.
process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
process.stdin.on('end', () => stop(0))
process.stdin.on('close', () => stop(0))
process.stdin.on('error', () => stop(0))
process.stdin.resume()

const PASSWORD = 'alice-test-password'
const ACCOUNTS = [
  { handle: 'alice.test', email: 'alice@example.test', password: PASSWORD },
  { handle: 'bob.test', email: 'bob@example.test', password: 'bob-test-password' },
]

try {
  for (const dir of ['pds', 'blobs']) mkdirSync(path.join(dataDir, dir), { recursive: true })
  network = await devEnv.TestNetworkNoAppView.create({
    plc: { port: Number(plcPort) },
    pds: {
      port: Number(pdsPort),
      hostname: 'localhost',
      dataDirectory: path.join(dataDir, 'pds'),
      blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    },
  })
  if (stopping) await stop(0)
  const client = network.pds.getClient()
  const accounts = {}
  for (const account of ACCOUNTS) {
    const res = await client.api.com.atproto.server.createAccount(account)
    accounts[account.handle] = res.data.did
  }
  const ready = {
    pdsUrl: network.pds.url,
    plcUrl: network.plc.url,
    handle: 'alice.test',
    did: accounts['alice.test'],
    password: PASSWORD,
    accounts,
  }
  process.stdout.write('PDS_READY ' + JSON.stringify(ready) + '\n')
} catch (err) {
  console.error('the PDS did not start:', err)
  await stop(1)
}
