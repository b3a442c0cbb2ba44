#!/usr/bin/env python3
"""Independent check of model-transparency key/certificate bundles (no tlog): DSSE PAE signature with the
shipped key / leaf certificate, and leaf -> int-ca -> ca chain (roots/mt-*.pem). Run with peer-py/bin/python."""
import json, base64, glob
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
key = load_pem_public_key(open('roots/keys/mt-signing-key-pub.pem','rb').read())
ca = x509.load_pem_x509_certificate(open('roots/mt-ca-cert.pem','rb').read())
inter = x509.load_pem_x509_certificate(open('roots/mt-int-ca-cert.pem','rb').read())
def pae(env):
    p = base64.b64decode(env['payload']); t = env['payloadType'].encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p)
out = {}
for f in sorted(glob.glob('bundles/mt-*.json')):
    b = json.load(open(f)); vm = b['verificationMaterial']; env = b['dsseEnvelope']
    sig = base64.b64decode(env['signatures'][0]['sig'])
    r = []
    if 'publicKey' in vm:
        k = key
    else:
        certs = vm.get('x509CertificateChain', {}).get('certificates') or [vm.get('certificate')]
        if not certs or certs[0] is None or 'tlogEntries' in vm and vm['tlogEntries']:
            continue
        leaf = x509.load_der_x509_certificate(base64.b64decode(certs[0]['rawBytes'])); k = leaf.public_key()
        try: leaf.verify_directly_issued_by(inter); inter.verify_directly_issued_by(ca); r.append('chain leaf->int-ca->ca ok')
        except Exception as e: r.append('chain FAILED')
    ok = None
    for h in (hashes.SHA256(), hashes.SHA384(), hashes.SHA512()):
        try: k.verify(sig, pae(env), ec.ECDSA(h)); ok = h.name; break
        except Exception: pass
    r.append(f'DSSE signature ok ({ok})' if ok else 'DSSE signature NOT verified with shipped key')
    out[f] = r
print(json.dumps(out, indent=1))
