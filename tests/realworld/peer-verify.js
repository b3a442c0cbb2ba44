#!/usr/bin/env node
// Offline peer verification with sigstore-js (@sigstore/verify + @sigstore/bundle), no network.
// Usage: node peer-verify.js jobs.json > results-js.json
// jobs.json: [{id, bundle, trusted_root, artifact|null, identity|null, issuer|null,
//              tlog_threshold?, ctlog_threshold?, timestamp_threshold?, keys?: {hint: pemOrDerB64}}]
const path = require('path');
const fs = require('fs');
const req = (m) => require(path.join(__dirname, 'peer-js', 'node_modules', m));
const { Verifier, toSignedEntity, toTrustMaterial } = req('@sigstore/verify');
const { bundleFromJSON } = req('@sigstore/bundle');
const { TrustedRoot } = req('@sigstore/protobuf-specs');
const crypto = require('crypto');

function loadRoot(file) {
  const txt = fs.readFileSync(path.join(__dirname, file), 'utf8');
  let j = JSON.parse(txt);
  if (j.trustedRoot) j = j.trustedRoot; // ClientTrustConfig
  return TrustedRoot.fromJSON(j);
}

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = {};
for (const job of jobs) {
  let res;
  try {
    const bundleJSON = JSON.parse(fs.readFileSync(path.join(__dirname, job.bundle), 'utf8'));
    const root = loadRoot(job.trusted_root);
    let keyFinder;
    if (job.keys) {
      keyFinder = (hint) => {
        const k = job.keys[hint] || job.keys['*'];
        if (!k) throw new Error(`key not found: ${hint}`);
        const publicKey = k.includes('BEGIN') ? crypto.createPublicKey(k)
          : crypto.createPublicKey({ key: Buffer.from(k, 'base64'), format: 'der', type: 'spki' });
        return { publicKey, validFor: () => true };
      };
    }
    const tm = toTrustMaterial(root, keyFinder);
    const verifier = new Verifier(tm, {
      tlogThreshold: job.tlog_threshold ?? 1,
      ctlogThreshold: job.ctlog_threshold ?? 1,
      timestampThreshold: job.timestamp_threshold ?? 1,
    });
    const bundle = bundleFromJSON(bundleJSON);
    const isMsg = bundle.content.$case === 'messageSignature';
    let data;
    if (job.artifact) data = fs.readFileSync(path.join(__dirname, job.artifact));
    if (isMsg && !data) {
      res = 'not-run: message signature needs the artifact bytes (sigstore-js cannot verify from a digest)';
    } else {
      const entity = toSignedEntity(bundle, data);
      const policy = {};
      if (job.identity) policy.subjectAlternativeName = job.identity;
      if (job.issuer) policy.extensions = { issuer: job.issuer };
      verifier.verify(entity, policy);
      // DSSE: additionally check that the artifact digest is one of the in-toto subjects
      if (!isMsg && data) {
        const st = JSON.parse(Buffer.from(bundleJSON.dsseEnvelope.payload, 'base64').toString());
        const subs = (st.subject || []).flatMap((s) => Object.entries(s.digest || {}));
        const ok = subs.some(([alg, hex]) => {
          try { return crypto.createHash(alg).update(data).digest('hex') === hex; } catch { return false; }
        });
        if (!ok) throw new Error('artifact digest does not match any in-toto subject');
      }
      res = 'verified';
    }
  } catch (e) {
    const code = e.code ? `${e.code}: ` : '';
    res = `failed: ${code}${(e.message || String(e)).split('\n')[0].slice(0, 300)}`;
  }
  out[job.id] = res;
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
