import type { Metadata } from 'next';
import { ConfirmLink } from '../../components/auth/ConfirmLink';

export const metadata: Metadata = { title: 'Verify your email address', referrer: 'no-referrer' };

export default async function VerifyEmailPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  return (
    <main id="main">
      <ConfirmLink kind="verify" token={typeof token === 'string' && token !== '' ? token : undefined} />
    </main>
  );
}
