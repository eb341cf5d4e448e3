// A software WebAuthn authenticator for the API suites: what a browser and a platform authenticator
// would send back for the server's options, built with node:crypto (ES256 / P-256, attestation
// "none") and @simplewebauthn/server's own CBOR and base64url helpers. Every byte the server checks
// (clientDataJSON's type, challenge and origin; the RP id hash; the flags; the counter; the
// signature) can be set wrong on purpose.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

const b64url = (bytes: Uint8Array) => isoBase64URL.fromBuffer(new Uint8Array(bytes));
const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash('sha256').update(data).digest());

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface CeremonyOverrides {
  /** clientDataJSON's origin (default: the authenticator's origin). */
  origin?: string;
  /** clientDataJSON's challenge (default: the options' challenge). */
  challenge?: string;
  /** The RP id whose hash goes into authenticatorData (default: the options' / the authenticator's). */
  rpId?: string;
  /** authenticatorData's flags (default UP | UV, plus AT at registration). */
  flags?: number;
  /** Sign with this key instead of the credential's own (a forged assertion). */
  signWith?: KeyObject;
  /** The signature counter (default: one more than the last one). */
  counter?: number;
  /** Registration: the credential id (default: 32 random bytes). */
  credentialId?: Uint8Array;
}

export interface SoftCredential {
  id: Uint8Array;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The user handle the server gave at registration (base64url). */
  userHandle: string;
  counter: number;
}

function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, isoBase64URL.toBuffer(jwk.x!)],
      [-3, isoBase64URL.toBuffer(jwk.y!)],
    ]),
  );
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function uint32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(
    /** The page's origin, as the browser would put it in clientDataJSON. */
    readonly origin: string,
    readonly rpId = new URL(origin).hostname,
  ) {}

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, overrides: CeremonyOverrides): string {
    return JSON.stringify({ type, challenge: overrides.challenge ?? challenge, origin: overrides.origin ?? this.origin, crossOrigin: false });
  }

  /** navigator.credentials.create(options), as @simplewebauthn/browser's startRegistration returns it. */
  register(options: { challenge: string; rp?: { id?: string }; user: { id: string } }, overrides: CeremonyOverrides = {}) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: SoftCredential = { id: overrides.credentialId ?? new Uint8Array(randomBytes(32)), privateKey, publicKey, userHandle: options.user.id, counter: 0 };
    const rpId = overrides.rpId ?? options.rp?.id ?? this.rpId;
    const authData = concat(
      sha256(rpId),
      Uint8Array.of(overrides.flags ?? FLAG_UP | FLAG_UV | FLAG_AT),
      uint32(0),
      new Uint8Array(16), // AAGUID: none
      Uint8Array.of(credential.id.length >> 8, credential.id.length & 0xff),
      credential.id,
      coseKey(publicKey),
    );
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    );
    this.credentials.push(credential);
    return {
      credential,
      response: {
        id: b64url(credential.id),
        rawId: b64url(credential.id),
        type: 'public-key' as const,
        response: {
          clientDataJSON: isoBase64URL.fromUTF8String(this.clientData('webauthn.create', options.challenge, overrides)),
          attestationObject: b64url(attestationObject),
          transports: ['internal'],
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      },
    };
  }

  /** navigator.credentials.get(options) with `credential` (default: the last one registered). */
  assert(options: { challenge: string; rpId?: string }, credential = this.credentials.at(-1)!, overrides: CeremonyOverrides = {}) {
    credential.counter = overrides.counter ?? credential.counter + 1;
    const authData = concat(sha256(overrides.rpId ?? options.rpId ?? this.rpId), Uint8Array.of(overrides.flags ?? FLAG_UP | FLAG_UV), uint32(credential.counter));
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const signature = sign('sha256', concat(authData, sha256(clientDataJSON)), overrides.signWith ?? credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: isoBase64URL.fromUTF8String(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(new Uint8Array(signature)),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
