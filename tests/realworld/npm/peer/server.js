// Loopback stand-in for registry.npmjs.org and tuf-repo-cdn.sigstore.dev that serves only
// this corpus (packuments are synthesized from sources.json) and a Sigstore TUF snapshot.
// Usage: node server.js TUF_DIR CERT_DIR [TAMPER_ID]   (listens on 127.0.0.1:443)
const https = require('https'), fs = require('fs'), path = require('path'), crypto = require('crypto')
const corpus = path.resolve(__dirname, '..')
const [tufdir, certdir, tamper] = process.argv.slice(2).map((a, i) => (i < 2 ? path.resolve(a) : a))
const pk = {}
for (const s of JSON.parse(fs.readFileSync(path.join(corpus, 'sources.json')))) {
  const att = JSON.parse(fs.readFileSync(path.join(corpus, s.attestations)))
  const prov = att.attestations.find(a => !a.predicateType.includes('npm/attestation'))
  const tgz = fs.readFileSync(path.join(corpus, s.tarball))
  const base = s.package.split('/').pop()
  const dist = {
    integrity: s.integrity,
    shasum: crypto.createHash('sha1').update(tgz).digest('hex'),
    tarball: `https://registry.npmjs.org/${s.package}/-/${base}-${s.version}.tgz`,
    attestations: { url: `https://registry.npmjs.org/-/npm/v1/attestations/${s.package.replace('/', '%2f')}@${s.version}`,
      provenance: { predicateType: prov.predicateType } },
  }
  if (s.signatures) dist.signatures = JSON.parse(fs.readFileSync(path.join(corpus, s.signatures)))
  const p = pk[s.package] = pk[s.package] || { doc: { name: s.package, 'dist-tags': {}, versions: {} }, files: {}, ids: {} }
  p.doc.versions[s.version] = { name: s.package, version: s.version, dist }
  p.doc['dist-tags'].latest = s.version
  p.files[`${base}-${s.version}.tgz`] = path.join(corpus, s.tarball)
  p.files[`att@${s.version}`] = path.join(corpus, s.attestations)
  p.ids[s.version] = s.id
}
const send = (res, code, body, type) => { res.writeHead(code, { 'content-type': type || 'application/json' }); res.end(body) }
https.createServer({ key: fs.readFileSync(path.join(certdir, 'key.pem')), cert: fs.readFileSync(path.join(certdir, 'cert.pem')) }, (req, res) => {
  const host = (req.headers.host || '').split(':')[0]
  const url = decodeURIComponent(req.url.split('?')[0])
  console.log(new Date().toISOString(), host, req.method, url)
  if (host === 'tuf-repo-cdn.sigstore.dev') {
    const f = path.join(tufdir, path.normalize(url))
    if (f.startsWith(tufdir) && fs.existsSync(f) && fs.statSync(f).isFile()) return send(res, 200, fs.readFileSync(f))
    return send(res, 404, '')
  }
  if (url === '/-/npm/v1/keys') return send(res, 200, fs.readFileSync(path.join(corpus, 'keys.json')))
  let m = url.match(/^\/-\/npm\/v1\/attestations\/(.+)@([^@]+)$/)
  if (m && pk[m[1]] && pk[m[1]].files[`att@${m[2]}`]) {
    let body = fs.readFileSync(pk[m[1]].files[`att@${m[2]}`])
    if (tamper && tamper === pk[m[1]].ids[m[2]]) { // negative control: flip a bit of the publish signature
      const d = JSON.parse(body)
      const sig = d.attestations.find(a => a.predicateType.includes('npm/attestation')).bundle.dsseEnvelope.signatures[0]
      const b = Buffer.from(sig.sig, 'base64'); b[b.length - 1] ^= 1; sig.sig = b.toString('base64')
      body = JSON.stringify(d)
    }
    return send(res, 200, body)
  }
  m = url.match(/^\/(@[^/]+\/[^/]+|[^@/][^/]*)\/-\/([^/]+\.tgz)$/)
  if (m && pk[m[1]] && pk[m[1]].files[m[2]]) return send(res, 200, fs.readFileSync(pk[m[1]].files[m[2]]), 'application/octet-stream')
  m = url.match(/^\/(@[^/]+\/[^/]+|[^@/][^/]*)$/)
  if (m && pk[m[1]]) return send(res, 200, JSON.stringify(pk[m[1]].doc))
  return send(res, 404, '{"error":"not found"}')
}).listen(443, '127.0.0.1', () => console.log('listening'))
