// The certificates a contract run needs.
//
// The real PKI comes from ASEC_PKI_DIR or from `asec-pki dev <dir>`; its file
// names follow the service CN (CENTRAL_SERVICE -> central.crt/.key,
// SCANNER_V4_INDEXER_SERVICE -> scanner-v4-indexer.crt/.key, OPERATOR ->
// operator.crt/.key). A "rogue" CA and a certificate it signs with CN
// OPERATOR are always made here with openssl: they are the bad credentials of
// the mutual-TLS cases, a name that is right under a signature that is not.
// When asec-pki is not built, the same openssl path makes a stand-in dev PKI
// that only the self-test may use.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVICE_CNS = [
  'CENTRAL_SERVICE',
  'SCANNER_V4_INDEXER_SERVICE',
  'SCANNER_V4_MATCHER_SERVICE',
  'SENSOR_SERVICE',
  'ADMISSION_CONTROL_SERVICE',
  'COLLECTOR_SERVICE',
  'OPERATOR',
];

// CENTRAL_SERVICE -> central; also accepts the short name itself.
export function certName(serviceOrCN) {
  return serviceOrCN.toLowerCase().replace(/_service$/, '').replace(/_/g, '-');
}

export function cnOf(serviceOrCN) {
  const name = certName(serviceOrCN);
  return SERVICE_CNS.find((cn) => certName(cn) === name) || serviceOrCN;
}

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCA(dir, name, cn) {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

function makeLeaf(dir, ca, name, cn) {
  writeFileSync(join(dir, `${name}.ext`),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n'
    + 'extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
    '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
}

// A dev PKI made with openssl (self-test stand-in when asec-pki is absent).
export function makeStandInPki(dir) {
  mkdirSync(dir, { recursive: true });
  makeCA(dir, 'ca', 'asec contract stand-in CA');
  for (const cn of SERVICE_CNS) makeLeaf(dir, 'ca', certName(cn), cn);
}

// A CA nobody trusts and a client certificate it signed for CN OPERATOR.
export function makeRogue(dir) {
  mkdirSync(dir, { recursive: true });
  makeCA(dir, 'rogue-ca', 'asec contract rogue CA');
  makeLeaf(dir, 'rogue-ca', 'rogue-operator', 'OPERATOR');
  return { cert: readFileSync(join(dir, 'rogue-operator.crt')), key: readFileSync(join(dir, 'rogue-operator.key')) };
}

// Reads a PKI folder into memory; returns null with a reason if incomplete.
export function readPki(dir) {
  const missing = ['ca.crt', ...SERVICE_CNS.flatMap((cn) => [`${certName(cn)}.crt`, `${certName(cn)}.key`])]
    .filter((f) => !existsSync(join(dir, f)));
  if (missing.length) return { error: `PKI folder ${dir} lacks ${missing.join(', ')}` };
  const pki = { dir, ca: readFileSync(join(dir, 'ca.crt')), certs: {} };
  for (const cn of SERVICE_CNS) {
    const cert = readFileSync(join(dir, `${certName(cn)}.crt`));
    // The name on the file is a promise about the CN inside; hold it to that.
    const subject = new X509Certificate(cert).subject.split('\n');
    if (!subject.includes(`CN=${cn}`)) return { error: `${certName(cn)}.crt has subject ${subject.join(', ')}, expected CN=${cn}` };
    pki.certs[cn] = { cert, key: readFileSync(join(dir, `${certName(cn)}.key`)) };
  }
  return pki;
}
