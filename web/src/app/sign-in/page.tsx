import type { Metadata } from 'next';
import { SignInForm } from '../../components/auth/SignInForm';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { reason } = await searchParams;
  return (
    <main id="main">
      <SignInForm reason={typeof reason === 'string' ? reason : undefined} />
    </main>
  );
}
