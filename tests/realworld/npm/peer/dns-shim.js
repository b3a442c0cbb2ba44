// Preloaded with --require: resolve the two hosts to the loopback mock (process-local).
const dns = require('dns')
const HOSTS = new Set(['registry.npmjs.org', 'tuf-repo-cdn.sigstore.dev'])
const orig = dns.lookup
dns.lookup = function (host, opts, cb) {
  if (typeof opts === 'function') { cb = opts; opts = {} }
  if (HOSTS.has(host)) {
    if (opts && opts.all) return process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }])
    return process.nextTick(cb, null, '127.0.0.1', 4)
  }
  return orig.call(this, host, opts, cb)
}
const origP = dns.promises.lookup
dns.promises.lookup = async function (host, opts) {
  if (HOSTS.has(host)) return (opts && opts.all) ? [{ address: '127.0.0.1', family: 4 }] : { address: '127.0.0.1', family: 4 }
  return origP.call(this, host, opts)
}
