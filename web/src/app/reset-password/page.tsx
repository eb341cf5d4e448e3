import type { Metadata } from 'next';
import { ResetPasswordForm } from '../../components/auth/ResetPasswordForm';

export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  return (
    <main id="main">
      <ResetPasswordForm token={typeof token === 'string' && token !== '' ? token : undefined} />
    </main>
  );
}
