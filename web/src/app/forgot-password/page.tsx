import type { Metadata } from 'next';
import { ForgotPasswordForm } from '../../components/auth/ForgotPasswordForm';

export const metadata: Metadata = { title: 'Reset your password' };

export default function ForgotPasswordPage() {
  return (
    <main id="main">
      <ForgotPasswordForm />
    </main>
  );
}
