import { describe, expect, it } from 'vitest';
import { coarseIp, deviceName } from './origin.js';

describe('coarseIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['10.1.2.255', '10.1.2.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['2001:db8:1:2::5', '2001:db8:1::/48'],
    ['2001:0db8:0001:ffff:0:0:0:1', '2001:db8:1::/48'],
    ['2001:db8::1', '2001:db8::/48'],
    ['::1', '::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['64:ff9b::192.0.2.33', '64:ff9b::/48'],
    ['2001:db8:0:1::', '2001:db8::/48'],
    ['0:1:2::', '0:1:2::/48'],
  ])('%s → %s', (ip, expected) => {
    expect(coarseIp(ip)).toBe(expected);
  });

  it.each([undefined, null, '', 'not-an-ip', '999.1.1.1', '1.2.3', 'example.com'])('%s → null', (ip) => {
    expect(coarseIp(ip)).toBeNull();
  });
});

describe('deviceName', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Mobile Safari on iOS'],
    ['', 'Unknown device'],
    [undefined, 'Unknown device'],
    ['curl/8.5.0', 'Unknown device'],
  ])('%s → %s', (ua, expected) => {
    expect(deviceName(ua)).toBe(expected);
  });

  it('parses only the start of an oversized header', () => {
    expect(deviceName(`Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 ${'x'.repeat(100_000)}`)).toBe('Chrome on Linux');
  });
});
