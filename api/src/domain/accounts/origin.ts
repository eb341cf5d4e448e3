// What an account page shows about where a session or an event came from: the network, not the
// address (IPv4 cut to its /24, IPv6 to its /48), and the browser and system named from the user
// agent. Nothing finer is ever stored or shown.
import { isIPv4, isIPv6 } from 'node:net';
import { UAParser } from 'ua-parser-js';

/** Longer user agents are cut before parsing (a header can be kilobytes; the names are near the start). */
const UA_MAX = 512;

/** The /24 (IPv4) or /48 (IPv6) network of an address; null for anything that is not one. */
export function coarseIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const address = ip.trim().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return coarseIp(mapped[1]);
  if (isIPv4(address)) {
    const [a, b, c] = address.split('.').map(Number);
    return `${a}.${b}.${c}.0/24`;
  }
  if (isIPv6(address)) {
    const groups = expandIPv6(address).slice(0, 3).map((g) => g.replace(/^0+(?=.)/, ''));
    while (groups.at(-1) === '0') groups.pop();
    return `${groups.join(':')}::/48`;
  }
  return null;
}

/** The eight groups of an IPv6 address (a trailing dotted IPv4 part becomes two groups). */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right];
}

/** "Chrome on Linux", "Safari on iOS", "Firefox", "Unknown device". */
export function deviceName(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = new UAParser(userAgent.slice(0, UA_MAX)).getResult();
  if (browser.name && os.name) return `${browser.name} on ${os.name}`;
  if (browser.name) return browser.name;
  if (os.name) return `Unknown browser on ${os.name}`;
  return 'Unknown device';
}
