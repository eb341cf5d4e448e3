import type { Metadata } from 'next';
import { AccountScreen } from '../../components/account/AccountScreen';

export const metadata: Metadata = { title: 'Your account' };

export default function AccountPage() {
  return (
    <main id="main">
      <h1>Your account</h1>
      <AccountScreen />
    </main>
  );
}
