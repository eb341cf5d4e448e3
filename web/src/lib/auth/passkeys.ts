// Passkeys in the browser: the WebAuthn ceremonies through @simplewebauthn/browser, and what their
// failures mean in words. The API (ADR 022) issues the options and verifies the responses; the
// browser only hands them to the authenticator.
import {
  WebAuthnError,
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

export { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill };

/** A ceremony the browser or the user ended: a sentence, or null when nothing needs saying (aborted by us). */
export function describeCeremonyError(error: unknown, ceremony: 'create' | 'get'): string | null {
  const code = error instanceof WebAuthnError ? error.code : undefined;
  const name = error instanceof Error ? error.name : undefined;
  if (code === 'ERROR_CEREMONY_ABORTED' || name === 'AbortError') return null;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') {
    return 'This device already has a passkey for your account.';
  }
  if (code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID' || name === 'SecurityError') {
    return 'Passkeys do not work at this address. Open the app at the address it was set up for.';
  }
  if (name === 'NotAllowedError') {
    return ceremony === 'create'
      ? 'No passkey was created: the request was cancelled or timed out.'
      : 'No passkey was used: the request was cancelled or timed out.';
  }
  return ceremony === 'create' ? 'Your device could not create a passkey.' : 'Your device could not use a passkey.';
}

export function createPasskey(options: unknown) {
  return startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON });
}

/** `autofill`: conditional mediation — the browser offers passkeys in the e-mail field's suggestions. */
export function getPasskey(options: unknown, autofill = false) {
  return startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON, useBrowserAutofill: autofill });
}
