import type { Metadata } from 'next';
import { ConfirmLink } from '../../components/auth/ConfirmLink';

export const metadata: Metadata = { title: 'Confirm your new email address', referrer: 'no-referrer' };

export default async function ConfirmEmailPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  return (
    <main id="main">
      <ConfirmLink kind="change-email" token={typeof token === 'string' && token !== '' ? token : undefined} />
    </main>
  );
}
